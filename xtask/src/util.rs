//! Timing, step output, errors and running child processes.

use std::ffi::OsStr;
use std::fmt::Display;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

/// Every failure is a message for the user; `main` prints it and exits non-zero.
pub type Result<T = ()> = std::result::Result<T, String>;

/// Adds a human explanation in front of a lower-level error.
pub trait Context<T> {
    fn context(self, what: impl Display) -> Result<T>;
}

impl<T, E: Display> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl Display) -> Result<T> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

static START: OnceLock<Instant> = OnceLock::new();

/// Starts the clock used by [`step`]; called first thing in `main`.
pub fn start_clock() {
    START.get_or_init(Instant::now);
}

pub fn elapsed_secs() -> f64 {
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// Prints one progress line: `[xtask 12.3s] building worker`.
pub fn step(msg: impl Display) {
    println!("[xtask {:.1}s] {msg}", elapsed_secs());
}

/// Prints an error line to stderr in the same format.
pub fn error_line(msg: impl Display) {
    eprintln!("[xtask {:.1}s] error: {msg}", elapsed_secs());
}

/// The command line as a user would type it, for messages.
pub fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    let line = parts.join(" ");
    match cmd.get_current_dir() {
        Some(dir) => format!("{line} (in {})", dir.display()),
        None => line,
    }
}

fn spawn_error(cmd: &Command, e: std::io::Error) -> String {
    let program = cmd.get_program().to_string_lossy();
    if e.kind() == std::io::ErrorKind::NotFound {
        format!("could not start `{program}`: not found (is it installed and on PATH?)")
    } else {
        format!("could not start `{}`: {e}", describe(cmd))
    }
}

/// Runs `cmd` with inherited stdio and returns its exit status (any status).
pub fn status(cmd: &mut Command) -> Result<ExitStatus> {
    cmd.status().map_err(|e| spawn_error(cmd, e))
}

/// Runs `cmd` with inherited stdio; a non-zero exit is an error.
pub fn run(cmd: &mut Command) -> Result {
    let st = status(cmd)?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({st})", describe(cmd)))
    }
}

/// Runs `cmd` and returns its stdout (stderr is captured and reported on failure).
pub fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error(cmd, e))?;
    if !out.status.success() {
        return Err(format!(
            "`{}` failed ({}): {}",
            describe(cmd),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `program args...` as a `Command`.
pub fn cmd<S: AsRef<OsStr>>(program: impl AsRef<OsStr>, args: &[S]) -> Command {
    let mut c = Command::new(program);
    c.args(args);
    c
}

/// Size of `path` gzipped at level 6 (gzip's default, what CDNs typically serve), measured with
/// the system `gzip` (std has no deflate); `-n` leaves the file name out of the header.
pub fn gzip_size(path: &Path) -> Result<u64> {
    let out = Command::new("gzip")
        .arg("-6nc")
        .arg(path)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip {} failed ({})", path.display(), out.status));
    }
    Ok(out.stdout.len() as u64)
}

/// `12345` -> `12.1 KiB`.
pub fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// Standard base64 (RFC 4648, with padding); std has no encoder.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// FNV-1a 64: a hash that is stable across Rust versions, for stamp files.
pub fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, want) in cases {
            assert_eq!(base64(input.as_bytes()), want, "input {input:?}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
        assert_eq!(base64(&[0u8; 64]).len(), 88);
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn sizes_are_readable() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(2048), "2.0 KiB");
        assert_eq!(human_size(3 * 1024 * 1024), "3.00 MiB");
    }
}
