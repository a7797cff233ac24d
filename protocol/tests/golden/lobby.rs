//! Golden JSON for the lobby: who waits, letting them in or not, trusted members.

use confab_protocol::*;
use serde_json::json;

use super::{assert_client_golden, assert_server_golden, member, member_json, PEER_A, PEER_B};

#[test]
fn lobby_frames_match_golden_json() {
    let (a, b) = (PeerId(PEER_A.into()), PeerId(PEER_B.into()));
    assert_client_golden(
        ClientFrame::SetAccess {
            locked: None,
            capacity: None,
            history: None,
            lobby: Some(true),
        },
        json!({"type": "set_access", "lobby": true}),
    );
    assert_client_golden(
        ClientFrame::Admit {
            peer_ids: vec![a.clone(), b.clone()],
        },
        json!({"type": "admit", "peer_ids": [PEER_A, PEER_B]}),
    );
    assert_client_golden(
        ClientFrame::Deny {
            peer_ids: vec![b.clone()],
        },
        json!({"type": "deny", "peer_ids": [PEER_B]}),
    );
    assert_client_golden(
        ClientFrame::Trust {
            peer_id: b.clone(),
            trusted: true,
        },
        json!({"type": "trust", "peer_id": PEER_B, "trusted": true}),
    );
    assert_server_golden(
        ServerFrame::Lobby {
            peer_id: a.clone(),
            room: "standup".into(),
        },
        json!({"type": "lobby", "peer_id": PEER_A, "room": "standup"}),
    );
    assert_server_golden(
        ServerFrame::Waiting {
            waiting: vec![Waiter {
                peer_id: b.clone(),
                name: "Ben".into(),
                guest: false,
                avatar: Some("/api/avatars/u?v=1".into()),
            }],
        },
        json!({"type": "waiting", "waiting": [
            {"peer_id": PEER_B, "name": "Ben", "guest": false, "avatar": "/api/avatars/u?v=1"}
        ]}),
    );
    assert_server_golden(
        ServerFrame::Trusted {
            peer_id: b,
            trusted: false,
        },
        json!({"type": "trusted", "peer_id": PEER_B, "trusted": false}),
    );
    assert_server_golden(
        ServerFrame::error(ErrorCode::Denied, "no"),
        json!({"type": "error", "code": "denied", "message": "no"}),
    );
    // A trusted member says so; others (and members from before trust) leave it out.
    let mut trusted = member(PEER_A, "Ana");
    trusted.trusted = true;
    let mut golden = member_json(PEER_A, "Ana");
    golden["trusted"] = json!(true);
    assert_server_golden(
        ServerFrame::PeerJoined { peer: trusted },
        json!({"type": "peer_joined", "peer": golden}),
    );
    // Access from before the lobby reads as a room without one.
    let old: RoomAccess =
        serde_json::from_value(json!({"locked": true, "capacity": 8, "history": "everyone"}))
            .unwrap();
    assert!(!old.lobby && old.locked);
}

#[test]
fn admit_and_deny_name_one_to_a_lobby_full_of_well_formed_peers() {
    let many: Vec<&str> = vec![PEER_A; limits::LOBBY_CAPACITY + 1];
    for kind in ["admit", "deny"] {
        for bad in [json!([]), json!(many), json!(["nope"])] {
            let frame = json!({"type": kind, "peer_ids": bad}).to_string();
            let refused = decode_client_frame(&frame).unwrap_err();
            assert_eq!(refused.code, ErrorCode::InvalidField, "{frame}");
        }
    }
    let trust = json!({"type": "trust", "peer_id": "x", "trusted": true}).to_string();
    assert_eq!(
        decode_client_frame(&trust).unwrap_err().code,
        ErrorCode::InvalidField
    );
}
