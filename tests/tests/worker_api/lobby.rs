//! The lobby against the real worker: newcomers wait until a host or co-host lets them in
//! (on the same socket) or turns them away (4413); hosts see the list change as people come
//! and go; nothing of the room reaches a waiting socket, whatever the members do and whatever
//! it sends; trusted signed-in members skip the lobby in the next meeting too; turning the
//! lobby off lets everyone waiting in.

use confab_protocol::{
    close_code, BanPeriod, ClientFrame, ErrorCode, HistoryVisibility, PeerId, Reaction, Role,
    RoomAccess, ServerFrame, Waiter,
};
use confab_tests::token::{self, Claims};
use confab_tests::wrangler::Wrangler;
use confab_tests::ws_client::{connect, protocols_for, random_peer_id, Client, Welcome};
use uuid::Uuid;

use super::{expect_peer_joined, guest_token, new_room, open};

fn set_lobby(on: bool) -> ClientFrame {
    ClientFrame::SetAccess {
        locked: None,
        capacity: None,
        history: None,
        lobby: Some(on),
    }
}

/// A signed-in person's token (minted with the worker's key).
fn member_token(w: &Wrangler, name: &str) -> String {
    let claims = Claims {
        sub: format!("github:{}", Uuid::new_v4().simple()),
        guest: false,
        ..Claims::guest(name)
    };
    token::mint(w.jwt_key(), &claims)
}

/// Opens a socket into `room`; its first frame must be `welcome`.
async fn enter(w: &Wrangler, room: &str, token: &str, label: &str) -> (Client, Welcome) {
    let mut client = knock_socket(w, room, token, label).await;
    let welcome = client.expect_welcome().await;
    (client, welcome)
}

async fn knock_socket(w: &Wrangler, room: &str, token: &str, label: &str) -> Client {
    let mut client = connect(
        &w.room_ws_url(room),
        Some(w.origin()),
        Some(&protocols_for(token)),
    )
    .await
    .unwrap_or_else(|e| panic!("{label}: upgrade failed: {e:?}"));
    client.label = label.to_owned();
    client
}

/// Opens a socket into `room` that the lobby holds: its first frame is `lobby`.
async fn wait_in_lobby(w: &Wrangler, room: &str, token: &str, label: &str) -> (Client, PeerId) {
    let mut client = knock_socket(w, room, token, label).await;
    match client.expect_frame().await {
        ServerFrame::Lobby { peer_id, room: r } if r == room => (client, peer_id),
        other => panic!("{label}: expected lobby first, got {other:?}"),
    }
}

async fn expect_waiting(client: &mut Client, want: &[&PeerId]) -> Vec<Waiter> {
    match client.expect_frame().await {
        ServerFrame::Waiting { waiting }
            if waiting.iter().map(|w| &w.peer_id).eq(want.iter().copied()) =>
        {
            waiting
        }
        other => panic!("{}: expected waiting {want:?}, got {other:?}", client.label),
    }
}

async fn expect_access(client: &mut Client, lobby: bool) {
    match client.expect_frame().await {
        ServerFrame::Access { access } if access.lobby == lobby => {}
        other => panic!(
            "{}: expected access with lobby {lobby}, got {other:?}",
            client.label
        ),
    }
}

/// A waiting socket's ordering barrier: the room answers `history` with `forbidden` after
/// everything it sent this socket before.
async fn nothing_but_forbidden(client: &mut Client) {
    client
        .send(&ClientFrame::History {
            before_seq: None,
            limit: None,
        })
        .await;
    client.expect_error(ErrorCode::Forbidden).await;
}

pub async fn the_lobby_holds_newcomers_until_a_host_lets_them_in_or_turns_them_away() {
    let w = open();
    let room = new_room();
    let ann_token = guest_token(&w, "Ann");
    let (mut ann, wa) = enter(&w, &room, &ann_token, "Ann").await;
    let (mut ben, wb) = enter(&w, &room, &member_token(&w, "Ben"), "Ben").await;
    expect_peer_joined(&mut ann, &wb.peer_id).await;

    // A member may not turn the lobby on, nor let anyone in.
    ben.send(&set_lobby(true)).await;
    ben.expect_error(ErrorCode::Forbidden).await;
    ben.send(&ClientFrame::Admit {
        peer_ids: vec![random_peer_id()],
    })
    .await;
    ben.expect_error(ErrorCode::Forbidden).await;
    ann.send(&set_lobby(true)).await;
    for client in [&mut ann, &mut ben] {
        expect_access(client, true).await;
    }

    // Cid and Dan knock: each hears only `lobby`; Ann (the host) sees the list grow, Ben not.
    let (mut cid, cid_id) = wait_in_lobby(&w, &room, &guest_token(&w, "Cid"), "Cid").await;
    let list = expect_waiting(&mut ann, &[&cid_id]).await;
    assert_eq!((list[0].name.as_str(), list[0].guest), ("Cid", true));
    let (mut dan, dan_id) = wait_in_lobby(&w, &room, &guest_token(&w, "Dan"), "Dan").await;
    expect_waiting(&mut ann, &[&cid_id, &dan_id]).await;

    // The members make the room send every kind of frame; none reaches the lobby.
    ben.send(&ClientFrame::Chat {
        client_id: Uuid::new_v4(),
        text: "before Cid came in".into(),
    })
    .await;
    for frame in [
        ClientFrame::Media {
            audio: true,
            video: false,
            screen: false,
        },
        ClientFrame::Hand { raised: true },
        ClientFrame::React {
            reaction: Reaction::Clap,
        },
        ClientFrame::Signal {
            to: wa.peer_id.clone(),
            data: serde_json::json!({"sdp": "offer"}),
        },
        ClientFrame::History {
            before_seq: None,
            limit: None,
        },
        ClientFrame::Search {
            q: "Cid".into(),
            limit: None,
        },
    ] {
        ben.send(&frame).await;
    }
    for frame in [
        ClientFrame::SetRole {
            peer_id: wb.peer_id.clone(),
            role: Role::Cohost,
        },
        ClientFrame::Trust {
            peer_id: wb.peer_id.clone(),
            trusted: true,
        },
        ClientFrame::Mute {
            peer_id: wb.peer_id.clone(),
        },
        ClientFrame::SetAccess {
            locked: None,
            capacity: Some(6),
            history: Some(HistoryVisibility::SinceJoined),
            lobby: None,
        },
    ] {
        ann.send(&frame).await;
    }
    // Ann's second tab comes and goes (a host skips the lobby): peer_joined, peer_left.
    let (second, _) = enter(&w, &room, &ann_token, "Ann 2").await;
    second.close().await;
    // Drain what the members heard, so the next frames are the lobby's.
    drain_through_barrier(&mut ann).await;
    drain_through_barrier(&mut ben).await;
    // Every frame a waiting socket can send: `forbidden`, except a ping.
    for frame in every_client_frame(&wa.peer_id) {
        cid.send(&frame).await;
        cid.expect_error(ErrorCode::Forbidden).await;
    }
    cid.ping().await;
    nothing_but_forbidden(&mut dan).await;

    // Eve knocks and closes her tab: she leaves the list. Ben, a co-host now, sees it too.
    let (eve, eve_id) = wait_in_lobby(&w, &room, &guest_token(&w, "Eve"), "Eve").await;
    for client in [&mut ann, &mut ben] {
        expect_waiting(client, &[&cid_id, &dan_id, &eve_id]).await;
    }
    eve.drop_connection();
    for client in [&mut ann, &mut ben] {
        expect_waiting(client, &[&cid_id, &dan_id]).await;
    }

    // Ben turns Dan away: `denied`, 4413; the list shrinks.
    ben.send(&ClientFrame::Deny {
        peer_ids: vec![dan_id.clone()],
    })
    .await;
    dan.expect_error(ErrorCode::Denied).await;
    assert_eq!(dan.expect_close().await, Some(close_code::DENIED));
    for client in [&mut ann, &mut ben] {
        expect_waiting(client, &[&cid_id]).await;
    }

    // Fay knocks; Ann lets Cid and Fay in at once: each gets its welcome on the socket it
    // waited on, with the members; the members hear of both; the list empties.
    let (mut fay, fay_id) = wait_in_lobby(&w, &room, &guest_token(&w, "Fay"), "Fay").await;
    for client in [&mut ann, &mut ben] {
        expect_waiting(client, &[&cid_id, &fay_id]).await;
    }
    ann.send(&ClientFrame::Admit {
        peer_ids: vec![cid_id.clone(), fay_id.clone()],
    })
    .await;
    let cid_in = cid.expect_welcome().await;
    assert_eq!(cid_in.peer_id, cid_id);
    assert!(cid_in.access.lobby && cid_in.access.capacity == 6);
    let mut seen: Vec<&PeerId> = cid_in.peers.iter().map(|m| &m.peer_id).collect();
    seen.sort();
    let mut members = vec![&wa.peer_id, &wb.peer_id];
    members.sort();
    assert_eq!(seen, members, "Cid sees Ann and Ben, nobody from the lobby");
    assert!(
        cid_in.history.is_empty(),
        "history is since-joined: Ben's message was before Cid came in"
    );
    let ben_seen = cid_in
        .peers
        .iter()
        .find(|m| m.peer_id == wb.peer_id)
        .unwrap();
    assert!(ben_seen.trusted && ben_seen.role == Role::Cohost && ben_seen.hand.is_some());
    let fay_in = fay.expect_welcome().await;
    assert!(fay_in.peers.iter().any(|m| m.peer_id == cid_id));
    for client in [&mut ann, &mut ben] {
        expect_peer_joined(client, &cid_id).await;
        expect_peer_joined(client, &fay_id).await;
        expect_waiting(client, &[]).await;
    }
    expect_peer_joined(&mut cid, &fay_id).await;
    // Cid is a member now: the room answers him as one.
    cid.barrier().await;
    cid.send(&ClientFrame::Admit {
        peer_ids: vec![fay_id.clone()],
    })
    .await;
    cid.expect_error(ErrorCode::Forbidden).await;
}

/// Reads everything the room sent `client` up to and including a barrier's `unknown_peer`.
async fn drain_through_barrier(client: &mut Client) {
    client
        .send(&ClientFrame::Signal {
            to: random_peer_id(),
            data: serde_json::json!({ "barrier": true }),
        })
        .await;
    loop {
        if let ServerFrame::Error {
            code: ErrorCode::UnknownPeer,
            ..
        } = client.expect_frame().await
        {
            return;
        }
    }
}

fn every_client_frame(someone: &PeerId) -> Vec<ClientFrame> {
    vec![
        ClientFrame::Signal {
            to: someone.clone(),
            data: serde_json::json!({"sdp": "x"}),
        },
        ClientFrame::Chat {
            client_id: Uuid::new_v4(),
            text: "let me in".into(),
        },
        ClientFrame::History {
            before_seq: None,
            limit: None,
        },
        ClientFrame::Search {
            q: "secret".into(),
            limit: None,
        },
        ClientFrame::Media {
            audio: true,
            video: true,
            screen: false,
        },
        ClientFrame::Hand { raised: true },
        ClientFrame::React {
            reaction: Reaction::Heart,
        },
        ClientFrame::SetRole {
            peer_id: someone.clone(),
            role: Role::Host,
        },
        ClientFrame::Remove {
            peer_id: someone.clone(),
            ban: BanPeriod::Forever,
        },
        ClientFrame::Mute {
            peer_id: someone.clone(),
        },
        ClientFrame::SetAccess {
            locked: Some(false),
            capacity: None,
            history: None,
            lobby: Some(false),
        },
        ClientFrame::Admit {
            peer_ids: vec![someone.clone()],
        },
        ClientFrame::Deny {
            peer_ids: vec![someone.clone()],
        },
        ClientFrame::Trust {
            peer_id: someone.clone(),
            trusted: true,
        },
        ClientFrame::EndForAll {},
    ]
}

pub async fn trusted_members_skip_the_lobby_and_turning_it_off_lets_everyone_in() {
    let w = open();
    let room = new_room();
    let ann_token = guest_token(&w, "Ann");
    let ben_token = member_token(&w, "Ben");
    let (mut ann, _) = enter(&w, &room, &ann_token, "Ann").await;
    let (ben, wb) = enter(&w, &room, &ben_token, "Ben").await;
    expect_peer_joined(&mut ann, &wb.peer_id).await;
    ann.send(&set_lobby(true)).await;
    expect_access(&mut ann, true).await;
    ann.send(&ClientFrame::Trust {
        peer_id: wb.peer_id.clone(),
        trusted: true,
    })
    .await;
    match ann.expect_frame().await {
        ServerFrame::Trusted { peer_id, trusted } => assert!(peer_id == wb.peer_id && trusted),
        other => panic!("Ann: expected trusted, got {other:?}"),
    }
    // The meeting ends; the lobby is the room's rule and stays on.
    ann.send(&ClientFrame::EndForAll {}).await;
    assert_eq!(ann.expect_close().await, Some(close_code::ENDED));
    drop(ben);
    let (mut ann, back) = enter(&w, &room, &ann_token, "Ann again").await;
    assert_eq!(
        back.access,
        RoomAccess {
            lobby: true,
            capacity: 8,
            ..RoomAccess::default()
        }
    );
    // Ben, trusted, walks in; Hal, signed in but not trusted, waits.
    let (_ben, ben_back) = enter(&w, &room, &ben_token, "Ben again").await;
    assert!(ben_back.you.trusted);
    expect_peer_joined(&mut ann, &ben_back.peer_id).await;
    let (mut hal, hal_id) = wait_in_lobby(&w, &room, &member_token(&w, "Hal"), "Hal").await;
    expect_waiting(&mut ann, &[&hal_id]).await;
    // A frame naming someone who is not waiting lets nobody in.
    ann.send(&ClientFrame::Admit {
        peer_ids: vec![random_peer_id()],
    })
    .await;
    expect_waiting(&mut ann, &[&hal_id]).await;
    // Turning the lobby off lets everyone waiting in.
    ann.send(&set_lobby(false)).await;
    expect_access(&mut ann, false).await;
    let hal_in = hal.expect_welcome().await;
    assert_eq!(hal_in.peer_id, hal_id);
    assert!(!hal_in.access.lobby);
    expect_peer_joined(&mut ann, &hal_id).await;
    expect_waiting(&mut ann, &[]).await;
}
