use confab_protocol::PeerId;

use super::config::{
    MediaMode, MediaPolicy, RawSfu, SfuConfigError, DEFAULT_API_URL, DEFAULT_SFU_CAPACITY,
};
use super::mode::{back_to_mesh_at, capacity, next_media};
use super::tracks::{TrackRefusal, TrackRegistry, MAX_TRACKS_PER_PERSON};
use confab_protocol::MediaRoute;

const APP: &[(&str, &str)] = &[
    ("SFU_APP_ID", "0123456789abcdef0123456789abcdef"),
    ("SFU_APP_TOKEN", "a-long-app-token"),
];

fn raw(pairs: &[(&str, &str)]) -> RawSfu {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn with_app(more: &[(&str, &str)]) -> RawSfu {
    raw(&[APP, more].concat())
}

#[test]
fn without_an_sfu_rooms_stay_a_mesh() {
    let policy = MediaPolicy::parse(&raw(&[])).unwrap();
    assert_eq!(policy, MediaPolicy::default());
    assert_eq!(policy.mode, MediaMode::Mesh);
    let blank = MediaPolicy::parse(&raw(&[("MEDIA_MODE", " "), ("SFU_APP_ID", "")])).unwrap();
    assert_eq!(blank.mode, MediaMode::Mesh);
}

#[test]
fn an_sfu_makes_auto_the_default_with_cloudflare_s_address() {
    let policy = MediaPolicy::parse(&with_app(&[])).unwrap();
    assert_eq!(policy.mode, MediaMode::Auto);
    assert_eq!(
        (policy.switch_at, policy.sfu_capacity),
        (5, DEFAULT_SFU_CAPACITY)
    );
    let sfu = policy.sfu.unwrap();
    assert_eq!(sfu.api_url.as_str(), DEFAULT_API_URL);
    assert_eq!(sfu.app_id, "0123456789abcdef0123456789abcdef");
}

#[test]
fn the_mode_is_any_case_and_mesh_may_be_kept_with_an_sfu() {
    for (value, mode) in [
        ("SFU", MediaMode::Sfu),
        ("Auto", MediaMode::Auto),
        ("mesh", MediaMode::Mesh),
    ] {
        let policy = MediaPolicy::parse(&with_app(&[("MEDIA_MODE", value)])).unwrap();
        assert_eq!(policy.mode, mode, "{value}");
    }
    let bad = MediaPolicy::parse(&with_app(&[("MEDIA_MODE", "p2p")]));
    assert_eq!(bad, Err(SfuConfigError::BadMode("p2p".into())));
}

#[test]
fn sfu_or_auto_without_an_sfu_is_an_error_not_a_silent_mesh() {
    for (value, name) in [("sfu", "sfu"), ("auto", "auto")] {
        let error = MediaPolicy::parse(&raw(&[("MEDIA_MODE", value)])).unwrap_err();
        assert_eq!(error, SfuConfigError::ModeWithoutSfu(name));
        assert!(error.to_string().contains("SFU_APP_ID"), "{error}");
    }
}

#[test]
fn half_an_app_is_an_error() {
    let id_only = raw(&[APP[0]]);
    assert_eq!(
        MediaPolicy::parse(&id_only),
        Err(SfuConfigError::MissingToken)
    );
    let token_only = raw(&[APP[1]]);
    assert_eq!(
        MediaPolicy::parse(&token_only),
        Err(SfuConfigError::MissingAppId)
    );
    let odd = raw(&[("SFU_APP_ID", "app/../x"), APP[1]]);
    assert_eq!(
        MediaPolicy::parse(&odd),
        Err(SfuConfigError::BadAppId("app/../x".into()))
    );
}

#[test]
fn the_api_is_https_or_plain_http_on_loopback_only() {
    for good in [
        "http://127.0.0.1:9901/v1",
        "http://localhost:9901/v1",
        "https://sfu.example/v1",
    ] {
        let policy = MediaPolicy::parse(&with_app(&[("SFU_API_URL", good)])).unwrap();
        assert_eq!(policy.sfu.unwrap().api_url.as_str(), good);
    }
    for bad in [
        "http://sfu.example/v1",
        "https://user:pass@sfu.example/v1",
        "ftp://sfu.example",
        "sfu.example",
    ] {
        assert_eq!(
            MediaPolicy::parse(&with_app(&[("SFU_API_URL", bad)])),
            Err(SfuConfigError::BadApiUrl(bad.into())),
            "{bad}"
        );
    }
}

#[test]
fn the_switch_and_the_capacity_have_bounds() {
    let parse = |name: &str, value: &str| MediaPolicy::parse(&with_app(&[(name, value)]));
    assert_eq!(parse("SFU_SWITCH_AT", "2").unwrap().switch_at, 2);
    assert_eq!(parse("SFU_SWITCH_AT", "8").unwrap().switch_at, 8);
    for bad in ["1", "9", "five", "-3"] {
        assert_eq!(
            parse("SFU_SWITCH_AT", bad),
            Err(SfuConfigError::BadSwitchAt(bad.into()))
        );
    }
    assert_eq!(MediaPolicy::parse(&with_app(&[])).unwrap().last_n, 9);
    assert_eq!(parse("SFU_LAST_N", "1").unwrap().last_n, 1);
    assert_eq!(parse("SFU_LAST_N", "100").unwrap().last_n, 100);
    for bad in ["0", "101", "nine", "-1"] {
        assert_eq!(
            parse("SFU_LAST_N", bad),
            Err(SfuConfigError::BadLastN(bad.into()))
        );
    }
    assert_eq!(parse("ROOM_CAPACITY_SFU", "8").unwrap().sfu_capacity, 8);
    assert_eq!(parse("ROOM_CAPACITY_SFU", "100").unwrap().sfu_capacity, 100);
    for bad in ["7", "101", "lots"] {
        assert_eq!(
            parse("ROOM_CAPACITY_SFU", bad),
            Err(SfuConfigError::BadCapacity(bad.into()))
        );
    }
}

#[test]
fn the_app_token_never_shows_in_debug_output() {
    let policy = MediaPolicy::parse(&with_app(&[])).unwrap();
    let printed = format!("{policy:?}");
    assert!(!printed.contains("a-long-app-token"), "{printed}");
    assert!(printed.contains("<secret>"), "{printed}");
}

fn policy(mode: MediaMode, switch_at: usize) -> MediaPolicy {
    MediaPolicy {
        mode,
        switch_at,
        ..MediaPolicy::default()
    }
}

#[test]
fn mesh_and_sfu_modes_never_switch() {
    for present in [1, 5, 8] {
        let mesh = policy(MediaMode::Mesh, 5);
        assert_eq!(
            next_media(&mesh, MediaRoute::Mesh, present),
            MediaRoute::Mesh
        );
        let sfu = policy(MediaMode::Sfu, 5);
        assert_eq!(next_media(&sfu, MediaRoute::Sfu, present), MediaRoute::Sfu);
    }
    // A room left on the other by a change of configuration follows the new one.
    let sfu = policy(MediaMode::Sfu, 5);
    assert_eq!(next_media(&sfu, MediaRoute::Mesh, 2), MediaRoute::Sfu);
}

#[test]
fn auto_moves_at_the_switch_and_back_two_below_it() {
    let auto = policy(MediaMode::Auto, 5);
    assert_eq!(next_media(&auto, MediaRoute::Mesh, 4), MediaRoute::Mesh);
    assert_eq!(next_media(&auto, MediaRoute::Mesh, 5), MediaRoute::Sfu);
    assert_eq!(next_media(&auto, MediaRoute::Sfu, 4), MediaRoute::Sfu);
    assert_eq!(next_media(&auto, MediaRoute::Sfu, 3), MediaRoute::Mesh);
    assert_eq!(back_to_mesh_at(&auto), 3);
    assert_eq!(back_to_mesh_at(&policy(MediaMode::Auto, 3)), 1);
    assert_eq!(back_to_mesh_at(&policy(MediaMode::Auto, 2)), 1);
}

#[test]
fn a_reconnect_at_the_switch_does_not_bounce_the_room() {
    let auto = policy(MediaMode::Auto, 5);
    // Six arrive one by one, one drops and comes back twice, then three leave.
    let counts = [1, 2, 3, 4, 5, 6, 5, 6, 4, 5, 4, 3, 2];
    let mut media = MediaRoute::Mesh;
    let mut switches = Vec::new();
    for present in counts {
        let next = next_media(&auto, media, present);
        if next != media {
            switches.push((present, next));
        }
        media = next;
    }
    assert_eq!(switches, [(5, MediaRoute::Sfu), (3, MediaRoute::Mesh)]);
}

#[test]
fn rooms_that_may_use_the_sfu_hold_more_people() {
    assert_eq!(capacity(&policy(MediaMode::Mesh, 5)), 8);
    assert_eq!(capacity(&policy(MediaMode::Auto, 5)), DEFAULT_SFU_CAPACITY);
    let big = MediaPolicy {
        sfu_capacity: 80,
        ..policy(MediaMode::Sfu, 5)
    };
    assert_eq!(capacity(&big), 80);
}

fn peer(n: u8) -> PeerId {
    PeerId(format!("{n:032x}"))
}

fn session(n: u8) -> String {
    format!("{:032x}", 0xabc0 + u32::from(n))
}

/// Ana (1) pushes her camera and mic; Ben (2) has a session and pulls.
fn room() -> TrackRegistry {
    let mut room = TrackRegistry::default();
    room.open_session(&peer(1), &session(1)).unwrap();
    room.announce(&peer(1), "camera").unwrap();
    room.announce(&peer(1), "mic").unwrap();
    room.open_session(&peer(2), &session(2)).unwrap();
    room
}

#[test]
fn a_track_announced_here_may_be_pulled_by_others_here() {
    let room = room();
    assert_eq!(room.may_pull(&peer(2), &session(1), "camera"), Ok(&peer(1)));
    assert_eq!(room.may_pull(&peer(2), &session(1), "mic"), Ok(&peer(1)));
    assert_eq!(room.session_of(&peer(1)), Some(session(1).as_str()));
}

#[test]
fn another_room_s_session_cannot_be_pulled() {
    // Carl is in another room, with his own session there, and knows Ana's ids.
    let mut other = TrackRegistry::default();
    other.open_session(&peer(3), &session(3)).unwrap();
    assert_eq!(
        other.may_pull(&peer(3), &session(1), "camera"),
        Err(TrackRefusal::UnknownTrack)
    );
    // Nor can he pull here without a session of his own in this room.
    assert_eq!(
        room().may_pull(&peer(3), &session(1), "camera"),
        Err(TrackRefusal::NoSession)
    );
}

#[test]
fn a_person_who_left_or_withdrew_a_track_cannot_be_pulled() {
    let mut room = room();
    room.withdraw(&peer(1), "mic");
    assert_eq!(
        room.may_pull(&peer(2), &session(1), "mic"),
        Err(TrackRefusal::UnknownTrack)
    );
    assert!(room.forget(&peer(1)).is_some());
    assert_eq!(
        room.may_pull(&peer(2), &session(1), "camera"),
        Err(TrackRefusal::UnknownTrack)
    );
}

#[test]
fn tracks_not_announced_or_one_s_own_cannot_be_pulled() {
    let room = room();
    assert_eq!(
        room.may_pull(&peer(2), &session(1), "screen"),
        Err(TrackRefusal::UnknownTrack)
    );
    assert_eq!(
        room.may_pull(&peer(1), &session(1), "camera"),
        Err(TrackRefusal::UnknownTrack)
    );
}

#[test]
fn a_session_belongs_to_one_person_and_a_new_one_replaces_the_old() {
    let mut room = room();
    assert_eq!(
        room.open_session(&peer(2), &session(1)),
        Err(TrackRefusal::NotYourSession)
    );
    // Ana reconnects with a new session: what she pushed before is gone with the old one.
    room.open_session(&peer(1), &session(9)).unwrap();
    assert_eq!(
        room.may_pull(&peer(2), &session(1), "camera"),
        Err(TrackRefusal::UnknownTrack)
    );
    assert_eq!(
        room.may_pull(&peer(2), &session(9), "camera"),
        Err(TrackRefusal::UnknownTrack)
    );
    room.announce(&peer(1), "camera").unwrap();
    assert_eq!(room.may_pull(&peer(2), &session(9), "camera"), Ok(&peer(1)));
}

#[test]
fn ids_and_names_are_checked_and_tracks_are_bounded() {
    let mut room = room();
    for bad in ["", "../new", "a b", "a?b", &"a".repeat(129)] {
        assert_eq!(
            room.open_session(&peer(4), bad),
            Err(TrackRefusal::BadSessionId),
            "{bad:?}"
        );
        assert_eq!(
            room.may_pull(&peer(2), bad, "camera"),
            Err(TrackRefusal::BadSessionId)
        );
    }
    for bad in ["", "a b", "../x", &"t".repeat(65), "카메라"] {
        assert_eq!(
            room.announce(&peer(1), bad),
            Err(TrackRefusal::BadTrackName),
            "{bad:?}"
        );
    }
    assert_eq!(
        room.announce(&peer(4), "camera"),
        Err(TrackRefusal::NoSession)
    );
    // Announcing again is no new track.
    room.announce(&peer(1), "camera").unwrap();
    for n in 2..MAX_TRACKS_PER_PERSON {
        room.announce(&peer(1), &format!("extra-{n}")).unwrap();
    }
    assert_eq!(
        room.announce(&peer(1), "one-too-many"),
        Err(TrackRefusal::TooManyTracks)
    );
}

#[test]
fn the_registry_survives_storage() {
    let room = room();
    let stored = serde_json::to_string(&room).unwrap();
    let back: TrackRegistry = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, room);
}
