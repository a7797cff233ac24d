//! The two requests of the authorization code flow that carry our client's parameters: the
//! authorization URL the browser is sent to, and the token request body (sent by the worker
//! only, so the client secret never reaches a browser or a URL).

use url::form_urlencoded;
use url::Url;

use super::config::ProviderSettings;
use super::login::LoginClaims;
use super::pkce::s256_challenge;
use super::provider::Provider;

/// The redirect URI registered with the provider: `<origin>/auth/<provider>/callback`, where
/// the origin is `PUBLIC_URL` or else the request's own.
pub fn redirect_uri(base: &Url, provider: Provider) -> String {
    format!(
        "{}/auth/{}/callback",
        base.origin().ascii_serialization(),
        provider.id()
    )
}

/// The provider's authorization URL for this sign-in: `response_type=code`, `client_id`,
/// `redirect_uri`, `state`, and where the provider takes them `scope`, the S256 challenge and
/// the `nonce`. Parameters already in the configured URL are kept.
pub fn authorize_url(settings: &ProviderSettings, redirect_uri: &str, login: &LoginClaims) -> Url {
    let mut url = settings.authorize_url.clone();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &settings.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", &login.state);
        if let Some(scope) = settings.provider.scope() {
            query.append_pair("scope", scope);
        }
        if let Some(verifier) = login.verifier.as_deref() {
            query
                .append_pair("code_challenge", &s256_challenge(verifier))
                .append_pair("code_challenge_method", "S256");
        }
        if let Some(nonce) = login.nonce.as_deref() {
            query.append_pair("nonce", nonce);
        }
    }
    url
}

/// The `application/x-www-form-urlencoded` body of the token request.
pub fn token_request_body(
    settings: &ProviderSettings,
    redirect_uri: &str,
    code: &str,
    login: &LoginClaims,
) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("client_id", &settings.client_id);
    if !settings.client_secret.is_empty() {
        form.append_pair("client_secret", &settings.client_secret);
    }
    if let Some(verifier) = login.verifier.as_deref() {
        form.append_pair("code_verifier", verifier);
    }
    if settings.provider.state_in_token_request() {
        form.append_pair("state", &login.state);
    }
    form.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::config::{OAuthConfig, RawOAuth};
    use std::collections::HashMap;

    fn settings(provider: Provider) -> ProviderSettings {
        let prefix = provider.env_prefix();
        let raw: RawOAuth = HashMap::from([
            (format!("{prefix}_CLIENT_ID"), "client id&1".to_owned()),
            (format!("{prefix}_CLIENT_SECRET"), "se cret".to_owned()),
        ]);
        OAuthConfig::parse(&raw).unwrap().providers.remove(0)
    }

    fn login(provider: Provider) -> LoginClaims {
        LoginClaims {
            provider,
            state: "STATE".into(),
            verifier: provider
                .pkce()
                .then(|| "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into()),
            nonce: provider.nonce().then(|| "NONCE".into()),
            return_to: "/r/abc".into(),
        }
    }

    fn pairs(url: &Url) -> Vec<(String, String)> {
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn form(body: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(body.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const CALLBACK: &str = "https://confab.example/auth/google/callback";

    #[test]
    fn redirect_uri_is_origin_plus_callback_path() {
        let base = Url::parse("https://confab.example/some/page?x=1").unwrap();
        assert_eq!(
            redirect_uri(&base, Provider::Github),
            "https://confab.example/auth/github/callback"
        );
        let local = Url::parse("http://127.0.0.1:8787/").unwrap();
        assert_eq!(
            redirect_uri(&local, Provider::Naver),
            "http://127.0.0.1:8787/auth/naver/callback"
        );
    }

    #[test]
    fn google_authorize_url_has_scope_pkce_and_nonce() {
        let url = authorize_url(
            &settings(Provider::Google),
            CALLBACK,
            &login(Provider::Google),
        );
        assert!(url
            .as_str()
            .starts_with("https://accounts.google.com/o/oauth2/v2/auth?"));
        assert_eq!(
            pairs(&url),
            owned(&[
                ("response_type", "code"),
                ("client_id", "client id&1"),
                ("redirect_uri", CALLBACK),
                ("state", "STATE"),
                ("scope", "openid email profile"),
                (
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                ),
                ("code_challenge_method", "S256"),
                ("nonce", "NONCE"),
            ])
        );
        assert!(!url.as_str().contains("se%20cret") && !url.as_str().contains("se+cret"));
    }

    #[test]
    fn naver_authorize_url_has_no_pkce_scope_or_nonce() {
        let url = authorize_url(
            &settings(Provider::Naver),
            CALLBACK,
            &login(Provider::Naver),
        );
        let keys: Vec<_> = pairs(&url).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            ["response_type", "client_id", "redirect_uri", "state"]
        );
    }

    #[test]
    fn configured_query_parameters_are_kept() {
        let mut s = settings(Provider::Kakao);
        s.authorize_url = Url::parse("http://127.0.0.1:9/authorize?prompt=login").unwrap();
        let url = authorize_url(&s, CALLBACK, &login(Provider::Kakao));
        assert_eq!(pairs(&url)[0], ("prompt".into(), "login".into()));
        assert!(pairs(&url).iter().any(|(k, _)| k == "code_challenge"));
    }

    #[test]
    fn token_body_per_provider() {
        let code = "co+de/=";
        let github = token_request_body(
            &settings(Provider::Github),
            CALLBACK,
            code,
            &login(Provider::Github),
        );
        assert_eq!(
            form(&github),
            owned(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", CALLBACK),
                ("client_id", "client id&1"),
                ("client_secret", "se cret"),
                (
                    "code_verifier",
                    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
                ),
            ])
        );
        let naver = token_request_body(
            &settings(Provider::Naver),
            CALLBACK,
            code,
            &login(Provider::Naver),
        );
        let keys: Vec<_> = form(&naver).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                "grant_type",
                "code",
                "redirect_uri",
                "client_id",
                "client_secret",
                "state"
            ]
        );
    }

    #[test]
    fn kakao_without_secret_sends_none() {
        let raw: RawOAuth = HashMap::from([("KAKAO_CLIENT_ID".to_owned(), "rest".to_owned())]);
        let kakao = OAuthConfig::parse(&raw).unwrap().providers.remove(0);
        let body = token_request_body(&kakao, CALLBACK, "c", &login(Provider::Kakao));
        assert!(!form(&body).iter().any(|(k, _)| k == "client_secret"));
        assert!(form(&body).iter().any(|(k, _)| k == "code_verifier"));
    }
}
