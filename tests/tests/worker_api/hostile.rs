//! Hostile input: malformed frames get typed errors, oversized ones are refused or close 1009.

use std::time::Duration;

use confab_protocol::{close_code, limits, ClientFrame, ErrorCode, ServerFrame};
use confab_tests::ws_client::Event;
use serde_json::json;

use super::{expect_peer_joined, join_as, new_room, open};

pub async fn bad_frames_get_typed_errors_and_socket_stays() {
    let w = open();
    let room = new_room();
    let (mut a, wa) = join_as(&w, &room, "Ann").await;
    let (mut b, wb) = join_as(&w, &room, "Ben").await;
    expect_peer_joined(&mut a, &wb.peer_id).await;

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
    a.send(&ClientFrame::Signal {
        to: wb.peer_id.clone(),
        data: json!("after garbage"),
    })
    .await;
    match b.expect_frame().await {
        ServerFrame::Signal { from, data } => {
            assert_eq!((from, data), (wa.peer_id.clone(), json!("after garbage")))
        }
        other => panic!("B expected a signal, got {other:?}"),
    }
    b.send(&ClientFrame::Signal {
        to: wa.peer_id.clone(),
        data: json!("still here"),
    })
    .await;
    match a.expect_frame().await {
        ServerFrame::Signal { from, data } => {
            assert_eq!((from, data), (wb.peer_id.clone(), json!("still here")))
        }
        other => panic!("A expected a signal, got {other:?}"),
    }
    a.close().await;
    b.close().await;
}

pub async fn oversized_signal_data_is_refused_not_relayed() {
    let w = open();
    let room = new_room();
    let (mut a, wa) = join_as(&w, &room, "Ann").await;
    let (mut b, wb) = join_as(&w, &room, "Ben").await;
    expect_peer_joined(&mut a, &wb.peer_id).await;

    let big = json!({ "sdp": "x".repeat(limits::MAX_SIGNAL_DATA_BYTES + 1) });
    a.send(&ClientFrame::Signal {
        to: wb.peer_id.clone(),
        data: big,
    })
    .await;
    a.expect_error(ErrorCode::TooLarge).await;
    a.ping().await;
    b.barrier().await; // B got nothing

    // Just under the limit is relayed whole.
    let fits = json!("y".repeat(limits::MAX_SIGNAL_DATA_BYTES - 2)); // quotes make it exactly the limit
    a.send(&ClientFrame::Signal {
        to: wb.peer_id.clone(),
        data: fits.clone(),
    })
    .await;
    match b.expect_frame().await {
        ServerFrame::Signal { from, data } => {
            assert_eq!(from, wa.peer_id);
            assert_eq!(data, fits);
        }
        other => panic!("B expected the signal at the size limit, got {other:?}"),
    }
    a.close().await;
    b.close().await;
}

pub async fn frame_over_64_kib_closes_with_1009() {
    let w = open();
    let room = new_room();
    let (mut a, _) = join_as(&w, &room, "Ann").await;
    let (mut b, wb) = join_as(&w, &room, "Ben").await;
    expect_peer_joined(&mut a, &wb.peer_id).await;

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
    match a.expect_frame_within(Duration::from_secs(2)).await {
        ServerFrame::PeerLeft { peer_id } => assert_eq!(peer_id, wb.peer_id),
        other => panic!("expected peer_left for B, got {other:?}"),
    }
    a.ping().await;
    a.close().await;
}
