//! Profiles, profile images and rooms that require sign-in, against the real worker under
//! `wrangler dev`:
//!
//! - [`auth`]: who may call `PATCH /api/me`, `PUT /api/me/avatar` and `POST /api/rooms`.
//! - [`avatar`]: `PUT /api/me/avatar` (magic-byte type check, 2 MiB limit, R2 storage) and
//!   `GET /api/avatars/<user id>` (same bytes, safe headers).
//! - [`history`]: a room whose history each person reads from their first admission on.
//! - [`profile`]: `PATCH /api/me`, a new display name.
//! - [`rooms`]: `POST /api/rooms`, and a guest's socket to a room that requires sign-in
//!   (`sign_in_required`, 4403, never a member).
//!
//! Checks that happen before the user's profile is touched (tokens, guests, size, type, JSON)
//! use access tokens the tests mint with the worker's key for a non-guest user id. Changing a
//! profile needs a user the worker knows: those tests sign in for real, through the GitHub
//! stand-in ([`confab_tests::providers`], [`confab_tests::oauth_flow`]), and refresh the session
//! to see the change.

mod auth;
mod avatar;
mod history;
mod profile;
mod rooms;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use confab_protocol::{CreateRoomResponse, UserInfo};
use confab_tests::http::{self, Reply};
use confab_tests::oauth_flow::{self, Browser};
use confab_tests::providers::{Provider, Providers};
use confab_tests::suite::run_with_workers;
use confab_tests::token::{self, Claims};
use confab_tests::wrangler::{scratch_root, Options, Shared, Wrangler};

static OPEN: Shared = Shared::new();
/// The provider stand-ins, started with the worker.
static PROVIDERS: Mutex<Option<Arc<Providers>>> = Mutex::new(None);
static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

/// No single test may take longer than this.
const TEST_TIMEOUT: Duration = Duration::from_secs(120);
const MIB2: usize = 2 * 1024 * 1024;
const SIGN_IN_MESSAGE: &str = "This room is only for signed-in people. Sign in to join.";

fn main() {
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
        history::late_joiners_read_chat_from_their_first_admission_when_the_room_says_so,
    ];
    let conclusion = run_with_workers(trials, &[&OPEN]);
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

/// The account's person signs in with GitHub again, in a new browser: the user the new
/// session names, after checking it is the same user.
fn signed_in_again(w: &Wrangler, p: &Providers, account: &Account) -> UserInfo {
    let mut again = Browser::new();
    let done = oauth_flow::sign_in(
        &mut again,
        w.base_url(),
        p,
        Provider::Github,
        &account.login,
        "/",
    );
    assert_eq!(done.refreshed.user.id, account.user.id, "the same user");
    done.refreshed.user
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

/// `method path` with a text body, sent with `token` as bearer and `content_type` (`None`:
/// without that header).
fn request(
    w: &Wrangler,
    method: &str,
    path: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> Reply {
    let auth = token.map(bearer);
    let mut headers = Vec::new();
    if let Some(ct) = content_type {
        headers.push(("content-type", ct));
    }
    if let Some(auth) = &auth {
        headers.push(("authorization", auth.as_str()));
    }
    let url = format!("{}{path}", w.base_url());
    http::request(method, &url, &headers, Some(body))
}

fn patch_me(w: &Wrangler, token: Option<&str>, content_type: Option<&str>, body: &str) -> Reply {
    request(w, "PATCH", "/api/me", token, content_type, body)
}

fn post_rooms(w: &Wrangler, token: Option<&str>, body: &str) -> Reply {
    request(
        w,
        "POST",
        "/api/rooms",
        token,
        Some("application/json"),
        body,
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
