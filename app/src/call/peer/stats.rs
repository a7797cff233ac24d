//! Connection quality sampling for one peer connection: `getStats`, reduced to the few fields
//! [`super::quality`] reads (all the JS reflection lives here), fed to its tracker.

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::RtcPeerConnectionState;

use super::quality::{Sample, StatEntry};
use super::{PeerEvent, PeerSession};

impl PeerSession {
    /// Takes one stats sample and reports the quality when the tile should change.
    pub async fn sample_quality(self: Rc<Self>) {
        if self.closed.get() {
            return;
        }
        let report = match JsFuture::from(self.pc.get_stats()).await {
            Ok(report) => report,
            Err(error) => return super::log("getStats failed", &error),
        };
        if self.closed.get() {
            return;
        }
        let connected = self.pc.connection_state() == RtcPeerConnectionState::Connected;
        let sample = Sample::from_entries(&entries(&report), js_sys::Date::now(), connected);
        let changed = self.quality.borrow_mut().observe(sample);
        if let Some(quality) = changed {
            (self.on_event)(&self.remote, PeerEvent::Quality(quality));
        }
    }
}

/// The entries of an `RTCStatsReport` (a maplike of id → stats dictionary).
pub(crate) fn entries(report: &JsValue) -> Vec<StatEntry> {
    let mut out = Vec::new();
    report
        .unchecked_ref::<js_sys::Map>()
        .for_each(&mut |value, _key| out.push(entry(&value)));
    out
}

fn entry(stats: &JsValue) -> StatEntry {
    let get = |name: &str| js_sys::Reflect::get(stats, &name.into()).ok();
    let string = |name: &str| get(name).and_then(|v| v.as_string());
    let number = |name: &str| get(name).and_then(|v| v.as_f64());
    let flag = |name: &str| get(name).and_then(|v| v.as_bool()).unwrap_or(false);
    StatEntry {
        id: string("id").unwrap_or_default(),
        kind: string("type").unwrap_or_default(),
        selected_candidate_pair_id: string("selectedCandidatePairId"),
        local_candidate_id: string("localCandidateId"),
        remote_candidate_id: string("remoteCandidateId"),
        state: string("state"),
        nominated: flag("nominated"),
        selected: flag("selected"),
        current_round_trip_time: number("currentRoundTripTime"),
        round_trip_time: number("roundTripTime"),
        candidate_type: string("candidateType"),
        packets_received: number("packetsReceived"),
        packets_lost: number("packetsLost"),
        bytes_received: number("bytesReceived"),
        mid: string("mid"),
    }
}
