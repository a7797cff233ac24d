//! Hostile and malformed client frames get the right typed error.

use confab_protocol::*;

fn code_of(text: &str) -> ErrorCode {
    decode_client_frame(text).expect_err(text).code
}

#[test]
fn malformed_json_is_bad_json() {
    assert_eq!(code_of("{"), ErrorCode::BadJson);
    assert_eq!(code_of(""), ErrorCode::BadJson);
    assert_eq!(code_of("[1,2]"), ErrorCode::BadJson);
    assert_eq!(code_of("\"ping\""), ErrorCode::BadJson);
}

#[test]
fn unknown_or_missing_type_is_refused() {
    assert_eq!(code_of(r#"{"type":"explode"}"#), ErrorCode::UnknownType);
    assert_eq!(code_of(r#"{"type":"welcome"}"#), ErrorCode::UnknownType);
    assert_eq!(code_of(r#"{"kind":"ping"}"#), ErrorCode::InvalidField);
    assert_eq!(code_of(r#"{"type":7}"#), ErrorCode::InvalidField);
}

#[test]
fn wrong_field_shapes_are_invalid_field() {
    // Only the six reactions exist; anything else (another emoji, text, a number) is refused.
    for bad in [r#""💩""#, r#""thumbs_up""#, "1", "null"] {
        assert_eq!(
            code_of(&format!(r#"{{"type":"react","reaction":{bad}}}"#)),
            ErrorCode::InvalidField,
            "{bad}"
        );
    }
    assert_eq!(code_of(r#"{"type":"react"}"#), ErrorCode::InvalidField);
    // Roles are host, cohost or member, for a well-formed peer id.
    let peer = "0123456789abcdef0123456789abcdef";
    for bad in [
        format!(r#"{{"type":"set_role","peer_id":"{peer}","role":"owner"}}"#),
        format!(r#"{{"type":"set_role","peer_id":"{peer}"}}"#),
        r#"{"type":"set_role","peer_id":"../x","role":"cohost"}"#.to_owned(),
        r#"{"type":"set_role","role":"cohost"}"#.to_owned(),
        // Removal needs a known period and a peer id; mute a peer id.
        format!(r#"{{"type":"remove","peer_id":"{peer}","ban":"week"}}"#),
        format!(r#"{{"type":"remove","peer_id":"{peer}"}}"#),
        r#"{"type":"remove","peer_id":"x","ban":"hour"}"#.to_owned(),
        r#"{"type":"mute","peer_id":"ABCDEF0123456789abcdef0123456789"}"#.to_owned(),
        r#"{"type":"mute"}"#.to_owned(),
        // Access: something to change, and a size the mesh can hold.
        r#"{"type":"set_access"}"#.to_owned(),
        r#"{"type":"set_access","capacity":1}"#.to_owned(),
        r#"{"type":"set_access","capacity":101}"#.to_owned(),
        r#"{"type":"set_access","capacity":-1}"#.to_owned(),
        r#"{"type":"set_access","locked":"yes"}"#.to_owned(),
    ] {
        assert_eq!(code_of(&bad), ErrorCode::InvalidField, "{bad}");
    }
    assert_eq!(
        code_of(r#"{"type":"signal","data":{}}"#),
        ErrorCode::InvalidField
    );
    assert_eq!(
        code_of(r#"{"type":"signal","to":"../etc","data":{}}"#),
        ErrorCode::InvalidField
    );
    assert_eq!(
        code_of(r#"{"type":"media","audio":"yes","video":true,"screen":false}"#),
        ErrorCode::InvalidField
    );
    assert_eq!(
        code_of(r#"{"type":"chat","client_id":"not-a-uuid","text":"x"}"#),
        ErrorCode::InvalidField
    );
    assert_eq!(
        code_of(r#"{"type":"history","limit":0}"#),
        ErrorCode::InvalidField
    );
    assert_eq!(
        code_of(r#"{"type":"history","limit":101}"#),
        ErrorCode::InvalidField
    );
    assert_eq!(
        code_of(r#"{"type":"history","before_seq":-1}"#),
        ErrorCode::InvalidField
    );
    assert_eq!(
        code_of(r#"{"type":"search","q":"   "}"#),
        ErrorCode::InvalidField
    );
    assert_eq!(
        code_of(r#"{"type":"auth","token":""}"#),
        ErrorCode::InvalidField
    );
}

#[test]
fn chat_text_limits_count_characters_after_trimming() {
    let id = "6f1c2a4e-3b0d-4f5e-9a7c-1d2e3f4a5b6c";
    let frame =
        |text: &str| serde_json::json!({"type":"chat","client_id":id,"text":text}).to_string();
    let err = decode_client_frame(&frame(" \n\t ")).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidField);
    assert_eq!(
        err.client_id.map(|u| u.to_string()).as_deref(),
        Some(id),
        "error names the message"
    );
    assert!(
        decode_client_frame(&frame(&"가".repeat(4000))).is_ok(),
        "4000 Korean chars is fine"
    );
    assert_eq!(
        decode_client_frame(&frame(&"a".repeat(4001)))
            .unwrap_err()
            .code,
        ErrorCode::InvalidField
    );
}

#[test]
fn oversized_frames_and_signal_data_are_too_large() {
    let big = format!(
        r#"{{"type":"ping","pad":"{}"}}"#,
        "x".repeat(limits::MAX_FRAME_BYTES)
    );
    assert_eq!(code_of(&big), ErrorCode::TooLarge);
    let data = "x".repeat(limits::MAX_SIGNAL_DATA_BYTES);
    let frame =
        format!(r#"{{"type":"signal","to":"0123456789abcdef0123456789abcdef","data":"{data}"}}"#);
    assert_eq!(code_of(&frame), ErrorCode::TooLarge);
}

#[test]
fn unknown_extra_fields_are_ignored_for_forward_compatibility() {
    assert_eq!(
        decode_client_frame(r#"{"type":"ping","extra":1}"#).unwrap(),
        ClientFrame::Ping {}
    );
}

#[test]
fn room_names_follow_the_contract() {
    for ok in ["a", "standup", "Team_1-b", &"x".repeat(64)] {
        assert!(RoomName::parse(ok).is_ok(), "{ok}");
    }
    for bad in ["", "a b", "../x", "방", "a/b", "a.b", &"x".repeat(65)] {
        assert_eq!(RoomName::parse(bad), Err(NameError::BadRoom), "{bad}");
    }
}

#[test]
fn display_names_are_trimmed_and_bounded() {
    assert_eq!(DisplayName::parse("  Mina ").unwrap().as_str(), "Mina");
    assert!(DisplayName::parse(&"민".repeat(40)).is_ok());
    for bad in ["", "   ", "a\u{0}b", "line\nbreak", &"a".repeat(41)] {
        assert!(DisplayName::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn display_names_refuse_what_hides_or_reorders_letters() {
    for bad in [
        "\u{202E}nimda",
        "An\u{200B}n",
        "A\u{200D}nn",
        "\u{3164}",
        "Ann\u{2067}",
    ] {
        assert_eq!(
            DisplayName::parse(bad),
            Err(NameError::BadDisplayName),
            "{bad:?}"
        );
    }
    assert!(
        DisplayName::parse("👩\u{200D}💻 Mina").is_ok(),
        "emoji sequences keep their joiner"
    );
    // Names someone else chose lose what is invisible, and may end up empty.
    let cleaned = |raw: &str| DisplayName::cleaned(raw).map(String::from);
    assert_eq!(
        cleaned("\u{202E}nim\u{200B}da\u{7}x"),
        Some("nimda x".into())
    );
    assert_eq!(
        cleaned(&format!("\u{200B}{}", "가".repeat(50))),
        Some("가".repeat(40))
    );
    assert_eq!(cleaned("\u{3164}\u{200B}"), None);
}

#[test]
fn peer_ids_are_32_lowercase_hex() {
    let id = PeerId::from_uuid(uuid::Uuid::new_v4());
    assert!(id.is_well_formed());
    assert!(!PeerId("ABCDEF0123456789abcdef0123456789".into()).is_well_formed());
    assert!(!PeerId("short".into()).is_well_formed());
}
