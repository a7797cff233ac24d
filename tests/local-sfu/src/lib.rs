//! A local stand-in for Cloudflare Realtime's SFU, for `cargo xtask dev` and the tests: these
//! machines cannot reach Cloudflare. It speaks the subset of the SFU's HTTP API that Confab
//! uses ([`api`]) and forwards media between sessions ([`sfu`], on `str0m`). Production uses
//! Cloudflare Realtime; nothing here is meant to be deployed.

/// A line for the log, after the seconds since the process started: a failed trial's log is
/// read as a timeline beside the test's own output.
macro_rules! log {
    ($($arg:tt)*) => {
        eprintln!("{:9.3} {}", $crate::since_start().as_secs_f64(), format_args!($($arg)*))
    };
}

pub mod api;
pub mod server;
pub mod sfu;

#[cfg(test)]
mod tests;

/// str0m's DTLS crypto, installed once per process before any session is made.
pub fn install_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
}

/// Time since the process started (since the first call, which `main` makes at once).
pub fn since_start() -> std::time::Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}
