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
    #[serde(default)]
    pub connection: String,
    #[serde(default)]
    pub receivers: u32,
    #[serde(default)]
    pub debug: String,
}

const SFU_TILES_JS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const sfu = (window.confabPeers || new Map()).get('sfu');
  const receivers = sfu ? sfu.getReceivers() : [];
  const out = {};
  for (const tile of document.querySelectorAll('[data-testid="video-tile"][data-kind="camera"]')) {
    const video = tile.querySelector('video');
    if (sfu) out.state = { width: 0, frames: 0, audio_packets: 0, audio_energy: 0, via_sfu: false,
                           connection: sfu.connectionState + '/' + sfu.iceConnectionState + '/' + sfu.signalingState,
                           receivers: receivers.length,
                           debug: JSON.stringify(sfu.getTransceivers().map(t => [t.mid, t.direction, t.currentDirection, t.receiver.track.kind, t.receiver.track.id.slice(0,8)]))
                             + ' ctor ' + JSON.stringify(receivers.map(r => { const s = new MediaStream([r.track]); return r.track.kind + (s.getTracks()[0] === r.track) + s.getTracks()[0].id.slice(0,8); })) + ' keys ' + JSON.stringify([...window.confabPeers.keys()]) + ' others ' + JSON.stringify([...window.confabPeers.values()].flatMap(pc => pc.getReceivers().map(r => r.track.id.slice(0,8) + ':' + pc.connectionState))) + ' tiles ' + JSON.stringify([...document.querySelectorAll('[data-testid="video-tile"] video')].map(v => v.srcObject ? v.srcObject.getTracks().map(t => t.kind + ':' + t.id.slice(0,8) + ':' + t.readyState + ':' + t.label.slice(0,20)) : null)) };
    const stream = video && video.srcObject;
    const media = { width: video ? video.videoWidth : 0, frames: 0, audio_packets: 0,
                    audio_energy: 0, via_sfu: !!stream && stream.getTracks().length > 0 };
    if (video && video.getVideoPlaybackQuality) {
      media.frames = video.getVideoPlaybackQuality().totalVideoFrames;
    }
    for (const track of stream ? stream.getTracks() : []) {
      const receiver = receivers.find(r => r.track === track);
      if (!receiver) { media.via_sfu = false; continue; }
      if (track.kind !== 'audio') continue;
      (await receiver.getStats()).forEach(r => {
        if (r.type !== 'inbound-rtp') return;
        media.audio_packets += r.packetsReceived || 0;
        media.audio_energy += r.totalAudioEnergy || 0;
      });
    }
    out[tile.dataset.peerId] = media;
  }
  done(out);
})().catch(e => done({ error: String(e) }));
"#;

/// Every remote camera tile's media now, by peer id.
pub async fn sfu_tile_media(client: &Client) -> Result<HashMap<String, TileMedia>, String> {
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
            let (before, after) = (&first[p], now.get(p).cloned().unwrap_or_default());
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
