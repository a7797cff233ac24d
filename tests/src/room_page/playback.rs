//! Whether each tile plays its own peer's media: the tracks on its `<video>` against those the
//! peer connection received, a decoded picture, frames still coming.

use super::*;

/// What one tile's `<video>` shows, as [`TILES_PLAYING_JS`] reads it.
#[derive(Debug, Clone, Deserialize)]
struct TilePlayback {
    peer_id: String,
    name: String,
    has_video: bool,
    /// The kinds of the `srcObject` tracks (`video`, `audio`; `:ended` when not live).
    tracks: Vec<String>,
    /// Every peer connection whose receivers carry some of those tracks, with how many.
    carriers: Vec<Carrier>,
    video_width: u32,
    paused: bool,
    /// `presentedFrames` of two successive `requestVideoFrameCallback`s; `None` for a callback
    /// that did not fire in time; `unsupported` when the browser has no such method.
    frames: [Option<u64>; 2],
    unsupported: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct Carrier {
    peer: String,
    tracks: usize,
}

const TILES_PLAYING_JS: &str = r#"
const [frameMs, done] = [arguments[0], arguments[arguments.length - 1]];
const unsupported = !('requestVideoFrameCallback' in HTMLVideoElement.prototype);
const nextFrame = v => new Promise(resolve => {
  if (unsupported) return resolve(null);
  let timer;
  const handle = v.requestVideoFrameCallback((now, meta) => {
    clearTimeout(timer);
    resolve(meta.presentedFrames);
  });
  timer = setTimeout(() => { v.cancelVideoFrameCallback(handle); resolve(null); }, frameMs);
});
(async () => {
  const peers = window.confabPeers || new Map();
  const tiles = [...document.querySelectorAll('[data-testid="video-tile"][data-kind="camera"]')];
  done(await Promise.all(tiles.map(async t => {
    const v = t.querySelector('video');
    const stream = v && v.srcObject;
    const tracks = stream && stream.getTracks ? stream.getTracks() : [];
    const carriers = [];
    for (const [peer, pc] of peers) {
      const received = pc.getReceivers().map(r => r.track);
      const n = tracks.filter(track => received.includes(track)).length;
      if (n > 0) carriers.push({ peer, tracks: n });
    }
    const first = v ? await nextFrame(v) : null;
    const second = first === null ? null : await nextFrame(v);
    return {
      peer_id: t.dataset.peerId || '', name: t.dataset.name || '', has_video: !!v,
      tracks: tracks.map(k => k.kind + (k.readyState === 'live' ? '' : ':' + k.readyState)),
      carriers, video_width: v ? v.videoWidth : 0, paused: v ? v.paused : true,
      frames: [first, second], unsupported,
    };
  })));
})().catch(e => done({ error: String(e) }));
"#;

/// How long one `requestVideoFrameCallback` may take before the tile counts as not playing.
const FRAME_CALLBACK_TIMEOUT: Duration = Duration::from_secs(3);

/// Why `tile` is not playing the media of its own peer; `names` maps peer ids to tile names.
fn tile_fault(tile: &TilePlayback, names: &HashMap<String, String>) -> Option<String> {
    let named = |peer: &str| match names.get(peer) {
        Some(name) => format!("{peer} ({name})"),
        None => format!("{peer} (no tile)"),
    };
    if !tile.has_video {
        return Some("has no <video>".into());
    }
    if !tile.tracks.iter().any(|k| k == "video") {
        return Some(format!(
            "shows no live video track (srcObject tracks: {:?})",
            tile.tracks
        ));
    }
    let others: Vec<String> = (tile.carriers.iter())
        .filter(|c| c.peer != tile.peer_id)
        .map(|c| named(&c.peer))
        .collect();
    if !others.is_empty() {
        return Some(format!(
            "shows tracks received from peer {} instead of its own peer {}",
            others.join(", "),
            named(&tile.peer_id)
        ));
    }
    let own = (tile.carriers.iter())
        .find(|c| c.peer == tile.peer_id)
        .map_or(0, |c| c.tracks);
    if own != tile.tracks.len() {
        // A copy (`MediaStream.clone()`) of a received track is another track: it counts as
        // not received, so a tile showing copies is caught too.
        return Some(format!(
            "shows {} tracks ({:?}) but the peer connection of {} receives only {own} of them \
             (the others are copies or someone else's)",
            tile.tracks.len(),
            tile.tracks,
            named(&tile.peer_id)
        ));
    }
    if tile.video_width == 0 {
        return Some("has videoWidth 0 (no picture decoded)".into());
    }
    if tile.paused {
        return Some("has its <video> paused".into());
    }
    if tile.unsupported {
        return Some("cannot be checked: this browser has no requestVideoFrameCallback".into());
    }
    match tile.frames {
        [Some(a), Some(b)] if b > a => None,
        [Some(a), Some(b)] => Some(format!(
            "presented no new frame (presentedFrames {a} then {b})"
        )),
        [first, _] => Some(format!(
            "fired no requestVideoFrameCallback within {FRAME_CALLBACK_TIMEOUT:?} ({})",
            if first.is_some() {
                "after one frame"
            } else {
                "none at all"
            }
        )),
    }
}

/// Waits until the tile of every peer in `peers` is playing that peer's media: its `<video>`'s
/// `srcObject` tracks are the very tracks received on the peer connection `window.confabPeers`
/// holds for the tile's `data-peer-id` (none on another, no copies), a picture is decoded
/// (`videoWidth > 0`) and two successive `requestVideoFrameCallback`s report new frames. The
/// error names each tile that is not and what is wrong with it.
pub async fn wait_tiles_playing(
    client: &Client,
    peers: &[String],
    timeout: Duration,
) -> Result<(), String> {
    let frame_ms = serde_json::json!(FRAME_CALLBACK_TIMEOUT.as_millis() as u64);
    wait_for("every tile to play its own peer's media", timeout, || {
        let frame_ms = frame_ms.clone();
        async move {
            let value = client
                .execute_async(TILES_PLAYING_JS, vec![frame_ms])
                .await
                .map_err(|e| e.to_string())?;
            if let Some(error) = value.get("error") {
                return Err(format!("(the page's check failed: {error})"));
            }
            let tiles: Vec<TilePlayback> =
                serde_json::from_value(value).map_err(|e| e.to_string())?;
            let names: HashMap<String, String> = (tiles.iter())
                .map(|t| (t.peer_id.clone(), t.name.clone()))
                .collect();
            let mut faults = Vec::new();
            for peer in peers {
                match tiles.iter().filter(|t| &t.peer_id == peer).count() {
                    1 => {}
                    n => faults.push(format!("{n} tiles for peer {peer}")),
                }
            }
            for tile in tiles.iter().filter(|t| peers.contains(&t.peer_id)) {
                if let Some(fault) = tile_fault(tile, &names) {
                    faults.push(format!(
                        "tile {} (peer {}) {fault}",
                        tile.name, tile.peer_id
                    ));
                }
            }
            if faults.is_empty() {
                Ok(Some(()))
            } else {
                Err(format!("— last check: {}", faults.join("; ")))
            }
        }
    })
    .await
}
