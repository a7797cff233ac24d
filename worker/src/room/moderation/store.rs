//! The room's moderation state over its (migrated) SQLite, created by migration 4 of the room
//! schema in `chat::store`: `room_meeting` (one row: lock, size, meeting number, when it
//! emptied), `room_bans` (one row per banned user id) and `room_admissions` (the last meeting
//! each user id was let into); migration 5 adds `room_lobby` (one row: the lobby switch,
//! written with `room_meeting`) and `room_trusted` (the signed-in user ids that skip it).

use confab_protocol::{HistoryVisibility, RoomAccess};

use super::{Ban, BanEnd, MeetingState};
use crate::sql::{Sql, SqlValue, StoreError};

pub struct ModerationStore<'a, S: Sql> {
    db: &'a S,
}

impl<'a, S: Sql> ModerationStore<'a, S> {
    pub fn new(db: &'a S) -> Self {
        ModerationStore { db }
    }

    /// The room's state; a room that never had one is open (up to the deployment's limit), in
    /// meeting 1.
    pub fn meeting(&self) -> Result<MeetingState, StoreError> {
        let rows = self.db.exec(
            "SELECT locked, capacity, meeting, emptied_ms, history,
                 COALESCE((SELECT lobby FROM room_lobby WHERE id = 1), 0)
             FROM room_meeting WHERE id = 1",
            &[],
        )?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(MeetingState::default());
        };
        let [SqlValue::Integer(locked), SqlValue::Integer(capacity), SqlValue::Integer(meeting), emptied, SqlValue::Text(history), SqlValue::Integer(lobby)] =
            row.as_slice()
        else {
            return Err(StoreError::Corrupt(format!("room_meeting {row:?}")));
        };
        let corrupt = |what: &str| StoreError::Corrupt(format!("room_meeting {what} {row:?}"));
        let emptied_ms = match emptied {
            SqlValue::Null => None,
            SqlValue::Integer(ms) => Some(*ms),
            _ => return Err(corrupt("emptied_ms")),
        };
        let history = match history.as_str() {
            "everyone" => HistoryVisibility::Everyone,
            "since_joined" => HistoryVisibility::SinceJoined,
            _ => return Err(corrupt("history")),
        };
        Ok(MeetingState {
            access: RoomAccess {
                locked: *locked != 0,
                capacity: u32::try_from(*capacity).map_err(|_| corrupt("capacity"))?,
                history,
                lobby: *lobby != 0,
            },
            meeting: *meeting,
            emptied_ms,
        })
    }

    pub fn set_meeting(&self, state: &MeetingState) -> Result<(), StoreError> {
        self.db.exec(
            "INSERT INTO room_meeting (id, locked, capacity, meeting, emptied_ms, history)
             VALUES (1, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET locked = excluded.locked,
                 capacity = excluded.capacity, meeting = excluded.meeting,
                 emptied_ms = excluded.emptied_ms, history = excluded.history",
            &[
                i64::from(state.access.locked).into(),
                i64::from(state.access.capacity).into(),
                state.meeting.into(),
                state.emptied_ms.map_or(SqlValue::Null, SqlValue::Integer),
                state.access.history.as_str().into(),
            ],
        )?;
        self.db.exec(
            "INSERT INTO room_lobby (id, lobby) VALUES (1, ?)
             ON CONFLICT (id) DO UPDATE SET lobby = excluded.lobby",
            &[i64::from(state.access.lobby).into()],
        )?;
        Ok(())
    }

    /// The ban kept for `user_id`, whether or not it still holds.
    pub fn ban(&self, user_id: &str) -> Result<Option<Ban>, StoreError> {
        let rows = self.db.exec(
            "SELECT until_meeting, until_ms FROM room_bans WHERE user_id = ?",
            &[user_id.into()],
        )?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(None);
        };
        let until = match row.as_slice() {
            [SqlValue::Integer(meeting), SqlValue::Null] => BanEnd::Meeting(*meeting),
            [SqlValue::Null, SqlValue::Integer(at)] => BanEnd::At(*at),
            [SqlValue::Null, SqlValue::Null] => BanEnd::Never,
            other => return Err(StoreError::Corrupt(format!("ban {other:?}"))),
        };
        Ok(Some(Ban {
            user_id: user_id.to_owned(),
            until,
        }))
    }

    /// Keeps `ban` (replacing an earlier one for the same person).
    pub fn put_ban(&self, ban: &Ban) -> Result<(), StoreError> {
        let (meeting, at) = match ban.until {
            BanEnd::Meeting(n) => (SqlValue::Integer(n), SqlValue::Null),
            BanEnd::At(ms) => (SqlValue::Null, SqlValue::Integer(ms)),
            BanEnd::Never => (SqlValue::Null, SqlValue::Null),
        };
        self.db.exec(
            "INSERT INTO room_bans (user_id, until_meeting, until_ms) VALUES (?, ?, ?)
             ON CONFLICT (user_id) DO UPDATE SET until_meeting = excluded.until_meeting,
                 until_ms = excluded.until_ms",
            &[ban.user_id.as_str().into(), meeting, at],
        )?;
        Ok(())
    }

    /// Whether `user_id` was let in during meeting `meeting` (so a lock does not keep them out).
    pub fn admitted_in(&self, user_id: &str, meeting: i64) -> Result<bool, StoreError> {
        let rows = self.db.exec(
            "SELECT 1 FROM room_admissions WHERE user_id = ? AND meeting = ?",
            &[user_id.into(), meeting.into()],
        )?;
        Ok(!rows.is_empty())
    }

    /// Records that `user_id` was let in during meeting `meeting` at `now_ms`. The first time
    /// is kept too, with the last message sent before it.
    pub fn admit(&self, user_id: &str, meeting: i64, now_ms: i64) -> Result<(), StoreError> {
        self.db.exec(
            "INSERT INTO room_admissions (user_id, first_ms, first_seq, meeting)
             VALUES (?, ?, (SELECT last_seq FROM chat_seq WHERE id = 1), ?)
             ON CONFLICT (user_id) DO UPDATE SET meeting = excluded.meeting",
            &[user_id.into(), now_ms.into(), meeting.into()],
        )?;
        Ok(())
    }

    /// The last message sent before `user_id` was first let in (`None`: never let in).
    pub fn first_seq(&self, user_id: &str) -> Result<Option<u64>, StoreError> {
        let rows = self.db.exec(
            "SELECT first_seq FROM room_admissions WHERE user_id = ?",
            &[user_id.into()],
        )?;
        match rows.first().map(Vec::as_slice) {
            None => Ok(None),
            Some([SqlValue::Integer(seq)]) => Ok(Some(u64::try_from(*seq).unwrap_or(0))),
            Some(other) => Err(StoreError::Corrupt(format!("first_seq {other:?}"))),
        }
    }

    /// Whether a host marked `user_id` as trusted (they skip the lobby).
    pub fn trusted(&self, user_id: &str) -> Result<bool, StoreError> {
        let rows = self.db.exec(
            "SELECT 1 FROM room_trusted WHERE user_id = ?",
            &[user_id.into()],
        )?;
        Ok(!rows.is_empty())
    }

    pub fn set_trusted(&self, user_id: &str, trusted: bool) -> Result<(), StoreError> {
        let sql = if trusted {
            "INSERT OR IGNORE INTO room_trusted (user_id) VALUES (?)"
        } else {
            "DELETE FROM room_trusted WHERE user_id = ?"
        };
        self.db.exec(sql, &[user_id.into()])?;
        Ok(())
    }
}
