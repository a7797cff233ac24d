//! The wire contract between the app and the worker, tested against the real worker under
//! `wrangler dev`: HTTP endpoints, the socket upgrade's checks, and room behaviour over real
//! WebSockets.
//!
//! - [`http_api`]: `/api/health`, problem+json for unknown paths and wrong methods.
//! - [`headers`]: the page's security headers (CSP, nosniff, referrer, permissions), CSP reports.
//! - [`guest`]: `POST /auth/guest` and its name, body and media-type checks.
//! - [`ice`]: `GET /api/ice` needs a valid token and returns servers that expire later.
//! - [`upgrade`]: the checks of `GET /api/rooms/{room}/ws` (room name, origin, subprotocol, token).
//! - [`room`]: presence, the signaling relay, media state, isolation and capacity.
//! - [`replaces`]: a reconnect naming its old peer id (`?replaces=`) takes its ghost's place.
//! - [`hostile`]: malformed and oversized frames.
//! - [`hosts`]: roles (host, co-host, member), who may change them, two places per person.
//! - [`moderation`]: removals with bans, ask to mute, lock, size, end for all.
//! - [`lobby`]: newcomers held until let in or turned away; nothing reaches a waiting socket.
//! - [`standby`]: a socket opened ahead of the click is nobody until it sends `join`.
//! - [`session`]: a socket outlives its access token only with a fresh one from the same user.
//! - [`sweep`]: sockets whose token ran out, or that went silent, are closed without a frame.
//!
//! One wrangler serves the whole suite (each test uses its own random room); a second one,
//! with guests disabled and an explicit origin allow-list, and a third, with a five-second
//! silence limit, start only if their tests run. All are started lazily by the first test that
//! needs them and stopped by `main` after the run.
//! The harness is libtest-mimic, so the output and filters are the usual `cargo test` ones.

mod guest;
mod headers;
mod hostile;
mod hosts;
mod http_api;
mod ice;
mod lobby;
mod moderation;
mod replaces;
mod room;
mod session;
mod standby;
mod sweep;
mod upgrade;

use std::sync::Arc;
use std::time::Duration;

use confab_protocol::{close_code, ClientFrame, ErrorCode, PeerId, ServerFrame};
use confab_tests::http;
use confab_tests::suite::run_with_workers;
use confab_tests::token::{self, Claims};
use confab_tests::wrangler::{JwtKey, Options, Shared, Wrangler};
use confab_tests::ws_client::{connect, join, protocols_for, Client, Welcome};

/// Guests allowed, default origin allow-list: the local-dev configuration.
static OPEN: Shared = Shared::new();
/// Guests disabled, only [`LOCKED_ORIGIN`] may open sockets.
static LOCKED: Shared = Shared::new();
const LOCKED_ORIGIN: &str = "https://meet.example";
/// The local-dev configuration with a silence limit short enough to wait for.
static BRISK: Shared = Shared::new();
const BRISK_SILENT_SECONDS: &str = "5";

/// No single test may take longer than this.
const TEST_TIMEOUT: Duration = Duration::from_secs(90);

fn main() {
    let trials = confab_tests::async_trials![TEST_TIMEOUT;
        http_api::health_reports_ok_and_version,
        http_api::the_page_shows_its_name_while_loading_and_without_javascript,
        http_api::the_app_can_be_installed_from_its_manifest_and_icons,
        http_api::unknown_path_is_problem_404,
        http_api::wrong_method_is_problem_405,
        http_api::bench_seed_route_does_not_exist_by_default,
        headers::the_page_and_its_files_carry_the_security_headers,
        headers::csp_reports_are_logged_without_the_page_address,
        guest::issues_a_guest_token,
        guest::name_limits_count_characters,
        guest::rejects_bad_names_with_400,
        guest::rejects_bad_bodies_with_400,
        guest::large_bodies_get_413_without_being_read_whole,
        guest::requires_json_content_type,
        guest::disabled_guests_get_403,
        guest::new_guests_are_limited_per_address,
        ice::requires_a_valid_token,
        ice::returns_servers_that_expire_later,
        ice::relay_requests_are_limited_per_user,
        upgrade::good_upgrade_selects_confab_v1_and_welcomes,
        upgrade::bad_room_names_are_400,
        upgrade::longest_room_name_is_accepted,
        upgrade::plain_get_is_426,
        upgrade::foreign_or_missing_origin_is_403,
        upgrade::trunk_serve_origin_is_allowed,
        upgrade::explicit_allow_list_replaces_the_default,
        upgrade::missing_bearer_subprotocol_is_401,
        upgrade::bad_tokens_are_401,
        room::joins_are_announced_both_ways,
        room::signal_reaches_only_the_addressee_stamped_by_server,
        room::signal_to_unknown_peer_is_an_error_and_socket_stays,
        room::rooms_are_isolated,
        room::media_state_is_broadcast_and_kept_for_newcomers,
        room::close_announces_peer_left,
        room::dropped_connection_announces_peer_left,
        room::ninth_member_is_refused_with_4409,
        room::peer_ids_are_never_reused,
        hostile::bad_frames_get_typed_errors_and_socket_stays,
        hostile::oversized_signal_data_is_refused_not_relayed,
        hostile::frame_over_64_kib_closes_with_1009,
        hostile::history_floods_are_refused_and_the_socket_stays,
        room::peer_closed_by_server_leaves_at_once,
        replaces::same_user_reconnect_replaces_its_ghost,
        replaces::another_users_or_unknown_peer_is_not_replaced,
        replaces::reconnect_into_a_full_room_takes_its_ghosts_place,
        replaces::malformed_replaces_is_400,
        session::expired_session_is_closed_with_4401_on_its_next_frame,
        session::fresh_token_for_the_same_user_keeps_the_socket_open,
        session::token_for_another_user_is_refused,
        hosts::only_the_host_changes_roles,
        hosts::one_person_holds_two_places_at_most,
        moderation::hosts_remove_mute_lock_and_end_and_nobody_else_can,
        moderation::bans_and_the_lock_outlast_a_restart_and_meeting_bans_end_with_it,
        lobby::the_lobby_holds_newcomers_until_a_host_lets_them_in_or_turns_them_away,
        lobby::trusted_members_skip_the_lobby_and_turning_it_off_lets_everyone_in,
        standby::a_socket_opened_ahead_is_nobody_until_it_joins,
        standby::a_socket_opened_ahead_meets_the_rooms_rules_when_it_joins,
        sweep::a_socket_that_only_pings_is_closed_when_its_token_runs_out,
        sweep::a_silent_socket_is_taken_for_a_ghost_and_one_that_pings_stays,
    ];
    run_with_workers(trials, &[&OPEN, &LOCKED, &BRISK]).exit();
}

// ---- shared fixtures -------------------------------------------------------------------------

/// The local-dev worker, started on first use.
fn open() -> Arc<Wrangler> {
    OPEN.get(Options::default).unwrap_or_else(|e| panic!("{e}"))
}

/// The locked-down worker, started on first use.
fn locked() -> Arc<Wrangler> {
    LOCKED
        .get(|| Options {
            allow_guests: false,
            allowed_origins: vec![LOCKED_ORIGIN.to_owned()],
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The worker with a short silence limit, started on first use.
fn brisk() -> Arc<Wrangler> {
    BRISK
        .get(|| Options {
            vars: vec![("SILENT_SOCKET_SECONDS".into(), BRISK_SILENT_SECONDS.into())],
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A fresh room name, so tests never share a Durable Object.
fn new_room() -> String {
    format!("t-{}", uuid::Uuid::new_v4().simple())
}

/// A guest token from the worker itself.
fn guest_token(w: &Wrangler, name: &str) -> String {
    http::guest(w.base_url(), name).access_token
}

/// A new guest joins `room`.
async fn join_as(w: &Wrangler, room: &str, name: &str) -> (Client, Welcome) {
    join(w, room, &guest_token(w, name), name).await
}

fn url(w: &Wrangler, path: &str) -> String {
    format!("{}{path}", w.base_url())
}

fn is_peer_id(id: &PeerId) -> bool {
    id.0.len() == 32
        && id
            .0
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A well-formed token signed with a key the worker does not have, under the worker's `kid`.
fn forged_token(w: &Wrangler) -> String {
    let impostor = JwtKey {
        kid: w.jwt_key().kid.clone(),
        ..JwtKey::random("x")
    };
    token::mint(&impostor, &Claims::guest("Mallory"))
}

/// Ann and then Ben, guests, join `room`; returns both once Ann has seen Ben arrive.
async fn ann_and_ben(w: &Wrangler, room: &str) -> ((Client, Welcome), (Client, Welcome)) {
    ann_with_ben(w, room, &guest_token(w, "Ann")).await
}

/// [`ann_and_ben`] with Ann's token given (to join as her again later).
async fn ann_with_ben(
    w: &Wrangler,
    room: &str,
    ann_token: &str,
) -> ((Client, Welcome), (Client, Welcome)) {
    let (mut a, wa) = join(w, room, ann_token, "Ann").await;
    let (b, wb) = join_as(w, room, "Ben").await;
    expect_peer_joined(&mut a, &wb.peer_id).await;
    ((a, wa), (b, wb))
}

/// Expects the next frame, within `timeout`, to be `peer_left` for `peer`.
async fn expect_peer_left(client: &mut Client, peer: &PeerId, timeout: Duration) {
    match client.expect_frame_within(timeout).await {
        ServerFrame::PeerLeft { peer_id } if &peer_id == peer => {}
        other => panic!(
            "{}: expected peer_left for {peer}, got {other:?}",
            client.label
        ),
    }
}

/// A ninth guest's upgrade into the full `room` completes and is then refused: a `room_full`
/// error and close 4409.
async fn expect_room_full(w: &Wrangler, room: &str) {
    let token = guest_token(w, "Ninth");
    let mut ninth = connect(
        &w.room_ws_url(room),
        Some(w.origin()),
        Some(&protocols_for(&token)),
    )
    .await
    .unwrap_or_else(|e| panic!("the ninth upgrade should complete and then be refused: {e:?}"));
    ninth.label = "ninth".into();
    ninth.expect_error(ErrorCode::RoomFull).await;
    assert_eq!(ninth.expect_close().await, Some(close_code::ROOM_FULL));
}

/// A `signal` frame for `to`.
fn signal(to: &PeerId, data: serde_json::Value) -> ClientFrame {
    ClientFrame::Signal {
        to: to.clone(),
        data,
    }
}

/// Expects the next frame to be a signal relayed from `from`, its `data` unchanged.
async fn expect_signal(client: &mut Client, from: &PeerId, data: &serde_json::Value) {
    match client.expect_frame().await {
        ServerFrame::Signal {
            from: got_from,
            data: got,
        } => {
            assert_eq!(
                &got_from, from,
                "{}: `from` must be the sender's peer id",
                client.label
            );
            assert_eq!(
                &got, data,
                "{}: data must be relayed unchanged",
                client.label
            );
        }
        other => panic!("{}: expected a signal, got {other:?}", client.label),
    }
}

/// Expects the next frame to be `peer_joined` for `peer`.
async fn expect_peer_joined(client: &mut Client, peer: &PeerId) -> confab_protocol::Member {
    match client.expect_frame().await {
        ServerFrame::PeerJoined { peer: member } if &member.peer_id == peer => member,
        other => panic!(
            "{}: expected peer_joined for {peer}, got {other:?}",
            client.label
        ),
    }
}
