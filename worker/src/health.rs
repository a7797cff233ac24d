//! `GET /api/health`: the server is up, and which version it runs.

use confab_protocol::Health;
use worker::Response;

use crate::http::{json, ApiError};

pub fn health() -> Result<Response, ApiError> {
    json(&Health {
        ok: true,
        version: env!("CARGO_PKG_VERSION").into(),
    })
}
