//! What a page in a mesh call sees when its room moves to the SFU: how long until every tile
//! shows the SFU's media, the longest any tile froze meanwhile, and each call the page made to
//! the worker's SFU door on the way (so a slow move says where its time went).

use super::*;

/// Installs a watcher in the page (every 10 ms): when it first holds a connection to the SFU
/// (`switched`, the `route` frame has arrived), when all of its `tiles` remote camera tiles
/// then show a picture from the SFU's tracks only (`back`), and the longest any tile went
/// without a new frame from the switch until then (`gap`, ms: what a person sees freeze).
/// It also wraps `fetch` to note each call to `/sfu/` (`calls`: path end, start, duration, and
/// for `tracks/new` how many tracks it pushed or pulled).
const WATCH_SWITCH_JS: &str = r#"
const tiles = arguments[0];
window.confabSwitch = { gap: 0, calls: [] };
const plainFetch = window.fetch;
window.fetch = function (input, init) {
  const url = typeof input === 'string' ? input : input.url;
  if (!url.includes('/sfu/')) return plainFetch.apply(this, arguments);
  const call = { path: url.split('/sfu/')[1].split('?')[0], at: performance.now(), ms: null,
    status: null, local: null, remote: null };
  window.confabSwitch.calls.push(call);
  // Read a copy of the body before fetch takes the request's.
  if (input instanceof Request && call.path.endsWith('tracks/new')) {
    input.clone().text().then(text => {
      const tracks = JSON.parse(text).tracks || [];
      call.local = tracks.filter(t => t.location === 'local').length;
      call.remote = tracks.filter(t => t.location === 'remote').length;
    }, () => {});
  }
  const done = plainFetch.apply(this, arguments);
  done.then(r => { call.ms = performance.now() - call.at; call.status = r.status; },
    () => { call.ms = performance.now() - call.at; });
  return done;
};
const shown = new Map();
const timer = setInterval(() => {
  const at = window.confabSwitch;
  const now = performance.now();
  const videos = [...document.querySelectorAll('[data-testid="video-tile"][data-kind="camera"]')]
    .map(tile => [tile.dataset.peerId, tile.querySelector('video')]);
  for (const [peer, v] of videos) {
    const frames = v && v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
    const last = shown.get(peer);
    if (!last || last.frames !== frames) shown.set(peer, { frames, at: now });
    else if (at.switched !== undefined) at.gap = Math.max(at.gap, now - last.at);
  }
  const sfu = (window.confabPeers || new Map()).get('sfu');
  if (!sfu) return;
  if (at.switched === undefined) at.switched = now;
  const tracks = sfu.getReceivers().map(r => r.track);
  const back = videos.length === tiles && videos.every(([, v]) => v && v.srcObject
    && v.videoWidth > 0 && v.srcObject.getTracks().length === 2
    && v.srcObject.getTracks().every(t => tracks.includes(t)));
  if (back) { at.back = now; clearInterval(timer); }
}, 10);
"#;

/// Starts watching `client`'s page, which shows `tiles` remote camera tiles, for the move.
/// Read with [`switch_time`].
pub async fn watch_switch(client: &Client, tiles: usize) -> Result<(), String> {
    client
        .execute(WATCH_SWITCH_JS, vec![serde_json::json!(tiles)])
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

/// What a page saw of the move: from its switch to the SFU to every tile showing the SFU's
/// media, the longest freeze of any tile meanwhile, and its calls to the SFU.
#[derive(Debug, Clone)]
pub struct Switch {
    pub handover: Duration,
    pub freeze: Duration,
    pub calls: Vec<SfuCall>,
}

/// One call to the worker's SFU door, timed from the page's switch.
#[derive(Debug, Clone, Deserialize)]
pub struct SfuCall {
    /// After `/sfu/`: `sessions/new`, `sessions/<id>/tracks/new`, ...
    pub path: String,
    /// When it started (ms after the switch; earlier calls are negative).
    pub at: f64,
    /// How long it took (ms); `None` if it had not come back.
    pub ms: Option<f64>,
    pub status: Option<u16>,
    /// For `tracks/new`: how many tracks it pushed (`local`) and pulled (`remote`).
    pub local: Option<usize>,
    pub remote: Option<usize>,
}

impl SfuCall {
    /// `pull 3 1.2s@0.4s`: what it was, how long it took, when it started.
    pub fn brief(&self) -> String {
        let what = self
            .path
            .rsplit_once("sessions/")
            .map_or(self.path.as_str(), |(_, rest)| {
                rest.split_once('/').map_or(rest, |(_, action)| action)
            });
        let took = self
            .ms
            .map_or("unanswered".to_owned(), |ms| format!("{:.1}s", ms / 1000.0));
        let status = match self.status {
            Some(200..=299) | None => String::new(),
            Some(code) => format!(" ({code})"),
        };
        let what = match (self.local, self.remote) {
            (Some(0), Some(pulled)) => format!("pull {pulled}"),
            (Some(pushed), Some(0)) => format!("push {pushed}"),
            _ => what.to_owned(),
        };
        format!("{what} {took}{status}@{:.1}s", self.at / 1000.0)
    }
}

/// Waits up to `timeout` for the move `client`'s page is watching to finish.
pub async fn switch_time(client: &Client, timeout: Duration) -> Result<Switch, String> {
    wait_for("media back through the SFU", timeout, || async {
        let at = client
            .execute("return window.confabSwitch;", vec![])
            .await
            .map_err(|e| e.to_string())?;
        let (Some(switched), Some(back), Some(gap)) = (
            at["switched"].as_f64(),
            at["back"].as_f64(),
            at["gap"].as_f64(),
        ) else {
            return Err(format!("(so far: {at})"));
        };
        let mut calls: Vec<SfuCall> =
            serde_json::from_value(at["calls"].clone()).map_err(|e| e.to_string())?;
        for call in &mut calls {
            call.at -= switched;
        }
        Ok(Some(Switch {
            handover: Duration::from_secs_f64((back - switched).max(0.0) / 1000.0),
            freeze: Duration::from_secs_f64(gap / 1000.0),
            calls,
        }))
    })
    .await
}
