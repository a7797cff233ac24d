//! What hosts do to people and to the room, against the real worker: remove with a ban, ask to
//! mute, lock, size and end the meeting; anyone without the right gets `forbidden` and nothing
//! changes; bans and the lock outlast a restart, "this meeting" bans end with the meeting.

use std::time::Duration;

use confab_protocol::{
    close_code, BanPeriod, ClientFrame, ErrorCode, PeerId, Role, RoomAccess, ServerFrame,
};
use confab_tests::wrangler::{Options, Wrangler};
use confab_tests::ws_client::{connect, join, protocols_for, random_peer_id, Client, Welcome};

use super::{expect_peer_joined, expect_peer_left, guest_token, new_room, open};

fn remove(peer: &PeerId, ban: BanPeriod) -> ClientFrame {
    ClientFrame::Remove {
        peer_id: peer.clone(),
        ban,
    }
}

fn mute(peer: &PeerId) -> ClientFrame {
    ClientFrame::Mute {
        peer_id: peer.clone(),
    }
}

fn lock(locked: bool) -> ClientFrame {
    ClientFrame::SetAccess {
        locked: Some(locked),
        capacity: None,
        history: None,
        lobby: None,
    }
}

/// Joins `room` with `token`; `others` already in hear of it.
async fn enter(
    w: &Wrangler,
    room: &str,
    token: &str,
    label: &str,
    others: &mut [&mut Client],
) -> (Client, Welcome) {
    let (client, welcome) = join(w, room, token, label).await;
    for other in others.iter_mut() {
        expect_peer_joined(other, &welcome.peer_id).await;
    }
    (client, welcome)
}

/// A socket into `room` with `token` that the room refuses: the error, then the close.
async fn refused(w: &Wrangler, room: &str, token: &str, code: ErrorCode) -> Option<u16> {
    let mut socket = connect(
        &w.room_ws_url(room),
        Some(w.origin()),
        Some(&protocols_for(token)),
    )
    .await
    .unwrap_or_else(|e| panic!("the upgrade should complete and then be refused: {e:?}"));
    socket.label = format!("refused {code:?}");
    socket.expect_error(code).await;
    socket.expect_close().await
}

async fn expect_access(client: &mut Client, want: RoomAccess) {
    match client.expect_frame().await {
        ServerFrame::Access { access } if access == want => {}
        other => panic!("{}: expected access {want:?}, got {other:?}", client.label),
    }
}

/// A new room's access on a mesh deployment: open, for 8.
fn open_for_eight() -> RoomAccess {
    RoomAccess {
        capacity: 8,
        ..RoomAccess::default()
    }
}

pub async fn hosts_remove_mute_lock_and_end_and_nobody_else_can() {
    let w = open();
    let room = new_room();
    let tokens = ["Ann", "Ben", "Cid", "Dan"].map(|name| guest_token(&w, name));
    let (mut ann, wa) = enter(&w, &room, &tokens[0], "Ann", &mut []).await;
    assert_eq!(
        wa.access,
        open_for_eight(),
        "a new room is open, for 8 (a mesh deployment's limit)"
    );
    assert_eq!(wa.room_limit, 8);
    assert_eq!(wa.last_n, confab_protocol::limits::LAST_N);
    let (mut ben, wb) = enter(&w, &room, &tokens[1], "Ben", &mut [&mut ann]).await;
    let (mut cid, wc) = enter(&w, &room, &tokens[2], "Cid", &mut [&mut ann, &mut ben]).await;

    // Ben, a member, tries every host action: `forbidden`, and nobody hears of anything.
    for frame in [
        remove(&wc.peer_id, BanPeriod::Forever),
        mute(&wc.peer_id),
        lock(true),
        ClientFrame::EndForAll {},
    ] {
        ben.send(&frame).await;
        ben.expect_error(ErrorCode::Forbidden).await;
    }
    // Hostile targets from the host: herself, nobody.
    ann.send(&remove(&wa.peer_id, BanPeriod::Hour)).await;
    ann.expect_error(ErrorCode::InvalidField).await;
    ann.send(&mute(&random_peer_id())).await;
    ann.expect_error(ErrorCode::UnknownPeer).await;
    // A co-host moderates, but not the host, and does not end the meeting.
    ann.send(&ClientFrame::SetRole {
        peer_id: wb.peer_id.clone(),
        role: Role::Cohost,
    })
    .await;
    for client in [&mut ann, &mut ben, &mut cid] {
        match client.expect_frame().await {
            ServerFrame::Role {
                role: Role::Cohost, ..
            } => {}
            other => panic!("{}: expected Ben's role, got {other:?}", client.label),
        }
    }
    for frame in [
        remove(&wa.peer_id, BanPeriod::Meeting),
        mute(&wa.peer_id),
        ClientFrame::EndForAll {},
    ] {
        ben.send(&frame).await;
        ben.expect_error(ErrorCode::Forbidden).await;
    }
    for client in [&mut ann, &mut ben, &mut cid] {
        client.barrier().await;
    }

    // Ask to mute: only Cid hears, and who asked.
    ben.send(&mute(&wc.peer_id)).await;
    match cid.expect_frame().await {
        ServerFrame::Muted { by } => assert_eq!(by, wb.peer_id),
        other => panic!("Cid: expected muted, got {other:?}"),
    }
    for client in [&mut ann, &mut ben, &mut cid] {
        client.barrier().await;
    }

    // Locked: everyone hears; a newcomer is refused; Cid, in this meeting, comes back.
    ben.send(&lock(true)).await;
    let locked = RoomAccess {
        locked: true,
        ..open_for_eight()
    };
    for client in [&mut ann, &mut ben, &mut cid] {
        expect_access(client, locked).await;
    }
    assert_eq!(
        refused(&w, &room, &tokens[3], ErrorCode::Locked).await,
        Some(close_code::LOCKED)
    );
    cid.close().await;
    expect_peer_left(&mut ann, &wc.peer_id, Duration::from_secs(5)).await;
    expect_peer_left(&mut ben, &wc.peer_id, Duration::from_secs(5)).await;
    let (mut cid, wc) = enter(&w, &room, &tokens[2], "Cid back", &mut [&mut ann, &mut ben]).await;
    assert_eq!(wc.access, locked, "a newcomer sees the lock");

    // Removed for an hour: told why, closed 4411, gone for everyone, and kept out.
    ann.send(&remove(&wc.peer_id, BanPeriod::Hour)).await;
    let why = cid.expect_error(ErrorCode::Removed).await;
    assert!(why.contains("an hour"), "{why}");
    assert_eq!(cid.expect_close().await, Some(close_code::REMOVED));
    expect_peer_left(&mut ann, &wc.peer_id, Duration::from_secs(5)).await;
    expect_peer_left(&mut ben, &wc.peer_id, Duration::from_secs(5)).await;
    assert_eq!(
        refused(&w, &room, &tokens[2], ErrorCode::Removed).await,
        Some(close_code::REMOVED)
    );

    // Unlocked and sized to three: Dan gets in, a fourth is refused as full.
    ann.send(&lock(false)).await;
    expect_access(&mut ann, open_for_eight()).await;
    expect_access(&mut ben, open_for_eight()).await;
    ann.send(&ClientFrame::SetAccess {
        locked: None,
        capacity: Some(3),
        history: None,
        lobby: None,
    })
    .await;
    let three = RoomAccess {
        capacity: 3,
        ..open_for_eight()
    };
    expect_access(&mut ann, three).await;
    expect_access(&mut ben, three).await;
    let (mut dan, _) = enter(&w, &room, &tokens[3], "Dan", &mut [&mut ann, &mut ben]).await;
    assert_eq!(
        refused(&w, &room, &guest_token(&w, "Eve"), ErrorCode::RoomFull).await,
        Some(close_code::ROOM_FULL)
    );

    // The host ends the meeting: every socket closes with 4412.
    ann.send(&ClientFrame::EndForAll {}).await;
    for client in [&mut ann, &mut ben, &mut dan] {
        assert_eq!(
            client.expect_close().await,
            Some(close_code::ENDED),
            "{}",
            client.label
        );
    }
    // The next meeting keeps the size and the hour's ban.
    let (_ben, again) = join(&w, &room, &tokens[1], "Ben again").await;
    assert_eq!(again.access, three);
    assert_eq!(
        refused(&w, &room, &tokens[2], ErrorCode::Removed).await,
        Some(close_code::REMOVED)
    );
}

pub async fn bans_and_the_lock_outlast_a_restart_and_meeting_bans_end_with_it() {
    let mut w = Wrangler::try_start(Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let room = new_room();
    let tokens = ["Ann", "Ben", "Cid", "Dan"].map(|name| guest_token(&w, name));
    let (mut ann, _) = enter(&w, &room, &tokens[0], "Ann", &mut []).await;
    let (mut ben, wb) = enter(&w, &room, &tokens[1], "Ben", &mut [&mut ann]).await;
    let (mut cid, wc) = enter(&w, &room, &tokens[2], "Cid", &mut [&mut ann, &mut ben]).await;
    ann.send(&remove(&wb.peer_id, BanPeriod::Forever)).await;
    ben.expect_error(ErrorCode::Removed).await;
    expect_peer_left(&mut ann, &wb.peer_id, Duration::from_secs(5)).await;
    expect_peer_left(&mut cid, &wb.peer_id, Duration::from_secs(5)).await;
    ann.send(&remove(&wc.peer_id, BanPeriod::Meeting)).await;
    cid.expect_error(ErrorCode::Removed).await;
    expect_peer_left(&mut ann, &wc.peer_id, Duration::from_secs(5)).await;
    ann.send(&lock(true)).await;
    ann.expect_frame().await;
    ann.drop_connection();

    w.restart().unwrap_or_else(|e| panic!("{e}"));

    // The same meeting: the lock and both bans hold; the host gets in.
    let (mut ann, welcome) = join(&w, &room, &tokens[0], "Ann after restart").await;
    assert!(welcome.access.locked, "the lock outlasts a restart");
    for (token, code) in [
        (&tokens[1], ErrorCode::Removed),
        (&tokens[2], ErrorCode::Removed),
        (&tokens[3], ErrorCode::Locked),
    ] {
        let closed = refused(&w, &room, token, code).await;
        assert!(matches!(closed, Some(4411 | 4423)), "{code:?}: {closed:?}");
    }
    // A new meeting: open, Cid back, Ben still out.
    ann.send(&ClientFrame::EndForAll {}).await;
    assert_eq!(ann.expect_close().await, Some(close_code::ENDED));
    let (_cid, welcome) = join(&w, &room, &tokens[2], "Cid next meeting").await;
    assert!(!welcome.access.locked, "a new meeting starts open");
    assert_eq!(
        refused(&w, &room, &tokens[1], ErrorCode::Removed).await,
        Some(close_code::REMOVED)
    );
}
