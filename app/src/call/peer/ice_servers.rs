//! Rules around the ICE servers from `/api/ice`: the `RTCConfiguration` they make, what the
//! room says about the relay, when to fetch fresh TURN credentials, and which
//! `icecandidateerror`s are worth telling the user about. Pure, tested on the host.

use crate::i18n::Texts;
use confab_protocol::{IceResponse, IceTransportPolicy};

/// `RTCConfiguration` as JSON (the browser's own field names): the servers, and the deployer's
/// transport policy (`relay`: only relayed candidates, so peers never see each other's address).
pub fn rtc_configuration_json(ice: &IceResponse) -> serde_json::Value {
    serde_json::json!({
        "iceServers": ice.ice_servers,
        "iceTransportPolicy": ice.transport_policy.as_str(),
        "iceCandidatePoolSize": 1,
    })
}

/// What the room tells people about the relay, from one `/api/ice` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayStatus {
    /// A TURN relay is among the servers.
    Available,
    /// This server has no relay: direct paths only (a quiet note).
    Off,
    /// Relay-only, and the relay is unavailable just now (its service failed): no call can
    /// connect until it is back, which the room must say instead of hanging silently.
    Unavailable,
}

impl RelayStatus {
    pub fn of(ice: &IceResponse) -> RelayStatus {
        match (ice.relay, ice.transport_policy) {
            (true, _) => RelayStatus::Available,
            (false, IceTransportPolicy::All) => RelayStatus::Off,
            (false, IceTransportPolicy::Relay) => RelayStatus::Unavailable,
        }
    }

    /// Whether links that are not up should restart ICE now: the relay is back after being
    /// unavailable, and under relay-only they gathered no candidate at all, so nothing else
    /// (no `failed` state) would ever make them try again.
    pub fn restarts_links(self, before: Option<RelayStatus>) -> bool {
        self == RelayStatus::Available && before == Some(RelayStatus::Unavailable)
    }
}

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
    /// 401: the TURN server refused our credentials (or, with the link not up, the first
    /// gathering round ended without a relay candidate: see `relay_watch`).
    Refused,
    /// 701, or no relay candidate within a few seconds: the TURN server could not be reached.
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

    /// What the page says about it, in the language of `t`.
    pub fn message(self, t: &Texts) -> &'static str {
        match self {
            RelayProblem::Refused => t.relay_refused,
            RelayProblem::Unreachable => t.relay_unreachable,
        }
    }
}

#[cfg(test)]
mod tests {
    use confab_protocol::IceServer;

    use super::*;

    fn answer(relay: bool, transport_policy: IceTransportPolicy) -> IceResponse {
        let mut ice_servers = vec![IceServer {
            urls: vec!["stun:stun.example.com".into()],
            username: None,
            credential: None,
        }];
        if relay {
            ice_servers.push(IceServer {
                urls: vec!["turn:turn.example.com:3478".into()],
                username: Some("1700000000:guest%3Aa".into()),
                credential: Some("c3VwZXI=".into()),
            });
        }
        IceResponse {
            ice_servers,
            expires_at: 1_700_000_000,
            relay,
            transport_policy,
        }
    }

    #[test]
    fn configuration_carries_the_servers_and_the_transport_policy() {
        let relay_only = rtc_configuration_json(&answer(true, IceTransportPolicy::Relay));
        assert_eq!(relay_only["iceTransportPolicy"], "relay");
        assert_eq!(
            relay_only["iceServers"][1]["urls"][0],
            "turn:turn.example.com:3478"
        );
        assert_eq!(
            relay_only["iceServers"][1]["username"],
            "1700000000:guest%3Aa"
        );
        assert_eq!(relay_only["iceServers"][1]["credential"], "c3VwZXI=");
        // STUN entries carry no empty username/credential fields.
        assert_eq!(
            relay_only["iceServers"][0],
            serde_json::json!({"urls": ["stun:stun.example.com"]})
        );
        let any = rtc_configuration_json(&answer(false, IceTransportPolicy::All));
        assert_eq!(any["iceTransportPolicy"], "all");
        // Relay-only with the relay down stays relay-only: the privacy choice is not dropped.
        let down = rtc_configuration_json(&answer(false, IceTransportPolicy::Relay));
        assert_eq!(down["iceTransportPolicy"], "relay");
    }

    #[test]
    fn relay_status_tells_off_from_unavailable() {
        use IceTransportPolicy::{All, Relay};
        assert_eq!(RelayStatus::of(&answer(true, All)), RelayStatus::Available);
        assert_eq!(
            RelayStatus::of(&answer(true, Relay)),
            RelayStatus::Available
        );
        assert_eq!(RelayStatus::of(&answer(false, All)), RelayStatus::Off);
        assert_eq!(
            RelayStatus::of(&answer(false, Relay)),
            RelayStatus::Unavailable
        );
    }

    #[test]
    fn links_restart_only_when_the_relay_comes_back() {
        use RelayStatus::{Available, Off, Unavailable};
        assert!(Available.restarts_links(Some(Unavailable)));
        assert!(!Available.restarts_links(None));
        assert!(!Available.restarts_links(Some(Available)));
        assert!(!Available.restarts_links(Some(Off)));
        assert!(!Unavailable.restarts_links(Some(Unavailable)));
        assert!(!Off.restarts_links(Some(Unavailable)));
    }

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
    fn messages_say_what_went_wrong() {
        assert!(RelayProblem::Refused
            .message(crate::i18n::Lang::En.texts())
            .contains("refused our credentials (401)"));
        // Not "(701)": it is also what a relay that stays silent gets (see relay_watch).
        assert!(RelayProblem::Unreachable
            .message(crate::i18n::Lang::En.texts())
            .starts_with("Could not reach the relay server (TURN)"));
    }
}
