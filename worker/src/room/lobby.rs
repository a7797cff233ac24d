//! The room's lobby, decided in plain Rust. With the lobby on, a newcomer who is not a host,
//! co-host, trusted member or someone already let in this meeting is held: their socket is
//! accepted with a [`Waiting`] attachment, which keeps it out of the members, the broadcasts
//! and every lookup of a peer, and it is sent only `lobby`. Hosts and co-hosts get the list of
//! waiting people ([`waiting_list`]) whenever it changes and let them in ([`admittable`]) or
//! turn them away. A waiting socket may only ping and renew its token ([`on_waiting_frame`]).

use confab_protocol::{ClientFrame, ErrorCode, FrameError, Member, PeerId, Waiter};
use serde::{Deserialize, Serialize};

use super::Attachment;

/// Why a socket is not (yet) a member: the lobby holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    /// When it started waiting (unix ms): the list is oldest first.
    pub since_ms: i64,
    /// The room's name, for the `welcome` it gets when let in.
    pub room: String,
}

/// Who waits, oldest first (ties by peer id, the same order for every host).
pub fn waiting_list(waiters: impl IntoIterator<Item = Attachment>) -> Vec<Waiter> {
    let mut held: Vec<(i64, Member)> = waiters
        .into_iter()
        .filter(|a| !a.closing)
        .filter_map(|a| Some((a.waiting?.since_ms, a.member)))
        .collect();
    held.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.peer_id.cmp(&y.peer_id)));
    held.into_iter()
        .map(|(_, member)| Waiter {
            peer_id: member.peer_id,
            name: member.name,
            guest: member.guest,
            avatar: member.avatar,
        })
        .collect()
}

/// Only hosts and co-hosts let people in or turn them away.
pub fn may_let_in(actor: &Member) -> Result<(), FrameError> {
    if !actor.role.moderates() {
        return Err(FrameError::new(
            ErrorCode::Forbidden,
            "only a host or co-host can let people in",
        ));
    }
    Ok(())
}

/// The waiting sockets `asked` names, in the order asked, that fit in a room of `capacity`
/// holding `present` members; `left` counts those that were waiting but did not fit. Ids no
/// longer waiting (they left a moment ago) and sockets whose access token ran out before
/// `now_s` (a waiting page only pings, which never reaches the room's expiry check) are
/// skipped.
pub fn admittable(
    asked: &[PeerId],
    waiters: &[Attachment],
    present: usize,
    capacity: usize,
    now_s: i64,
) -> (Vec<Attachment>, usize) {
    let mut chosen: Vec<Attachment> = Vec::new();
    for peer in asked {
        let found = waiters.iter().find(|a| {
            a.waiting.is_some() && !a.closing && a.token_exp >= now_s && &a.member.peer_id == peer
        });
        if let Some(waiter) = found {
            if !chosen.iter().any(|c| &c.member.peer_id == peer) {
                chosen.push(waiter.clone());
            }
        }
    }
    let room_for = capacity.saturating_sub(present);
    let left = chosen.len().saturating_sub(room_for);
    chosen.truncate(room_for);
    (chosen, left)
}

/// A waiting socket's attachment once it is let in.
pub fn let_in(mut waiter: Attachment) -> Attachment {
    waiter.waiting = None;
    waiter
}

/// What a waiting socket may send: heartbeats and token renewals go on as for members
/// (`None`: handle it so); anything else is refused, so nothing of the room reaches it.
pub fn on_waiting_frame(frame: &ClientFrame) -> Option<FrameError> {
    match frame {
        ClientFrame::Ping {} | ClientFrame::Auth { .. } => None,
        _ => Some(FrameError::new(
            ErrorCode::Forbidden,
            "you are waiting for a host to let you in",
        )),
    }
}

/// What a person turned away is told.
pub fn denied() -> FrameError {
    FrameError::new(
        ErrorCode::Denied,
        "a host did not let you into this room; you may ask again",
    )
}

#[cfg(test)]
mod tests;
