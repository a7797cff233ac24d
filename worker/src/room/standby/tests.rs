use confab_protocol::{close_code, limits, ErrorCode, PeerId, ServerFrame};
use serde_json::json;

use super::*;
use crate::room::test_support::{alice, ALICE, NOW_MS, TOKEN_EXP};
use crate::room::Attachment;

fn error_code(step: &Step) -> Option<ErrorCode> {
    match step {
        Step::Reply(frame) => match **frame {
            ServerFrame::Error { code, .. } => Some(code),
            _ => None,
        },
        _ => None,
    }
}

#[test]
fn join_comes_in_and_ping_is_answered() {
    let mut guard = ConnGuard::new(NOW_MS);
    assert_eq!(
        on_text(&mut guard, r#"{"type":"join"}"#, TOKEN_EXP, NOW_MS),
        vec![Step::Join]
    );
    assert_eq!(
        on_text(&mut guard, r#"{"type":"ping"}"#, TOKEN_EXP, NOW_MS),
        vec![Step::Reply(Box::new(ServerFrame::Pong {}))]
    );
}

#[test]
fn a_join_after_the_token_ran_out_is_closed_with_4401() {
    let mut guard = ConnGuard::new(NOW_MS);
    let later = (TOKEN_EXP + 1) * 1000;
    let steps = on_text(&mut guard, r#"{"type":"join"}"#, TOKEN_EXP, later);
    assert_eq!(error_code(&steps[0]), Some(ErrorCode::Unauthorized));
    assert_eq!(
        steps[1],
        Step::Close {
            code: close_code::TOKEN_EXPIRED,
            reason: "token expired"
        }
    );
    // Up to the last second it still comes in.
    let last = TOKEN_EXP * 1000 + 999;
    assert_eq!(
        on_text(&mut guard, r#"{"type":"join"}"#, TOKEN_EXP, last),
        vec![Step::Join]
    );
}

#[test]
fn every_other_frame_is_forbidden_and_enough_of_them_close_the_socket() {
    let frames = [
        json!({"type": "chat", "client_id": "6f1c5b0e-1e4b-4c1a-9a57-1d2f4f1a0b3c", "text": "hi"}),
        json!({"type": "signal", "to": ALICE, "data": {}}),
        json!({"type": "media", "audio": true, "video": true, "screen": false}),
        json!({"type": "history"}),
        json!({"type": "search", "q": "x"}),
        json!({"type": "hand", "raised": true}),
        json!({"type": "react", "reaction": "👍"}),
        json!({"type": "auth", "token": "a.b.c"}),
        json!({"type": "admit", "peer_ids": [ALICE]}),
        json!({"type": "end_for_all"}),
    ];
    for frame in frames {
        let mut guard = ConnGuard::new(NOW_MS);
        let steps = on_text(&mut guard, &frame.to_string(), TOKEN_EXP, NOW_MS);
        assert_eq!(
            steps.iter().map(error_code).collect::<Vec<_>>(),
            vec![Some(ErrorCode::Forbidden)],
            "{frame}"
        );
    }
    let mut guard = ConnGuard::new(NOW_MS);
    let mut closed = false;
    for i in 0..ConnGuard::STRIKE_LIMIT {
        let steps = on_text(
            &mut guard,
            "not json",
            TOKEN_EXP,
            NOW_MS + i64::from(i) * 1000,
        );
        assert_eq!(error_code(&steps[0]), Some(ErrorCode::BadJson));
        closed = steps.iter().any(|s| matches!(s, Step::Close { .. }));
    }
    assert!(closed, "the last bad frame closes the socket");
}

#[test]
fn size_and_flood_limits_hold_as_for_members() {
    let mut guard = ConnGuard::new(NOW_MS);
    let big = format!(
        r#"{{"type":"ping","x":"{}"}}"#,
        "x".repeat(limits::MAX_FRAME_BYTES)
    );
    let steps = on_text(&mut guard, &big, TOKEN_EXP, NOW_MS);
    assert_eq!(error_code(&steps[0]), Some(ErrorCode::TooLarge));
    assert!(matches!(steps[1], Step::Close { code, .. } if code == close_code::TOO_BIG));

    let mut guard = ConnGuard::new(NOW_MS);
    let flood: Vec<Vec<Step>> = (0..1000)
        .map(|_| on_text(&mut guard, r#"{"type":"ping"}"#, TOKEN_EXP, NOW_MS))
        .collect();
    assert!(flood.iter().any(|steps| steps
        .iter()
        .any(|s| error_code(s) == Some(ErrorCode::RateLimited))));
    assert!(flood.last().unwrap().iter().any(|s| matches!(
        s,
        Step::Close { code, .. } if *code == close_code::POLICY_VIOLATION
    )));

    let mut guard = ConnGuard::new(NOW_MS);
    assert_eq!(
        on_binary(&mut guard)
            .iter()
            .map(error_code)
            .collect::<Vec<_>>(),
        vec![Some(ErrorCode::BinaryFrame)]
    );
}

#[test]
fn a_room_keeps_a_bounded_number_of_standby_sockets_two_a_person() {
    let now_s = NOW_MS / 1000;
    let users: Vec<String> = (0..limits::STANDBY_CAPACITY)
        .map(|i| format!("guest:{i}"))
        .collect();
    let live = |n: usize| users[..n].iter().map(|u| (u.as_str(), TOKEN_EXP));
    assert!(may_stand_by(live(0), "guest:x", now_s));
    assert!(may_stand_by(
        live(limits::STANDBY_CAPACITY - 1),
        "guest:x",
        now_s
    ));
    assert!(!may_stand_by(
        live(limits::STANDBY_CAPACITY),
        "guest:x",
        now_s
    ));
    // Two a person (two tabs), a third is refused; another person is not affected.
    let ann = [("guest:ann", TOKEN_EXP), ("guest:ann", TOKEN_EXP)];
    assert!(may_stand_by(ann[..1].iter().copied(), "guest:ann", now_s));
    assert!(!may_stand_by(ann.iter().copied(), "guest:ann", now_s));
    assert!(may_stand_by(ann.iter().copied(), "guest:ben", now_s));
    // Sockets whose token ran out do not count.
    let stale = [("guest:ann", now_s - 1), ("guest:ann", now_s - 1)];
    assert!(may_stand_by(stale.iter().copied(), "guest:ann", now_s));
    let full_but_stale = users.iter().map(|u| (u.as_str(), now_s - 1));
    assert!(may_stand_by(full_but_stale, "guest:x", now_s));
    assert!(expired(now_s - 1, now_s) && !expired(now_s, now_s));
}

#[test]
fn a_standby_attachment_never_reads_as_a_members_and_back() {
    let standby = Standby {
        standby_peer_id: PeerId(ALICE.into()),
        standby_token_exp: TOKEN_EXP,
        standby_since_ms: 0,
        who: json!({"room": "r", "identity": {}}),
    };
    let as_json = serde_json::to_value(&standby).unwrap();
    assert!(serde_json::from_value::<Attachment>(as_json.clone()).is_err());
    let back: Standby<serde_json::Value> = serde_json::from_value(as_json).unwrap();
    assert_eq!(back, standby);
    let member = serde_json::to_value(alice()).unwrap();
    assert!(serde_json::from_value::<Standby<serde_json::Value>>(member).is_err());
}
