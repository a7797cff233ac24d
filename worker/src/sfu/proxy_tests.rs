use confab_protocol::sfu_api::{TracksRequest, TracksResponse};
use confab_protocol::PeerId;
use serde_json::json;

use super::config::MediaPolicy;
use super::proxy::{
    is_push, merge, own_session, plan, pushed_names, refusal_status, Operation, ProxyRefusal,
};
use super::tracks::{TrackRefusal, TrackRegistry};

fn peer(n: u8) -> PeerId {
    PeerId(format!("{n:032x}"))
}

const ANA_SESSION: &str = "aaaa0000aaaa0000aaaa0000aaaa0000";
const BEN_SESSION: &str = "bbbb0000bbbb0000bbbb0000bbbb0000";

/// Ana (1) pushes camera and mic; Ben (2) has a session; Carl (3) has none.
fn room() -> TrackRegistry {
    let mut room = TrackRegistry::default();
    room.open_session(&peer(1), ANA_SESSION).unwrap();
    room.announce(&peer(1), "camera").unwrap();
    room.announce(&peer(1), "mic").unwrap();
    room.open_session(&peer(2), BEN_SESSION).unwrap();
    room
}

fn request(value: serde_json::Value) -> TracksRequest {
    serde_json::from_value(value).unwrap()
}

#[test]
fn only_the_sfu_calls_the_app_needs_exist_each_with_its_method() {
    let id = ANA_SESSION;
    assert_eq!(
        Operation::parse("POST", &["sessions", "new"]),
        Ok(Operation::NewSession)
    );
    assert_eq!(
        Operation::parse("POST", &["sessions", id, "tracks", "new"]),
        Ok(Operation::TracksNew(id.into()))
    );
    assert_eq!(
        Operation::parse("PUT", &["sessions", id, "renegotiate"]),
        Ok(Operation::Renegotiate(id.into()))
    );
    assert_eq!(
        Operation::parse("PUT", &["sessions", id, "tracks", "update"]),
        Ok(Operation::TracksUpdate(id.into()))
    );
    assert_eq!(
        Operation::parse("PUT", &["sessions", id, "tracks", "close"]),
        Ok(Operation::TracksClose(id.into()))
    );
    assert_eq!(
        Operation::parse("GET", &["sessions", id, "renegotiate"]),
        Err(ProxyRefusal::WrongMethod)
    );
    for path in [
        &["sessions"][..],
        &["apps", "x", "sessions", "new"],
        &["sessions", id],
    ] {
        assert_eq!(
            Operation::parse("POST", path),
            Err(ProxyRefusal::NoSuchCall)
        );
    }
    assert_eq!(
        Operation::parse("PUT", &["sessions", "..", "renegotiate"]),
        Err(ProxyRefusal::Track(TrackRefusal::BadSessionId))
    );
}

#[test]
fn a_call_about_a_session_must_be_about_the_caller_s_own() {
    let room = room();
    let on = |id: &str| Operation::Renegotiate(id.into());
    assert_eq!(own_session(&room, &peer(1), &on(ANA_SESSION)), Ok(()));
    assert_eq!(
        own_session(&room, &peer(2), &on(ANA_SESSION)),
        Err(TrackRefusal::NotYourSession)
    );
    assert_eq!(
        own_session(&room, &peer(3), &on(ANA_SESSION)),
        Err(TrackRefusal::NoSession)
    );
    assert_eq!(own_session(&room, &peer(3), &Operation::NewSession), Ok(()));
}

#[test]
fn a_pull_goes_on_only_for_tracks_offered_here_and_the_answer_keeps_the_order() {
    let room = room();
    let asked = request(json!({"tracks": [
        {"location": "remote", "sessionId": "cccc0000cccc0000cccc0000cccc0000", "trackName": "camera"},
        {"location": "remote", "sessionId": ANA_SESSION, "trackName": "camera"},
        {"location": "remote", "sessionId": ANA_SESSION, "trackName": "screen"},
        {"location": "local", "mid": "0", "trackName": "mine"},
        {"location": "remote", "sessionId": ANA_SESSION, "trackName": "mic"},
    ]}));
    let split = plan(&room, &peer(2), asked);
    let names: Vec<_> = split
        .forward
        .tracks
        .iter()
        .map(|t| t.track_name.clone().unwrap())
        .collect();
    assert_eq!(names, ["camera", "mic"]);
    let refused: Vec<_> = split
        .refused
        .iter()
        .map(|(at, t)| (*at, t.error_code.clone().unwrap()))
        .collect();
    assert_eq!(
        refused,
        [
            (0, "not_found_track_error".to_owned()),
            (2, "not_found_track_error".to_owned()),
            (3, "invalid_params".to_owned()),
        ]
    );
    // The SFU answers the two it was asked; the three refused go back in their places.
    let answer: TracksResponse = serde_json::from_value(json!({
        "requiresImmediateRenegotiation": true,
        "sessionDescription": {"type": "offer", "sdp": "v=0"},
        "tracks": [
            {"sessionId": ANA_SESSION, "trackName": "camera", "mid": "0"},
            {"sessionId": ANA_SESSION, "trackName": "mic", "mid": "1"},
        ],
    }))
    .unwrap();
    let merged = merge(answer, split.refused);
    let order: Vec<_> = merged
        .tracks
        .iter()
        .map(|t| (t.track_name.clone().unwrap(), t.error_code.is_some()))
        .collect();
    assert_eq!(
        order,
        [
            ("camera".to_owned(), true),
            ("camera".to_owned(), false),
            ("screen".to_owned(), true),
            ("mine".to_owned(), true),
            ("mic".to_owned(), false),
        ]
    );
}

#[test]
fn nobody_without_a_session_here_pulls_anything() {
    let split = plan(
        &room(),
        &peer(3),
        request(
            json!({"tracks": [{"location": "remote", "sessionId": ANA_SESSION, "trackName": "mic"}]}),
        ),
    );
    assert!(split.forward.tracks.is_empty());
    assert_eq!(split.refused.len(), 1);
    assert!(split.asks_nothing());
}

#[test]
fn an_offer_alone_goes_to_the_sfu_for_an_ice_restart() {
    let restart = request(json!({
        "sessionDescription": {"type": "offer", "sdp": "v=0"},
        "tracks": [],
    }));
    assert!(!is_push(&restart));
    let split = plan(&room(), &peer(2), restart.clone());
    assert!(!split.asks_nothing());
    assert_eq!((split.forward, split.refused.len()), (restart, 0));
}

#[test]
fn a_push_passes_and_what_the_sfu_took_is_announced() {
    let push = request(json!({
        "sessionDescription": {"type": "offer", "sdp": "v=0"},
        "tracks": [{"location": "local", "mid": "0", "trackName": "camera"},
                   {"location": "local", "mid": "1", "trackName": "mic"}],
    }));
    assert!(is_push(&push));
    let split = plan(&room(), &peer(2), push.clone());
    assert_eq!((split.forward, split.refused.len()), (push, 0));
    let answer: TracksResponse = serde_json::from_value(json!({"tracks": [
        {"mid": "0", "trackName": "camera"},
        {"mid": "1", "trackName": "mic", "errorCode": "invalid_params"},
    ]}))
    .unwrap();
    assert_eq!(pushed_names(&answer), ["camera"]);
}

#[test]
fn calls_go_to_the_app_s_paths_and_never_show_the_token() {
    let raw = [
        ("SFU_APP_ID", "my-app"),
        ("SFU_APP_TOKEN", "the-app-token"),
        ("SFU_API_URL", "http://127.0.0.1:9901/v1/"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let sfu = MediaPolicy::parse(&raw).unwrap().sfu.unwrap();
    let call = sfu.call(&Operation::TracksNew(BEN_SESSION.into()), "{}".into());
    assert_eq!(call.method, "POST");
    assert_eq!(
        call.url.as_str(),
        format!("http://127.0.0.1:9901/v1/apps/my-app/sessions/{BEN_SESSION}/tracks/new")
    );
    assert_eq!(call.authorization, "Bearer the-app-token");
    assert!(!format!("{call:?}").contains("the-app-token"));
    let new = sfu.call(&Operation::NewSession, String::new());
    assert_eq!(
        new.url.as_str(),
        "http://127.0.0.1:9901/v1/apps/my-app/sessions/new"
    );
}

#[test]
fn a_session_the_sfu_no_longer_knows_is_gone_and_other_refusals_keep_their_kind() {
    let session = "0123456789abcdef0123456789abcdef".to_owned();
    let about_a_session = [
        Operation::TracksNew(session.clone()),
        Operation::Renegotiate(session.clone()),
        Operation::TracksUpdate(session.clone()),
        Operation::TracksClose(session),
    ];
    for operation in &about_a_session {
        assert_eq!(refusal_status(operation, 404), 410, "{operation:?}");
        assert_eq!(refusal_status(operation, 429), 429, "{operation:?}");
        for status in [400, 403, 406, 409, 422] {
            assert_eq!(
                refusal_status(operation, status),
                400,
                "{operation:?} {status}"
            );
        }
        for status in [500, 502, 503] {
            assert_eq!(
                refusal_status(operation, status),
                502,
                "{operation:?} {status}"
            );
        }
    }
    // No session to be gone: the app's address is wrong, a refusal like any other.
    assert_eq!(refusal_status(&Operation::NewSession, 404), 400);
}
