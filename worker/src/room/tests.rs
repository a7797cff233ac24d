use super::*;
use confab_protocol::MediaState;
use serde_json::json;

const ALICE: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const BOB: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const GONE: &str = "cccccccccccccccccccccccccccccccc";
const NOW_MS: i64 = 1_800_000_000_000;

fn member(peer: &str) -> Member {
    Member {
        peer_id: PeerId(peer.into()),
        user_id: format!("guest:{peer}"),
        name: peer[..1].to_uppercase(),
        guest: true,
        media: MediaState::default(),
    }
}

fn alice() -> Attachment {
    Attachment {
        member: member(ALICE),
        token_exp: NOW_MS / 1000 + 600,
        closing: false,
    }
}

fn run(sender: &Attachment, guard: &mut ConnGuard, text: &str) -> Vec<Action> {
    let present = |p: &PeerId| p.as_str() == ALICE || p.as_str() == BOB;
    on_text(
        &Incoming {
            sender,
            is_present: &present,
            now_ms: NOW_MS,
        },
        guard,
        text,
    )
}

fn error_code(actions: &[Action]) -> Option<ErrorCode> {
    actions.iter().find_map(|a| match a {
        Action::Reply(ServerFrame::Error { code, .. }) => Some(*code),
        _ => None,
    })
}

#[test]
fn ninth_person_is_refused_with_room_full() {
    for present in 0..limits::ROOM_CAPACITY {
        assert!(admit(present).is_ok(), "{present} present");
    }
    let refused = admit(limits::ROOM_CAPACITY).unwrap_err();
    assert_eq!(refused.code, ErrorCode::RoomFull);
}

#[test]
fn newcomer_gets_welcome_with_others_and_others_get_peer_joined() {
    let (welcome, joined) = join("standup", &member(ALICE), vec![member(BOB)]);
    match welcome {
        ServerFrame::Welcome {
            peer_id,
            room,
            you,
            peers,
            history,
        } => {
            assert_eq!(peer_id.as_str(), ALICE);
            assert_eq!(room, "standup");
            assert_eq!(you, member(ALICE));
            assert_eq!(peers, vec![member(BOB)]);
            assert!(history.is_empty());
        }
        other => panic!("expected welcome, got {other:?}"),
    }
    assert_eq!(
        joined,
        ServerFrame::PeerJoined {
            peer: member(ALICE)
        }
    );
    assert_eq!(
        leave(&member(ALICE)),
        ServerFrame::PeerLeft {
            peer_id: PeerId(ALICE.into())
        }
    );
}

#[test]
fn signal_is_relayed_to_the_addressed_peer_only_with_server_stamped_sender() {
    let mut guard = ConnGuard::new(NOW_MS);
    let frame =
        json!({"type": "signal", "to": BOB, "data": {"sdp": "v=0"}, "from": GONE}).to_string();
    assert_eq!(
        run(&alice(), &mut guard, &frame),
        vec![Action::SendTo(
            PeerId(BOB.into()),
            ServerFrame::Signal {
                from: PeerId(ALICE.into()),
                data: json!({"sdp": "v=0"})
            }
        )]
    );
}

#[test]
fn signal_to_absent_or_self_is_unknown_peer() {
    let mut guard = ConnGuard::new(NOW_MS);
    for to in [GONE, ALICE] {
        let frame = json!({"type": "signal", "to": to, "data": {}}).to_string();
        assert_eq!(
            error_code(&run(&alice(), &mut guard, &frame)),
            Some(ErrorCode::UnknownPeer),
            "to {to}"
        );
    }
}

#[test]
fn media_updates_attachment_and_tells_others() {
    let mut guard = ConnGuard::new(NOW_MS);
    let frame =
        json!({"type": "media", "audio": false, "video": true, "screen": false}).to_string();
    let actions = run(&alice(), &mut guard, &frame);
    let mut expected = alice();
    expected.member.media = MediaState {
        audio: false,
        video: true,
        screen: false,
    };
    assert_eq!(
        actions,
        vec![
            Action::UpdateAttachment(expected),
            Action::BroadcastOthers(ServerFrame::Media {
                peer_id: PeerId(ALICE.into()),
                audio: false,
                video: true,
                screen: false
            })
        ]
    );
}

#[test]
fn ping_gets_pong() {
    let mut guard = ConnGuard::new(NOW_MS);
    assert_eq!(
        run(&alice(), &mut guard, r#"{"type":"ping"}"#),
        vec![Action::Reply(ServerFrame::Pong {})]
    );
}

#[test]
fn hostile_frames_get_typed_errors_and_keep_the_socket_open() {
    let mut guard = ConnGuard::new(NOW_MS);
    let cases = [
        ("not json", ErrorCode::BadJson),
        ("{\"type\":\"nope\"}", ErrorCode::UnknownType),
        ("{\"type\":\"signal\",\"to\":5}", ErrorCode::InvalidField),
        ("null", ErrorCode::BadJson),
    ];
    for (text, code) in cases {
        let actions = run(&alice(), &mut guard, text);
        assert_eq!(error_code(&actions), Some(code), "{text}");
        assert!(
            !actions.iter().any(|a| matches!(a, Action::Close { .. })),
            "{text} must not close"
        );
    }
    let binary = on_binary(&mut guard);
    assert_eq!(error_code(&binary), Some(ErrorCode::BinaryFrame));
}

#[test]
fn frame_over_64k_closes_with_1009() {
    let mut guard = ConnGuard::new(NOW_MS);
    let big = format!("{{\"type\":\"ping\",\"x\":\"{}\"}}", "a".repeat(70 * 1024));
    let actions = run(&alice(), &mut guard, &big);
    assert!(actions.contains(&Action::Close {
        code: 1009,
        reason: "frame too big"
    }));
}

#[test]
fn repeated_bad_frames_eventually_close_the_socket() {
    let mut guard = ConnGuard::new(NOW_MS);
    let mut closed_after = None;
    for i in 1..=ConnGuard::STRIKE_LIMIT {
        if run(&alice(), &mut guard, "garbage")
            .iter()
            .any(|a| matches!(a, Action::Close { .. }))
        {
            closed_after = Some(i);
            break;
        }
    }
    assert_eq!(closed_after, Some(ConnGuard::STRIKE_LIMIT));
}

#[test]
fn flood_is_rate_limited_once_then_dropped_then_closed() {
    let mut guard = ConnGuard::new(NOW_MS);
    for _ in 0..ConnGuard::FRAME_BURST {
        assert_eq!(
            run(&alice(), &mut guard, r#"{"type":"ping"}"#),
            vec![Action::Reply(ServerFrame::Pong {})]
        );
    }
    assert_eq!(
        error_code(&run(&alice(), &mut guard, r#"{"type":"ping"}"#)),
        Some(ErrorCode::RateLimited)
    );
    assert_eq!(run(&alice(), &mut guard, r#"{"type":"ping"}"#), vec![]);
    let mut closed = false;
    for _ in 0..ConnGuard::FLOOD_LIMIT {
        closed |= run(&alice(), &mut guard, r#"{"type":"ping"}"#)
            .iter()
            .any(|a| matches!(a, Action::Close { code: 1008, .. }));
    }
    assert!(closed, "a sustained flood closes the socket");
}

#[test]
fn token_bucket_refills_over_time() {
    let mut bucket = TokenBucket::new(2, 10, 0);
    assert!(bucket.try_take(0) && bucket.try_take(0));
    assert!(!bucket.try_take(0));
    assert!(!bucket.try_take(50), "half a token after 50 ms");
    assert!(bucket.try_take(100), "one token after 100 ms");
}

#[test]
fn expired_session_is_closed_with_4401_on_next_frame() {
    let mut guard = ConnGuard::new(NOW_MS);
    let mut expired = alice();
    expired.token_exp = NOW_MS / 1000 - 1;
    let actions = run(&expired, &mut guard, r#"{"type":"ping"}"#);
    assert!(actions.contains(&Action::Close {
        code: 4401,
        reason: "token expired"
    }));
}

#[test]
fn fresh_token_for_same_user_extends_the_session_and_other_users_are_refused() {
    let mut guard = ConnGuard::new(NOW_MS);
    let auth = json!({"type": "auth", "token": "x.y.z"}).to_string();
    assert_eq!(
        run(&alice(), &mut guard, &auth),
        vec![Action::VerifyToken("x.y.z".into())]
    );
    let later = NOW_MS / 1000 + 1200;
    let mut extended = alice();
    extended.token_exp = later;
    assert_eq!(
        on_token_verified(&alice(), Ok((alice().member.user_id, later))),
        vec![Action::UpdateAttachment(extended)]
    );
    let other = on_token_verified(&alice(), Ok(("guest:someone-else".into(), later)));
    assert_eq!(error_code(&other), Some(ErrorCode::Unauthorized));
    assert_eq!(
        error_code(&on_token_verified(&alice(), Err("bad".into()))),
        Some(ErrorCode::Unauthorized)
    );
}

#[test]
fn chat_is_refused_as_unsupported_with_its_client_id() {
    let mut guard = ConnGuard::new(NOW_MS);
    let id = "6f1c2a4e-3b0d-4f5e-9a7c-1d2e3f4a5b6c";
    let actions = run(
        &alice(),
        &mut guard,
        &json!({"type": "chat", "client_id": id, "text": "hi"}).to_string(),
    );
    match &actions[0] {
        Action::Reply(ServerFrame::Error {
            code, client_id, ..
        }) => {
            assert_eq!(*code, ErrorCode::Unsupported);
            assert_eq!(client_id.map(|c| c.to_string()).as_deref(), Some(id));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn attachments_without_closing_flag_still_deserialize() {
    let mut value = serde_json::to_value(alice()).unwrap();
    value.as_object_mut().unwrap().remove("closing");
    let parsed: Attachment = serde_json::from_value(value).unwrap();
    assert_eq!(parsed, alice());
}
