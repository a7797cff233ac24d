//! No TURN variables: STUN only, and the answer says the relay is off.

use confab_tests::http;
use confab_tests::token::unix_now;
use confab_tests::wrangler::{Options, Shared};

use super::{ice, worker};

/// The worker with the repository's own configuration (no relay).
pub static WORKER: Shared = Shared::new();

pub async fn no_turn_configured_means_stun_only_and_relay_off() {
    let w = worker(&WORKER, Options::default);
    let token = http::guest(w.base_url(), "Mina").access_token;
    let before = unix_now();
    let (reply, answer) = ice(&w, &token);
    assert!(!answer.relay, "{}", reply.body);
    assert!(
        !answer.ice_servers.is_empty(),
        "STUN always: {}",
        reply.body
    );
    for server in &answer.ice_servers {
        assert!(
            server.urls.iter().all(|u| u.starts_with("stun:")),
            "{}",
            reply.body
        );
        assert!(server.username.is_none() && server.credential.is_none());
    }
    // Asked again after the default TURN_TTL (two hours), as a relay's credential would be.
    assert!(answer.expires_at >= before + 7_200 && answer.expires_at <= unix_now() + 7_200);
    // The field is always there for the app to read.
    let raw: serde_json::Value = reply.json();
    assert_eq!(raw["relay"], serde_json::Value::Bool(false));
    // Any path unless the deployer chose relay-only.
    assert_eq!(raw["transport_policy"], "all", "{}", reply.body);
}
