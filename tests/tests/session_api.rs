//! Sessions against the real worker under `wrangler dev`: the refresh cookie a guest gets, its
//! rotation with reuse detection, logout, logout-all, the CSRF checks on those POSTs, and that
//! no token ever reaches a URL or wrangler's log.
//!
//! One wrangler serves the file (every test makes its own guests, so each has its own `Sessions`
//! Durable Object); a second, configured like a deployment (`REFRESH_TOKEN_DAYS=2`, no
//! `DEV_ORIGINS`), starts only if its tests run. Every
//! token seen is remembered, and after the run `main` fails the binary if wrangler's log holds
//! any of them.

#[path = "session_api/limits.rs"]
mod limits;

use std::sync::{Arc, Mutex};

use confab_protocol::{GuestResponse, IceResponse};
use confab_tests::http::{self, media_type, set_cookies, Reply};
use confab_tests::oauth_flow::assert_plain_http_cookie;
use confab_tests::suite::{finish_without_leaks, stop_workers};
use confab_tests::wrangler::{Options, Shared, Wrangler};
use libtest_mimic::Arguments;
use limits::session_requests_are_limited_per_address;

static OPEN: Shared = Shared::new();
static SHORT: Shared = Shared::new();
/// Every access and refresh token the tests saw, to look for in wrangler's log afterwards.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The cookie's name over plain http (wrangler dev); over https it is `__Host-confab_rt`.
const COOKIE: &str = "confab_rt";

fn main() {
    let args = Arguments::from_args();
    let trials = confab_tests::sync_trials![
        guest_sets_an_http_only_strict_session_cookie,
        guest_contract_is_unchanged,
        refresh_rotates_the_cookie_and_keeps_the_identity,
        refresh_lets_a_guest_change_the_display_name,
        refresh_bodies_are_capped,
        reuse_of_a_rotated_cookie_revokes_the_family,
        refresh_without_a_good_cookie_is_401_and_clears_it,
        logout_ends_the_session_and_is_idempotent,
        a_guest_token_does_not_renew_itself,
        session_requests_are_limited_per_address,
        csrf_needs_an_allowed_origin_and_json,
        wrong_methods_are_405,
        tokens_never_appear_in_urls_or_other_headers,
        refresh_lifetime_is_configurable,
        a_deployment_refuses_the_trunk_serve_origins,
    ];
    let conclusion = libtest_mimic::run(&args, trials);
    let logs = stop_workers(&[&OPEN, &SHORT]);
    finish_without_leaks(conclusion, &logs, &secrets(), "tokens", || {});
}

/// What must never reach wrangler's log: every token the tests saw, and the random part of
/// each alone where it is long enough to be one (a refresh token is `<user>.<random>`).
fn secrets() -> Vec<String> {
    let seen = SEEN.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut secrets = Vec::new();
    for token in seen {
        let random = token.rsplit('.').next().unwrap_or(&token);
        if random.len() >= 20 && random != token {
            secrets.push(random.to_owned());
        }
        secrets.push(token);
    }
    secrets
}

fn open() -> Arc<Wrangler> {
    OPEN.get(Options::default).unwrap_or_else(|e| panic!("{e}"))
}

fn remember(token: &str) {
    SEEN.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(token.to_owned());
}

/// A guest and its refresh cookie value.
fn guest(w: &Wrangler, name: &str) -> (GuestResponse, String) {
    guest_with(w, name, &[])
}

fn guest_with(w: &Wrangler, name: &str, headers: &[(&str, &str)]) -> (GuestResponse, String) {
    let body = serde_json::json!({ "name": name }).to_string();
    let address = http::some_client_address();
    let mut all = vec![
        ("content-type", "application/json"),
        ("cf-connecting-ip", address.as_str()),
    ];
    all.extend_from_slice(headers);
    let reply = http::request(
        "POST",
        &format!("{}/auth/guest", w.base_url()),
        &all,
        Some(&body),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body: GuestResponse = reply.json();
    remember(&body.access_token);
    let cookie = session_cookie(&reply).unwrap_or_else(|| panic!("no session cookie: {reply:?}"));
    (body, cookie)
}

/// The value our cookie is set to (None when absent or cleared); remembered for the log check.
fn session_cookie(reply: &Reply) -> Option<String> {
    let value = set_cookies(reply)
        .into_iter()
        .find_map(|c| c.strip_prefix(&format!("{COOKIE}=")))?
        .split(';')
        .next()?
        .to_owned();
    (!value.is_empty()).then(|| {
        remember(&value);
        value
    })
}

/// Whether the reply clears our cookie.
fn clears_cookie(reply: &Reply) -> bool {
    set_cookies(reply).iter().any(|c| {
        c.starts_with(&format!("{COOKIE}=;"))
            && c.to_ascii_lowercase()
                .split(';')
                .any(|a| a.trim() == "max-age=0")
    })
}

/// A same-origin JSON POST carrying `cookie`, as the app sends it (from an address of its own).
fn post(w: &Wrangler, path: &str, cookie: Option<&str>, body: &str) -> Reply {
    post_from(w, &http::some_client_address(), path, cookie, body)
}

/// [`post`] from client address `address`.
fn post_from(w: &Wrangler, address: &str, path: &str, cookie: Option<&str>, body: &str) -> Reply {
    let cookie_header = cookie.map(|c| format!("{COOKIE}={c}"));
    let mut headers = vec![
        ("origin", w.origin()),
        ("content-type", "application/json"),
        ("cf-connecting-ip", address),
    ];
    if let Some(c) = &cookie_header {
        headers.push(("cookie", c.as_str()));
    }
    http::request(
        "POST",
        &format!("{}{path}", w.base_url()),
        &headers,
        Some(body),
    )
}

/// `POST /auth/refresh {}` that must succeed; the new body and cookie.
fn refreshed(w: &Wrangler, cookie: &str) -> (GuestResponse, String) {
    let reply = post(w, "/auth/refresh", Some(cookie), "{}");
    assert_eq!(reply.status, 200, "refresh: {}", reply.body);
    let body: GuestResponse = reply.json();
    remember(&body.access_token);
    let next = session_cookie(&reply).unwrap_or_else(|| panic!("no rotated cookie: {reply:?}"));
    (body, next)
}

fn expect_refused(reply: &Reply, what: &str) {
    reply.expect_problem(401);
    assert!(
        clears_cookie(reply),
        "{what}: 401 must clear the cookie: {reply:?}"
    );
}

fn ice_works(w: &Wrangler, access_token: &str) {
    let reply = http::get(
        &format!("{}/api/ice", w.base_url()),
        &[("authorization", &format!("Bearer {access_token}"))],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let _: IceResponse = reply.json();
}

// ---- tests ------------------------------------------------------------------------------------

fn guest_sets_an_http_only_strict_session_cookie() {
    let w = open();
    let reply = http::guest_reply(w.base_url(), "Mina");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let cookies = set_cookies(&reply);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = cookies[0];
    let value = session_cookie(&reply).expect("a session cookie");
    assert!(
        value.len() >= 43 + 2,
        "token too short: {} chars",
        value.len()
    );
    assert_plain_http_cookie(
        cookie,
        &["httponly", "samesite=strict", "path=/", "max-age=2592000"],
        "guest",
    );
    // Every guest is a new session.
    let (_, other) = guest(&w, "Mina");
    assert_ne!(other, value);
}

fn guest_contract_is_unchanged() {
    let w = open();
    let reply = http::guest_reply(w.base_url(), "Ann");
    assert_eq!(media_type(&reply.content_type), "application/json");
    let raw: serde_json::Value = reply.json();
    let keys: Vec<&String> = raw.as_object().expect("an object").keys().collect();
    assert_eq!(keys.len(), 4, "{}", reply.body);
    let body: GuestResponse = reply.json();
    remember(&body.access_token);
    session_cookie(&reply);
    assert_eq!((body.token_type.as_str(), body.expires_in), ("Bearer", 600));
    assert!(body.user.guest && body.user.id.starts_with("guest:"));
}

fn refresh_rotates_the_cookie_and_keeps_the_identity() {
    let w = open();
    let (first, c1) = guest(&w, "Mina");
    let (second, c2) = refreshed(&w, &c1);
    assert_ne!(c2, c1, "the cookie rotates");
    assert_eq!(second.user, first.user, "same user id, name and guest flag");
    assert_eq!(
        (second.token_type.as_str(), second.expires_in),
        ("Bearer", 600)
    );
    ice_works(&w, &second.access_token);
    let (third, c3) = refreshed(&w, &c2);
    assert_ne!(c3, c2);
    assert_eq!(third.user, first.user);
}

fn refresh_lets_a_guest_change_the_display_name() {
    let w = open();
    let (first, c1) = guest(&w, "Mina");
    let reply = post(&w, "/auth/refresh", Some(&c1), r#"{"name":"  Minji "}"#);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let renamed: GuestResponse = reply.json();
    remember(&renamed.access_token);
    let c2 = session_cookie(&reply).expect("rotated");
    assert_eq!(renamed.user.id, first.user.id);
    assert_eq!(renamed.user.name, "Minji");
    let (again, c3) = refreshed(&w, &c2);
    assert_eq!(again.user.name, "Minji", "the new name is kept");
    // A bad name is refused and does not use up the cookie.
    post(&w, "/auth/refresh", Some(&c3), r#"{"name":"   "}"#).expect_problem(400);
    refreshed(&w, &c3);
}

fn refresh_bodies_are_capped() {
    let w = open();
    let (_, c1) = guest(&w, "Mina");
    let padded = format!("{{\"name\":\"Minji\"{}}}", " ".repeat(64 * 1024));
    let problem = post(&w, "/auth/refresh", Some(&c1), &padded).expect_problem(413);
    assert_eq!(problem.title, "Content Too Large");
    // Refused before the session was touched: the cookie still works.
    refreshed(&w, &c1);
}

fn reuse_of_a_rotated_cookie_revokes_the_family() {
    let w = open();
    let (_, c1) = guest(&w, "Mina");
    let (_, c2) = refreshed(&w, &c1);
    // Someone presents the old cookie again: refused, and the whole family is revoked...
    expect_refused(&post(&w, "/auth/refresh", Some(&c1), "{}"), "reused cookie");
    // ...so the newest cookie is dead too.
    expect_refused(
        &post(&w, "/auth/refresh", Some(&c2), "{}"),
        "cookie of a revoked family",
    );
    // Another session of another guest is untouched.
    let (_, other) = guest(&w, "Ben");
    refreshed(&w, &other);
    // The reuse is logged (with the family id, not the token).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let log = std::fs::read_to_string(w.log_path()).unwrap_or_default();
        if log.contains("rotated refresh token was presented again") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no reuse warning in wrangler's log"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

fn refresh_without_a_good_cookie_is_401_and_clears_it() {
    let w = open();
    expect_refused(&post(&w, "/auth/refresh", None, "{}"), "no cookie");
    let (_, good) = guest(&w, "Mina");
    let (user, random) = good.split_once('.').expect("<user>.<random>");
    let flipped: String = random
        .chars()
        .map(|c| if c == 'A' { 'B' } else { 'A' })
        .collect();
    for bad in [
        "garbage".to_owned(),
        format!("{user}.{flipped}"),
        format!("{user}."),
        format!("{}.{random}", "bm9ib2R5"), // base64url("nobody")
    ] {
        expect_refused(&post(&w, "/auth/refresh", Some(&bad), "{}"), &bad);
    }
    // None of that disturbed the real session.
    refreshed(&w, &good);
}

fn logout_ends_the_session_and_is_idempotent() {
    let w = open();
    let (_, here) = guest(&w, "Mina");
    let reply = post(&w, "/auth/logout", Some(&here), "{}");
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert!(clears_cookie(&reply), "{reply:?}");
    expect_refused(&post(&w, "/auth/refresh", Some(&here), "{}"), "logged out");
    // Logging out again, or with no cookie, is fine. (Sessions on other devices: oauth_api.)
    assert_eq!(post(&w, "/auth/logout", Some(&here), "{}").status, 204);
    assert_eq!(post(&w, "/auth/logout", None, "{}").status, 204);
}

/// A guest is renewed only through its refresh cookie: its access token in `Authorization`
/// neither keeps the identity nor outlives a sign-out everywhere.
fn a_guest_token_does_not_renew_itself() {
    let w = open();
    let (me, cookie) = guest(&w, "Mina");
    let bearer = format!("Bearer {}", me.access_token);
    let (other, _) = guest_with(&w, "Mina", &[("authorization", &bearer)]);
    assert_ne!(other.user.id, me.user.id, "a new guest, not the same one");
    expect_refused(&post(&w, "/auth/logout-all", None, "{}"), "no cookie");
    let reply = post(&w, "/auth/logout-all", Some(&cookie), "{}");
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert!(clears_cookie(&reply), "{reply:?}");
    expect_refused(
        &post(&w, "/auth/refresh", Some(&cookie), "{}"),
        "signed out",
    );
    let (again, _) = guest_with(&w, "Mina", &[("authorization", &bearer)]);
    assert_ne!(
        again.user.id, me.user.id,
        "the ended guest does not come back"
    );
}

fn csrf_needs_an_allowed_origin_and_json() {
    let w = open();
    let (_, cookie) = guest(&w, "Mina");
    let cookie_header = format!("{COOKIE}={cookie}");
    for path in ["/auth/refresh", "/auth/logout", "/auth/logout-all"] {
        let url = format!("{}{path}", w.base_url());
        for origin in [Some("https://evil.example"), Some("null"), None] {
            let mut headers = vec![
                ("content-type", "application/json"),
                ("cookie", cookie_header.as_str()),
            ];
            if let Some(origin) = origin {
                headers.push(("origin", origin));
            }
            http::request("POST", &url, &headers, Some("{}")).expect_problem(403);
        }
        for content_type in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            None,
        ] {
            let mut headers = vec![("origin", w.origin()), ("cookie", cookie_header.as_str())];
            if let Some(ct) = content_type {
                headers.push(("content-type", ct));
            }
            http::request("POST", &url, &headers, Some("{}")).expect_problem(415);
        }
    }
    // The `trunk serve` origin is the app too.
    let reply = http::request(
        "POST",
        &format!("{}/auth/refresh", w.base_url()),
        &[
            ("origin", "http://localhost:8080"),
            ("content-type", "application/json; charset=utf-8"),
            ("cookie", &cookie_header),
        ],
        Some("{}"),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body: GuestResponse = reply.json();
    remember(&body.access_token);
    assert!(
        session_cookie(&reply).is_some(),
        "refused requests did not use the session up"
    );
}

fn wrong_methods_are_405() {
    let w = open();
    for path in ["/auth/refresh", "/auth/logout", "/auth/logout-all"] {
        http::get(&format!("{}{path}", w.base_url()), &[]).expect_problem(405);
    }
}

fn tokens_never_appear_in_urls_or_other_headers() {
    let w = open();
    let (first, c1) = guest(&w, "Mina");
    let refresh = post(&w, "/auth/refresh", Some(&c1), "{}");
    let c2 = session_cookie(&refresh).expect("rotated");
    let body: GuestResponse = refresh.json();
    remember(&body.access_token);
    let replies = [
        refresh,
        post(&w, "/auth/refresh", Some(&c1), "{}"),
        post(&w, "/auth/logout", Some(&c2), "{}"),
        post(&w, "/auth/logout-all", Some(&c2), "{}"),
    ];
    let secrets = [&first.access_token, &body.access_token, &c1, &c2];
    for reply in &replies {
        assert!(reply.header("location").is_none(), "{reply:?}");
        for (name, value) in &reply.headers {
            if name.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            for secret in secrets {
                assert!(!value.contains(secret.as_str()), "{name} carries a token");
            }
        }
        for secret in [&c1, &c2] {
            assert!(
                !reply.body.contains(secret.as_str()),
                "a body carries the refresh token"
            );
        }
    }
}

/// A worker configured as deployed: `REFRESH_TOKEN_DAYS=2` and no `.dev.vars` origins.
fn deployed() -> Arc<Wrangler> {
    SHORT
        .get(|| Options {
            vars: vec![("REFRESH_TOKEN_DAYS".into(), "2".into())],
            dev_origins: Vec::new(),
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

fn a_deployment_refuses_the_trunk_serve_origins() {
    let w = deployed();
    let (_, cookie) = guest(&w, "Mina");
    let cookie_header = format!("{COOKIE}={cookie}");
    for origin in confab_tests::wrangler::TRUNK_SERVE_ORIGINS {
        let reply = http::request(
            "POST",
            &format!("{}/auth/refresh", w.base_url()),
            &[
                ("origin", origin),
                ("content-type", "application/json"),
                ("cookie", &cookie_header),
            ],
            Some("{}"),
        );
        assert_eq!(reply.expect_problem(403).title, "Forbidden", "{origin}");
    }
    // Its own origin still may, with the cookie the refusals left unused.
    refreshed(&w, &cookie);
}

fn refresh_lifetime_is_configurable() {
    let w = deployed();
    let reply = http::guest_reply(w.base_url(), "Mina");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body: GuestResponse = reply.json();
    remember(&body.access_token);
    let cookie = session_cookie(&reply).expect("a session cookie");
    assert!(
        set_cookies(&reply)[0].contains("Max-Age=172800"),
        "{:?}",
        set_cookies(&reply)
    );
    let refresh = post(&w, "/auth/refresh", Some(&cookie), "{}");
    assert_eq!(refresh.status, 200, "{}", refresh.body);
    let body: GuestResponse = refresh.json();
    remember(&body.access_token);
    session_cookie(&refresh);
    assert!(set_cookies(&refresh)[0].contains("Max-Age=172800"));
}
