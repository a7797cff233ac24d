//! Golden JSON for what hosts send and the room answers: roles and moderation.

use confab_protocol::*;
use serde_json::json;

use super::{assert_client_golden, assert_server_golden, member, member_json, PEER_A, PEER_B};

#[test]
fn role_frames_and_errors_match_golden_json() {
    assert_client_golden(
        ClientFrame::SetRole {
            peer_id: PeerId(PEER_B.into()),
            role: Role::Cohost,
        },
        json!({"type": "set_role", "peer_id": PEER_B, "role": "cohost"}),
    );
    assert_server_golden(
        ServerFrame::Role {
            peer_id: PeerId(PEER_A.into()),
            role: Role::Host,
        },
        json!({"type": "role", "peer_id": PEER_A, "role": "host"}),
    );
    let mut host = member(PEER_A, "Ana");
    host.role = Role::Host;
    let mut golden = member_json(PEER_A, "Ana");
    golden["role"] = json!("host");
    assert_server_golden(
        ServerFrame::PeerJoined { peer: host },
        json!({"type": "peer_joined", "peer": golden}),
    );
    for (code, name) in [
        (ErrorCode::Forbidden, "forbidden"),
        (ErrorCode::SeatLimit, "seat_limit"),
    ] {
        assert_server_golden(
            ServerFrame::error(code, "no"),
            json!({"type": "error", "code": name, "message": "no"}),
        );
    }
    // A member from before roles (no `role`) reads as a plain member.
    let mut old = member_json(PEER_B, "Ben");
    old.as_object_mut().unwrap().remove("role");
    assert_eq!(
        serde_json::from_value::<Member>(old).unwrap(),
        member(PEER_B, "Ben")
    );
}

#[test]
fn moderation_frames_match_golden_json() {
    let peer = || PeerId(PEER_B.into());
    for (ban, name) in [
        (BanPeriod::Meeting, "meeting"),
        (BanPeriod::Hour, "hour"),
        (BanPeriod::Forever, "forever"),
    ] {
        assert_client_golden(
            ClientFrame::Remove {
                peer_id: peer(),
                ban,
            },
            json!({"type": "remove", "peer_id": PEER_B, "ban": name}),
        );
    }
    assert_client_golden(
        ClientFrame::Mute { peer_id: peer() },
        json!({"type": "mute", "peer_id": PEER_B}),
    );
    assert_client_golden(
        ClientFrame::SetAccess {
            locked: Some(true),
            capacity: None,
            history: None,
            lobby: None,
        },
        json!({"type": "set_access", "locked": true}),
    );
    assert_client_golden(
        ClientFrame::SetAccess {
            locked: None,
            capacity: Some(4),
            history: None,
            lobby: None,
        },
        json!({"type": "set_access", "capacity": 4}),
    );
    assert_client_golden(
        ClientFrame::SetAccess {
            locked: None,
            capacity: None,
            history: Some(HistoryVisibility::SinceJoined),
            lobby: None,
        },
        json!({"type": "set_access", "history": "since_joined"}),
    );
    assert_client_golden(ClientFrame::EndForAll {}, json!({"type": "end_for_all"}));
    assert_server_golden(
        ServerFrame::Muted { by: peer() },
        json!({"type": "muted", "by": PEER_B}),
    );
    assert_server_golden(
        ServerFrame::Access {
            access: RoomAccess {
                locked: true,
                capacity: 5,
                history: HistoryVisibility::SinceJoined,
                lobby: false,
            },
        },
        json!({"type": "access", "access": {"locked": true, "capacity": 5, "history": "since_joined", "lobby": false}}),
    );
    for (code, name) in [
        (ErrorCode::Removed, "removed"),
        (ErrorCode::Locked, "locked"),
    ] {
        assert_server_golden(
            ServerFrame::error(code, "no"),
            json!({"type": "error", "code": name, "message": "no"}),
        );
    }
    // Access from before history visibility reads as everyone's history.
    let old: RoomAccess = serde_json::from_value(json!({"locked": false, "capacity": 8})).unwrap();
    assert_eq!(
        old,
        RoomAccess {
            capacity: 8,
            ..RoomAccess::default()
        }
    );
    // A welcome from a server before hosts (no `access`) reads as an open room of eight.
    let old = json!({"type": "welcome", "peer_id": PEER_A, "room": "r",
                     "you": member_json(PEER_A, "Mina"), "peers": [], "history": []});
    match serde_json::from_value::<ServerFrame>(old).unwrap() {
        ServerFrame::Welcome { access, .. } => assert_eq!(access, RoomAccess::default()),
        other => panic!("{other:?}"),
    }
}
