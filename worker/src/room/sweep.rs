//! The room's sweep: sockets nobody renews or hears from are closed without waiting for them
//! to send a frame. A socket whose access token ran out (and was not renewed over the socket)
//! is closed with 4401: that is how a stolen token, or a session ended everywhere, loses the
//! room within the token's lifetime (ten minutes), since a renewal needs the refresh cookie's
//! session. A socket silent for the silence limit (no `ping`, no frame) is closed as a ghost
//! (4408): its owner vanished without a close, and the others should not keep its tile.
//!
//! The object runs the sweep by alarm, set for the earliest moment any open socket could be
//! judged, and only while sockets are open, so an empty room sleeps. Pings are answered by the
//! runtime without waking the object; the runtime remembers when it last did so per socket,
//! which is what "heard from" reads besides the socket's own frames.

/// How long a socket may stay silent before it is taken for a vanished client: the app pings
/// every 25 s, and a page in a background tab may have its timers slowed to once a minute.
pub const DEFAULT_SILENT_SECONDS: i64 = 90;
/// A member's "last heard" in its attachment is rewritten at most this often by its frames, so
/// a busy socket costs one attachment write per half minute, not one per frame.
pub const HEARD_REFRESH_MS: i64 = 30_000;
/// Sweeps closer together than this are merged: one alarm judges several deadlines.
const MIN_GAP_MS: i64 = 1_000;

/// What the sweep needs to know of one open socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Unix seconds at which its access token expires.
    pub token_exp: i64,
    /// Unix milliseconds of the last sign of life: a frame, an answered ping, or its arrival.
    pub heard_ms: i64,
}

/// What the sweep does with one socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Still good; to be judged again at `until_ms` at the latest.
    Keep { until_ms: i64 },
    /// Its token ran out: close with 4401.
    Expired,
    /// Nothing heard for the silence limit: close with 4408.
    Silent,
}

/// Judges one socket at `now_ms`. A token is expired from the second after `exp`, as a frame
/// is judged ([`super::on_text`]).
pub fn judge(seen: Seen, now_ms: i64, silent_ms: i64) -> Fate {
    let expires_ms = seen.token_exp.saturating_add(1).saturating_mul(1000);
    if now_ms >= expires_ms {
        return Fate::Expired;
    }
    let silent_at_ms = seen.heard_ms.saturating_add(silent_ms);
    if now_ms >= silent_at_ms {
        return Fate::Silent;
    }
    Fate::Keep {
        until_ms: expires_ms.min(silent_at_ms),
    }
}

/// When the next sweep should run after judging `fates` at `now_ms`; `None` when no socket is
/// kept (the room then sleeps until someone comes).
pub fn next_sweep(fates: impl IntoIterator<Item = Fate>, now_ms: i64) -> Option<i64> {
    fates
        .into_iter()
        .filter_map(|fate| match fate {
            Fate::Keep { until_ms } => Some(until_ms),
            Fate::Expired | Fate::Silent => None,
        })
        .min()
        .map(|at| at.max(now_ms + MIN_GAP_MS))
}

/// Whether a member's frame at `now_ms` should rewrite its attachment's last-heard time.
pub fn refresh_heard(heard_ms: i64, now_ms: i64) -> bool {
    now_ms - heard_ms >= HEARD_REFRESH_MS
}

/// The silence limit in milliseconds from `SILENT_SOCKET_SECONDS` (whole seconds, 5 to a day;
/// unset: [`DEFAULT_SILENT_SECONDS`]).
pub fn silent_ms(raw: Option<&str>) -> Result<i64, String> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(DEFAULT_SILENT_SECONDS * 1000);
    };
    match raw.parse::<i64>() {
        Ok(seconds) if (5..=86_400).contains(&seconds) => Ok(seconds * 1000),
        _ => Err(format!(
            "SILENT_SOCKET_SECONDS must be whole seconds from 5 to 86400, not {raw:?}"
        )),
    }
}

#[cfg(test)]
mod tests;
