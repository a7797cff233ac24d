//! What the SFU link measures: each person's share of the connection (the quality bars on
//! their tile) and their microphone's level (who is speaking).

use std::rc::Rc;

use confab_protocol::PeerId;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RtcPeerConnectionState, RtcRtpTransceiver};

use super::pulls::MIC;
use super::{SfuEvent, SfuLink};
use crate::call::peer::quality::{QualityTracker, Sample};
use crate::call::peer::stats::entries;
use crate::call::peer::voice::{now_ms, receiver_level};

impl SfuLink {
    /// One stats sample of the connection, judged for each person by the tracks they send me
    /// (loss and bitrate from the SFU; the round trip is to the SFU).
    pub async fn sample_quality(self: Rc<Self>) {
        let Ok(report) = JsFuture::from(self.pc.get_stats()).await else {
            return;
        };
        if self.closed.get() {
            return;
        }
        let entries = entries(&report);
        let connected = self.pc.connection_state() == RtcPeerConnectionState::Connected;
        let now = js_sys::Date::now();
        let changed: Vec<_> = {
            let pulls = self.pulls.borrow();
            let mut quality = self.quality.borrow_mut();
            pulls
                .mids_by_peer()
                .into_iter()
                .filter_map(|(peer, mids)| {
                    let sample = Sample::from_entries_on(&entries, Some(&mids), now, connected);
                    let at = match quality.iter().position(|(p, _)| *p == peer) {
                        Some(at) => at,
                        None => {
                            quality.push((peer.clone(), QualityTracker::new()));
                            quality.len() - 1
                        }
                    };
                    let report = quality[at].1.observe(sample)?;
                    Some((peer, report))
                })
                .collect()
        };
        for (peer, report) in changed {
            (self.on_event)(SfuEvent::Quality(peer, report));
        }
    }

    /// Each person's microphone level now (linear), from the tracks pulled.
    pub fn voice_levels(&self) -> Vec<(PeerId, f64)> {
        let Some(now) = now_ms() else {
            return Vec::new();
        };
        let pulls = self.pulls.borrow();
        self.pc
            .get_transceivers()
            .iter()
            .filter_map(|t| {
                let t: RtcRtpTransceiver = t.unchecked_into();
                let (peer, name) = pulls.on_mid(&t.mid()?)?;
                if name != MIC {
                    return None;
                }
                Some((peer.clone(), receiver_level(&t.receiver(), now)?))
            })
            .collect()
    }
}
