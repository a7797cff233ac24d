//! `POST /auth/guest`: the guest token, name limits, refused names, bodies and media types.

use confab_tests::http::{self, media_type};

use super::{locked, open, url};

pub async fn issues_a_guest_token() {
    let w = open();
    let reply = http::guest_reply(w.base_url(), "  Mina  ");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(media_type(&reply.content_type), "application/json");
    let body: confab_protocol::GuestResponse = reply.json();
    assert_eq!(body.token_type, "Bearer");
    assert_eq!(body.expires_in, 600);
    assert!(body.user.guest);
    assert_eq!(body.user.name, "Mina", "the name is trimmed");
    let suffix = body
        .user
        .id
        .strip_prefix("guest:")
        .unwrap_or_else(|| panic!("id {:?}", body.user.id));
    assert!(!suffix.is_empty(), "guest id has nothing after the prefix");
    assert_eq!(
        body.access_token.split('.').count(),
        3,
        "a JWT: {}",
        body.access_token
    );

    // Every guest is somebody new.
    let again = http::guest(w.base_url(), "Mina");
    assert_ne!(again.user.id, body.user.id);
    assert_ne!(again.access_token, body.access_token);
}

pub async fn name_limits_count_characters() {
    let w = open();
    let ascii_40 = "a".repeat(40);
    let hangul_40 = "가".repeat(40); // 120 bytes, 40 characters
    for name in [
        "M",
        ascii_40.as_str(),
        hangul_40.as_str(),
        "Mina Kim-Lee",
        "민아 🙂",
        "👩\u{200D}💻 Mina",
    ] {
        let body = http::guest(w.base_url(), name);
        assert_eq!(body.user.name, name);
    }
}

pub async fn rejects_bad_names_with_400() {
    let w = open();
    let ascii_41 = "a".repeat(41);
    let hangul_41 = "가".repeat(41);
    let padded_41 = format!("  {ascii_41}  ");
    let bad = [
        "",
        "   ",
        "\t\n",
        ascii_41.as_str(),
        hangul_41.as_str(),
        padded_41.as_str(),
        "Mi\u{0}na",
        "Mi\nna",
        "tab\there",
        "\u{7}bell",
        "del\u{7f}",
        "c\u{85}1",
        // Invisible or reordering: one person could pass for another, or look blank.
        "\u{202E}nimda",
        "An\u{200B}n",
        "A\u{200D}nn",
        "Mina\u{2066}",
        "\u{3164}",
    ];
    for name in bad {
        let reply = http::guest_reply(w.base_url(), name);
        let problem = reply.expect_problem(400);
        assert_eq!(problem.title, "Bad Request", "name {name:?}");
    }
}

pub async fn rejects_bad_bodies_with_400() {
    let w = open();
    let endpoint = url(&w, "/auth/guest");
    for body in [
        "",
        "{",
        "{}",
        "[]",
        "\"Mina\"",
        "{\"name\":5}",
        "{\"name\":null}",
        "{\"nom\":\"Mina\"}",
    ] {
        http::post(&endpoint, Some("application/json"), body).expect_problem(400);
    }
}

pub async fn large_bodies_get_413_without_being_read_whole() {
    let w = open();
    let endpoint = url(&w, "/auth/guest");
    // Valid JSON all the same: only its size is wrong.
    let padded = format!("{{\"name\":\"Mina\"{}}}", " ".repeat(64 * 1024));
    let problem = http::post(&endpoint, Some("application/json"), &padded).expect_problem(413);
    assert_eq!(problem.title, "Content Too Large");
    // The same request, small, is fine afterwards.
    let reply = http::post(&endpoint, Some("application/json"), r#"{"name":"Mina"}"#);
    assert_eq!(reply.status, 200, "{}", reply.body);
}

pub async fn requires_json_content_type() {
    let w = open();
    let endpoint = url(&w, "/auth/guest");
    let body = r#"{"name":"Mina"}"#;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let problem = http::post(&endpoint, content_type, body).expect_problem(415);
        assert_eq!(problem.title, "Unsupported Media Type", "{content_type:?}");
    }
    // Parameters on the JSON media type are fine.
    let reply = http::post(&endpoint, Some("application/json; charset=utf-8"), body);
    assert_eq!(reply.status, 200, "{}", reply.body);
}

pub async fn disabled_guests_get_403() {
    let w = locked();
    let problem = http::guest_reply(w.base_url(), "Mina").expect_problem(403);
    assert_eq!(problem.title, "Forbidden");
}

/// New guests (each a `Sessions` object and its storage) are limited per client address: 20 in
/// ten seconds, then 429 with `Retry-After`; a mistake from that address is still answered as
/// one, and another address is welcome.
pub async fn new_guests_are_limited_per_address() {
    let w = open();
    let busy = http::some_client_address();
    let mut made = 0;
    let refused = loop {
        let reply = http::guest_reply_from(w.base_url(), "Crowd", &busy);
        if reply.status != 200 {
            break reply;
        }
        made += 1;
        // 20 a window; the window may turn over once while we count.
        assert!(made <= 40, "more than two windows' worth made");
    };
    assert!(made >= 20, "refused after {made}");
    assert_eq!(refused.header("retry-after"), Some("10"));
    let problem = refused.expect_problem(429);
    assert_eq!(problem.title, "Too Many Requests");
    let bad_name = http::request(
        "POST",
        &url(&w, "/auth/guest"),
        &[
            ("content-type", "application/json"),
            ("cf-connecting-ip", busy.as_str()),
        ],
        Some(r#"{"name":""}"#),
    );
    bad_name.expect_problem(400);
    assert_eq!(http::guest_reply(w.base_url(), "Other").status, 200);
}
