//! Reconnects with `?replaces=<old peer id>`: the same user's ghost is replaced, nobody else's.

use confab_protocol::{close_code, limits, PeerId};
use confab_tests::ws_client::{
    attempt_upgrade, join, join_replacing, protocols_for, random_peer_id, Client, Event,
    FRAME_TIMEOUT,
};

use super::{
    ann_with_ben, expect_peer_joined, expect_peer_left, expect_room_full, guest_token, join_as,
    new_room, open,
};

/// Expects the next event to be the server's close with 4410 (replaced).
async fn expect_replaced(client: &mut Client) {
    match client.next_event().await {
        Event::Closed(Some((code, reason))) => {
            assert_eq!(
                code,
                close_code::REPLACED,
                "{}: reason {reason:?}",
                client.label
            );
            assert_eq!(reason, "replaced by a new connection");
        }
        other => panic!(
            "{}: expected close 4410 (replaced), got {other:?}",
            client.label
        ),
    }
}

/// A's page reconnects (A', same user) naming A's peer id: A is closed with 4410, B sees
/// A leave before A' joins, and A' is welcomed with B but not its own ghost.
pub async fn same_user_reconnect_replaces_its_ghost() {
    let w = open();
    let room = new_room();
    let token = guest_token(&w, "Ann");
    let ((mut a, wa), (mut b, wb)) = ann_with_ben(&w, &room, &token).await;

    let (mut a2, wa2) = join_replacing(&w, &room, &token, &wa.peer_id, "Ann again").await;
    assert_ne!(wa2.peer_id, wa.peer_id, "a reconnect gets a new peer id");
    assert_eq!(wa2.you.user_id, wa.you.user_id);
    assert_eq!(
        wa2.peers,
        vec![wb.you.clone()],
        "the reconnect's welcome must list B and not its ghost"
    );
    expect_replaced(&mut a).await;
    expect_peer_left(&mut b, &wa.peer_id, FRAME_TIMEOUT).await;
    expect_peer_joined(&mut b, &wa2.peer_id).await;
    b.barrier().await;
    a2.barrier().await;

    // A newcomer sees only B and A'.
    let (c, wc) = join_as(&w, &room, "Cat").await;
    let mut seen: Vec<PeerId> = wc.peers.iter().map(|m| m.peer_id.clone()).collect();
    seen.sort();
    let mut expected = vec![wb.peer_id.clone(), wa2.peer_id.clone()];
    expected.sort();
    assert_eq!(seen, expected, "the ghost is still listed: {:?}", wc.peers);
    c.close().await;
    a2.close().await;
    b.close().await;
}

/// `replaces` naming another user's peer, or a peer id nobody has, evicts no one: the
/// join goes on as a plain one.
pub async fn another_users_or_unknown_peer_is_not_replaced() {
    let w = open();
    let room = new_room();
    let token = guest_token(&w, "Ann");
    let ((mut a, wa), (mut b, _)) = ann_with_ben(&w, &room, &token).await;

    // Mallory (another user) names A's peer id.
    let mallory = guest_token(&w, "Mallory");
    let (mut m, wm) = join_replacing(&w, &room, &mallory, &wa.peer_id, "Mallory").await;
    assert_eq!(wm.peers.len(), 2, "A and B are listed: {:?}", wm.peers);
    expect_peer_joined(&mut a, &wm.peer_id).await;
    expect_peer_joined(&mut b, &wm.peer_id).await;
    // A still gets frames; B saw no peer_left.
    a.ping().await;
    a.barrier().await;
    b.barrier().await;

    // A's own user naming a peer id nobody has: a plain second connection.
    let (mut a2, wa2) = join_replacing(&w, &room, &token, &random_peer_id(), "Ann 2").await;
    assert_eq!(wa2.peers.len(), 3, "A, B and Mallory: {:?}", wa2.peers);
    for client in [&mut a, &mut b, &mut m] {
        expect_peer_joined(client, &wa2.peer_id).await;
        client.barrier().await;
    }
    a.ping().await;
    a2.barrier().await;
    for client in [a, a2, b, m] {
        client.close().await;
    }
}

/// In a full room, a member's own reconnect is admitted (its ghost's place is freed), and
/// the room is still full afterwards.
pub async fn reconnect_into_a_full_room_takes_its_ghosts_place() {
    let w = open();
    let room = new_room();
    let mut members = Vec::new();
    let mut welcomes = Vec::new();
    let first_token = guest_token(&w, "P0");
    for i in 0..limits::ROOM_CAPACITY {
        let token = if i == 0 {
            first_token.clone()
        } else {
            guest_token(&w, &format!("P{i}"))
        };
        let (client, welcome) = join(&w, &room, &token, &format!("P{i}")).await;
        members.push(client);
        welcomes.push(welcome);
    }
    for (i, member) in members.iter_mut().enumerate() {
        for welcome in &welcomes[i + 1..] {
            expect_peer_joined(member, &welcome.peer_id).await;
        }
    }

    let ghost = welcomes[0].peer_id.clone();
    let (mut again, welcome) = join_replacing(&w, &room, &first_token, &ghost, "P0 again").await;
    assert_eq!(
        welcome.peers.len(),
        limits::ROOM_CAPACITY - 1,
        "everyone but the ghost: {:?}",
        welcome.peers
    );
    assert!(welcome.peers.iter().all(|m| m.peer_id != ghost));
    let mut old = members.remove(0);
    expect_replaced(&mut old).await;
    for member in members.iter_mut() {
        expect_peer_left(member, &ghost, FRAME_TIMEOUT).await;
        expect_peer_joined(member, &welcome.peer_id).await;
    }

    // Still eight: a ninth person is refused.
    expect_room_full(&w, &room).await;
    again.barrier().await;
    again.close().await;
    for member in members {
        member.close().await;
    }
}

/// A `replaces` that is not exactly one well-formed peer id is refused before the upgrade.
pub async fn malformed_replaces_is_400() {
    let w = open();
    let room = new_room();
    let token = guest_token(&w, "Ann");
    let protocols = protocols_for(&token);
    let good = random_peer_id();
    let queries = [
        "replaces=not-a-peer-id".to_owned(),
        format!("replaces={}", &good.as_str()[..31]),
        format!("replaces={good}0"),
        format!("replaces={}", good.as_str().to_uppercase()),
        "replaces=".to_owned(),
        "replaces".to_owned(),
        format!("replaces={good}&replaces={good}"),
    ];
    for query in queries {
        let url = format!("{}?{query}", w.room_ws_url(&room));
        let reply = attempt_upgrade(&url, Some(w.origin()), Some(&protocols)).await;
        let problem = reply.expect_problem(400);
        assert!(
            problem.detail.contains("replaces"),
            "?{query}: the problem must name the parameter: {}",
            problem.detail
        );
    }
    // The room was never touched: the first real join is alone.
    let (client, welcome) = join(&w, &room, &token, "Ann").await;
    assert!(welcome.peers.is_empty(), "{:?}", welcome.peers);
    client.close().await;
}
