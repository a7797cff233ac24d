//! Sending: fan-out, the sender's copy as the ack, `seq`, resend dedupe, verbatim text, refusals.

use std::time::Duration;

use confab_protocol::{limits, ErrorCode, ServerFrame};
use confab_tests::ws_client::{join, Client};
use uuid::Uuid;

use super::{
    all_history, expect_chat, join_as, new_room, open, say, search_texts, send_chat, seqs, with_ben,
};

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
    let (mut a, mut b, _) = with_ben(&w, &room, "Ann").await;
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
    let (mut a, mut b, token) = with_ben(&w, &room, "Ann").await;
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
    let (mut a, mut b, _) = with_ben(&w, &room, "Ann").await;
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
    let (mut a, mut b, _) = with_ben(&w, &room, "Ann").await;
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
