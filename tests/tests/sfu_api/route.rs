//! The room decides its media route: the mesh until `SFU_SWITCH_AT` people, the SFU from then
//! on (everyone told with a `route` frame, the newcomer in its welcome), the mesh again only
//! two below the switch; on the SFU it holds `ROOM_CAPACITY_SFU` people and each page pulls
//! `SFU_LAST_N` cameras.

use std::time::{Duration, Instant};

use confab_protocol::{close_code, ErrorCode, MediaRoute, PeerId, ServerFrame, SfuPush};
use confab_tests::http;
use confab_tests::wrangler::Wrangler;
use confab_tests::ws_client::{connect, join, protocols_for, Client, Welcome};

use super::sfu::{as_person, Person};
use super::{worker_with, AUTO_WORKER};

/// The third person moves a room of [`AUTO_WORKER`] to the SFU; one person is two below.
pub const SWITCH_AT: usize = 3;
/// Most people in a room of [`AUTO_WORKER`] (the smallest `ROOM_CAPACITY_SFU` allowed).
pub const LIMIT: usize = 8 + 2;
/// The cameras a page of [`AUTO_WORKER`] pulls at once.
const LAST_N: u32 = 4;
const FRAME_WAIT: Duration = Duration::from_secs(5);

fn auto_worker() -> std::sync::Arc<Wrangler> {
    let (switch_at, limit, last_n) = (SWITCH_AT.to_string(), LIMIT.to_string(), LAST_N.to_string());
    worker_with(
        &AUTO_WORKER,
        &[
            ("MEDIA_MODE", "auto"),
            ("SFU_SWITCH_AT", &switch_at),
            ("ROOM_CAPACITY_SFU", &limit),
            ("SFU_LAST_N", &last_n),
        ],
    )
}

async fn arrive(w: &Wrangler, room: &str, name: &str) -> (Person, Welcome) {
    let token = http::guest(w.base_url(), name).access_token;
    let (socket, welcome) = join(w, room, &token, name).await;
    let person = Person {
        token,
        socket,
        peer: welcome.peer_id.clone(),
    };
    (person, welcome)
}

/// The next `route` frame `socket` hears (other frames are skipped).
async fn next_route(socket: &mut Client) -> MediaRoute {
    let deadline = Instant::now() + FRAME_WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match socket.expect_frame_within(left).await {
            ServerFrame::Route { route } => return route,
            _ => continue,
        }
    }
}

/// The first `sfu_tracks` frame about `peer` that `wanted` accepts (others skipped).
pub async fn pushes_of(
    socket: &mut Client,
    peer: &PeerId,
    wanted: impl Fn(&SfuPush) -> bool,
) -> SfuPush {
    let deadline = Instant::now() + FRAME_WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if let ServerFrame::SfuTracks {
            peer_id,
            sfu: Some(push),
        } = socket.expect_frame_within(left).await
        {
            if &peer_id == peer && wanted(&push) {
                return *push;
            }
        }
    }
}

pub async fn the_room_moves_to_the_sfu_at_the_switch_and_back_two_below_it() {
    let w = auto_worker();
    let room = "route-switch";
    let (mut ana, welcome) = arrive(&w, room, "Ana").await;
    assert_eq!(welcome.route, MediaRoute::Mesh);
    assert_eq!(welcome.room_limit as usize, LIMIT);
    assert_eq!(welcome.last_n, LAST_N);
    let (mut ben, welcome) = arrive(&w, room, "Ben").await;
    assert_eq!(welcome.route, MediaRoute::Mesh);
    // On the mesh, nobody's media goes through the SFU.
    let refused = as_person(&w, room, &ana, "POST", "sessions/new", None);
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("mesh"), "{}", refused.body);

    // The third moves everyone: the two already in hear it, the third is welcomed onto it.
    let (carl, welcome) = arrive(&w, room, "Carl").await;
    assert_eq!(welcome.route, MediaRoute::Sfu);
    assert_eq!(next_route(&mut ana.socket).await, MediaRoute::Sfu);
    assert_eq!(next_route(&mut ben.socket).await, MediaRoute::Sfu);
    let session = as_person(&w, room, &ana, "POST", "sessions/new", None);
    assert_eq!(session.status, 201, "{}", session.body);

    // Shrinking to two stays on the SFU (one below the switch); one goes back.
    let (dina, welcome) = arrive(&w, room, "Dina").await;
    assert_eq!(welcome.route, MediaRoute::Sfu);
    dina.socket.close().await;
    carl.socket.close().await;
    ben.socket.close().await;
    assert_eq!(next_route(&mut ana.socket).await, MediaRoute::Mesh);
    let refused = as_person(&w, room, &ana, "POST", "sessions/new", None);
    assert_eq!(refused.status, 409, "{}", refused.body);
    // Nothing else about the route on the way: Ana heard one move there and one back.
    ana.socket.barrier().await;
}

pub async fn a_room_on_the_sfu_holds_more_than_a_mesh_up_to_the_deployment_s_limit() {
    let w = auto_worker();
    let room = "route-limit";
    let mut people = Vec::new();
    for i in 0..LIMIT {
        let (person, welcome) = arrive(&w, room, &format!("P{i}")).await;
        assert_eq!(welcome.peers.len(), i);
        let expected = if i + 1 >= SWITCH_AT {
            MediaRoute::Sfu
        } else {
            MediaRoute::Mesh
        };
        assert_eq!(welcome.route, expected, "person {i}");
        // A room's size reads as the deployment's limit until a host lowers it.
        assert_eq!(welcome.access.capacity as usize, LIMIT);
        people.push(person);
    }
    let token = http::guest(w.base_url(), "Late").access_token;
    let mut late = connect(
        &w.room_ws_url(room),
        Some(w.origin()),
        Some(&protocols_for(&token)),
    )
    .await
    .unwrap_or_else(|e| panic!("the upgrade should complete and then be refused: {e:?}"));
    late.expect_error(ErrorCode::RoomFull).await;
    assert_eq!(late.expect_close().await, Some(close_code::ROOM_FULL));
    for person in people {
        person.socket.close().await;
    }
}
