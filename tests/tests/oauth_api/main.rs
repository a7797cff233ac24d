//! Sign-in with Google, GitHub, Kakao and Naver at the HTTP level, against the real worker under
//! `wrangler dev` and local stand-ins of the providers (`tests/js/`: oidc-provider as Google, a
//! node:http server speaking GitHub's, Kakao's and Naver's documented shapes and quirks).
//!
//! Each test is a browser taken one step at a time ([`confab_tests::oauth_flow`]): login → the
//! provider's pages → callback → refresh, with every rule of the contract pinned (state, login
//! cookie, PKCE, open redirects, cookie attributes, provider quirks). One worker offers all four
//! providers; a second, started only if its tests run, offers Google with the wrong issuer and
//! Kakao without a client secret. After the run, `main` fails the binary if wrangler's log
//! holds any token, code or client secret seen.

mod config;
mod flows;
mod rules;
mod sessions;

use std::sync::{Arc, Mutex, OnceLock};

use confab_tests::providers::{ClientCreds, Provider, Providers};
use confab_tests::suite::{finish_without_leaks, stop_workers};
use confab_tests::wrangler::{scratch_root, Options, Shared, Wrangler};
use libtest_mimic::Arguments;

static PROVIDERS: Mutex<Option<Arc<Providers>>> = Mutex::new(None);
static FULL: Shared = Shared::new();
static FULL_READY: OnceLock<Result<(), String>> = OnceLock::new();
static PARTIAL: Shared = Shared::new();
static PARTIAL_READY: OnceLock<Result<(), String>> = OnceLock::new();
static PARTIAL_CLIENTS: OnceLock<Vec<ClientCreds>> = OnceLock::new();
/// Tokens, cookies and verifiers the tests saw, to look for in wrangler's log afterwards.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn main() {
    let args = Arguments::from_args();
    let mut trials = flows::trials();
    trials.extend(rules::trials());
    trials.extend(config::trials());
    trials.extend(sessions::trials());
    if args.list {
        libtest_mimic::run(&args, trials).exit();
    }
    match Providers::start(&scratch_root().join("oauth-api")) {
        Ok(providers) => *lock(&PROVIDERS) = Some(Arc::new(providers)),
        Err(e) => {
            eprintln!("oauth_api: cannot start the provider stand-ins: {e}");
            std::process::exit(101);
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);

    let providers = lock(&PROVIDERS).take().expect("started above");
    let mut secrets = providers.secrets();
    secrets.extend(
        PARTIAL_CLIENTS
            .get()
            .into_iter()
            .flatten()
            .map(|c| c.client_secret.clone()),
    );
    secrets.extend(providers.issued());
    secrets.extend(lock(&SEEN).iter().cloned());
    // Values this short could turn up in a log by chance.
    secrets.retain(|s| s.len() >= 12);
    let logs = stop_workers(&[&FULL, &PARTIAL]);
    drop(providers);
    finish_without_leaks(
        conclusion,
        &logs,
        &secrets,
        "tokens, codes and client secrets",
        || {
            eprintln!(
                "stand-in logs: {}",
                scratch_root().join("oauth-api").display()
            )
        },
    );
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Remembers a value that must never reach wrangler's log.
pub fn remember(value: &str) {
    if !value.is_empty() {
        lock(&SEEN).push(value.to_owned());
    }
}

pub fn providers() -> Arc<Providers> {
    lock(&PROVIDERS)
        .as_ref()
        .expect("the stand-ins are started in main")
        .clone()
}

/// The worker offering all four providers (clients registered at the stand-ins).
pub fn full() -> (Arc<Wrangler>, Arc<Providers>) {
    let p = providers();
    let w = FULL
        .get(|| Options {
            vars: p.vars(&Provider::ALL),
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    FULL_READY
        .get_or_init(|| p.register(w.base_url()))
        .clone()
        .unwrap_or_else(|e| panic!("{e}"));
    (w, p)
}

/// The second worker: Google whose `GOOGLE_ISSUER` is the real Google's (so the stand-in's ID
/// tokens carry the wrong `iss`) and Kakao with a client that has no secret; nothing else.
pub fn partial() -> (Arc<Wrangler>, Arc<Providers>) {
    let p = providers();
    let clients = PARTIAL_CLIENTS.get_or_init(|| {
        vec![
            ClientCreds::random(Provider::Google),
            ClientCreds {
                client_secret: String::new(),
                ..ClientCreds::random(Provider::Kakao)
            },
        ]
    });
    let w = PARTIAL
        .get(|| {
            let refs: Vec<&ClientCreds> = clients.iter().collect();
            let mut vars = p.vars_for(&refs);
            for (name, value) in &mut vars {
                if name == "GOOGLE_ISSUER" {
                    *value = "https://accounts.google.com".into();
                }
            }
            Options {
                vars,
                ..Options::default()
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
    PARTIAL_READY
        .get_or_init(|| {
            let refs: Vec<&ClientCreds> = clients.iter().collect();
            p.register_clients(w.base_url(), &refs)
        })
        .clone()
        .unwrap_or_else(|e| panic!("{e}"));
    (w, p)
}

/// A fresh room path to come back to.
pub fn room_path() -> String {
    format!(
        "/r/oauth-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// A login no other test uses: `<stem>-<6 hex>` (its display name is "<Stem> <Hex>").
pub fn account(stem: &str) -> String {
    format!("{stem}-{}", &uuid::Uuid::new_v4().simple().to_string()[..6])
}
