//! Sockets opened ahead of the click on Join (`?standby=1`) against the real worker: nobody
//! sees one and the room tells it nothing until it sends `join`; then the room decides as at
//! an upgrade (welcome on the same socket, the lobby, a lock), and it never rides with
//! `replaces`.

use confab_protocol::{close_code, ClientFrame, ErrorCode, RoomAccess, ServerFrame};
use confab_tests::ws_client::{attempt_upgrade, connect, protocols_for, random_peer_id, Client};
use uuid::Uuid;

use super::{expect_peer_joined, guest_token, join_as, new_room, open};
use confab_tests::wrangler::Wrangler;

async fn stand_by(w: &Wrangler, room: &str, name: &str) -> Client {
    stand_by_with(w, room, &guest_token(w, name), name).await
}

async fn stand_by_with(w: &Wrangler, room: &str, token: &str, label: &str) -> Client {
    let url = format!("{}?standby=1", w.room_ws_url(room));
    let mut client = connect(&url, Some(w.origin()), Some(&protocols_for(token)))
        .await
        .unwrap_or_else(|e| panic!("{label}: standby upgrade failed: {e:?}"));
    client.label = label.to_owned();
    client
}

/// Proves nothing reached a standby socket so far: its next frame is the refusal of a frame
/// only members may send.
async fn heard_nothing(client: &mut Client) {
    client
        .send(&ClientFrame::History {
            before_seq: None,
            limit: None,
        })
        .await;
    let message = client.expect_error(ErrorCode::Forbidden).await;
    assert!(message.contains("join"), "{}: {message}", client.label);
}

fn access(locked: Option<bool>, lobby: Option<bool>) -> ClientFrame {
    ClientFrame::SetAccess {
        locked,
        capacity: None,
        history: None,
        lobby,
    }
}

async fn expect_access(client: &mut Client, want: impl Fn(&RoomAccess) -> bool) {
    match client.expect_frame().await {
        ServerFrame::Access { access } if want(&access) => {}
        other => panic!("{}: expected access, got {other:?}", client.label),
    }
}

pub async fn a_socket_opened_ahead_is_nobody_until_it_joins() {
    let w = open();
    let room = new_room();
    let (mut ann, ann_welcome) = join_as(&w, &room, "Ann").await;
    let mut ben = stand_by(&w, &room, "Ben").await;

    // Ann talks and changes her media; Ben's socket hears none of it and Ann sees no Ben.
    ann.send(&ClientFrame::Chat {
        client_id: Uuid::new_v4(),
        text: "before Ben joined".into(),
    })
    .await;
    assert!(matches!(ann.expect_frame().await, ServerFrame::Chat { .. }));
    ann.send(&ClientFrame::Media {
        audio: false,
        video: true,
        screen: false,
    })
    .await;
    ann.barrier().await;
    heard_nothing(&mut ben).await;
    ben.ping().await;

    // Join: the welcome comes on the same socket, with Ann, her media and her chat.
    ben.send(&ClientFrame::Join {}).await;
    let welcome = ben.expect_welcome().await;
    assert_eq!(welcome.room, room);
    assert_eq!(welcome.peers.len(), 1);
    assert_eq!(welcome.peers[0].peer_id, ann_welcome.peer_id);
    assert!(!welcome.peers[0].media.audio);
    assert_eq!(welcome.history.len(), 1);
    assert_eq!(welcome.history[0].text, "before Ben joined");
    let seen = expect_peer_joined(&mut ann, &welcome.peer_id).await;
    assert_eq!(seen.name, "Ben");

    // Now a member: signaling works both ways, and a second `join` is refused.
    ben.send(&ClientFrame::Signal {
        to: ann_welcome.peer_id.clone(),
        data: serde_json::json!({"hello": 1}),
    })
    .await;
    match ann.expect_frame().await {
        ServerFrame::Signal { from, .. } => assert_eq!(from, welcome.peer_id),
        other => panic!("Ann: expected Ben's signal, got {other:?}"),
    }
    ben.send(&ClientFrame::Join {}).await;
    ben.expect_error(ErrorCode::Forbidden).await;
    ben.barrier().await;
    ann.barrier().await;
}

pub async fn a_socket_opened_ahead_meets_the_rooms_rules_when_it_joins() {
    let w = open();
    let room = new_room();
    // Never together with `replaces`, nor anything but `standby=1`.
    let protocols = protocols_for(&guest_token(&w, "Ann"));
    for query in [
        format!("standby=1&replaces={}", random_peer_id()),
        "standby=yes".to_owned(),
        "standby=1&standby=1".to_owned(),
    ] {
        let url = format!("{}?{query}", w.room_ws_url(&room));
        let reply = attempt_upgrade(&url, Some(w.origin()), Some(&protocols)).await;
        let problem = reply.expect_problem(400);
        assert!(
            problem.detail.contains("standby"),
            "?{query}: {}",
            problem.detail
        );
    }

    // Two tabs a person may stand by; a third is closed with "try again later" (1013), which
    // is no final close: that page connects when it joins.
    let dan = guest_token(&w, "Dan");
    let _dan_tabs = [
        stand_by_with(&w, &room, &dan, "Dan 1").await,
        stand_by_with(&w, &room, &dan, "Dan 2").await,
    ];
    let mut third = stand_by_with(&w, &room, &dan, "Dan 3").await;
    third.expect_error(ErrorCode::RoomFull).await;
    assert_eq!(third.expect_close().await, Some(1013));

    let (mut ann, _) = join_as(&w, &room, "Ann").await;
    let mut ben = stand_by(&w, &room, "Ben").await;
    let mut cid = stand_by(&w, &room, "Cid").await;
    // The host locks the room while they look at their previews: Ben's join meets the lock.
    ann.send(&access(Some(true), None)).await;
    expect_access(&mut ann, |a| a.locked).await;
    ben.send(&ClientFrame::Join {}).await;
    ben.expect_error(ErrorCode::Locked).await;
    assert_eq!(ben.expect_close().await, Some(close_code::LOCKED));
    // Unlocked, with a lobby: Cid's join waits there, and the host sees him.
    ann.send(&access(Some(false), Some(true))).await;
    expect_access(&mut ann, |a| !a.locked && a.lobby).await;
    heard_nothing(&mut cid).await;
    cid.send(&ClientFrame::Join {}).await;
    let cid_id = match cid.expect_frame().await {
        ServerFrame::Lobby { peer_id, room: r } if r == room => peer_id,
        other => panic!("Cid: expected lobby, got {other:?}"),
    };
    match ann.expect_frame().await {
        ServerFrame::Waiting { waiting } => {
            assert_eq!(waiting.len(), 1);
            assert_eq!(waiting[0].peer_id, cid_id);
        }
        other => panic!("Ann: expected waiting, got {other:?}"),
    }
    ann.send(&ClientFrame::Admit {
        peer_ids: vec![cid_id.clone()],
    })
    .await;
    assert_eq!(cid.expect_welcome().await.peer_id, cid_id);
}
