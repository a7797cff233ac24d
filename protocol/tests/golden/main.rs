//! One golden JSON per frame: the wire format must never drift silently.

use confab_protocol::*;
use serde_json::{json, Value};
use uuid::Uuid;

mod hosts;
mod lobby;

const PEER_A: &str = "0123456789abcdef0123456789abcdef";
const PEER_B: &str = "fedcba9876543210fedcba9876543210";
const CLIENT_ID: &str = "6f1c2a4e-3b0d-4f5e-9a7c-1d2e3f4a5b6c";

fn member(peer: &str, name: &str) -> Member {
    Member {
        peer_id: PeerId(peer.into()),
        user_id: format!("guest:{name}"),
        name: name.into(),
        guest: true,
        avatar: None,
        media: MediaState {
            audio: true,
            video: false,
            screen: false,
        },
        hand: None,
        role: Role::Member,
        trusted: false,
        sfu: None,
    }
}

fn member_json(peer: &str, name: &str) -> Value {
    json!({"peer_id": peer, "user_id": format!("guest:{name}"), "name": name, "guest": true,
           "media": {"audio": true, "video": false, "screen": false}, "role": "member"})
}

fn message() -> ChatMessage {
    ChatMessage {
        seq: 7,
        client_id: Uuid::parse_str(CLIENT_ID).unwrap(),
        user_id: "guest:Mina".into(),
        name: "Mina".into(),
        text: "안녕 <b>hi</b>".into(),
        ts: 1_763_700_000_000,
    }
}

fn message_json() -> Value {
    json!({"seq": 7, "client_id": CLIENT_ID, "user_id": "guest:Mina", "name": "Mina",
           "text": "안녕 <b>hi</b>", "ts": 1_763_700_000_000i64})
}

#[test]
fn hand_frames_and_a_raised_hand_match_golden_json() {
    assert_client_golden(
        ClientFrame::Hand { raised: true },
        json!({"type": "hand", "raised": true}),
    );
    assert_server_golden(
        ServerFrame::Hand {
            peer_id: PeerId(PEER_A.into()),
            raised_at: Some(1_763_700_000_000),
        },
        json!({"type": "hand", "peer_id": PEER_A, "raised_at": 1_763_700_000_000i64}),
    );
    assert_server_golden(
        ServerFrame::Hand {
            peer_id: PeerId(PEER_A.into()),
            raised_at: None,
        },
        json!({"type": "hand", "peer_id": PEER_A}),
    );
    let mut raised = member(PEER_B, "Ben");
    raised.hand = Some(1_763_700_000_000);
    let mut golden = member_json(PEER_B, "Ben");
    golden["hand"] = json!(1_763_700_000_000i64);
    assert_server_golden(
        ServerFrame::PeerJoined { peer: raised },
        json!({"type": "peer_joined", "peer": golden}),
    );
}

#[test]
fn reaction_frames_match_golden_json() {
    assert_client_golden(
        ClientFrame::React {
            reaction: Reaction::ThumbsUp,
        },
        json!({"type": "react", "reaction": "👍"}),
    );
    assert_server_golden(
        ServerFrame::Reaction {
            peer_id: PeerId(PEER_A.into()),
            reaction: Reaction::Heart,
        },
        json!({"type": "reaction", "peer_id": PEER_A, "reaction": "\u{2764}\u{fe0f}"}),
    );
}

fn assert_client_golden(frame: ClientFrame, golden: Value) {
    assert_eq!(
        serde_json::to_value(&frame).unwrap(),
        golden,
        "serialize {frame:?}"
    );
    let parsed = decode_client_frame(&golden.to_string()).expect("golden decodes");
    assert_eq!(parsed, frame, "round trip");
}

fn assert_server_golden(frame: ServerFrame, golden: Value) {
    assert_eq!(
        serde_json::to_value(&frame).unwrap(),
        golden,
        "serialize {frame:?}"
    );
    let parsed: ServerFrame = serde_json::from_value(golden).unwrap();
    assert_eq!(parsed, frame, "round trip");
}

#[test]
fn client_frames_match_golden_json() {
    assert_client_golden(
        ClientFrame::Signal {
            to: PeerId(PEER_B.into()),
            data: json!({"sdp": "v=0"}),
        },
        json!({"type": "signal", "to": PEER_B, "data": {"sdp": "v=0"}}),
    );
    assert_client_golden(
        ClientFrame::Chat {
            client_id: Uuid::parse_str(CLIENT_ID).unwrap(),
            text: "hi".into(),
        },
        json!({"type": "chat", "client_id": CLIENT_ID, "text": "hi"}),
    );
    assert_client_golden(
        ClientFrame::History {
            before_seq: Some(42),
            limit: Some(50),
        },
        json!({"type": "history", "before_seq": 42, "limit": 50}),
    );
    assert_client_golden(
        ClientFrame::History {
            before_seq: None,
            limit: None,
        },
        json!({"type": "history"}),
    );
    assert_client_golden(
        ClientFrame::Search {
            q: "학교".into(),
            limit: Some(10),
        },
        json!({"type": "search", "q": "학교", "limit": 10}),
    );
    assert_client_golden(
        ClientFrame::Media {
            audio: true,
            video: false,
            screen: true,
        },
        json!({"type": "media", "audio": true, "video": false, "screen": true}),
    );
    assert_client_golden(ClientFrame::Ping {}, json!({"type": "ping"}));
    assert_client_golden(ClientFrame::Join {}, json!({"type": "join"}));
    assert_client_golden(
        ClientFrame::Auth {
            token: "a.b.c".into(),
        },
        json!({"type": "auth", "token": "a.b.c"}),
    );
}

#[test]
fn server_frames_match_golden_json() {
    assert_server_golden(
        ServerFrame::Welcome {
            peer_id: PeerId(PEER_A.into()),
            room: "standup".into(),
            you: member(PEER_A, "Mina"),
            peers: vec![member(PEER_B, "Joon")],
            history: vec![message()],
            access: RoomAccess {
                capacity: 8,
                ..RoomAccess::default()
            },
            route: MediaRoute::Mesh,
            room_limit: 8,
            last_n: 9,
        },
        json!({"type": "welcome", "peer_id": PEER_A, "room": "standup",
               "you": member_json(PEER_A, "Mina"), "peers": [member_json(PEER_B, "Joon")],
               "history": [message_json()],
               "access": {"locked": false, "capacity": 8, "history": "everyone", "lobby": false},
               "route": "mesh", "room_limit": 8, "last_n": 9}),
    );
    assert_server_golden(
        ServerFrame::Route {
            route: MediaRoute::Sfu,
        },
        json!({"type": "route", "route": "sfu"}),
    );
    assert_server_golden(
        ServerFrame::SfuTracks {
            peer_id: PeerId(PEER_B.into()),
            sfu: Some(Box::new(SfuPush {
                session_id: "2a4f0c".into(),
                tracks: vec!["camera".into(), "mic".into()],
            })),
        },
        json!({"type": "sfu_tracks", "peer_id": PEER_B,
               "sfu": {"session_id": "2a4f0c", "tracks": ["camera", "mic"]}}),
    );
    assert_server_golden(
        ServerFrame::SfuTracks {
            peer_id: PeerId(PEER_B.into()),
            sfu: None,
        },
        json!({"type": "sfu_tracks", "peer_id": PEER_B}),
    );
    assert_server_golden(
        ServerFrame::PeerJoined {
            peer: member(PEER_B, "Joon"),
        },
        json!({"type": "peer_joined", "peer": member_json(PEER_B, "Joon")}),
    );
    assert_server_golden(
        ServerFrame::PeerLeft {
            peer_id: PeerId(PEER_B.into()),
        },
        json!({"type": "peer_left", "peer_id": PEER_B}),
    );
    assert_server_golden(
        ServerFrame::Signal {
            from: PeerId(PEER_A.into()),
            data: json!({"candidate": null}),
        },
        json!({"type": "signal", "from": PEER_A, "data": {"candidate": null}}),
    );
    assert_server_golden(
        ServerFrame::Chat { message: message() },
        json!({"type": "chat", "message": message_json()}),
    );
    assert_server_golden(
        ServerFrame::History {
            messages: vec![message()],
            has_more: true,
        },
        json!({"type": "history", "messages": [message_json()], "has_more": true}),
    );
    assert_server_golden(
        ServerFrame::SearchResults {
            q: "hi".into(),
            messages: vec![],
        },
        json!({"type": "search_results", "q": "hi", "messages": []}),
    );
    assert_server_golden(
        ServerFrame::Media {
            peer_id: PeerId(PEER_A.into()),
            audio: false,
            video: true,
            screen: false,
        },
        json!({"type": "media", "peer_id": PEER_A, "audio": false, "video": true, "screen": false}),
    );
    assert_server_golden(ServerFrame::Pong {}, json!({"type": "pong"}));
    assert_server_golden(
        ServerFrame::Error {
            code: ErrorCode::RateLimited,
            message: "slow down".into(),
            client_id: Some(Uuid::parse_str(CLIENT_ID).unwrap()),
        },
        json!({"type": "error", "code": "rate_limited", "message": "slow down", "client_id": CLIENT_ID}),
    );
    assert_server_golden(
        ServerFrame::error(ErrorCode::UnknownPeer, "gone"),
        json!({"type": "error", "code": "unknown_peer", "message": "gone"}),
    );
    assert_server_golden(
        ServerFrame::error(
            ErrorCode::SignInRequired,
            "This room is only for signed-in people. Sign in to join.",
        ),
        json!({"type": "error", "code": "sign_in_required",
               "message": "This room is only for signed-in people. Sign in to join."}),
    );
}

#[test]
fn http_bodies_match_golden_json() {
    let guest = GuestResponse {
        access_token: "t".into(),
        token_type: "Bearer".into(),
        expires_in: 600,
        user: UserInfo {
            id: "guest:x".into(),
            name: "Mina".into(),
            guest: true,
            avatar: None,
        },
    };
    assert_eq!(
        serde_json::to_value(&guest).unwrap(),
        json!({"access_token": "t", "token_type": "Bearer", "expires_in": 600,
               "user": {"id": "guest:x", "name": "Mina", "guest": true}})
    );
    let signed_in = UserInfo {
        id: "user:x".into(),
        name: "Mina".into(),
        guest: false,
        avatar: Some("/api/avatars/user:x?v=2".into()),
    };
    let value = json!({"id": "user:x", "name": "Mina", "guest": false,
                       "avatar": "/api/avatars/user:x?v=2"});
    assert_eq!(serde_json::to_value(&signed_in).unwrap(), value);
    assert_eq!(
        serde_json::from_value::<UserInfo>(value).unwrap(),
        signed_in
    );
    let ice = IceResponse {
        ice_servers: vec![IceServer {
            urls: vec!["stun:example.org".into()],
            username: None,
            credential: None,
        }],
        expires_at: 5,
        relay: false,
        transport_policy: IceTransportPolicy::All,
    };
    assert_eq!(
        serde_json::to_value(&ice).unwrap(),
        json!({"ice_servers": [{"urls": ["stun:example.org"]}], "expires_at": 5, "relay": false,
               "transport_policy": "all"})
    );
    // A body from before `relay` and `transport_policy` existed reads as "no relay, any path".
    assert_eq!(
        serde_json::from_value::<IceResponse>(
            json!({"ice_servers": [{"urls": ["stun:example.org"]}], "expires_at": 5})
        )
        .unwrap(),
        ice
    );
    let relayed = IceResponse {
        ice_servers: vec![
            IceServer {
                urls: vec!["stun:example.org".into()],
                username: None,
                credential: None,
            },
            IceServer {
                urls: vec!["turn:turn.example.org:3478?transport=udp".into()],
                username: Some("1700000000:guest%3Aabc".into()),
                credential: Some("l4Uwwv9iTvG6mH76qoPa1mcqTkM=".into()),
            },
        ],
        expires_at: 1_700_000_000,
        relay: true,
        transport_policy: IceTransportPolicy::Relay,
    };
    let value = json!({
        "ice_servers": [
            {"urls": ["stun:example.org"]},
            {"urls": ["turn:turn.example.org:3478?transport=udp"],
             "username": "1700000000:guest%3Aabc",
             "credential": "l4Uwwv9iTvG6mH76qoPa1mcqTkM="}
        ],
        "expires_at": 1_700_000_000,
        "relay": true,
        "transport_policy": "relay"
    });
    assert_eq!(serde_json::to_value(&relayed).unwrap(), value);
    assert_eq!(
        serde_json::from_value::<IceResponse>(value).unwrap(),
        relayed
    );
    // A body from before `transport_policy` existed: any path.
    let older = serde_json::from_value::<IceResponse>(
        json!({"ice_servers": [], "expires_at": 5, "relay": true}),
    )
    .unwrap();
    assert_eq!(older.transport_policy, IceTransportPolicy::All);
    // The values are exactly the browser's `RTCIceTransportPolicy`.
    for policy in [IceTransportPolicy::All, IceTransportPolicy::Relay] {
        assert_eq!(
            serde_json::to_value(policy).unwrap(),
            json!(policy.as_str())
        );
    }
    assert!(serde_json::from_value::<IceResponse>(
        json!({"ice_servers": [], "expires_at": 5, "transport_policy": "none"})
    )
    .is_err());
    let update = ProfileUpdate {
        name: "Minji".into(),
    };
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"name": "Minji"})
    );
    let create = CreateRoomRequest {
        require_sign_in: true,
        history: HistoryVisibility::SinceJoined,
    };
    assert_eq!(
        serde_json::to_value(&create).unwrap(),
        json!({"require_sign_in": true, "history": "since_joined"})
    );
    assert_eq!(
        serde_json::from_value::<CreateRoomRequest>(json!({})).unwrap(),
        CreateRoomRequest::default()
    );
    let created = CreateRoomResponse {
        room: "0123456789abcdef0123456789abcdef".into(),
        require_sign_in: true,
    };
    assert_eq!(
        serde_json::to_value(&created).unwrap(),
        json!({"room": "0123456789abcdef0123456789abcdef", "require_sign_in": true})
    );
    let problem = Problem {
        kind: "about:blank".into(),
        title: "Not Found".into(),
        status: 404,
        detail: "x".into(),
    };
    assert_eq!(
        serde_json::to_value(&problem).unwrap(),
        json!({"type": "about:blank", "title": "Not Found", "status": 404, "detail": "x"})
    );
}

#[test]
fn providers_body_matches_golden_json() {
    let offered = ProvidersResponse {
        providers: vec![
            ProviderInfo {
                id: "google".into(),
                name: "Google".into(),
            },
            ProviderInfo {
                id: "github".into(),
                name: "GitHub".into(),
            },
        ],
        guests: false,
    };
    let golden = r#"{"providers":[{"id":"google","name":"Google"},{"id":"github","name":"GitHub"}],"guests":false}"#;
    assert_eq!(serde_json::to_string(&offered).unwrap(), golden);
    assert_eq!(
        serde_json::from_str::<ProvidersResponse>(golden).unwrap(),
        offered
    );
    let none = ProvidersResponse {
        providers: Vec::new(),
        guests: true,
    };
    assert_eq!(
        serde_json::to_string(&none).unwrap(),
        r#"{"providers":[],"guests":true}"#
    );
    // A body without the fields: no providers, guests welcome.
    assert_eq!(
        serde_json::from_value::<ProvidersResponse>(json!({})).unwrap(),
        ProvidersResponse::default()
    );
    assert_eq!(ProvidersResponse::default(), none);
}

#[test]
fn a_welcome_from_before_the_sfu_reads_as_a_mesh_of_eight() {
    let old = json!({"type": "welcome", "peer_id": PEER_A, "room": "standup",
                     "you": member_json(PEER_A, "Mina"), "peers": [], "history": []});
    let ServerFrame::Welcome {
        route,
        room_limit,
        last_n,
        ..
    } = serde_json::from_value(old).unwrap()
    else {
        panic!("not a welcome");
    };
    assert_eq!((route, room_limit, last_n), (MediaRoute::Mesh, 8, 9));
}

#[test]
fn a_host_may_size_a_room_up_to_the_largest_sfu_room() {
    let most = limits::MAX_ROOM_CAPACITY;
    for (capacity, ok) in [
        (1, false),
        (2, true),
        (9, true),
        (most, true),
        (most + 1, false),
    ] {
        let frame = json!({"type": "set_access", "capacity": capacity}).to_string();
        assert_eq!(decode_client_frame(&frame).is_ok(), ok, "{frame}");
    }
}
