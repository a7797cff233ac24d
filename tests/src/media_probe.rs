//! What a receiver actually gets from a remote peer, measured over a window of time: whether
//! the audio carries sound (inbound `totalAudioEnergy`), and whether the tile's `<video>` shows
//! live pictures (drawn to a canvas: bright or black, moving or still) — so "mic off" and
//! "camera off" are proven where they matter, at the other end, and so is turning them back on.

use std::collections::HashMap;
use std::time::Duration;

use fantoccini::Client;
use serde::Deserialize;

use crate::room_page::wait_for;

/// Inbound audio from one peer over one window.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
pub struct Sound {
    /// Growth of `totalAudioEnergy` (the integral of `audioLevel²` over time).
    pub energy: f64,
    /// Growth of `totalSamplesDuration`: seconds of audio played out in the window.
    pub seconds: f64,
    pub packets: u64,
}

impl Sound {
    /// Mean `audioLevel²` over the window: 0 for digital silence (a disabled track). The test
    /// browsers' microphone ([`crate::fake_microphone`]) beeps periodically, which over a window
    /// of a few seconds gives a few hundredths (and a window that straddles a toggle something
    /// in between).
    pub fn power(&self) -> f64 {
        if self.seconds > 0.0 {
            self.energy / self.seconds
        } else {
            0.0
        }
    }

    /// Audio played out and loud enough: sound, not silence or comfort noise.
    pub fn heard(&self) -> bool {
        self.seconds > 0.5 && self.power() > HEARD_POWER
    }

    /// Nothing audible: digital silence, or no audio played out at all.
    pub fn silent(&self) -> bool {
        self.power() < SILENT_POWER
    }
}

/// Mean `audioLevel²` above which a window counts as sound, and below which as silence.
const HEARD_POWER: f64 = 1e-4;
const SILENT_POWER: f64 = 1e-6;
/// Long enough for several beeps of the fake microphone.
pub const SOUND_WINDOW: Duration = Duration::from_millis(2500);

const SOUND_JS: &str = r#"
const [peers, windowMs, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const read = async () => {
  const out = {};
  for (const peer of peers) {
    const pc = (window.confabPeers || new Map()).get(peer);
    if (!pc) continue;
    let energy = 0, seconds = 0, packets = 0;
    (await pc.getStats()).forEach(r => {
      if (r.type !== 'inbound-rtp' || r.kind !== 'audio') return;
      energy += r.totalAudioEnergy || 0;
      seconds += r.totalSamplesDuration || 0;
      packets += r.packetsReceived || 0;
    });
    out[peer] = { energy, seconds, packets };
  }
  return out;
};
(async () => {
  const before = await read();
  await new Promise(resolve => setTimeout(resolve, windowMs));
  const after = await read();
  const out = {};
  for (const peer of peers) {
    const [a, b] = [before[peer], after[peer]];
    out[peer] = a && b
      ? { energy: b.energy - a.energy, seconds: b.seconds - a.seconds, packets: b.packets - a.packets }
      : null;
  }
  done(out);
})().catch(e => done({ error: String(e) }));
"#;

/// Inbound audio from each of `peers` over the same `window`; `None` for a peer without a peer
/// connection.
pub async fn sound_from(
    client: &Client,
    peers: &[String],
    window: Duration,
) -> Result<HashMap<String, Option<Sound>>, String> {
    let args = vec![
        serde_json::json!(peers),
        serde_json::json!(window.as_millis() as u64),
    ];
    let value = client
        .execute_async(SOUND_JS, args)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(error) = value.get("error") {
        return Err(format!("getStats failed: {error}"));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Waits until a window in which the audio from every one of `peers` is heard (`true`) or
/// silent (`false`); the error gives the last window's figures.
pub async fn wait_sound(
    client: &Client,
    peers: &[String],
    heard: bool,
    timeout: Duration,
) -> Result<(), String> {
    let what = if heard { "sound" } else { "silence" };
    wait_for(&format!("{what} from {peers:?}"), timeout, || async {
        let sounds = sound_from(client, peers, SOUND_WINDOW).await?;
        let wrong: Vec<String> = (peers.iter())
            .filter_map(|p| match sounds.get(p).copied().flatten() {
                Some(s) if (heard && s.heard()) || (!heard && s.silent()) => None,
                Some(s) => Some(format!(
                    "{p}: power {:.2e} over {:.1} s of audio, {} packets",
                    s.power(),
                    s.seconds,
                    s.packets
                )),
                None => Some(format!("{p}: no peer connection")),
            })
            .collect();
        if wrong.is_empty() {
            Ok(Some(()))
        } else {
            Err(format!(
                "(last window, {SOUND_WINDOW:?}: {})",
                wrong.join("; ")
            ))
        }
    })
    .await
}

/// A remote tile's pictures over one window, drawn small to a canvas.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Picture {
    /// Pictures taken (none while the `<video>` has no picture at all).
    pub shots: u32,
    /// The brightest pixel's luma (0–255) of the darkest and of the brightest shot.
    pub dimmest_max_luma: f64,
    pub brightest_max_luma: f64,
    /// Successive shots that differ (mean absolute luma difference above 1).
    pub changes: u32,
    /// Growth of the peer connection's inbound `framesDecoded`, and the window in seconds.
    pub frames_decoded: u64,
    pub seconds: f64,
}

/// Brightest pixel below which a shot counts as black, and above which as a picture.
const BLACK_LUMA: f64 = 40.0;
const PICTURE_LUMA: f64 = 60.0;
/// Shots per window; the gap between them is not a multiple of any loop of the fake cameras.
const SHOTS: u32 = 5;
pub const PICTURE_WINDOW: Duration = Duration::from_millis(1850);

impl Picture {
    /// Live camera pictures: every shot shows something bright, they change, and new frames
    /// keep being decoded.
    pub fn live(&self) -> bool {
        self.shots == SHOTS
            && self.dimmest_max_luma > PICTURE_LUMA
            && self.changes >= 2
            && self.frames_decoded >= 3
    }

    /// No camera picture: black in every shot, or no frame decoded at all in the window. (For a
    /// disabled track Chromium keeps sending black frames at about the camera's rate, so the
    /// frame rate alone proves nothing.)
    pub fn off(&self) -> bool {
        self.brightest_max_luma < BLACK_LUMA || self.frames_decoded == 0
    }

    pub fn fps(&self) -> f64 {
        if self.seconds > 0.0 {
            self.frames_decoded as f64 / self.seconds
        } else {
            0.0
        }
    }
}

const PICTURE_JS: &str = r#"
const [peer, shots, windowMs, done] =
  [arguments[0], arguments[1], arguments[2], arguments[arguments.length - 1]];
(async () => {
  const tile = document.querySelector(`[data-testid="video-tile"][data-peer-id="${peer}"]`);
  const v = tile && tile.querySelector('video');
  if (!v) return done({ error: `no tile with a <video> for peer ${peer}` });
  const pc = (window.confabPeers || new Map()).get(peer);
  const decoded = async () => {
    let n = 0;
    if (pc) (await pc.getStats()).forEach(r => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded || 0;
    });
    return n;
  };
  const [w, h] = [32, 24];
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  const shoot = () => {
    if (v.videoWidth === 0) return null;
    g.drawImage(v, 0, 0, w, h);
    const d = g.getImageData(0, 0, w, h).data;
    const luma = [];
    for (let i = 0; i < d.length; i += 4) luma.push(0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]);
    return luma;
  };
  const started = performance.now();
  const first = await decoded();
  const taken = [];
  for (let i = 0; i < shots; i++) {
    if (i > 0) await new Promise(resolve => setTimeout(resolve, windowMs / (shots - 1)));
    const luma = shoot();
    if (luma) taken.push(luma);
  }
  const frames_decoded = (await decoded()) - first;
  const maxes = taken.map(l => Math.max(...l));
  let changes = 0;
  for (let i = 1; i < taken.length; i++) {
    const diff = taken[i].reduce((sum, y, j) => sum + Math.abs(y - taken[i - 1][j]), 0) / taken[i].length;
    if (diff > 1) changes++;
  }
  done({
    shots: taken.length,
    dimmest_max_luma: maxes.length ? Math.min(...maxes) : 0,
    brightest_max_luma: maxes.length ? Math.max(...maxes) : 0,
    changes, frames_decoded, seconds: (performance.now() - started) / 1000,
  });
})().catch(e => done({ error: String(e) }));
"#;

/// The pictures of `peer`'s tile over [`PICTURE_WINDOW`].
pub async fn picture_of(client: &Client, peer: &str) -> Result<Picture, String> {
    let args = vec![
        serde_json::json!(peer),
        serde_json::json!(SHOTS),
        serde_json::json!(PICTURE_WINDOW.as_millis() as u64),
    ];
    let value = client
        .execute_async(PICTURE_JS, args)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(error) = value.get("error") {
        return Err(format!("({error})"));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Waits until a window in which `peer`'s tile shows live camera pictures (`true`) or none
/// (`false`, see [`Picture::off`]); the error gives the last window's figures.
pub async fn wait_picture(
    client: &Client,
    peer: &str,
    live: bool,
    timeout: Duration,
) -> Result<(), String> {
    let what = if live {
        "live camera pictures"
    } else {
        "no camera picture (black or no frames)"
    };
    wait_for(
        &format!("{what} on the tile of {peer}"),
        timeout,
        || async {
            let picture = picture_of(client, peer).await?;
            if (live && picture.live()) || (!live && picture.off()) {
                return Ok(Some(()));
            }
            Err(format!(
                "(last window: {} shots, brightest pixel {:.0}–{:.0}, {} changes between shots, \
             {:.1} frames/s decoded)",
                picture.shots,
                picture.dimmest_max_luma,
                picture.brightest_max_luma,
                picture.changes,
                picture.fps()
            ))
        },
    )
    .await
}
