//! The checks `/auth/{provider}/callback` makes before it trusts anything: the login cookie
//! (signature, expiry, provider) and the `state` in the URL against the cookie's. What is left
//! for the router is consuming the state once and acting on `error` or `code`.

use chrono::{DateTime, Utc};
use url::Url;

use super::login::{self, LoginClaims};
use super::provider::Provider;
use crate::token::{KeyTable, TokenError};

/// The query parameters the provider sent the browser back with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    /// Set when the user declined or the provider refused (`access_denied`, ...).
    pub error: Option<String>,
}

impl CallbackParams {
    /// From the callback URL; empty values count as missing, the first of repeated ones wins.
    pub fn from_url(url: &Url) -> CallbackParams {
        let mut params = CallbackParams::default();
        for (key, value) in url.query_pairs() {
            if value.is_empty() {
                continue;
            }
            let slot = match key.as_ref() {
                "code" => &mut params.code,
                "state" => &mut params.state,
                "error" => &mut params.error,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.into_owned());
            }
        }
        params
    }
}

/// Why a callback is refused (400). The messages are the problem details.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackRefusal {
    #[error(
        "the sign-in cookie is missing (it expired, or this browser did not start this \
         sign-in); please start again"
    )]
    NoCookie,
    #[error("the sign-in took too long; please start again")]
    Expired,
    #[error("the sign-in cookie is not valid; please start again")]
    BadCookie,
    #[error("this sign-in was started with another provider; please start again")]
    OtherProvider,
    #[error("the provider's answer carries no state")]
    NoState,
    #[error("the state does not match the sign-in this browser started")]
    StateMismatch,
    #[error("this sign-in was already completed; please start again")]
    StateUsed,
    #[error("the provider's answer carries no authorization code")]
    NoCode,
}

/// The login cookie's claims (and expiry, unix seconds) when the cookie is valid, for
/// `provider`, and its state is the one in `params`.
pub fn check(
    provider: Provider,
    cookie: Option<&str>,
    params: &CallbackParams,
    keys: &KeyTable,
    now: DateTime<Utc>,
) -> Result<(LoginClaims, i64), CallbackRefusal> {
    let cookie = cookie.ok_or(CallbackRefusal::NoCookie)?;
    let (claims, expires_at) = login::verify(keys, cookie, now).map_err(|e| match e {
        TokenError::Expired => CallbackRefusal::Expired,
        _ => CallbackRefusal::BadCookie,
    })?;
    if claims.provider != provider {
        return Err(CallbackRefusal::OtherProvider);
    }
    let state = params.state.as_deref().ok_or(CallbackRefusal::NoState)?;
    if state != claims.state {
        return Err(CallbackRefusal::StateMismatch);
    }
    Ok((claims, expires_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::test_support::{keys, now};
    use chrono::Duration;

    fn claims() -> LoginClaims {
        LoginClaims {
            provider: Provider::Github,
            state: "STATE-1".into(),
            verifier: Some("v".repeat(43)),
            nonce: None,
            return_to: "/r/abc".into(),
        }
    }

    fn params(state: Option<&str>) -> CallbackParams {
        CallbackParams {
            code: Some("code".into()),
            state: state.map(Into::into),
            error: None,
        }
    }

    #[test]
    fn params_come_from_the_query() {
        let url = Url::parse(
            "https://c.example/auth/github/callback?code=a%2Bb&state=s&state=t&x=1&error=",
        )
        .unwrap();
        assert_eq!(
            CallbackParams::from_url(&url),
            CallbackParams {
                code: Some("a+b".into()),
                state: Some("s".into()),
                error: None,
            }
        );
        let declined = Url::parse("https://c.example/cb?error=access_denied&state=s").unwrap();
        assert_eq!(
            CallbackParams::from_url(&declined).error.as_deref(),
            Some("access_denied")
        );
    }

    #[test]
    fn valid_cookie_with_matching_state_passes() {
        let keys = keys(5);
        let cookie = login::sign(&keys, &claims(), now());
        let checked = check(
            Provider::Github,
            Some(&cookie),
            &params(Some("STATE-1")),
            &keys,
            now(),
        );
        assert_eq!(checked, Ok((claims(), now().timestamp() + 600)));
    }

    #[test]
    fn every_failed_check_has_its_own_refusal() {
        let keys = keys(5);
        let cookie = login::sign(&keys, &claims(), now());
        let run = |provider, cookie: Option<&str>, state: Option<&str>, at| {
            check(provider, cookie, &params(state), &keys, at)
        };
        let good = Some("STATE-1");
        assert_eq!(
            run(Provider::Github, None, good, now()),
            Err(CallbackRefusal::NoCookie)
        );
        assert_eq!(
            run(Provider::Github, Some("junk"), good, now()),
            Err(CallbackRefusal::BadCookie)
        );
        let access = keys.issue(
            &crate::token::Identity {
                user_id: "guest:1".into(),
                name: "M".into(),
                guest: true,
                avatar: None,
            },
            now(),
        );
        assert_eq!(
            run(Provider::Github, Some(&access), good, now()),
            Err(CallbackRefusal::BadCookie)
        );
        assert_eq!(
            run(
                Provider::Github,
                Some(&cookie),
                good,
                now() + Duration::seconds(700)
            ),
            Err(CallbackRefusal::Expired)
        );
        assert_eq!(
            run(Provider::Google, Some(&cookie), good, now()),
            Err(CallbackRefusal::OtherProvider)
        );
        assert_eq!(
            run(Provider::Github, Some(&cookie), None, now()),
            Err(CallbackRefusal::NoState)
        );
        assert_eq!(
            run(Provider::Github, Some(&cookie), Some("STATE-2"), now()),
            Err(CallbackRefusal::StateMismatch)
        );
    }
}
