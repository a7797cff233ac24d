//! Room chat over real WebSockets against the real worker under `wrangler dev` (DESIGN.md,
//! "Wire contract" and "Chat"): fan-out and acks, `seq`, resend dedupe, history paging,
//! verbatim text, search (Korean, English, mixed, hostile queries, room scoping), the chat rate
//! limit, retention, and history surviving a restart of the worker.
//!
//! One wrangler serves most of the file (each test uses its own random room); one with a
//! retention limit starts only if its test runs, and the restart test runs its own. The harness
//! is libtest-mimic, so the output and filters are the usual `cargo test` ones.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use confab_protocol::{limits, ChatMessage, ClientFrame, ErrorCode, ServerFrame};
use confab_tests::http;
use confab_tests::wrangler::{stop_all, Options, Shared, Wrangler};
use confab_tests::ws_client::{join, Client, Welcome};
use libtest_mimic::Arguments;
use uuid::Uuid;

/// The local-dev configuration: chat kept forever.
static OPEN: Shared = Shared::new();
/// `CHAT_RETENTION_MESSAGES` = [`RETAINED`].
static RETAINING: Shared = Shared::new();
const RETAINED: u64 = 5;

/// No single test may take longer than this.
const TEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The server's chat burst per connection (room/guard.rs): senders stay within it.
const CHAT_BURST: usize = 20;

fn main() {
    let args = Arguments::from_args();
    let trials = confab_tests::async_trials![TEST_TIMEOUT;
        chat::message_reaches_everyone_and_the_sender_copy_is_the_ack,
        chat::seq_starts_at_one_and_goes_up_by_one,
        chat::resend_after_reconnect_returns_the_original_and_adds_nothing,
        chat::text_is_stored_and_returned_verbatim,
        chat::invalid_chat_is_refused_with_its_client_id,
        history::paging_over_250_messages_returns_each_once,
        history::limits_are_enforced,
        search::korean_word_is_found_with_its_particle_attached,
        search::every_term_must_match,
        search::english_is_case_insensitive_with_word_prefixes,
        search::mixed_korean_and_english,
        search::hostile_queries_are_searched_for_not_errors,
        search::results_are_newest_first_and_limited,
        search::rooms_never_see_each_others_messages,
        rate::burst_of_30_is_partly_rate_limited_and_the_room_keeps_working,
        retention::oldest_messages_are_pruned_from_history_and_search,
        restart::history_and_search_survive_a_restart,
    ];
    let conclusion = libtest_mimic::run(&args, trials);
    if conclusion.has_failed() {
        for log in [OPEN.log_path(), RETAINING.log_path()]
            .into_iter()
            .flatten()
        {
            eprintln!("wrangler log: {}", log.display());
        }
    }
    // Statics are never dropped: stop the workers explicitly, whatever the outcome.
    stop_all(&[&OPEN, &RETAINING]);
    conclusion.exit();
}

// ---- shared fixtures -------------------------------------------------------------------------

fn open() -> Arc<Wrangler> {
    OPEN.get(Options::default).unwrap_or_else(|e| panic!("{e}"))
}

fn retaining() -> Arc<Wrangler> {
    RETAINING
        .get(|| Options {
            vars: vec![("CHAT_RETENTION_MESSAGES".to_owned(), RETAINED.to_string())],
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A fresh room name, so tests never share a Durable Object.
fn new_room() -> String {
    format!("c-{}", Uuid::new_v4().simple())
}

/// A new guest joins `room`; returns the socket, the welcome and the token (to rejoin as the
/// same person).
async fn join_as(w: &Wrangler, room: &str, name: &str) -> (Client, Welcome, String) {
    let token = http::guest(w.base_url(), name).access_token;
    let (client, welcome) = join(w, room, &token, name).await;
    (client, welcome, token)
}

async fn send_chat(client: &mut Client, client_id: Uuid, text: &str) {
    client
        .send(&ClientFrame::Chat {
            client_id,
            text: text.to_owned(),
        })
        .await;
}

/// The next frame other than presence (`peer_joined`, `peer_left`, `media`) must be `chat`.
async fn expect_chat(client: &mut Client) -> ChatMessage {
    match next_non_presence(client).await {
        ServerFrame::Chat { message } => message,
        other => panic!("{}: expected chat, got {other:?}", client.label),
    }
}

/// Sends one message and waits for its ack (the sender's own copy, matched by client_id).
async fn say(client: &mut Client, text: &str) -> ChatMessage {
    let id = Uuid::new_v4();
    send_chat(client, id, text).await;
    let ack = expect_chat(client).await;
    assert_eq!(
        ack.client_id, id,
        "{}: ack for another message",
        client.label
    );
    assert_eq!(ack.text, text);
    ack
}

/// Skips `peer_joined`/`peer_left`/`media` frames; the next other frame.
async fn next_non_presence(client: &mut Client) -> ServerFrame {
    loop {
        match client.expect_frame().await {
            ServerFrame::PeerJoined { .. }
            | ServerFrame::PeerLeft { .. }
            | ServerFrame::Media { .. } => continue,
            other => return other,
        }
    }
}

async fn history(
    client: &mut Client,
    before_seq: Option<u64>,
    limit: Option<u32>,
) -> (Vec<ChatMessage>, bool) {
    client
        .send(&ClientFrame::History { before_seq, limit })
        .await;
    match next_non_presence(client).await {
        ServerFrame::History { messages, has_more } => (messages, has_more),
        other => panic!("{}: expected history, got {other:?}", client.label),
    }
}

/// Every stored message of the room, oldest first, walking back with `before_seq`.
async fn all_history(client: &mut Client) -> Vec<ChatMessage> {
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let (page, has_more) = history(client, before, Some(limits::MAX_HISTORY_LIMIT)).await;
        let first = page.first().map(|m| m.seq);
        all.splice(0..0, page);
        match first {
            Some(first) if has_more => before = Some(first),
            _ => return all,
        }
    }
}

async fn search(client: &mut Client, q: &str, limit: Option<u32>) -> Vec<ChatMessage> {
    client
        .send(&ClientFrame::Search {
            q: q.to_owned(),
            limit,
        })
        .await;
    match next_non_presence(client).await {
        ServerFrame::SearchResults {
            q: echoed,
            messages,
        } => {
            assert_eq!(echoed, q, "search_results must echo q");
            messages
        }
        other => panic!(
            "{}: search {q:?}: expected search_results, got {other:?}",
            client.label
        ),
    }
}

async fn search_texts(client: &mut Client, q: &str) -> Vec<String> {
    search(client, q, None)
        .await
        .into_iter()
        .map(|m| m.text)
        .collect()
}

/// Posts `texts` in order, from as many short-lived connections as the chat burst needs (the
/// rate limit is per connection), each pipelining its share; returns the acks.
async fn post_many(w: &Wrangler, room: &str, texts: &[String]) -> Vec<ChatMessage> {
    let mut acks = Vec::new();
    for (n, chunk) in texts.chunks(CHAT_BURST).enumerate() {
        let (mut poster, _, _) = join_as(w, room, &format!("Poster{n}")).await;
        let ids: Vec<Uuid> = chunk.iter().map(|_| Uuid::new_v4()).collect();
        for (id, text) in ids.iter().zip(chunk) {
            send_chat(&mut poster, *id, text).await;
        }
        for id in &ids {
            let ack = expect_chat(&mut poster).await;
            assert_eq!(ack.client_id, *id, "acks come in sending order");
            acks.push(ack);
        }
        poster.close().await;
    }
    acks
}

fn seqs(messages: &[ChatMessage]) -> Vec<u64> {
    messages.iter().map(|m| m.seq).collect()
}

// ---- chat ------------------------------------------------------------------------------------

mod chat {
    use super::*;

    pub async fn message_reaches_everyone_and_the_sender_copy_is_the_ack() {
        let w = open();
        let room = new_room();
        let (mut a, wa, _) = join_as(&w, &room, "Ann").await;
        let (mut b, _, _) = join_as(&w, &room, "Ben").await;
        let (mut c, _, _) = join_as(&w, &room, "Cat").await;
        // Presence first, so that the barriers below see only chat.
        for _ in 0..2 {
            expect_peer_joined(&mut a).await;
        }
        expect_peer_joined(&mut b).await;

        let id = Uuid::new_v4();
        send_chat(&mut a, id, "hello, room").await;
        let ack = expect_chat(&mut a).await;
        assert_eq!(ack.client_id, id);
        assert_eq!(ack.seq, 1);
        assert_eq!(ack.text, "hello, room");
        assert_eq!(ack.user_id, wa.you.user_id, "server-stamped sender");
        assert_eq!(ack.name, "Ann");
        let now_ms = confab_tests::token::unix_now() * 1000;
        assert!(
            (ack.ts - now_ms).abs() < 60_000,
            "ts is unix ms: {} vs {now_ms}",
            ack.ts
        );
        for other in [&mut b, &mut c] {
            assert_eq!(expect_chat(other).await, ack, "{}", other.label);
        }
        // Exactly once each.
        for client in [&mut a, &mut b, &mut c] {
            client.barrier().await;
        }
        for client in [a, b, c] {
            client.close().await;
        }
    }

    async fn expect_peer_joined(client: &mut Client) {
        match client.expect_frame().await {
            ServerFrame::PeerJoined { .. } => {}
            other => panic!("{}: expected peer_joined, got {other:?}", client.label),
        }
    }

    pub async fn seq_starts_at_one_and_goes_up_by_one() {
        let w = open();
        let room = new_room();
        let (mut a, _, _) = join_as(&w, &room, "Ann").await;
        let (mut b, _, _) = join_as(&w, &room, "Ben").await;
        a.expect_frame().await; // peer_joined
        let mut seen_by_a = Vec::new();
        let mut seen_by_b = Vec::new();
        for i in 0..12u64 {
            let (sender, receiver) = if i % 2 == 0 {
                (&mut a, &mut b)
            } else {
                (&mut b, &mut a)
            };
            let ack = say(sender, &format!("message {i}")).await;
            assert_eq!(ack.seq, i + 1);
            let heard = expect_chat(receiver).await;
            assert_eq!(heard, ack);
            if i % 2 == 0 {
                seen_by_a.push(ack.seq);
                seen_by_b.push(heard.seq);
            } else {
                seen_by_b.push(ack.seq);
                seen_by_a.push(heard.seq);
            }
        }
        let expected: Vec<u64> = (1..=12).collect();
        assert_eq!(seen_by_a, expected);
        assert_eq!(seen_by_b, expected);
        a.close().await;
        b.close().await;
    }

    pub async fn resend_after_reconnect_returns_the_original_and_adds_nothing() {
        let w = open();
        let room = new_room();
        let (mut a, _, token) = join_as(&w, &room, "Ann").await;
        let (mut b, _, _) = join_as(&w, &room, "Ben").await;
        a.expect_frame().await; // peer_joined
        say(&mut a, "before").await;
        expect_chat(&mut b).await;

        let id = Uuid::new_v4();
        send_chat(&mut a, id, "did this arrive?").await;
        let original = expect_chat(&mut a).await;
        assert_eq!(expect_chat(&mut b).await, original);

        // The connection dies before the app saw the ack; it reconnects and resends.
        a.drop_connection();
        match b.expect_frame_within(Duration::from_secs(5)).await {
            ServerFrame::PeerLeft { .. } => {}
            other => panic!("expected peer_left, got {other:?}"),
        }
        let (mut a2, welcome) = join(&w, &room, &token, "Ann again").await;
        assert_eq!(
            welcome.history.iter().filter(|m| m.client_id == id).count(),
            1
        );
        match b.expect_frame().await {
            ServerFrame::PeerJoined { .. } => {}
            other => panic!("expected peer_joined, got {other:?}"),
        }
        send_chat(&mut a2, id, "did this arrive?").await;
        assert_eq!(
            expect_chat(&mut a2).await,
            original,
            "same seq, same ts: the original"
        );
        // Others get nothing.
        b.barrier().await;
        // A resend with different text still names the original.
        send_chat(&mut a2, id, "edited?").await;
        assert_eq!(expect_chat(&mut a2).await, original);
        b.barrier().await;

        let stored = all_history(&mut b).await;
        assert_eq!(stored.iter().filter(|m| m.client_id == id).count(), 1);
        assert_eq!(seqs(&stored), [1, 2]);
        assert_eq!(search_texts(&mut b, "edited").await, Vec::<String>::new());
        let next = say(&mut a2, "after").await;
        assert_eq!(next.seq, 3, "the resends used no seq");
        assert_eq!(expect_chat(&mut b).await, next);
        a2.close().await;
        b.close().await;
    }

    pub async fn text_is_stored_and_returned_verbatim() {
        let w = open();
        let room = new_room();
        let (mut a, _, _) = join_as(&w, &room, "Ann").await;
        let (mut b, _, _) = join_as(&w, &room, "Ben").await;
        a.expect_frame().await; // peer_joined
        let texts = [
            "<script>alert('x')</script><img src=x onerror=alert(1)> &amp; &lt;",
            "'); DROP TABLE chat_messages; -- \" OR 1=1 --",
            "emoji 🎉👩‍👩‍👧‍👦🇰🇷 and 한국어",
            "line one\nline two\r\nline three\n\n\tindented",
            "zero\u{200B}width\u{200C}joiners\u{200D}and\u{FEFF}bom",
            "RTL עברית العربية \u{202E}reversed\u{202C} done",
            "   leading and trailing spaces   ",
            "backslash \\ and \\n not a newline, %s %d {} $1",
        ];
        let mut acks = Vec::new();
        for text in texts {
            let ack = say(&mut a, text).await;
            assert_eq!(expect_chat(&mut b).await.text, text);
            acks.push(ack);
        }
        let stored = all_history(&mut b).await;
        assert_eq!(stored, acks);
        let (late, welcome, _) = join_as(&w, &room, "Late").await;
        let welcomed: Vec<&str> = welcome.history.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(welcomed, texts);
        late.close().await;
        a.close().await;
        b.close().await;
    }

    pub async fn invalid_chat_is_refused_with_its_client_id() {
        let w = open();
        let room = new_room();
        let (mut a, _, _) = join_as(&w, &room, "Ann").await;
        let (mut b, _, _) = join_as(&w, &room, "Ben").await;
        a.expect_frame().await; // peer_joined
        let too_long = "가".repeat(limits::MAX_CHAT_CHARS + 1);
        for text in ["", "   \n\t ", too_long.as_str()] {
            let id = Uuid::new_v4();
            send_chat(&mut a, id, text).await;
            match a.expect_frame().await {
                ServerFrame::Error {
                    code: ErrorCode::InvalidField,
                    client_id,
                    ..
                } => assert_eq!(client_id, Some(id)),
                other => panic!(
                    "text of {} chars: expected invalid_field, got {other:?}",
                    text.chars().count()
                ),
            }
        }
        b.barrier().await;
        // 4000 characters after trimming is allowed.
        let longest = format!("  {}  ", "가".repeat(limits::MAX_CHAT_CHARS));
        let ack = say(&mut a, &longest).await;
        assert_eq!(ack.seq, 1, "refused messages used no seq");
        assert_eq!(expect_chat(&mut b).await.text, longest);
        a.close().await;
        b.close().await;
    }
}

// ---- history ---------------------------------------------------------------------------------

mod history {
    use super::*;

    pub async fn paging_over_250_messages_returns_each_once() {
        let w = open();
        let room = new_room();
        let texts: Vec<String> = (1..=250).map(|i| format!("numbered message {i}")).collect();
        let acks = post_many(&w, &room, &texts).await;
        assert_eq!(seqs(&acks), (1..=250).collect::<Vec<u64>>());

        let (mut reader, welcome, _) = join_as(&w, &room, "Reader").await;
        assert_eq!(
            seqs(&welcome.history),
            (201..=250).collect::<Vec<u64>>(),
            "welcome holds the latest page, ascending"
        );

        // Default limit: the newest 50.
        let (page, has_more) = history(&mut reader, None, None).await;
        assert_eq!(seqs(&page), (201..=250).collect::<Vec<u64>>());
        assert!(has_more);

        let mut pages = Vec::new();
        let mut before = None;
        loop {
            let (page, has_more) = history(&mut reader, before, Some(100)).await;
            pages.push((seqs(&page), has_more));
            match page.first() {
                Some(first) if has_more => before = Some(first.seq),
                _ => break,
            }
        }
        assert_eq!(
            pages,
            vec![
                ((151..=250).collect::<Vec<u64>>(), true),
                ((51..=150).collect(), true),
                ((1..=50).collect(), false),
            ]
        );
        let walked = all_history(&mut reader).await;
        assert_eq!(walked, acks, "every message once, oldest first, as acked");

        // Exactly at the end: before 51 with limit 50 is all that is left.
        let (page, has_more) = history(&mut reader, Some(51), Some(50)).await;
        assert_eq!((seqs(&page), has_more), ((1..=50).collect(), false));
        let (page, has_more) = history(&mut reader, Some(1), None).await;
        assert!(page.is_empty() && !has_more);
        let (page, _) = history(&mut reader, Some(u64::MAX), Some(3)).await;
        assert_eq!(seqs(&page), [248, 249, 250]);
        reader.close().await;
    }

    pub async fn limits_are_enforced() {
        let w = open();
        let room = new_room();
        let texts: Vec<String> = (1..=120).map(|i| format!("m{i}")).collect();
        post_many(&w, &room, &texts).await;
        let (mut a, _, _) = join_as(&w, &room, "Ann").await;
        let (page, has_more) = history(&mut a, None, Some(limits::MAX_HISTORY_LIMIT)).await;
        assert_eq!((page.len(), has_more), (100, true));
        for frame in [
            ClientFrame::History {
                before_seq: None,
                limit: Some(limits::MAX_HISTORY_LIMIT + 1),
            },
            ClientFrame::History {
                before_seq: None,
                limit: Some(0),
            },
            ClientFrame::Search {
                q: "m1".into(),
                limit: Some(limits::MAX_SEARCH_LIMIT + 1),
            },
            ClientFrame::Search {
                q: "x".repeat(limits::MAX_SEARCH_CHARS + 1),
                limit: None,
            },
        ] {
            a.send(&frame).await;
            a.expect_error(ErrorCode::InvalidField).await;
        }
        let found = search(&mut a, "m1", Some(limits::MAX_SEARCH_LIMIT)).await;
        // m1, m10..m19, m100..m120: 32 of them, all returned under the limit of 50.
        assert_eq!(found.len(), 32);
        a.close().await;
    }
}

// ---- search ----------------------------------------------------------------------------------

mod search {
    use super::*;

    const CORPUS: &[&str] = &[
        "내일 학교에서 보자",
        "학교 끝나고 도서관 갈래?",
        "대학원 세미나 자료",
        "오늘 회의는 취소됐어",
        "Meeting moved to 3PM",
        "let's MEET at the café tomorrow",
        "zoom 회의 링크 보내줘",
        "COVID19백신 예약했어",
        "the NEAR(x) \"quoted\" a:b (AND) OR -minus * star",
        "🎉🎉🎉",
    ];

    /// A room holding [`CORPUS`] and a member to search it.
    async fn corpus_room(w: &Wrangler) -> Client {
        let room = new_room();
        let texts: Vec<String> = CORPUS.iter().map(|t| t.to_string()).collect();
        post_many(w, &room, &texts).await;
        join_as(w, &room, "Searcher").await.0
    }

    pub async fn korean_word_is_found_with_its_particle_attached() {
        let w = open();
        let mut c = corpus_room(&w).await;
        assert_eq!(
            search_texts(&mut c, "학교").await,
            ["학교 끝나고 도서관 갈래?", "내일 학교에서 보자"]
        );
        assert_eq!(
            search_texts(&mut c, "학교에서").await,
            ["내일 학교에서 보자"]
        );
        assert_eq!(
            search_texts(&mut c, "도서관").await,
            ["학교 끝나고 도서관 갈래?"]
        );
        assert_eq!(
            search_texts(&mut c, "회의").await,
            ["zoom 회의 링크 보내줘", "오늘 회의는 취소됐어"]
        );
        assert_eq!(search_texts(&mut c, "대학").await, ["대학원 세미나 자료"]);
        assert_eq!(
            search_texts(&mut c, "학교 자료").await,
            Vec::<String>::new()
        );
        assert_eq!(search_texts(&mut c, "세미").await, ["대학원 세미나 자료"]);
        c.close().await;
    }

    pub async fn every_term_must_match() {
        let w = open();
        let mut c = corpus_room(&w).await;
        assert_eq!(
            search_texts(&mut c, "학교 내일").await,
            ["내일 학교에서 보자"]
        );
        assert_eq!(
            search_texts(&mut c, "내일 도서관").await,
            Vec::<String>::new()
        );
        assert_eq!(
            search_texts(&mut c, "meet tomorrow").await,
            ["let's MEET at the café tomorrow"]
        );
        assert_eq!(
            search_texts(&mut c, "meet 3pm").await,
            ["Meeting moved to 3PM"]
        );
        c.close().await;
    }

    pub async fn english_is_case_insensitive_with_word_prefixes() {
        let w = open();
        let mut c = corpus_room(&w).await;
        let both = ["let's MEET at the café tomorrow", "Meeting moved to 3PM"];
        assert_eq!(search_texts(&mut c, "meet").await, both);
        assert_eq!(search_texts(&mut c, "MEET").await, both);
        assert_eq!(
            search_texts(&mut c, "Meeting").await,
            ["Meeting moved to 3PM"]
        );
        assert_eq!(
            search_texts(&mut c, "caf").await,
            ["let's MEET at the café tomorrow"]
        );
        assert_eq!(search_texts(&mut c, "eeting").await, Vec::<String>::new());
        c.close().await;
    }

    pub async fn mixed_korean_and_english() {
        let w = open();
        let mut c = corpus_room(&w).await;
        assert_eq!(
            search_texts(&mut c, "zoom 회의").await,
            ["zoom 회의 링크 보내줘"]
        );
        assert_eq!(
            search_texts(&mut c, "ZOOM링크").await,
            ["zoom 회의 링크 보내줘"]
        );
        assert_eq!(
            search_texts(&mut c, "covid19 백신").await,
            ["COVID19백신 예약했어"]
        );
        assert_eq!(
            search_texts(&mut c, "covid백신").await,
            ["COVID19백신 예약했어"]
        );
        c.close().await;
    }

    pub async fn hostile_queries_are_searched_for_not_errors() {
        let w = open();
        let mut c = corpus_room(&w).await;
        let operators = "the NEAR(x) \"quoted\" a:b (AND) OR -minus * star";
        let long: String = "학교 \"* NEAR( OR -"
            .chars()
            .cycle()
            .take(limits::MAX_SEARCH_CHARS)
            .collect();
        assert_eq!(long.chars().count(), 200);
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("\"", vec![]),
            ("*", vec![]),
            ("NEAR(", vec![operators]),
            ("NEAR(x)", vec![operators]),
            ("NEAR(x, 5)", vec![]),
            ("-", vec![]),
            ("-minus", vec![operators]),
            ("OR", vec![operators]),
            ("AND", vec![operators]),
            ("a:b", vec![operators]),
            ("(", vec![]),
            ("\"quoted", vec![operators]),
            ("학교 OR", vec![]),
            (
                "\"학교\"",
                vec!["학교 끝나고 도서관 갈래?", "내일 학교에서 보자"],
            ),
            ("!?.,;:'\"()[]{}<>@#$%^&*-+=|\\/~`", vec![]),
            ("🎉", vec![]),
            (&long, vec![]),
        ];
        for (q, expected) in &cases {
            let found = search_texts(&mut c, q).await;
            assert_eq!(&found, expected, "query {q:?}");
        }
        c.ping().await;
        c.close().await;
    }

    pub async fn results_are_newest_first_and_limited() {
        let w = open();
        let room = new_room();
        let texts: Vec<String> = (1..=30).map(|i| format!("standup note {i}")).collect();
        post_many(&w, &room, &texts).await;
        let (mut c, _, _) = join_as(&w, &room, "Ann").await;
        assert_eq!(
            seqs(&search(&mut c, "standup", Some(3)).await),
            [30, 29, 28]
        );
        assert_eq!(
            search(&mut c, "note", None).await.len(),
            20,
            "default limit"
        );
        let all = search(&mut c, "standup", Some(50)).await;
        assert_eq!(seqs(&all), (1..=30).rev().collect::<Vec<u64>>());
        c.close().await;
    }

    pub async fn rooms_never_see_each_others_messages() {
        let w = open();
        let (room_a, room_b) = (new_room(), new_room());
        let (mut a, _, _) = join_as(&w, &room_a, "Ann").await;
        let (mut b, _, _) = join_as(&w, &room_b, "Ben").await;
        say(&mut a, "secret apple 비밀 사과").await;
        say(&mut b, "public apple 공개 사과").await;
        assert_eq!(
            search_texts(&mut b, "apple").await,
            ["public apple 공개 사과"]
        );
        assert_eq!(
            search_texts(&mut b, "사과").await,
            ["public apple 공개 사과"]
        );
        assert_eq!(search_texts(&mut b, "secret").await, Vec::<String>::new());
        assert_eq!(
            search_texts(&mut a, "apple").await,
            ["secret apple 비밀 사과"]
        );
        let (page, _) = history(&mut b, None, None).await;
        assert_eq!(page.len(), 1);
        assert_eq!(page[0].seq, 1, "each room numbers its own messages");
        a.barrier().await;
        a.close().await;
        b.close().await;
    }
}

// ---- rate limit ------------------------------------------------------------------------------

mod rate {
    use super::*;

    pub async fn burst_of_30_is_partly_rate_limited_and_the_room_keeps_working() {
        let w = open();
        let room = new_room();
        let (mut a, _, _) = join_as(&w, &room, "Flooder").await;
        let (mut b, _, _) = join_as(&w, &room, "Ben").await;
        a.expect_frame().await; // peer_joined
        let ids: Vec<Uuid> = (0..30).map(|_| Uuid::new_v4()).collect();
        for (i, id) in ids.iter().enumerate() {
            send_chat(&mut a, *id, &format!("burst {i}")).await;
        }
        let mut delivered = Vec::new();
        let mut limited = Vec::new();
        for _ in 0..ids.len() {
            match a.expect_frame().await {
                ServerFrame::Chat { message } => delivered.push(message),
                ServerFrame::Error {
                    code: ErrorCode::RateLimited,
                    client_id,
                    ..
                } => limited.push(client_id.expect("rate_limited names the client_id")),
                other => panic!("expected chat or rate_limited, got {other:?}"),
            }
        }
        assert!(
            delivered.len() >= CHAT_BURST,
            "{} delivered",
            delivered.len()
        );
        assert!(
            !limited.is_empty(),
            "30 at once must exceed the burst of 20"
        );
        let answered: HashSet<Uuid> = delivered
            .iter()
            .map(|m| m.client_id)
            .chain(limited.iter().copied())
            .collect();
        assert_eq!(
            answered,
            ids.iter().copied().collect(),
            "each message answered once"
        );
        assert_eq!(answered.len(), 30);
        // The delivered ones are numbered without gaps; the others used no seq.
        assert_eq!(
            seqs(&delivered),
            (1..=delivered.len() as u64).collect::<Vec<_>>()
        );
        // The other member got exactly the delivered ones.
        for expected in &delivered {
            assert_eq!(&expect_chat(&mut b).await, expected);
        }
        b.barrier().await;
        // The room keeps working for everyone else.
        let from_b = say(&mut b, "still here").await;
        assert_eq!(from_b.seq, delivered.len() as u64 + 1);
        assert_eq!(expect_chat(&mut a).await, from_b);
        a.ping().await;
        a.close().await;
        b.close().await;
    }
}

// ---- retention -------------------------------------------------------------------------------

mod retention {
    use super::*;

    pub async fn oldest_messages_are_pruned_from_history_and_search() {
        let w = retaining();
        let room = new_room();
        let texts: Vec<String> = (1..=40).map(|i| format!("keepsake{i} common")).collect();
        post_many(&w, &room, &texts).await;
        let (mut a, _, _) = join_as(&w, &room, "Ann").await;
        let kept = all_history(&mut a).await;
        let kept_seqs = seqs(&kept);
        assert!(
            kept_seqs.len() as u64 >= RETAINED && kept_seqs.len() < 40,
            "kept {kept_seqs:?}"
        );
        assert_eq!(
            kept_seqs,
            (41 - kept_seqs.len() as u64..=40).collect::<Vec<_>>(),
            "the newest are kept, contiguous"
        );
        assert!(!kept_seqs.contains(&1));
        assert_eq!(
            search_texts(&mut a, "keepsake1").await,
            Vec::<String>::new()
        );
        assert_eq!(
            search_texts(&mut a, "keepsake40").await,
            ["keepsake40 common"]
        );
        assert_eq!(search(&mut a, "common", Some(50)).await.len(), kept.len());
        assert_eq!(say(&mut a, "next").await.seq, 41, "seq never goes back");
        a.close().await;
    }
}

// ---- restart ---------------------------------------------------------------------------------

mod restart {
    use super::*;

    pub async fn history_and_search_survive_a_restart() {
        let mut w = Wrangler::try_start(Options::default()).unwrap_or_else(|e| panic!("{e}"));
        let room = new_room();
        let (mut a, _, token) = join_as(&w, &room, "Ann").await;
        let first_id = Uuid::new_v4();
        send_chat(&mut a, first_id, "내일 학교에서 보자").await;
        let first = expect_chat(&mut a).await;
        let mut before = vec![first.clone()];
        before.push(say(&mut a, "Meeting notes <b>draft</b>\nline 2").await);
        before.push(say(&mut a, "🎉 세 번째").await);
        a.drop_connection();

        w.restart().unwrap_or_else(|e| panic!("{e}"));

        let (mut a, welcome) = join(&w, &room, &token, "Ann after restart").await;
        assert_eq!(welcome.history, before);
        assert_eq!(all_history(&mut a).await, before);
        assert_eq!(search_texts(&mut a, "학교").await, ["내일 학교에서 보자"]);
        assert_eq!(
            search_texts(&mut a, "meet").await,
            ["Meeting notes <b>draft</b>\nline 2"]
        );
        // Dedupe and numbering carry on from storage.
        send_chat(&mut a, first_id, "내일 학교에서 보자").await;
        assert_eq!(expect_chat(&mut a).await, first);
        assert_eq!(say(&mut a, "after restart").await.seq, 4);
        a.close().await;
    }
}
