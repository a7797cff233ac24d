//! How the room connection is doing, in the words the page shows: why a call ended (from the
//! close code, or the user leaving) and what a reconnect says. Pure, tested on the host.

use confab_protocol::close_code;

use crate::i18n::Texts;

/// Close code of a normal close: the user's own Leave.
const NORMAL: u16 = 1000;

/// Why a call ended for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The user left.
    Left,
    /// 4409: the room has no place left.
    RoomFull,
    /// 4401 with no way to renew: signed out here or on another device.
    SessionEnded,
    /// 4403: refused at the room's door (it admits only signed-in people).
    Refused,
    /// 4411: a host removed me (or I came back while still kept out).
    Removed,
    /// 4412: the host ended the meeting for everyone.
    MeetingEnded,
    /// 4423: the room is locked and I was not in it.
    Locked,
    /// 4413: I waited in the room's lobby and a host did not let me in.
    Denied,
    /// 4410: our own newer connection took over.
    Replaced,
    /// 4429: I am in this room in two other places already.
    SeatLimit,
    /// Any other close, with the server's reason (may be empty).
    Lost { code: u16, reason: String },
}

impl Ending {
    pub fn from_close(code: u16, reason: String) -> Ending {
        match code {
            close_code::ROOM_FULL => Ending::RoomFull,
            close_code::TOKEN_EXPIRED => Ending::SessionEnded,
            close_code::FORBIDDEN => Ending::Refused,
            close_code::REMOVED => Ending::Removed,
            close_code::ENDED => Ending::MeetingEnded,
            close_code::LOCKED => Ending::Locked,
            close_code::DENIED => Ending::Denied,
            close_code::REPLACED => Ending::Replaced,
            close_code::SEAT_LIMIT => Ending::SeatLimit,
            NORMAL => Ending::Left,
            code => Ending::Lost { code, reason },
        }
    }

    /// What the page says once the call is over, in the language of `t`. Only an unknown
    /// close shows the server's own reason.
    pub fn message(&self, t: &Texts) -> String {
        match self {
            Ending::RoomFull => t.ended_room_full.into(),
            Ending::SessionEnded => t.ended_session.into(),
            Ending::Refused => t.room_for_signed_in.into(),
            Ending::Removed => t.ended_removed.into(),
            Ending::MeetingEnded => t.ended_for_all.into(),
            Ending::Locked => t.ended_locked.into(),
            Ending::Denied => t.ended_denied.into(),
            Ending::Replaced => t.ended_replaced.into(),
            Ending::SeatLimit => t.ended_seat_limit.into(),
            Ending::Left => t.ended_left.into(),
            Ending::Lost { code, reason } if reason.is_empty() => (t.ended_lost_code)(*code),
            Ending::Lost { reason, .. } => (t.ended_lost_reason)(reason),
        }
    }
}

/// What the page says while the room socket is down: retry `attempt` in `delay_ms`.
pub fn reconnecting_notice(t: &Texts, attempt: u32, delay_ms: u32) -> String {
    // Tenths of a second, rounded.
    (t.reconnecting)(attempt, delay_ms.saturating_add(50) / 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    const EN: fn() -> &'static Texts = || Lang::En.texts();

    #[test]
    fn close_codes_say_why_the_call_ended() {
        let ended = |code: u16, reason: &str| Ending::from_close(code, reason.into()).message(EN());
        assert_eq!(
            ended(4409, "room full"),
            "This room is full (8 people at most). Try again later or start a new room."
        );
        assert_eq!(
            ended(4401, "your session has ended: sign in again"),
            "Your session has ended (signed out here or on another device). Sign in again to continue."
        );
        assert_eq!(
            ended(4403, "sign in"),
            "Only signed-in people can join this room."
        );
        assert_eq!(ended(4411, "removed"), "A host removed you from this room.");
        assert_eq!(
            ended(4412, "ended"),
            "The host ended the meeting for everyone."
        );
        assert_eq!(
            ended(4423, "locked"),
            "This room is locked; a host has to unlock it before you can join."
        );
        assert_eq!(
            ended(4413, "denied"),
            "A host did not let you in to this room."
        );
        assert_eq!(
            ended(4429, "already here twice"),
            "You are already in this room in two other tabs or devices. Leave one of them to join here."
        );
        assert_eq!(
            ended(4410, "replaced"),
            "You are in this call from a newer connection; this one has ended."
        );
        assert_eq!(ended(1000, ""), "You left the call.");
        assert_eq!(Ending::Left.message(EN()), "You left the call.");
        assert_eq!(
            Ending::Left.message(Lang::Ko.texts()),
            "통화에서 나왔습니다."
        );
        assert_eq!(
            ended(1011, ""),
            "The connection to the room was lost (code 1011)."
        );
        assert_eq!(
            ended(4000, "the server stopped answering"),
            "The connection to the room was lost: the server stopped answering."
        );
    }

    #[test]
    fn a_refusal_or_removal_is_told_apart_from_other_closes() {
        assert_eq!(Ending::from_close(4403, String::new()), Ending::Refused);
        assert_eq!(Ending::from_close(4411, String::new()), Ending::Removed);
        assert_eq!(
            Ending::from_close(4412, String::new()),
            Ending::MeetingEnded
        );
        assert_eq!(Ending::from_close(4423, String::new()), Ending::Locked);
        assert_eq!(Ending::from_close(4413, String::new()), Ending::Denied);
        assert_eq!(
            Ending::from_close(1006, "gone".into()),
            Ending::Lost {
                code: 1006,
                reason: "gone".into()
            }
        );
    }

    #[test]
    fn the_reconnecting_notice_counts_attempts_and_seconds() {
        assert_eq!(
            reconnecting_notice(EN(), 1, 480),
            "Connection lost. Reconnecting… (attempt 1, in 0.5 s)"
        );
        assert_eq!(
            reconnecting_notice(EN(), 6, 10_000),
            "Connection lost. Reconnecting… (attempt 6, in 10.0 s)"
        );
    }
}
