//! Noticing a relay (TURN) server that never answers. Browsers report an unreachable TURN
//! server (`icecandidateerror` 701) only at the end of their own long retransmission schedule:
//! Chromium 156 said nothing within 60 s in the NAT tests, so a call that needs the relay would
//! hang silently. Instead, when the ICE servers include a relay and the first gathering round
//! has gone on for [`RELAY_GATHER_TIMEOUT_MS`] without a relay candidate, the relay counts as
//! out of reach. (A relay that answers gives its candidate within a round trip or two; one that
//! refuses our credentials is reported by its own 401, which is the better message, or, when
//! the 401 went to nobody, by a round that ends without a relay candidate.)

/// How long a gathering round may go without a relay candidate before the relay counts as
/// unreachable.
pub const RELAY_GATHER_TIMEOUT_MS: f64 = 5_000.0;

/// One peer connection's watch over its first gathering round. Rounds of later ICE restarts
/// are not watched: they mostly follow a lost network, where no relay candidate says nothing
/// about the relay, and a notice then would outlive the outage.
#[derive(Debug, Clone, Default)]
pub struct RelayWatch {
    /// Whether the ICE servers include a TURN relay at all.
    expected: bool,
    /// Whether the first round has started.
    started: bool,
    /// When the current gathering round started, while it has no relay candidate and has not
    /// been reported.
    pending_since: Option<f64>,
}

impl RelayWatch {
    pub fn new(expected: bool) -> Self {
        RelayWatch {
            expected,
            started: false,
            pending_since: None,
        }
    }

    /// `icegatheringstatechange` to `gathering` at `now` (ms): when to call
    /// [`RelayWatch::overdue`], if a relay is expected and this is the first round.
    pub fn gathering_started(&mut self, now: f64) -> Option<f64> {
        if std::mem::replace(&mut self.started, true) || !self.expected {
            return None;
        }
        self.pending_since = Some(now);
        Some(now + RELAY_GATHER_TIMEOUT_MS)
    }

    /// A local candidate was gathered (its `candidate` attribute line).
    pub fn candidate(&mut self, line: &str) {
        if is_relay_candidate(line) {
            self.pending_since = None;
        }
    }

    /// `icegatheringstatechange` to `complete`: whether the first round ended without a relay
    /// candidate (and was not reported yet). A relay that never answers keeps a round going
    /// far longer than [`RELAY_GATHER_TIMEOUT_MS`], so one that ended sooner had an answer,
    /// and it was not an allocation: a refusal. This is how a refusal shows when the peer
    /// connection gathered ahead, before anyone listened: Chromium fires the 401's
    /// `icecandidateerror` then to nobody, and never again.
    pub fn ended_without_relay(&mut self) -> bool {
        self.pending_since.take().is_some()
    }

    /// Whether the first round has gone too long without a relay candidate; true at most once.
    pub fn overdue(&mut self, now: f64) -> bool {
        match self.pending_since {
            Some(since) if now - since >= RELAY_GATHER_TIMEOUT_MS => {
                self.pending_since = None;
                true
            }
            _ => false,
        }
    }
}

/// Whether an ICE candidate line (`candidate:… typ relay …`, RFC 8839 §5.1) is a relay one.
pub fn is_relay_candidate(line: &str) -> bool {
    let mut words = line.split_ascii_whitespace();
    words.any(|w| w == "typ") && words.next() == Some("relay")
}

#[cfg(test)]
mod tests {
    use super::*;

    const RELAY: &str =
        "candidate:1 1 udp 41885439 198.51.100.1 50000 typ relay raddr 198.51.100.2 rport 40000";
    const HOST: &str = "candidate:2 1 udp 2122260223 198.51.100.2 40000 typ host generation 0";

    #[test]
    fn relay_candidates_are_told_apart() {
        assert!(is_relay_candidate(RELAY));
        assert!(!is_relay_candidate(HOST));
        assert!(!is_relay_candidate(
            "candidate:3 1 udp 1 203.0.113.9 1 typ srflx raddr 0.0.0.0 rport 0"
        ));
        assert!(!is_relay_candidate(""));
        assert!(!is_relay_candidate("typ"));
        // The word after `typ` is what counts, not a `relay` elsewhere.
        assert!(!is_relay_candidate(
            "candidate:relay 1 udp 1 10.0.0.1 1 typ host"
        ));
    }

    #[test]
    fn a_round_without_a_relay_candidate_is_overdue_once() {
        let mut watch = RelayWatch::new(true);
        assert_eq!(watch.gathering_started(1_000.0), Some(6_000.0));
        watch.candidate(HOST);
        assert!(!watch.overdue(5_999.0));
        assert!(watch.overdue(6_000.0));
        assert!(!watch.overdue(9_000.0));
    }

    #[test]
    fn a_round_that_ends_without_a_relay_candidate_is_told_once_and_not_also_overdue() {
        let mut watch = RelayWatch::new(true);
        watch.gathering_started(0.0);
        watch.candidate(HOST);
        assert!(watch.ended_without_relay());
        assert!(!watch.ended_without_relay());
        assert!(!watch.overdue(60_000.0));
    }

    #[test]
    fn a_round_that_ends_with_a_relay_candidate_or_after_being_overdue_is_not_told_again() {
        let mut watch = RelayWatch::new(true);
        watch.gathering_started(0.0);
        watch.candidate(RELAY);
        assert!(!watch.ended_without_relay());
        let mut watch = RelayWatch::new(true);
        watch.gathering_started(0.0);
        assert!(watch.overdue(5_000.0));
        assert!(!watch.ended_without_relay());
        let mut watch = RelayWatch::new(false);
        watch.gathering_started(0.0);
        assert!(!watch.ended_without_relay());
    }

    #[test]
    fn a_relay_candidate_settles_the_round() {
        let mut watch = RelayWatch::new(true);
        watch.gathering_started(0.0);
        watch.candidate(RELAY);
        assert!(!watch.overdue(60_000.0));
    }

    #[test]
    fn rounds_after_the_first_are_not_watched() {
        let mut watch = RelayWatch::new(true);
        watch.gathering_started(0.0);
        watch.candidate(RELAY);
        // An ICE restart after a lost network gathers again, maybe with no relay candidate.
        assert_eq!(watch.gathering_started(70_000.0), None);
        assert!(!watch.overdue(80_000.0));
    }

    #[test]
    fn no_relay_configured_means_nothing_to_watch() {
        let mut watch = RelayWatch::new(false);
        assert_eq!(watch.gathering_started(0.0), None);
        assert!(!watch.overdue(60_000.0));
    }
}
