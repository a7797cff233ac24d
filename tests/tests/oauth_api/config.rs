//! Which providers a worker offers and how it is configured, and the URLs of a sign-in:
//! where the browser may be sent back to, and that client secrets never ride in one.

use confab_tests::http;
use confab_tests::oauth_flow::{
    cookie_value, send, set_cookie, start_login, Browser, LOGIN_COOKIE, SESSION_COOKIE,
};
use confab_tests::providers::Provider;
use libtest_mimic::Trial;
use serde_json::Value;

use crate::flows::signed_in;
use crate::rules::consented;
use crate::{account, full, partial, remember};

pub fn trials() -> Vec<Trial> {
    confab_tests::sync_trials![
        unknown_provider_is_404,
        unconfigured_provider_is_not_offered_and_its_login_is_404,
        kakao_without_a_client_secret_signs_in,
        google_id_token_from_another_issuer_is_refused,
        open_redirects_in_return_to_are_refused,
        client_secrets_stay_out_of_urls,
    ]
}

fn unknown_provider_is_404() {
    let (w, _) = full();
    for path in [
        "/auth/facebook/login?return_to=/",
        "/auth/facebook/callback?code=x&state=y",
        "/auth/Google/login",
    ] {
        http::get(&format!("{}{path}", w.base_url()), &[]).expect_problem(404);
    }
}

fn unconfigured_provider_is_not_offered_and_its_login_is_404() {
    let (w, _) = partial();
    let reply = http::get(&format!("{}/auth/providers", w.base_url()), &[]);
    let body: Value = reply.json();
    let ids: Vec<&str> = body["providers"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, ["google", "kakao"], "{}", reply.body);
    for provider in ["github", "naver"] {
        let login = format!("{}/auth/{provider}/login?return_to=/", w.base_url());
        let reply = send("GET", &login, &[], None);
        reply.expect_problem(404);
        assert!(set_cookie(&reply, LOGIN_COOKIE).is_none(), "{reply:?}");
    }
}

fn kakao_without_a_client_secret_signs_in() {
    let (w, p) = partial();
    let (_, done) = signed_in(
        w.base_url(),
        &p,
        Provider::Kakao,
        &account("no-secret"),
        "/",
    );
    assert!(!done.refreshed.user.guest);
    let entry = p
        .log(Provider::Kakao)
        .into_iter()
        .find(|e| e["endpoint"] == "token" && e["params"]["code"] == done.code.as_str())
        .expect("the token call");
    let secret = entry["params"]["client_secret"]
        .as_str()
        .unwrap_or_default();
    assert!(secret.is_empty(), "no secret to send: {entry}");
}

fn google_id_token_from_another_issuer_is_refused() {
    let (w, p) = partial();
    let mut b = Browser::new();
    let callback = consented(&mut b, w.base_url(), &p, Provider::Google, "/");
    let reply = b.get(&callback);
    let problem = reply.expect_problem(502);
    assert!(
        problem
            .detail
            .to_lowercase()
            .contains("sign-in with google failed"),
        "{problem:?}"
    );
    assert!(set_cookie(&reply, SESSION_COOKIE).is_none(), "{reply:?}");
}

fn open_redirects_in_return_to_are_refused() {
    let (w, _) = full();
    let base = w.base_url();
    let long = format!("/r/{}", "a".repeat(600));
    let absolute = format!("{base}/r/abc");
    let hostile = [
        "//evil.example",
        "//evil.example/r/abc",
        "///evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "\\\\evil.example",
        "/r/abc\\..\\..\\evil",
        "https://evil.example/",
        "http:evil.example",
        "evil.example",
        "r/abc",
        "javascript:alert(1)",
        "data:text/html,hi",
        " /r/abc",
        "/r/abc\r\nSet-Cookie: x=1",
        "/r/\tabc",
        "/r/\u{0}abc",
        &long,
        &absolute,
    ];
    for value in hostile {
        let reply = start_login(&mut Browser::new(), base, "github", Some(value));
        reply.expect_problem(400);
        assert!(reply.header("location").is_none(), "{value:?}: {reply:?}");
    }
    for fine in ["/", "/r/abc", "/r/abc?x=1", "/profile"] {
        let reply = start_login(&mut Browser::new(), base, "github", Some(fine));
        assert_eq!(reply.status, 302, "{fine:?}: {reply:?}");
        remember(
            set_cookie(&reply, LOGIN_COOKIE)
                .map(cookie_value)
                .unwrap_or_default(),
        );
    }
}

fn client_secrets_stay_out_of_urls() {
    let (w, p) = full();
    for provider in Provider::ALL {
        signed_in(w.base_url(), &p, provider, &account("urls"), "/");
    }
    for provider in Provider::ALL {
        let secret = &p.client(provider).client_secret;
        for entry in p.log(provider) {
            let url = entry["url"]
                .as_str()
                .or(entry["path"].as_str())
                .unwrap_or_default();
            let query = serde_json::to_string(&entry["query"]).unwrap_or_default();
            assert!(
                !url.contains(secret.as_str()) && !query.contains(secret.as_str()),
                "{provider}: the client secret is in a URL: {} {}",
                entry["method"],
                entry["endpoint"]
            );
            if entry["endpoint"] == "token" && entry["status"] == 200 {
                assert_eq!(entry["method"], "POST", "{provider}: token calls are POSTs");
            }
        }
    }
}
