//! Sockets opened ahead of the click on Join (`?standby=1`): the room page connects while the
//! person looks at their preview, so the click only sends `join`. Until then such a socket is
//! no member: it is not counted, nobody sees it, the room tells it nothing, and it may only
//! ping. On `join` the room decides exactly as it does at an upgrade (admission), using the
//! identity the upgrade verified, provided the token has not run out meanwhile.

use confab_protocol::{
    close_code, decode_client_frame, limits, ClientFrame, ErrorCode, FrameError, PeerId,
    ServerFrame,
};
use serde::{Deserialize, Serialize};

use super::{ConnGuard, Verdict};

/// What the room keeps of a standby socket (its hibernation attachment): who the upgrade
/// verified, for the admission at `join`. Its fields differ from a member's attachment, so
/// neither ever reads as the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standby<Who> {
    /// The peer id the socket will have as a member (its tag from the start).
    pub standby_peer_id: PeerId,
    /// Unix seconds at which the upgrade's token expires.
    pub standby_token_exp: i64,
    /// Unix milliseconds of its arrival (its only other frames are pings, which the runtime
    /// counts).
    #[serde(default)]
    pub standby_since_ms: i64,
    pub who: Who,
}

/// What the glue does with one frame from a standby socket.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Run the admission for this socket now.
    Join,
    Reply(Box<ServerFrame>),
    Close {
        code: u16,
        reason: &'static str,
    },
}

/// Decides what one text frame from a standby socket does: `join` (token still good) comes
/// in, `ping` is answered, anything else is refused (a strike: a page never sends it) and the
/// usual flood and size limits hold.
pub fn on_text(guard: &mut ConnGuard, text: &str, token_exp: i64, now_ms: i64) -> Vec<Step> {
    if text.len() > limits::MAX_FRAME_BYTES {
        return vec![
            Step::Reply(Box::new(ServerFrame::error(
                ErrorCode::TooLarge,
                "frame exceeds 64 KiB",
            ))),
            Step::Close {
                code: close_code::TOO_BIG,
                reason: "frame too big",
            },
        ];
    }
    match guard.admit_frame(now_ms) {
        Verdict::Allow => {}
        Verdict::Refuse => {
            return vec![Step::Reply(Box::new(FrameError::rate_limited().to_frame()))]
        }
        Verdict::Drop => return Vec::new(),
        Verdict::Close => {
            return vec![Step::Close {
                code: close_code::POLICY_VIOLATION,
                reason: "flood",
            }]
        }
    }
    match decode_client_frame(text) {
        Ok(ClientFrame::Ping {}) => vec![Step::Reply(Box::new(ServerFrame::Pong {}))],
        Ok(ClientFrame::Join {}) if expired(token_exp, now_ms / 1000) => vec![
            Step::Reply(Box::new(ServerFrame::error(
                ErrorCode::Unauthorized,
                "access token expired",
            ))),
            Step::Close {
                code: close_code::TOKEN_EXPIRED,
                reason: "token expired",
            },
        ],
        Ok(ClientFrame::Join {}) => vec![Step::Join],
        Ok(_) => refuse(
            guard,
            FrameError::new(
                ErrorCode::Forbidden,
                "this socket is not in the room yet: send `join` first",
            ),
        ),
        Err(error) => refuse(guard, error),
    }
}

/// A binary frame from a standby socket: refused like a member's.
pub fn on_binary(guard: &mut ConnGuard) -> Vec<Step> {
    refuse(
        guard,
        FrameError::new(
            ErrorCode::BinaryFrame,
            "binary frames are not part of the protocol",
        ),
    )
}

/// Whether `user_id` may open one more standby socket at `now_s`, given the user ids and
/// token expiries of those the room keeps: at most [`limits::STANDBY_CAPACITY`] in all and
/// [`limits::SEATS_PER_PERSON`] per person, not counting those whose token ran out (the glue
/// closes them: nobody renews a standby socket's token).
pub fn may_stand_by<'a>(
    standing: impl IntoIterator<Item = (&'a str, i64)>,
    user_id: &str,
    now_s: i64,
) -> bool {
    let live: Vec<&str> = standing
        .into_iter()
        .filter(|(_, exp)| !expired(*exp, now_s))
        .map(|(user, _)| user)
        .collect();
    live.len() < limits::STANDBY_CAPACITY
        && live.iter().filter(|u| **u == user_id).count() < limits::SEATS_PER_PERSON
}

/// Whether a token expiring at `exp` (Unix seconds) has run out at `now_s`.
pub fn expired(exp: i64, now_s: i64) -> bool {
    now_s > exp
}

fn refuse(guard: &mut ConnGuard, error: FrameError) -> Vec<Step> {
    let mut steps = vec![Step::Reply(Box::new(error.to_frame()))];
    if let Some((code, reason)) = guard.strike_out() {
        steps.push(Step::Close { code, reason });
    }
    steps
}

#[cfg(test)]
mod tests;
