//! Chat frames through the room: limits, storage-backed answers, failures.

use super::*;
use crate::sql::host_db::HostDb;
use confab_protocol::ChatMessage;

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
