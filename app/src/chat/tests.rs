use confab_protocol::{ChatMessage, ClientFrame, ErrorCode, ServerFrame};
use uuid::Uuid;

use super::*;

const ME: &str = "guest:me";
const BOB: &str = "guest:bob";

fn msg(seq: u64, user: &str, text: &str) -> ChatMessage {
    ChatMessage {
        seq,
        client_id: Uuid::from_u128(seq as u128),
        user_id: user.into(),
        name: user.trim_start_matches("guest:").into(),
        text: text.into(),
        ts: 1_700_000_000_000 + seq as i64 * 1000,
    }
}

fn range(seqs: std::ops::RangeInclusive<u64>) -> Vec<ChatMessage> {
    seqs.map(|s| msg(s, BOB, &format!("m{s}"))).collect()
}

fn seqs(store: &ChatStore) -> Vec<u64> {
    store.messages().map(|m| m.seq).collect()
}

fn history(before_seq: u64, limit: u32) -> ClientFrame {
    ClientFrame::History {
        before_seq: Some(before_seq),
        limit: Some(limit),
    }
}

fn joined(history: Vec<ChatMessage>) -> ChatStore {
    let mut store = ChatStore::new();
    assert_eq!(store.on_welcome(ME, history), vec![]);
    store
}

fn chat(message: ChatMessage) -> ServerFrame {
    ServerFrame::Chat { message }
}

fn page(messages: Vec<ChatMessage>, has_more: bool) -> ServerFrame {
    ServerFrame::History { messages, has_more }
}

#[test]
fn messages_are_kept_in_seq_order_whatever_order_they_arrive_in() {
    let mut store = joined(vec![]);
    for seq in [3, 1, 2] {
        store.on_frame(chat(msg(seq, BOB, "x")));
    }
    assert_eq!(seqs(&store), vec![1, 2, 3]);
}

#[test]
fn the_same_seq_twice_is_stored_once() {
    let mut store = joined(range(1..=3));
    store.on_frame(chat(msg(3, BOB, "m3")));
    store.on_frame(page(range(1..=3), false));
    assert_eq!(seqs(&store), vec![1, 2, 3]);
}

#[test]
fn composing_while_connected_sends_at_once_and_the_echo_is_the_ack() {
    let mut store = joined(vec![]);
    let id = Uuid::new_v4();
    let frames = store.compose("  hello\nworld  ", id).unwrap();
    assert_eq!(
        frames,
        vec![ClientFrame::Chat {
            client_id: id,
            text: "hello\nworld".into()
        }]
    );
    assert_eq!(store.outbox()[0].state, OutState::Sending);
    let mut echo = msg(7, ME, "hello\nworld");
    echo.client_id = id;
    store.on_frame(chat(echo));
    assert!(store.outbox().is_empty());
    assert_eq!(seqs(&store), vec![7]);
    assert!(store.is_mine(store.messages().next().unwrap()));
}

#[test]
fn empty_or_too_long_messages_are_refused_before_sending() {
    let mut store = joined(vec![]);
    assert_eq!(
        store.compose(" \n\t", Uuid::new_v4()),
        Err(ComposeError::Empty)
    );
    let long = "가".repeat(confab_protocol::limits::MAX_CHAT_CHARS + 1);
    assert_eq!(
        store.compose(&long, Uuid::new_v4()),
        Err(ComposeError::TooLong)
    );
    assert!(store.outbox().is_empty());
}

#[test]
fn a_message_composed_offline_waits_and_is_sent_once_on_the_next_welcome() {
    let mut store = joined(range(1..=2));
    store.on_disconnect();
    let id = Uuid::new_v4();
    assert_eq!(store.compose("offline", id).unwrap(), vec![]);
    assert_eq!(store.outbox()[0].state, OutState::Sending);
    let frames = store.on_welcome(ME, range(1..=2));
    assert_eq!(
        frames,
        vec![ClientFrame::Chat {
            client_id: id,
            text: "offline".into()
        }]
    );
    // A second welcome before the ack resends with the same client_id (the server dedupes).
    store.on_disconnect();
    let again = store.on_welcome(ME, range(1..=2));
    assert_eq!(again, frames);
}

#[test]
fn a_message_already_stored_by_the_server_is_acked_by_the_welcome_page() {
    let mut store = joined(range(1..=2));
    let id = Uuid::new_v4();
    store.compose("sent just before the drop", id).unwrap();
    store.on_disconnect();
    let mut stored = msg(3, ME, "sent just before the drop");
    stored.client_id = id;
    let mut welcome = range(1..=2);
    welcome.push(stored);
    assert_eq!(store.on_welcome(ME, welcome), vec![]);
    assert!(store.outbox().is_empty());
    assert_eq!(seqs(&store), vec![1, 2, 3]);
}

#[test]
fn a_resend_answered_with_the_original_seq_leaves_one_copy() {
    let mut store = joined(range(1..=3));
    let id = Uuid::new_v4();
    store.compose("once", id).unwrap();
    let mut original = msg(4, ME, "once");
    original.client_id = id;
    store.on_frame(chat(original.clone()));
    store.on_frame(chat(original));
    assert_eq!(seqs(&store), vec![1, 2, 3, 4]);
    assert!(store.outbox().is_empty());
}

#[test]
fn a_rejected_message_is_failed_until_retried_with_the_same_client_id() {
    let mut store = joined(vec![]);
    let id = Uuid::new_v4();
    store.compose("too fast", id).unwrap();
    store.on_frame(ServerFrame::Error {
        code: ErrorCode::RateLimited,
        message: "slow down".into(),
        client_id: Some(id),
    });
    assert_eq!(
        store.outbox()[0].state,
        OutState::Failed(ErrorCode::RateLimited)
    );
    // Failed messages are not resent by a reconnect: only by the user.
    store.on_disconnect();
    assert_eq!(store.on_welcome(ME, vec![]), vec![]);
    let frames = store.retry(id);
    assert_eq!(
        frames,
        vec![ClientFrame::Chat {
            client_id: id,
            text: "too fast".into()
        }]
    );
    assert_eq!(store.outbox()[0].state, OutState::Sending);
}

#[test]
fn an_error_for_another_client_id_changes_nothing() {
    let mut store = joined(vec![]);
    let id = Uuid::new_v4();
    store.compose("fine", id).unwrap();
    store.on_frame(ServerFrame::Error {
        code: ErrorCode::InvalidField,
        message: "bad".into(),
        client_id: Some(Uuid::new_v4()),
    });
    assert_eq!(store.outbox()[0].state, OutState::Sending);
}

#[test]
fn only_failed_messages_can_be_discarded() {
    let mut store = joined(vec![]);
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    store.compose("a", a).unwrap();
    store.compose("b", b).unwrap();
    store.on_frame(ServerFrame::Error {
        code: ErrorCode::InvalidField,
        message: "bad".into(),
        client_id: Some(b),
    });
    store.discard(a);
    store.discard(b);
    assert_eq!(store.outbox().len(), 1);
    assert_eq!(store.outbox()[0].client_id, a);
}

#[test]
fn a_gap_after_reconnect_is_paged_back_until_closed() {
    // I knew 1..=10; while I was away 11..=260 were posted; the welcome page is 211..=260.
    let mut store = joined(range(1..=10));
    store.on_disconnect();
    let frames = store.on_welcome(ME, range(211..=260));
    assert_eq!(frames, vec![history(211, 100)]);
    assert!(store.is_loading());
    assert_eq!(
        store.on_frame(page(range(111..=210), true)),
        vec![history(111, 100)]
    );
    assert_eq!(store.on_frame(page(range(11..=110), true)), vec![]);
    assert_eq!(seqs(&store), (1..=260).collect::<Vec<_>>());
    assert!(!store.is_loading());
}

#[test]
fn a_small_gap_asks_for_exactly_the_missing_messages() {
    let mut store = joined(range(1..=10));
    store.on_disconnect();
    assert_eq!(store.on_welcome(ME, range(14..=20)), vec![history(14, 3)]);
}

#[test]
fn a_live_message_that_skips_seqs_triggers_a_fetch_of_the_hole() {
    let mut store = joined(range(1..=5));
    assert_eq!(store.on_frame(chat(msg(8, BOB, "x"))), vec![history(8, 2)]);
}

#[test]
fn a_gap_the_server_cannot_fill_is_not_asked_for_again() {
    let mut store = joined(range(1..=5));
    store.on_disconnect();
    assert_eq!(store.on_welcome(ME, range(9..=10)), vec![history(9, 3)]);
    assert_eq!(store.on_frame(page(vec![], true)), vec![]);
    store.on_disconnect();
    assert_eq!(store.on_welcome(ME, range(9..=10)), vec![]);
}

#[test]
fn a_request_lost_with_the_socket_is_asked_again_after_the_welcome() {
    let mut store = joined(range(1..=5));
    store.on_disconnect();
    assert_eq!(store.on_welcome(ME, range(50..=60)), vec![history(50, 44)]);
    store.on_disconnect();
    assert!(!store.is_loading());
    assert_eq!(store.on_welcome(ME, range(50..=60)), vec![history(50, 44)]);
}

#[test]
fn one_history_request_at_a_time() {
    let mut store = joined(range(101..=150));
    assert_eq!(store.load_earlier(), vec![history(101, PAGE)]);
    assert_eq!(store.load_earlier(), vec![]);
    assert_eq!(store.jump_to(3), vec![]);
}

#[test]
fn load_earlier_pages_back_to_the_first_message() {
    let mut store = joined(range(61..=100));
    assert!(store.can_load_earlier());
    assert_eq!(store.load_earlier(), vec![history(61, PAGE)]);
    store.on_frame(page(range(11..=60), true));
    assert!(store.can_load_earlier());
    assert_eq!(store.load_earlier(), vec![history(11, PAGE)]);
    store.on_frame(page(range(1..=10), false));
    assert!(!store.can_load_earlier());
    assert_eq!(store.load_earlier(), vec![]);
    assert_eq!(seqs(&store), (1..=100).collect::<Vec<_>>());
}

#[test]
fn the_server_saying_no_more_stops_paging_even_above_seq_1() {
    let mut store = joined(range(61..=100));
    store.load_earlier();
    store.on_frame(page(range(40..=60), false));
    assert!(!store.can_load_earlier());
}

#[test]
fn an_empty_room_has_nothing_earlier() {
    let mut store = joined(vec![]);
    assert!(!store.can_load_earlier());
    assert_eq!(store.load_earlier(), vec![]);
}

#[test]
fn jumping_to_an_old_message_loads_pages_until_it_is_there() {
    let mut store = joined(range(251..=300));
    assert_eq!(store.jump_to(42), vec![history(251, 100)]);
    assert_eq!(store.ready_jump(), None);
    assert_eq!(
        store.on_frame(page(range(151..=250), true)),
        vec![history(151, 100)]
    );
    assert_eq!(
        store.on_frame(page(range(51..=150), true)),
        vec![history(51, 100)]
    );
    assert_eq!(store.on_frame(page(range(1..=50), false)), vec![]);
    assert_eq!(store.ready_jump(), Some(42));
    store.clear_jump();
    assert_eq!(store.ready_jump(), None);
}

#[test]
fn jumping_to_a_loaded_message_needs_no_request() {
    let mut store = joined(range(1..=10));
    assert_eq!(store.jump_to(4), vec![]);
    assert_eq!(store.ready_jump(), Some(4));
}

#[test]
fn gaps_are_filled_before_older_pages() {
    let mut store = joined(range(51..=60));
    store.on_disconnect();
    store.on_welcome(ME, range(71..=80));
    // The gap request is in flight; the user's wish waits for it.
    assert_eq!(store.load_earlier(), vec![]);
    assert_eq!(
        store.on_frame(page(range(61..=70), true)),
        vec![history(51, PAGE)]
    );
}

#[test]
fn a_refused_history_request_does_not_hang_or_loop() {
    let mut store = joined(range(11..=20));
    assert_eq!(store.load_earlier(), vec![history(11, PAGE)]);
    store.on_frame(ServerFrame::Error {
        code: ErrorCode::Unsupported,
        message: "`history` is not supported".into(),
        client_id: None,
    });
    assert!(!store.is_loading());
    assert_eq!(store.notice(), Some(ErrorCode::Unsupported));
    assert_eq!(store.load_earlier(), vec![history(11, PAGE)]);

    let mut gap = joined(range(1..=5));
    gap.on_disconnect();
    assert_eq!(gap.on_welcome(ME, range(9..=10)), vec![history(9, 3)]);
    gap.on_frame(ServerFrame::Error {
        code: ErrorCode::Unsupported,
        message: "no".into(),
        client_id: None,
    });
    assert_eq!(gap.on_frame(chat(msg(11, BOB, "x"))), vec![]);
}

#[test]
fn nothing_is_requested_while_disconnected() {
    let mut store = joined(range(11..=20));
    store.on_disconnect();
    assert_eq!(store.load_earlier(), vec![]);
    assert_eq!(store.search_for("x"), vec![]);
    // Both wishes are carried out once the socket is back.
    let frames = store.on_welcome(ME, range(11..=20));
    assert_eq!(
        frames,
        vec![
            ClientFrame::Search {
                q: "x".into(),
                limit: Some(SEARCH_LIMIT)
            },
            history(11, PAGE)
        ]
    );
}

#[test]
fn unread_counts_others_messages_while_the_panel_is_closed() {
    let mut store = joined(range(1..=5));
    assert_eq!(store.unread(), 0, "the page shown on arrival is not unread");
    store.on_frame(chat(msg(6, BOB, "hi")));
    store.on_frame(chat(msg(7, ME, "my own")));
    store.on_frame(chat(msg(8, BOB, "there")));
    assert_eq!(store.unread(), 2);
    store.set_panel_open(true);
    assert_eq!(store.unread(), 0);
    store.on_frame(chat(msg(9, BOB, "seen at once")));
    store.set_panel_open(false);
    assert_eq!(store.unread(), 0);
    store.on_frame(chat(msg(10, BOB, "new")));
    assert_eq!(store.unread(), 1);
}

#[test]
fn messages_missed_during_a_reconnect_count_as_unread() {
    let mut store = joined(range(1..=5));
    store.on_disconnect();
    store.on_welcome(ME, range(1..=8));
    assert_eq!(store.unread(), 3);
}

#[test]
fn opening_the_panel_puts_a_divider_above_the_first_unread_message() {
    let mut store = joined(range(1..=3));
    store.on_frame(chat(msg(4, ME, "mine")));
    store.on_frame(chat(msg(5, BOB, "new")));
    store.on_frame(chat(msg(6, BOB, "newer")));
    store.set_panel_open(true);
    let dividers: Vec<u64> = store
        .rows()
        .iter()
        .filter(|r| r.first_unread)
        .map(|r| r.message.seq)
        .collect();
    assert_eq!(dividers, vec![5]);
    // It stays while the panel is open, and goes once I reply.
    store.on_frame(chat(msg(7, BOB, "more")));
    assert!(store.rows().iter().any(|r| r.first_unread));
    store.compose("reply", Uuid::new_v4()).unwrap();
    assert!(store.rows().iter().all(|r| !r.first_unread));
}

#[test]
fn no_divider_when_nothing_was_unread() {
    let mut store = joined(range(1..=3));
    store.set_panel_open(true);
    assert!(store.rows().iter().all(|r| !r.first_unread));
}

#[test]
fn rows_group_consecutive_messages_from_one_sender() {
    let mut store = joined(vec![]);
    let mut late = msg(4, BOB, "much later");
    late.ts += 10 * 60_000;
    for m in [msg(1, BOB, "a"), msg(2, BOB, "b"), msg(3, ME, "c"), late] {
        store.on_frame(chat(m));
    }
    let headers: Vec<bool> = store.rows().iter().map(|r| r.header).collect();
    assert_eq!(headers, vec![true, false, true, true]);
    let mine: Vec<bool> = store.rows().iter().map(|r| r.mine).collect();
    assert_eq!(mine, vec![false, false, true, false]);
}

#[test]
fn my_messages_stay_mine_after_my_identity_changes() {
    let mut store = joined(vec![]);
    let id = Uuid::new_v4();
    store.compose("hello", id).unwrap();
    let mut echo = msg(1, ME, "hello");
    echo.client_id = id;
    store.on_frame(chat(echo));
    store.on_disconnect();
    store.on_welcome("guest:new-me", vec![]);
    assert!(store.rows()[0].mine);
}

#[test]
fn search_results_are_kept_only_for_the_current_query() {
    let mut store = joined(vec![]);
    assert_eq!(
        store.search_for("  학교 "),
        vec![ClientFrame::Search {
            q: "학교".into(),
            limit: Some(SEARCH_LIMIT)
        }]
    );
    assert_eq!(
        store.search_for("학교"),
        vec![],
        "same query is not sent twice"
    );
    store.on_frame(ServerFrame::SearchResults {
        q: "old".into(),
        messages: vec![msg(1, BOB, "old")],
    });
    assert_eq!(store.search().unwrap().results, None);
    store.on_frame(ServerFrame::SearchResults {
        q: "학교".into(),
        messages: vec![msg(2, BOB, "내일 학교에서 보자")],
    });
    assert_eq!(store.search().unwrap().results.as_ref().unwrap().len(), 1);
    assert_eq!(store.search_for(""), vec![]);
    assert!(store.search().is_none());
}

#[test]
fn a_refused_search_shows_its_error() {
    let mut store = joined(vec![]);
    store.search_for("x");
    store.on_frame(ServerFrame::Error {
        code: ErrorCode::InvalidField,
        message: "bad query".into(),
        client_id: None,
    });
    assert_eq!(store.search().unwrap().error, Some(ErrorCode::InvalidField));
}
