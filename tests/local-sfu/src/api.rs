//! The SFU API's types (shared with the worker and the app: `confab_protocol::sfu_api`) and
//! the stand-in's refusals, with the HTTP status Cloudflare uses for each.

pub use confab_protocol::sfu_api::*;
use serde::Serialize;

/// A whole request refused: Cloudflare's top-level error fields, with the HTTP status it uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    #[serde(skip)]
    pub status: u16,
    pub error_code: &'static str,
    pub error_description: String,
}

impl ApiError {
    pub fn new(status: u16, error_code: &'static str, description: impl Into<String>) -> Self {
        ApiError {
            status,
            error_code,
            error_description: description.into(),
        }
    }

    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_params", description)
    }

    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(404, "not_found", description)
    }

    /// What the session cannot do in its state (no offer to answer, one still unanswered).
    pub fn session(description: impl Into<String>) -> Self {
        Self::new(406, "session_error", description)
    }

    pub fn bad_sdp(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_session_description", description)
    }
}
