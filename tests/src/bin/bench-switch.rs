//! `bench-switch`: what people in a call see while their room moves from the mesh to the SFU.
//!
//! Five headless Chromium pages in a private network namespace, the real worker under
//! `wrangler dev` in `MEDIA_MODE=auto` and the local SFU stand-in (started ahead of the
//! browsers, as the tests do). Per run, in a fresh room: four join and play each other on the
//! mesh; then the fifth joins, which moves the room to the SFU. In each of the four pages a
//! watcher (every 10 ms, `performance.now()`) notes the longest any camera tile went without a
//! new frame from the page's switch until all its tiles show the SFU's media (`freeze`, what a
//! person sees), and that handover's length; it also times each call the page made to the
//! worker's SFU door, so a slow move shows where its time went.
//!
//! Run by `cargo xtask bench switch [--runs N] [--warmup N]` (root is needed for the
//! namespace). Prints one line per page per run, then `switch_freeze_ms p50=<n> p95=<n>
//! max=<n> pages=<n>` and `switch_handover_ms ...` over every measured page (nearest rank).
//! Exits non-zero if any run failed.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use confab_tests::bench_args::{self, RunsAndWarmup};
use confab_tests::fake_camera::FakeCamera;
use confab_tests::local_sfu::LocalSfu;
use confab_tests::percentile::percentile;
use confab_tests::room_page::{
    join, switch_time, tiles, unique, wait_for, wait_live_media_from, watch_switch, with_browsers,
    Switch,
};
use confab_tests::stage::Stage;
use fantoccini::Client;

const USAGE: &str = "\
usage: bench-switch [--runs N] [--warmup N]

  --runs N     measured runs (default 5)
  --warmup N   runs before them, excluded from the numbers (default 1)

Measures, for four headless Chromium pages in a mesh call that a fifth person moves to the
(local) SFU, how long each page's tiles froze and how long its move took.
Last lines: switch_freeze_ms p50=<n> p95=<n> max=<n> pages=<n>, then switch_handover_ms ...";

const NAMES: [&str; 5] = ["Ana", "Ben", "Cho", "Dev", "Eli"];
const MEDIA_TIMEOUT: Duration = Duration::from_secs(60);

const LEAVE_JS: &str = r#"
const leave = document.querySelector('[data-testid="leave-button"]');
if (leave) leave.click();
"#;

type Args = RunsAndWarmup;

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    bench_args::runs_and_warmup(args, RunsAndWarmup { runs: 5, warmup: 1 })
}

fn main() -> ExitCode {
    let args =
        match bench_args::or_exit("bench-switch", USAGE, parse_args(std::env::args().skip(1))) {
            Ok(args) => args,
            Err(end) => return end,
        };
    let started = Instant::now();
    // Before any thread starts: threads and children inherit the namespace.
    let env = match LocalSfu::stage("bench-switch") {
        Ok(env) => env,
        Err(message) => {
            eprintln!("bench-switch: {message}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = env.stage.runtime.block_on(bench(&env.stage, &args));
    drop(env);
    let runs = match outcome {
        Ok(runs) => runs,
        Err(message) => {
            println!("bench-switch: FAILED: {message}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "wall time {:.1} s for {} warm-up + {} measured runs",
        started.elapsed().as_secs_f64(),
        args.warmup,
        args.runs
    );
    let pages: Vec<&Switch> = runs.iter().flatten().flatten().collect();
    let failed = runs.iter().filter(|r| r.is_err()).count();
    let ms = |of: fn(&Switch) -> Duration| -> Vec<u64> {
        pages.iter().map(|s| of(s).as_millis() as u64).collect()
    };
    let freezes = ms(|s| s.freeze);
    let handovers = ms(|s| s.handover);
    if failed > 0 {
        println!("FAILED: {failed} of {} measured runs", runs.len());
    }
    for (name, samples) in [
        ("switch_freeze_ms", freezes),
        ("switch_handover_ms", handovers),
    ] {
        let (Some(p50), Some(p95), Some(max)) = (
            percentile(&samples, 50),
            percentile(&samples, 95),
            percentile(&samples, 100),
        ) else {
            println!("no successful runs: no numbers");
            return ExitCode::FAILURE;
        };
        println!(
            "{name} p50={p50} p95={p95} max={max} pages={}",
            samples.len()
        );
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Every run (warm-ups first, reported and left out); the measured ones' pages.
async fn bench(stage: &Stage, args: &Args) -> Result<Vec<Result<Vec<Switch>, String>>, String> {
    let browsers = stage.crowd(&NAMES, FakeCamera::small).await?;
    let mut runs = Vec::new();
    with_browsers(browsers, async |b: &[Client]| {
        for i in 0..args.warmup + args.runs {
            let label = if i < args.warmup {
                format!("warm-up {}", i + 1)
            } else {
                format!("run {}", i + 1 - args.warmup)
            };
            let run = one_run(b, stage.base_url()).await;
            match &run {
                Ok(pages) => {
                    for (page, name) in pages.iter().zip(NAMES) {
                        let calls: Vec<_> = page.calls.iter().map(|c| c.brief()).collect();
                        println!(
                            "{label} {name}: freeze {} ms, handover {} ms; calls: {}",
                            page.freeze.as_millis(),
                            page.handover.as_millis(),
                            calls.join(", ")
                        );
                    }
                }
                Err(e) => println!("{label}: FAILED: {e}"),
            }
            if i >= args.warmup {
                runs.push(run);
            }
        }
        Ok(())
    })
    .await?;
    Ok(runs)
}

/// One move in a fresh room; everyone leaves afterwards.
async fn one_run(b: &[Client], base_url: &str) -> Result<Vec<Switch>, String> {
    let room = unique("bench-switch");
    let result = measure(b, base_url, &room).await;
    for client in b.iter().rev() {
        let _ = client.execute(LEAVE_JS, vec![]).await;
        let _ = client.goto("about:blank").await;
    }
    result
}

async fn measure(b: &[Client], base_url: &str, room: &str) -> Result<Vec<Switch>, String> {
    for (client, name) in b.iter().zip(NAMES).take(4) {
        join(client, base_url, room, name).await?;
    }
    for client in &b[..4] {
        let peers =
            wait_for("3 remote tiles", MEDIA_TIMEOUT, || async {
                let tiles = tiles(client).await?;
                Ok((tiles.len() == 3)
                    .then(|| tiles.into_iter().map(|t| t.peer_id).collect::<Vec<_>>()))
            })
            .await?;
        wait_live_media_from(client, &peers, MEDIA_TIMEOUT).await?;
    }
    for client in &b[..4] {
        watch_switch(client, 4).await?;
    }
    join(&b[4], base_url, room, NAMES[4]).await?;
    let mut pages = Vec::new();
    for client in &b[..4] {
        pages.push(switch_time(client, MEDIA_TIMEOUT).await?);
    }
    Ok(pages)
}
