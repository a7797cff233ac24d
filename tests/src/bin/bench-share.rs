//! `bench-share`: how long a shared screen takes to reach the other person.
//!
//! Two headless Chromium peers on loopback (a private network namespace, the real worker under
//! `wrangler dev`), already in a call in a fresh room per run. A clicks **Share screen**
//! (Chromium's fake screen, no prompt); the time runs from that click (a capturing listener in
//! A's page notes `Date.now()`) to the first frame of A's screen presented in B's screen tile
//! (`requestVideoFrameCallback` in B's page, `Date.now()`). Both pages read the same clock:
//! they run on one machine. Sharing adds transceivers and renegotiates, so this is the offer,
//! answer, the screen's first keyframe and its decoding.
//!
//! Run by `cargo xtask bench share [--runs N] [--warmup N]` (root is needed for the namespace).
//! Prints one line per run and last `share_ms p50=<n> p95=<n> runs=<n>` (nearest rank). Exits
//! non-zero if any run failed.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use confab_tests::bench_args::{self, RunsAndWarmup};
use confab_tests::percentile::percentile;
use confab_tests::room_page::{join, tiles, wait_for};
use confab_tests::stage::Stage;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, Locator};
use serde_json::json;

const USAGE: &str = "\
usage: bench-share [--runs N] [--warmup N]

  --runs N     measured runs (default 10)
  --warmup N   runs before them, excluded from the numbers (default 1)

Measures, for two headless Chromium peers in a call on loopback, the time from one clicking
Share screen to the first frame of that screen presented at the other.
Last line: share_ms p50=<n> p95=<n> runs=<n>";

/// How long B's page waits for the screen's first frame.
const IN_PAGE_TIMEOUT_MS: u64 = 15_000;
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(25);
const PAGE_TIMEOUT: Duration = Duration::from_secs(20);

/// In A's page before the click: note when the share button is clicked.
const NOTE_CLICK_JS: &str = r#"
window.benchShareClickAt = null;
document.addEventListener('click', e => {
  if (e.target.closest('[data-testid=screen-share-button]')) window.benchShareClickAt = Date.now();
}, { capture: true, once: true });
"#;

/// In B's page: `Date.now()` at the first presented frame of a screen tile, or `{error}`.
const FIRST_FRAME_JS: &str = r#"
const done = arguments[arguments.length - 1];
const timeout = setTimeout(() => done({ error: 'no screen frame in time' }), arguments[0]);
const poll = setInterval(() => {
  const video = document.querySelector('[data-testid=video-tile][data-kind=screen] video');
  if (!video) return;
  clearInterval(poll);
  video.requestVideoFrameCallback(() => { clearTimeout(timeout); done({ at: Date.now() }); });
}, 5);
"#;

const LEAVE_JS: &str = r#"
const leave = document.querySelector('[data-testid="leave-button"]');
if (leave) leave.click();
"#;

type Args = RunsAndWarmup;

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    bench_args::runs_and_warmup(
        args,
        RunsAndWarmup {
            runs: 10,
            warmup: 1,
        },
    )
}

fn main() -> ExitCode {
    let args = match bench_args::or_exit("bench-share", USAGE, parse_args(std::env::args().skip(1)))
    {
        Ok(args) => args,
        Err(end) => return end,
    };
    let started = Instant::now();
    // Before any thread starts: threads and children inherit the namespace.
    let stage = match Stage::enter("bench-share") {
        Ok(stage) => stage,
        Err(message) => {
            eprintln!("bench-share: {message}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = stage.runtime.block_on(bench(&stage, &args));
    drop(stage);
    let samples = match outcome {
        Ok(samples) => samples,
        Err(message) => {
            println!("bench-share: FAILED: {message}");
            return ExitCode::FAILURE;
        }
    };
    let ok: Vec<u64> = samples
        .iter()
        .filter_map(|s| s.as_ref().ok())
        .copied()
        .collect();
    let failed = samples.len() - ok.len();
    println!(
        "wall time {:.1} s for {} warm-up + {} measured runs",
        started.elapsed().as_secs_f64(),
        args.warmup,
        args.runs
    );
    let (Some(p50), Some(p95)) = (percentile(&ok, 50), percentile(&ok, 95)) else {
        println!("no successful runs: no numbers");
        return ExitCode::FAILURE;
    };
    if failed > 0 {
        println!("FAILED: {failed} of {} measured runs", samples.len());
    }
    println!("share_ms p50={p50} p95={p95} runs={}", ok.len());
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Every run (warm-ups first, reported and left out); the measured ones' results.
async fn bench(stage: &Stage, args: &Args) -> Result<Vec<Result<u64, String>>, String> {
    let a = stage.browser("a").await?;
    let b = match stage.browser("b").await {
        Ok(b) => b,
        Err(e) => {
            let _ = a.close().await;
            return Err(e);
        }
    };
    let timeouts = TimeoutConfiguration::new(Some(SCRIPT_TIMEOUT), Some(PAGE_TIMEOUT), None);
    let mut samples = Vec::new();
    let mut result = Ok(());
    for client in [&a, &b] {
        if let Err(e) = client.update_timeouts(timeouts.clone()).await {
            result = Err(format!("cannot set WebDriver timeouts: {e}"));
        }
    }
    if result.is_ok() {
        for i in 0..args.warmup + args.runs {
            let sample = one_run(&a, &b, stage.base_url()).await;
            let label = if i < args.warmup {
                format!("warm-up {}", i + 1)
            } else {
                format!("run {}", i + 1 - args.warmup)
            };
            match &sample {
                Ok(ms) => println!("{label}: {ms} ms"),
                Err(e) => println!("{label}: FAILED: {e}"),
            }
            if i >= args.warmup {
                samples.push(sample);
            }
        }
    }
    let _ = a.close().await;
    let _ = b.close().await;
    result.map(|()| samples)
}

/// One share in a fresh room; both leave afterwards.
async fn one_run(a: &Client, b: &Client, base_url: &str) -> Result<u64, String> {
    let room = format!("share-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let result = measure(a, b, base_url, &room).await;
    for client in [b, a] {
        let _ = client.execute(LEAVE_JS, vec![]).await;
        let _ = client.goto("about:blank").await;
    }
    result
}

async fn measure(a: &Client, b: &Client, base_url: &str, room: &str) -> Result<u64, String> {
    join(a, base_url, room, "A").await?;
    join(b, base_url, room, "B").await?;
    wait_for("B to see A's tile", PAGE_TIMEOUT, || async {
        Ok((!tiles(b).await?.is_empty()).then_some(()))
    })
    .await?;
    a.execute(NOTE_CLICK_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    let button = a
        .find(Locator::Css("[data-testid=screen-share-button]"))
        .await
        .map_err(|e| e.to_string())?;
    let (frame, click) = tokio::join!(
        b.execute_async(FIRST_FRAME_JS, vec![json!(IN_PAGE_TIMEOUT_MS)]),
        button.click()
    );
    click.map_err(|e| format!("clicking Share screen: {e}"))?;
    let frame = frame.map_err(|e| e.to_string())?;
    let at = frame["at"]
        .as_f64()
        .ok_or_else(|| format!("B's page: {frame}"))?;
    let clicked = a
        .execute("return window.benchShareClickAt;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    let clicked = clicked.as_f64().ok_or("A's click was not noted")?;
    Ok((at - clicked).max(0.0).round() as u64)
}
