//! HTTP plumbing every route shares: errors as RFC 9457 problem details (the one place
//! statuses are chosen), the Bearer token of `Authorization`, the JSON content-type rule, the
//! Origin allow-list, JSON bodies and capped body reading. The rules are plain Rust, tested on
//! the host; `request` and `response` (wasm only) apply them to the Workers `Request` and
//! `Response`.

use confab_protocol::Problem;

pub mod rate_limit;
#[cfg(target_arch = "wasm32")]
pub mod request;
#[cfg(target_arch = "wasm32")]
pub mod response;

#[cfg(target_arch = "wasm32")]
pub use request::{
    bearer, body_within, collect_capped, discard_refused_body, json_body, read_capped, require_json,
};
#[cfg(target_arch = "wasm32")]
pub use response::{json, no_store, problem};

/// Largest JSON body read with `request::json_body` (`PATCH /api/me`, `POST /api/rooms`).
pub const MAX_JSON_BYTES: usize = 4 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("no route for {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("expected a WebSocket upgrade")]
    UpgradeRequired,
    #[error("{0}")]
    Conflict(String),
    /// What the call is about no longer exists (an SFU session the SFU forgot).
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("server error: {0}")]
    Internal(String),
    /// A rate limit is spent; the client may try again after `retry_after` seconds.
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u32 },
    /// An upstream service (a sign-in provider) failed; the message says which and why.
    #[error("{0}")]
    BadGateway(String),
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) => 400,
            ApiError::Unauthorized(_) => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::MethodNotAllowed => 405,
            ApiError::Conflict(_) => 409,
            ApiError::Gone(_) => 410,
            ApiError::PayloadTooLarge(_) => 413,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::UpgradeRequired => 426,
            ApiError::TooManyRequests { .. } => 429,
            ApiError::Internal(_) => 500,
            ApiError::BadGateway(_) => 502,
        }
    }

    /// Seconds to wait before trying again (`Retry-After`), for a spent rate limit.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            ApiError::TooManyRequests { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    pub fn to_problem(&self) -> Problem {
        let status = self.status();
        Problem {
            kind: "about:blank".into(),
            title: title(status).into(),
            status,
            // Internal details stay in the log, not in the response.
            detail: match self {
                ApiError::Internal(_) => "the server failed; try again".into(),
                other => other.to_string(),
            },
        }
    }
}

/// Any failure of ours as a 500 (the details are logged, never answered).
pub fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(error.to_string())
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer_token(authorization: Option<&str>) -> Option<String> {
    let value = authorization?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_owned()).filter(|t| !t.is_empty())
}

/// A request body must be declared `Content-Type: application/json` (parameters allowed), else
/// 415. A cross-site form cannot send it, and a cross-site `fetch` only after a CORS preflight
/// we never answer.
pub fn json_content_type(content_type: Option<&str>) -> Result<(), ApiError> {
    let content_type = content_type.unwrap_or_default();
    if content_type.split(';').next().map(str::trim) != Some("application/json") {
        return Err(ApiError::UnsupportedMediaType(
            "send Content-Type: application/json".into(),
        ));
    }
    Ok(())
}

/// Whether `origin` may open a socket or send a cookie-authenticated POST. With no explicit
/// list, the worker's own origin is allowed, and the `dev_origins` of local development
/// (`DEV_ORIGINS`, which only `.dev.vars` sets: the `trunk serve` origins). A missing Origin
/// (non-browser client) is refused too: browsers always send it, and the allow-list is what
/// stops cross-site WebSocket hijacking.
pub fn origin_allowed(
    origin: Option<&str>,
    own_origin: &str,
    allow_list: &[String],
    dev_origins: &[String],
) -> bool {
    let Some(origin) = origin else { return false };
    if allow_list.is_empty() {
        origin == own_origin || dev_origins.iter().any(|dev| dev == origin)
    } else {
        allow_list.iter().any(|allowed| allowed == origin)
    }
}

/// A JSON object body as `T` (an array is not accepted in its place); `example` is shown
/// in the 400 problem.
pub fn json_object<T: serde::de::DeserializeOwned>(
    body: &[u8],
    example: &str,
) -> Result<T, ApiError> {
    let bad = || ApiError::BadRequest(format!("body must be a JSON object like {example}"));
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value @ serde_json::Value::Object(_)) => {
            serde_json::from_value(value).map_err(|_| bad())
        }
        _ => Err(bad()),
    }
}

/// Why a body could not be read within its limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the body could not be read")]
    Unreadable,
}

/// Whether a declared `Content-Length` already rules the body out. An unparsable one is left
/// to the actual length.
pub fn declared_too_large(content_length: Option<&str>, limit: usize) -> bool {
    content_length
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > limit as u64)
}

fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        _ => "Internal Server Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_details() {
        let problem = ApiError::Internal("sqlite: secret path".into()).to_problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("sqlite"));
    }

    #[test]
    fn bad_gateway_says_which_upstream_failed() {
        let problem = ApiError::BadGateway(
            "sign-in with GitHub failed: the token endpoint answered HTTP 500".into(),
        )
        .to_problem();
        assert_eq!(
            (problem.status, problem.title.as_str()),
            (502, "Bad Gateway")
        );
        assert!(problem.detail.starts_with("sign-in with GitHub failed"));
    }

    #[test]
    fn problems_carry_status_title_and_detail() {
        let problem = ApiError::BadRequest("bad room".into()).to_problem();
        assert_eq!(
            (
                problem.status,
                problem.title.as_str(),
                problem.detail.as_str()
            ),
            (400, "Bad Request", "bad room")
        );
    }

    #[test]
    fn bearer_tokens_come_from_the_authorization_header() {
        assert_eq!(bearer_token(Some("Bearer a.b.c")), Some("a.b.c".into()));
        assert_eq!(bearer_token(Some("bearer  a.b.c ")), Some("a.b.c".into()));
        assert_eq!(bearer_token(Some("Bearer ")), None);
        assert_eq!(bearer_token(Some("Basic abc")), None);
        assert_eq!(bearer_token(None), None);
    }

    #[test]
    fn bodies_must_be_declared_json() {
        assert_eq!(json_content_type(Some("application/json")), Ok(()));
        assert_eq!(
            json_content_type(Some("application/json; charset=utf-8")),
            Ok(())
        );
        for refused in [None, Some("text/plain"), Some("application/jsonx")] {
            assert_eq!(
                json_content_type(refused).map_err(|e| e.status()),
                Err(415),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn json_bodies_must_be_objects() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Named {
            name: String,
        }
        assert_eq!(
            json_object::<Named>(br#"{"name":"Mina"}"#, "{}"),
            Ok(Named {
                name: "Mina".into()
            })
        );
        for bad in [&b"[]"[..], b"{}", b"not json", b""] {
            assert_eq!(
                json_object::<Named>(bad, "{\"name\":\"Mina\"}"),
                Err(ApiError::BadRequest(
                    "body must be a JSON object like {\"name\":\"Mina\"}".into()
                ))
            );
        }
    }

    #[test]
    fn a_declared_length_over_the_limit_is_refused_before_reading() {
        let limit = 2 * 1024 * 1024;
        assert!(!declared_too_large(None, limit));
        assert!(!declared_too_large(Some("2097152"), limit));
        assert!(declared_too_large(Some("2097153"), limit));
        assert!(declared_too_large(Some(" 99999999999 "), limit));
        // Unparsable: the actual length decides.
        assert!(!declared_too_large(Some("lots"), limit));
        assert!(!declared_too_large(Some("-1"), limit));
    }

    const OWN: &str = "http://localhost:8787";

    const TRUNK: &str = "http://localhost:8080";

    #[test]
    fn default_allow_list_is_own_origin_only_when_deployed() {
        assert!(origin_allowed(Some(OWN), OWN, &[], &[]));
        assert!(!origin_allowed(Some(TRUNK), OWN, &[], &[]));
        assert!(!origin_allowed(Some("https://evil.example"), OWN, &[], &[]));
        assert!(!origin_allowed(
            Some("http://localhost:8787.evil.example"),
            OWN,
            &[],
            &[]
        ));
        assert!(!origin_allowed(None, OWN, &[], &[]));
    }

    #[test]
    fn local_development_adds_its_dev_origins() {
        let dev = vec![TRUNK.to_string()];
        assert!(origin_allowed(Some(TRUNK), OWN, &[], &dev));
        assert!(origin_allowed(Some(OWN), OWN, &[], &dev));
        assert!(!origin_allowed(
            Some("http://127.0.0.1:9999"),
            OWN,
            &[],
            &dev
        ));
    }

    #[test]
    fn explicit_allow_list_replaces_the_default() {
        let list = vec!["https://meet.example".to_string()];
        let dev = vec![TRUNK.to_string()];
        assert!(origin_allowed(
            Some("https://meet.example"),
            OWN,
            &list,
            &dev
        ));
        assert!(!origin_allowed(Some(OWN), OWN, &list, &dev));
        assert!(!origin_allowed(Some(TRUNK), OWN, &list, &dev));
    }
}
