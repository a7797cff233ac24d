//! Forwarding: a pushed frame to every session that pulls its track, in the layer each
//! wants, from a keyframe on, and keyframe requests back to the pusher.

use std::collections::BTreeMap;
use std::time::Duration;

use str0m::media::{KeyframeRequest, KeyframeRequestKind, MediaData, MediaKind, Mid, Rid};

use super::Sfu;

/// How often a keyframe is asked for while a puller waits for one: a browser answers a PLI
/// within a frame or two, but one may be lost on the way.
const KEYFRAME_AGAIN: Duration = Duration::from_millis(500);

impl Sfu {
    /// One frame from `from`'s pushed track to every session that pulls it.
    pub(super) fn forward(&mut self, from: &str, data: MediaData) {
        let Some(pusher) = self.sessions.get_mut(from) else {
            return;
        };
        let Some(name) = pusher.track_at(data.mid).map(str::to_owned) else {
            return;
        };
        let pushed = pusher.pushed.get_mut(&name).expect("found by track_at");
        if let Some(rid) = data.rid {
            pushed.rids.insert(rid.to_string(), rid);
        }
        let rids = pushed.rids.clone();
        let (pusher_mid, kind) = (pushed.mid, pushed.kind);
        // A gap in the pusher's packets that repair did not fill: the frames after it may
        // refer to what was lost, so every puller of this layer waits for a keyframe again.
        let broken = kind == MediaKind::Video && !data.contiguous;
        let mut keyframes = Vec::new();
        for session in self.sessions.values_mut() {
            let connected = session.rtc.is_connected();
            for (mid, pulled) in &mut session.pulled {
                if pulled.from != from || pulled.track != name {
                    continue;
                }
                let layer = layer(&rids, pulled.preferred);
                if layer != pulled.forwarding {
                    pulled.forwarding = layer;
                    pulled.keyframed = false;
                }
                if data.rid.is_some() && data.rid != layer {
                    continue;
                }
                if broken {
                    pulled.keyframed = false;
                }
                // Until the puller has answered the offer that added this mid, there is nowhere
                // to send: a keyframe now must not count as the one it started from.
                let Some(writer) = session.rtc.writer(*mid) else {
                    continue;
                };
                let Some(pt) = writer.match_params(data.params) else {
                    if !pulled.unmatched_logged {
                        pulled.unmatched_logged = true;
                        log!(
                            "forward: {from}/{name} has no codec in common with {mid} ({:?})",
                            data.params.spec().codec
                        );
                    }
                    continue;
                };
                if kind == MediaKind::Video && !pulled.keyframed {
                    // Only a keyframe the puller can receive (its connection is up) starts it.
                    if !(data.is_keyframe() && connected) {
                        let now = data.network_time;
                        if pulled
                            .keyframe_asked
                            .is_none_or(|at| now >= at + KEYFRAME_AGAIN)
                        {
                            pulled.keyframe_asked = Some(now);
                            if !keyframes.contains(&layer) {
                                keyframes.push(layer);
                            }
                        }
                        continue;
                    }
                }
                // The level each sound packet carries (RFC 6464): browsers read who is
                // speaking from it (`getSynchronizationSources().audioLevel`).
                let writer = match data.ext_vals.audio_level {
                    Some(level) => {
                        writer.audio_level(level, data.ext_vals.voice_activity.unwrap_or(false))
                    }
                    None => writer,
                };
                let written = writer.write(pt, data.network_time, data.time, data.data.clone());
                match written {
                    Ok(()) if !pulled.keyframed && kind == MediaKind::Video => {
                        pulled.keyframed = true;
                        log!(
                            "forward: {from}/{name} to {mid} from a keyframe, {:?} after the pull",
                            data.network_time.saturating_duration_since(pulled.since)
                        );
                    }
                    Ok(()) => {}
                    Err(error) => {
                        pulled.write_errors += 1;
                        if pulled.write_errors.is_power_of_two() {
                            log!(
                                "forward: {from}/{name} to {mid}: {error} ({} failed so far)",
                                pulled.write_errors
                            );
                        }
                    }
                }
            }
        }
        if kind == MediaKind::Video {
            for layer in keyframes {
                self.keyframe(from, pusher_mid, layer, KeyframeRequestKind::Pli);
            }
        }
    }

    /// A puller asks for a keyframe: the pusher is asked for one of the layer forwarded.
    pub(super) fn ask_keyframe(&mut self, puller: &str, request: KeyframeRequest) {
        let Some(pulled) = self
            .sessions
            .get(puller)
            .and_then(|s| s.pulled.get(&request.mid))
        else {
            return;
        };
        let (from, track, layer) = (pulled.from.clone(), pulled.track.clone(), pulled.forwarding);
        let Some(mid) = self
            .sessions
            .get(&from)
            .and_then(|s| s.pushed.get(&track))
            .map(|p| p.mid)
        else {
            return;
        };
        self.keyframe(&from, mid, layer, request.kind);
    }

    fn keyframe(&mut self, session: &str, mid: Mid, layer: Option<Rid>, kind: KeyframeRequestKind) {
        let writer = self
            .sessions
            .get_mut(session)
            .and_then(|s| s.rtc.writer(mid));
        let Some(mut writer) = writer else {
            log!("keyframe: no writer for {session} {mid}");
            return;
        };
        if !writer.is_request_keyframe_possible(kind) {
            log!("keyframe: {kind:?} not negotiated for {session} {mid}");
            return;
        }
        if let Err(e) = writer.request_keyframe(layer, kind) {
            log!("keyframe: asking {session} {mid} {layer:?}: {e}");
        }
    }
}

/// The layer to forward: the one preferred when the pusher sends it, else the best sent.
fn layer(sent: &BTreeMap<String, Rid>, preferred: Option<Rid>) -> Option<Rid> {
    preferred
        .filter(|rid| sent.contains_key(&rid.to_string()))
        .or_else(|| sent.values().next().copied())
}
