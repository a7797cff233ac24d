use super::test_support::{alice, member, ALICE, BOB, GONE, NOW_MS};
use super::*;
use confab_protocol::{ChatMessage, MediaRoute, MediaState, RoomAccess};
use serde_json::json;

fn run(sender: &Attachment, guard: &mut ConnGuard, text: &str) -> Vec<Action> {
    let present =
        |p: &PeerId| (p.as_str() == ALICE || p.as_str() == BOB).then(|| member(p.as_str()));
    on_text(
        &Incoming {
            hidden_through: &|| 0,
            sender,
            member_of: &present,
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
fn newcomer_gets_welcome_with_others_and_others_get_peer_joined() {
    let history = vec![ChatMessage {
        seq: 3,
        client_id: Uuid::nil(),
        user_id: "guest:x".into(),
        name: "X".into(),
        text: "earlier".into(),
        ts: NOW_MS,
    }];
    let (welcome, joined) = join(
        "standup",
        &member(ALICE),
        vec![member(BOB)],
        history.clone(),
        RoomNow {
            access: RoomAccess {
                locked: true,
                capacity: 5,
                ..RoomAccess::default()
            },
            route: MediaRoute::Sfu,
            room_limit: 50,
            last_n: 4,
        },
    );
    match welcome {
        ServerFrame::Welcome {
            peer_id,
            room,
            you,
            peers,
            history: history_sent,
            access,
            route,
            room_limit,
            last_n,
        } => {
            assert!(access.locked && access.capacity == 5);
            assert_eq!((route, room_limit, last_n), (MediaRoute::Sfu, 50, 4));
            assert_eq!(peer_id.as_str(), ALICE);
            assert_eq!(room, "standup");
            assert_eq!(you, member(ALICE));
            assert_eq!(peers, vec![member(BOB)]);
            assert_eq!(history_sent, history);
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
fn a_plain_signal_is_relayed_with_its_data_as_sent() {
    let mut guard = ConnGuard::new(NOW_MS);
    let frame =
        format!(r#"{{"type":"signal","to":"{BOB}","data":{{"n":4.8843664185623195e+218}}}}"#);
    let actions = run(&alice(), &mut guard, &frame);
    let [Action::Relay { to, text }] = actions.as_slice() else {
        panic!("expected one relay, got {actions:?}");
    };
    assert_eq!(to, &PeerId(BOB.into()));
    assert!(
        text.ends_with(r#""data":{"n":4.8843664185623195e+218}}"#),
        "{text}"
    );
    let relayed: ServerFrame = serde_json::from_str(text).expect("a server frame");
    assert!(matches!(relayed, ServerFrame::Signal { from, .. } if from == PeerId(ALICE.into())));
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
fn a_hand_goes_up_once_with_the_rooms_time_and_down_again() {
    let mut guard = ConnGuard::new(NOW_MS);
    let raise = json!({"type": "hand", "raised": true}).to_string();
    let actions = run(&alice(), &mut guard, &raise);
    let mut raised = alice();
    raised.member.hand = Some(NOW_MS);
    let up = ServerFrame::Hand {
        peer_id: PeerId(ALICE.into()),
        raised_at: Some(NOW_MS),
    };
    assert_eq!(
        actions,
        vec![
            Action::UpdateAttachment(raised.clone()),
            Action::Reply(up.clone()),
            Action::BroadcastOthers(up),
        ]
    );
    // Raising a raised hand keeps its place in the queue and says nothing.
    assert_eq!(run(&raised, &mut guard, &raise), vec![]);
    let lower = json!({"type": "hand", "raised": false}).to_string();
    let down = ServerFrame::Hand {
        peer_id: PeerId(ALICE.into()),
        raised_at: None,
    };
    assert_eq!(
        run(&raised, &mut guard, &lower),
        vec![
            Action::UpdateAttachment(alice()),
            Action::Reply(down.clone()),
            Action::BroadcastOthers(down),
        ]
    );
    assert_eq!(run(&alice(), &mut guard, &lower), vec![]);
}

#[test]
fn a_hand_frame_cannot_name_someone_else_or_carry_a_time() {
    let mut guard = ConnGuard::new(NOW_MS);
    // Extra fields are ignored: whose hand and when are the room's to say.
    let frame = json!({"type": "hand", "raised": true, "peer_id": BOB, "raised_at": 1}).to_string();
    let actions = run(&alice(), &mut guard, &frame);
    let announced: Vec<_> = actions
        .iter()
        .filter_map(|a| match a {
            Action::BroadcastOthers(ServerFrame::Hand { peer_id, raised_at }) => {
                Some((peer_id.0.clone(), *raised_at))
            }
            _ => None,
        })
        .collect();
    assert_eq!(announced, vec![(ALICE.to_owned(), Some(NOW_MS))]);
    for bad in [
        json!({"type": "hand"}),
        json!({"type": "hand", "raised": "yes"}),
        json!({"type": "hand", "raised": null}),
    ] {
        let actions = run(&alice(), &mut guard, &bad.to_string());
        assert_eq!(error_code(&actions), Some(ErrorCode::InvalidField), "{bad}");
    }
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
fn attachments_without_closing_flag_still_deserialize() {
    let mut value = serde_json::to_value(alice()).unwrap();
    value.as_object_mut().unwrap().remove("closing");
    let parsed: Attachment = serde_json::from_value(value).unwrap();
    assert_eq!(parsed, alice());
}

#[test]
fn a_reaction_goes_to_everyone_and_a_flood_is_refused() {
    let clap = json!({"type": "react", "reaction": "👏"}).to_string();
    let sender = alice();
    let present = |p: &PeerId| Some(member(p.as_str()));
    let react = |guard: &mut ConnGuard, now_ms: i64| {
        let incoming = Incoming {
            hidden_through: &|| 0,
            sender: &sender,
            member_of: &present,
            now_ms,
        };
        on_text(&incoming, guard, &clap)
    };
    let shown = ServerFrame::Reaction {
        peer_id: PeerId(ALICE.into()),
        reaction: confab_protocol::Reaction::Clap,
    };
    let delivered = vec![Action::Reply(shown.clone()), Action::BroadcastOthers(shown)];
    let mut guard = ConnGuard::new(NOW_MS);
    for _ in 0..ConnGuard::REACTION_BURST {
        assert_eq!(react(&mut guard, NOW_MS), delivered);
    }
    // The sixth at once is refused with the typed error (the socket stays open), and again
    // until a second has passed; then one more goes through.
    assert_eq!(
        react(&mut guard, NOW_MS),
        vec![Action::Reply(ServerFrame::error(
            ErrorCode::RateLimited,
            "more than 5 reactions in a row; one a second after that",
        ))]
    );
    assert_eq!(
        error_code(&react(&mut guard, NOW_MS + 500)),
        Some(ErrorCode::RateLimited)
    );
    assert_eq!(react(&mut guard, NOW_MS + 1_000), delivered);
}

#[test]
fn history_and_search_lookups_have_a_budget_of_their_own() {
    let sender = alice();
    let present = |p: &PeerId| Some(member(p.as_str()));
    let send = |guard: &mut ConnGuard, text: &str, now_ms: i64| {
        let incoming = Incoming {
            hidden_through: &|| 0,
            sender: &sender,
            member_of: &present,
            now_ms,
        };
        on_text(&incoming, guard, text)
    };
    let page = json!({"type": "history", "before_seq": 500, "limit": 100}).to_string();
    let search = json!({"type": "search", "q": "회의", "limit": 50}).to_string();
    let is_lookup = |actions: &[Action]| matches!(actions, [Action::Chat(_)]);
    let mut guard = ConnGuard::new(NOW_MS);
    // Ten full pages at once (well under the frame rate)...
    for _ in 0..10 {
        assert!(is_lookup(&send(&mut guard, &page, NOW_MS)));
    }
    // ...then neither another page nor a search, with the typed error and no strike...
    for frame in [&page, &search] {
        assert_eq!(
            error_code(&send(&mut guard, frame, NOW_MS)),
            Some(ErrorCode::RateLimited)
        );
    }
    // ...while chat goes on; half a second later a search of 50 fits again, a page of 100 not.
    let chat = json!({"type": "chat", "client_id": uuid::Uuid::new_v4(), "text": "hi"}).to_string();
    assert!(is_lookup(&send(&mut guard, &chat, NOW_MS)));
    assert!(is_lookup(&send(&mut guard, &search, NOW_MS + 250)));
    assert_eq!(
        error_code(&send(&mut guard, &page, NOW_MS + 250)),
        Some(ErrorCode::RateLimited)
    );
    assert!(is_lookup(&send(&mut guard, &page, NOW_MS + 1_000)));
}

mod chat;
