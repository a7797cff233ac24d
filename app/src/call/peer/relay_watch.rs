//! Noticing a relay (TURN) server that never answers. Browsers report an unreachable TURN
//! server (`icecandidateerror` 701) only at the end of their own long retransmission schedule:
//! Chromium 156 said nothing within 60 s in the NAT tests, so a call that needs the relay would
//! hang silently. Instead, when the ICE servers include a relay and the first gathering round
//! has gone on for [`RELAY_GATHER_TIMEOUT_MS`] without a relay candidate, the relay counts as
//! out of reach. (A relay that answers gives its candidate within a round trip or two; one that
//! refuses our credentials is reported by its own 401, which is the better message.)
//!
//! A 401 can go to nobody: the page makes a peer connection ahead of the click on Join, which
//! gathers at once, and Chromium fires that `icecandidateerror` then, before any session
//! listens, and never again. So when the round *ended* without a relay candidate, the watch
//! calls it a refusal instead: a relay that never answers keeps a round going far longer. It
//! is still only said when the link is not up by the deadline (see `health`): a round made
//! ahead while the network was down also ends early, and blaming the relay then would be wrong.

use super::ice_servers::RelayProblem;

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
    /// Whether that round ended (gathering `complete`) without a relay candidate.
    ended: bool,
}

impl RelayWatch {
    pub fn new(expected: bool) -> Self {
        RelayWatch {
            expected,
            started: false,
            pending_since: None,
            ended: false,
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

    /// `icegatheringstatechange` to `complete`: the round ended, with or without a relay
    /// candidate.
    pub fn gathering_complete(&mut self) {
        self.ended = self.pending_since.is_some();
    }

    /// What the first round's lack of a relay candidate says once [`RELAY_GATHER_TIMEOUT_MS`]
    /// have passed: a refusal if the round ended, an unreachable relay if it goes on. Some at
    /// most once.
    pub fn overdue(&mut self, now: f64) -> Option<RelayProblem> {
        match self.pending_since {
            Some(since) if now - since >= RELAY_GATHER_TIMEOUT_MS => {
                self.pending_since = None;
                Some(if self.ended {
                    RelayProblem::Refused
                } else {
                    RelayProblem::Unreachable
                })
            }
            _ => None,
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
        assert_eq!(watch.overdue(5_999.0), None);
        assert_eq!(watch.overdue(6_000.0), Some(RelayProblem::Unreachable));
        assert_eq!(watch.overdue(9_000.0), None);
    }

    #[test]
    fn a_round_that_ended_without_a_relay_candidate_is_a_refusal_at_the_deadline() {
        let mut watch = RelayWatch::new(true);
        watch.gathering_started(0.0);
        watch.candidate(HOST);
        watch.gathering_complete();
        assert_eq!(watch.overdue(4_999.0), None);
        assert_eq!(watch.overdue(5_000.0), Some(RelayProblem::Refused));
        assert_eq!(watch.overdue(9_000.0), None);
    }

    #[test]
    fn a_round_that_ended_with_a_relay_candidate_says_nothing() {
        let mut watch = RelayWatch::new(true);
        watch.gathering_started(0.0);
        watch.candidate(RELAY);
        watch.gathering_complete();
        assert_eq!(watch.overdue(60_000.0), None);
    }

    #[test]
    fn a_relay_candidate_settles_the_round() {
        let mut watch = RelayWatch::new(true);
        watch.gathering_started(0.0);
        watch.candidate(RELAY);
        assert_eq!(watch.overdue(60_000.0), None);
    }

    #[test]
    fn rounds_after_the_first_are_not_watched() {
        let mut watch = RelayWatch::new(true);
        watch.gathering_started(0.0);
        watch.candidate(RELAY);
        // An ICE restart after a lost network gathers again, maybe with no relay candidate.
        assert_eq!(watch.gathering_started(70_000.0), None);
        assert_eq!(watch.overdue(80_000.0), None);
    }

    #[test]
    fn no_relay_configured_means_nothing_to_watch() {
        let mut watch = RelayWatch::new(false);
        assert_eq!(watch.gathering_started(0.0), None);
        assert_eq!(watch.overdue(60_000.0), None);
    }
}
