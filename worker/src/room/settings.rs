//! Room settings chosen when a room is made with `POST /api/rooms`: who made it and whether only
//! signed-in people may join. Stored in the room's own SQLite (`room_settings`, a single row,
//! created by migration 2 of the room schema in `chat::store`) and written once: a room that
//! already has settings, chat history or people in it cannot be given settings afterwards, so
//! nobody can lock others out of a room they were already using.

use confab_protocol::{ErrorCode, FrameError};

use crate::sql::{Sql, SqlValue, StoreError};

/// What a guest is told before its socket is closed with 4403.
pub const SIGN_IN_REQUIRED_MESSAGE: &str =
    "This room is only for signed-in people. Sign in to join.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSettings {
    /// User id of the person who made the room.
    pub creator: String,
    pub require_sign_in: bool,
    pub created_ms: i64,
}

/// Why settings were not stored (answered 409).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsConflict {
    #[error("this room already has settings")]
    AlreadySet,
    #[error("this room already has chat history")]
    HasHistory,
    #[error("people are already in this room")]
    Occupied,
}

/// The room's settings over its (migrated) SQLite.
pub struct SettingsStore<'a, S: Sql> {
    db: &'a S,
}

impl<'a, S: Sql> SettingsStore<'a, S> {
    pub fn new(db: &'a S) -> Self {
        SettingsStore { db }
    }

    /// The settings, or `None` for a room made by simply joining it.
    pub fn get(&self) -> Result<Option<RoomSettings>, StoreError> {
        let rows = self.db.exec(
            "SELECT creator, require_sign_in, created_ms FROM room_settings WHERE id = 1",
            &[],
        )?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(None);
        };
        match row.as_slice() {
            [SqlValue::Text(creator), SqlValue::Integer(require), SqlValue::Integer(created)] => {
                Ok(Some(RoomSettings {
                    creator: creator.clone(),
                    require_sign_in: *require != 0,
                    created_ms: *created,
                }))
            }
            other => Err(StoreError::Corrupt(format!("room settings {other:?}"))),
        }
    }

    /// Stores the settings of a new room; `members_present` counts who is connected now.
    pub fn create(
        &self,
        settings: &RoomSettings,
        members_present: usize,
    ) -> Result<Result<(), SettingsConflict>, StoreError> {
        if members_present > 0 {
            return Ok(Err(SettingsConflict::Occupied));
        }
        self.db.transaction(|| {
            if self.get()?.is_some() {
                return Ok(Err(SettingsConflict::AlreadySet));
            }
            // `chat_seq` counts every message ever posted, even ones retention removed.
            let seq = self
                .db
                .exec("SELECT last_seq FROM chat_seq WHERE id = 1", &[])?;
            let posted = matches!(
                seq.first().and_then(|row| row.first()),
                Some(SqlValue::Integer(n)) if *n > 0
            );
            if posted {
                return Ok(Err(SettingsConflict::HasHistory));
            }
            self.db.exec(
                "INSERT INTO room_settings (id, creator, require_sign_in, created_ms)
                 VALUES (1, ?, ?, ?)",
                &[
                    settings.creator.as_str().into(),
                    i64::from(settings.require_sign_in).into(),
                    settings.created_ms.into(),
                ],
            )?;
            Ok(Ok(()))
        })
    }
}

/// Whether the room's settings let this person in: a guest is refused by a room that
/// requires sign-in.
pub fn admit_identity(settings: Option<&RoomSettings>, guest: bool) -> Result<(), FrameError> {
    if guest && settings.is_some_and(|s| s.require_sign_in) {
        return Err(FrameError::new(
            ErrorCode::SignInRequired,
            SIGN_IN_REQUIRED_MESSAGE,
        ));
    }
    Ok(())
}

/// A new room's random name: 128 random bits as 32 hex characters, like the app's.
pub fn new_room_name() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{Author, ChatStore, Retention};
    use crate::sql::host_db::HostDb;

    fn migrated() -> HostDb {
        let db = HostDb::new();
        ChatStore::new(&db).migrate().expect("migrates");
        db
    }

    fn locked(creator: &str) -> RoomSettings {
        RoomSettings {
            creator: creator.into(),
            require_sign_in: true,
            created_ms: 1_800_000_000_000,
        }
    }

    #[test]
    fn a_room_joined_without_being_made_has_no_settings() {
        let db = migrated();
        assert_eq!(SettingsStore::new(&db).get(), Ok(None));
        assert!(admit_identity(None, true).is_ok());
        assert!(admit_identity(None, false).is_ok());
    }

    #[test]
    fn settings_are_stored_once_and_read_back() {
        let db = migrated();
        let store = SettingsStore::new(&db);
        assert_eq!(store.create(&locked("user:a"), 0), Ok(Ok(())));
        assert_eq!(store.get(), Ok(Some(locked("user:a"))));
        // A second creation, even by the same person with other settings, is a conflict.
        let open = RoomSettings {
            require_sign_in: false,
            ..locked("user:a")
        };
        assert_eq!(
            store.create(&open, 0),
            Ok(Err(SettingsConflict::AlreadySet))
        );
        assert_eq!(store.get(), Ok(Some(locked("user:a"))), "unchanged");
    }

    #[test]
    fn a_room_with_history_or_people_cannot_be_locked_afterwards() {
        let db = migrated();
        ChatStore::new(&db)
            .post(
                &Author {
                    user_id: "guest:g".into(),
                    name: "G".into(),
                },
                uuid::Uuid::new_v4(),
                "hello",
                1,
                &Retention::default(),
            )
            .expect("posts");
        let store = SettingsStore::new(&db);
        assert_eq!(
            store.create(&locked("user:a"), 0),
            Ok(Err(SettingsConflict::HasHistory))
        );
        let empty = migrated();
        assert_eq!(
            SettingsStore::new(&empty).create(&locked("user:a"), 1),
            Ok(Err(SettingsConflict::Occupied))
        );
        assert_eq!(SettingsStore::new(&empty).get(), Ok(None));
    }

    #[test]
    fn history_removed_by_retention_still_counts() {
        let db = migrated();
        db.exec("UPDATE chat_seq SET last_seq = 7 WHERE id = 1", &[])
            .expect("updates");
        assert_eq!(
            SettingsStore::new(&db).create(&locked("user:a"), 0),
            Ok(Err(SettingsConflict::HasHistory))
        );
    }

    #[test]
    fn guests_are_refused_only_where_sign_in_is_required() {
        let settings = locked("user:a");
        let refused = admit_identity(Some(&settings), true).unwrap_err();
        assert_eq!(refused.code, ErrorCode::SignInRequired);
        assert_eq!(refused.message, SIGN_IN_REQUIRED_MESSAGE);
        assert_eq!(
            refused.to_frame().to_json(),
            r#"{"type":"error","code":"sign_in_required","message":"This room is only for signed-in people. Sign in to join."}"#
        );
        assert!(admit_identity(Some(&settings), false).is_ok());
        let open = RoomSettings {
            require_sign_in: false,
            ..settings
        };
        assert!(admit_identity(Some(&open), true).is_ok());
    }

    #[test]
    fn a_corrupt_settings_row_is_an_error_not_a_panic() {
        let db = migrated();
        db.exec(
            "INSERT INTO room_settings (id, creator, require_sign_in, created_ms)
             VALUES (1, 'x', 'yes', 0)",
            &[],
        )
        .expect("inserts");
        assert!(matches!(
            SettingsStore::new(&db).get(),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn new_room_names_are_valid_and_distinct() {
        let (a, b) = (new_room_name(), new_room_name());
        assert_ne!(a, b);
        for name in [a, b] {
            assert_eq!(name.len(), 32);
            assert!(confab_protocol::RoomName::parse(&name).is_ok());
        }
    }
}
