//! Google's ID token: the claims that say who signed in, checked per OpenID Connect Core 3.1.3.7.
//!
//! The signature is not checked. The token comes straight from Google's token endpoint in the
//! response to our own request over TLS, authenticated with our client secret, and OpenID
//! Connect Core 3.1.3.7 (step 6) allows TLS server validation in place of the signature check
//! for exactly this case. Everything else is checked: `iss` (= `GOOGLE_ISSUER`), `aud` contains
//! our client id (a string or an array; with several audiences `azp` must be present, and when
//! present it must be our client id), `exp` (with a small leeway), `nonce` (= the one this
//! sign-in sent, from the login cookie) and a non-empty `sub`.

use chrono::{DateTime, Duration, Utc};
use jwt_compact::{TimeOptions, UntrustedToken};
use serde::Deserialize;

use super::provider::GOOGLE_ISSUER;

/// Clock skew tolerated on `exp` / `nbf`.
const LEEWAY_SECONDS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdTokenError {
    #[error("is malformed")]
    Malformed,
    #[error("has the wrong issuer")]
    Issuer,
    #[error("is not meant for this client")]
    Audience,
    #[error("has expired")]
    Expired,
    #[error("is not valid yet")]
    NotYetValid,
    #[error("does not carry this sign-in's nonce")]
    Nonce,
    #[error("names no user")]
    Subject,
}

/// What the ID token must match.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: DateTime<Utc>,
}

/// The checked claims we use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdClaims {
    pub sub: String,
    pub name: Option<String>,
    pub picture: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
struct RawClaims {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    picture: Option<String>,
}

/// Checks `token` (from the token endpoint response) against `expected`.
pub fn check(token: &str, expected: &Expected<'_>) -> Result<IdClaims, IdTokenError> {
    let untrusted = UntrustedToken::new(token).map_err(|_| IdTokenError::Malformed)?;
    let claims = untrusted
        .deserialize_claims_unchecked::<RawClaims>()
        .map_err(|_| IdTokenError::Malformed)?;
    let raw = &claims.custom;
    let issuer = raw.iss.as_deref().ok_or(IdTokenError::Issuer)?;
    // Google documents both forms of its issuer.
    let issuer_ok = issuer == expected.issuer
        || (expected.issuer == GOOGLE_ISSUER && issuer == "accounts.google.com");
    if !issuer_ok {
        return Err(IdTokenError::Issuer);
    }
    let audiences: Vec<&str> = match &raw.aud {
        Some(Audience::One(aud)) => vec![aud.as_str()],
        Some(Audience::Many(auds)) => auds.iter().map(String::as_str).collect(),
        None => Vec::new(),
    };
    if !audiences.contains(&expected.client_id) {
        return Err(IdTokenError::Audience);
    }
    match raw.azp.as_deref() {
        Some(azp) if azp != expected.client_id => return Err(IdTokenError::Audience),
        None if audiences.len() > 1 => return Err(IdTokenError::Audience),
        _ => {}
    }
    let now = expected.now;
    let options = TimeOptions::new(Duration::seconds(LEEWAY_SECONDS), move || now);
    claims
        .validate_expiration(&options)
        .map_err(|_| IdTokenError::Expired)?;
    if claims.not_before.is_some() {
        claims
            .validate_maturity(&options)
            .map_err(|_| IdTokenError::NotYetValid)?;
    }
    if raw.nonce.as_deref() != Some(expected.nonce) {
        return Err(IdTokenError::Nonce);
    }
    let sub = raw
        .sub
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or(IdTokenError::Subject)?;
    Ok(IdClaims {
        sub: sub.to_owned(),
        name: raw.name.clone(),
        picture: raw.picture.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use serde_json::{json, Value};

    use crate::oauth::test_support::now;

    const CLIENT: &str = "client-1.apps.googleusercontent.com";
    const NONCE: &str = "n-0S6_WzA2Mj";

    fn expected() -> Expected<'static> {
        Expected {
            issuer: GOOGLE_ISSUER,
            client_id: CLIENT,
            nonce: NONCE,
            now: now(),
        }
    }

    fn claims() -> Value {
        let t = now().timestamp();
        json!({"iss": "https://accounts.google.com", "aud": CLIENT, "azp": CLIENT,
               "sub": "110169484474386276334", "nonce": NONCE, "iat": t - 5, "exp": t + 3595,
               "name": "Mina Kim", "picture": "https://lh3.googleusercontent.com/a/x"})
    }

    /// An RS256-shaped token with a junk signature: the signature is deliberately not checked.
    fn token(claims: &Value) -> String {
        let header = json!({"alg": "RS256", "kid": "google-key", "typ": "JWT"});
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            URL_SAFE_NO_PAD.encode([0u8; 256])
        )
    }

    fn with(key: &str, value: Value) -> Value {
        let mut c = claims();
        c[key] = value;
        c
    }

    fn without(key: &str) -> Value {
        let mut c = claims();
        c.as_object_mut().unwrap().remove(key);
        c
    }

    #[test]
    fn good_token_gives_subject_name_and_picture() {
        assert_eq!(
            check(&token(&claims()), &expected()),
            Ok(IdClaims {
                sub: "110169484474386276334".into(),
                name: Some("Mina Kim".into()),
                picture: Some("https://lh3.googleusercontent.com/a/x".into()),
            })
        );
    }

    #[test]
    fn issuer_must_match_and_google_has_two_spellings() {
        let bare = with("iss", "accounts.google.com".into());
        assert!(check(&token(&bare), &expected()).is_ok());
        for bad in ["https://evil.example", "https://accounts.google.com/", ""] {
            assert_eq!(
                check(&token(&with("iss", bad.into())), &expected()),
                Err(IdTokenError::Issuer),
                "{bad}"
            );
        }
        assert_eq!(
            check(&token(&without("iss")), &expected()),
            Err(IdTokenError::Issuer)
        );
        // A configured stand-in issuer is matched exactly, without the Google alias.
        let local = Expected {
            issuer: "http://127.0.0.1:9000",
            ..expected()
        };
        assert_eq!(check(&token(&bare), &local), Err(IdTokenError::Issuer));
        let stand_in = with("iss", "http://127.0.0.1:9000".into());
        assert!(check(&token(&stand_in), &local).is_ok());
    }

    #[test]
    fn audience_string_or_array_with_azp_rules() {
        let one_in_array = with("aud", json!([CLIENT]));
        assert!(check(&token(&one_in_array), &expected()).is_ok());
        let mut several = with("aud", json!(["other", CLIENT]));
        assert!(check(&token(&several), &expected()).is_ok());
        several.as_object_mut().unwrap().remove("azp");
        assert_eq!(
            check(&token(&several), &expected()),
            Err(IdTokenError::Audience)
        );
        let mut single_no_azp = without("azp");
        assert!(check(&token(&single_no_azp), &expected()).is_ok());
        single_no_azp["azp"] = "other".into();
        assert_eq!(
            check(&token(&single_no_azp), &expected()),
            Err(IdTokenError::Audience)
        );
        for bad in [json!("other"), json!(["other"]), json!([]), json!(7)] {
            assert!(
                check(&token(&with("aud", bad.clone())), &expected()).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            check(&token(&without("aud")), &expected()),
            Err(IdTokenError::Audience)
        );
    }

    #[test]
    fn expiry_has_a_small_leeway_and_is_required() {
        let t = now().timestamp();
        assert!(check(&token(&with("exp", (t - 30).into())), &expected()).is_ok());
        assert_eq!(
            check(&token(&with("exp", (t - 61).into())), &expected()),
            Err(IdTokenError::Expired)
        );
        assert_eq!(
            check(&token(&without("exp")), &expected()),
            Err(IdTokenError::Expired)
        );
        assert_eq!(
            check(&token(&with("nbf", (t + 120).into())), &expected()),
            Err(IdTokenError::NotYetValid)
        );
    }

    #[test]
    fn nonce_must_be_this_sign_ins() {
        for bad in [json!("other"), json!(""), Value::Null] {
            assert_eq!(
                check(&token(&with("nonce", bad.clone())), &expected()),
                Err(IdTokenError::Nonce),
                "{bad}"
            );
        }
        assert_eq!(
            check(&token(&without("nonce")), &expected()),
            Err(IdTokenError::Nonce)
        );
    }

    #[test]
    fn subject_is_required() {
        assert_eq!(
            check(&token(&with("sub", "".into())), &expected()),
            Err(IdTokenError::Subject)
        );
        assert_eq!(
            check(&token(&without("sub")), &expected()),
            Err(IdTokenError::Subject)
        );
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in ["", "a.b", "a.b.c", "not a token at all"] {
            assert_eq!(
                check(bad, &expected()),
                Err(IdTokenError::Malformed),
                "{bad}"
            );
        }
        let not_json = format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode("[1,2")
        );
        assert_eq!(check(&not_json, &expected()), Err(IdTokenError::Malformed));
    }
}
