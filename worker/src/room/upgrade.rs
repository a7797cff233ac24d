//! Rules for the WebSocket upgrade: the token-carrying subprotocols and `?replaces=`. (The
//! Origin allow-list is [`crate::http::origin_allowed`].)

use confab_protocol::{PeerId, BEARER_PREFIX, STANDBY_QUERY, SUBPROTOCOL};
use url::form_urlencoded;

use crate::http::ApiError;

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

/// The query parameter a reconnecting page uses to name its own previous socket's peer id.
pub const REPLACES_PARAM: &str = "replaces";

/// The `replaces` parameter of an upgrade's query string: absent → `None`; exactly one
/// well-formed peer id → `Some`; empty, malformed or repeated → 400. Other parameters are
/// ignored.
pub fn replaces_from_query(query: Option<&str>) -> Result<Option<PeerId>, ApiError> {
    let mut values = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(name, _)| name == REPLACES_PARAM)
        .map(|(_, value)| value);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::BadRequest(format!(
            "`{REPLACES_PARAM}` may be given only once"
        )));
    }
    let peer = PeerId(value.into_owned());
    if !peer.is_well_formed() {
        return Err(ApiError::BadRequest(format!(
            "`{REPLACES_PARAM}` must be a peer id (32 lowercase hex characters)"
        )));
    }
    Ok(Some(peer))
}

/// Whether an upgrade's query asks for a socket opened ahead of the click (`standby=1`, see
/// [`confab_protocol::STANDBY_QUERY`]): absent → false; exactly `standby=1` → true; any other
/// value, a repeat, or together with `replaces` (a reconnect is never ahead of anything) → 400.
pub fn standby_from_query(query: Option<&str>) -> Result<bool, ApiError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let (name, one) = STANDBY_QUERY.split_once('=').unwrap_or((STANDBY_QUERY, ""));
    let values: Vec<&str> = pairs
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect();
    match values.as_slice() {
        [] => Ok(false),
        [value] if *value == one => {
            if pairs.iter().any(|(n, _)| n == REPLACES_PARAM) {
                return Err(ApiError::BadRequest(format!(
                    "`{name}` and `{REPLACES_PARAM}` do not go together"
                )));
            }
            Ok(true)
        }
        _ => Err(ApiError::BadRequest(format!(
            "`{name}` may only be given once, as `{STANDBY_QUERY}`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    const PEER: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn replaces_is_optional_and_other_parameters_are_ignored() {
        assert_eq!(replaces_from_query(None), Ok(None));
        assert_eq!(replaces_from_query(Some("")), Ok(None));
        assert_eq!(replaces_from_query(Some("other=1&x")), Ok(None));
    }

    #[test]
    fn one_well_formed_replaces_is_a_peer_id() {
        assert_eq!(
            replaces_from_query(Some(&format!("replaces={PEER}"))),
            Ok(Some(PeerId(PEER.into())))
        );
        assert_eq!(
            replaces_from_query(Some(&format!("a=b&replaces={PEER}&c"))),
            Ok(Some(PeerId(PEER.into())))
        );
    }

    #[test]
    fn empty_malformed_or_repeated_replaces_is_400_naming_it() {
        let upper = PEER.to_uppercase();
        let short = &PEER[..31];
        let long = format!("{PEER}0");
        let not_hex = format!("{}g", &PEER[..31]);
        let twice = format!("replaces={PEER}&replaces={PEER}");
        let cases = [
            "replaces".to_owned(),
            "replaces=".to_owned(),
            format!("replaces={upper}"),
            format!("replaces={short}"),
            format!("replaces={long}"),
            format!("replaces={not_hex}"),
            format!("replaces=%20{short}"),
            format!("replaces={PEER}%00"),
            twice,
        ];
        for query in cases {
            match replaces_from_query(Some(&query)) {
                Err(ApiError::BadRequest(detail)) => {
                    assert!(detail.contains("replaces"), "{query}: {detail}")
                }
                other => panic!("{query}: expected 400, got {other:?}"),
            }
        }
    }

    #[test]
    fn standby_is_exactly_one_standby_1_and_never_with_replaces() {
        assert_eq!(standby_from_query(None), Ok(false));
        assert_eq!(standby_from_query(Some("other=1")), Ok(false));
        assert_eq!(
            standby_from_query(Some(&format!("replaces={PEER}"))),
            Ok(false)
        );
        assert_eq!(standby_from_query(Some("standby=1")), Ok(true));
        assert_eq!(standby_from_query(Some("x=2&standby=1")), Ok(true));
        let cases = [
            "standby".to_owned(),
            "standby=".to_owned(),
            "standby=0".to_owned(),
            "standby=true".to_owned(),
            "standby=1&standby=1".to_owned(),
            format!("standby=1&replaces={PEER}"),
        ];
        for query in cases {
            match standby_from_query(Some(&query)) {
                Err(ApiError::BadRequest(detail)) => {
                    assert!(detail.contains("standby"), "{query}: {detail}")
                }
                other => panic!("{query}: expected 400, got {other:?}"),
            }
        }
    }
}
