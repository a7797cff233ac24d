//! How a test's worker is started: keys, guests, origins and other variables.

use std::time::Duration;

use super::JwtKey;

/// The origins `trunk serve` uses (Trunk.toml), which local development allows.
pub const TRUNK_SERVE_ORIGINS: [&str; 2] = ["http://localhost:8080", "http://127.0.0.1:8080"];

/// How to start the worker.
#[derive(Debug, Clone)]
pub struct Options {
    /// Signing key given to the worker as `JWT_KEYS` (HS256 unless set otherwise).
    pub jwt_key: JwtKey,
    /// Keys that verify but no longer sign (rotation): listed after `jwt_key` in `JWT_KEYS`.
    pub older_keys: Vec<JwtKey>,
    /// `ALLOW_GUESTS`.
    pub allow_guests: bool,
    /// `ALLOWED_ORIGINS`; empty keeps the worker's default (its own origin and `dev_origins`).
    pub allowed_origins: Vec<String>,
    /// `DEV_ORIGINS`, as `cargo xtask build` writes it into `.dev.vars` for `wrangler dev`: the
    /// `trunk serve` origins ([`TRUNK_SERVE_ORIGINS`]). Empty: configured like a deployment.
    pub dev_origins: Vec<String>,
    /// More `--var NAME:value` pairs.
    pub vars: Vec<(String, String)>,
    /// Listen on this port instead of a free one (a restart that browsers must find again at the
    /// same origin).
    pub port: Option<u16>,
    /// Listen on this address instead of 127.0.0.1 (say `0.0.0.0`, for browsers in other network
    /// namespaces that reach the worker through a router namespace). Tests still talk to it at
    /// 127.0.0.1.
    pub listen_ip: Option<String>,
    /// How long start-up may take before it counts as failed.
    pub start_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            jwt_key: JwtKey::random("test"),
            older_keys: Vec::new(),
            allow_guests: true,
            allowed_origins: Vec::new(),
            dev_origins: TRUNK_SERVE_ORIGINS.iter().map(|o| o.to_string()).collect(),
            vars: Vec::new(),
            port: None,
            listen_ip: None,
            start_timeout: Duration::from_secs(60),
        }
    }
}
