//! Sign-in provider settings from wrangler vars and secrets, parsed as plain values.
//!
//! For each provider P (`GOOGLE`, `GITHUB`, `KAKAO`, `NAVER`): `P_CLIENT_ID` (the provider is
//! offered only when it is set and not empty), `P_CLIENT_SECRET` (a secret; required with a
//! client id, except for Kakao), and `P_AUTHORIZE_URL`, `P_TOKEN_URL`, `P_USERINFO_URL` to
//! override the real endpoints; also `GITHUB_EMAILS_URL` and `GOOGLE_ISSUER`. `PUBLIC_URL`
//! (optional) is the origin redirect URIs are built on instead of the request's.
//!
//! Endpoints must be https; plain http only for a loopback host (local stand-ins in tests), so
//! a typo cannot send client secrets or codes in clear text over the network.

use std::collections::HashMap;
use std::fmt;

use url::Url;

use super::provider::{Provider, GITHUB_EMAILS_URL, GOOGLE_ISSUER};
use crate::config::given;

/// Every variable this module reads (the environment reader looks up exactly these).
pub const VAR_NAMES: &[&str] = &[
    "PUBLIC_URL",
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET",
    "GOOGLE_AUTHORIZE_URL",
    "GOOGLE_TOKEN_URL",
    "GOOGLE_USERINFO_URL",
    "GOOGLE_ISSUER",
    "GITHUB_CLIENT_ID",
    "GITHUB_CLIENT_SECRET",
    "GITHUB_AUTHORIZE_URL",
    "GITHUB_TOKEN_URL",
    "GITHUB_USERINFO_URL",
    "GITHUB_EMAILS_URL",
    "KAKAO_CLIENT_ID",
    "KAKAO_CLIENT_SECRET",
    "KAKAO_AUTHORIZE_URL",
    "KAKAO_TOKEN_URL",
    "KAKAO_USERINFO_URL",
    "NAVER_CLIENT_ID",
    "NAVER_CLIENT_SECRET",
    "NAVER_AUTHORIZE_URL",
    "NAVER_TOKEN_URL",
    "NAVER_USERINFO_URL",
];

/// The raw values of [`VAR_NAMES`] that are set.
pub type RawOAuth = HashMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthConfigError {
    #[error(
        "{0}_CLIENT_ID is set but {0}_CLIENT_SECRET is not: `wrangler secret put {0}_CLIENT_SECRET` \
         (or clear {0}_CLIENT_ID to stop offering this provider)"
    )]
    MissingSecret(&'static str),
    #[error("{name} must be an absolute https URL (http only for localhost); got {value:?}")]
    BadUrl { name: String, value: String },
    #[error(
        "PUBLIC_URL must be an origin like https://confab.example (no path, query or \
         fragment); got {0:?}"
    )]
    PublicUrl(String),
}

/// One configured provider.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    pub provider: Provider,
    pub client_id: String,
    /// Empty only for Kakao without a client secret.
    pub client_secret: String,
    pub authorize_url: Url,
    pub token_url: Url,
    pub userinfo_url: Url,
    /// GitHub only: the user's addresses.
    pub emails_url: Option<Url>,
    /// Google only: the `iss` its ID tokens must carry.
    pub issuer: Option<String>,
}

impl fmt::Debug for ProviderSettings {
    // The client secret never reaches a log line through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("provider", &self.provider)
            .field("client_id", &self.client_id)
            .field("client_secret", &"(redacted)")
            .field("authorize_url", &self.authorize_url.as_str())
            .field("token_url", &self.token_url.as_str())
            .field("userinfo_url", &self.userinfo_url.as_str())
            .field("emails_url", &self.emails_url.as_ref().map(Url::as_str))
            .field("issuer", &self.issuer)
            .finish()
    }
}

/// The sign-in configuration: configured providers in offering order, and `PUBLIC_URL`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuthConfig {
    pub providers: Vec<ProviderSettings>,
    /// Origin for redirect URIs; `None` uses the request's own origin.
    pub public_url: Option<Url>,
}

impl OAuthConfig {
    pub fn parse(raw: &RawOAuth) -> Result<OAuthConfig, OAuthConfigError> {
        let get = |name: &str| given(raw.get(name).map(String::as_str)).map(str::to_owned);
        let public_url = get("PUBLIC_URL").map(|v| public_url(&v)).transpose()?;
        let mut providers = Vec::new();
        for provider in Provider::ALL {
            let prefix = provider.env_prefix();
            let var = |suffix: &str| get(&format!("{prefix}_{suffix}"));
            let Some(client_id) = var("CLIENT_ID") else {
                continue;
            };
            let client_secret = match var("CLIENT_SECRET") {
                Some(secret) => secret,
                None if provider.secret_optional() => String::new(),
                None => return Err(OAuthConfigError::MissingSecret(prefix)),
            };
            let defaults = provider.default_endpoints();
            let endpoint = |suffix: &str, default: &str| {
                let name = format!("{prefix}_{suffix}");
                endpoint(&name, var(suffix).as_deref().unwrap_or(default))
            };
            providers.push(ProviderSettings {
                provider,
                client_id,
                client_secret,
                authorize_url: endpoint("AUTHORIZE_URL", defaults.authorize)?,
                token_url: endpoint("TOKEN_URL", defaults.token)?,
                userinfo_url: endpoint("USERINFO_URL", defaults.userinfo)?,
                emails_url: match provider {
                    Provider::Github => Some(endpoint("EMAILS_URL", GITHUB_EMAILS_URL)?),
                    _ => None,
                },
                issuer: match provider {
                    Provider::Google => Some(var("ISSUER").unwrap_or_else(|| GOOGLE_ISSUER.into())),
                    _ => None,
                },
            });
        }
        Ok(OAuthConfig {
            providers,
            public_url,
        })
    }

    /// The settings of `provider`, when it is configured.
    pub fn get(&self, provider: Provider) -> Option<&ProviderSettings> {
        self.providers.iter().find(|s| s.provider == provider)
    }
}

fn endpoint(name: &str, value: &str) -> Result<Url, OAuthConfigError> {
    let bad = || OAuthConfigError::BadUrl {
        name: name.to_owned(),
        value: value.to_owned(),
    };
    let url = Url::parse(value).map_err(|_| bad())?;
    let ok = match url.scheme() {
        "https" => true,
        "http" => is_loopback(&url),
        _ => false,
    };
    if !ok || url.host_str().is_none() || !url.username().is_empty() || url.password().is_some() {
        return Err(bad());
    }
    Ok(url)
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn public_url(value: &str) -> Result<Url, OAuthConfigError> {
    let bad = || OAuthConfigError::PublicUrl(value.to_owned());
    let url = Url::parse(value).map_err(|_| bad())?;
    let origin_only = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if origin_only {
        Ok(url)
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawOAuth {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn nothing_set_offers_nothing() {
        let config = OAuthConfig::parse(&raw(&[])).unwrap();
        assert!(config.providers.is_empty());
        assert_eq!(config.public_url, None);
    }

    #[test]
    fn empty_client_id_is_not_offered() {
        let config = OAuthConfig::parse(&raw(&[
            ("GOOGLE_CLIENT_ID", "  "),
            ("GITHUB_CLIENT_ID", ""),
            ("GITHUB_CLIENT_SECRET", "s"),
        ]))
        .unwrap();
        assert!(config.providers.is_empty());
    }

    #[test]
    fn configured_providers_come_in_offering_order_with_real_defaults() {
        let config = OAuthConfig::parse(&raw(&[
            ("NAVER_CLIENT_ID", "n"),
            ("NAVER_CLIENT_SECRET", "ns"),
            ("GOOGLE_CLIENT_ID", "g.apps.googleusercontent.com"),
            ("GOOGLE_CLIENT_SECRET", "gs"),
            ("GITHUB_CLIENT_ID", "Iv1.x"),
            ("GITHUB_CLIENT_SECRET", "hs"),
        ]))
        .unwrap();
        let order: Vec<_> = config.providers.iter().map(|s| s.provider).collect();
        assert_eq!(order, [Provider::Google, Provider::Github, Provider::Naver]);
        let google = config.get(Provider::Google).unwrap();
        assert_eq!(
            google.authorize_url.as_str(),
            "https://accounts.google.com/o/oauth2/v2/auth"
        );
        assert_eq!(
            google.token_url.as_str(),
            "https://oauth2.googleapis.com/token"
        );
        assert_eq!(
            google.userinfo_url.as_str(),
            "https://openidconnect.googleapis.com/v1/userinfo"
        );
        assert_eq!(
            google.issuer.as_deref(),
            Some("https://accounts.google.com")
        );
        assert_eq!(google.emails_url, None);
        let github = config.get(Provider::Github).unwrap();
        assert_eq!(
            github.emails_url.as_ref().map(Url::as_str),
            Some("https://api.github.com/user/emails")
        );
        assert_eq!(github.issuer, None);
        let naver = config.get(Provider::Naver).unwrap();
        assert_eq!(
            naver.token_url.as_str(),
            "https://nid.naver.com/oauth2.0/token"
        );
        assert_eq!(config.get(Provider::Kakao), None);
    }

    #[test]
    fn client_id_without_secret_is_a_clear_error_except_for_kakao() {
        for prefix in ["GOOGLE", "GITHUB", "NAVER"] {
            let id = format!("{prefix}_CLIENT_ID");
            let error = OAuthConfig::parse(&raw(&[(&id, "x")])).unwrap_err();
            assert!(matches!(error, OAuthConfigError::MissingSecret(p) if p == prefix));
            let message = error.to_string();
            assert!(
                message.contains(&format!("{prefix}_CLIENT_SECRET")),
                "{message}"
            );
        }
        let kakao = OAuthConfig::parse(&raw(&[("KAKAO_CLIENT_ID", "rest-api-key")])).unwrap();
        assert_eq!(kakao.get(Provider::Kakao).unwrap().client_secret, "");
    }

    #[test]
    fn endpoint_overrides_are_used_and_must_be_https_or_loopback_http() {
        let config = OAuthConfig::parse(&raw(&[
            ("GOOGLE_CLIENT_ID", "g"),
            ("GOOGLE_CLIENT_SECRET", "gs"),
            ("GOOGLE_AUTHORIZE_URL", "http://127.0.0.1:9000/auth"),
            ("GOOGLE_TOKEN_URL", "http://localhost:9000/token"),
            ("GOOGLE_USERINFO_URL", "https://idp.example/me"),
            ("GOOGLE_ISSUER", "http://127.0.0.1:9000"),
            ("GITHUB_CLIENT_ID", "h"),
            ("GITHUB_CLIENT_SECRET", "hs"),
            ("GITHUB_EMAILS_URL", "http://[::1]:9001/user/emails"),
        ]))
        .unwrap();
        let google = config.get(Provider::Google).unwrap();
        assert_eq!(google.authorize_url.as_str(), "http://127.0.0.1:9000/auth");
        assert_eq!(google.token_url.as_str(), "http://localhost:9000/token");
        assert_eq!(google.userinfo_url.as_str(), "https://idp.example/me");
        assert_eq!(google.issuer.as_deref(), Some("http://127.0.0.1:9000"));
        let github = config.get(Provider::Github).unwrap();
        assert_eq!(
            github.emails_url.as_ref().map(Url::as_str),
            Some("http://[::1]:9001/user/emails")
        );
        for bad in [
            "http://idp.example/token",
            "ftp://idp.example/token",
            "not a url",
            "/token",
            "https://user:pw@idp.example/token",
        ] {
            let error =
                OAuthConfig::parse(&raw(&[("KAKAO_CLIENT_ID", "k"), ("KAKAO_TOKEN_URL", bad)]))
                    .unwrap_err();
            assert!(
                matches!(&error, OAuthConfigError::BadUrl { name, .. } if name == "KAKAO_TOKEN_URL"),
                "{bad}: {error:?}"
            );
        }
    }

    #[test]
    fn public_url_must_be_an_origin() {
        let parsed = |v: &str| OAuthConfig::parse(&raw(&[("PUBLIC_URL", v)]));
        assert_eq!(
            parsed("https://confab.example")
                .unwrap()
                .public_url
                .unwrap()
                .as_str(),
            "https://confab.example/"
        );
        assert!(parsed("https://confab.example/").is_ok());
        assert!(parsed("http://localhost:8787").is_ok());
        for bad in [
            "confab.example",
            "https://confab.example/app",
            "https://confab.example/?x=1",
            "https://confab.example/#top",
            "javascript:alert(1)",
        ] {
            assert!(
                matches!(parsed(bad), Err(OAuthConfigError::PublicUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_output_never_shows_the_client_secret() {
        let config = OAuthConfig::parse(&raw(&[
            ("GITHUB_CLIENT_ID", "id"),
            ("GITHUB_CLIENT_SECRET", "very-secret-value"),
        ]))
        .unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
