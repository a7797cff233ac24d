//! `POST /api/rooms`, and rooms that require sign-in: a guest is refused (4403), never a member.

use confab_protocol::{close_code, CreateRoomResponse, ErrorCode, ServerFrame};
use confab_tests::http::{self, media_type};
use confab_tests::wrangler::Wrangler;
use confab_tests::ws_client::{connect, join, protocols_for, Client, Event};

use super::{bearer, make_locked_room, minted_user, open, post_rooms, SIGN_IN_MESSAGE};

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
        let mut socket = guest_socket(&w, &room, name).await;
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
    let mut socket = guest_socket(&w, &room, "Gus").await;
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

/// A new guest `name`'s socket to `room`, whose upgrade must be accepted.
async fn guest_socket(w: &Wrangler, room: &str, name: &str) -> Client {
    let guest = http::guest(w.base_url(), name);
    let mut socket = connect(
        &w.room_ws_url(room),
        Some(w.origin()),
        Some(&protocols_for(&guest.access_token)),
    )
    .await
    .unwrap_or_else(|e| panic!("{name}: the upgrade is accepted: {e:?}"));
    socket.label = name.to_owned();
    socket
}

pub async fn rooms_made_by_joining_still_admit_guests() {
    let w = open();
    let room = format!("p-{}", uuid::Uuid::new_v4().simple());
    let guest = http::guest(w.base_url(), "Gus");
    let (client, welcome) = join(&w, &room, &guest.access_token, "Gus").await;
    assert!(welcome.you.guest);
    client.close().await;
}
