//! The socket upgrade's checks: subprotocol, room name, origin, bearer token.

use confab_protocol::MediaState;
use confab_tests::http::{self, Reply};
use confab_tests::token::{self, unix_now, Claims};
use confab_tests::wrangler::JwtKey;
use confab_tests::ws_client::{attempt_upgrade, connect, join, protocols_for};
use serde_json::json;

use super::{
    forged_token, guest_token, is_peer_id, join_as, locked, new_room, open, url, LOCKED_ORIGIN,
};

/// Attempts an upgrade that must be refused; returns the whole refusal.
async fn refused(url: &str, origin: Option<&str>, protocols: Option<&str>) -> Reply {
    let reply = attempt_upgrade(url, origin, protocols).await;
    assert_ne!(
        reply.status, 101,
        "upgrade to {url} (origin {origin:?}, protocols {protocols:?}) was accepted"
    );
    reply
}

pub async fn good_upgrade_selects_confab_v1_and_welcomes() {
    let w = open();
    let room = new_room();
    let guest = http::guest(w.base_url(), "Mina");
    let protocols = protocols_for(&guest.access_token);
    let mut client = connect(&w.room_ws_url(&room), Some(w.origin()), Some(&protocols))
        .await
        .unwrap_or_else(|e| panic!("upgrade failed: {e:?}"));
    assert_eq!(
        client.subprotocol.as_deref(),
        Some("confab.v1"),
        "the server must select confab.v1 only"
    );
    let welcome = client.expect_welcome().await;
    assert!(
        is_peer_id(&welcome.peer_id),
        "peer id {:?} is not 32 lowercase hex",
        welcome.peer_id
    );
    assert_eq!(welcome.room, room);
    assert_eq!(welcome.you.peer_id, welcome.peer_id);
    assert_eq!(welcome.you.user_id, guest.user.id);
    assert_eq!(welcome.you.name, "Mina");
    assert!(welcome.you.guest);
    assert_eq!(welcome.you.media, MediaState::default());
    assert!(
        welcome.peers.is_empty(),
        "first in the room, yet peers: {:?}",
        welcome.peers
    );
    assert!(
        welcome.history.is_empty(),
        "new room, yet history: {:?}",
        welcome.history
    );
    client.ping().await;
    client.close().await;
}

pub async fn bad_room_names_are_400() {
    let w = open();
    let token = guest_token(&w, "Mina");
    let protocols = protocols_for(&token);
    let too_long = "a".repeat(65);
    for room in [
        "bad.room",
        too_long.as_str(),
        "a%20b",
        "caf%C3%A9",
        "a~b",
        "a+b",
        "a:b",
    ] {
        let reply = refused(&w.room_ws_url(room), Some(w.origin()), Some(&protocols)).await;
        let problem = reply.expect_problem(400);
        assert_eq!(problem.title, "Bad Request", "room {room:?}");
    }
}

pub async fn longest_room_name_is_accepted() {
    let w = open();
    let room = format!(
        "{}-_Z9",
        &uuid::Uuid::new_v4().simple().to_string().repeat(2)[..60]
    );
    assert_eq!(room.len(), 64);
    let (client, welcome) = join_as(&w, &room, "Mina").await;
    assert_eq!(welcome.room, room);
    client.close().await;
}

pub async fn plain_get_is_426() {
    let w = open();
    let token = guest_token(&w, "Mina");
    let protocols = protocols_for(&token);
    let path = format!("/api/rooms/{}/ws", new_room());
    let reply = http::get(
        &url(&w, &path),
        &[
            ("origin", w.origin()),
            ("sec-websocket-protocol", &protocols),
        ],
    );
    let problem = reply.expect_problem(426);
    assert_eq!(problem.title, "Upgrade Required");
}

pub async fn foreign_or_missing_origin_is_403() {
    let w = open();
    let token = guest_token(&w, "Mina");
    let protocols = protocols_for(&token);
    let ws = w.room_ws_url(&new_room());
    let lookalike = format!("{}.evil.example", w.origin());
    let other_port = format!("http://127.0.0.1:{}", w.port().wrapping_add(1));
    for origin in [
        Some("https://evil.example"),
        Some(lookalike.as_str()),
        Some(other_port.as_str()),
        Some("null"),
        None,
    ] {
        let problem = refused(&ws, origin, Some(&protocols))
            .await
            .expect_problem(403);
        assert_eq!(problem.title, "Forbidden", "origin {origin:?}");
    }
}

pub async fn trunk_serve_origin_is_allowed() {
    let w = open();
    let token = guest_token(&w, "Mina");
    for origin in ["http://localhost:8080", "http://127.0.0.1:8080"] {
        let mut client = connect(
            &w.room_ws_url(&new_room()),
            Some(origin),
            Some(&protocols_for(&token)),
        )
        .await
        .unwrap_or_else(|e| panic!("origin {origin} refused: {e:?}"));
        client.expect_welcome().await;
        client.close().await;
    }
}

/// With `ALLOWED_ORIGINS` set, only the listed origins may connect (not even the worker's own).
pub async fn explicit_allow_list_replaces_the_default() {
    let w = locked();
    // Guests are off here: mint a token with the worker's key.
    let token = token::mint(w.jwt_key(), &Claims::guest("Mina"));
    let protocols = protocols_for(&token);
    let ws = w.room_ws_url(&new_room());
    let mut client = connect(&ws, Some(LOCKED_ORIGIN), Some(&protocols))
        .await
        .unwrap_or_else(|e| panic!("listed origin refused: {e:?}"));
    let welcome = client.expect_welcome().await;
    assert_eq!(welcome.you.name, "Mina");
    client.close().await;
    for origin in [w.origin(), "http://localhost:8080"] {
        refused(&ws, Some(origin), Some(&protocols))
            .await
            .expect_problem(403);
    }
}

pub async fn missing_bearer_subprotocol_is_401() {
    let w = open();
    let ws = w.room_ws_url(&new_room());
    for protocols in [
        None,
        Some("confab.v1"),
        Some("confab.v1, bearer."),
        Some("confab.v1, token.abc"),
    ] {
        let problem = refused(&ws, Some(w.origin()), protocols)
            .await
            .expect_problem(401);
        assert_eq!(problem.title, "Unauthorized", "protocols {protocols:?}");
    }
}

pub async fn bad_tokens_are_401() {
    let w = open();
    let ws = w.room_ws_url(&new_room());
    let key = w.jwt_key();
    let now = unix_now();
    let expired = Claims::expired_guest("Old");
    let future = Claims {
        iat: now + 3600,
        nbf: now + 3600,
        exp: now + 4200,
        ..Claims::guest("Early")
    };
    let wrong_aud = Claims {
        aud: "someone-else".into(),
        ..Claims::guest("Aud")
    };
    let wrong_iss = Claims {
        iss: "someone-else".into(),
        ..Claims::guest("Iss")
    };
    let unknown_kid = JwtKey {
        kid: "no-such-kid".into(),
        ..key.clone()
    };
    let wrong_typ = token::sign(
        &key.secret,
        &json!({ "alg": "HS256", "kid": key.kid, "typ": "JWT" }),
        &Claims::guest("Typ").to_json(),
    );
    let cases = [
        ("garbage", "not-a-jwt".to_owned()),
        ("signed with another key", forged_token(&w)),
        (
            "alg none",
            token::unsigned(&key.kid, &Claims::guest("None")),
        ),
        (
            "unknown kid",
            token::mint(&unknown_kid, &Claims::guest("Kid")),
        ),
        ("expired", token::mint(key, &expired)),
        ("not yet valid", token::mint(key, &future)),
        ("wrong audience", token::mint(key, &wrong_aud)),
        ("wrong issuer", token::mint(key, &wrong_iss)),
        ("wrong typ", wrong_typ),
    ];
    for (what, token) in &cases {
        let reply = refused(&ws, Some(w.origin()), Some(&protocols_for(token))).await;
        assert_eq!(reply.status, 401, "{what}: {}", reply.body);
        reply.expect_problem(401);
    }
    // Control: the same minting with the right key and fields is accepted.
    let (client, welcome) = join(
        &w,
        &new_room(),
        &token::mint(key, &Claims::guest("Good")),
        "good",
    )
    .await;
    assert_eq!(welcome.you.name, "Good");
    client.close().await;
}
