//! The login cookie: what a sign-in remembers between `/auth/{provider}/login` and the
//! provider's redirect back to `/auth/{provider}/callback`.
//!
//! Its value is a JWT signed with our own `JWT_KEYS` table ([`KeyTable::sign`]) but with its own
//! type `confab-login+jwt` and audience `confab-login`, so it never passes as an access token
//! and an access token never passes as a login cookie. It binds the `state` to this browser:
//! the callback only proceeds when the `state` in the URL equals the one in the cookie (and is
//! then consumed once, server side). The PKCE verifier and nonce never leave our side except to
//! the provider's token endpoint (the verifier) or inside the ID token (the nonce). Signed, not
//! encrypted: it holds nothing the browser must not see (the verifier is only useful with the
//! code, which also reaches this browser).
//!
//! Cookie: `__Host-confab_oauth` over https (`Secure`, `Path=/`, no `Domain`), `confab_oauth` over
//! plain http; `HttpOnly; SameSite=Lax; Path=/; Max-Age=600`. Lax, not Strict: the provider
//! sends the browser back with a top-level cross-site GET, which Strict would strip it from.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::provider::Provider;
use crate::token::{KeyTable, TokenError};

/// `typ` header of login cookies.
pub const LOGIN_TOKEN_TYPE: &str = "confab-login+jwt";
/// Audience of login cookies.
pub const LOGIN_AUDIENCE: &str = "confab-login";
/// How long a sign-in may take at the provider.
pub const LOGIN_SECONDS: i64 = 600;

/// Cookie name over https.
pub const SECURE_NAME: &str = "__Host-confab_oauth";
/// Cookie name over plain http (local development).
pub const PLAIN_NAME: &str = "confab_oauth";

/// The claims of a login cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginClaims {
    pub provider: Provider,
    pub state: String,
    /// PKCE code verifier (providers with PKCE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier: Option<String>,
    /// OpenID nonce (Google).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub return_to: String,
}

/// The cookie's value for `claims`, valid for [`LOGIN_SECONDS`] from `now`.
pub fn sign(keys: &KeyTable, claims: &LoginClaims, now: DateTime<Utc>) -> String {
    keys.sign(
        LOGIN_TOKEN_TYPE,
        LOGIN_AUDIENCE,
        claims,
        Duration::seconds(LOGIN_SECONDS),
        now,
    )
}

/// The claims of a presented cookie value and its expiry (unix seconds), once its key,
/// signature, type, audience and time window check out. Unlike access tokens, which other
/// services may verify, only this worker reads the cookie, on the clock that set its expiry:
/// there is no leeway after `exp`.
pub fn verify(
    keys: &KeyTable,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(LoginClaims, i64), TokenError> {
    let (claims, expires_at) = keys.verify_typed(value, LOGIN_TOKEN_TYPE, LOGIN_AUDIENCE, now)?;
    if now.timestamp() >= expires_at {
        return Err(TokenError::Expired);
    }
    Ok((claims, expires_at))
}

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_NAME
    } else {
        PLAIN_NAME
    }
}

/// `Set-Cookie` value carrying a login cookie.
pub fn set_cookie(value: &str, secure: bool) -> String {
    cookie(value, secure, LOGIN_SECONDS)
}

/// `Set-Cookie` value that deletes the login cookie.
pub fn clear_cookie(secure: bool) -> String {
    cookie("", secure, 0)
}

fn cookie(value: &str, secure: bool, max_age: i64) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/; Max-Age={max_age}; HttpOnly{secure_attr}; SameSite=Lax",
        cookie_name(secure)
    )
}

/// The login cookie's value from a `Cookie` header, if present and non-empty.
pub fn read_cookie(header: Option<&str>, secure: bool) -> Option<&str> {
    crate::session::cookie::value_of(header, cookie_name(secure))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::test_support::{keys, now};

    fn claims() -> LoginClaims {
        LoginClaims {
            provider: Provider::Google,
            state: "s".repeat(43),
            verifier: Some("v".repeat(43)),
            nonce: Some("n".repeat(43)),
            return_to: "/r/abc".into(),
        }
    }

    #[test]
    fn signed_cookie_round_trips_and_expires_after_ten_minutes() {
        let keys = keys(3);
        let value = sign(&keys, &claims(), now());
        assert_eq!(
            verify(&keys, &value, now()),
            Ok((claims(), now().timestamp() + LOGIN_SECONDS))
        );
        let last = now() + Duration::seconds(LOGIN_SECONDS - 1);
        assert!(verify(&keys, &value, last).is_ok());
        // Our own cookie on our own clock: no leeway.
        let late = now() + Duration::seconds(LOGIN_SECONDS);
        assert_eq!(verify(&keys, &value, late), Err(TokenError::Expired));
    }

    #[test]
    fn optional_claims_stay_optional() {
        let keys = keys(3);
        let naver = LoginClaims {
            provider: Provider::Naver,
            verifier: None,
            nonce: None,
            ..claims()
        };
        let value = sign(&keys, &naver, now());
        assert_eq!(verify(&keys, &value, now()).map(|(c, _)| c), Ok(naver));
    }

    #[test]
    fn access_token_is_refused_as_login_cookie_and_the_reverse() {
        let keys = keys(3);
        let who = crate::token::Identity {
            user_id: "guest:1".into(),
            name: "Mina".into(),
            guest: true,
            avatar: None,
        };
        let access = keys.issue(&who, now());
        assert_eq!(verify(&keys, &access, now()), Err(TokenError::WrongType));
        let login = sign(&keys, &claims(), now());
        assert_eq!(keys.verify(&login, now()), Err(TokenError::WrongType));
    }

    #[test]
    fn tampered_or_foreign_cookie_is_refused() {
        let keys = keys(3);
        let value = sign(&keys, &claims(), now());
        let mut tampered = value.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert!(verify(&keys, &tampered, now()).is_err());
        let other = crate::oauth::test_support::keys(4);
        assert_eq!(verify(&other, &value, now()), Err(TokenError::BadSignature));
        assert_eq!(
            verify(&keys, "not-a-jwt", now()),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn cookie_attributes_per_scheme() {
        assert_eq!(
            set_cookie("v.a.l", true),
            "__Host-confab_oauth=v.a.l; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax"
        );
        assert_eq!(
            set_cookie("v.a.l", false),
            "confab_oauth=v.a.l; Path=/; Max-Age=600; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            clear_cookie(true),
            "__Host-confab_oauth=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax"
        );
    }

    #[test]
    fn reads_only_the_login_cookie_of_the_scheme() {
        let header = "confab_rt=r.t; confab_oauth=plain; __Host-confab_oauth=secure";
        assert_eq!(read_cookie(Some(header), false), Some("plain"));
        assert_eq!(read_cookie(Some(header), true), Some("secure"));
        assert_eq!(read_cookie(Some("confab_oauth="), false), None);
        assert_eq!(read_cookie(Some("xconfab_oauth=1"), false), None);
        assert_eq!(read_cookie(None, true), None);
    }
}
