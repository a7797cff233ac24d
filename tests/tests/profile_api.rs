//! Profiles, profile images and rooms that require sign-in, against the real worker under
//! `wrangler dev` (contract: "Profile" and "Rooms that require sign-in"):
//! `PATCH /api/me`, `PUT /api/me/avatar` (magic-byte type check, 2 MiB limit, R2 storage),
//! `GET /api/avatars/<user id>` (same bytes, safe headers), `POST /api/rooms`, and a guest's
//! socket to a room that requires sign-in (`sign_in_required`, 4403, never a member).
//!
//! Checks that happen before the user's profile is touched (tokens, guests, size, type, JSON)
//! use access tokens the tests mint with the worker's key for a non-guest user id. Changing a
//! profile needs a user the worker knows: those tests sign in for real, through the GitHub
//! stand-in ([`confab_tests::providers`], [`confab_tests::oauth_flow`]), and refresh the session
//! to see the change.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use confab_protocol::{
    close_code, CreateRoomResponse, ErrorCode, GuestResponse, Problem, ServerFrame, UserInfo,
};
use confab_tests::http::{self, media_type, Reply};
use confab_tests::oauth_flow::{self, Browser};
use confab_tests::providers::{Provider, Providers};
use confab_tests::token::{self, Claims};
use confab_tests::wrangler::{scratch_root, stop_all, Options, Shared, Wrangler};
use confab_tests::ws_client::{connect, join, protocols_for, Event};
use libtest_mimic::Arguments;

static OPEN: Shared = Shared::new();
/// The provider stand-ins, started with the worker.
static PROVIDERS: Mutex<Option<Arc<Providers>>> = Mutex::new(None);
static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

/// No single test may take longer than this.
const TEST_TIMEOUT: Duration = Duration::from_secs(120);
const MIB2: usize = 2 * 1024 * 1024;
const SIGN_IN_MESSAGE: &str = "This room is only for signed-in people. Sign in to join.";

fn main() {
    let args = Arguments::from_args();
    let trials = confab_tests::async_trials![TEST_TIMEOUT;
        auth::no_or_bad_token_is_401_and_a_guest_is_403,
        auth::wrong_methods_are_405,
        avatar::hostile_and_unsupported_images_are_415_and_nothing_is_stored,
        avatar::one_byte_over_two_mib_is_413_declared_or_streamed,
        avatar::unknown_avatars_are_404_problems,
        avatar::an_unknown_user_cannot_store_an_image,
        avatar::png_jpeg_and_webp_are_served_back_byte_for_byte_with_safe_headers,
        avatar::a_png_header_followed_by_html_is_served_as_an_inert_png,
        avatar::every_upload_changes_the_path_and_a_new_sign_in_keeps_it,
        avatar::exactly_two_mib_is_stored,
        profile::a_new_name_is_kept_across_refresh_and_sign_in,
        profile::bad_json_and_bad_names_are_400,
        profile::an_unknown_user_has_no_profile_to_change,
        rooms::guests_cannot_make_rooms_and_bad_bodies_are_400,
        rooms::a_signed_in_person_makes_a_room_with_a_new_random_name,
        rooms::a_guest_is_refused_with_sign_in_required_and_never_counted,
        rooms::rooms_made_by_joining_still_admit_guests,
    ];
    let conclusion = libtest_mimic::run(&args, trials);
    if conclusion.has_failed() {
        if let Some(log) = OPEN.log_path() {
            eprintln!("wrangler log: {}", log.display());
        }
    }
    stop_all(&[&OPEN]);
    drop(lock(&PROVIDERS).take());
    conclusion.exit();
}

// ---- fixtures ---------------------------------------------------------------------------------

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn providers() -> Arc<Providers> {
    let mut slot = lock(&PROVIDERS);
    if slot.is_none() {
        let started = Providers::start(&scratch_root().join("profile-api"))
            .unwrap_or_else(|e| panic!("cannot start the provider stand-ins: {e}"));
        *slot = Some(Arc::new(started));
    }
    slot.as_ref().expect("started").clone()
}

/// The worker (one for the whole file, offering GitHub sign-in at its stand-in).
fn open() -> Arc<Wrangler> {
    with_sign_in().0
}

/// The worker with GitHub sign-in through the stand-in.
fn with_sign_in() -> (Arc<Wrangler>, Arc<Providers>) {
    let p = providers();
    let w = OPEN
        .get(|| Options {
            vars: p.vars(&[Provider::Github]),
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    REGISTERED
        .get_or_init(|| p.register(w.base_url()))
        .clone()
        .unwrap_or_else(|e| panic!("{e}"));
    (w, p)
}

/// Someone signed in with GitHub for the first time (a new account each time; the stand-in's
/// picture becomes their image): their browser (cookies), and the access token and user the
/// app would hold.
struct Account {
    browser: Browser,
    login: String,
    token: String,
    user: UserInfo,
}

fn sign_in(w: &Wrangler, p: &Providers) -> Account {
    let login = format!("mina.{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let mut browser = Browser::new();
    let done = oauth_flow::sign_in(&mut browser, w.base_url(), p, Provider::Github, &login, "/");
    assert!(!done.refreshed.user.guest, "{:?}", done.refreshed.user);
    Account {
        browser,
        login,
        token: done.refreshed.access_token,
        user: done.refreshed.user,
    }
}

/// `POST /auth/refresh` in the account's browser: the user as a fresh token names them.
fn refreshed(w: &Wrangler, account: &mut Account) -> UserInfo {
    let body = oauth_flow::refresh(&mut account.browser, w.base_url())
        .unwrap_or_else(|r| panic!("refresh failed: {r:?}"));
    account.token = body.access_token;
    body.user
}

/// A token the worker accepts for a signed-in (non-guest) user it has never seen sign in.
fn minted_user(w: &Wrangler, name: &str) -> (String, String) {
    let user_id = format!("user:{}", uuid::Uuid::new_v4().simple());
    let claims = Claims {
        sub: user_id.clone(),
        guest: false,
        ..Claims::guest(name)
    };
    (token::mint(w.jwt_key(), &claims), user_id)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// A 1×1 lossless WebP (RIFF size 26 = 34 − 8).
const WEBP: &[u8] = &[
    0x52, 0x49, 0x46, 0x46, 0x1A, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4C,
    0x0D, 0x00, 0x00, 0x00, 0x2F, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xFE,
    0x07, 0x00,
];

/// A small baseline JPEG: SOI, JFIF APP0, and EOI around a few bytes (the worker checks only
/// the first bytes; browsers are not involved here).
fn jpeg() -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00,
    ];
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

/// A raw request with a byte body (`None`: no body). `chunked` streams it without a
/// `Content-Length`, so only the worker's count of what arrives can stop it.
fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    chunked: bool,
) -> (Reply, Vec<u8>) {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    let agent = AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .allow_non_standard_methods(true)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into()
    });
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let result = match (body, chunked) {
        (None, _) => agent.run(builder.body(()).expect("a request")),
        (Some(body), false) => agent.run(builder.body(body.to_vec()).expect("a request")),
        (Some(body), true) => {
            let mut reader = body;
            let send_body = ureq::SendBody::from_reader(&mut reader);
            agent.run(builder.body(send_body).expect("a request"))
        }
    };
    let mut response = result.unwrap_or_else(|e| panic!("{method} {url}: no HTTP answer: {e}"));
    let status = response.status().as_u16();
    let response_headers = response.headers().clone();
    let bytes = response
        .body_mut()
        .with_config()
        .limit(8 * 1024 * 1024)
        .read_to_vec()
        .unwrap_or_else(|e| panic!("{method} {url}: unreadable body: {e}"));
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (Reply::new(status, &response_headers, text), bytes)
}

fn put_avatar(w: &Wrangler, token: Option<&str>, body: &[u8]) -> Reply {
    let auth = token.map(bearer);
    let mut headers = vec![("content-type", "application/octet-stream")];
    if let Some(auth) = &auth {
        headers.push(("authorization", auth.as_str()));
    }
    send(
        "PUT",
        &format!("{}/api/me/avatar", w.base_url()),
        &headers,
        Some(body),
        false,
    )
    .0
}

fn get_avatar(w: &Wrangler, path: &str) -> (Reply, Vec<u8>) {
    send("GET", &format!("{}{path}", w.base_url()), &[], None, false)
}

fn patch_me(w: &Wrangler, token: Option<&str>, content_type: Option<&str>, body: &str) -> Reply {
    let auth = token.map(bearer);
    let mut headers = Vec::new();
    if let Some(ct) = content_type {
        headers.push(("content-type", ct));
    }
    if let Some(auth) = &auth {
        headers.push(("authorization", auth.as_str()));
    }
    http::request(
        "PATCH",
        &format!("{}/api/me", w.base_url()),
        &headers,
        Some(body),
    )
}

fn post_rooms(w: &Wrangler, token: Option<&str>, body: &str) -> Reply {
    let auth = token.map(bearer);
    let mut headers = vec![("content-type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("authorization", auth.as_str()));
    }
    http::request(
        "POST",
        &format!("{}/api/rooms", w.base_url()),
        &headers,
        Some(body),
    )
}

/// `POST /api/rooms {"require_sign_in":true}` that must succeed.
fn make_locked_room(w: &Wrangler, token: &str) -> String {
    let reply = post_rooms(w, Some(token), r#"{"require_sign_in":true}"#);
    assert_eq!(reply.status, 201, "{}", reply.body);
    let created: CreateRoomResponse = reply.json();
    assert!(created.require_sign_in);
    created.room
}

// ---- tests ------------------------------------------------------------------------------------

mod auth {
    use super::*;

    pub async fn no_or_bad_token_is_401_and_a_guest_is_403() {
        let w = open();
        let guest: GuestResponse = http::guest(w.base_url(), "Gus");
        let (_, user) = minted_user(&w, "Forged");
        let forged = token::sign(
            b"not the worker's key, but long enough for HMAC to be happy with it at all",
            &serde_json::json!({"alg": "HS256", "kid": w.jwt_key().kid, "typ": token::TYPE}),
            &Claims {
                sub: user,
                guest: false,
                ..Claims::guest("Forged")
            }
            .to_json(),
        );
        for (token, status) in [
            (None, 401),
            (Some("garbage"), 401),
            (Some(forged.as_str()), 401),
            (Some(guest.access_token.as_str()), 403),
        ] {
            let what = format!("token {:?}", token.map(|t| t.len()));
            put_avatar(&w, token, PNG).expect_problem(status);
            patch_me(&w, token, Some("application/json"), r#"{"name":"Mina"}"#)
                .expect_problem(status);
            let reply = post_rooms(&w, token, r#"{"require_sign_in":true}"#);
            assert_eq!(reply.status, status, "{what}: {}", reply.body);
            reply.expect_problem(status);
        }
    }

    pub async fn wrong_methods_are_405() {
        let w = open();
        for (method, path) in [
            ("GET", "/api/me"),
            ("POST", "/api/me"),
            ("GET", "/api/me/avatar"),
            ("POST", "/api/me/avatar"),
            ("PUT", "/api/avatars/user:x"),
            ("DELETE", "/api/avatars/user:x"),
            ("GET", "/api/rooms"),
        ] {
            let url = format!("{}{path}", w.base_url());
            let reply = http::request(method, &url, &[], None);
            assert_eq!(reply.status, 405, "{method} {path}: {}", reply.body);
            reply.expect_problem(405);
        }
    }
}

mod avatar {
    use super::*;

    pub async fn hostile_and_unsupported_images_are_415_and_nothing_is_stored() {
        let w = open();
        let (token, user_id) = minted_user(&w, "Mina");
        let mut png_truncated = PNG.to_vec();
        png_truncated.truncate(6);
        let mut webp_truncated = WEBP.to_vec();
        webp_truncated.truncate(20); // the RIFF size promises 34 bytes
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("empty", Vec::new()),
            ("gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec()),
            ("svg", br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec()),
            ("xml", br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>"#.to_vec()),
            ("html after whitespace", b" \r\n\t <!DOCTYPE html><script>alert(1)</script>".to_vec()),
            ("truncated png signature", png_truncated),
            ("truncated webp", webp_truncated),
            ("jpeg missing its third byte", vec![0xFF, 0xD8]),
        ];
        for (what, body) in cases {
            let problem: Problem = put_avatar(&w, Some(&token), &body).expect_problem(415);
            assert!(
                problem.detail.contains("PNG"),
                "{what}: the detail names what is accepted: {}",
                problem.detail
            );
        }
        get_avatar(&w, &format!("/api/avatars/{user_id}"))
            .0
            .expect_problem(404);
    }

    pub async fn one_byte_over_two_mib_is_413_declared_or_streamed() {
        let w = open();
        let (token, user_id) = minted_user(&w, "Mina");
        let mut over = PNG.to_vec();
        over.resize(MIB2 + 1, 0);
        let auth = bearer(&token);
        let url = format!("{}/api/me/avatar", w.base_url());
        for chunked in [false, true] {
            let (reply, _) = send(
                "PUT",
                &url,
                &[("authorization", &auth)],
                Some(&over),
                chunked,
            );
            reply.expect_problem(413);
        }
        // Exactly 2 MiB passes the size and type checks; this user was never signed in, so
        // the profile change itself is refused (401), and nothing is left in storage.
        let mut exact = PNG.to_vec();
        exact.resize(MIB2, 0);
        for chunked in [false, true] {
            let (reply, _) = send(
                "PUT",
                &url,
                &[("authorization", &auth)],
                Some(&exact),
                chunked,
            );
            reply.expect_problem(401);
        }
        get_avatar(&w, &format!("/api/avatars/{user_id}"))
            .0
            .expect_problem(404);
    }

    /// Uploads `body` as `account`; the new image path.
    fn upload(w: &Wrangler, account: &Account, body: &[u8]) -> String {
        let reply = put_avatar(w, Some(&account.token), body);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let user: UserInfo = reply.json();
        assert_eq!(
            (user.id.as_str(), user.guest),
            (account.user.id.as_str(), false)
        );
        let path = user.avatar.expect("an avatar path");
        let prefix = format!("/api/avatars/{}?v=", account.user.id);
        assert!(path.starts_with(&prefix), "{path}");
        path
    }

    /// GET of an image path: it must be the stored bytes with the safe headers.
    fn served(w: &Wrangler, path: &str, content_type: &str) -> Vec<u8> {
        let (reply, bytes) = get_avatar(w, path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.content_type, content_type, "{path}");
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("content-security-policy", "default-src 'none'; sandbox"),
            ("cache-control", "public, max-age=300"),
        ] {
            assert_eq!(reply.header(name), Some(value), "{path}: {name}");
        }
        assert!(reply.header("set-cookie").is_none(), "{path}");
        bytes
    }

    pub async fn png_jpeg_and_webp_are_served_back_byte_for_byte_with_safe_headers() {
        let (w, p) = with_sign_in();
        let mut account = sign_in(&w, &p);
        for (body, content_type) in [
            (PNG.to_vec(), "image/png"),
            (jpeg(), "image/jpeg"),
            (WEBP.to_vec(), "image/webp"),
        ] {
            let path = upload(&w, &account, &body);
            assert_eq!(served(&w, &path, content_type), body, "{content_type}");
            // The public path without the version, and with `:` escaped, serve it too.
            let bare = format!("/api/avatars/{}", account.user.id);
            assert_eq!(served(&w, &bare, content_type), body);
            let escaped = bare.replace(':', "%3A");
            assert_eq!(served(&w, &escaped, content_type), body);
            // A refresh hands out a token whose user carries the new path.
            assert_eq!(
                refreshed(&w, &mut account).avatar.as_deref(),
                Some(path.as_str())
            );
        }
    }

    pub async fn a_png_header_followed_by_html_is_served_as_an_inert_png() {
        let (w, p) = with_sign_in();
        let account = sign_in(&w, &p);
        let mut body = PNG[..8].to_vec();
        body.extend_from_slice(b"<html><script>document.title='pwned'</script></html>");
        let path = upload(&w, &account, &body);
        // Never text/html: the type is the PNG's, and nosniff + a sandboxing CSP keep a
        // browser from treating it as a page.
        assert_eq!(served(&w, &path, "image/png"), body);
    }

    pub async fn every_upload_changes_the_path_and_a_new_sign_in_keeps_it() {
        let (w, p) = with_sign_in();
        let mut account = sign_in(&w, &p);
        let adopted = account
            .user
            .avatar
            .clone()
            .expect("GitHub's picture was copied at first sign-in");
        let mut paths = vec![adopted];
        for _ in 0..3 {
            paths.push(upload(&w, &account, PNG));
        }
        let mut unique = paths.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            paths.len(),
            "every upload is a new path: {paths:?}"
        );
        let last = paths.last().expect("paths").clone();
        assert_eq!(served(&w, &last, "image/png"), PNG);
        // Signing in again does not bring the provider's picture back over the chosen one.
        let mut again = Browser::new();
        let done = oauth_flow::sign_in(
            &mut again,
            w.base_url(),
            &p,
            Provider::Github,
            &account.login,
            "/",
        );
        assert_eq!(done.refreshed.user.id, account.user.id, "the same user");
        assert_eq!(done.refreshed.user.avatar.as_deref(), Some(last.as_str()));
        assert_eq!(served(&w, &last, "image/png"), PNG);
        assert_eq!(
            refreshed(&w, &mut account).avatar.as_deref(),
            Some(last.as_str())
        );
    }

    pub async fn exactly_two_mib_is_stored() {
        let (w, p) = with_sign_in();
        let account = sign_in(&w, &p);
        let mut exact = PNG.to_vec();
        exact.resize(MIB2, 7);
        let path = upload(&w, &account, &exact);
        assert_eq!(served(&w, &path, "image/png"), exact);
    }

    pub async fn unknown_avatars_are_404_problems() {
        let w = open();
        for path in [
            "/api/avatars/user:00000000000000000000000000000000",
            "/api/avatars/user%3A00000000000000000000000000000000?v=1",
            "/api/avatars/nobody",
            "/api/avatars/%3Cscript%3E",
            "/api/avatars/..",
        ] {
            let (reply, _) = get_avatar(&w, path);
            reply.expect_problem(404);
        }
    }

    pub async fn an_unknown_user_cannot_store_an_image() {
        let w = open();
        let (token, user_id) = minted_user(&w, "Mina");
        for body in [PNG.to_vec(), jpeg(), WEBP.to_vec()] {
            put_avatar(&w, Some(&token), &body).expect_problem(401);
        }
        get_avatar(&w, &format!("/api/avatars/{user_id}"))
            .0
            .expect_problem(404);
    }
}

mod profile {
    use super::*;

    pub async fn a_new_name_is_kept_across_refresh_and_sign_in() {
        let (w, p) = with_sign_in();
        let mut account = sign_in(&w, &p);
        let provider_name = account.user.name.clone();
        let reply = patch_me(
            &w,
            Some(&account.token),
            Some("application/json"),
            r#"{"name":"  민지 Kim "}"#,
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        let user: UserInfo = reply.json();
        assert_eq!(
            user,
            UserInfo {
                name: "민지 Kim".into(),
                ..account.user.clone()
            }
        );
        // The app refreshes to get a token with the new name.
        assert_eq!(refreshed(&w, &mut account).name, "민지 Kim");
        // A chosen name outlives the next sign-in with the provider.
        let mut again = Browser::new();
        let done = oauth_flow::sign_in(
            &mut again,
            w.base_url(),
            &p,
            Provider::Github,
            &account.login,
            "/",
        );
        assert_eq!(done.refreshed.user.id, account.user.id);
        assert_eq!(
            done.refreshed.user.name, "민지 Kim",
            "not {provider_name:?} again"
        );
        // And the socket stamps it.
        let room = format!("p-{}", uuid::Uuid::new_v4().simple());
        let (client, welcome) = join(&w, &room, &account.token, "Minji").await;
        assert_eq!(welcome.you.name, "민지 Kim");
        assert!(!welcome.you.guest);
        client.close().await;
    }

    pub async fn bad_json_and_bad_names_are_400() {
        let w = open();
        let (token, _) = minted_user(&w, "Mina");
        let json = Some("application/json");
        for body in [
            "",
            "not json",
            "[]",
            "{}",
            r#"{"name":5}"#,
            r#"{"name":""}"#,
            r#"{"name":"   "}"#,
            r#"{"name":"a\u0007b"}"#,
            &format!(r#"{{"name":"{}"}}"#, "x".repeat(41)),
        ] {
            patch_me(&w, Some(&token), json, body).expect_problem(400);
        }
        let huge = format!(r#"{{"name":"{}"}}"#, "x".repeat(64 * 1024));
        patch_me(&w, Some(&token), json, &huge).expect_problem(413);
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            patch_me(&w, Some(&token), content_type, r#"{"name":"Mina"}"#).expect_problem(415);
        }
    }

    pub async fn an_unknown_user_has_no_profile_to_change() {
        let w = open();
        let (token, _) = minted_user(&w, "Mina");
        let problem = patch_me(
            &w,
            Some(&token),
            Some("application/json"),
            r#"{"name":"Minji"}"#,
        )
        .expect_problem(401);
        assert!(problem.detail.contains("sign in"), "{}", problem.detail);
    }
}

mod rooms {
    use super::*;

    pub async fn guests_cannot_make_rooms_and_bad_bodies_are_400() {
        let w = open();
        let guest = http::guest(w.base_url(), "Gus");
        post_rooms(&w, Some(&guest.access_token), "{}").expect_problem(403);
        let (token, _) = minted_user(&w, "Mina");
        for body in ["", "nope", "[]", r#"{"require_sign_in":"yes"}"#] {
            post_rooms(&w, Some(&token), body).expect_problem(400);
        }
        let reply = http::request(
            "POST",
            &format!("{}/api/rooms", w.base_url()),
            &[
                ("content-type", "text/plain"),
                ("authorization", &bearer(&token)),
            ],
            Some(r#"{"require_sign_in":true}"#),
        );
        reply.expect_problem(415);
    }

    pub async fn a_signed_in_person_makes_a_room_with_a_new_random_name() {
        let w = open();
        let (token, _) = minted_user(&w, "Mina");
        let reply = post_rooms(&w, Some(&token), r#"{"require_sign_in":true}"#);
        assert_eq!(reply.status, 201, "{}", reply.body);
        assert_eq!(media_type(&reply.content_type), "application/json");
        let raw: serde_json::Value = reply.json();
        let room = raw["room"].as_str().expect("room is a string").to_owned();
        assert_eq!(raw["require_sign_in"], serde_json::json!(true), "{raw}");
        assert_eq!(room.len(), 32, "{room}");
        assert!(room.bytes().all(|b| b.is_ascii_hexdigit()), "{room}");
        let other = make_locked_room(&w, &token);
        assert_ne!(other, room, "every room gets a new name");
        // Without the option the room is made as well, open to guests.
        let reply = post_rooms(&w, Some(&token), "{}");
        assert_eq!(reply.status, 201, "{}", reply.body);
        let open_room: CreateRoomResponse = reply.json();
        assert!(!open_room.require_sign_in);
        let guest = http::guest(w.base_url(), "Gus");
        let (client, welcome) = join(&w, &open_room.room, &guest.access_token, "guest").await;
        assert_eq!(welcome.room, open_room.room);
        client.close().await;
    }

    pub async fn a_guest_is_refused_with_sign_in_required_and_never_counted() {
        let w = open();
        let (mina, mina_id) = minted_user(&w, "Mina");
        let room = make_locked_room(&w, &mina);
        let (mut first, welcome) = join(&w, &room, &mina, "Mina").await;
        assert_eq!(welcome.you.user_id, mina_id);
        assert!(!welcome.you.guest && welcome.peers.is_empty());

        // Two guests try: each is upgraded, told why, and closed with 4403.
        for name in ["Gus", "Gita"] {
            let guest = http::guest(w.base_url(), name);
            let mut socket = connect(
                &w.room_ws_url(&room),
                Some(w.origin()),
                Some(&protocols_for(&guest.access_token)),
            )
            .await
            .unwrap_or_else(|e| panic!("{name}: the upgrade is accepted: {e:?}"));
            socket.label = name.to_owned();
            match socket.expect_frame().await {
                ServerFrame::Error {
                    code: ErrorCode::SignInRequired,
                    message,
                    client_id: None,
                } => assert_eq!(message, SIGN_IN_MESSAGE),
                other => panic!("{name}: expected sign_in_required first, got {other:?}"),
            }
            assert_eq!(socket.expect_close().await, Some(close_code::FORBIDDEN));
        }

        // The member saw no one come or go: the next frame it gets is its own barrier answer.
        first.barrier().await;

        // A second signed-in person joins and sees only the first one.
        let (ben, ben_id) = minted_user(&w, "Ben");
        let (mut second, welcome) = join(&w, &room, &ben, "Ben").await;
        assert_eq!(welcome.you.user_id, ben_id);
        let peers: Vec<&str> = welcome.peers.iter().map(|p| p.user_id.as_str()).collect();
        assert_eq!(peers, [mina_id.as_str()], "guests are never members");
        match first.expect_frame().await {
            ServerFrame::PeerJoined { peer } => assert_eq!(peer.user_id, ben_id),
            other => panic!("expected Ben's peer_joined, got {other:?}"),
        }
        second.ping().await;
        first.close().await;
        second.close().await;

        // A guest refused while the room is empty is not a member either.
        let guest = http::guest(w.base_url(), "Gus");
        let mut socket = connect(
            &w.room_ws_url(&room),
            Some(w.origin()),
            Some(&protocols_for(&guest.access_token)),
        )
        .await
        .unwrap_or_else(|e| panic!("the upgrade is accepted: {e:?}"));
        assert_eq!(
            socket.expect_error(ErrorCode::SignInRequired).await,
            SIGN_IN_MESSAGE
        );
        match socket.next_event().await {
            Event::Closed(Some((code, _))) => assert_eq!(code, close_code::FORBIDDEN),
            other => panic!("expected a 4403 close, got {other:?}"),
        }
        let (third, welcome) = join(&w, &room, &ben, "Ben again").await;
        assert!(welcome.peers.is_empty(), "{:?}", welcome.peers);
        third.close().await;
    }

    pub async fn rooms_made_by_joining_still_admit_guests() {
        let w = open();
        let room = format!("p-{}", uuid::Uuid::new_v4().simple());
        let guest = http::guest(w.base_url(), "Gus");
        let (client, welcome) = join(&w, &room, &guest.access_token, "Gus").await;
        assert!(welcome.you.guest);
        client.close().await;
    }
}
