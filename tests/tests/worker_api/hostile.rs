//! Hostile input: malformed frames get typed errors, oversized ones are refused or close 1009.

use std::time::Duration;

use confab_protocol::{close_code, limits, ErrorCode, ServerFrame};
use confab_tests::ws_client::Event;
use serde_json::json;

use super::{ann_and_ben, expect_peer_left, expect_signal, new_room, open, signal};

pub async fn bad_frames_get_typed_errors_and_socket_stays() {
    let w = open();
    let room = new_room();
    let ((mut a, wa), (mut b, wb)) = ann_and_ben(&w, &room).await;

    let cases: &[(&str, ErrorCode)] = &[
        ("{not json", ErrorCode::BadJson),
        ("", ErrorCode::BadJson),
        (r#"{"type":"ping""#, ErrorCode::BadJson),
        (r#"{"type":"teleport"}"#, ErrorCode::UnknownType),
        (
            r#"{"type":"welcome","peer_id":"x"}"#,
            ErrorCode::UnknownType,
        ),
        (
            r#"{"type":"media","audio":"yes","video":false,"screen":false}"#,
            ErrorCode::InvalidField,
        ),
        (r#"{"type":"media","audio":true}"#, ErrorCode::InvalidField),
        (
            r#"{"type":"signal","to":123,"data":{}}"#,
            ErrorCode::InvalidField,
        ),
        (
            r#"{"type":"signal","to":"not-a-peer-id","data":{}}"#,
            ErrorCode::InvalidField,
        ),
        (r#"{"type":"signal","data":{}}"#, ErrorCode::InvalidField),
    ];
    for (text, code) in cases {
        a.send_text(text).await;
        match a.expect_frame().await {
            ServerFrame::Error { code: got, .. } if got == *code => {}
            other => panic!("frame {text:?}: expected error {code:?}, got {other:?}"),
        }
        a.ping().await;
    }
    a.send_binary(b"\x00\x01binary".to_vec()).await;
    a.expect_error(ErrorCode::BinaryFrame).await;
    a.ping().await;

    // None of it reached B, and both still relay in both directions.
    b.barrier().await;
    a.send(&signal(&wb.peer_id, json!("after garbage"))).await;
    expect_signal(&mut b, &wa.peer_id, &json!("after garbage")).await;
    b.send(&signal(&wa.peer_id, json!("still here"))).await;
    expect_signal(&mut a, &wb.peer_id, &json!("still here")).await;
    a.close().await;
    b.close().await;
}

pub async fn oversized_signal_data_is_refused_not_relayed() {
    let w = open();
    let room = new_room();
    let ((mut a, wa), (mut b, wb)) = ann_and_ben(&w, &room).await;

    let big = json!({ "sdp": "x".repeat(limits::MAX_SIGNAL_DATA_BYTES + 1) });
    a.send(&signal(&wb.peer_id, big)).await;
    a.expect_error(ErrorCode::TooLarge).await;
    a.ping().await;
    b.barrier().await; // B got nothing

    // Just under the limit is relayed whole.
    let fits = json!("y".repeat(limits::MAX_SIGNAL_DATA_BYTES - 2)); // quotes make it exactly the limit
    a.send(&signal(&wb.peer_id, fits.clone())).await;
    expect_signal(&mut b, &wa.peer_id, &fits).await;
    a.close().await;
    b.close().await;
}

pub async fn frame_over_64_kib_closes_with_1009() {
    let w = open();
    let room = new_room();
    let ((mut a, _), (mut b, wb)) = ann_and_ben(&w, &room).await;

    let huge = json!({ "type": "ping", "pad": "z".repeat(limits::MAX_FRAME_BYTES) }).to_string();
    assert!(huge.len() > limits::MAX_FRAME_BYTES);
    b.send_text(&huge).await;
    // An `error` (too_large) may precede the close; nothing else may.
    let code = loop {
        match b.next_event().await {
            Event::Frame(ServerFrame::Error {
                code: ErrorCode::TooLarge,
                ..
            }) => continue,
            Event::Frame(other) => panic!("expected a 1009 close, got {other:?}"),
            Event::Closed(close) => break close.map(|(code, _)| code),
        }
    };
    assert_eq!(code, Some(close_code::TOO_BIG));
    // The room lives on for the others, and knows B is gone.
    expect_peer_left(&mut a, &wb.peer_id, Duration::from_secs(2)).await;
    a.ping().await;
    a.close().await;
}

/// Scrolling back or searching has a budget of its own (messages looked up a second): a flood
/// of full history pages, well under the frame rate, is refused with the typed error, the
/// socket stays and chat goes on.
pub async fn history_floods_are_refused_and_the_socket_stays() {
    let w = open();
    let room = new_room();
    let ((mut a, _), (mut b, _)) = ann_and_ben(&w, &room).await;
    let page = json!({"type": "history", "before_seq": 1000, "limit": 100});
    for _ in 0..15 {
        a.send_json(&page).await;
    }
    let (mut pages, mut refused) = (0, 0);
    for _ in 0..15 {
        match a.expect_frame().await {
            ServerFrame::History { .. } => pages += 1,
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                ..
            } => refused += 1,
            other => panic!("expected a page or rate_limited, got {other:?}"),
        }
    }
    // The budget holds ten full pages at once; the room may refill a little meanwhile.
    assert!(
        (10..15).contains(&pages),
        "{pages} pages, {refused} refused"
    );
    assert_eq!(pages + refused, 15);
    a.send_json(&json!({"type": "chat", "client_id": uuid::Uuid::new_v4(), "text": "still here"}))
        .await;
    for client in [&mut a, &mut b] {
        match client.expect_frame().await {
            ServerFrame::Chat { message } => assert_eq!(message.text, "still here"),
            other => panic!("expected the chat message, got {other:?}"),
        }
    }
    a.close().await;
    b.close().await;
}
