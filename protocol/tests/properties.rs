//! Properties of what the protocol accepts from the wire, over generated input: decoding
//! never panics and never turns one frame into another, and names are accepted only in a
//! form that stays accepted. 256 cases each by default; `PROPTEST_CASES` (as `cargo xtask
//! fuzz` sets it) runs more.

use confab_protocol::{decode_client_frame, limits, ClientFrame, DisplayName, PeerId};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Any JSON value, a few levels deep, with the strings a hostile client might send.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A frame object with a real `type` and arbitrary other fields.
fn frame_like() -> impl Strategy<Value = Value> {
    let types = prop::sample::select(vec![
        "signal",
        "chat",
        "history",
        "search",
        "media",
        "hand",
        "react",
        "auth",
        "ping",
        "join",
        "set_role",
        "remove",
        "set_access",
        "end_for_all",
        "admit",
        "deny",
        "trust",
        "nonsense",
    ]);
    (
        types,
        prop::collection::btree_map(
            prop::sample::select(vec![
                "to",
                "data",
                "client_id",
                "text",
                "before_seq",
                "limit",
                "q",
                "audio",
                "video",
                "screen",
                "raised",
                "reaction",
                "token",
                "peer_id",
                "role",
                "user_id",
            ]),
            any_json(),
            0..5,
        ),
    )
        .prop_map(|(kind, fields)| {
            let mut object: serde_json::Map<String, Value> =
                fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            object.insert("type".into(), json!(kind));
            Value::Object(object)
        })
}

proptest! {
    #[test]
    fn decoding_any_text_never_panics(text in ".{0,300}") {
        let _ = decode_client_frame(&text);
    }

    #[test]
    fn decoding_any_json_never_panics(value in any_json()) {
        let _ = decode_client_frame(&value.to_string());
    }

    #[test]
    fn a_decoded_frame_encodes_back_to_what_decodes_the_same(value in frame_like()) {
        if let Ok(frame) = decode_client_frame(&value.to_string()) {
            prop_assert_eq!(decode_client_frame(&frame.to_json()), Ok(frame));
        }
    }

    #[test]
    fn chat_text_within_the_limit_arrives_verbatim(text in "\\PC{1,200}", id in any::<u128>()) {
        let frame = ClientFrame::Chat {
            client_id: uuid::Uuid::from_u128(id),
            text: text.clone(),
        };
        match decode_client_frame(&frame.to_json()) {
            Ok(decoded) => prop_assert_eq!(decoded, frame),
            // Refused only for being blank: nothing else about chat text is judged.
            Err(_) => prop_assert!(text.trim().is_empty(), "{:?} refused", text),
        }
        prop_assert!(text.chars().count() <= limits::MAX_CHAT_CHARS);
    }

    #[test]
    fn signal_data_is_relayed_as_sent(data in any_json()) {
        let frame = ClientFrame::Signal { to: PeerId("a".repeat(32)), data };
        if let Ok(decoded) = decode_client_frame(&frame.to_json()) {
            prop_assert_eq!(decoded, frame);
        }
    }

    #[test]
    fn an_accepted_name_is_trimmed_bounded_visible_and_accepted_again(raw in "\\PC{0,50}|.{0,50}") {
        if let Ok(name) = DisplayName::parse(&raw) {
            let text = name.as_str();
            prop_assert_eq!(text, raw.trim());
            let chars = text.chars().count();
            prop_assert!((1..=DisplayName::MAX_CHARS).contains(&chars));
            let invisible = |c: char| {
                c.is_control()
                    || ('\u{202A}'..='\u{202E}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c)
                    || matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{3164}')
            };
            prop_assert!(!text.chars().any(invisible), "{:?}", text);
            prop_assert_eq!(DisplayName::parse(text), Ok(name.clone()));
        }
    }

    #[test]
    fn a_cleaned_provider_name_is_one_parse_accepts(raw in ".{0,80}") {
        if let Some(name) = DisplayName::cleaned(&raw) {
            prop_assert_eq!(DisplayName::parse(name.as_str()), Ok(name.clone()));
        }
    }
}
