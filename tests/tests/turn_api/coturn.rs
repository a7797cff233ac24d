//! Shared-secret mode against a real coturn: `TURN_URLS` = its URL, `TURN_SECRET` = its
//! `static-auth-secret`. `turnutils_uclient` decides whether a credential works.

use std::path::PathBuf;
use std::sync::Arc;

use confab_protocol::IceServer;
use confab_tests::coturn::{credential, Allocation, Coturn, PeerRelay};
use confab_tests::http;
use confab_tests::token::{self, unix_now, Claims};
use confab_tests::wrangler::{Options, Shared, Wrangler};

use super::{ice, is_turn, scratch, worker, Lazy};

/// The worker pointed at [`COTURN`].
pub static WORKER: Shared = Shared::new();
static COTURN: Lazy<Coturn> = Lazy::new();

pub fn dir() -> PathBuf {
    scratch("coturn")
}

pub fn started() -> Option<Arc<Coturn>> {
    COTURN.started()
}

pub fn stop() {
    COTURN.stop();
}

/// The suite's coturn, started on first use.
pub(super) fn coturn() -> Arc<Coturn> {
    COTURN.get(|| Coturn::start(&dir()))
}

/// coturn and the worker that mints credentials for it.
fn setup() -> (Arc<Wrangler>, Arc<Coturn>) {
    let turn = coturn();
    let w = worker(&WORKER, || Options {
        vars: turn.worker_vars(),
        ..Options::default()
    });
    (w, turn)
}

/// The single TURN entry of an answer.
fn relay_server(servers: &[IceServer]) -> &IceServer {
    let relays: Vec<&IceServer> = servers
        .iter()
        .filter(|s| s.urls.iter().any(|u| is_turn(u)))
        .collect();
    assert_eq!(relays.len(), 1, "one TURN entry expected: {servers:?}");
    relays[0]
}

/// A guest's `(user id, username, credential)` from `/api/ice`.
fn guest_credential(w: &Wrangler, name: &str) -> (String, String, String) {
    let guest = http::guest(w.base_url(), name);
    let (_, answer) = ice(w, &guest.access_token);
    let turn = relay_server(&answer.ice_servers);
    (
        guest.user.id,
        turn.username.clone().expect("a username"),
        turn.credential.clone().expect("a credential"),
    )
}

/// The user part of a username (after the expiry).
fn user_part(username: &str) -> &str {
    username.split_once(':').expect("<expiry>:<user>").1
}

fn refused(outcome: Allocation, username: &str) {
    match outcome {
        Allocation::Refused {
            server_said: Some(line),
        } => assert!(
            line.contains("check_stun_auth"),
            "coturn refused {username} for another reason: {line}"
        ),
        other => panic!("coturn did not refuse {username} on credentials: {other:?}"),
    }
}

pub async fn answer_is_stun_then_a_credential_for_this_user() {
    let (w, turn) = setup();
    let guest = http::guest(w.base_url(), "Mina");
    let before = unix_now();
    let (reply, answer) = ice(&w, &guest.access_token);
    let after = unix_now();
    assert!(answer.relay, "{}", reply.body);
    assert!(
        answer.ice_servers[0]
            .urls
            .iter()
            .all(|u| u.starts_with("stun:")),
        "STUN first: {}",
        reply.body
    );
    let relay = relay_server(&answer.ice_servers);
    assert_eq!(relay.urls, [turn.url()]);
    // The default TURN_TTL: two hours.
    assert!(
        (before + 7_200..=after + 7_200).contains(&answer.expires_at),
        "expires_at {} is not two hours from now",
        answer.expires_at
    );
    // `<expiry>:<user id>` with the id's `:` percent-encoded; the password is the HMAC.
    let id = &guest.user.id;
    let hex = id.strip_prefix("guest:").expect("a guest id");
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    let username = format!("{}:guest%3A{hex}", answer.expires_at);
    assert_eq!(relay.username.as_deref(), Some(username.as_str()));
    assert_eq!(
        relay.credential.as_deref(),
        Some(credential(turn.secret(), &username).as_str())
    );
    assert!(
        !reply.body.contains(turn.secret()),
        "the secret itself left"
    );
}

pub async fn coturn_accepts_the_workers_credential() {
    let (w, turn) = setup();
    let (_, username, password) = guest_credential(&w, "Mina");
    assert_eq!(turn.allocate(&username, &password), Ok(Allocation::Relayed));
}

pub async fn coturn_refuses_a_tampered_credential() {
    let (w, turn) = setup();
    let (_, username, password) = guest_credential(&w, "Mina");
    let mut tampered = password.into_bytes();
    tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("base64 is ASCII");
    refused(turn.allocate(&username, &tampered).unwrap(), &username);
}

pub async fn coturn_refuses_an_expired_credential() {
    let (w, turn) = setup();
    let (_, username, _) = guest_credential(&w, "Mina");
    // A correct HMAC, over a username whose expiry has passed.
    let expired = format!("{}:{}", unix_now() - 60, user_part(&username));
    let password = credential(turn.secret(), &expired);
    refused(turn.allocate(&expired, &password).unwrap(), &expired);
}

pub async fn another_users_credential_cannot_be_stretched_or_borrowed() {
    let (w, turn) = setup();
    let (_, mina, _) = guest_credential(&w, "Mina");
    let (_, bora, bora_password) = guest_credential(&w, "Bora");
    assert_ne!(user_part(&mina), user_part(&bora));
    // Bora's credential with a later expiry.
    let (expiry, user) = bora.split_once(':').unwrap();
    let stretched = format!("{}:{user}", expiry.parse::<i64>().unwrap() + 86_400);
    refused(
        turn.allocate(&stretched, &bora_password).unwrap(),
        &stretched,
    );
    // Bora's credential under Mina's name.
    refused(turn.allocate(&mina, &bora_password).unwrap(), &mina);
}

pub async fn odd_user_ids_cannot_bend_the_username() {
    let (w, turn) = setup();
    let mut claims = Claims::guest("Odd");
    claims.sub = "user:1700000000:x\n0: : forged log line\u{0}ü".into();
    claims.guest = false;
    let token = token::mint(w.jwt_key(), &claims);
    let (reply, answer) = ice(&w, &token);
    let relay = relay_server(&answer.ice_servers);
    let username = relay.username.clone().expect("a username");
    assert_eq!(username.matches(':').count(), 1, "{}", reply.body);
    assert!(
        username.bytes().all(|b| b.is_ascii_graphic()),
        "{username:?}"
    );
    assert!(username.starts_with(&format!("{}:", answer.expires_at)));
    let password = relay.credential.clone().expect("a credential");
    assert_eq!(turn.allocate(&username, &password), Ok(Allocation::Relayed));
}

pub async fn requires_a_valid_token() {
    let (w, _) = setup();
    let endpoint = format!("{}/api/ice", w.base_url());
    http::get(&endpoint, &[]).expect_problem(401);
    let mut claims = Claims::guest("Late");
    claims.iat -= 3600;
    claims.nbf -= 3600;
    claims.exp = unix_now() - 600;
    let expired = token::mint(w.jwt_key(), &claims);
    http::get(
        &endpoint,
        &[("authorization", &format!("Bearer {expired}"))],
    )
    .expect_problem(401);
}

/// coturn configured as README tells deployers (`deploy/coturn-peers.conf`) relays to people
/// on the internet but not into the network it runs in.
pub async fn deployed_coturn_refuses_private_peers() {
    let dir = scratch("coturn-deployed");
    let turn = tokio::task::spawn_blocking(move || {
        Coturn::start_as_deployed(&dir).unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .expect("coturn start");
    let outcomes = tokio::task::spawn_blocking(move || {
        [
            "10.1.2.3",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "127.0.0.1",
            "100.64.1.1",
            "0.1.2.3",
            "224.0.0.251",
            // TEST-NET-1 stands for an address on the internet: the relay lets it out.
            "192.0.2.1",
        ]
        .map(|peer| (peer, turn.relay_to(peer)))
    })
    .await
    .expect("relays");
    for (peer, outcome) in outcomes {
        let expected = if peer == "192.0.2.1" {
            PeerRelay::Sent
        } else {
            PeerRelay::Forbidden
        };
        assert_eq!(outcome, Ok(expected), "relay to {peer}");
    }
}
