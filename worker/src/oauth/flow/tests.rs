use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use url::form_urlencoded;

use super::*;
use crate::oauth::config::{OAuthConfig, RawOAuth};
use crate::oauth::test_support::now;

use crate::outbound::run_ready as run;

/// Canned answers by URL path, in order; records every request.
#[derive(Default)]
struct Fake {
    answers: RefCell<HashMap<String, VecDeque<Result<Inbound, TransportError>>>>,
    sent: RefCell<Vec<Outbound>>,
}

impl Fake {
    fn answer(self, path: &str, status: u16, body: Value) -> Self {
        self.answers
            .borrow_mut()
            .entry(path.to_owned())
            .or_default()
            .push_back(Ok(Inbound {
                status,
                body: body.to_string().into_bytes(),
            }));
        self
    }

    fn fail(self, path: &str, error: TransportError) -> Self {
        self.answers
            .borrow_mut()
            .entry(path.to_owned())
            .or_default()
            .push_back(Err(error));
        self
    }

    fn sent(&self, path: &str) -> Outbound {
        self.sent
            .borrow()
            .iter()
            .find(|r| r.url.path() == path)
            .cloned()
            .unwrap_or_else(|| panic!("nothing sent to {path}"))
    }
}

impl Transport for Fake {
    async fn send(&self, request: Outbound) -> Result<Inbound, TransportError> {
        let path = request.url.path().to_owned();
        self.sent.borrow_mut().push(request);
        self.answers
            .borrow_mut()
            .get_mut(&path)
            .and_then(VecDeque::pop_front)
            .unwrap_or(Err(TransportError::Unreachable))
    }
}

const REDIRECT: &str = "https://confab.example/auth/x/callback";
const ISSUER: &str = "http://127.0.0.1:9000";

fn settings(provider: Provider) -> ProviderSettings {
    let p = provider.env_prefix();
    let base = "http://127.0.0.1:9000";
    let raw: RawOAuth = [
        (format!("{p}_CLIENT_ID"), "cid".to_owned()),
        (format!("{p}_CLIENT_SECRET"), "csecret".to_owned()),
        (format!("{p}_AUTHORIZE_URL"), format!("{base}/authorize")),
        (format!("{p}_TOKEN_URL"), format!("{base}/token")),
        (format!("{p}_USERINFO_URL"), format!("{base}/me")),
        ("GITHUB_EMAILS_URL".to_owned(), format!("{base}/emails")),
        ("GOOGLE_ISSUER".to_owned(), ISSUER.to_owned()),
    ]
    .into_iter()
    .collect();
    OAuthConfig::parse(&raw).unwrap().providers.remove(0)
}

fn login(provider: Provider) -> LoginClaims {
    LoginClaims {
        provider,
        state: "STATE".into(),
        verifier: provider.pkce().then(|| "V".repeat(43)),
        nonce: provider.nonce().then(|| "NONCE".into()),
        return_to: "/".into(),
    }
}

fn id_token(claims: Value) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"k"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode([1u8; 64])
    )
}

fn google_id_claims() -> Value {
    let t = now().timestamp();
    json!({"iss": ISSUER, "aud": "cid", "sub": "g-1", "nonce": "NONCE", "iat": t, "exp": t + 3600})
}

fn header<'a>(request: &'a Outbound, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

fn form(request: &Outbound) -> HashMap<String, String> {
    form_urlencoded::parse(request.body.as_deref().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn sign_in(provider: Provider, fake: &Fake) -> Result<ProviderProfile, ProviderError> {
    run(fetch_profile(
        fake,
        &settings(provider),
        REDIRECT,
        "the-code",
        &login(provider),
        now(),
    ))
}

#[test]
fn google_checks_the_id_token_and_reads_userinfo() {
    let fake = Fake::default()
        .answer(
            "/token",
            200,
            json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3599,
                   "id_token": id_token(google_id_claims())}),
        )
        .answer(
            "/me",
            200,
            json!({"sub": "g-1", "name": "Mina", "picture": "http://127.0.0.1:9000/p.png"}),
        );
    let profile = sign_in(Provider::Google, &fake).unwrap();
    assert_eq!(
        (profile.subject.as_str(), profile.name.as_str()),
        ("g-1", "Mina")
    );
    assert_eq!(
        profile.picture.as_deref(),
        Some("http://127.0.0.1:9000/p.png")
    );
    let token = fake.sent("/token");
    assert_eq!(token.method, Method::Post);
    assert_eq!(
        header(&token, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let body = form(&token);
    assert_eq!(body["grant_type"], "authorization_code");
    assert_eq!(body["code"], "the-code");
    assert_eq!(body["redirect_uri"], REDIRECT);
    assert_eq!(body["client_id"], "cid");
    assert_eq!(body["client_secret"], "csecret");
    assert_eq!(body["code_verifier"], "V".repeat(43));
    assert!(!body.contains_key("state"));
    let me = fake.sent("/me");
    assert_eq!(me.method, Method::Get);
    assert_eq!(header(&me, "authorization"), Some("Bearer at-1"));
}

#[test]
fn google_with_a_wrong_nonce_fails_before_userinfo() {
    let mut claims = google_id_claims();
    claims["nonce"] = "other".into();
    let fake = Fake::default().answer(
        "/token",
        200,
        json!({"access_token": "at", "id_token": id_token(claims)}),
    );
    let error = sign_in(Provider::Google, &fake).unwrap_err();
    assert_eq!(error, ProviderError::IdToken(IdTokenError::Nonce));
    assert_eq!(
        error.to_string(),
        "the ID token does not carry this sign-in's nonce"
    );
    assert_eq!(fake.sent.borrow().len(), 1);
}

#[test]
fn google_userinfo_for_another_subject_fails() {
    let fake = Fake::default()
        .answer(
            "/token",
            200,
            json!({"access_token": "at", "id_token": id_token(google_id_claims())}),
        )
        .answer("/me", 200, json!({"sub": "someone-else"}));
    assert_eq!(
        sign_in(Provider::Google, &fake),
        Err(ProviderError::SubjectMismatch)
    );
}

#[test]
fn github_sends_its_headers_and_reads_the_primary_email() {
    let fake = Fake::default()
        .answer(
            "/token",
            200,
            json!({"access_token": "gho_1", "token_type": "bearer"}),
        )
        .answer("/me", 200, json!({"id": 42, "login": "octo", "name": null}))
        .answer(
            "/emails",
            200,
            json!([{"email": "o@example.com", "primary": true, "verified": true}]),
        );
    let profile = sign_in(Provider::Github, &fake).unwrap();
    assert_eq!(profile.subject, "42");
    assert_eq!(profile.name, "octo");
    assert_eq!(profile.email.as_deref(), Some("o@example.com"));
    let token = fake.sent("/token");
    assert_eq!(header(&token, "accept"), Some("application/json"));
    assert_eq!(header(&token, "user-agent"), Some("confab"));
    for path in ["/me", "/emails"] {
        let call = fake.sent(path);
        assert_eq!(header(&call, "user-agent"), Some("confab"), "{path}");
        assert_eq!(
            header(&call, "accept"),
            Some("application/vnd.github+json"),
            "{path}"
        );
        assert_eq!(header(&call, "authorization"), Some("Bearer gho_1"));
    }
}

#[test]
fn github_without_emails_still_signs_in() {
    let fake = Fake::default()
        .answer("/token", 200, json!({"access_token": "gho_1"}))
        .answer("/me", 200, json!({"id": 42, "login": "octo"}))
        .answer("/emails", 404, json!({"message": "Not Found"}));
    assert_eq!(sign_in(Provider::Github, &fake).unwrap().email, None);
}

#[test]
fn naver_repeats_state_and_has_no_verifier() {
    let fake = Fake::default()
        .answer(
            "/token",
            200,
            json!({"access_token": "nv", "token_type": "bearer", "expires_in": "3600"}),
        )
        .answer(
            "/me",
            200,
            json!({"resultcode": "00", "message": "success",
                   "response": {"id": "n-1", "nickname": "네이버"}}),
        );
    let profile = sign_in(Provider::Naver, &fake).unwrap();
    assert_eq!(profile.account_name(), "naver:n-1");
    let body = form(&fake.sent("/token"));
    assert_eq!(body["state"], "STATE");
    assert!(!body.contains_key("code_verifier"));
}

#[test]
fn kakao_numeric_id() {
    let fake = Fake::default()
        .answer("/token", 200, json!({"access_token": "k", "expires_in": 21599}))
        .answer(
            "/me",
            200,
            json!({"id": 9007199254740993u64, "kakao_account": {"profile": {"nickname": "카카오"}}}),
        );
    let profile = sign_in(Provider::Kakao, &fake).unwrap();
    assert_eq!(profile.subject, "9007199254740993");
    assert_eq!(profile.name, "카카오");
}

#[test]
fn transport_failures_name_the_step() {
    let fake = Fake::default().fail("/token", TransportError::Timeout);
    assert_eq!(
        sign_in(Provider::Kakao, &fake),
        Err(ProviderError::Timeout(Step::Token))
    );
    let fake = Fake::default()
        .answer("/token", 200, json!({"access_token": "k"}))
        .fail("/me", TransportError::Unreachable);
    assert_eq!(
        sign_in(Provider::Kakao, &fake),
        Err(ProviderError::Unreachable(Step::Userinfo))
    );
}

#[test]
fn refused_code_is_reported_without_the_code() {
    let fake = Fake::default().answer(
        "/token",
        400,
        json!({"error": "invalid_grant", "error_description": "code the-code is invalid"}),
    );
    let error = sign_in(Provider::Kakao, &fake).unwrap_err();
    assert!(!error.to_string().contains("the-code"), "{error}");
    assert!(error.to_string().contains("invalid_grant"), "{error}");
}

#[test]
fn outbound_debug_shows_no_secrets() {
    let request = token_request(
        &settings(Provider::Github),
        REDIRECT,
        "the-code",
        &login(Provider::Github),
    );
    let shown = format!("{request:?}");
    assert!(
        !shown.contains("csecret") && !shown.contains("the-code"),
        "{shown}"
    );
}
