//! A local stand-in for Cloudflare Realtime's SFU, for `cargo xtask dev` and the tests: these
//! machines cannot reach Cloudflare. It speaks the subset of the SFU's HTTP API that Confab
//! uses ([`api`]) and forwards media between sessions ([`sfu`], on `str0m`). Production uses
//! Cloudflare Realtime; nothing here is meant to be deployed.

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
