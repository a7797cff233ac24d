//! Simulcast through the SFU. My camera goes up in up to three layers
//! ([`crate::pulling::LAYERS`]: full, half and quarter size, none under 90 lines), and each camera I pull comes down in the layer its tile needs
//! ([`crate::pulling::next_layer`]). A camera is first pulled in the middle layer, because its
//! tile is not drawn yet. Every quality sample then measures each tile and the picture in it
//! and asks the SFU for the next layer up or down (`tracks/update`) only where the tile needs
//! it. Nine small tiles then cost nine quarter-size streams, not nine full ones.

use std::rc::Rc;

use confab_protocol::sfu_api::{Location, SimulcastPreference, TrackObject, TracksRequest};
use confab_protocol::PeerId;
use wasm_bindgen::JsCast;
use web_sys::{HtmlVideoElement, MediaStreamTrack, RtcRtpEncodingParameters};

use super::pulls::Wanted;
use super::SfuLink;
use crate::pulling::{layers_to_send, next_layer};

/// The layer a camera is pulled in before its tile is measured.
pub const FIRST_LAYER: &str = "h";

/// How long after asking for a layer its picture may take to arrive before the tile is judged
/// again on the old one (the SFU switches at the new layer's next keyframe).
const SETTLE_MS: f64 = 6_000.0;

/// The SFU's preference for `rid`. Where that layer is not there (a camera too small for it,
/// a sender whose bandwidth dropped it, a connection that cannot carry it), the SFU sends the
/// next one down rather than nothing, as the local stand-in does.
pub fn layer(rid: &str) -> SimulcastPreference {
    let next = || Some("asciibetical".to_owned());
    SimulcastPreference {
        preferred_rid: Some(rid.to_owned()),
        priority_ordering: next(),
        rid_not_available: next(),
    }
}

/// My camera's encodings, if it is large enough for more than one layer
/// ([`layers_to_send`]): each layer, smallest first (Chromium shares the bitrate out in this
/// order). `None` sends one plain stream, which the SFU forwards whatever layer is asked for.
pub fn camera_encodings(camera: &MediaStreamTrack) -> Option<js_sys::Array> {
    let settings = camera.get_settings();
    let size = |side: Option<i32>| u32::try_from(side.unwrap_or(0)).unwrap_or(0);
    let layers = layers_to_send(size(settings.get_width()), size(settings.get_height()));
    (layers.len() > 1).then(|| {
        layers
            .iter()
            .rev()
            .map(|layer| {
                let encoding = RtcRtpEncodingParameters::new();
                encoding.set_rid(layer.rid);
                encoding.set_scale_resolution_down_by(f32::from(layer.scale));
                encoding
            })
            .collect()
    })
}

/// What was asked for one camera's mid.
#[derive(Debug)]
struct Asked {
    mid: String,
    rid: &'static str,
    /// What it was before, while the update may not have reached the SFU.
    before: &'static str,
    /// The picture's height and the time when `rid` was asked for, until a new height shows.
    waiting: Option<(f64, f64)>,
}

/// The layer asked for on each camera's mid (a few: a list, as elsewhere in the page).
#[derive(Debug, Default)]
pub struct Layers {
    asked: Vec<Asked>,
}

/// A camera tile as measured: its height and its picture's, in device pixels and lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    pub tile: f64,
    pub video: f64,
}

impl Layers {
    /// The updates that move each of `cameras` (mid, pull) a layer towards what its tile needs
    /// (`measure`: `None` while the tile is not drawn, which changes nothing), at `now` (ms).
    /// They count as asked from now on.
    pub fn fit(
        &mut self,
        cameras: &[(&str, &Wanted)],
        measure: impl Fn(&PeerId) -> Option<Measured>,
        now: f64,
    ) -> Vec<TrackObject> {
        let mut updates = Vec::new();
        for (mid, wanted) in cameras {
            let Some(measured) = measure(&wanted.peer) else {
                continue;
            };
            let at = match self.asked.iter().position(|a| a.mid == *mid) {
                Some(at) => at,
                None => {
                    self.asked.push(Asked {
                        mid: (*mid).to_owned(),
                        rid: FIRST_LAYER,
                        before: FIRST_LAYER,
                        waiting: None,
                    });
                    self.asked.len() - 1
                }
            };
            let asked = &mut self.asked[at];
            if let Some((height, since)) = asked.waiting {
                if measured.video == height && now - since < SETTLE_MS {
                    continue;
                }
                asked.waiting = None;
            }
            let next = next_layer(asked.rid, measured.video, measured.tile);
            if next == asked.rid {
                continue;
            }
            asked.before = asked.rid;
            asked.rid = next;
            asked.waiting = Some((measured.video, now));
            updates.push(TrackObject {
                location: Some(Location::Remote),
                mid: Some((*mid).to_owned()),
                session_id: Some(wanted.session_id.clone()),
                track_name: Some(wanted.track.clone()),
                simulcast: Some(layer(next)),
                ..TrackObject::default()
            });
        }
        updates
    }

    /// The update of `tracks` did not reach the SFU: they keep what they had.
    pub fn unsure(&mut self, tracks: &[TrackObject]) {
        for asked in &mut self.asked {
            if tracks.iter().any(|t| t.mid.as_ref() == Some(&asked.mid)) {
                asked.rid = asked.before;
                asked.waiting = None;
            }
        }
    }

    /// `mid` carries nothing of mine any more.
    pub fn forget(&mut self, mid: &str) {
        self.asked.retain(|a| a.mid != mid);
    }
}

impl SfuLink {
    /// Measures the camera tiles and asks the SFU for the layers they need.
    pub async fn fit_layers(self: Rc<Self>) {
        let updates = {
            let pulls = self.pulls.borrow();
            let cameras = pulls.cameras();
            (self.layers.borrow_mut()).fit(&cameras, measure, js_sys::Date::now())
        };
        if updates.is_empty() {
            return;
        }
        let _turn = self.turn.lock().await;
        let (Ok(session), false) = (self.session_id(), self.closed.get()) else {
            return;
        };
        let token = (self.identity.token)();
        let request = TracksRequest {
            session_description: None,
            tracks: updates,
        };
        if let Err(error) = self.caller(&token).tracks_update(&session, &request).await {
            self.layers.borrow_mut().unsure(&request.tracks);
            self.gone_if(&error);
            super::log(
                "asking the SFU for other layers failed",
                &super::api_error(error),
            );
        }
    }
}

/// `peer`'s camera tile, if it is drawn: its height in device pixels and its picture's.
fn measure(peer: &PeerId) -> Option<Measured> {
    let window = web_sys::window()?;
    let selector = format!(
        "[data-testid=video-tile][data-kind=camera][data-peer-id=\"{}\"] video",
        peer.as_str()
    );
    let video: HtmlVideoElement = window
        .document()?
        .query_selector(&selector)
        .ok()??
        .dyn_into()
        .ok()?;
    let tile = f64::from(video.client_height()) * window.device_pixel_ratio();
    (tile > 0.0).then(|| Measured {
        tile,
        video: f64::from(video.video_height()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera(peer: &str) -> Wanted {
        Wanted {
            peer: PeerId(peer.into()),
            session_id: format!("s-{peer}"),
            track: super::super::pulls::CAMERA.into(),
        }
    }

    fn asked(updates: &[TrackObject]) -> Vec<(&str, &str)> {
        updates
            .iter()
            .map(|t| {
                let rid = t
                    .simulcast
                    .as_ref()
                    .and_then(|s| s.preferred_rid.as_deref());
                (t.mid.as_deref().unwrap_or(""), rid.unwrap_or(""))
            })
            .collect()
    }

    use crate::pulling::LAYERS;

    /// A 480-line camera's picture in `rid`.
    fn picture(rid: &str) -> f64 {
        480.0 / f64::from(LAYERS.iter().find(|l| l.rid == rid).unwrap().scale)
    }

    #[test]
    fn each_tile_steps_towards_its_layer_once_the_last_step_shows() {
        let (a, b, c) = (camera("a"), camera("b"), camera("c"));
        let cameras = [("1", &a), ("2", &b), ("3", &c)];
        let mut layers = Layers::default();
        // Everyone arrives in the first layer (240 lines): a small tile, a large one, one the
        // first layer fits and one not drawn yet.
        let tiles = |peer: &PeerId| match peer.as_str() {
            "a" => Some(100.0),
            "b" => Some(400.0),
            "c" => Some(200.0),
            _ => None,
        };
        let showing = |rid: &'static str| {
            move |peer: &PeerId| {
                tiles(peer).map(|tile| Measured {
                    tile,
                    video: picture(rid),
                })
            }
        };
        let updates = layers.fit(&cameras, showing(FIRST_LAYER), 0.0);
        assert_eq!(asked(&updates), [("1", "q"), ("2", "f")]);
        // Everything the SFU needs to find the track, as Cloudflare's API describes it.
        assert_eq!(updates[0].location, Some(Location::Remote));
        assert_eq!(updates[0].session_id.as_deref(), Some("s-a"));
        assert_eq!(updates[0].track_name.as_deref(), Some("camera"));
        // Until the new layers show, nothing is asked again.
        assert!(layers
            .fit(&cameras, showing(FIRST_LAYER), 2_000.0)
            .is_empty());
        // They show: settled.
        let settled = |peer: &PeerId| {
            let rid = match peer.as_str() {
                "a" => "q",
                "b" => "f",
                _ => "h",
            };
            tiles(peer).map(|tile| Measured {
                tile,
                video: picture(rid),
            })
        };
        assert!(layers.fit(&cameras, settled, 4_000.0).is_empty());
        // The large tile shrinks (another layout): only it steps down.
        let smaller = |peer: &PeerId| {
            settled(peer).map(|m| Measured {
                tile: m.tile.min(200.0),
                ..m
            })
        };
        assert_eq!(asked(&layers.fit(&cameras, smaller, 6_000.0)), [("2", "h")]);
        // A tile not drawn keeps what it has.
        assert!(layers.fit(&cameras, |_| None, 8_000.0).is_empty());
    }

    #[test]
    fn a_step_waits_for_the_one_before_it_to_show() {
        let d = camera("d");
        let cameras = [("4", &d)];
        let mut layers = Layers::default();
        let seen = |tile: f64, rid: &'static str| {
            move |_: &PeerId| {
                Some(Measured {
                    tile,
                    video: picture(rid),
                })
            }
        };
        assert_eq!(
            asked(&layers.fit(&cameras, seen(400.0, "h"), 0.0)),
            [("4", "f")]
        );
        // The full picture shows, then the tile shrinks: one step down, to `h`.
        assert_eq!(
            asked(&layers.fit(&cameras, seen(50.0, "f"), 8_000.0)),
            [("4", "h")]
        );
        // Judged again on the old picture it would skip `h` for `q` before `h` ever showed.
        assert!(layers.fit(&cameras, seen(50.0, "f"), 9_000.0).is_empty());
        assert_eq!(
            asked(&layers.fit(&cameras, seen(50.0, "h"), 10_000.0)),
            [("4", "q")]
        );
    }

    #[test]
    fn a_layer_that_never_shows_is_judged_again_after_a_while() {
        let a = camera("a");
        let cameras = [("1", &a)];
        let mut layers = Layers::default();
        // The sender sends no quarter layer: the picture stays at 240 lines.
        let stuck = |_: &PeerId| {
            Some(Measured {
                tile: 100.0,
                video: 240.0,
            })
        };
        assert_eq!(asked(&layers.fit(&cameras, stuck, 0.0)), [("1", "q")]);
        assert!(layers.fit(&cameras, stuck, SETTLE_MS - 1.0).is_empty());
        // Judged again on what shows: it already asks for the smallest there is.
        assert!(layers.fit(&cameras, stuck, SETTLE_MS).is_empty());
    }

    #[test]
    fn an_update_that_failed_is_asked_for_again_and_a_forgotten_mid_starts_over() {
        let a = camera("a");
        let cameras = [("1", &a)];
        let mut layers = Layers::default();
        let small = |_: &PeerId| {
            Some(Measured {
                tile: 100.0,
                video: 240.0,
            })
        };
        let updates = layers.fit(&cameras, small, 0.0);
        layers.unsure(&updates);
        assert_eq!(asked(&layers.fit(&cameras, small, 1.0)), [("1", "q")]);
        assert!(layers.fit(&cameras, small, 2.0).is_empty());
        // A mid that carried someone who left is reused: it starts from the first layer.
        layers.forget("1");
        let fits = |_: &PeerId| {
            Some(Measured {
                tile: 200.0,
                video: 240.0,
            })
        };
        assert!(layers.fit(&cameras, fits, 3.0).is_empty());
    }

    #[test]
    fn an_update_is_sent_and_read_as_the_api_s_update_types_are() {
        use confab_protocol::sfu_api::{UpdateTracksRequest, UpdateTracksResponse};
        let a = camera("a");
        let tracks = Layers::default().fit(
            &[("1", &a)],
            |_| {
                Some(Measured {
                    tile: 100.0,
                    video: 240.0,
                })
            },
            0.0,
        );
        let sent = TracksRequest {
            session_description: None,
            tracks: tracks.clone(),
        };
        let api = UpdateTracksRequest { tracks };
        assert_eq!(
            serde_json::to_value(&sent).unwrap(),
            serde_json::to_value(&api).unwrap()
        );
        let answer = UpdateTracksResponse {
            requires_immediate_renegotiation: false,
            tracks: api.tracks,
        };
        let read: confab_protocol::sfu_api::TracksResponse =
            serde_json::from_value(serde_json::to_value(&answer).unwrap()).unwrap();
        assert_eq!(read.tracks, answer.tracks);
        assert!(read.session_description.is_none());
    }
}
