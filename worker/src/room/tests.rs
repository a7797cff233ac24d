use super::test_support::{alice, member, ALICE, BOB, GONE, NOW_MS};
use super::*;
use crate::sql::host_db::HostDb;
use confab_protocol::MediaState;
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
        RoomAccess {
            locked: true,
            capacity: 5,
            ..RoomAccess::default()
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
        } => {
            assert!(access.locked && access.capacity == 5);
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

fn chat_frame(id: &str, text: &str) -> String {
    json!({"type": "chat", "client_id": id, "text": text}).to_string()
}

const CLIENT_ID: &str = "6f1c2a4e-3b0d-4f5e-9a7c-1d2e3f4a5b6c";

fn client_id() -> Uuid {
    Uuid::parse_str(CLIENT_ID).unwrap()
}

#[test]
fn chat_history_and_search_frames_go_to_chat_storage_with_default_limits() {
    let mut guard = ConnGuard::new(NOW_MS);
    assert_eq!(
        run(
            &alice(),
            &mut guard,
            &chat_frame(CLIENT_ID, " hi <b>there</b>\n")
        ),
        vec![Action::Chat(ChatRequest::Post {
            client_id: client_id(),
            text: " hi <b>there</b>\n".into()
        })]
    );
    assert_eq!(
        run(&alice(), &mut guard, r#"{"type":"history"}"#),
        vec![Action::Chat(ChatRequest::History {
            after_seq: 0,
            before_seq: None,
            limit: DEFAULT_HISTORY_LIMIT
        })]
    );
    assert_eq!(
        run(
            &alice(),
            &mut guard,
            r#"{"type":"history","before_seq":7,"limit":100}"#
        ),
        vec![Action::Chat(ChatRequest::History {
            after_seq: 0,
            before_seq: Some(7),
            limit: 100
        })]
    );
    assert_eq!(
        run(&alice(), &mut guard, r#"{"type":"search","q":"학교 \"*"}"#),
        vec![Action::Chat(ChatRequest::Search {
            after_seq: 0,
            q: "학교 \"*".into(),
            limit: DEFAULT_SEARCH_LIMIT
        })]
    );
}

#[test]
fn invalid_chat_history_and_search_frames_are_refused_with_invalid_field() {
    let mut guard = ConnGuard::new(NOW_MS);
    let actions = run(&alice(), &mut guard, &chat_frame(CLIENT_ID, "  \n "));
    assert_eq!(
        actions,
        vec![Action::Reply(ServerFrame::Error {
            code: ErrorCode::InvalidField,
            message: "chat text must be 1–4000 characters".into(),
            client_id: Some(client_id()),
        })]
    );
    let too_long = "가".repeat(limits::MAX_CHAT_CHARS + 1);
    for frame in [
        chat_frame(CLIENT_ID, &too_long),
        chat_frame("not-a-uuid", "hi"),
        r#"{"type":"history","limit":101}"#.into(),
        r#"{"type":"history","limit":0}"#.into(),
        r#"{"type":"history","before_seq":-1}"#.into(),
        r#"{"type":"search","q":"   "}"#.into(),
        r#"{"type":"search","q":"x","limit":51}"#.into(),
    ] {
        assert_eq!(
            error_code(&run(&alice(), &mut guard, &frame)),
            Some(ErrorCode::InvalidField),
            "{frame}"
        );
    }
    // Exactly at the limits is fine.
    let longest = "가".repeat(limits::MAX_CHAT_CHARS);
    assert!(matches!(
        run(&alice(), &mut guard, &chat_frame(CLIENT_ID, &longest))[..],
        [Action::Chat(ChatRequest::Post { .. })]
    ));
}

#[test]
fn chat_over_ten_a_second_after_a_burst_of_twenty_is_rate_limited_with_its_client_id() {
    let mut guard = ConnGuard::new(NOW_MS);
    let mut sent = 0;
    let mut refused = Vec::new();
    for i in 0..30u32 {
        let id = Uuid::from_u128(u128::from(i) + 1);
        match &run(&alice(), &mut guard, &chat_frame(&id.to_string(), "spam"))[..] {
            [Action::Chat(ChatRequest::Post { client_id, .. })] => {
                assert_eq!(*client_id, id);
                sent += 1;
            }
            [Action::Reply(ServerFrame::Error {
                code: ErrorCode::RateLimited,
                client_id,
                ..
            })] => refused.push(client_id.expect("rate_limited carries the client_id")),
            other => panic!("message {i}: {other:?}"),
        }
    }
    assert_eq!(sent, ConnGuard::CHAT_BURST);
    assert_eq!(refused.len(), 10);
    assert_eq!(refused[0], Uuid::from_u128(21));
    // Other frames still work, and refusals are not strikes.
    assert_eq!(
        run(&alice(), &mut guard, r#"{"type":"ping"}"#),
        vec![Action::Reply(ServerFrame::Pong {})]
    );
    for _ in 0..ConnGuard::STRIKE_LIMIT {
        let actions = run(&alice(), &mut guard, &chat_frame(CLIENT_ID, "more"));
        assert!(!actions.iter().any(|a| matches!(a, Action::Close { .. })));
    }
}

#[test]
fn chat_rate_refills_at_ten_a_second() {
    let mut guard = ConnGuard::new(0);
    for _ in 0..ConnGuard::CHAT_BURST {
        assert!(guard.admit_chat(0));
    }
    assert!(!guard.admit_chat(0));
    assert!(!guard.admit_chat(99));
    assert!(guard.admit_chat(100));
    assert!(!guard.admit_chat(100));
    // A second later: ten more, not twenty.
    let admitted = (0..20).filter(|_| guard.admit_chat(1100)).count();
    assert_eq!(admitted, 10);
}

fn chat_db() -> HostDb {
    let db = HostDb::new();
    ChatStore::new(&db).migrate().unwrap();
    db
}

fn post_request(id: Uuid, text: &str) -> ChatRequest {
    ChatRequest::Post {
        client_id: id,
        text: text.into(),
    }
}

#[test]
fn a_new_message_is_acked_to_the_sender_and_sent_to_everyone_else() {
    let db = chat_db();
    let store = ChatStore::new(&db);
    let actions = on_chat(
        &store,
        &member(ALICE),
        post_request(client_id(), "hello"),
        NOW_MS,
        &Retention::default(),
    );
    let message = ChatMessage {
        seq: 1,
        client_id: client_id(),
        user_id: member(ALICE).user_id,
        name: member(ALICE).name,
        text: "hello".into(),
        ts: NOW_MS,
    };
    assert_eq!(
        actions,
        vec![
            Action::Reply(ServerFrame::Chat {
                message: message.clone()
            }),
            Action::BroadcastOthers(ServerFrame::Chat { message }),
        ]
    );
}

#[test]
fn a_resent_client_id_gets_the_original_back_and_nobody_else_hears_it() {
    let db = chat_db();
    let store = ChatStore::new(&db);
    let first = on_chat(
        &store,
        &member(ALICE),
        post_request(client_id(), "once"),
        NOW_MS,
        &Retention::default(),
    );
    let Action::Reply(original) = &first[0] else {
        panic!("{first:?}")
    };
    let again = on_chat(
        &store,
        &member(ALICE),
        post_request(client_id(), "once"),
        NOW_MS + 60_000,
        &Retention::default(),
    );
    assert_eq!(again, vec![Action::Reply(original.clone())]);
}

#[test]
fn history_and_search_answer_the_sender_only() {
    let db = chat_db();
    let store = ChatStore::new(&db);
    for (i, text) in ["내일 학교에서 보자", "see you tomorrow"]
        .iter()
        .enumerate()
    {
        on_chat(
            &store,
            &member(ALICE),
            post_request(Uuid::from_u128(i as u128 + 1), text),
            NOW_MS,
            &Retention::default(),
        );
    }
    match &on_chat(
        &store,
        &member(BOB),
        ChatRequest::History {
            after_seq: 0,
            before_seq: None,
            limit: 1,
        },
        NOW_MS,
        &Retention::default(),
    )[..]
    {
        [Action::Reply(ServerFrame::History { messages, has_more })] => {
            assert_eq!(messages.len(), 1);
            assert_eq!(messages[0].seq, 2);
            assert!(*has_more);
        }
        other => panic!("{other:?}"),
    }
    match &on_chat(
        &store,
        &member(BOB),
        ChatRequest::Search {
            after_seq: 0,
            q: "학교".into(),
            limit: 20,
        },
        NOW_MS,
        &Retention::default(),
    )[..]
    {
        [Action::Reply(ServerFrame::SearchResults { q, messages })] => {
            assert_eq!(q, "학교");
            assert_eq!(messages.len(), 1);
            assert_eq!(messages[0].text, "내일 학교에서 보자");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn storage_failure_is_an_internal_error_to_the_sender_only_and_is_logged() {
    let db = chat_db();
    db.fail_statements_containing(Some("chat_messages"));
    let store = ChatStore::new(&db);
    let actions = on_chat(
        &store,
        &member(ALICE),
        post_request(client_id(), "lost?"),
        NOW_MS,
        &Retention::default(),
    );
    match &actions[..] {
        [Action::Reply(ServerFrame::Error {
            code: ErrorCode::Internal,
            client_id: Some(id),
            ..
        }), Action::LogError(log)] => {
            assert_eq!(*id, client_id());
            assert!(log.contains("injected failure"), "{log}");
        }
        other => panic!("{other:?}"),
    }
    for request in [
        ChatRequest::History {
            after_seq: 0,
            before_seq: None,
            limit: 5,
        },
        ChatRequest::Search {
            after_seq: 0,
            q: "x".into(),
            limit: 5,
        },
    ] {
        let actions = on_chat(
            &store,
            &member(ALICE),
            request,
            NOW_MS,
            &Retention::default(),
        );
        assert_eq!(error_code(&actions), Some(ErrorCode::Internal));
        assert!(matches!(actions.last(), Some(Action::LogError(_))));
        assert!(!actions
            .iter()
            .any(|a| matches!(a, Action::BroadcastOthers(_))));
    }
    let unavailable = chat_unavailable(
        &post_request(client_id(), "x"),
        StoreError::Sql("no".into()),
    );
    assert!(matches!(
        &unavailable[0],
        Action::Reply(ServerFrame::Error {
            code: ErrorCode::Internal,
            client_id: Some(_),
            ..
        })
    ));
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
