use std::cell::RefCell;

use confab_protocol::IceTransportPolicy;
use serde_json::{json, Value};

use super::cloudflare::{port, DEFAULT_API_URL};
use super::config::{RawTurn, MAX_TTL_SECONDS};
use super::coturn::{password, turn_user, username, CoturnSecret};
use super::*;

const SECRET: &str = "confab-coturn-test-secret";
const NOW: i64 = 1_700_000_000;

use crate::outbound::run_ready as run;

/// Reading the relay variables.
mod cache;
mod config;

const ALL: IceTransportPolicy = IceTransportPolicy::All;
const RELAY: IceTransportPolicy = IceTransportPolicy::Relay;

fn raw(pairs: &[(&str, &str)]) -> RawTurn {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn parse(pairs: &[(&str, &str)]) -> Result<Relay, TurnConfigError> {
    Relay::parse(&raw(pairs))
}

fn coturn() -> CoturnSecret {
    match parse(&[
        (
            "TURN_URLS",
            "turn:turn.example:3478?transport=udp, turns:turn.example:5349",
        ),
        ("TURN_SECRET", SECRET),
    ]) {
        Ok(Relay::Coturn(c)) => c,
        other => panic!("not coturn: {other:?}"),
    }
}

fn cloudflare_relay(ttl: &str) -> Relay {
    parse(&[
        ("TURN_KEY_ID", "k3y_ID-1"),
        ("TURN_KEY_API_TOKEN", "cf-api-token-secret"),
        ("TURN_TTL", ttl),
    ])
    .unwrap()
}

/// Answers every call with one canned result; records the calls.
struct FakeApi {
    answer: Result<ApiAnswer, ApiFailure>,
    calls: RefCell<Vec<ApiCall>>,
}

impl FakeApi {
    fn answering(status: u16, body: Value) -> Self {
        Self::with(Ok(ApiAnswer {
            status,
            body: body.to_string().into_bytes(),
        }))
    }

    fn with(answer: Result<ApiAnswer, ApiFailure>) -> Self {
        FakeApi {
            answer,
            calls: RefCell::default(),
        }
    }
}

impl TurnApi for FakeApi {
    async fn send(&self, call: ApiCall) -> Result<ApiAnswer, ApiFailure> {
        self.calls.borrow_mut().push(call);
        self.answer.clone()
    }
}

/// The documented answer's shape (developers.cloudflare.com/realtime/turn/generate-credentials/).
fn documented_answer() -> Value {
    json!({"iceServers": [
        {"urls": ["stun:stun.cloudflare.com:3478", "stun:stun.cloudflare.com:53"]},
        {"urls": [
            "turn:turn.cloudflare.com:3478?transport=udp",
            "turn:turn.cloudflare.com:53?transport=udp",
            "turn:turn.cloudflare.com:3478?transport=tcp",
            "turn:turn.cloudflare.com:80?transport=tcp",
            "turns:turn.cloudflare.com:5349?transport=tcp",
            "turns:turn.cloudflare.com:443?transport=tcp"
         ],
         "username": "5e1f0c2a-cf-turn-user-0001",
         "credential": "9d3e7a41-cf-turn-credential-0001"}
    ]})
}

fn stun_urls() -> Vec<String> {
    vec!["stun:stun.example:3478".to_owned()]
}

// --- coturn credentials ---

#[test]
fn credential_matches_an_independently_computed_hmac_sha1() {
    // printf '%s' '1700000000:guest%3A0123456789abcdef0123456789abcdef' \
    //   | openssl dgst -sha1 -hmac 'confab-coturn-test-secret' -binary | base64
    let name = username(NOW, "guest:0123456789abcdef0123456789abcdef");
    assert_eq!(name, "1700000000:guest%3A0123456789abcdef0123456789abcdef");
    assert_eq!(password(SECRET, &name), "l4Uwwv9iTvG6mH76qoPa1mcqTkM=");
    // printf '%s' '1700086400:user%3Afeedface' \
    //   | openssl dgst -sha1 -hmac 'confab-coturn-test-secret' -binary | base64
    assert_eq!(
        password(SECRET, "1700086400:user%3Afeedface"),
        "q2fPkxmhykDAR+iggHjKQK3ZSHU="
    );
}

#[test]
fn credential_expires_ttl_seconds_from_now_and_names_the_user() {
    let credential = coturn().credential("user:feedface", NOW - 7_200);
    assert_eq!(credential.expires_at, NOW);
    assert_eq!(
        credential.server.username.as_deref(),
        Some("1700000000:user%3Afeedface")
    );
    assert_eq!(
        credential.server.credential.as_deref(),
        Some(password(SECRET, "1700000000:user%3Afeedface").as_str())
    );
    assert_eq!(
        credential.server.urls,
        [
            "turn:turn.example:3478?transport=udp",
            "turns:turn.example:5349"
        ]
    );
}

#[test]
fn user_part_has_no_separator_or_control_characters_whatever_the_id() {
    for id in [
        "guest:abc",
        "user:1:2:3",
        "a\nb",
        "nul\0byte",
        "tab\there",
        "space here",
        "ünïcødé",
        "%3A",
        "\u{202e}rtl",
        "",
    ] {
        let user = turn_user(id);
        assert!(
            user.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
            "{id:?} gave {user:?}"
        );
        let name = username(NOW, id);
        assert_eq!(name.matches(':').count(), 1, "{name:?}");
        assert!(name.starts_with("1700000000:"), "{name:?}");
    }
}

#[test]
fn different_ids_never_share_a_user_part() {
    let ids = [
        "guest:a",
        "guest%3Aa",
        "guest_a",
        "guest a",
        "Guest:a",
        "user:a",
    ];
    let users: std::collections::HashSet<String> = ids.iter().map(|id| turn_user(id)).collect();
    assert_eq!(users.len(), ids.len(), "{users:?}");
    assert_eq!(turn_user("guest:a"), "guest%3Aa");
    assert_eq!(turn_user("guest%3Aa"), "guest%253Aa");
}

#[test]
fn overlong_ids_are_hashed_into_a_short_user_part() {
    let long = "x".repeat(500);
    let user = turn_user(&long);
    assert!(user.starts_with("%sha256-"), "{user}");
    assert_eq!(user.len(), "%sha256-".len() + 32);
    assert_ne!(turn_user(&"x".repeat(501)), user);
    // Ours (guest:/user: + 32 hex digits) stay readable.
    let ours = format!("user:{}", "ab".repeat(16));
    assert_eq!(turn_user(&ours), ours.replace(':', "%3A"));
}

// --- Cloudflare answers ---

#[test]
fn cloudflare_call_is_a_bearer_post_with_the_ttl() {
    let Relay::Cloudflare(c) = cloudflare_relay("7200") else {
        unreachable!()
    };
    let call = c.call();
    assert_eq!(call.authorization, "Bearer cf-api-token-secret");
    assert_eq!(
        serde_json::from_str::<Value>(&call.body).unwrap(),
        json!({"ttl": 7200})
    );
    assert_eq!(call.url, c.api_url);
}

#[test]
fn documented_answer_is_passed_on_without_port_53() {
    let servers = cloudflare::servers(&ApiAnswer {
        status: 201,
        body: documented_answer().to_string().into_bytes(),
    })
    .unwrap();
    assert_eq!(servers.len(), 2);
    assert_eq!(servers[0].urls, ["stun:stun.cloudflare.com:3478"]);
    assert_eq!(servers[0].username, None);
    assert_eq!(
        servers[1].urls,
        [
            "turn:turn.cloudflare.com:3478?transport=udp",
            "turn:turn.cloudflare.com:3478?transport=tcp",
            "turn:turn.cloudflare.com:80?transport=tcp",
            "turns:turn.cloudflare.com:5349?transport=tcp",
            "turns:turn.cloudflare.com:443?transport=tcp"
        ]
    );
    assert_eq!(
        servers[1].username.as_deref(),
        Some("5e1f0c2a-cf-turn-user-0001")
    );
    assert_eq!(
        servers[1].credential.as_deref(),
        Some("9d3e7a41-cf-turn-credential-0001")
    );
}

#[test]
fn single_url_strings_and_a_single_server_object_are_read_too() {
    let answer = |body: Value| {
        cloudflare::servers(&ApiAnswer {
            status: 200,
            body: body.to_string().into_bytes(),
        })
    };
    let servers = answer(json!({"iceServers": {
        "urls": "turn:turn.cloudflare.com:3478", "username": "u", "credential": "c"}}))
    .unwrap();
    assert_eq!(servers[0].urls, ["turn:turn.cloudflare.com:3478"]);
    let servers = answer(json!({"iceServers": [
        {"urls": "stun:stun.cloudflare.com"},
        {"urls": ["turn:turn.cloudflare.com"], "username": "u", "credential": "c"}]}))
    .unwrap();
    assert_eq!(servers.len(), 2);
}

#[test]
fn unusable_urls_are_dropped_and_an_answer_without_relay_is_a_failure() {
    let answer = |body: Value| {
        cloudflare::servers(&ApiAnswer {
            status: 201,
            body: body.to_string().into_bytes(),
        })
    };
    // TURN without credentials, other schemes, unreadable ports, port 53 only.
    assert_eq!(
        answer(json!({"iceServers": [
            {"urls": ["stun:stun.cloudflare.com:3478"]},
            {"urls": ["turn:turn.cloudflare.com:3478"]},
            {"urls": ["https://evil.example", "turn:turn.cloudflare.com:port",
                      "turn::3478", "turn:turn.cloudflare.com:53?transport=udp",
                      "turn:turn cloudflare.com"],
             "username": "u", "credential": "c"}]})),
        Err(RelayFailure::NoRelay)
    );
    let kept = answer(json!({"iceServers": [
        {"urls": ["turn:[2001:db8::1]:53", "turn:[2001:db8::1]:3478"], "username": "u", "credential": "c"}]}))
    .unwrap();
    assert_eq!(kept[0].urls, ["turn:[2001:db8::1]:3478"]);
}

#[test]
fn api_errors_and_odd_bodies_are_failures() {
    let answer = |status: u16, body: &str| {
        cloudflare::servers(&ApiAnswer {
            status,
            body: body.as_bytes().to_vec(),
        })
    };
    let good = documented_answer().to_string();
    assert_eq!(answer(401, &good), Err(RelayFailure::Status(401)));
    assert_eq!(answer(500, ""), Err(RelayFailure::Status(500)));
    assert_eq!(
        RelayFailure::Status(401).to_string(),
        "the Cloudflare TURN API answered HTTP 401: check TURN_KEY_ID and TURN_KEY_API_TOKEN"
    );
    assert_eq!(
        RelayFailure::Status(502).to_string(),
        "the Cloudflare TURN API answered HTTP 502"
    );
    assert_eq!(answer(201, ""), Err(RelayFailure::Malformed));
    assert_eq!(
        answer(201, "{\"iceServers\":7}"),
        Err(RelayFailure::Malformed)
    );
    assert_eq!(answer(201, "[]"), Err(RelayFailure::Malformed));
}

#[test]
fn ports_are_read_from_stun_and_turn_urls() {
    assert_eq!(port("turn:turn.example:53?transport=udp"), Some(53));
    assert_eq!(port("turn:turn.example"), Some(3478));
    assert_eq!(port("turns:turn.example?transport=tcp"), Some(5349));
    assert_eq!(port("stun:stun.example:19302"), Some(19302));
    assert_eq!(port("turn:[2001:db8::1]"), Some(3478));
    assert_eq!(port("turn:[2001:db8::1]:53"), Some(53));
    assert_eq!(port("turn:[2001:db8::1]x"), None);
    assert_eq!(port("turn:host:99999"), None);
    assert_eq!(port("turn::53"), None);
    assert_eq!(port("nothing"), None);
}

// --- the /api/ice answer ---

#[test]
fn without_a_relay_the_answer_is_stun_only() {
    let api = FakeApi::with(Err(ApiFailure::Unreachable));
    let answer = run(ice_response(
        &stun_urls(),
        &Relay::Off,
        ALL,
        "guest:a",
        NOW,
        &api,
    ));
    assert!(!answer.response.relay);
    assert_eq!(answer.response.ice_servers.len(), 1);
    assert_eq!(answer.response.ice_servers[0].urls, stun_urls());
    assert_eq!(answer.response.expires_at, NOW + 7_200);
    assert!(answer.failure.is_none());
    assert!(api.calls.borrow().is_empty());
    // No STUN configured either: an empty list, still a valid answer.
    let answer = run(ice_response(&[], &Relay::Off, ALL, "guest:a", NOW, &api));
    assert!(answer.response.ice_servers.is_empty());
}

#[test]
fn coturn_answer_is_stun_then_this_users_credential() {
    let relay = Relay::Coturn(coturn());
    let api = FakeApi::with(Err(ApiFailure::Unreachable));
    let answer = run(ice_response(
        &stun_urls(),
        &relay,
        ALL,
        "guest:a",
        NOW,
        &api,
    ));
    let response = answer.response;
    assert!(response.relay);
    assert_eq!(response.expires_at, NOW + 7_200);
    assert_eq!(response.ice_servers.len(), 2);
    let turn = &response.ice_servers[1];
    let name = format!("{}:guest%3Aa", NOW + 7_200);
    assert_eq!(turn.username.as_deref(), Some(name.as_str()));
    assert_eq!(
        turn.credential.as_deref(),
        Some(password(SECRET, &name).as_str())
    );
    // The secret itself is nowhere in what the browser gets.
    let body = serde_json::to_string(&response).unwrap();
    assert!(!body.contains(SECRET));
    assert!(api.calls.borrow().is_empty());
}

#[test]
fn cloudflare_answer_passes_the_servers_on() {
    let api = FakeApi::answering(201, documented_answer());
    let answer = run(ice_response(
        &stun_urls(),
        &cloudflare_relay("3600"),
        ALL,
        "user:b",
        NOW,
        &api,
    ));
    assert!(answer.failure.is_none());
    assert!(answer.response.relay);
    assert_eq!(answer.response.expires_at, NOW + 3600);
    assert_eq!(answer.response.ice_servers.len(), 3);
    assert_eq!(answer.response.ice_servers[0].urls, stun_urls());
    assert_eq!(api.calls.borrow().len(), 1);
    let urls: Vec<&String> = answer
        .response
        .ice_servers
        .iter()
        .flat_map(|s| &s.urls)
        .collect();
    assert!(urls.iter().all(|u| port(u) != Some(53)), "{urls:?}");
    let body = serde_json::to_string(&answer.response).unwrap();
    assert!(!body.contains("cf-api-token-secret"));
}

#[test]
fn cloudflare_failure_falls_back_to_stun_and_asks_again_soon() {
    for (api, failure) in [
        (
            FakeApi::with(Err(ApiFailure::Timeout)),
            RelayFailure::Timeout,
        ),
        (
            FakeApi::with(Err(ApiFailure::Unreachable)),
            RelayFailure::Unreachable,
        ),
        (
            FakeApi::answering(403, json!({"error": "no"})),
            RelayFailure::Status(403),
        ),
        (FakeApi::answering(201, json!({})), RelayFailure::Malformed),
    ] {
        let answer = run(ice_response(
            &stun_urls(),
            &cloudflare_relay(""),
            ALL,
            "user:b",
            NOW,
            &api,
        ));
        assert_eq!(answer.failure.as_ref(), Some(&failure));
        assert!(!answer.response.relay);
        assert_eq!(answer.response.ice_servers.len(), 1);
        assert_eq!(
            answer.response.expires_at,
            NOW + RETRY_AFTER_FAILURE_SECONDS
        );
        assert!(!failure.to_string().contains("cf-api-token-secret"));
    }
    // Never later than the credential lifetime itself.
    let api = FakeApi::with(Err(ApiFailure::Timeout));
    let answer = run(ice_response(
        &stun_urls(),
        &cloudflare_relay("60"),
        ALL,
        "user:b",
        NOW,
        &api,
    ));
    assert_eq!(answer.response.expires_at, NOW + 60);
}

#[test]
fn the_answer_carries_the_transport_policy() {
    let api = FakeApi::with(Err(ApiFailure::Unreachable));
    let relay = Relay::Coturn(coturn());
    for policy in [ALL, RELAY] {
        let answer = run(ice_response(
            &stun_urls(),
            &relay,
            policy,
            "guest:a",
            NOW,
            &api,
        ));
        assert_eq!(answer.response.transport_policy, policy);
        assert!(answer.response.relay);
    }
    // Relay-only with the Cloudflare API down: the policy stays (peers still must not learn
    // each other's address) and `relay: false` tells the app the relay is unavailable.
    let answer = run(ice_response(
        &stun_urls(),
        &cloudflare_relay(""),
        RELAY,
        "user:b",
        NOW,
        &api,
    ));
    assert_eq!(answer.response.transport_policy, RELAY);
    assert!(!answer.response.relay);
    assert_eq!(answer.failure, Some(RelayFailure::Unreachable));
}
