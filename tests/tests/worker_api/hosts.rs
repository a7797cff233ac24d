//! Hosts and roles against the real worker: the first in a room is its host, only the host
//! changes roles (anyone else gets `forbidden` and nothing changes), a role comes back with its
//! person, and one person holds two places at most.

use confab_protocol::{close_code, ClientFrame, ErrorCode, PeerId, Role, ServerFrame};
use confab_tests::ws_client::{connect, join, protocols_for, random_peer_id, Client};

use super::{ann_with_ben, guest_token, new_room, open};

fn set_role(peer: &PeerId, role: Role) -> ClientFrame {
    ClientFrame::SetRole {
        peer_id: peer.clone(),
        role,
    }
}

async fn expect_role(client: &mut Client, peer: &PeerId, role: Role) {
    match client.expect_frame().await {
        ServerFrame::Role { peer_id, role: got } if &peer_id == peer && got == role => {}
        other => panic!(
            "{}: expected {peer} to be {role:?}, got {other:?}",
            client.label
        ),
    }
}

pub async fn only_the_host_changes_roles() {
    let w = open();
    let room = new_room();
    let ann_token = guest_token(&w, "Ann");
    let ((mut ann, wa), (mut ben, wb)) = ann_with_ben(&w, &room, &ann_token).await;
    assert_eq!(
        wa.you.role,
        Role::Host,
        "the first in a room nobody owns is its host"
    );
    assert_eq!(wb.you.role, Role::Member);
    assert_eq!(wb.peers[0].role, Role::Host, "newcomers see who hosts");

    // Ben, a member, tries every change: `forbidden`, and nobody hears of anything.
    for role in [Role::Member, Role::Cohost, Role::Host] {
        ben.send(&set_role(&wa.peer_id, role)).await;
        ben.expect_error(ErrorCode::Forbidden).await;
    }
    ben.barrier().await;
    ann.barrier().await;

    // Hostile targets from the host: herself, nobody.
    ann.send(&set_role(&wa.peer_id, Role::Member)).await;
    ann.expect_error(ErrorCode::InvalidField).await;
    ann.send(&set_role(&random_peer_id(), Role::Cohost)).await;
    ann.expect_error(ErrorCode::UnknownPeer).await;

    ann.send(&set_role(&wb.peer_id, Role::Cohost)).await;
    expect_role(&mut ann, &wb.peer_id, Role::Cohost).await;
    expect_role(&mut ben, &wb.peer_id, Role::Cohost).await;
    // A co-host does not change roles either.
    ben.send(&set_role(&wa.peer_id, Role::Member)).await;
    ben.expect_error(ErrorCode::Forbidden).await;

    // Ann hands the room over: Ben host, Ann co-host, for both.
    ann.send(&set_role(&wb.peer_id, Role::Host)).await;
    for client in [&mut ann, &mut ben] {
        expect_role(client, &wb.peer_id, Role::Host).await;
        expect_role(client, &wa.peer_id, Role::Cohost).await;
    }
    ben.barrier().await;

    // Ann leaves and comes back with the same identity: still co-host.
    ann.close().await;
    let (_again, welcome) = join(&w, &room, &ann_token, "Ann again").await;
    assert_eq!(welcome.you.role, Role::Cohost);
    assert_eq!(welcome.peers[0].role, Role::Host);
}

pub async fn one_person_holds_two_places_at_most() {
    let w = open();
    let room = new_room();
    let token = guest_token(&w, "Ann");
    let (_first, _) = join(&w, &room, &token, "Ann tab 1").await;
    let (_second, _) = join(&w, &room, &token, "Ann tab 2").await;
    let mut third = connect(
        &w.room_ws_url(&room),
        Some(w.origin()),
        Some(&protocols_for(&token)),
    )
    .await
    .unwrap_or_else(|e| panic!("the third upgrade should complete and then be refused: {e:?}"));
    third.label = "Ann tab 3".into();
    third.expect_error(ErrorCode::SeatLimit).await;
    assert_eq!(third.expect_close().await, Some(close_code::SEAT_LIMIT));
    // Someone else still gets in.
    let (_ben, welcome) = join(&w, &room, &guest_token(&w, "Ben"), "Ben").await;
    assert_eq!(welcome.peers.len(), 2);
}
