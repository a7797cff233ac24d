//! The stand-ins themselves, without the worker: each speaks its provider's protocol and
//! quirks, so the sign-in tests that rely on them mean something. Needs node and `npm ci`.

use serde_json::Value;

use crate::oauth_flow::{consent, query, s256, send, Browser, Decision};
use crate::providers::{Provider, Providers};
use crate::wrangler::scratch_root;

/// Where the stand-ins would send the browser back to (nothing listens there).
const BASE: &str = "http://127.0.0.1:9";

/// Held by each test while its stand-ins run: two sets of four node processes starting at
/// once on two cores, beside the other tests, once took CI past the wait for READY.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The stand-ins, in a directory (and logs) of `test`'s own.
fn started(test: &str) -> (std::sync::MutexGuard<'static, ()>, Providers) {
    let turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = scratch_root().join(format!("standins-selftest-{test}"));
    let providers = Providers::start(&dir).unwrap_or_else(|e| panic!("{e}"));
    providers.register(BASE).unwrap_or_else(|e| panic!("{e}"));
    (turn, providers)
}

fn authorize_url(p: &Providers, provider: Provider, state: &str, verifier: &str) -> String {
    let (authorize, _, _) = p.endpoints(provider);
    let mut url = url::Url::parse(&authorize).expect("a URL");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &p.client(provider).client_id)
            .append_pair("redirect_uri", &format!("{BASE}/auth/{provider}/callback"))
            .append_pair("state", state);
        match provider {
            Provider::Google => {
                q.append_pair("scope", "openid email profile");
                q.append_pair("nonce", "n-1");
            }
            Provider::Github => {
                q.append_pair("scope", "read:user user:email");
            }
            _ => {}
        }
        if provider.pkce() {
            q.append_pair("code_challenge", &s256(verifier))
                .append_pair("code_challenge_method", "S256");
        }
    }
    url.into()
}

fn token_form(p: &Providers, provider: Provider, code: &str, extra: &[(&str, &str)]) -> String {
    let client = p.client(provider);
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", &format!("{BASE}/auth/{provider}/callback"))
        .append_pair("client_id", &client.client_id);
    for (k, v) in extra {
        form.append_pair(k, v);
    }
    form.finish()
}

fn post_form(url: &str, body: &str, accept: &str) -> crate::http::Reply {
    send(
        "POST",
        url,
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("accept", accept),
        ],
        Some(body),
    )
}

#[test]
fn every_stand_in_runs_a_whole_authorization_code_flow_with_its_quirks() {
    let (_turn, p) = started("flow");
    let verifier = "v".repeat(43);
    for provider in Provider::ALL {
        let secret = p.client(provider).client_secret.clone();
        let state = format!("state-{provider}");
        let mut b = Browser::new();
        let authorize = authorize_url(&p, provider, &state, &verifier);
        let callback = consent(
            &mut b,
            &p,
            provider,
            &authorize,
            "mona-lisa",
            Decision::Approve,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(callback.starts_with(&format!("{BASE}/auth/{provider}/callback?")));
        let q = query(&callback);
        assert_eq!(q.get("state"), Some(&state), "{callback}");
        let code = q.get("code").expect("a code").clone();
        let (_, token_url, userinfo_url) = p.endpoints(provider);
        let mut good: Vec<(&str, &str)> = vec![("client_secret", &secret)];
        if provider.pkce() {
            good.push(("code_verifier", &verifier));
        }
        if provider == Provider::Naver {
            good.push(("state", &state));
        }
        // Wrong secret: refused, the code survives.
        let mut wrong = good.clone();
        wrong[0] = ("client_secret", "not-the-secret");
        let reply = post_form(
            &token_url,
            &token_form(&p, provider, &code, &wrong),
            "application/json",
        );
        let body: Value = serde_json::from_str(&reply.body).unwrap_or_default();
        assert!(body["error"].is_string(), "{provider}: {reply:?}");
        if provider.pkce() {
            let no_verifier = &good[..1];
            let reply = post_form(
                &token_url,
                &token_form(&p, provider, &code, no_verifier),
                "application/json",
            );
            assert!(
                reply.body.contains("error"),
                "{provider}: PKCE is enforced: {reply:?}"
            );
        }
        if provider == Provider::Naver {
            let reply = post_form(
                &token_url,
                &token_form(&p, provider, &code, &good[..1]),
                "*/*",
            );
            assert!(reply.body.contains("state is required"), "{reply:?}");
        }
        // GitHub answers a form unless JSON is asked for.
        if provider == Provider::Github {
            let reply = post_form(&token_url, &token_form(&p, provider, "nope", &good), "*/*");
            assert!(
                reply.body.starts_with("error=bad_verification_code"),
                "{reply:?}"
            );
            assert_eq!(reply.status, 200, "GitHub's errors are HTTP 200");
        }
        let reply = post_form(
            &token_url,
            &token_form(&p, provider, &code, &good),
            "application/json",
        );
        assert_eq!(reply.status, 200, "{provider}: {reply:?}");
        let tokens: Value = reply.json();
        let access = tokens["access_token"].as_str().expect("a token").to_owned();
        if provider == Provider::Naver {
            assert_eq!(
                tokens["expires_in"], "3600",
                "Naver's expires_in is a string"
            );
        }
        // The profile.
        let bearer = format!("Bearer {access}");
        let mut headers = vec![("authorization", bearer.as_str())];
        if provider == Provider::Github {
            let reply = send("GET", &userinfo_url, &headers, None);
            assert_eq!(reply.status, 403, "GitHub wants a User-Agent: {reply:?}");
            headers.push(("user-agent", "confab-selftest"));
        }
        let reply = send("GET", &userinfo_url, &headers, None);
        assert_eq!(reply.status, 200, "{provider}: {reply:?}");
        let profile: Value = reply.json();
        let name = match provider {
            Provider::Google | Provider::Github => &profile["name"],
            Provider::Kakao => &profile["kakao_account"]["profile"]["nickname"],
            Provider::Naver => &profile["response"]["nickname"],
        };
        assert_eq!(name, "Mona Lisa", "{provider}: {profile}");
        match provider {
            Provider::Github | Provider::Kakao => assert!(profile["id"].is_u64(), "{profile}"),
            Provider::Naver => assert_eq!(profile["resultcode"], "00"),
            Provider::Google => assert_eq!(profile["sub"], "mona-lisa"),
        }
        // (oidc-provider also revokes the token of a replayed code, as RFC 6749 advises.)
        let again = post_form(
            &token_url,
            &token_form(&p, provider, &code, &good),
            "application/json",
        );
        assert!(
            again.body.contains("error"),
            "{provider}: codes are one-time: {again:?}"
        );
    }
}

#[test]
fn authorize_refuses_unknown_redirects_and_missing_pkce() {
    let (_turn, p) = started("refusals");
    for provider in Provider::ALL {
        let good = authorize_url(&p, provider, "s", &"v".repeat(43));
        let evil = good.replace("127.0.0.1%3A9", "evil.example");
        let reply = send("GET", &evil, &[], None);
        assert!(
            reply.status == 400 || reply.header("location").is_none_or(|l| !l.contains("evil")),
            "{provider}: {reply:?}"
        );
        if provider.pkce() && provider != Provider::Google {
            let bare: String = good
                .split("&code_challenge")
                .next()
                .unwrap_or_default()
                .into();
            assert_eq!(send("GET", &bare, &[], None).status, 400, "{provider}");
        }
    }
}
