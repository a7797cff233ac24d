//! When to restart ICE on one peer connection, and what its tile should say: a pure state
//! machine fed with the browser's connection states and the time, tested on the host.
//! `health` carries out its [`Action`]s (a `restartIce()`, which perfect negotiation turns into
//! a new offer with fresh ICE credentials, or a timer for a later [`IceRestart::tick`]).

use super::ice_servers::RelayStatus;
use crate::i18n::Texts;

/// A `disconnected` that lasts this long is treated like a failure (it often heals itself
/// within a second or two, e.g. on a brief Wi-Fi hiccup).
pub const DISCONNECTED_GRACE_MS: f64 = 3_000.0;
/// After a restart that did not help, wait this long before the next one; doubles each time.
pub const RESTART_BACKOFF_MS: f64 = 2_000.0;
pub const MAX_BACKOFF_MS: f64 = 30_000.0;
/// Restarts in a row without ever getting connected before the tile says `failed` (restarts
/// still go on, at the longest backoff: a network may come back later).
pub const RESTARTS_BEFORE_FAILED: u32 = 4;

/// The link as the browser reports it (both `iceConnectionState` and `connectionState`
/// folded into one by [`combine`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Connected,
    Disconnected,
    Failed,
    Closed,
}

/// The worse of the two browser states: either one failed or disconnected counts; connected
/// needs `connectionState` (which includes DTLS) to say so.
pub fn combine(ice: &str, connection: &str) -> Link {
    let either = |s: &str| ice == s || connection == s;
    if either("closed") {
        Link::Closed
    } else if either("failed") {
        Link::Failed
    } else if either("disconnected") {
        Link::Disconnected
    } else if connection == "connected" {
        Link::Connected
    } else {
        Link::Connecting
    }
}

/// What a participant's tile shows (`data-connection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileState {
    Connecting,
    Connected,
    Reconnecting,
    Failed,
}

impl TileState {
    pub fn as_str(self) -> &'static str {
        match self {
            TileState::Connecting => "connecting",
            TileState::Connected => "connected",
            TileState::Reconnecting => "reconnecting",
            TileState::Failed => "failed",
        }
    }
}

/// What a failed tile says to the person: why, when the relay status tells, and that it keeps
/// trying (restarts go on in the background).
pub fn failure_text(t: &Texts, name: &str, relay: Option<RelayStatus>) -> String {
    match relay {
        Some(RelayStatus::Off) => (t.cannot_connect_no_relay)(name),
        Some(RelayStatus::Unavailable) => (t.cannot_connect_relay_down)(name),
        Some(RelayStatus::Available) | None => (t.cannot_connect_at_all)(name),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    Nothing,
    /// Call `restartIce()` now.
    Restart,
    /// Call [`IceRestart::tick`] at this time (ms, same clock as `now`).
    CheckAt(f64),
}

#[derive(Debug, Clone, Default)]
pub struct IceRestart {
    link: Option<Link>,
    ever_connected: bool,
    /// ICE failed before this link ever connected: there may be no path at all (two networks
    /// that allow no direct connection, and no relay). The tile says so, and keeps saying it
    /// while restarts go on in the background, rather than flipping back to "connecting".
    failed_first: bool,
    disconnected_since: Option<f64>,
    /// Restarts since the link was last connected, and when the last one was made.
    restarts: u32,
    last_restart: Option<f64>,
}

impl IceRestart {
    pub fn new() -> Self {
        Self::default()
    }

    /// The browser reported a (possibly unchanged) state at `now` (ms).
    pub fn observe(&mut self, link: Link, now: f64) -> Action {
        let previous = self.link.replace(link);
        match link {
            Link::Connected => {
                self.ever_connected = true;
                self.disconnected_since = None;
                self.restarts = 0;
                self.last_restart = None;
                Action::Nothing
            }
            Link::Disconnected => {
                if previous != Some(Link::Disconnected) || self.disconnected_since.is_none() {
                    self.disconnected_since = Some(now);
                }
                self.tick(now)
            }
            Link::Failed => {
                self.failed_first |= !self.ever_connected;
                self.tick(now)
            }
            Link::Connecting => {
                self.disconnected_since = None;
                Action::Nothing
            }
            Link::Closed => {
                self.disconnected_since = None;
                Action::Nothing
            }
        }
    }

    /// Timer check: restart if the link has been down long enough and the backoff allows.
    pub fn tick(&mut self, now: f64) -> Action {
        let due = match self.link {
            Some(Link::Failed) => now,
            Some(Link::Disconnected) => {
                self.disconnected_since.unwrap_or(now) + DISCONNECTED_GRACE_MS
            }
            _ => return Action::Nothing,
        };
        let allowed = match self.last_restart {
            Some(at) => at + self.backoff_ms(),
            None => f64::NEG_INFINITY,
        };
        let when = due.max(allowed);
        if when <= now {
            self.restarts = self.restarts.saturating_add(1);
            self.last_restart = Some(now);
            // A restart that leaves the link disconnected gets a fresh grace period.
            if self.link == Some(Link::Disconnected) {
                self.disconnected_since = Some(now);
            }
            Action::Restart
        } else {
            Action::CheckAt(when)
        }
    }

    /// The wait after the last restart before another one.
    fn backoff_ms(&self) -> f64 {
        let doublings = self.restarts.saturating_sub(1).min(16);
        (RESTART_BACKOFF_MS * f64::from(1u32 << doublings)).min(MAX_BACKOFF_MS)
    }

    /// Whether the link has been up at least once.
    pub fn ever_connected(&self) -> bool {
        self.ever_connected
    }

    pub fn tile(&self) -> TileState {
        match self.link {
            Some(Link::Connected) => TileState::Connected,
            _ if self.restarts >= RESTARTS_BEFORE_FAILED => TileState::Failed,
            Some(Link::Closed) => TileState::Failed,
            _ if self.ever_connected => TileState::Reconnecting,
            _ if self.failed_first => TileState::Failed,
            _ => TileState::Connecting,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_combine_to_the_worse_one() {
        assert_eq!(combine("checking", "connecting"), Link::Connecting);
        assert_eq!(combine("connected", "connecting"), Link::Connecting);
        assert_eq!(combine("connected", "connected"), Link::Connected);
        assert_eq!(combine("completed", "connected"), Link::Connected);
        assert_eq!(combine("disconnected", "connected"), Link::Disconnected);
        assert_eq!(combine("failed", "disconnected"), Link::Failed);
        assert_eq!(combine("connected", "failed"), Link::Failed);
        assert_eq!(combine("closed", "failed"), Link::Closed);
    }

    fn connected() -> IceRestart {
        let mut m = IceRestart::new();
        assert_eq!(m.tile(), TileState::Connecting);
        assert_eq!(m.observe(Link::Connecting, 0.0), Action::Nothing);
        assert_eq!(m.observe(Link::Connected, 100.0), Action::Nothing);
        assert_eq!(m.tile(), TileState::Connected);
        m
    }

    #[test]
    fn a_brief_disconnect_does_not_restart() {
        let mut m = connected();
        assert_eq!(
            m.observe(Link::Disconnected, 1_000.0),
            Action::CheckAt(4_000.0)
        );
        assert_eq!(m.tile(), TileState::Reconnecting);
        assert_eq!(m.observe(Link::Connected, 2_500.0), Action::Nothing);
        assert_eq!(m.tick(4_000.0), Action::Nothing);
        assert_eq!(m.tile(), TileState::Connected);
    }

    #[test]
    fn a_disconnect_lasting_three_seconds_restarts_once() {
        let mut m = connected();
        assert_eq!(
            m.observe(Link::Disconnected, 1_000.0),
            Action::CheckAt(4_000.0)
        );
        assert_eq!(m.tick(3_999.0), Action::CheckAt(4_000.0));
        // A repeated report of the same state does not restart the grace period.
        assert_eq!(
            m.observe(Link::Disconnected, 2_000.0),
            Action::CheckAt(4_000.0)
        );
        assert_eq!(m.tick(4_000.0), Action::Restart);
        // The same timer firing twice does not restart twice.
        assert!(matches!(m.tick(4_000.0), Action::CheckAt(at) if at > 4_000.0));
        assert_eq!(m.tile(), TileState::Reconnecting);
    }

    #[test]
    fn failed_restarts_at_once() {
        let mut m = connected();
        assert_eq!(m.observe(Link::Failed, 1_000.0), Action::Restart);
        assert_eq!(m.tile(), TileState::Reconnecting);
    }

    #[test]
    fn a_first_connection_that_fails_restarts_and_says_failed_until_it_connects() {
        let mut m = IceRestart::new();
        m.observe(Link::Connecting, 0.0);
        assert_eq!(m.tile(), TileState::Connecting);
        assert_eq!(m.observe(Link::Failed, 500.0), Action::Restart);
        assert_eq!(m.tile(), TileState::Failed);
        // The restart's new checks do not make it "connecting" again: no path is known yet.
        m.observe(Link::Connecting, 600.0);
        assert_eq!(m.tile(), TileState::Failed);
        assert!(matches!(m.observe(Link::Failed, 700.0), Action::CheckAt(_)));
        assert_eq!(m.tile(), TileState::Failed);
        m.observe(Link::Connected, 900.0);
        assert_eq!(m.tile(), TileState::Connected);
        // Once it has worked, a later failure is a reconnect.
        assert_eq!(m.observe(Link::Failed, 5_000.0), Action::Restart);
        assert_eq!(m.tile(), TileState::Reconnecting);
    }

    #[test]
    fn repeated_failures_back_off_and_end_up_failed() {
        let mut m = connected();
        let mut now = 1_000.0;
        assert_eq!(m.observe(Link::Failed, now), Action::Restart);
        let mut gaps = Vec::new();
        for _ in 0..6 {
            m.observe(Link::Connecting, now + 10.0);
            let Action::CheckAt(at) = m.observe(Link::Failed, now + 20.0) else {
                panic!("a failure right after a restart must wait");
            };
            assert_eq!(m.tick(at - 1.0), Action::CheckAt(at));
            assert_eq!(m.tick(at), Action::Restart);
            gaps.push(at - now);
            now = at;
        }
        assert_eq!(
            gaps,
            vec![2_000.0, 4_000.0, 8_000.0, 16_000.0, 30_000.0, 30_000.0]
        );
        assert_eq!(m.tile(), TileState::Failed);
    }

    #[test]
    fn connected_resets_the_backoff() {
        let mut m = connected();
        assert_eq!(m.observe(Link::Failed, 1_000.0), Action::Restart);
        assert_eq!(m.observe(Link::Failed, 1_100.0), Action::CheckAt(3_000.0));
        m.observe(Link::Connected, 2_000.0);
        assert_eq!(m.tile(), TileState::Connected);
        assert_eq!(m.observe(Link::Failed, 2_100.0), Action::Restart);
    }

    #[test]
    fn closed_never_restarts() {
        let mut m = connected();
        assert_eq!(m.observe(Link::Closed, 1_000.0), Action::Nothing);
        assert_eq!(m.tick(60_000.0), Action::Nothing);
        assert_eq!(m.tile(), TileState::Failed);
    }

    #[test]
    fn failure_text_says_why() {
        let off = failure_text(crate::i18n::Lang::En.texts(), "Ben", Some(RelayStatus::Off));
        assert!(off.starts_with("Can't connect to Ben: ") && off.contains("no relay (TURN)"));
        let down = failure_text(
            crate::i18n::Lang::En.texts(),
            "Ben",
            Some(RelayStatus::Unavailable),
        );
        assert!(down.contains("relay (TURN) is unavailable"));
        for relay in [Some(RelayStatus::Available), None] {
            assert!(failure_text(crate::i18n::Lang::En.texts(), "Ben", relay)
                .contains("not even through the relay"));
        }
    }

    #[test]
    fn tile_names() {
        let names: Vec<&str> = [
            TileState::Connecting,
            TileState::Connected,
            TileState::Reconnecting,
            TileState::Failed,
        ]
        .iter()
        .map(|t| t.as_str())
        .collect();
        assert_eq!(names, ["connecting", "connected", "reconnecting", "failed"]);
    }
}
