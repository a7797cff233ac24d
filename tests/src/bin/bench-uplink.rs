//! `bench-uplink`: how much video each browser sends as a room grows, on the mesh and on the SFU.
//!
//! Headless Chromium pages with small synthetic cameras (160×120, 15 frames a second: eight
//! browsers encoding seven copies each must fit two cores) in a private network namespace, the
//! real worker under `wrangler dev`. For each room size N (2, 4, 6, 8 by default), N of them
//! join a fresh room; once every page plays everyone else, the bitrate ramps for
//! `--warmup` seconds, then each page's sent video (`bytesSent` of every `outbound-rtp` video
//! stream on all its peer connections) is read twice, `--seconds` apart. On the mesh a browser
//! sends one copy per other person, so its uplink grows with N−1; on the SFU it sends one copy
//! whatever N is.
//!
//! With `--mode sfu` the worker sends every room through the local SFU stand-in
//! (`MEDIA_MODE=sfu`), and the stand-in's CPU time over the same window is divided by the
//! streams it forwards (each of N people's camera and microphone to N−1 others).
//!
//! Run by `cargo xtask bench uplink` (both modes, one after the other; root is needed for the
//! namespace). Prints a line per room size and last
//! `uplink_kbps mode=<mode> n2=<median> n4=… n6=… n8=…` (the median browser's video uplink;
//! `failed` for a size whose pages did not all play everyone within a minute).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use confab_tests::bench_args;
use confab_tests::fake_camera::FakeCamera;
use confab_tests::local_sfu::LocalSfu;
use confab_tests::room_page::{
    join_at_once, tiles, unique, wait_for, wait_live_media_from, wait_sfu_media_from, with_browsers,
};
use confab_tests::stage::Stage;
use confab_tests::wrangler::Options;
use fantoccini::Client;

const USAGE: &str = "\
usage: bench-uplink --mode mesh|sfu [--sizes 2,4,6,8] [--warmup S] [--seconds S]

  --mode      mesh: every browser sends to every other; sfu: through the local SFU
  --sizes     room sizes, each at most 8 (default 2,4,6,8)
  --warmup S  seconds for the bitrate to ramp once media plays (default 8)
  --seconds S measured window (default 10)

Last line: uplink_kbps mode=<mode> n<N>=<median browser's sent video, kbit/s, or failed> ...";

const MEDIA_TIMEOUT: Duration = Duration::from_secs(60);
const NAMES: [&str; 8] = ["A", "B", "C", "D", "E", "F", "G", "H"];

/// Bytes of video sent so far on all of the page's peer connections, and how many of its
/// outgoing video streams the encoder limits (by `cpu` or `bandwidth`).
const SENT_JS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  let bytes = 0, streams = 0, limited = 0;
  for (const pc of (window.confabPeers || new Map()).values()) {
    (await pc.getStats()).forEach(r => {
      if (r.type !== 'outbound-rtp' || r.kind !== 'video') return;
      bytes += r.bytesSent || 0;
      streams += 1;
      if (r.qualityLimitationReason && r.qualityLimitationReason !== 'none') limited += 1;
    });
  }
  done({ bytes, streams, limited, at: performance.now() });
})().catch(e => done({ error: String(e) }));
"#;

const LEAVE_JS: &str = r#"
const leave = document.querySelector('[data-testid="leave-button"]');
if (leave) leave.click();
"#;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Mesh,
    Sfu,
}

struct Args {
    mode: Mode,
    sizes: Vec<usize>,
    warmup: u64,
    seconds: u64,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut mode = None;
    let mut parsed = Args {
        mode: Mode::Mesh,
        sizes: vec![2, 4, 6, 8],
        warmup: 8,
        seconds: 10,
    };
    while let Some(flag) = args.next() {
        if matches!(flag.as_str(), "-h" | "--help") {
            return Ok(None);
        }
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: `{v}` is not a number"))
        };
        match flag.as_str() {
            "--mode" => {
                mode = Some(match value.as_str() {
                    "mesh" => Mode::Mesh,
                    "sfu" => Mode::Sfu,
                    other => return Err(format!("--mode: `{other}` is neither mesh nor sfu")),
                })
            }
            "--sizes" => {
                parsed.sizes = value
                    .split(',')
                    .map(|n| number(n).map(|n| n as usize))
                    .collect::<Result<_, _>>()?
            }
            "--warmup" => parsed.warmup = number(&value)?,
            "--seconds" => parsed.seconds = number(&value)?,
            _ => return Err(format!("unknown argument `{flag}`")),
        }
    }
    parsed.mode = mode.ok_or("--mode is required")?;
    if parsed.sizes.iter().any(|n| !(2..=NAMES.len()).contains(n)) || parsed.seconds == 0 {
        return Err("sizes go from 2 to 8 and --seconds is at least 1".into());
    }
    Ok(Some(parsed))
}

fn main() -> ExitCode {
    let args =
        match bench_args::or_exit("bench-uplink", USAGE, parse_args(std::env::args().skip(1))) {
            Ok(args) => args,
            Err(end) => return end,
        };
    let started = Instant::now();
    // Before any thread starts: threads and children inherit the namespace.
    let entered = Stage::enter_with("bench-uplink", |scratch| {
        if args.mode == Mode::Mesh {
            return Ok((Options::default(), None));
        }
        let sfu = LocalSfu::start("127.0.0.1", &scratch.join("local-sfu.log"))?;
        let mut vars = sfu.worker_vars();
        vars.push(("MEDIA_MODE".into(), "sfu".into()));
        Ok((
            Options {
                vars,
                ..Options::default()
            },
            Some(sfu),
        ))
    });
    let (stage, sfu) = match entered {
        Ok(entered) => entered,
        Err(message) => {
            eprintln!("bench-uplink: {message}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = stage.runtime.block_on(bench(&stage, sfu.as_ref(), &args));
    drop(stage);
    drop(sfu);
    let mode = if args.mode == Mode::Sfu {
        "sfu"
    } else {
        "mesh"
    };
    println!("wall time {:.1} s", started.elapsed().as_secs_f64());
    match outcome {
        Ok(medians) => {
            let line: Vec<String> = medians
                .iter()
                .map(|(n, kbps)| match kbps {
                    Some(kbps) => format!("n{n}={kbps:.0}"),
                    None => format!("n{n}=failed"),
                })
                .collect();
            println!("uplink_kbps mode={mode} {}", line.join(" "));
            if medians.iter().all(|(_, kbps)| kbps.is_some()) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(message) => {
            println!("bench-uplink: FAILED: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Every room size in turn with the same browsers; each size's median browser uplink.
async fn bench(
    stage: &Stage,
    sfu: Option<&LocalSfu>,
    args: &Args,
) -> Result<Vec<(usize, Option<f64>)>, String> {
    let largest = args.sizes.iter().copied().max().unwrap_or(2);
    let browsers = stage.crowd(&NAMES[..largest], FakeCamera::small).await?;
    let mut medians = Vec::new();
    with_browsers(browsers, async |b: &[Client]| {
        for &n in &args.sizes {
            let result = one_size(stage, sfu, args, &b[..n]).await;
            for client in &b[..n] {
                let _ = client.execute(LEAVE_JS, vec![]).await;
                let _ = client.goto("about:blank").await;
            }
            // A size the machine cannot carry (eight on the mesh is 56 encoders on two cores)
            // is told as such, and the others are still measured.
            if let Err(why) = &result {
                println!("n={n}: no measure: {why}");
            }
            medians.push((n, result.ok()));
        }
        Ok(())
    })
    .await?;
    Ok(medians)
}

/// One room of `b.len()` people: everyone's sent video over the window; the median.
async fn one_size(
    stage: &Stage,
    sfu: Option<&LocalSfu>,
    args: &Args,
    b: &[Client],
) -> Result<f64, String> {
    let n = b.len();
    let room = unique("uplink");
    join_at_once(b, stage.base_url(), &room, &NAMES[..n]).await?;
    // Every page at once too: checked one after the other, the last waited for all the rest.
    let plays = b.iter().map(|client| async move {
        let peers = wait_for("everyone's tile", MEDIA_TIMEOUT, || async {
            let shown: Vec<String> = tiles(client)
                .await?
                .into_iter()
                .map(|t| t.peer_id)
                .collect();
            Ok((shown.len() == n - 1).then_some(shown))
        })
        .await?;
        match sfu {
            Some(_) => wait_sfu_media_from(client, &peers, MEDIA_TIMEOUT).await,
            None => wait_live_media_from(client, &peers, MEDIA_TIMEOUT).await,
        }
    });
    for (played, name) in futures_util::future::join_all(plays)
        .await
        .into_iter()
        .zip(NAMES)
    {
        played.map_err(|e| format!("{name}: {e}"))?;
    }
    // The measurement's own design: the encoders ramp up from their start bitrate first.
    tokio::time::sleep(Duration::from_secs(args.warmup)).await;
    let cpu_from = Instant::now();
    let cpu_before = sfu.map(LocalSfu::cpu_seconds).transpose()?;
    let before = sent_all(b).await?;
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    let after = sent_all(b).await?;
    let cpu_after = sfu.map(LocalSfu::cpu_seconds).transpose()?;
    let cpu_window = cpu_from.elapsed().as_secs_f64();
    let mut kbps: Vec<f64> = before
        .iter()
        .zip(&after)
        .map(|(x, y)| (y.bytes - x.bytes) * 8.0 / (y.at - x.at))
        .collect();
    let streams: f64 = after.iter().map(|s| s.streams).sum();
    let limited: f64 = after.iter().map(|s| s.limited).sum();
    kbps.sort_by(f64::total_cmp);
    let median = kbps[kbps.len() / 2];
    let shown: Vec<String> = kbps.iter().map(|k| format!("{k:.0}")).collect();
    println!(
        "n={n}: video uplink per browser median {median:.0} kbit/s (all: {}); {streams} video \
         streams sent, {limited} limited by cpu or bandwidth",
        shown.join(" ")
    );
    if let (Some(x), Some(y)) = (cpu_before, cpu_after) {
        // Each person's camera and microphone, to each of the others.
        let forwarded = (n * (n - 1) * 2) as f64;
        let per_second = (y - x) / cpu_window;
        println!(
            "n={n}: local SFU cpu {:.1} ms/s for {forwarded} forwarded streams: {:.2} ms/s per stream",
            per_second * 1000.0,
            per_second * 1000.0 / forwarded
        );
    }
    Ok(median)
}

struct Sent {
    bytes: f64,
    streams: f64,
    limited: f64,
    /// `performance.now()` in ms: bytes×8/ms is kbit/s.
    at: f64,
}

async fn sent_all(b: &[Client]) -> Result<Vec<Sent>, String> {
    let mut all = Vec::new();
    for client in b {
        let v = client
            .execute_async(SENT_JS, vec![])
            .await
            .map_err(|e| e.to_string())?;
        if let Some(error) = v.get("error") {
            return Err(format!("the page's stats failed: {error}"));
        }
        let field = |name: &str| v[name].as_f64().ok_or(format!("no {name} in {v}"));
        all.push(Sent {
            bytes: field("bytes")?,
            streams: field("streams")?,
            limited: field("limited")?,
            at: field("at")?,
        });
    }
    Ok(all)
}
