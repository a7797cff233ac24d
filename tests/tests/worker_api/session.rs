//! Sessions outlive a 10-minute access token only when the client presents a fresh one.

use std::time::Duration;

use confab_protocol::{close_code, ClientFrame, ErrorCode};
use confab_tests::token::{self, unix_now, Claims};
use confab_tests::wrangler::Wrangler;
use confab_tests::ws_client::{join, random_peer_id, Client};
use serde_json::json;

use super::{join_as, new_room, open, signal};

/// A token for `claims.sub` from the worker's own key, expiring `seconds` from now.
pub(super) fn token_expiring_in(w: &Wrangler, claims: &Claims, seconds: i64) -> String {
    let mut claims = claims.clone();
    claims.exp = unix_now() + seconds;
    token::mint(w.jwt_key(), &claims)
}

/// Waits (on the clock, not on a guess) until unix time `t` has passed.
async fn wait_past(t: i64) {
    while unix_now() <= t {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A frame the DO must handle itself (pings are answered by the runtime without it).
async fn probe(client: &mut Client) {
    client.send(&signal(&random_peer_id(), json!({}))).await;
}

pub async fn expired_session_is_closed_with_4401_on_its_next_frame() {
    let w = open();
    let claims = Claims::guest("Eve");
    let short = token_expiring_in(&w, &claims, 2);
    let (mut a, _) = join(&w, &new_room(), &short, "Eve").await;
    wait_past(unix_now() + 2).await;
    probe(&mut a).await;
    a.expect_error(ErrorCode::Unauthorized).await;
    assert_eq!(a.expect_close().await, Some(close_code::TOKEN_EXPIRED));
}

pub async fn fresh_token_for_the_same_user_keeps_the_socket_open() {
    let w = open();
    let claims = Claims::guest("Ann");
    let short = token_expiring_in(&w, &claims, 2);
    let (mut a, _) = join(&w, &new_room(), &short, "Ann").await;
    a.send(&ClientFrame::Auth {
        token: token_expiring_in(&w, &claims, 600),
    })
    .await;
    wait_past(unix_now() + 2).await;
    probe(&mut a).await;
    // Still a member: the probe is judged on its own merits, not refused for expiry.
    a.expect_error(ErrorCode::UnknownPeer).await;
}

pub async fn token_for_another_user_is_refused() {
    let w = open();
    let (mut a, _) = join_as(&w, &new_room(), "Ann").await;
    let someone_else = token::mint(w.jwt_key(), &Claims::guest("Mallory"));
    a.send(&ClientFrame::Auth {
        token: someone_else,
    })
    .await;
    a.expect_error(ErrorCode::Unauthorized).await;
    a.send(&ClientFrame::Auth {
        token: "not.a.token".into(),
    })
    .await;
    a.expect_error(ErrorCode::Unauthorized).await;
    probe(&mut a).await;
    a.expect_error(ErrorCode::UnknownPeer).await;
}
