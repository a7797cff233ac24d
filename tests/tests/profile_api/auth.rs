//! Who may change a profile or make a room: no or bad token 401, a guest 403; wrong methods 405.

use confab_protocol::GuestResponse;
use confab_tests::http;
use confab_tests::token::{self, Claims};

use super::{minted_user, open, patch_me, post_rooms, put_avatar, PNG};

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
        patch_me(&w, token, Some("application/json"), r#"{"name":"Mina"}"#).expect_problem(status);
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
