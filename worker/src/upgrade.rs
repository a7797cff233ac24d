//! Rules for the WebSocket upgrade: Origin allow-list and token-carrying subprotocols.

use confab_protocol::{BEARER_PREFIX, SUBPROTOCOL};

use crate::config::TRUNK_SERVE_ORIGINS;
use crate::http_error::ApiError;

/// Whether `origin` may open a socket. With no explicit list, the worker's own origin and the
/// `trunk serve` origins are allowed. A missing Origin (non-browser client) is refused too:
/// browsers always send it, and the allow-list is what stops cross-site WebSocket hijacking.
pub fn origin_allowed(origin: Option<&str>, own_origin: &str, allow_list: &[String]) -> bool {
    let Some(origin) = origin else { return false };
    if allow_list.is_empty() {
        origin == own_origin || TRUNK_SERVE_ORIGINS.contains(&origin)
    } else {
        allow_list.iter().any(|allowed| allowed == origin)
    }
}

/// Extracts the access token from `Sec-WebSocket-Protocol: confab.v1, bearer.<jwt>`.
pub fn bearer_from_subprotocols(header: Option<&str>) -> Result<&str, ApiError> {
    let header =
        header.ok_or_else(|| ApiError::Unauthorized("missing Sec-WebSocket-Protocol".into()))?;
    let offered: Vec<&str> = header.split(',').map(str::trim).collect();
    if !offered.contains(&SUBPROTOCOL) {
        return Err(ApiError::BadRequest(format!(
            "the `{SUBPROTOCOL}` subprotocol is required"
        )));
    }
    offered
        .iter()
        .find_map(|p| p.strip_prefix(BEARER_PREFIX))
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("missing bearer token subprotocol".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "http://localhost:8787";

    #[test]
    fn default_allow_list_is_own_origin_and_trunk_serve() {
        assert!(origin_allowed(Some(OWN), OWN, &[]));
        assert!(origin_allowed(Some("http://localhost:8080"), OWN, &[]));
        assert!(!origin_allowed(Some("https://evil.example"), OWN, &[]));
        assert!(!origin_allowed(
            Some("http://localhost:8787.evil.example"),
            OWN,
            &[]
        ));
        assert!(!origin_allowed(None, OWN, &[]));
    }

    #[test]
    fn explicit_allow_list_replaces_the_default() {
        let list = vec!["https://meet.example".to_string()];
        assert!(origin_allowed(Some("https://meet.example"), OWN, &list));
        assert!(!origin_allowed(Some(OWN), OWN, &list));
    }

    #[test]
    fn token_rides_in_the_bearer_subprotocol() {
        assert_eq!(
            bearer_from_subprotocols(Some("confab.v1, bearer.a.b.c")),
            Ok("a.b.c")
        );
        assert_eq!(
            bearer_from_subprotocols(Some("bearer.a.b.c,confab.v1")),
            Ok("a.b.c")
        );
        assert!(matches!(
            bearer_from_subprotocols(Some("confab.v1")),
            Err(ApiError::Unauthorized(_))
        ));
        assert!(matches!(
            bearer_from_subprotocols(Some("confab.v1, bearer.")),
            Err(ApiError::Unauthorized(_))
        ));
        assert!(matches!(
            bearer_from_subprotocols(Some("bearer.x")),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            bearer_from_subprotocols(None),
            Err(ApiError::Unauthorized(_))
        ));
    }
}
