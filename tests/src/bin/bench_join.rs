//! `bench-join`: how long joining a call takes, as a person sees it.
//!
//! Two headless Chromium peers on loopback (a private network namespace, the real worker under
//! `wrangler dev`). Per run, in a fresh room: A joins and waits; B opens the room page and types
//! its name; then one script inside B's page clicks Join and waits for the first frame of A's
//! video to be presented in A's tile (`requestVideoFrameCallback`, else `loadeddata`). The time
//! is taken with `performance.now()` in the page, so WebDriver round-trips do not count.
//!
//! With `--relay` the same join goes through a TURN relay: a real coturn in the namespace, the
//! worker configured with it (`TURN_URLS`, `TURN_SECRET`) and `ICE_TRANSPORT_POLICY=relay`, so
//! the app allows relayed candidates only. Each run then also checks with getStats, in both
//! pages, that the selected candidate pair is relay on both ends; a run that is not relayed is
//! a failed run, not a number.
//!
//! Run by `cargo xtask bench join [--runs N] [--relay]` (root is needed for the namespace).
//! Prints one line per run, a summary, and last `join_ms p50=<n> p95=<n> runs=<n>` (with
//! `--relay`: `join_relay_ms ...`; nearest-rank percentiles). Exits non-zero if any run failed.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use confab_tests::coturn::Coturn;
use confab_tests::room_page::{find, join, peer_stats, tiles, wait_for};
use confab_tests::stage::Stage;
use confab_tests::wrangler::Options;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::Client;
use serde::Deserialize;

const DEFAULT_RUNS: usize = 20;
/// Runs before the measured ones, reported but left out of the numbers: the first call in a
/// browser process also pays for one-time set-up (fake capture device, codecs, WebRTC threads).
const DEFAULT_WARMUP: usize = 1;
/// How long the in-page script waits for the first frame before it gives up.
const IN_PAGE_TIMEOUT_MS: u64 = 20_000;
/// WebDriver's own limit for that script: above the in-page one, so the page reports first.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(30);
const PAGE_TIMEOUT: Duration = Duration::from_secs(20);
/// The cross-check: B's stats must show decoded frames from A within this long.
const STATS_TIMEOUT: Duration = Duration::from_secs(5);

const USAGE: &str = "\
usage: bench-join [--runs N] [--warmup N] [--relay]

  --runs N     measured runs (default 20)
  --warmup N   runs before them, excluded from the numbers (default 1)
  --relay      media through a TURN relay only (coturn, ICE_TRANSPORT_POLICY=relay); every
               run must show a relay-to-relay candidate pair in both pages

Measures, for two headless Chromium peers on loopback, the time from the second peer clicking
Join to its first decoded remote video frame. Last line: join_ms p50=<n> p95=<n> runs=<n>
(join_relay_ms with --relay)";

/// The measuring script, run in B's page with `execute_async`. It resolves with the times (ms
/// after the click) of each milestone, or `{error}` after `timeout_ms`.
const MEASURE_JS: &str = r#"
const done = arguments[arguments.length - 1];
const timeoutMs = arguments[0];
const marks = {};
let t0 = 0;
let finished = false;
const since = () => performance.now() - t0;
const seenVideos = new WeakSet();
const seenPeers = new WeakSet();
let observer = null, poll = null, timer = null;

function finish(result) {
  if (finished) return;
  finished = true;
  if (observer) observer.disconnect();
  clearInterval(poll);
  clearTimeout(timer);
  done(result);
}
function frame(method) {
  if (finished) return;
  marks.frame = since();
  marks.method = method;
  scanPeers();
  finish(marks);
}
function watchVideo(video) {
  if (seenVideos.has(video)) return;
  seenVideos.add(video);
  video.addEventListener('loadeddata', () => {
    if (marks.loadeddata === undefined) marks.loadeddata = since();
  });
  if (typeof video.requestVideoFrameCallback === 'function') {
    video.requestVideoFrameCallback(() => frame('requestVideoFrameCallback'));
  } else {
    video.addEventListener('loadeddata', () => frame('loadeddata'));
    if (video.readyState >= 2) frame('readyState');
  }
}
function scan() {
  if (marks.in_call === undefined && document.querySelector('[data-testid="local-video"]')) {
    marks.in_call = since();
  }
  for (const video of document.querySelectorAll('[data-testid="video-tile"] video')) {
    if (marks.tile === undefined) marks.tile = since();
    watchVideo(video);
  }
}
function scanPeers() {
  const peers = window.confabPeers;
  if (!peers) return;
  for (const pc of peers.values()) {
    if (seenPeers.has(pc)) continue;
    seenPeers.add(pc);
    if (marks.peer === undefined) marks.peer = since();
    const check = () => {
      if (pc.connectionState === 'connected' && marks.connected === undefined) {
        marks.connected = since();
      }
    };
    check();
    pc.addEventListener('connectionstatechange', check);
  }
}
function diagnostics() {
  const videos = [...document.querySelectorAll('[data-testid="video-tile"] video')];
  const peers = window.confabPeers ? [...window.confabPeers.values()] : [];
  const text = sel => [...document.querySelectorAll(sel)].map(e => e.textContent.trim()).join(' | ');
  return JSON.stringify({
    marks,
    tiles: videos.length,
    video_ready_state: videos.map(v => v.readyState),
    has_src: videos.map(v => !!v.srcObject),
    peers: peers.map(pc => `${pc.connectionState}/${pc.iceConnectionState}`),
    notices: text('.notice, .ended, .error, .joining'),
  });
}

if (document.querySelector('[data-testid="video-tile"]')) {
  done({ error: 'a video tile is already on the page before joining' });
} else {
  const button = document.querySelector('[data-testid="join-button"]');
  if (!button) {
    done({ error: 'no join button on the page' });
  } else {
    observer = new MutationObserver(() => { scan(); scanPeers(); });
    observer.observe(document.body, { childList: true, subtree: true });
    // Peer connections appear in window.confabPeers without any DOM change: poll for them.
    poll = setInterval(scanPeers, 10);
    timer = setTimeout(() => finish({
      error: `no remote video frame within ${timeoutMs} ms of clicking Join: ${diagnostics()}`,
    }), timeoutMs);
    t0 = performance.now();
    button.click();
    scan();
    scanPeers();
  }
}
"#;

/// After a failed run: what each peer connection of a page sends and receives, to tell a
/// signaling problem from a media one. Resolves with a JSON-able object.
const DIAG_JS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const out = {};
  for (const [id, pc] of (window.confabPeers || new Map())) {
    const report = await pc.getStats();
    const rtp = [];
    report.forEach(r => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') rtp.push({ in: 'video',
        bytes: r.bytesReceived, packets: r.packetsReceived, frames_received: r.framesReceived,
        frames_decoded: r.framesDecoded, keyframes: r.keyFramesDecoded, plis: r.pliCount });
      if (r.type === 'outbound-rtp' && r.kind === 'video') rtp.push({ out: 'video',
        bytes: r.bytesSent, frames_encoded: r.framesEncoded, keyframes: r.keyFramesEncoded,
        plis: r.pliCount, limit: r.qualityLimitationReason });
    });
    const transceivers = pc.getTransceivers().map(t => ({
      mid: t.mid, direction: t.direction, current: t.currentDirection,
      receive: t.receiver.track && `${t.receiver.track.kind}/${t.receiver.track.readyState}/muted=${t.receiver.track.muted}`,
      send: t.sender.track ? `${t.sender.track.kind}/${t.sender.track.readyState}/enabled=${t.sender.track.enabled}` : null,
    }));
    out[id] = { state: pc.connectionState, signaling: pc.signalingState, rtp, transceivers };
  }
  const videos = [...document.querySelectorAll('video')].map(v => ({
    testid: v.dataset.testid || v.closest('[data-testid]')?.dataset.testid,
    ready: v.readyState, paused: v.paused,
    tracks: v.srcObject ? v.srcObject.getTracks().map(t => `${t.kind}/${t.readyState}/muted=${t.muted}`) : null,
  }));
  done({ peers: out, videos, visibility: document.visibilityState });
})().catch(e => done({ error: String(e) }));
"#;

/// The selected candidate pair of every peer connection in a page (getStats: the transport's
/// `selectedCandidatePairId`, else a nominated, succeeded pair), with the types of both ends
/// and the policy the page's peer connection runs with.
const PAIRS_JS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const out = [];
  for (const [peer, pc] of (window.confabPeers || new Map())) {
    const report = await pc.getStats();
    let pair = null;
    report.forEach(r => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = report.get(r.selectedCandidatePairId) || pair;
    });
    if (!pair) report.forEach(r => {
      if (!pair && r.type === 'candidate-pair' && (r.selected || (r.nominated && r.state === 'succeeded'))) pair = r;
    });
    const end = id => {
      const c = id && report.get(id);
      return c ? { candidate_type: c.candidateType, protocol: c.protocol, relay_protocol: c.relayProtocol || null } : null;
    };
    out.push({
      peer,
      policy: pc.getConfiguration().iceTransportPolicy || null,
      state: pair ? pair.state : null,
      local: end(pair && pair.localCandidateId),
      remote: end(pair && pair.remoteCandidateId),
    });
  }
  done(out);
})().catch(e => done([{ peer: '', error: String(e) }]));
"#;

/// Clicks Leave if the page is in a call (no waiting: after a failure it may not be).
const LEAVE_JS: &str = r#"
const leave = document.querySelector('[data-testid="leave-button"]');
if (leave) leave.click();
return !!leave;
"#;

/// What the page measured, in ms after the click.
#[derive(Debug, Clone, Deserialize)]
struct Sample {
    /// The first presented (decoded) frame of A's video in B's page.
    frame: f64,
    /// How the frame was detected.
    method: String,
    /// My preview is on screen (the room answered Welcome).
    in_call: Option<f64>,
    /// The peer connection to A exists.
    peer: Option<f64>,
    /// It reached `connected`.
    connected: Option<f64>,
    /// The `loadeddata` event of A's video.
    loadeddata: Option<f64>,
    /// With `--relay`: the selected pairs seen in A's and B's pages (not from the page script).
    #[serde(skip)]
    relayed: Option<String>,
}

impl Sample {
    fn join_ms(&self) -> u64 {
        self.frame.round().max(0.0) as u64
    }

    fn describe(&self) -> String {
        let ms = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.0}"));
        // `loadeddata` often comes just after the first presented frame, when we have stopped.
        let loadeddata = self
            .loadeddata
            .map(|v| format!(", loadeddata {v:.0} ms"))
            .unwrap_or_default();
        let relayed = self
            .relayed
            .as_ref()
            .map(|pairs| format!("; {pairs}"))
            .unwrap_or_default();
        format!(
            "in-call {} ms, peer connection {} ms, connected {} ms{loadeddata}{relayed}",
            ms(self.in_call),
            ms(self.peer),
            ms(self.connected),
        )
    }
}

/// One end of a selected candidate pair.
#[derive(Debug, Clone, Deserialize)]
struct PairEnd {
    candidate_type: Option<String>,
    protocol: Option<String>,
    relay_protocol: Option<String>,
}

/// A page's selected candidate pair to one peer ([`PAIRS_JS`]).
#[derive(Debug, Clone, Deserialize)]
struct SelectedPair {
    peer: String,
    policy: Option<String>,
    state: Option<String>,
    local: Option<PairEnd>,
    remote: Option<PairEnd>,
    error: Option<String>,
}

/// What a page's pairs say about relaying: `Ok(Some(description))` relay on both ends of every
/// pair under the relay policy, `Ok(None)` no pair selected yet, `Err` anything else (a direct
/// pair is a failure, not a wait).
fn relayed(pairs: &[SelectedPair]) -> Result<Option<String>, String> {
    if pairs.is_empty() {
        return Err("no peer connection on the page".into());
    }
    for pair in pairs {
        if let Some(error) = &pair.error {
            return Err(format!("getStats failed: {error}"));
        }
        if pair.policy.as_deref() != Some("relay") {
            return Err(format!(
                "the peer connection to {} runs with iceTransportPolicy {:?}, not relay",
                pair.peer, pair.policy
            ));
        }
        let (Some(local), Some(remote)) = (&pair.local, &pair.remote) else {
            return Ok(None);
        };
        let kind = |end: &PairEnd| end.candidate_type.clone().unwrap_or_default();
        if kind(local) != "relay" || kind(remote) != "relay" {
            return Err(format!(
                "the selected pair to {} is {} ↔ {}, not relay ↔ relay: {pair:?}",
                pair.peer,
                kind(local),
                kind(remote)
            ));
        }
    }
    let end = |end: &PairEnd| {
        let protocol = end.protocol.as_deref().unwrap_or("?");
        match &end.relay_protocol {
            Some(to_relay) => format!("relay({protocol}, {to_relay} to the relay)"),
            None => format!("relay({protocol})"),
        }
    };
    let described: Vec<String> = pairs
        .iter()
        .filter_map(|p| {
            let (local, remote) = (p.local.as_ref()?, p.remote.as_ref()?);
            let state = p.state.as_deref().unwrap_or("?");
            Some(format!("{} ↔ {} {state}", end(local), end(remote)))
        })
        .collect();
    Ok(Some(described.join("; ")))
}

#[derive(Debug, PartialEq, Eq)]
struct Args {
    runs: usize,
    warmup: usize,
    relay: bool,
    help: bool,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        runs: DEFAULT_RUNS,
        warmup: DEFAULT_WARMUP,
        relay: false,
        help: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        match flag.as_str() {
            "--runs" | "--warmup" => {
                let value = inline
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a number"))?;
                let n: usize = value
                    .parse()
                    .map_err(|_| format!("{flag}: `{value}` is not a number"))?;
                if flag == "--runs" {
                    if n == 0 {
                        return Err("--runs must be at least 1".into());
                    }
                    parsed.runs = n;
                } else {
                    parsed.warmup = n;
                }
            }
            "--relay" if inline.is_none() => parsed.relay = true,
            "-h" | "--help" => parsed.help = true,
            _ => return Err(format!("unknown argument `{arg}`")),
        }
    }
    Ok(parsed)
}

/// Nearest-rank percentile: the smallest sample with at least `p` percent of the samples at or
/// below it. `p` in 1..=100; `None` for no samples.
fn percentile(samples: &[u64], p: u32) -> Option<u64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let rank = (p.clamp(1, 100) as usize * n).div_ceil(100);
    Some(sorted[rank.clamp(1, n) - 1])
}

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
    } else {
        Stage::enter("bench-join").map(|stage| (stage, None))
    };
    let (stage, coturn) = match entered {
        Ok(entered) => entered,
        Err(message) => {
            eprintln!("bench-join: {message}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "bench-join: worker{} and chromedriver up in {:.1} s",
        if coturn.is_some() { ", coturn" } else { "" },
        started.elapsed().as_secs_f64()
    );
    let outcome = stage.runtime.block_on(bench(&stage, &args));
    // Browsers are closed by now; stop chromedriver, then the worker, then leave the namespace;
    // coturn last (it lives in the namespace, and nothing uses it any more).
    drop(stage);
    drop(coturn);
    report(outcome, &args, started.elapsed())
}

/// Inside the bench's namespace: a real coturn on loopback, and the worker minting credentials
/// for it with the relay-only policy.
fn relay_setup(scratch: &std::path::Path) -> Result<(Options, Option<Coturn>), String> {
    let coturn = Coturn::start(&scratch.join("coturn"))?;
    let options = Options {
        vars: vec![
            ("TURN_URLS".into(), coturn.url()),
            ("TURN_SECRET".into(), coturn.secret().to_owned()),
            ("ICE_TRANSPORT_POLICY".into(), "relay".into()),
        ],
        ..Options::default()
    };
    Ok((options, Some(coturn)))
}

struct Outcome {
    warmups: Vec<Result<Sample, String>>,
    runs: Vec<Result<Sample, String>>,
}

/// Starts both browsers, does every run, and closes the browsers whatever happened.
async fn bench(stage: &Stage, args: &Args) -> Result<Outcome, String> {
    let base_url = stage.base_url();
    let a = stage.browser("a").await?;
    let b = match stage.browser("b").await {
        Ok(b) => b,
        Err(e) => {
            let _ = a.close().await;
            return Err(e);
        }
    };
    let result = all_runs(&a, &b, base_url, args).await;
    let _ = a.close().await;
    let _ = b.close().await;
    result
}

async fn all_runs(a: &Client, b: &Client, base_url: &str, args: &Args) -> Result<Outcome, String> {
    let timeouts = TimeoutConfiguration::new(Some(SCRIPT_TIMEOUT), Some(PAGE_TIMEOUT), None);
    for client in [a, b] {
        client
            .update_timeouts(timeouts.clone())
            .await
            .map_err(|e| format!("cannot set WebDriver timeouts: {e}"))?;
    }
    let mut outcome = Outcome {
        warmups: Vec::new(),
        runs: Vec::new(),
    };
    for i in 1..=args.warmup {
        let result = one_run(a, b, base_url, args.relay).await;
        match &result {
            Ok(sample) => println!(
                "warm-up {i}: {} ms (excluded; {})",
                sample.join_ms(),
                sample.describe()
            ),
            Err(e) => println!("warm-up {i}: FAILED (excluded): {e}"),
        }
        outcome.warmups.push(result);
    }
    for i in 1..=args.runs {
        let result = one_run(a, b, base_url, args.relay).await;
        match &result {
            Ok(sample) => println!("run {i}: {} ms ({})", sample.join_ms(), sample.describe()),
            Err(e) => println!("run {i}: FAILED: {e}"),
        }
        outcome.runs.push(result);
    }
    Ok(outcome)
}

/// One measured join in a fresh room. Afterwards both people leave the call and their pages
/// go to `about:blank`, so nothing of this run is still up (or using CPU) in the next one.
async fn one_run(a: &Client, b: &Client, base_url: &str, relay: bool) -> Result<Sample, String> {
    let room = format!("bench-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let mut result = measure(a, b, base_url, &room).await;
    if relay {
        if let Ok(sample) = &mut result {
            match relayed_in_both(a, b).await {
                Ok(pairs) => sample.relayed = Some(pairs),
                Err(error) => result = Err(format!("not relayed: {error}")),
            }
        }
    }
    if let Err(error) = &mut result {
        for (who, client) in [("A", a), ("B", b)] {
            let state = client
                .execute_async(DIAG_JS, vec![])
                .await
                .map_or_else(|e| format!("(no diagnostics: {e})"), |v| v.to_string());
            error.push_str(&format!("\n    {who}: {state}"));
        }
    }
    // Leave the way a person does (the app stops camera and mic, closes the peer connections
    // and the socket), then leave the page. Going straight to about:blank from a call broke
    // Chromium's fake camera here: from the fourth call on, A's new camera stream delivered
    // no frames (sender live, framesEncoded 0) and every run timed out.
    for client in [b, a] {
        let _ = client.execute(LEAVE_JS, vec![]).await;
        let _ = client.goto("about:blank").await;
    }
    result
}

/// Both pages' selected pairs are relay ↔ relay (waiting, up to [`STATS_TIMEOUT`], only for a
/// pair to be selected); returns what they are.
async fn relayed_in_both(a: &Client, b: &Client) -> Result<String, String> {
    let mut seen = Vec::new();
    for (who, client) in [("A", a), ("B", b)] {
        let what = format!("{who}'s selected candidate pair");
        let pairs = wait_for(&what, STATS_TIMEOUT, || async {
            let value = client
                .execute_async(PAIRS_JS, vec![])
                .await
                .map_err(|e| format!("(stats script failed: {e})"))?;
            let pairs: Vec<SelectedPair> = serde_json::from_value(value.clone())
                .map_err(|e| format!("(unexpected stats {value}: {e})"))?;
            match relayed(&pairs) {
                Ok(Some(pairs)) => Ok(Some(Ok(pairs))),
                Ok(None) => Err(format!("(no pair selected yet: {pairs:?})")),
                // Not worth waiting for: a direct pair stays direct.
                Err(error) => Ok(Some(Err(format!("{who}: {error}")))),
            }
        })
        .await??;
        seen.push(format!("{who} {pairs}"));
    }
    Ok(seen.join(", "))
}

async fn measure(a: &Client, b: &Client, base_url: &str, room: &str) -> Result<Sample, String> {
    // A is in the room (its preview shows only after the room's Welcome) before B arrives.
    join(a, base_url, room, "Ana")
        .await
        .map_err(|e| format!("A could not join: {e}"))?;
    b.goto(&format!("{base_url}/r/{room}"))
        .await
        .map_err(|e| format!("B could not open the room page: {e}"))?;
    let input = find(b, "name-input", PAGE_TIMEOUT).await?;
    // The page remembers the last name used; replace it.
    input.clear().await.map_err(|e| e.to_string())?;
    input.send_keys("Ben").await.map_err(|e| e.to_string())?;
    find(b, "join-button", PAGE_TIMEOUT).await?;

    let value = b
        .execute_async(MEASURE_JS, vec![IN_PAGE_TIMEOUT_MS.into()])
        .await
        .map_err(|e| format!("measuring script failed: {e}"))?;
    if let Some(error) = value.get("error") {
        return Err(error.as_str().unwrap_or_default().to_owned());
    }
    let sample: Sample = serde_json::from_value(value.clone())
        .map_err(|e| format!("unexpected result {value}: {e}"))?;

    // Cross-check with WebRTC stats: a presented frame must mean decoded frames from A.
    let ana = tiles(b)
        .await?
        .into_iter()
        .find(|t| t.name == "Ana")
        .ok_or("B shows no tile for Ana")?
        .peer_id;
    wait_for(
        "B's stats to show frames decoded from A",
        STATS_TIMEOUT,
        || async {
            let stats = peer_stats(b).await?;
            match stats.get(&ana) {
                Some(s) if s.frames_decoded > 0 => Ok(Some(())),
                other => Err(format!("(last stats for A: {other:?})")),
            }
        },
    )
    .await?;
    Ok(sample)
}

fn report(outcome: Result<Outcome, String>, args: &Args, wall: Duration) -> ExitCode {
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => {
            println!("bench-join: FAILED before measuring: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ok: Vec<&Sample> = outcome
        .runs
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .collect();
    let failed = outcome.runs.len() - ok.len();
    let warm_failed = outcome.warmups.iter().filter(|r| r.is_err()).count();
    let join: Vec<u64> = ok.iter().map(|s| s.join_ms()).collect();
    println!(
        "wall time {:.1} s for {} warm-up + {} measured runs ({} warm-up run(s) excluded from the numbers)",
        wall.as_secs_f64(),
        args.warmup,
        args.runs,
        args.warmup
    );
    if failed > 0 || warm_failed > 0 {
        println!(
            "FAILED: {failed} of {} measured runs, {warm_failed} of {} warm-up runs",
            outcome.runs.len(),
            outcome.warmups.len()
        );
    }
    let (Some(p50), Some(p95)) = (percentile(&join, 50), percentile(&join, 95)) else {
        println!("no successful runs: no numbers");
        return ExitCode::FAILURE;
    };
    let mean = join.iter().sum::<u64>() as f64 / join.len() as f64;
    let (min, max) = (join.iter().copied().min(), join.iter().copied().max());
    let metric = if args.relay {
        "join_relay_ms"
    } else {
        "join_ms"
    };
    println!(
        "{metric} min={} mean={mean:.0} max={} (click → first presented remote frame, measured in the page)",
        min.unwrap_or_default(),
        max.unwrap_or_default()
    );
    let median_of = |pick: fn(&Sample) -> Option<f64>| {
        let values: Vec<u64> = ok
            .iter()
            .filter_map(|s| pick(s))
            .map(|v| v.round().max(0.0) as u64)
            .collect();
        percentile(&values, 50).map_or("-".to_owned(), |v| v.to_string())
    };
    println!(
        "median milestones after the click: in-call {} ms, peer connected {} ms, first frame {p50} ms",
        median_of(|s| s.in_call),
        median_of(|s| s.connected),
    );
    let mut methods: Vec<&str> = ok.iter().map(|s| s.method.as_str()).collect();
    methods.sort_unstable();
    methods.dedup();
    println!("frame detected by: {}", methods.join(", "));
    println!("{metric} p50={p50} p95={p95} runs={}", join.len());
    if failed > 0 || warm_failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let twenty: Vec<u64> = (1..=20).rev().collect();
        assert_eq!(percentile(&twenty, 50), Some(10));
        assert_eq!(percentile(&twenty, 95), Some(19));
        assert_eq!(percentile(&twenty, 100), Some(20));
        assert_eq!(percentile(&twenty, 1), Some(1));
        let five = [500, 100, 400, 200, 300];
        assert_eq!(percentile(&five, 50), Some(300));
        assert_eq!(percentile(&five, 95), Some(500));
        assert_eq!(percentile(&[7], 50), Some(7));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[2, 1], 50), Some(1));
        assert_eq!(percentile(&[], 50), None);
    }

    fn pair(policy: &str, local: Option<&str>, remote: Option<&str>) -> SelectedPair {
        let end = |kind: Option<&str>| {
            kind.map(|kind| PairEnd {
                candidate_type: Some(kind.into()),
                protocol: Some("udp".into()),
                relay_protocol: (kind == "relay").then(|| "udp".into()),
            })
        };
        SelectedPair {
            peer: "p1".into(),
            policy: Some(policy.into()),
            state: Some("succeeded".into()),
            local: end(local),
            remote: end(remote),
            error: None,
        }
    }

    #[test]
    fn only_relay_to_relay_pairs_under_the_relay_policy_count_as_relayed() {
        let both = relayed(&[pair("relay", Some("relay"), Some("relay"))]).unwrap();
        assert_eq!(
            both.as_deref(),
            Some("relay(udp, udp to the relay) ↔ relay(udp, udp to the relay) succeeded")
        );
        // Not selected yet: wait.
        assert_eq!(relayed(&[pair("relay", None, None)]), Ok(None));
        // Anything direct is a failed run at once.
        for (local, remote) in [("host", "relay"), ("relay", "srflx"), ("host", "host")] {
            let error = relayed(&[pair("relay", Some(local), Some(remote))]).unwrap_err();
            assert!(error.contains("not relay ↔ relay"), "{error}");
        }
        // The app must have set the policy, whatever the pair.
        assert!(relayed(&[pair("all", Some("relay"), Some("relay"))]).is_err());
        assert!(relayed(&[]).is_err());
        let mut failed = pair("relay", None, None);
        failed.error = Some("boom".into());
        assert!(relayed(&[failed]).is_err());
    }

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn arguments() {
        let default = parse_args(strings(&[])).unwrap();
        assert_eq!(
            (default.runs, default.warmup, default.relay),
            (20, 1, false)
        );
        let a = parse_args(strings(&["--runs", "5", "--warmup=0", "--relay"])).unwrap();
        assert_eq!((a.runs, a.warmup, a.relay), (5, 0, true));
        assert_eq!(parse_args(strings(&["--runs=7"])).unwrap().runs, 7);
        assert!(parse_args(strings(&["--runs"])).is_err());
        assert!(parse_args(strings(&["--runs", "0"])).is_err());
        assert!(parse_args(strings(&["--runs", "x"])).is_err());
        assert!(parse_args(strings(&["--fast"])).is_err());
    }
}
