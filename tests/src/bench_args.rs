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

/// `--runs N` and `--warmup N` (each a number; at least one run), the flags of the browser
/// benchmarks that repeat one measurement; `Ok(None)` is `--help`.
pub fn runs_and_warmup(
    mut args: impl Iterator<Item = String>,
    defaults: RunsAndWarmup,
) -> Result<Option<RunsAndWarmup>, String> {
    let mut parsed = defaults;
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--runs" => &mut parsed.runs,
            "--warmup" => &mut parsed.warmup,
            "-h" | "--help" => return Ok(None),
            _ => return Err(format!("unknown argument `{flag}`")),
        };
        let value = args.next().ok_or(format!("{flag} needs a number"))?;
        *slot = value
            .parse()
            .map_err(|_| format!("{flag}: `{value}` is not a number"))?;
    }
    if parsed.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    Ok(Some(parsed))
}

/// How many measured runs, and how many before them left out of the numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunsAndWarmup {
    pub runs: usize,
    pub warmup: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<RunsAndWarmup>, String> {
        let defaults = RunsAndWarmup { runs: 5, warmup: 1 };
        runs_and_warmup(args.iter().map(|a| a.to_string()), defaults)
    }

    #[test]
    fn runs_and_warmup_take_numbers_and_refuse_the_rest() {
        assert_eq!(parse(&[]), Ok(Some(RunsAndWarmup { runs: 5, warmup: 1 })));
        assert_eq!(
            parse(&["--warmup", "0", "--runs", "3"]),
            Ok(Some(RunsAndWarmup { runs: 3, warmup: 0 }))
        );
        assert_eq!(parse(&["--help"]), Ok(None));
        assert!(parse(&["--runs", "0"]).is_err());
        assert!(parse(&["--runs", "x"]).is_err());
        assert!(parse(&["--runs"]).is_err());
        assert!(parse(&["--seconds", "3"]).is_err());
    }
}
