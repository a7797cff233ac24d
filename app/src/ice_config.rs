//! Rules around the ICE servers from `/api/ice`: when to fetch fresh TURN credentials, and
//! which `icecandidateerror`s are worth telling the user about. Pure, tested on the host.

/// Refresh when this share of the credentials' remaining life has passed.
pub const REFRESH_AT: f64 = 0.8;
pub const MIN_REFRESH_MS: f64 = 30_000.0;
pub const MAX_REFRESH_MS: f64 = 24.0 * 3_600_000.0;

/// How long to wait before asking `/api/ice` again, for credentials that expire at
/// `expires_at` (Unix seconds) seen at `now_ms` (Unix milliseconds): 80 % of the remaining
/// time, at least 30 s (also for credentials already expired or a skewed clock), at most 24 h.
pub fn refresh_delay_ms(expires_at: i64, now_ms: f64) -> u32 {
    let remaining = expires_at as f64 * 1000.0 - now_ms;
    let delay = (remaining * REFRESH_AT).clamp(MIN_REFRESH_MS, MAX_REFRESH_MS);
    if delay.is_nan() {
        MIN_REFRESH_MS as u32
    } else {
        delay as u32
    }
}

/// An `icecandidateerror` the user should hear about (once per peer and kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelayProblem {
    /// 401: the TURN server refused our credentials.
    Refused,
    /// 701: the TURN server could not be reached.
    Unreachable,
}

impl RelayProblem {
    /// Only errors from a TURN server count: an unreachable public STUN server (701) is common
    /// and harmless when the direct path works.
    pub fn classify(error_code: u16, url: &str) -> Option<RelayProblem> {
        let url = url.to_ascii_lowercase();
        if !(url.starts_with("turn:") || url.starts_with("turns:")) {
            return None;
        }
        match error_code {
            401 => Some(RelayProblem::Refused),
            701 => Some(RelayProblem::Unreachable),
            _ => None,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            RelayProblem::Refused => {
                "The relay refused our credentials (401): calls that need the relay (TURN) \
                 may not connect. Check the server's TURN secret."
            }
            RelayProblem::Unreachable => {
                "Could not reach the relay server (701): calls across strict networks may not \
                 connect. Check that the TURN server is running and reachable."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_MS: f64 = 1_700_000_000_000.0;

    #[test]
    fn refreshes_at_eighty_percent_of_the_remaining_time() {
        // 24 h credentials: after 19.2 h.
        assert_eq!(refresh_delay_ms(1_700_086_400, NOW_MS), 69_120_000);
        // 10 minutes: after 8.
        assert_eq!(refresh_delay_ms(1_700_000_600, NOW_MS), 480_000);
    }

    #[test]
    fn never_sooner_than_thirty_seconds() {
        assert_eq!(refresh_delay_ms(1_700_000_010, NOW_MS), 30_000);
        // Already expired, or a clock far ahead: still not a tight loop.
        assert_eq!(refresh_delay_ms(1_600_000_000, NOW_MS), 30_000);
        assert_eq!(refresh_delay_ms(0, NOW_MS), 30_000);
        assert_eq!(refresh_delay_ms(i64::MIN, NOW_MS), 30_000);
        assert_eq!(refresh_delay_ms(1_700_000_000, f64::NAN), 30_000);
    }

    #[test]
    fn never_later_than_a_day() {
        assert_eq!(refresh_delay_ms(1_800_000_000, NOW_MS), 86_400_000);
        assert_eq!(refresh_delay_ms(i64::MAX, NOW_MS), 86_400_000);
    }

    #[test]
    fn only_turn_errors_401_and_701_are_problems() {
        let turn = "turn:turn.example.com:3478?transport=udp";
        assert_eq!(
            RelayProblem::classify(401, turn),
            Some(RelayProblem::Refused)
        );
        assert_eq!(
            RelayProblem::classify(701, "TURNS:turn.example.com:443"),
            Some(RelayProblem::Unreachable)
        );
        assert_eq!(
            RelayProblem::classify(701, "stun:stun.l.google.com:19302"),
            None
        );
        assert_eq!(RelayProblem::classify(401, "stun:stun.example.com"), None);
        assert_eq!(RelayProblem::classify(487, turn), None);
        assert_eq!(RelayProblem::classify(600, turn), None);
        assert_eq!(RelayProblem::classify(701, ""), None);
    }

    #[test]
    fn messages_name_the_code() {
        assert!(RelayProblem::Refused.message().contains("(401)"));
        assert!(RelayProblem::Unreachable.message().contains("(701)"));
    }
}
