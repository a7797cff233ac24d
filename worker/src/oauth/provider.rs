//! The providers we know: ids, display names, scopes, PKCE, default endpoints and quirks.

use serde::{Deserialize, Serialize};

/// A sign-in provider. The order of [`Provider::ALL`] is the order they are offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Google,
    Github,
    Kakao,
    Naver,
}

/// The real endpoints, used unless the deployer overrides them (tests point them at stand-ins).
#[derive(Debug, Clone, Copy)]
pub struct Endpoints {
    pub authorize: &'static str,
    pub token: &'static str,
    pub userinfo: &'static str,
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Provider::Google,
        Provider::Github,
        Provider::Kakao,
        Provider::Naver,
    ];

    /// The id in URLs (`/auth/<id>/login`) and in account names.
    pub fn id(self) -> &'static str {
        match self {
            Provider::Google => "google",
            Provider::Github => "github",
            Provider::Kakao => "kakao",
            Provider::Naver => "naver",
        }
    }

    /// The provider named by a URL segment (exact, lowercase).
    pub fn from_id(id: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The name people see ("Sign in with GitHub").
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Google => "Google",
            Provider::Github => "GitHub",
            Provider::Kakao => "Kakao",
            Provider::Naver => "Naver",
        }
    }

    /// Prefix of this provider's variables (`GOOGLE_CLIENT_ID`, ...).
    pub fn env_prefix(self) -> &'static str {
        match self {
            Provider::Google => "GOOGLE",
            Provider::Github => "GITHUB",
            Provider::Kakao => "KAKAO",
            Provider::Naver => "NAVER",
        }
    }

    /// The `scope` we ask for. Kakao and Naver take their consent items (nickname, profile
    /// image) from the app's settings in their consoles, so we send none: naming an item that
    /// is not enabled there would fail the sign-in.
    pub fn scope(self) -> Option<&'static str> {
        match self {
            Provider::Google => Some("openid email profile"),
            Provider::Github => Some("read:user user:email"),
            Provider::Kakao | Provider::Naver => None,
        }
    }

    /// Whether the authorization request carries a PKCE S256 challenge (Naver has no PKCE).
    pub fn pkce(self) -> bool {
        !matches!(self, Provider::Naver)
    }

    /// Whether the request carries a `nonce` that comes back in the ID token (OpenID Connect).
    pub fn nonce(self) -> bool {
        matches!(self, Provider::Google)
    }

    /// Whether the token request repeats `state` (Naver requires it).
    pub fn state_in_token_request(self) -> bool {
        matches!(self, Provider::Naver)
    }

    /// Whether the client secret may be left empty (Kakao's is optional, off by default).
    pub fn secret_optional(self) -> bool {
        matches!(self, Provider::Kakao)
    }

    pub fn default_endpoints(self) -> Endpoints {
        match self {
            Provider::Google => Endpoints {
                authorize: "https://accounts.google.com/o/oauth2/v2/auth",
                token: "https://oauth2.googleapis.com/token",
                userinfo: "https://openidconnect.googleapis.com/v1/userinfo",
            },
            Provider::Github => Endpoints {
                authorize: "https://github.com/login/oauth/authorize",
                token: "https://github.com/login/oauth/access_token",
                userinfo: "https://api.github.com/user",
            },
            Provider::Kakao => Endpoints {
                authorize: "https://kauth.kakao.com/oauth/authorize",
                token: "https://kauth.kakao.com/oauth/token",
                userinfo: "https://kapi.kakao.com/v2/user/me",
            },
            Provider::Naver => Endpoints {
                authorize: "https://nid.naver.com/oauth2.0/authorize",
                token: "https://nid.naver.com/oauth2.0/token",
                userinfo: "https://openapi.naver.com/v1/nid/me",
            },
        }
    }
}

/// GitHub's list of the user's addresses (`GITHUB_EMAILS_URL`).
pub const GITHUB_EMAILS_URL: &str = "https://api.github.com/user/emails";
/// Google's ID token issuer (`GOOGLE_ISSUER`).
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_exact() {
        for provider in Provider::ALL {
            assert_eq!(Provider::from_id(provider.id()), Some(provider));
            let json = serde_json::to_string(&provider).unwrap();
            assert_eq!(json, format!("\"{}\"", provider.id()));
        }
        for other in ["Google", "GITHUB", "", "apple", "google ", "naver/"] {
            assert_eq!(Provider::from_id(other), None, "{other:?}");
        }
    }

    #[test]
    fn offered_in_the_contract_order_with_their_names() {
        let listed: Vec<_> = Provider::ALL
            .iter()
            .map(|p| (p.id(), p.display_name()))
            .collect();
        assert_eq!(
            listed,
            [
                ("google", "Google"),
                ("github", "GitHub"),
                ("kakao", "Kakao"),
                ("naver", "Naver")
            ]
        );
    }

    #[test]
    fn quirks_per_provider() {
        use Provider::*;
        assert_eq!(Google.scope(), Some("openid email profile"));
        assert_eq!(Github.scope(), Some("read:user user:email"));
        assert!(Google.pkce() && Github.pkce() && Kakao.pkce() && !Naver.pkce());
        assert!(Google.nonce() && !Github.nonce() && !Kakao.nonce() && !Naver.nonce());
        assert!(Naver.state_in_token_request() && !Google.state_in_token_request());
        assert!(Kakao.secret_optional() && !Google.secret_optional());
        assert!(!Github.secret_optional() && !Naver.secret_optional());
    }

    #[test]
    fn default_endpoints_are_https() {
        for provider in Provider::ALL {
            let e = provider.default_endpoints();
            for url in [e.authorize, e.token, e.userinfo] {
                assert!(url.starts_with("https://"), "{url}");
            }
        }
    }
}
