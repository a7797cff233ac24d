//! Rooms: presence, the signaling relay, media state, isolation, capacity and peer ids.

use std::time::Duration;

use confab_protocol::{limits, ClientFrame, ErrorCode, MediaState, ServerFrame};
use confab_tests::ws_client::{join, random_peer_id, FRAME_TIMEOUT};
use serde_json::json;

use super::{
    ann_and_ben, expect_peer_joined, expect_peer_left, expect_room_full, expect_signal,
    guest_token, is_peer_id, join_as, new_room, open, signal,
};

pub async fn joins_are_announced_both_ways() {
    let w = open();
    let room = new_room();
    let (mut a, wa) = join_as(&w, &room, "Ann").await;
    let (mut b, wb) = join_as(&w, &room, "Ben").await;
    assert_ne!(wa.peer_id, wb.peer_id);
    assert_eq!(
        wb.peers,
        vec![wa.you.clone()],
        "B's welcome must list exactly A"
    );
    let announced = expect_peer_joined(&mut a, &wb.peer_id).await;
    assert_eq!(announced, wb.you, "A must see B as B sees itself");
    assert_eq!(announced.name, "Ben");
    assert!(announced.guest);
    // Nothing else is pending for either.
    a.barrier().await;
    b.barrier().await;
    a.close().await;
    b.close().await;
}

pub async fn signal_reaches_only_the_addressee_stamped_by_server() {
    let w = open();
    let room = new_room();
    let (mut a, wa) = join_as(&w, &room, "Ann").await;
    let (mut b, wb) = join_as(&w, &room, "Ben").await;
    let (mut c, wc) = join_as(&w, &room, "Cat").await;
    expect_peer_joined(&mut a, &wb.peer_id).await;
    expect_peer_joined(&mut a, &wc.peer_id).await;
    expect_peer_joined(&mut b, &wc.peer_id).await;

    let data = json!({
        "description": { "type": "offer", "sdp": "v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\n" },
        "candidate": null,
        "nested": [1, -2, 3.5, "ü🙂", { "deep": [true, false, null] }],
        "empty": {},
    });
    a.send(&signal(&wb.peer_id, data.clone())).await;
    expect_signal(&mut b, &wa.peer_id, &data).await;

    // A client cannot name itself: a forged `from` is replaced by the real sender.
    let spoof =
        json!({ "type": "signal", "to": wb.peer_id, "from": wc.peer_id, "data": { "n": 2 } });
    a.send_json(&spoof).await;
    expect_signal(&mut b, &wa.peer_id, &json!({ "n": 2 })).await;

    // Neither the sender nor the bystander got any of it.
    a.barrier().await;
    c.barrier().await;
    for client in [a, b, c] {
        client.close().await;
    }
}

pub async fn signal_to_unknown_peer_is_an_error_and_socket_stays() {
    let w = open();
    let room = new_room();
    let (mut a, wa) = join_as(&w, &room, "Ann").await;
    a.send(&signal(&random_peer_id(), json!({ "x": 1 }))).await;
    let message = a.expect_error(ErrorCode::UnknownPeer).await;
    assert!(!message.is_empty());
    a.ping().await;
    // Signaling oneself is not a thing either.
    a.send(&signal(&wa.peer_id, json!({}))).await;
    a.expect_error(ErrorCode::UnknownPeer).await;
    a.ping().await;
    // And a peer that left is unknown from then on.
    let (b, wb) = join_as(&w, &room, "Ben").await;
    expect_peer_joined(&mut a, &wb.peer_id).await;
    b.close().await;
    expect_peer_left(&mut a, &wb.peer_id, FRAME_TIMEOUT).await;
    a.send(&signal(&wb.peer_id, json!({}))).await;
    a.expect_error(ErrorCode::UnknownPeer).await;
    a.ping().await;
    a.close().await;
}

pub async fn rooms_are_isolated() {
    let w = open();
    let (room_x, room_y) = (new_room(), new_room());
    let (mut a, _) = join_as(&w, &room_x, "Ann").await;
    let (mut b, wb) = join_as(&w, &room_y, "Ben").await;
    assert!(
        wb.peers.is_empty(),
        "a member of another room shows up: {:?}",
        wb.peers
    );
    // A peer id from another room is unknown here, and nothing reaches it.
    a.send(&signal(&wb.peer_id, json!({ "leak": true }))).await;
    a.expect_error(ErrorCode::UnknownPeer).await;
    b.barrier().await;
    a.close().await;
    b.close().await;
}

pub async fn media_state_is_broadcast_and_kept_for_newcomers() {
    let w = open();
    let room = new_room();
    let ((mut a, wa), (mut b, wb)) = ann_and_ben(&w, &room).await;

    a.send(&ClientFrame::Media {
        audio: true,
        video: false,
        screen: true,
    })
    .await;
    match b.expect_frame().await {
        ServerFrame::Media {
            peer_id,
            audio,
            video,
            screen,
        } => {
            assert_eq!(peer_id, wa.peer_id);
            assert_eq!((audio, video, screen), (true, false, true));
        }
        other => panic!("B expected media, got {other:?}"),
    }
    a.barrier().await; // not echoed to the sender

    let (c, wc) = join_as(&w, &room, "Cat").await;
    let seen_a = wc
        .peers
        .iter()
        .find(|m| m.peer_id == wa.peer_id)
        .expect("C's welcome lists A");
    assert_eq!(
        seen_a.media,
        MediaState {
            audio: true,
            video: false,
            screen: true
        }
    );
    let seen_b = wc
        .peers
        .iter()
        .find(|m| m.peer_id == wb.peer_id)
        .expect("C's welcome lists B");
    assert_eq!(seen_b.media, MediaState::default());
    assert_eq!(wc.peers.len(), 2, "{:?}", wc.peers);
    // The announcement of C to the others reports C's own (default) media.
    let c_at_a = expect_peer_joined(&mut a, &wc.peer_id).await;
    assert_eq!(c_at_a.media, MediaState::default());
    expect_peer_joined(&mut b, &wc.peer_id).await;
    for client in [a, b, c] {
        client.close().await;
    }
}

pub async fn close_announces_peer_left() {
    let w = open();
    let room = new_room();
    let ((mut a, _), (b, wb)) = ann_and_ben(&w, &room).await;
    b.close().await;
    expect_peer_left(&mut a, &wb.peer_id, Duration::from_secs(2)).await;
    // A newcomer no longer sees B.
    let (c, wc) = join_as(&w, &room, "Cat").await;
    assert_eq!(
        wc.peers.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["Ann"]
    );
    c.close().await;
    a.close().await;
}

pub async fn dropped_connection_announces_peer_left() {
    let w = open();
    let room = new_room();
    let ((mut a, _), (b, wb)) = ann_and_ben(&w, &room).await;
    b.drop_connection();
    expect_peer_left(&mut a, &wb.peer_id, Duration::from_secs(5)).await;
    a.close().await;
}

pub async fn ninth_member_is_refused_with_4409() {
    let w = open();
    let room = new_room();
    let mut members = Vec::new();
    for i in 0..limits::ROOM_CAPACITY {
        let (client, welcome) = join_as(&w, &room, &format!("P{i}")).await;
        assert_eq!(
            welcome.peers.len(),
            i,
            "member {i} sees the wrong number of peers"
        );
        members.push(client);
    }
    // Each member saw everyone after it arrive.
    for (i, member) in members.iter_mut().enumerate() {
        for _ in i + 1..limits::ROOM_CAPACITY {
            match member.expect_frame().await {
                ServerFrame::PeerJoined { .. } => {}
                other => panic!("member {i}: expected peer_joined, got {other:?}"),
            }
        }
    }

    expect_room_full(&w, &room).await;
    // The refused one was never announced.
    for member in members.iter_mut() {
        member.barrier().await;
    }

    // One leaves; once the others know, there is room again.
    let leaver = members.pop().expect("eight members");
    leaver.close().await;
    for member in members.iter_mut() {
        match member.expect_frame_within(Duration::from_secs(2)).await {
            ServerFrame::PeerLeft { .. } => {}
            other => panic!("expected peer_left, got {other:?}"),
        }
    }
    let (late, welcome) = join_as(&w, &room, "Late").await;
    assert_eq!(welcome.peers.len(), limits::ROOM_CAPACITY - 1);
    late.close().await;
    for member in members {
        member.close().await;
    }
}

/// When the server itself closes a socket (here 1009 for a frame over 64 KiB), that peer
/// has left: the others are told at once and newcomers no longer see it, even if its
/// client never answers the close (otherwise it would hold one of the room's 8 places).
pub async fn peer_closed_by_server_leaves_at_once() {
    let w = open();
    let room = new_room();
    let ((mut a, _), (mut b, wb)) = ann_and_ben(&w, &room).await;
    let huge = json!({ "type": "ping", "pad": "z".repeat(limits::MAX_FRAME_BYTES) }).to_string();
    b.send_text(&huge).await;
    // B now reads nothing, so it never answers the server's close.
    expect_peer_left(&mut a, &wb.peer_id, Duration::from_secs(2)).await;
    let (c, wc) = join_as(&w, &room, "Cat").await;
    assert!(
        wc.peers.iter().all(|m| m.peer_id != wb.peer_id),
        "a newcomer still sees the peer the server closed: {:?}",
        wc.peers
    );
    b.drop_connection();
    c.close().await;
    a.close().await;
}

pub async fn peer_ids_are_never_reused() {
    let w = open();
    let room = new_room();
    let token = guest_token(&w, "Ann");
    let mut seen = Vec::new();
    for round in 0..3 {
        let (client, welcome) = join(&w, &room, &token, &format!("round {round}")).await;
        assert!(is_peer_id(&welcome.peer_id));
        seen.push(welcome.peer_id);
        client.close().await;
    }
    // The same user twice at once: two peers.
    let (mut first, w1) = join(&w, &room, &token, "first").await;
    let (second, w2) = join(&w, &room, &token, "second").await;
    assert_eq!(
        w2.peers.len(),
        1,
        "the first connection is listed: {:?}",
        w2.peers
    );
    assert_eq!(w1.you.user_id, w2.you.user_id);
    expect_peer_joined(&mut first, &w2.peer_id).await;
    seen.push(w1.peer_id);
    seen.push(w2.peer_id);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "peer ids repeat: {seen:?}");
    first.close().await;
    second.close().await;
}
