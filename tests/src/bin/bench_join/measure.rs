//! One join, measured in B's page: the in-page script, what it reports, and the stats cross-check.

use confab_tests::room_page::{find, join, peer_stats, tiles, wait_for};
use fantoccini::Client;
use serde::Deserialize;

use crate::{IN_PAGE_TIMEOUT_MS, PAGE_TIMEOUT, STATS_TIMEOUT};

/// The measuring script, run in B's page with `execute_async`. It resolves with the times (ms
/// after the click) of each milestone, or `{error}` after `timeout_ms`.
const MEASURE_JS: &str = r#"
const done = arguments[arguments.length - 1];
const timeoutMs = arguments[0];
const probeBusy = arguments[1];
const marks = {};
let t0 = 0;
let finished = false;
const since = () => performance.now() - t0;
const seenVideos = new WeakSet();
const seenPeers = new WeakSet();
let observer = null, poll = null, timer = null;

// Where B's main thread was busy: gaps over 8 ms in a message loop, as [start, length]. Only
// with BENCH_BUSY=1: the loop keeps a core busy, which the join then lacks on two cores.
const busy = [];
let lastTick = 0;
const channel = new MessageChannel();
channel.port1.onmessage = () => {
  const now = since();
  if (lastTick && now - lastTick > 8) busy.push([Math.round(lastTick), Math.round(now - lastTick)]);
  lastTick = now;
  if (!finished) channel.port2.postMessage(0);
};
function finish(result) {
  if (finished) return;
  finished = true;
  result.busy = JSON.stringify(busy);
  if (observer) observer.disconnect();
  clearInterval(poll);
  clearTimeout(timer);
  done(result);
}
function frame(method) {
  if (finished) return;
  marks.frame = since();
  marks.method = method;
  performance.mark('bench-frame');
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
    // The app publishes its room socket as `window.confabSocket`: one opened ahead is there
    // already; one made at the click is caught as it is set.
    const mark = name => { if (marks[name] === undefined) marks[name] = since(); };
    const watchSocket = ws => {
      ws.addEventListener('open', () => mark('socket_open'));
      ws.addEventListener('message', event => {
        if (String(event.data).includes('"welcome"')) mark('welcome_in');
        mark('welcome');
        if (String(event.data).includes('"offer"')) mark('offer_in');
        if (String(event.data).includes('"answer"')) mark('answer_in');
      });
      const send = ws.send.bind(ws);
      ws.send = data => {
        if (String(data).includes('"offer"')) mark('offer_out');
        if (String(data).includes('"answer"')) mark('answer_out');
        if (String(data).includes('"join"')) mark('join_out');
        return send(data);
      };
    };
    let socket = window.confabSocket;
    if (socket) watchSocket(socket);
    Object.defineProperty(window, 'confabSocket', {
      configurable: true,
      get: () => socket,
      set: ws => {
        socket = ws;
        mark('socket');
        watchSocket(ws);
      },
    });
    if (probeBusy) channel.port2.postMessage(0);
    // Marks in a Chromium trace (BENCH_TRACE, see `run`): where each run starts and ends.
    performance.mark('bench-click');
    t0 = performance.now();
    marks.click_epoch = performance.timeOrigin + t0;
    button.click();
    scan();
    scanPeers();
  }
}
"#;

/// Watches A's room socket (A is in the call): when B joined and the first offer and answer
/// came or left (whichever side offers), in epoch ms, read back after B's measurement.
const WATCH_A_JS: &str = r#"
const ws = window.confabSocket;
const marks = {};
window.benchMarks = marks;
const now = () => performance.timeOrigin + performance.now();
ws.addEventListener('message', event => {
  const data = String(event.data);
  if (marks.peer_joined === undefined && data.includes('"peer_joined"')) marks.peer_joined = now();
  if (marks.offer_in === undefined && data.includes('"offer"')) marks.offer_in = now();
  if (marks.answer_in === undefined && data.includes('"answer"')) marks.answer_in = now();
});
const send = ws.send.bind(ws);
ws.send = data => {
  const text = String(data);
  if (marks.offer_out === undefined && text.includes('"offer"')) marks.offer_out = now();
  if (marks.answer_out === undefined && text.includes('"answer"')) marks.answer_out = now();
  return send(data);
};
return true;
"#;

/// What the page measured, in ms after the click.
#[derive(Debug, Clone, Deserialize)]
pub struct Sample {
    /// The first presented (decoded) frame of A's video in B's page.
    pub frame: f64,
    /// How the frame was detected.
    pub method: String,
    /// The room socket was made, opened, and its first frame (welcome) arrived.
    pub socket: Option<f64>,
    pub socket_open: Option<f64>,
    pub welcome: Option<f64>,
    /// A socket opened ahead sent `join`.
    pub join_out: Option<f64>,
    /// Where B's main thread was busy (diagnostic, with `BENCH_BUSY=1`).
    pub busy: Option<String>,
    /// `performance.timeOrigin + now()` at the click, to place A's marks.
    pub click_epoch: Option<f64>,
    /// In A's page: B joined, then the first offer and answer, each in or out (the newcomer
    /// offers today; the marks do not assume it, so another order can be compared).
    #[serde(skip)]
    pub a_peer_joined: Option<f64>,
    #[serde(skip)]
    pub a_signals: Signals,
    /// The same in B's page.
    #[serde(flatten)]
    pub signals: Signals,
    /// My preview is on screen (the room answered Welcome).
    pub in_call: Option<f64>,
    /// The peer connection to A exists.
    pub peer: Option<f64>,
    /// It reached `connected`.
    pub connected: Option<f64>,
    /// The `loadeddata` event of A's video.
    pub loadeddata: Option<f64>,
    /// With `--relay`: the selected pairs seen in A's and B's pages (not from the page script).
    #[serde(skip)]
    pub relayed: Option<String>,
}

/// When a page's first offer and answer went out or came in, in ms after the click.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Signals {
    pub offer_out: Option<f64>,
    pub offer_in: Option<f64>,
    pub answer_out: Option<f64>,
    pub answer_in: Option<f64>,
}

impl Signals {
    /// Those that happened, in time order, e.g. `offer in 38/answer out 57 ms`.
    pub fn describe(&self) -> String {
        let mut marks: Vec<(&str, f64)> = [
            ("offer out", self.offer_out),
            ("offer in", self.offer_in),
            ("answer out", self.answer_out),
            ("answer in", self.answer_in),
        ]
        .into_iter()
        .filter_map(|(name, at)| Some((name, at?)))
        .collect();
        marks.sort_by(|a, b| a.1.total_cmp(&b.1));
        if marks.is_empty() {
            return "no offer or answer".to_owned();
        }
        let text: Vec<String> = marks.iter().map(|(n, at)| format!("{n} {at:.0}")).collect();
        format!("{} ms", text.join("/"))
    }
}

impl Sample {
    pub fn join_ms(&self) -> u64 {
        self.frame.round().max(0.0) as u64
    }

    pub fn describe(&self) -> String {
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
            "socket {}/open {}/join {}/welcome {} ms, {} \
             (A: joined {}/{}), in-call {} ms, \
             peer connection {} ms, connected {} ms{loadeddata}{relayed} busy {}",
            ms(self.socket),
            ms(self.socket_open),
            ms(self.join_out),
            ms(self.welcome),
            self.signals.describe(),
            ms(self.a_peer_joined),
            self.a_signals.describe(),
            ms(self.in_call),
            ms(self.peer),
            ms(self.connected),
            self.busy.clone().unwrap_or_default(),
        )
    }
}

pub async fn measure(a: &Client, b: &Client, base_url: &str, room: &str) -> Result<Sample, String> {
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
    // As a person would, B looks at the preview before clicking: by then the page has opened
    // camera and microphone and fetched the call token and ICE servers (`data-ready`).
    b.wait()
        .at_most(PAGE_TIMEOUT)
        .for_element(fantoccini::Locator::Css("form.lobby[data-ready=true]"))
        .await
        .map_err(|e| format!("B's pre-join page was not ready within {PAGE_TIMEOUT:?}: {e}"))?;

    a.execute(WATCH_A_JS, vec![])
        .await
        .map_err(|e| format!("could not watch A's socket: {e}"))?;
    let value = b
        .execute_async(
            MEASURE_JS,
            vec![
                IN_PAGE_TIMEOUT_MS.into(),
                std::env::var_os("BENCH_BUSY").is_some().into(),
            ],
        )
        .await
        .map_err(|e| format!("measuring script failed: {e}"))?;
    if let Some(error) = value.get("error") {
        return Err(error.as_str().unwrap_or_default().to_owned());
    }
    let mut sample: Sample = serde_json::from_value(value.clone())
        .map_err(|e| format!("unexpected result {value}: {e}"))?;
    let a_marks = a
        .execute("return window.benchMarks || {}", vec![])
        .await
        .map_err(|e| format!("could not read A's marks: {e}"))?;
    let at_a = |name: &str| {
        let epoch = a_marks.get(name)?.as_f64()?;
        Some(epoch - sample.click_epoch?)
    };
    sample.a_peer_joined = at_a("peer_joined");
    sample.a_signals = Signals {
        offer_out: at_a("offer_out"),
        offer_in: at_a("offer_in"),
        answer_out: at_a("answer_out"),
        answer_in: at_a("answer_in"),
    };

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
            // On the SFU one connection carries everyone: here, Ana alone.
            match stats.get(&ana).or_else(|| stats.get("sfu")) {
                Some(s) if s.frames_decoded > 0 => Ok(Some(())),
                other => Err(format!("(last stats for A: {other:?})")),
            }
        },
    )
    .await?;
    Ok(sample)
}
