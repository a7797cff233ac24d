//! What a page receives through the SFU, tile by tile. On the SFU one peer connection carries
//! everyone (`window.confabPeers` holds it as `sfu`), so each person's media is found through
//! their tile: the tracks of its `<video>`'s stream are matched to the connection's receivers,
//! whose own stats say how many packets and how much sound arrived.

use std::collections::HashMap;
use std::time::Duration;

use fantoccini::Client;
use serde::Deserialize;

use super::wait_for;

/// One remote camera tile at one moment.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct TileMedia {
    /// `videoWidth` of the tile's `<video>` (0 before a picture is decoded).
    pub width: u32,
    /// Frames the element has shown (`getVideoPlaybackQuality().totalVideoFrames`).
    pub frames: u64,
    /// Audio packets received on the tile's own audio track, from the SFU's connection.
    pub audio_packets: u64,
    /// `totalAudioEnergy` of that track (grows only with sound, not silence).
    pub audio_energy: f64,
    /// Whether every track of the tile arrives on the SFU connection (none on another).
    pub via_sfu: bool,
    /// What arrived of the video, told for a failure's message.
    #[serde(default)]
    pub video: String,
}

const SFU_TILES_JS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const sfu = (window.confabPeers || new Map()).get('sfu');
  const receivers = sfu ? sfu.getReceivers() : [];
  const out = { connection: sfu ? `${sfu.connectionState}/${sfu.iceConnectionState}` : 'none',
                tiles: {} };
  // One report for the whole connection: a busy page answers each getStats late, and a
  // receiver's own call per tile added up past the script's timeout with nine people.
  // By mid: keyed by the track id instead, every tile read the same record.
  const inbound = new Map();
  (sfu ? await sfu.getStats() : new Map()).forEach(r => {
    if (r.type === 'inbound-rtp' && r.mid) inbound.set(r.mid, r);
  });
  const transceivers = sfu ? sfu.getTransceivers() : [];
  for (const tile of document.querySelectorAll('[data-testid="video-tile"][data-kind="camera"]')) {
    const video = tile.querySelector('video');
    const stream = video && video.srcObject;
    const media = { width: video ? video.videoWidth : 0, frames: 0, audio_packets: 0,
                    audio_energy: 0, via_sfu: !!stream && stream.getTracks().length > 0 };
    if (video && video.getVideoPlaybackQuality) {
      media.frames = video.getVideoPlaybackQuality().totalVideoFrames;
    }
    for (const track of stream ? stream.getTracks() : []) {
      const receiver = receivers.find(r => r.track === track);
      if (!receiver) { media.via_sfu = false; continue; }
      const t = transceivers.find(t => t.receiver === receiver);
      const r = t && inbound.get(t.mid);
      if (!r) continue;
      if (track.kind === 'video') {
        media.video = `${r.packetsReceived || 0} packets, ${r.keyFramesDecoded || 0}/${r.framesDecoded || 0} key/frames decoded, ${r.pliCount || 0} PLI, ${r.nackCount || 0} NACK`;
        continue;
      }
      media.audio_packets += r.packetsReceived || 0;
      media.audio_energy += r.totalAudioEnergy || 0;
    }
    out.tiles[tile.dataset.peerId] = media;
  }
  done(out);
})().catch(e => done({ error: String(e) }));
"#;

/// Every remote camera tile's media now, and the SFU connection's state.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct SfuMedia {
    /// `connectionState/iceConnectionState` of the SFU's connection (`none` without one).
    pub connection: String,
    /// By peer id.
    pub tiles: HashMap<String, TileMedia>,
}

/// What the page receives through the SFU now.
pub async fn sfu_tile_media(client: &Client) -> Result<SfuMedia, String> {
    let value = client
        .execute_async(SFU_TILES_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    if let Some(error) = value.get("error") {
        return Err(format!("the page's check failed: {error}"));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Waits until the tile of each of `peers` plays through the SFU: a decoded picture, frames
/// shown and audio packets with sound arriving between two samples.
pub async fn wait_sfu_media_from(
    client: &Client,
    peers: &[String],
    timeout: Duration,
) -> Result<(), String> {
    let first = wait_for("a picture and sound through the SFU", timeout, || async {
        let media = sfu_tile_media(client).await?;
        let ready = peers.iter().all(|p| {
            media
                .tiles
                .get(p)
                .is_some_and(|m| m.via_sfu && m.width > 0 && m.audio_packets > 0)
        });
        ready
            .then_some(Some(media.clone()))
            .ok_or_else(|| format!("(last: {media:?})"))
    })
    .await?;
    wait_for("frames and sound to keep arriving", timeout, || async {
        let now = sfu_tile_media(client).await?;
        let growing = peers.iter().all(|p| {
            let before = &first.tiles[p];
            let after = now.tiles.get(p).cloned().unwrap_or_default();
            after.frames >= before.frames + 5
                && after.audio_packets > before.audio_packets
                && after.audio_energy > before.audio_energy
        });
        growing
            .then_some(Some(()))
            .ok_or_else(|| format!("(first: {first:?}, now: {now:?})"))
    })
    .await
}

/// Waits until the tile of each of `peers` shows video through the SFU: a decoded picture,
/// then frames growing (sound is not asked: these may be muted).
pub async fn wait_sfu_video_from(
    client: &Client,
    peers: &[String],
    timeout: Duration,
) -> Result<(), String> {
    let first = wait_for("a picture through the SFU", timeout, || async {
        let media = sfu_tile_media(client).await?;
        let ready = peers
            .iter()
            .all(|p| media.tiles.get(p).is_some_and(|m| m.via_sfu && m.width > 0));
        ready
            .then_some(Some(media.clone()))
            .ok_or_else(|| format!("(last: {media:?})"))
    })
    .await?;
    wait_for("frames to keep arriving", timeout, || async {
        let now = sfu_tile_media(client).await?;
        let growing = peers.iter().all(|p| {
            let before = first.tiles[p].frames;
            now.tiles.get(p).is_some_and(|m| m.frames >= before + 5)
        });
        growing
            .then_some(Some(()))
            .ok_or_else(|| format!("(first: {first:?}, now: {now:?})"))
    })
    .await
}

/// Which remote camera tiles show the camera (`data-camera-shown`), and which show the person
/// instead (last-N on the SFU), by peer id; and how many video sections the SFU connection
/// receives on.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CamerasShown {
    pub shown: Vec<String>,
    pub hidden: Vec<String>,
    /// Of `hidden`, those whose tile shows the person's name or picture.
    pub placeheld: Vec<String>,
    pub video_sections: usize,
    /// Every media section of the SFU connection, closed ones too (each pull adds some).
    #[serde(default)]
    pub all_sections: usize,
}

const CAMERAS_SHOWN_JS: &str = r#"
const tiles = [...document.querySelectorAll('[data-testid="video-tile"][data-kind="camera"]')];
const sfu = (window.confabPeers || new Map()).get('sfu');
const video_sections = sfu ? sfu.getTransceivers()
  .filter(t => t.receiver.track.kind === 'video' && t.currentDirection === 'recvonly').length : 0;
const hidden = tiles.filter(t => t.dataset.cameraShown === 'false');
return {
  shown: tiles.filter(t => t.dataset.cameraShown === 'true').map(t => t.dataset.peerId),
  hidden: hidden.map(t => t.dataset.peerId),
  placeheld: hidden.filter(t => t.querySelector('.tile-placeholder')).map(t => t.dataset.peerId),
  video_sections,
  all_sections: sfu ? sfu.getTransceivers().length : 0,
};
"#;

/// The page's remote cameras, shown or not, now.
pub async fn cameras_shown(client: &Client) -> Result<CamerasShown, String> {
    let value = client
        .execute(CAMERAS_SHOWN_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// The video layers the page sends up its SFU connection (its `outbound-rtp` video stats):
/// each layer's `rid` (`null` for a plain stream), `height`, `frames` encoded, and `why` its
/// quality is limited; `null` without an SFU connection.
pub async fn sent_video_layers(client: &Client) -> Result<serde_json::Value, String> {
    client
        .execute_async(SENT_LAYERS_JS, vec![])
        .await
        .map_err(|e| e.to_string())
}

const SENT_LAYERS_JS: &str = r#"
const done = arguments[arguments.length - 1];
const sfu = (window.confabPeers || new Map()).get('sfu');
if (!sfu) { done(null); return; }
sfu.getStats().then(report => done([...report.values()]
  .filter(s => s.type === 'outbound-rtp' && s.kind === 'video')
  .map(s => ({ rid: s.rid || null, height: s.frameHeight || 0, frames: s.framesEncoded || 0,
               why: s.qualityLimitationReason || null }))),
  () => done(null));
"#;
