//! `GET /api/ice` with a TURN relay, against the real worker under `wrangler dev`:
//!
//! - [`coturn`]: a real coturn (Debian's, shared-secret mode) on loopback; the credentials the
//!   worker mints are checked by `turnutils_uclient`, coturn's own independent client: the
//!   worker's are accepted, tampered, expired and stretched ones refused.
//! - [`cloudflare`]: Cloudflare TURN mode against a local stand-in of its API (Bearer token and
//!   path checked): servers passed on without port 53, and STUN only (`relay: false`) when the
//!   API fails or does not answer in time.
//! - [`plain`]: no TURN configured: STUN only, `relay: false`, `transport_policy: all`.
//! - [`policy`]: `ICE_TRANSPORT_POLICY=relay` reaches the answer; a bad value or `relay`
//!   without a relay is a configuration error (500 and a log line naming the variable).
//!
//! Six workers (one per configuration), coturn and the stand-in start on first use and stop
//! after the run; then no wrangler log may contain the TURN secret or the API token.

mod cloudflare;
mod coturn;
mod plain;
mod policy;
mod standin;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use confab_protocol::IceResponse;
use confab_tests::http::{self, media_type, Reply};
use confab_tests::suite::{finish_without_leaks, stop_workers};
use confab_tests::wrangler::{scratch_root, Shared, Wrangler};
use libtest_mimic::Arguments;

/// No single test may take longer than this.
const TEST_TIMEOUT: Duration = Duration::from_secs(90);

fn main() {
    let args = Arguments::from_args();
    let trials = confab_tests::async_trials![TEST_TIMEOUT;
        coturn::answer_is_stun_then_a_credential_for_this_user,
        coturn::coturn_accepts_the_workers_credential,
        coturn::coturn_refuses_a_tampered_credential,
        coturn::coturn_refuses_an_expired_credential,
        coturn::another_users_credential_cannot_be_stretched_or_borrowed,
        coturn::odd_user_ids_cannot_bend_the_username,
        coturn::requires_a_valid_token,
        coturn::deployed_coturn_refuses_private_peers,
        cloudflare::servers_are_passed_on_without_port_53,
        cloudflare::api_failures_fall_back_to_stun_only,
        cloudflare::api_timeout_falls_back_within_the_timeout,
        plain::no_turn_configured_means_stun_only_and_relay_off,
        policy::relay_policy_reaches_the_answer,
        policy::unknown_policy_is_a_configuration_error,
        policy::relay_policy_without_turn_is_a_configuration_error,
    ];
    if args.list {
        libtest_mimic::run(&args, trials).exit();
    }
    let conclusion = libtest_mimic::run(&args, trials);

    let mut secrets = Vec::new();
    if let Some(turn) = coturn::started() {
        secrets.push(turn.secret().to_owned());
    }
    if let Some(api) = cloudflare::started() {
        secrets.push(api.token.clone());
    }
    let logs = stop_workers(&[
        &coturn::WORKER,
        &cloudflare::WORKER,
        &plain::WORKER,
        &policy::RELAY_WORKER,
        &policy::BAD_WORKER,
        &policy::NO_TURN_WORKER,
    ]);
    coturn::stop();
    cloudflare::stop();
    finish_without_leaks(
        conclusion,
        &logs,
        &secrets,
        "TURN secrets and API tokens",
        || {
            eprintln!(
                "coturn log: {}",
                coturn::dir().join("turnserver.log").display()
            )
        },
    );
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Something started once for the whole run, on first use, and stopped by `main`.
struct Lazy<T> {
    slot: Mutex<Slot<T>>,
}

enum Slot<T> {
    NotStarted,
    Running(Arc<T>),
    Failed(String),
    Stopped,
}

impl<T> Lazy<T> {
    const fn new() -> Self {
        Lazy {
            slot: Mutex::new(Slot::NotStarted),
        }
    }

    /// The running thing, started with `start` on first use; a failed start fails every
    /// later caller with the same message.
    fn get(&self, start: impl FnOnce() -> Result<T, String>) -> Arc<T> {
        let mut slot = lock(&self.slot);
        if let Slot::NotStarted = &*slot {
            *slot = match start() {
                Ok(thing) => Slot::Running(Arc::new(thing)),
                Err(error) => Slot::Failed(error),
            };
        }
        match &*slot {
            Slot::Running(thing) => thing.clone(),
            Slot::Failed(error) => panic!("{error}"),
            _ => panic!("already stopped"),
        }
    }

    fn started(&self) -> Option<Arc<T>> {
        match &*lock(&self.slot) {
            Slot::Running(thing) => Some(thing.clone()),
            _ => None,
        }
    }

    /// Drops it (it stops once no test holds it any more).
    fn stop(&self) {
        let previous = std::mem::replace(&mut *lock(&self.slot), Slot::Stopped);
        drop(previous);
    }
}

/// A scratch directory of this suite.
fn scratch(name: &str) -> PathBuf {
    scratch_root().join("turn-api").join(name)
}

/// `GET /api/ice` with `token`; asserts a 200 JSON answer that is not stored.
fn ice(w: &Wrangler, token: &str) -> (Reply, IceResponse) {
    let reply = http::get(
        &format!("{}/api/ice", w.base_url()),
        &[("authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(media_type(&reply.content_type), "application/json");
    assert_eq!(
        reply.header("cache-control"),
        Some("no-store"),
        "an ICE answer carries a credential: never cached"
    );
    let ice: IceResponse = reply.json();
    (reply, ice)
}

/// Whether a URL is a TURN URL.
fn is_turn(url: &str) -> bool {
    url.starts_with("turn:") || url.starts_with("turns:")
}

/// A worker from `shared`, started with `opts` on first use.
fn worker(
    shared: &Shared,
    opts: impl FnOnce() -> confab_tests::wrangler::Options,
) -> Arc<Wrangler> {
    shared.get(opts).unwrap_or_else(|e| panic!("{e}"))
}

/// How many lines of wrangler's log contain `needle`.
fn log_lines(w: &Wrangler, needle: &str) -> usize {
    std::fs::read_to_string(w.log_path())
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(needle))
        .count()
}

/// Waits (up to `within`) until wrangler's log has at least `count` lines containing `needle`
/// (wrangler writes its log on its own schedule).
fn wait_log_lines(w: &Wrangler, needle: &str, count: usize, within: Duration) -> bool {
    let deadline = std::time::Instant::now() + within;
    loop {
        if log_lines(w, needle) >= count {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        // Poll interval of a deadline-bounded wait for log lines.
        std::thread::sleep(Duration::from_millis(50));
    }
}
