//! Connection quality of one peer connection, as plain code: from two successive `getStats`
//! samples compute RTT, loss over the interval, inbound bitrate and whether the link is relayed,
//! and classify it `good|weak|bad` with hysteresis so the tile does not flicker.
//!
//! Thresholds (for a mesh call of up to 8 people, interactive speech and video):
//! - **good**: RTT < 250 ms and loss < 2 %. Below 250 ms round trip (≈ 125 ms one way) a
//!   conversation feels natural, and 2 % loss is what Opus FEC and video NACK/PLI hide.
//! - **bad**: RTT > 600 ms, or loss > 10 %, or media that had been flowing stopped for a whole
//!   interval while connected. Past 600 ms people talk over each other; past 10 % loss video
//!   freezes and speech breaks up.
//! - **weak**: anything in between.
//!
//! A peer that never sent us media (receive-only, no camera or mic) is judged by RTT and loss
//! only: "no packets" counts only once packets have flowed. A level other than the one shown
//! must be seen in [`CONFIRM`] consecutive samples before it replaces it (the first level is
//! shown at once).

use crate::i18n::Texts;

#[cfg(test)]
mod tests;

/// Round trip below which (and loss below [`GOOD_LOSS_PCT`]) a link is good.
pub const GOOD_RTT_MS: f64 = 250.0;
pub const GOOD_LOSS_PCT: f64 = 2.0;
/// Round trip or loss above which a link is bad.
pub const BAD_RTT_MS: f64 = 600.0;
pub const BAD_LOSS_PCT: f64 = 10.0;
/// Consecutive samples a new level needs before it is shown.
pub const CONFIRM: u32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Good,
    Weak,
    Bad,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Good => "good",
            Level::Weak => "weak",
            Level::Bad => "bad",
        }
    }
}

/// One `getStats` report entry, reduced to the fields we read (absent ones are `None`/empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatEntry {
    pub id: String,
    /// `type`: `transport`, `candidate-pair`, `local-candidate`, `remote-candidate`, `inbound-rtp`…
    pub kind: String,
    pub selected_candidate_pair_id: Option<String>,
    pub local_candidate_id: Option<String>,
    pub remote_candidate_id: Option<String>,
    pub state: Option<String>,
    pub nominated: bool,
    /// Firefox marks the selected pair with `selected: true` (older versions have no
    /// transport entry).
    pub selected: bool,
    pub current_round_trip_time: Option<f64>,
    /// `roundTripTime` of a `remote-inbound-rtp` entry (from RTCP receiver reports).
    pub round_trip_time: Option<f64>,
    pub candidate_type: Option<String>,
    pub packets_received: Option<f64>,
    pub packets_lost: Option<f64>,
    pub bytes_received: Option<f64>,
    /// The transceiver an `inbound-rtp` entry arrives on.
    pub mid: Option<String>,
}

/// What one `getStats` call says about a connection.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// Milliseconds (`Date.now()` or the report's timestamp).
    pub at_ms: f64,
    /// Whether the peer connection is `connected`.
    pub connected: bool,
    /// Selected pair's `currentRoundTripTime` in seconds; when that is missing or zero
    /// (Firefox 153 sometimes reports 0 on a working pair), the largest `roundTripTime` of the
    /// `remote-inbound-rtp` entries.
    pub rtt_s: Option<f64>,
    /// Summed over all inbound RTP streams (audio and video).
    pub packets_received: f64,
    pub packets_lost: f64,
    pub bytes_received: f64,
    /// The selected pair's local or remote candidate is a TURN relay.
    pub relayed: bool,
}

impl Sample {
    /// Reads a sample from report entries: the selected candidate pair (via the transport's
    /// `selectedCandidatePairId`, else a `selected` or nominated succeeded pair) and the sum
    /// of inbound RTP counters.
    pub fn from_entries(entries: &[StatEntry], at_ms: f64, connected: bool) -> Sample {
        Sample::from_entries_on(entries, None, at_ms, connected)
    }

    /// As [`Sample::from_entries`], counting only the inbound RTP that arrives on `mids` when
    /// given: one person's share of a connection that carries several people's media (the
    /// SFU's). The round trip is the connection's.
    pub fn from_entries_on(
        entries: &[StatEntry],
        mids: Option<&[&str]>,
        at_ms: f64,
        connected: bool,
    ) -> Sample {
        let by_id = |id: &Option<String>| {
            id.as_ref()
                .and_then(|id| entries.iter().find(|e| &e.id == id))
        };
        let pair = entries
            .iter()
            .filter(|e| e.kind == "transport")
            .find_map(|t| by_id(&t.selected_candidate_pair_id))
            .or_else(|| {
                entries
                    .iter()
                    .find(|e| e.kind == "candidate-pair" && e.selected)
            })
            .or_else(|| {
                entries.iter().find(|e| {
                    e.kind == "candidate-pair"
                        && e.nominated
                        && e.state.as_deref() == Some("succeeded")
                })
            });
        let is_relay = |id: &Option<String>| {
            by_id(id).and_then(|c| c.candidate_type.as_deref()) == Some("relay")
        };
        let relayed = pair
            .is_some_and(|p| is_relay(&p.local_candidate_id) || is_relay(&p.remote_candidate_id));
        let inbound = entries.iter().filter(|e| {
            e.kind == "inbound-rtp"
                && mids.is_none_or(|mids| e.mid.as_deref().is_some_and(|m| mids.contains(&m)))
        });
        let sum = |f: fn(&StatEntry) -> Option<f64>| inbound.clone().filter_map(f).sum::<f64>();
        Sample {
            at_ms,
            connected,
            rtt_s: pair
                .and_then(|p| p.current_round_trip_time)
                .filter(|rtt| *rtt > 0.0)
                .or_else(|| {
                    entries
                        .iter()
                        .filter(|e| e.kind == "remote-inbound-rtp")
                        .filter_map(|e| e.round_trip_time)
                        .filter(|rtt| *rtt > 0.0)
                        .reduce(f64::max)
                }),
            packets_received: sum(|e| e.packets_received),
            packets_lost: sum(|e| e.packets_lost),
            bytes_received: sum(|e| e.bytes_received),
            relayed,
        }
    }
}

/// The link over one interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    pub rtt_ms: Option<f64>,
    pub loss_pct: f64,
    pub kbps: f64,
    pub packets: f64,
    pub relayed: bool,
}

/// RTT, loss and bitrate between two samples (counters that went backwards count as zero).
pub fn measure(prev: &Sample, cur: &Sample) -> Measurement {
    let received = (cur.packets_received - prev.packets_received).max(0.0);
    let lost = (cur.packets_lost - prev.packets_lost).max(0.0);
    let loss_pct = if received + lost > 0.0 {
        100.0 * lost / (received + lost)
    } else {
        0.0
    };
    let ms = cur.at_ms - prev.at_ms;
    let bytes = (cur.bytes_received - prev.bytes_received).max(0.0);
    // bytes · 8 / ms = kbit/s
    let kbps = if ms > 0.0 { bytes * 8.0 / ms } else { 0.0 };
    Measurement {
        rtt_ms: cur.rtt_s.map(|s| s * 1000.0),
        loss_pct,
        kbps,
        packets: received,
        relayed: cur.relayed,
    }
}

/// The level of one interval; `stalled`: media had flowed before and none came in this one.
pub fn classify(m: &Measurement, stalled: bool) -> Level {
    let rtt = m.rtt_ms.unwrap_or(0.0);
    if stalled || rtt > BAD_RTT_MS || m.loss_pct > BAD_LOSS_PCT {
        Level::Bad
    } else if rtt < GOOD_RTT_MS && m.loss_pct < GOOD_LOSS_PCT {
        Level::Good
    } else {
        Level::Weak
    }
}

/// What a tile shows.
#[derive(Clone, Debug, PartialEq)]
pub struct QualityReport {
    pub level: Level,
    pub relayed: bool,
    pub rtt_ms: Option<u32>,
    pub loss_pct: f64,
    pub kbps: u32,
}

impl QualityReport {
    /// "Connection: good (RTT 12 ms, loss 0 %, 400 kbit/s)", in the language of `t`.
    pub fn label(&self, t: &Texts) -> String {
        let level = match self.level {
            Level::Good => t.quality_good,
            Level::Weak => t.quality_weak,
            Level::Bad => t.quality_bad,
        };
        let loss = self.loss_pct.round() as u32;
        (t.quality_label)(level, self.rtt_ms, loss, self.kbps, self.relayed)
    }

    /// Worth a new event: level or relay changed, or the figures moved noticeably.
    fn differs(&self, other: &QualityReport) -> bool {
        let rtt_moved = match (self.rtt_ms, other.rtt_ms) {
            (Some(a), Some(b)) => a.abs_diff(b) >= 25,
            (a, b) => a.is_some() != b.is_some(),
        };
        self.level != other.level
            || self.relayed != other.relayed
            || rtt_moved
            || self.loss_pct.round() != other.loss_pct.round()
    }
}

/// Per-connection state: the last sample, the level shown and the one waiting to be confirmed.
#[derive(Debug, Default)]
pub struct QualityTracker {
    prev: Option<Sample>,
    flowed: bool,
    shown: Option<Level>,
    pending: Option<(Level, u32)>,
    last: Option<QualityReport>,
}

impl QualityTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one sample; returns a report when the tile should change. While the connection
    /// is not connected nothing is judged (the tile shows its link state) and the next
    /// interval starts afresh.
    pub fn observe(&mut self, sample: Sample) -> Option<QualityReport> {
        if !sample.connected {
            self.prev = None;
            self.pending = None;
            return None;
        }
        let prev = self.prev.replace(sample.clone())?;
        let m = measure(&prev, &sample);
        let level = classify(&m, self.flowed && m.packets == 0.0);
        self.flowed |= m.packets > 0.0;
        let shown = self.confirm(level);
        let report = QualityReport {
            level: shown,
            relayed: m.relayed,
            rtt_ms: m.rtt_ms.map(|ms| ms.round() as u32),
            loss_pct: m.loss_pct,
            kbps: m.kbps.round() as u32,
        };
        let changed = self.last.as_ref().is_none_or(|last| last.differs(&report));
        if changed {
            self.last = Some(report.clone());
            Some(report)
        } else {
            None
        }
    }

    /// The level to show after seeing `level`.
    fn confirm(&mut self, level: Level) -> Level {
        match self.shown {
            None => {
                self.shown = Some(level);
                level
            }
            Some(shown) if shown == level => {
                self.pending = None;
                shown
            }
            Some(shown) => {
                let count = match self.pending {
                    Some((pending, n)) if pending == level => n + 1,
                    _ => 1,
                };
                if count >= CONFIRM {
                    self.pending = None;
                    self.shown = Some(level);
                    level
                } else {
                    self.pending = Some((level, count));
                    shown
                }
            }
        }
    }
}
