//! `/api/rooms/{room}/sfu/...` against the real worker under `wrangler dev` and the local SFU
//! stand-in: the worker is the only door to the SFU. Offers come from str0m, a real WebRTC
//! stack. Every trial makes its own rooms and guests; one worker and one SFU serve them all,
//! and at the end no wrangler log and no answer may contain the SFU's app token.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use confab_protocol::PeerId;
use confab_tests::http::{self, Reply};
use confab_tests::local_sfu::LocalSfu;
use confab_tests::suite::{finish_without_leaks, stop_workers};
use confab_tests::wrangler::{scratch_root, Options, Shared, Wrangler};
use confab_tests::ws_client::{join, Client};
use libtest_mimic::Arguments;
use serde_json::{json, Value};
use str0m::media::{Direction, MediaKind};
use str0m::Rtc;

const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Every room on the SFU (`MEDIA_MODE=sfu`).
static WORKER: Shared = Shared::new();
/// Rooms that switch (`MEDIA_MODE=auto`, [`route::SWITCH_AT`], [`route::LIMIT`]).
static AUTO_WORKER: Shared = Shared::new();

#[path = "sfu_api/route.rs"]
mod route;
static SFU: OnceLock<Mutex<Option<LocalSfu>>> = OnceLock::new();
/// Every answer's body, checked for the token at the end.
static ANSWERS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn main() {
    let args = Arguments::from_args();
    let trials = confab_tests::async_trials![TEST_TIMEOUT;
        sfu::a_member_pushes_and_another_member_of_the_room_pulls,
        sfu::another_room_cannot_pull_and_nobody_pulls_a_person_who_left,
        sfu::calls_are_made_as_oneself_about_one_s_own_session,
        sfu::an_offer_alone_restarts_ice_in_one_s_own_session,
        sfu::bad_bodies_get_problem_json_and_the_room_lives_on,
        route::the_room_moves_to_the_sfu_at_the_switch_and_back_two_below_it,
        route::a_room_on_the_sfu_holds_more_than_a_mesh_up_to_the_deployment_s_limit,
    ];
    if args.list {
        libtest_mimic::run(&args, trials).exit();
    }
    let conclusion = libtest_mimic::run(&args, trials);
    let token = sfu_token();
    let logs = stop_workers(&[&WORKER, &AUTO_WORKER]);
    if let Some(slot) = SFU.get() {
        slot.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
    let answers = ANSWERS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(token) = &token {
        assert!(
            !answers.iter().any(|a| a.contains(token.as_str())),
            "an answer carried the SFU's app token"
        );
    }
    let secrets: Vec<String> = token.into_iter().collect();
    finish_without_leaks(conclusion, &logs, &secrets, "SFU app tokens", || {});
}

fn sfu_token() -> Option<String> {
    let slot = SFU.get()?.lock().unwrap_or_else(|p| p.into_inner());
    slot.as_ref().map(|sfu| sfu.token.clone())
}

/// The worker with every room on the local SFU (both started on first use).
fn worker() -> std::sync::Arc<Wrangler> {
    worker_with(&WORKER, &[("MEDIA_MODE", "sfu")])
}

/// A worker pointed at the local SFU (started on first use) with `more` variables.
fn worker_with(shared: &Shared, more: &[(&str, &str)]) -> std::sync::Arc<Wrangler> {
    shared
        .get(|| {
            let slot = SFU.get_or_init(|| {
                let dir = scratch_root().join("sfu-api");
                let _ = std::fs::create_dir_all(&dir);
                let sfu = LocalSfu::start("127.0.0.1", &dir.join("local-sfu.log"))
                    .unwrap_or_else(|e| panic!("{e}"));
                Mutex::new(Some(sfu))
            });
            let mut vars = slot.lock().unwrap().as_ref().unwrap().worker_vars();
            vars.extend(more.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            Options {
                vars,
                ..Options::default()
            }
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

mod sfu {
    use super::*;

    /// A guest in `room`: their token, socket and peer id.
    pub struct Person {
        pub token: String,
        pub socket: Client,
        pub peer: PeerId,
    }

    pub async fn person(w: &Wrangler, room: &str, name: &str) -> Person {
        let token = http::guest(w.base_url(), name).access_token;
        let (socket, welcome) = join(w, room, &token, name).await;
        Person {
            token,
            socket,
            peer: welcome.peer_id,
        }
    }

    /// A call to the SFU through the worker, as `who` on `peer`.
    pub fn call(
        w: &Wrangler,
        room: &str,
        method: &str,
        path: &str,
        token: Option<&str>,
        peer: &str,
        body: Option<Value>,
    ) -> Reply {
        let url = format!("{}/api/rooms/{room}/sfu/{path}", w.base_url());
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json"), ("confab-peer", peer)];
        if let Some(bearer) = &bearer {
            headers.push(("authorization", bearer.as_str()));
        }
        let body = body.map(|b| b.to_string());
        let reply = http::request(method, &url, &headers, body.as_deref());
        ANSWERS.lock().unwrap().push(reply.body.clone());
        reply
    }

    pub fn as_person(
        w: &Wrangler,
        room: &str,
        who: &Person,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        call(
            w,
            room,
            method,
            path,
            Some(&who.token),
            who.peer.as_str(),
            body,
        )
    }

    /// A new SFU session for `who`.
    pub fn session(w: &Wrangler, room: &str, who: &Person) -> String {
        let reply = as_person(w, room, who, "POST", "sessions/new", None);
        assert_eq!(reply.status, 201, "{}", reply.body);
        let body: Value = reply.json();
        body["sessionId"].as_str().expect("a session id").to_owned()
    }

    /// `who` pushes a microphone track named `name` into `session`, with a real offer.
    pub fn push_mic(w: &Wrangler, room: &str, who: &Person, session: &str, name: &str) -> Value {
        static CRYPTO: std::sync::Once = std::sync::Once::new();
        CRYPTO.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
        let mut browser = Rtc::new(std::time::Instant::now());
        let mut changes = browser.sdp_api();
        let mid = changes.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None);
        let (offer, _pending) = changes.apply().expect("an offer");
        let body = json!({
            "sessionDescription": {"type": "offer", "sdp": offer.to_sdp_string()},
            "tracks": [{"location": "local", "mid": mid.to_string(), "trackName": name}],
        });
        let path = format!("sessions/{session}/tracks/new");
        let reply = as_person(w, room, who, "POST", &path, Some(body));
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    }

    pub fn pull(
        w: &Wrangler,
        room: &str,
        who: &Person,
        own: &str,
        from: &str,
        name: &str,
    ) -> Value {
        let body =
            json!({"tracks": [{"location": "remote", "sessionId": from, "trackName": name}]});
        let path = format!("sessions/{own}/tracks/new");
        let reply = as_person(w, room, who, "POST", &path, Some(body));
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    }

    pub async fn a_member_pushes_and_another_member_of_the_room_pulls() {
        let w = worker();
        let room = "sfu-push-pull";
        let ana = person(&w, room, "Ana").await;
        let mut ben = person(&w, room, "Ben").await;
        let ana_session = session(&w, room, &ana);
        let pushed = push_mic(&w, room, &ana, &ana_session, "mic");
        // Ben hears what Ana pushes: that is what he pulls.
        let heard = route::pushes_of(&mut ben.socket, &ana.peer, |p| !p.tracks.is_empty()).await;
        assert_eq!(
            (heard.session_id.as_str(), heard.tracks.as_slice()),
            (ana_session.as_str(), ["mic".to_owned()].as_slice())
        );
        assert_eq!(pushed["tracks"][0]["trackName"], "mic", "{pushed}");
        assert!(pushed["tracks"][0].get("errorCode").is_none(), "{pushed}");
        assert_eq!(pushed["sessionDescription"]["type"], "answer");
        let ben_session = session(&w, room, &ben);
        let pulled = pull(&w, room, &ben, &ben_session, &ana_session, "mic");
        assert_eq!(
            pulled["requiresImmediateRenegotiation"],
            json!(true),
            "{pulled}"
        );
        assert_eq!(pulled["sessionDescription"]["type"], "offer", "{pulled}");
        assert!(pulled["tracks"][0]["mid"].is_string(), "{pulled}");
        assert!(pulled["tracks"][0].get("errorCode").is_none(), "{pulled}");
        drop((ana, ben));
    }

    /// An ICE restart (a connection to the SFU that dropped): my offer with new ICE
    /// credentials, alone in a `tracks/new`, goes to the SFU, and its answer has new ones.
    pub async fn an_offer_alone_restarts_ice_in_one_s_own_session() {
        let w = worker();
        let room = "sfu-ice-restart";
        let ana = person(&w, room, "Ana").await;
        let session = session(&w, room, &ana);
        let path = format!("sessions/{session}/tracks/new");
        static CRYPTO: std::sync::Once = std::sync::Once::new();
        CRYPTO.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
        let mut browser = Rtc::new(std::time::Instant::now());
        let ufrag = |reply: &Value| {
            let sdp = reply["sessionDescription"]["sdp"].as_str().unwrap_or("");
            sdp.lines()
                .find_map(|l| l.strip_prefix("a=ice-ufrag:"))
                .map(str::to_owned)
        };
        // A microphone pushed, or (`restart`) the same again with new ICE credentials.
        let offer_with = |browser: &mut Rtc, restart: bool| {
            let mut changes = browser.sdp_api();
            let tracks = if restart {
                changes.ice_restart(false);
                json!([])
            } else {
                let mid =
                    changes.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None);
                json!([{"location": "local", "mid": mid.to_string(), "trackName": "mic"}])
            };
            let (offer, pending) = changes.apply().expect("an offer");
            let body = json!({
                "sessionDescription": {"type": "offer", "sdp": offer.to_sdp_string()},
                "tracks": tracks,
            });
            let reply = as_person(&w, room, &ana, "POST", &path, Some(body));
            assert_eq!(reply.status, 200, "{}", reply.body);
            let reply: Value = reply.json();
            let answer = reply["sessionDescription"]["sdp"]
                .as_str()
                .expect("an answer");
            let answer = str0m::change::SdpAnswer::from_sdp_string(answer).expect("SDP");
            browser
                .sdp_api()
                .accept_answer(pending, answer)
                .expect("accepted");
            reply
        };
        let pushed = offer_with(&mut browser, false);
        let restarted = offer_with(&mut browser, true);
        assert_eq!(restarted["sessionDescription"]["type"], "answer");
        assert_eq!(restarted["tracks"], json!([]), "{restarted}");
        assert!(ufrag(&restarted).is_some(), "{restarted}");
        assert_ne!(ufrag(&pushed), ufrag(&restarted));
        drop(ana);
    }

    pub async fn another_room_cannot_pull_and_nobody_pulls_a_person_who_left() {
        let w = worker();
        let (room, elsewhere) = ("sfu-scoped", "sfu-elsewhere");
        let ana = person(&w, room, "Ana").await;
        let ben = person(&w, room, "Ben").await;
        let carl = person(&w, elsewhere, "Carl").await;
        let ana_session = session(&w, room, &ana);
        push_mic(&w, room, &ana, &ana_session, "mic");
        // Carl knows Ana's ids but is in another room.
        let carl_session = session(&w, elsewhere, &carl);
        let refused = pull(&w, elsewhere, &carl, &carl_session, &ana_session, "mic");
        assert_eq!(
            refused["tracks"][0]["errorCode"], "not_found_track_error",
            "{refused}"
        );
        assert_eq!(
            refused["requiresImmediateRenegotiation"],
            json!(false),
            "{refused}"
        );
        assert!(
            refused.get("sessionDescription").is_none(),
            "the SFU was not asked: {refused}"
        );
        // Ana leaves: her track goes with her.
        let ben_session = session(&w, room, &ben);
        ana.socket.close().await;
        let gone = pull(&w, room, &ben, &ben_session, &ana_session, "mic");
        assert_eq!(
            gone["tracks"][0]["errorCode"], "not_found_track_error",
            "{gone}"
        );
        drop((ben, carl));
    }

    pub async fn calls_are_made_as_oneself_about_one_s_own_session() {
        let w = worker();
        let room = "sfu-own";
        let ana = person(&w, room, "Ana").await;
        let ben = person(&w, room, "Ben").await;
        let ana_session = session(&w, room, &ana);
        // Ben names Ana's peer: refused, whoever's token.
        let as_ana = call(
            &w,
            room,
            "POST",
            "sessions/new",
            Some(&ben.token),
            ana.peer.as_str(),
            None,
        );
        as_ana.expect_problem(403);
        // Ben answers for Ana's session.
        let path = format!("sessions/{ana_session}/renegotiate");
        let answer = json!({"sessionDescription": {"type": "answer", "sdp": "v=0"}});
        as_person(&w, room, &ben, "PUT", &path, Some(answer.clone())).expect_problem(403);
        // No token, a malformed peer id, a call that does not exist, a wrong method.
        call(
            &w,
            room,
            "POST",
            "sessions/new",
            None,
            ben.peer.as_str(),
            None,
        )
        .expect_problem(401);
        call(
            &w,
            room,
            "POST",
            "sessions/new",
            Some(&ben.token),
            "me",
            None,
        )
        .expect_problem(400);
        as_person(&w, room, &ben, "POST", "sessions", None).expect_problem(404);
        as_person(&w, room, &ben, "GET", &path, None).expect_problem(405);
        // A socket of the same person in another room is no member here.
        let elsewhere = call(
            &w,
            "sfu-other-room",
            "POST",
            "sessions/new",
            Some(&ana.token),
            ana.peer.as_str(),
            None,
        );
        elsewhere.expect_problem(403);
        drop((ana, ben));
    }

    pub async fn bad_bodies_get_problem_json_and_the_room_lives_on() {
        let w = worker();
        let room = "sfu-bad-bodies";
        let mut ana = person(&w, room, "Ana").await;
        let own = session(&w, room, &ana);
        let path = format!("sessions/{own}/tracks/new");
        let url = format!("{}/api/rooms/{room}/sfu/{path}", w.base_url());
        let bearer = format!("Bearer {}", ana.token);
        let headers = [
            ("content-type", "application/json"),
            ("confab-peer", ana.peer.as_str()),
            ("authorization", bearer.as_str()),
        ];
        http::request("POST", &url, &headers, Some("{not json")).expect_problem(400);
        let garbage = json!({
            "sessionDescription": {"type": "offer", "sdp": "not an sdp"},
            "tracks": [{"location": "local", "mid": "0", "trackName": "mic"}],
        });
        let refused = as_person(&w, room, &ana, "POST", &path, Some(garbage)).expect_problem(400);
        assert!(
            refused.detail.contains("invalid_session_description"),
            "{refused:?}"
        );
        let huge = json!({"sessionDescription": {"type": "offer", "sdp": "x".repeat(300_000)}});
        as_person(&w, room, &ana, "POST", &path, Some(huge)).expect_problem(413);
        // The room still answers, and a good push still works.
        ana.socket.ping().await;
        push_mic(&w, room, &ana, &own, "mic");
    }
}
