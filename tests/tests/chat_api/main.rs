//! Room chat over real WebSockets against the real worker under `wrangler dev`:
//!
//! - [`chat`]: fan-out and acks, `seq`, resend dedupe, verbatim text, invalid messages.
//! - [`history`]: history paging, and the limits of history and search requests.
//! - [`search`]: Korean, English, mixed, hostile queries, order and limit, room scoping.
//! - [`rate`]: the chat rate limit.
//! - [`retention`]: a retention limit prunes the oldest messages.
//! - [`restart`]: history surviving a restart of the worker.
//!
//! One wrangler serves most of the suite (each test uses its own random room); one with a
//! retention limit starts only if its test runs, and the restart test runs its own. The harness
//! is libtest-mimic, so the output and filters are the usual `cargo test` ones.

mod chat;
mod history;
mod rate;
mod restart;
mod retention;
mod search;

use std::sync::Arc;
use std::time::Duration;

use confab_protocol::{limits, ChatMessage, ClientFrame, ServerFrame};
use confab_tests::http;
use confab_tests::suite::run_with_workers;
use confab_tests::wrangler::{Options, Shared, Wrangler};
use confab_tests::ws_client::{join, Client, Welcome};
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
    let trials = confab_tests::async_trials![TEST_TIMEOUT;
        chat::message_reaches_everyone_and_the_sender_copy_is_the_ack,
        chat::seq_starts_at_one_and_goes_up_by_one,
        chat::resend_after_reconnect_returns_the_original_and_adds_nothing,
        chat::text_is_stored_and_returned_verbatim,
        chat::invalid_chat_is_refused_with_its_client_id,
        history::paging_over_250_messages_returns_each_once,
        history::limits_are_enforced,
        search::korean_word_is_found_with_its_particle_attached,
        search::initial_consonants_find_the_words_they_abbreviate,
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
    run_with_workers(trials, &[&OPEN, &RETAINING]).exit();
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

/// `first` and then Ben, guests, join `room`; returns their sockets and `first`'s token once
/// `first` has had Ben's `peer_joined`, so that what both get next is chat.
async fn with_ben(w: &Wrangler, room: &str, first: &str) -> (Client, Client, String) {
    let (mut a, _, token) = join_as(w, room, first).await;
    let (b, _, _) = join_as(w, room, "Ben").await;
    a.expect_frame().await; // peer_joined
    (a, b, token)
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
