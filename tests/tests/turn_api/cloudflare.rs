//! Cloudflare TURN mode against [`CfStandIn`]: `TURN_KEY_ID`, `TURN_KEY_API_TOKEN`, and
//! `TURN_API_URL` pointing at the stand-in. The stand-in does one thing at a time, so these
//! tests take turns ([`TURNS`]).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use confab_tests::http;
use confab_tests::token::unix_now;
use confab_tests::wrangler::{Options, Shared, Wrangler};
use serde_json::{json, Value};

use super::standin::{Behaviour, CfStandIn};
use super::{ice, is_turn, lock, log_lines, wait_log_lines, worker, Lazy};

/// The worker pointed at the stand-in.
pub static WORKER: Shared = Shared::new();
static API: Lazy<Api> = Lazy::new();
/// Held for the whole of each test here: one behaviour of the stand-in at a time.
static TURNS: Mutex<()> = Mutex::new(());

/// `TURN_TTL` of this worker.
const TTL: i64 = 3600;
/// The worker's limit on the API call (`turn::cloudflare::TIMEOUT`).
const API_TIMEOUT: Duration = Duration::from_secs(5);
/// What the worker logs when it falls back.
const FALLBACK_LOG: &str = "TURN relay unavailable";

pub struct Api {
    standin: CfStandIn,
    pub key_id: String,
    pub token: String,
}

pub fn started() -> Option<Arc<Api>> {
    API.started()
}

pub fn stop() {
    API.stop();
}

fn random(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("randomness");
    URL_SAFE_NO_PAD.encode(bytes)
}

fn setup() -> (Arc<Wrangler>, Arc<Api>) {
    let api = API.get(|| {
        // Key ids are letters, digits, '-' and '_' (the worker checks).
        let key_id = format!("key-{}", random(12));
        let token = random(32);
        let standin = CfStandIn::start(&key_id, &token).map_err(|e| e.to_string())?;
        Ok(Api {
            standin,
            key_id,
            token,
        })
    });
    let w = worker(&WORKER, || Options {
        vars: vec![
            ("TURN_KEY_ID".into(), api.key_id.clone()),
            ("TURN_KEY_API_TOKEN".into(), api.token.clone()),
            ("TURN_API_URL".into(), api.standin.api_url()),
            ("TURN_TTL".into(), TTL.to_string()),
        ],
        ..Options::default()
    });
    (w, api)
}

/// The documented answer's shape: STUN and TURN entries, port 53 among them, one `urls` as a
/// plain string.
fn cloudflare_answer(username: &str, credential: &str) -> Value {
    json!({"iceServers": [
        {"urls": ["stun:stun.cloudflare.com:3478", "stun:stun.cloudflare.com:53"]},
        {"urls": [
            "turn:turn.cloudflare.com:3478?transport=udp",
            "turn:turn.cloudflare.com:53?transport=udp",
            "turn:turn.cloudflare.com:3478?transport=tcp",
            "turns:turn.cloudflare.com:5349?transport=tcp",
            "turns:turn.cloudflare.com:443?transport=tcp"
         ],
         "username": username,
         "credential": credential},
        {"urls": "turn:turn.cloudflare.com:80?transport=tcp",
         "username": username,
         "credential": credential}
    ]})
}

fn guest_token(w: &Wrangler) -> String {
    http::guest(w.base_url(), "Mina").access_token
}

pub async fn servers_are_passed_on_without_port_53() {
    let (w, api) = setup();
    let _turn = lock(&TURNS);
    let username = format!("cf-user-{}", random(8));
    let credential = format!("cf-cred-{}", random(8));
    api.standin.set(Behaviour::Answer {
        status: 201,
        body: cloudflare_answer(&username, &credential).to_string(),
    });
    let calls_before = api.standin.seen().len();
    let token = guest_token(&w);
    let before = unix_now();
    let (reply, answer) = ice(&w, &token);
    let after = unix_now();
    assert!(answer.relay, "{}", reply.body);
    assert!((before + TTL..=after + TTL).contains(&answer.expires_at));
    let urls: Vec<&str> = answer
        .ice_servers
        .iter()
        .flat_map(|s| s.urls.iter().map(String::as_str))
        .collect();
    let on_port_53 =
        |u: &&str| u.split('?').next().and_then(|a| a.rsplit(':').next()) == Some("53");
    assert!(!urls.iter().any(on_port_53), "port 53 handed on: {urls:?}");
    for expected in [
        "stun:stun.cloudflare.com:3478",
        "turn:turn.cloudflare.com:3478?transport=udp",
        "turns:turn.cloudflare.com:443?transport=tcp",
        "turn:turn.cloudflare.com:80?transport=tcp",
    ] {
        assert!(urls.contains(&expected), "{expected} missing: {urls:?}");
    }
    for server in &answer.ice_servers {
        if server.urls.iter().any(|u| is_turn(u)) {
            assert_eq!(server.username.as_deref(), Some(username.as_str()));
            assert_eq!(server.credential.as_deref(), Some(credential.as_str()));
        }
    }
    assert!(!reply.body.contains(&api.token), "the API token left");
    // The call, as Cloudflare documents it.
    let seen = api.standin.seen();
    assert_eq!(seen.len(), calls_before + 1, "one API call per answer");
    let call = seen.last().expect("a call");
    assert_eq!(call.method, "POST");
    assert_eq!(
        call.path,
        format!(
            "/v1/turn/keys/{}/credentials/generate-ice-servers",
            api.key_id
        )
    );
    assert_eq!(
        call.authorization.as_deref(),
        Some(format!("Bearer {}", api.token).as_str())
    );
    assert_eq!(
        call.content_type
            .as_deref()
            .map(http::media_type)
            .as_deref(),
        Some("application/json")
    );
    let body: Value = serde_json::from_str(&call.body).expect("a JSON body");
    assert_eq!(body, json!({ "ttl": TTL }));
    // Asked again (a reload, a reconnect) while young: the same credential, no new call.
    let (_, again) = ice(&w, &token);
    assert_eq!(again, answer, "the kept answer");
    assert_eq!(
        api.standin.seen().len(),
        calls_before + 1,
        "no second API call"
    );
    // Another person gets a credential of their own.
    let (_, theirs) = ice(&w, &guest_token(&w));
    assert!(theirs.relay);
    assert_eq!(api.standin.seen().len(), calls_before + 2);
}

/// STUN only, relay off, asked again within five minutes.
fn assert_fallback(answer: &confab_protocol::IceResponse, body: &str, asked_at: i64) {
    assert!(!answer.relay, "{body}");
    assert!(
        answer
            .ice_servers
            .iter()
            .flat_map(|s| &s.urls)
            .all(|u| u.starts_with("stun:")),
        "{body}"
    );
    assert!(
        answer
            .ice_servers
            .iter()
            .all(|s| s.username.is_none() && s.credential.is_none()),
        "{body}"
    );
    let retry = answer.expires_at - asked_at;
    assert!(
        (295..=305).contains(&retry),
        "asks again in {retry}s: {body}"
    );
}

pub async fn api_failures_fall_back_to_stun_only() {
    let (w, api) = setup();
    let _turn = lock(&TURNS);
    let token = guest_token(&w);
    let logged = log_lines(&w, FALLBACK_LOG);
    let failures = [
        Behaviour::Answer {
            status: 500,
            body: r#"{"errors":[{"message":"internal"}]}"#.into(),
        },
        Behaviour::RefuseToken,
        Behaviour::Answer {
            status: 201,
            body: "not json".into(),
        },
        // Only STUN and port 53: nothing a browser can relay through.
        Behaviour::Answer {
            status: 201,
            body: json!({"iceServers": [
                {"urls": ["stun:stun.cloudflare.com:3478"]},
                {"urls": ["turn:turn.cloudflare.com:53?transport=udp"],
                 "username": "u", "credential": "c"}]})
            .to_string(),
        },
    ];
    for behaviour in &failures {
        api.standin.set(behaviour.clone());
        let started = Instant::now();
        let asked_at = unix_now();
        let (reply, answer) = ice(&w, &token);
        assert_fallback(&answer, &reply.body, asked_at);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{behaviour:?}: a refusal should not take {:?}",
            started.elapsed()
        );
    }
    assert!(
        wait_log_lines(
            &w,
            FALLBACK_LOG,
            logged + failures.len(),
            Duration::from_secs(5)
        ),
        "each fallback is logged as an error"
    );
}

pub async fn api_timeout_falls_back_within_the_timeout() {
    let (w, api) = setup();
    let _turn = lock(&TURNS);
    let token = guest_token(&w);
    api.standin.set(Behaviour::Hang);
    let started = Instant::now();
    let asked_at = unix_now();
    let (reply, answer) = ice(&w, &token);
    let took = started.elapsed();
    assert_fallback(&answer, &reply.body, asked_at);
    assert!(
        took >= API_TIMEOUT - Duration::from_millis(500)
            && took < API_TIMEOUT + Duration::from_secs(3),
        "answered after {took:?}; the API limit is {API_TIMEOUT:?}"
    );
    assert!(
        wait_log_lines(&w, "did not answer within", 1, Duration::from_secs(5)),
        "the timeout is logged"
    );
}
