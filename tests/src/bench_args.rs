//! What a benchmark binary does with its parsed arguments before it runs: `--help` prints the
//! usage and ends well; a bad argument prints why, then the usage, and ends with status 2.

use std::process::ExitCode;

/// The arguments `parsed` holds (`Ok(None)` is `--help`), or how `bench` ends instead.
pub fn or_exit<T>(
    bench: &str,
    usage: &str,
    parsed: Result<Option<T>, String>,
) -> Result<T, ExitCode> {
    match parsed {
        Ok(Some(args)) => Ok(args),
        Ok(None) => {
            println!("{usage}");
            Err(ExitCode::SUCCESS)
        }
        Err(message) => {
            eprintln!("{bench}: {message}\n\n{usage}");
            Err(ExitCode::from(2))
        }
    }
}
