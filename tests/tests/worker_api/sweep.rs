//! The room's sweep against the real worker: a socket is closed when its token runs out even
//! if it only pings (the runtime answers pings without waking the room), and one the room
//! hears nothing from for its silence limit is taken for a vanished client.

use std::time::Duration;

use confab_protocol::{close_code, ClientFrame, ErrorCode, ServerFrame};
use confab_tests::token::{unix_now, Claims};
use confab_tests::ws_client::{connect, join, protocols_for, Client, Event};

use super::session::token_expiring_in;
use super::{brisk, expect_peer_joined, expect_peer_left, guest_token, join_as, new_room, open};

/// How long a reply to one ping may take.
const PONG_WITHIN: Duration = Duration::from_secs(5);

/// Keeps `client` alive the way the app does, with pings (answered by the runtime, never seen
/// by the room), until something other than `pong` arrives; panics after `within`.
async fn ping_until_news(client: &mut Client, within: Duration) -> Event {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}: nothing but pongs within {within:?}",
            client.label
        );
        client.send(&ClientFrame::Ping {}).await;
        match client.next_event_within(PONG_WITHIN).await {
            Event::Frame(ServerFrame::Pong {}) => {}
            news => return news,
        }
        // The next ping goes out after a pause, or at once if something arrives meanwhile.
        if let Some(news) = client.event_within(Duration::from_millis(500)).await {
            return news;
        }
    }
}

pub async fn a_socket_that_only_pings_is_closed_when_its_token_runs_out() {
    let w = open();
    let room = new_room();
    let (mut ben, _) = join_as(&w, &room, "Ben").await;
    let eve_exp = unix_now() + 3;
    let short = token_expiring_in(&w, &Claims::guest("Eve"), 3);
    let (mut eve, eve_welcome) = join(&w, &room, &short, "Eve").await;
    expect_peer_joined(&mut ben, &eve_welcome.peer_id).await;
    match ping_until_news(&mut eve, Duration::from_secs(30)).await {
        Event::Frame(ServerFrame::Error {
            code: ErrorCode::Unauthorized,
            ..
        }) => {}
        other => panic!("Eve: expected the expiry error, got {other:?}"),
    }
    assert!(unix_now() > eve_exp, "closed before the token ran out");
    assert_eq!(eve.expect_close().await, Some(close_code::TOKEN_EXPIRED));
    expect_peer_left(&mut ben, &eve_welcome.peer_id, Duration::from_secs(5)).await;
}

pub async fn a_silent_socket_is_taken_for_a_ghost_and_one_that_pings_stays() {
    let w = brisk();
    let room = new_room();
    let (mut ann, _) = join_as(&w, &room, "Ann").await;
    let (mut ghost, ghost_welcome) = join_as(&w, &room, "Ghost").await;
    expect_peer_joined(&mut ann, &ghost_welcome.peer_id).await;
    let standby_url = format!("{}?standby=1", w.room_ws_url(&room));
    let token = guest_token(&w, "Later");
    let mut standby = connect(&standby_url, Some(w.origin()), Some(&protocols_for(&token)))
        .await
        .unwrap_or_else(|e| panic!("standby upgrade failed: {e:?}"));
    standby.label = "standby".into();
    // Ann joined first and sends no frame either: only her pings keep her.
    match ping_until_news(&mut ann, Duration::from_secs(30)).await {
        Event::Frame(ServerFrame::PeerLeft { peer_id }) if peer_id == ghost_welcome.peer_id => {}
        other => panic!("Ann: expected the ghost to leave, got {other:?}"),
    }
    assert_eq!(ghost.expect_close().await, Some(close_code::SILENT));
    assert_eq!(standby.expect_close().await, Some(close_code::SILENT));
    ann.ping().await;
}
