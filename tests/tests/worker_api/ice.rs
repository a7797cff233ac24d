//! `GET /api/ice`: a valid token is required; the ICE servers returned expire later.

use confab_protocol::IceResponse;
use confab_tests::http::{self, media_type};
use confab_tests::token::{self, unix_now, Claims};

use super::{forged_token, guest_token, open, url};

pub async fn requires_a_valid_token() {
    let w = open();
    let endpoint = url(&w, "/api/ice");
    http::get(&endpoint, &[]).expect_problem(401);
    let forged = format!("Bearer {}", forged_token(&w));
    let valid = guest_token(&w, "Mina");
    let basic = format!("Basic {valid}");
    for authorization in [
        "Bearer",
        "Bearer ",
        "Bearer not.a.jwt",
        forged.as_str(),
        basic.as_str(),
    ] {
        http::get(&endpoint, &[("authorization", authorization)]).expect_problem(401);
    }
}

pub async fn returns_servers_that_expire_later() {
    let w = open();
    let token = guest_token(&w, "Mina");
    let reply = http::get(
        &url(&w, "/api/ice"),
        &[("authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(media_type(&reply.content_type), "application/json");
    let ice: IceResponse = reply.json();
    assert!(
        !ice.ice_servers.is_empty(),
        "no ICE servers: {}",
        reply.body
    );
    for server in &ice.ice_servers {
        assert!(
            !server.urls.is_empty(),
            "a server without urls: {}",
            reply.body
        );
        for u in &server.urls {
            assert!(
                u.starts_with("stun:") || u.starts_with("turn:") || u.starts_with("turns:"),
                "not an ICE url: {u}"
            );
            if !u.starts_with("stun:") {
                assert!(
                    server.username.is_some() && server.credential.is_some(),
                    "TURN without credentials"
                );
            }
        }
    }
    assert!(
        ice.expires_at > unix_now(),
        "expires_at {} is not in the future",
        ice.expires_at
    );
    // A minted token from the same key works too (the tests' tokens match the worker's).
    let minted = token::mint(w.jwt_key(), &Claims::guest("Minted"));
    let reply = http::get(
        &url(&w, "/api/ice"),
        &[("authorization", &format!("Bearer {minted}"))],
    );
    assert_eq!(
        reply.status, 200,
        "a correctly minted token was refused: {}",
        reply.body
    );
}

/// Relay credentials (each may be a call to Cloudflare's TURN API) are limited per user: 20 a
/// minute, then 429 with `Retry-After`, while another user goes on.
pub async fn relay_requests_are_limited_per_user() {
    let w = open();
    let ask = |token: &str| {
        http::get(
            &url(&w, "/api/ice"),
            &[("authorization", &format!("Bearer {token}"))],
        )
    };
    let busy = guest_token(&w, "Busy");
    let mut answered = 0;
    let refused = loop {
        let reply = ask(&busy);
        if reply.status != 200 {
            break reply;
        }
        answered += 1;
        // 20 a window; the window may turn over once while we count.
        assert!(answered <= 40, "more than two windows' worth answered");
    };
    assert!(answered >= 20, "refused after {answered}");
    assert_eq!(refused.header("retry-after"), Some("60"));
    let problem = refused.expect_problem(429);
    assert_eq!(problem.title, "Too Many Requests");
    assert_eq!(ask(&guest_token(&w, "Calm")).status, 200);
}
