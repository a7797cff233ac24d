//! `ICE_TRANSPORT_POLICY`: `relay` reaches the answer (with a relay configured); any other
//! value, or `relay` with no relay, is a configuration error: 500 problem+json and a log line
//! naming the variable.

use std::time::Duration;

use confab_protocol::IceTransportPolicy;
use confab_tests::http;
use confab_tests::token::{self, Claims};
use confab_tests::wrangler::{Options, Shared, Wrangler};

use super::{coturn, ice, is_turn, log_lines, wait_log_lines, worker};

/// Relay-only, pointed at the suite's coturn.
pub static RELAY_WORKER: Shared = Shared::new();
/// `ICE_TRANSPORT_POLICY` set to a value that is not a policy.
pub static BAD_WORKER: Shared = Shared::new();
/// `ICE_TRANSPORT_POLICY=relay` and no TURN variables.
pub static NO_TURN_WORKER: Shared = Shared::new();

/// What the worker logs for a configuration it refuses.
const CONFIG_LOG: &str = "configuration error";
const VAR: &str = "ICE_TRANSPORT_POLICY";
/// wrangler writes its log on its own schedule.
const LOG_WAIT: Duration = Duration::from_secs(10);

fn with_policy(value: &str, mut vars: Vec<(String, String)>) -> Options {
    vars.push((VAR.into(), value.into()));
    Options {
        vars,
        ..Options::default()
    }
}

pub async fn relay_policy_reaches_the_answer() {
    let turn = coturn::coturn();
    let w = worker(&RELAY_WORKER, || with_policy("relay", turn.worker_vars()));
    let guest = http::guest(w.base_url(), "Mina");
    let (reply, answer) = ice(&w, &guest.access_token);
    assert_eq!(
        answer.transport_policy,
        IceTransportPolicy::Relay,
        "{}",
        reply.body
    );
    assert!(answer.relay, "{}", reply.body);
    assert!(
        answer
            .ice_servers
            .iter()
            .any(|s| s.urls.iter().any(|u| is_turn(u))),
        "relay-only needs the TURN server in the answer: {}",
        reply.body
    );
    let raw: serde_json::Value = reply.json();
    assert_eq!(raw["transport_policy"], "relay", "{}", reply.body);
}

/// `/api/ice` with a token minted for `w` (guests cannot sign up: the whole configuration is
/// refused, `/auth/guest` included).
fn ice_problem(w: &Wrangler) -> confab_protocol::Problem {
    let token = token::mint(w.jwt_key(), &Claims::guest("Mina"));
    http::get(
        &format!("{}/api/ice", w.base_url()),
        &[("authorization", &format!("Bearer {token}"))],
    )
    .expect_problem(500)
}

fn refused_with_a_log_line(w: &Wrangler) {
    let before = log_lines(w, VAR);
    let problem = ice_problem(w);
    // The details stay in the log; the browser gets a plain server error.
    assert!(!problem.detail.contains(VAR), "{problem:?}");
    assert!(
        wait_log_lines(w, VAR, before + 1, LOG_WAIT),
        "no log line naming {VAR}: {}",
        w.log_tail(20)
    );
    let named = std::fs::read_to_string(w.log_path())
        .unwrap_or_default()
        .lines()
        .any(|l| l.contains(CONFIG_LOG) && l.contains(VAR));
    assert!(
        named,
        "the log line is not a configuration error naming {VAR}: {}",
        w.log_tail(20)
    );
}

pub async fn unknown_policy_is_a_configuration_error() {
    let turn = coturn::coturn();
    let w = worker(&BAD_WORKER, || {
        with_policy("relay-only", turn.worker_vars())
    });
    refused_with_a_log_line(&w);
    // Not a silent fallback to `all` on any endpoint that reads the configuration.
    http::guest_reply(w.base_url(), "Mina").expect_problem(500);
}

pub async fn relay_policy_without_turn_is_a_configuration_error() {
    let w = worker(&NO_TURN_WORKER, || with_policy("relay", Vec::new()));
    refused_with_a_log_line(&w);
}
