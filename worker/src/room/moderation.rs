//! What hosts and co-hosts may do to others and to the room, decided in plain Rust: remove
//! someone (with a ban), ask someone's app to mute, lock the room, set its size, end the
//! meeting. The room keeps the results in its SQLite ([`ModerationStore`]) so they outlast
//! reconnects, hibernation and restarts.
//!
//! A *meeting* is one stretch of the room being in use. It ends when the host ends it for
//! everyone, or when the room has stood empty for [`MEETING_GRACE_MS`] after its last person
//! left (so a reload or a network change never ends it). A new meeting opens a locked room and
//! lifts the bans made "for this meeting". A room whose sockets vanished without anyone leaving
//! (a server restart) is still in its meeting when people come back.

use confab_protocol::{
    BanPeriod, ErrorCode, FrameError, HistoryVisibility, Member, Role, RoomAccess,
};

mod store;
pub use store::ModerationStore;

/// How long a room stands empty before its meeting is over.
pub const MEETING_GRACE_MS: i64 = 2 * 60 * 1000;
const HOUR_MS: i64 = 60 * 60 * 1000;

/// Whether `actor` may remove or mute `target`: hosts and co-hosts may, on anyone but
/// themselves (any of their own places) and the host.
pub fn may_moderate(actor: &Member, target: &Member) -> Result<(), FrameError> {
    if !actor.role.moderates() {
        return Err(FrameError::new(
            ErrorCode::Forbidden,
            "only a host or co-host can do that",
        ));
    }
    if target.user_id == actor.user_id {
        return Err(FrameError::new(
            ErrorCode::InvalidField,
            "that is you; leave or mute yourself instead",
        ));
    }
    if target.role == Role::Host {
        return Err(FrameError::new(
            ErrorCode::Forbidden,
            "nobody can remove or mute the host",
        ));
    }
    Ok(())
}

/// Whether `actor` may mark `target` as trusted (they skip the lobby): as for removing them,
/// and only a signed-in person (a guest's identity ends with their session).
pub fn may_trust(actor: &Member, target: &Member) -> Result<(), FrameError> {
    may_moderate(actor, target)?;
    if target.guest {
        return Err(FrameError::new(
            ErrorCode::InvalidField,
            "only signed-in people can be trusted; a guest is someone new each time",
        ));
    }
    Ok(())
}

/// Only the host ends a meeting for everyone.
pub fn may_end(actor: &Member) -> Result<(), FrameError> {
    if actor.role != Role::Host {
        return Err(FrameError::new(
            ErrorCode::Forbidden,
            "only the host can end the meeting for everyone",
        ));
    }
    Ok(())
}

/// Only hosts and co-hosts lock the room or change its size.
pub fn may_change_access(actor: &Member) -> Result<(), FrameError> {
    if !actor.role.moderates() {
        return Err(FrameError::new(
            ErrorCode::Forbidden,
            "only a host or co-host can lock the room or change its size",
        ));
    }
    Ok(())
}

/// The changes a `set_access` frame asks for (absent: kept).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccessChange {
    pub locked: Option<bool>,
    pub capacity: Option<u32>,
    pub history: Option<HistoryVisibility>,
    pub lobby: Option<bool>,
}

/// The room's access with `change`; `None` when nothing changes. A size above the
/// deployment's `limit` (most people per room) becomes the limit.
pub fn changed_access(current: RoomAccess, change: AccessChange, limit: u32) -> Option<RoomAccess> {
    let next = RoomAccess {
        locked: change.locked.unwrap_or(current.locked),
        capacity: change.capacity.map_or(current.capacity, |c| c.min(limit)),
        history: change.history.unwrap_or(current.history),
        lobby: change.lobby.unwrap_or(current.lobby),
    };
    (next != current).then_some(next)
}

/// The last message a reader may not see: none with everyone's history; with
/// [`HistoryVisibility::SinceJoined`], everything up to their first admission (`first_seq`;
/// all of it when the room has no record of them).
pub fn hidden_through(history: HistoryVisibility, first_seq: Option<u64>) -> u64 {
    match history {
        HistoryVisibility::Everyone => 0,
        HistoryVisibility::SinceJoined => first_seq.unwrap_or(u64::MAX),
    }
}

/// Someone kept out of the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    pub user_id: String,
    pub until: BanEnd,
}

/// When a ban ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BanEnd {
    /// When meeting number `n` ends.
    Meeting(i64),
    /// At this time (unix ms).
    At(i64),
    Never,
}

impl Ban {
    /// The ban a removal for `period` makes, during meeting `meeting` at `now_ms`.
    pub fn new(user_id: &str, period: BanPeriod, meeting: i64, now_ms: i64) -> Ban {
        let until = match period {
            BanPeriod::Meeting => BanEnd::Meeting(meeting),
            BanPeriod::Hour => BanEnd::At(now_ms + HOUR_MS),
            BanPeriod::Forever => BanEnd::Never,
        };
        Ban {
            user_id: user_id.to_owned(),
            until,
        }
    }

    /// Whether it still keeps its person out, in meeting `meeting` at `now_ms`.
    pub fn holds(&self, meeting: i64, now_ms: i64) -> bool {
        match self.until {
            BanEnd::Meeting(n) => n == meeting,
            BanEnd::At(end) => now_ms < end,
            BanEnd::Never => true,
        }
    }

    /// What the person is told, at removal and when they try to come back.
    pub fn refusal(&self) -> FrameError {
        let how_long = match self.until {
            BanEnd::Meeting(_) => "until this meeting ends",
            BanEnd::At(_) => "for an hour",
            BanEnd::Never => "for good",
        };
        FrameError::new(
            ErrorCode::Removed,
            format!("a host removed you from this room {how_long}"),
        )
    }
}

/// The room between people: its access, which meeting it is in, and since when it is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeetingState {
    pub access: RoomAccess,
    /// Counts meetings from 1.
    pub meeting: i64,
    /// When the last person left an otherwise empty room (`None` while anyone is in it, or
    /// when its sockets vanished without leaving).
    pub emptied_ms: Option<i64>,
}

impl Default for MeetingState {
    fn default() -> Self {
        MeetingState {
            access: RoomAccess::default(),
            meeting: 1,
            emptied_ms: None,
        }
    }
}

impl MeetingState {
    /// The state a newcomer finds: a new meeting (unlocked, its own number) when nobody is in
    /// the room and it has stood empty long enough.
    pub fn at_knock(self, nobody_present: bool, now_ms: i64) -> MeetingState {
        let over = nobody_present
            && self
                .emptied_ms
                .is_some_and(|emptied| now_ms - emptied >= MEETING_GRACE_MS);
        if over {
            self.next_meeting()
        } else {
            self
        }
    }

    /// The meeting ends now: the next one starts unlocked (the room's size is kept).
    pub fn next_meeting(self) -> MeetingState {
        MeetingState {
            access: RoomAccess {
                locked: false,
                ..self.access
            },
            meeting: self.meeting + 1,
            emptied_ms: None,
        }
    }
}

#[cfg(test)]
mod tests;
