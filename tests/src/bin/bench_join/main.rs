//! `bench-join`: how long joining a call takes, as a person sees it.
//!
//! Two headless Chromium peers on loopback (a private network namespace, the real worker under
//! `wrangler dev`). Per run, in a fresh room: A joins and waits; B opens the room page and types
//! its name; then one script inside B's page clicks Join and waits for the first frame of A's
//! video to be presented in A's tile (`requestVideoFrameCallback`, else `loadeddata`). The time
//! is taken with `performance.now()` in the page, so WebDriver round-trips do not count. The
//! fake cameras run at 30 frames a second, as webcams do (see `run::WEBCAM_RATE`).
//!
//! With `--relay` the same join goes through a TURN relay: a real coturn in the namespace, the
//! worker configured with it (`TURN_URLS`, `TURN_SECRET`) and `ICE_TRANSPORT_POLICY=relay`, so
//! the app allows relayed candidates only. Each run then also checks with getStats, in both
//! pages, that the selected candidate pair is relay on both ends; a run that is not relayed is
//! a failed run, not a number.
//!
//! With `--sfu` both pages join a room on the local SFU stand-in (`MEDIA_MODE=sfu`): the
//! joiner's first remote frame comes through one connection to the SFU, after a session, a
//! push and a pull through the worker.
//!
//! Run by `cargo xtask bench join [--runs N] [--relay | --sfu]` (root is needed for the namespace).
//! Prints one line per run, a summary, and last `join_ms p50=<n> p95=<n> runs=<n>` (with
//! `--relay`: `join_relay_ms ...`; nearest-rank percentiles). Exits non-zero if any run failed.

mod args;
mod measure;
mod relay;
mod report;
mod run;
#[cfg(test)]
mod tests;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use confab_tests::coturn::Coturn;
use confab_tests::local_sfu::LocalSfu;
use confab_tests::stage::Stage;
use confab_tests::wrangler::Options;

use crate::args::{parse_args, USAGE};
use crate::report::report;
use crate::run::bench;

/// How long the in-page script waits for the first frame before it gives up.
const IN_PAGE_TIMEOUT_MS: u64 = 20_000;
/// WebDriver's own limit for that script: above the in-page one, so the page reports first.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(30);
const PAGE_TIMEOUT: Duration = Duration::from_secs(20);
/// The cross-check: B's stats must show decoded frames from A within this long.
const STATS_TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bench-join: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let started = Instant::now();
    // Must happen before any thread starts: threads and children inherit the namespace.
    let entered = if args.relay {
        Stage::enter_with("bench-join-relay", relay_setup)
    } else if args.sfu {
        Stage::enter_with("bench-join-sfu", sfu_setup)
    } else {
        Stage::enter("bench-join").map(|stage| (stage, Helper::None))
    };
    let (stage, helper) = match entered {
        Ok(entered) => entered,
        Err(message) => {
            eprintln!("bench-join: {message}");
            return ExitCode::FAILURE;
        }
    };
    let helper_name = match &helper {
        Helper::None => "",
        Helper::Coturn { .. } => ", coturn",
        Helper::Sfu { .. } => ", the local SFU",
    };
    eprintln!(
        "bench-join: worker{helper_name} and chromedriver up in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let outcome = stage.runtime.block_on(bench(&stage, &args));
    // Browsers are closed by now; stop chromedriver, then the worker, then leave the namespace;
    // coturn or the SFU last (it lives in the namespace, and nothing uses it any more).
    drop(stage);
    drop(helper);
    report(outcome, &args, started.elapsed())
}

/// Inside the bench's namespace: a real coturn on loopback, and the worker minting credentials
/// for it with the relay-only policy.
fn relay_setup(scratch: &std::path::Path) -> Result<(Options, Helper), String> {
    let coturn = Coturn::start(&scratch.join("coturn"))?;
    let options = Options {
        vars: vec![
            ("TURN_URLS".into(), coturn.url()),
            ("TURN_SECRET".into(), coturn.secret().to_owned()),
            ("ICE_TRANSPORT_POLICY".into(), "relay".into()),
        ],
        ..Options::default()
    };
    Ok((options, Helper::Coturn { _held: coturn }))
}

/// Inside the bench's namespace: the local SFU on loopback, and the worker sending every room
/// through it.
fn sfu_setup(scratch: &std::path::Path) -> Result<(Options, Helper), String> {
    let sfu = LocalSfu::start("127.0.0.1", &scratch.join("local-sfu.log"))?;
    let mut vars = sfu.worker_vars();
    vars.push(("MEDIA_MODE".into(), "sfu".into()));
    let options = Options {
        vars,
        ..Options::default()
    };
    Ok((options, Helper::Sfu { _held: sfu }))
}

/// What runs beside the worker, held until the end (dropping it stops it).
enum Helper {
    None,
    Coturn { _held: Coturn },
    Sfu { _held: LocalSfu },
}
