//! The runs: both browsers, warm-ups then measured joins, each in a fresh room, cleaned up after.

use confab_tests::stage::Stage;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::Client;

use crate::args::Args;
use crate::measure::{measure, Sample};
use crate::relay::relayed_in_both;
use crate::{PAGE_TIMEOUT, SCRIPT_TIMEOUT};

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

/// Clicks Leave if the page is in a call (no waiting: after a failure it may not be).
const LEAVE_JS: &str = r#"
const leave = document.querySelector('[data-testid="leave-button"]');
if (leave) leave.click();
return !!leave;
"#;

pub struct Outcome {
    pub warmups: Vec<Result<Sample, String>>,
    pub runs: Vec<Result<Sample, String>>,
}

/// Chromium's fake camera draws 20 frames a second unless told otherwise; webcams (and what
/// `getUserMedia` asks for by default) run at 30. The first frame of a new call can only be sent
/// once the camera has produced one after the connection is up, so the camera's rate is part of
/// what is measured: the webcam's rate is what people have.
const WEBCAM_RATE: &str = "--use-fake-device-for-media-stream=fps=30";

/// With `BENCH_TRACE=<categories>` (e.g. `devtools.timeline,blink.user_timing,webrtc`), the
/// switches that make browser `label` write a Chromium trace of its first 20 s to
/// `/tmp/bench-join-trace-<label>.json` (JSON, for a script or `chrome://tracing`; a run is
/// between the `bench-click` and `bench-frame` marks). Tracing slows the browsers: for where
/// time goes, not for numbers. Nothing otherwise.
fn tracing(label: &str) -> Vec<String> {
    let Ok(categories) = std::env::var("BENCH_TRACE") else {
        return Vec::new();
    };
    vec![
        format!("--trace-startup={categories}"),
        format!("--trace-startup-file=/tmp/bench-join-trace-{label}.json"),
        "--trace-startup-duration=20".into(),
        "--trace-startup-format=json".into(),
    ]
}

/// Starts both browsers, does every run, and closes the browsers whatever happened.
pub async fn bench(stage: &Stage, args: &Args) -> Result<Outcome, String> {
    let base_url = stage.base_url();
    let webcam = vec![WEBCAM_RATE.to_owned()];
    let a = stage
        .browser_with_switches("a", &[webcam.clone(), tracing("a")].concat())
        .await?;
    let b = match stage
        .browser_with_switches("b", &[webcam, tracing("b")].concat())
        .await
    {
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
    // Each run is two new guests (their session cookies go): the worker lets one person ask
    // for relay credentials 20 times a minute, and the same two joining every few seconds
    // were refused from the 21st join on.
    for client in [b, a] {
        let _ = client.execute(LEAVE_JS, vec![]).await;
        let _ = client.delete_all_cookies().await;
        let _ = client.goto("about:blank").await;
    }
    result
}
