//! HTTP basics: `/api/health`, problem+json 404 and 405, and no bench seed route by default.

use confab_protocol::Health;
use confab_tests::http::{self, media_type};
use serde_json::Value;

use super::{guest_token, new_room, open, url};

pub async fn health_reports_ok_and_version() {
    let w = open();
    let reply = http::get(&url(&w, "/api/health"), &[]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(media_type(&reply.content_type), "application/json");
    let health: Health = reply.json();
    assert!(health.ok, "{}", reply.body);
    assert!(
        !health.version.trim().is_empty(),
        "version is empty: {}",
        reply.body
    );
    // Exactly the two documented fields.
    let raw: Value = reply.json();
    assert_eq!(raw.as_object().map(|o| o.len()), Some(2), "{}", reply.body);
}

/// Before the WebAssembly runs, the page already says what it is and that it is loading, and
/// without JavaScript it says what to do, in Korean and English.
pub async fn the_page_shows_its_name_while_loading_and_without_javascript() {
    let w = open();
    let reply = http::get(&url(&w, "/"), &[]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(media_type(&reply.content_type), "text/html");
    let page = &reply.body;
    // Attribute quoting is left to the HTML minifier, so only names and text are looked for.
    for wanted in [
        "boot",
        "brand",
        "spinner",
        "Loading…",
        "<noscript>",
        "JavaScript를 켜 주세요",
        "Confab needs JavaScript",
    ] {
        assert!(page.contains(wanted), "{wanted:?} missing from {page}");
    }
}

/// Installable as an app: the page links a web app manifest whose name, start URL, display
/// mode, theme colour and icons (192 and 512 px, plain and maskable) are all served.
pub async fn the_app_can_be_installed_from_its_manifest_and_icons() {
    let w = open();
    let page = http::get(&url(&w, "/"), &[]).body;
    for wanted in ["manifest.webmanifest", "apple-touch-icon"] {
        assert!(page.contains(wanted), "{wanted:?} missing from {page}");
    }
    // One browser-bar colour per scheme.
    assert_eq!(page.matches("theme-color").count(), 2, "{page}");
    for scheme in ["prefers-color-scheme: light", "prefers-color-scheme: dark"] {
        assert!(page.contains(scheme), "{scheme:?} missing from {page}");
    }
    let reply = http::get(&url(&w, "/manifest.webmanifest"), &[]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let manifest: Value = serde_json::from_str(&reply.body).expect("the manifest is JSON");
    assert_eq!(manifest["name"], "Confab");
    assert_eq!(manifest["start_url"], "/");
    assert_eq!(manifest["display"], "standalone");
    assert!(manifest["theme_color"]
        .as_str()
        .is_some_and(|c| c.starts_with('#')));
    let icons = manifest["icons"].as_array().expect("icons");
    let mut seen = Vec::new();
    for icon in icons {
        let src = icon["src"].as_str().expect("src");
        let sizes = icon["sizes"].as_str().expect("sizes");
        let (width, height) = png_size(&url(&w, src));
        assert_eq!(format!("{width}x{height}"), sizes, "{src}");
        seen.push(format!(
            "{sizes} {}",
            icon["purpose"].as_str().unwrap_or("any")
        ));
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "192x192 any",
            "192x192 maskable",
            "512x512 any",
            "512x512 maskable"
        ]
    );
    assert_eq!(
        png_size(&url(&w, "/icons/apple-touch-icon.png")),
        (180, 180)
    );
}

/// The pixel size of the PNG at `url`, from its IHDR chunk (which PNG puts first).
fn png_size(url: &str) -> (u32, u32) {
    let mut reply = ureq::get(url)
        .call()
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let content_type = reply
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "image/png", "{url}");
    let bytes = reply.body_mut().read_to_vec().expect("body");
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{url}"
    );
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (word(16), word(20))
}

pub async fn unknown_path_is_problem_404() {
    let w = open();
    for path in [
        "/api/nope",
        "/api/rooms/lobby",
        "/auth/nope",
        "/api/health/extra",
    ] {
        let problem = http::get(&url(&w, path), &[]).expect_problem(404);
        assert_eq!(problem.title, "Not Found", "{path}");
    }
}

/// The bulk-insert route exists only for `cargo xtask bench chat` (ALLOW_BENCH_SEED=true).
pub async fn bench_seed_route_does_not_exist_by_default() {
    let w = open();
    let token = guest_token(&w, "Ann");
    let auth = format!("Bearer {token}");
    let reply = http::request(
        "POST",
        &url(&w, &format!("/api/rooms/{}/seed", new_room())),
        &[
            ("content-type", "application/json"),
            ("authorization", &auth),
        ],
        Some(r#"{"texts":["planted"]}"#),
    );
    reply.expect_problem(404);
}

pub async fn wrong_method_is_problem_405() {
    let w = open();
    let room = new_room();
    let ws_path = format!("/api/rooms/{room}/ws");
    let cases = [
        ("POST", "/api/health"),
        ("DELETE", "/api/health"),
        ("GET", "/auth/guest"),
        ("PUT", "/auth/guest"),
        ("POST", "/api/ice"),
        ("POST", ws_path.as_str()),
    ];
    for (method, path) in cases {
        let body = (method != "GET" && method != "DELETE").then_some("{}");
        let reply = http::request(
            method,
            &url(&w, path),
            &[("content-type", "application/json")],
            body,
        );
        let problem = reply.expect_problem(405);
        assert_eq!(problem.title, "Method Not Allowed", "{method} {path}");
    }
}
