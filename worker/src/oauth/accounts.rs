//! The `Accounts` Durable Object's logic, over its SQLite through [`Sql`]. Two kinds of
//! instance, by name:
//!
//! - `state:<state>`: one sign-in's `state`, consumed once. The first consume answers fresh and
//!   records it; every later one answers used. The object deletes all its storage by alarm once
//!   the login cookie that carried the state has expired, so a replay after that fails on the
//!   cookie already.
//! - `<provider>:<provider user id>`: links a provider account to our stable user id
//!   `user:<32 hex>`, made at its first sign-in and never changed.
//!
//! Each operation is one SQL statement (`INSERT .. ON CONFLICT .. RETURNING`), so it is atomic
//! even apart from the object's own one-request-at-a-time guarantee.

use serde::{Deserialize, Serialize};

use crate::sql::{apply_migrations, Migration, Sql, SqlValue, StoreError};

const VERSION_TABLE: &str = "accounts_schema";

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    statements: &[
        "CREATE TABLE IF NOT EXISTS login_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            used_ms INTEGER NOT NULL,
            expires_ms INTEGER NOT NULL
        )",
        "CREATE TABLE IF NOT EXISTS account_link (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            user_id TEXT NOT NULL,
            provider TEXT NOT NULL,
            subject TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            last_sign_in_ms INTEGER NOT NULL
        )",
    ],
}];

/// Prefix of `state` instance names.
pub const STATE_PREFIX: &str = "state:";
/// Prefix of our stable user ids.
pub const USER_PREFIX: &str = "user:";

/// Name of the instance that holds `state`.
pub fn state_instance(state: &str) -> String {
    format!("{STATE_PREFIX}{state}")
}

/// A new stable user id from 16 random bytes: `user:` and 32 lowercase hex digits.
pub fn new_user_id(random: [u8; 16]) -> String {
    format!("{USER_PREFIX}{}", uuid::Uuid::from_bytes(random).simple())
}

/// A request from the sign-in routes (internal JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsCall {
    pub op: AccountsOp,
    pub now_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccountsOp {
    /// Consume this instance's state; its storage may go at `delete_at_ms`.
    ConsumeState { delete_at_ms: i64 },
    /// The stable user id of this instance's provider account (made now if new).
    Link { provider: String, subject: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccountsReply {
    /// `fresh`: this was the first use. The object's glue then sets its alarm to `delete_at_ms`.
    State {
        fresh: bool,
        delete_at_ms: i64,
    },
    Linked {
        user_id: String,
        created: bool,
    },
}

pub struct AccountsStore<'a, S: Sql> {
    db: &'a S,
}

impl<'a, S: Sql> AccountsStore<'a, S> {
    pub fn new(db: &'a S) -> Self {
        AccountsStore { db }
    }

    pub fn migrate(&self) -> Result<i64, StoreError> {
        apply_migrations(self.db, VERSION_TABLE, MIGRATIONS)
    }

    /// Marks the state used; `true` only the first time.
    pub fn consume_state(&self, now_ms: i64, delete_at_ms: i64) -> Result<bool, StoreError> {
        let inserted = self.db.exec(
            "INSERT INTO login_state (id, used_ms, expires_ms) VALUES (1, ?, ?)
             ON CONFLICT (id) DO NOTHING RETURNING id",
            &[now_ms.into(), delete_at_ms.into()],
        )?;
        Ok(!inserted.is_empty())
    }

    /// The linked user id, created from `new_user_id` at the first sign-in; `true` if created.
    pub fn link(
        &self,
        provider: &str,
        subject: &str,
        new_user_id: &str,
        now_ms: i64,
    ) -> Result<(String, bool), StoreError> {
        let rows = self.db.exec(
            "INSERT INTO account_link (id, user_id, provider, subject, created_ms, last_sign_in_ms)
             VALUES (1, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET last_sign_in_ms = excluded.last_sign_in_ms
             RETURNING user_id",
            &[
                new_user_id.into(),
                provider.into(),
                subject.into(),
                now_ms.into(),
                now_ms.into(),
            ],
        )?;
        match rows.first().map(Vec::as_slice) {
            // A fresh random id can only come back if this call stored it.
            Some([SqlValue::Text(user_id)]) => Ok((user_id.clone(), user_id == new_user_id)),
            other => Err(StoreError::Corrupt(format!("account link row {other:?}"))),
        }
    }
}

/// Runs one call. `new_user_id` is used only if a link is created.
pub fn handle<S: Sql>(
    store: &AccountsStore<'_, S>,
    call: &AccountsCall,
    new_user_id: &str,
) -> Result<AccountsReply, StoreError> {
    match &call.op {
        AccountsOp::ConsumeState { delete_at_ms } => Ok(AccountsReply::State {
            fresh: store.consume_state(call.now_ms, *delete_at_ms)?,
            delete_at_ms: *delete_at_ms,
        }),
        AccountsOp::Link { provider, subject } => {
            let (user_id, created) = store.link(provider, subject, new_user_id, call.now_ms)?;
            Ok(AccountsReply::Linked { user_id, created })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::host_db::HostDb;

    fn ready(db: &HostDb) -> AccountsStore<'_, HostDb> {
        let store = AccountsStore::new(db);
        assert_eq!(store.migrate(), Ok(1));
        store
    }

    #[test]
    fn state_is_fresh_once_then_used() {
        let db = HostDb::new();
        let store = ready(&db);
        assert_eq!(store.consume_state(1_000, 700_000), Ok(true));
        assert_eq!(store.consume_state(1_001, 700_000), Ok(false));
        assert_eq!(store.consume_state(2_000, 900_000), Ok(false));
        assert_eq!(db.count("SELECT COUNT(*) FROM login_state"), 1);
        assert_eq!(db.count("SELECT expires_ms FROM login_state"), 700_000);
    }

    #[test]
    fn link_is_created_once_and_then_stable() {
        let db = HostDb::new();
        let store = ready(&db);
        let first = new_user_id([0xab; 16]);
        assert_eq!(first, format!("user:{}", "ab".repeat(16)));
        assert_eq!(
            store.link("github", "583231", &first, 10),
            Ok((first.clone(), true))
        );
        let second = new_user_id([0xcd; 16]);
        assert_eq!(
            store.link("github", "583231", &second, 20),
            Ok((first.clone(), false))
        );
        assert_eq!(db.count("SELECT last_sign_in_ms FROM account_link"), 20);
        assert_eq!(db.count("SELECT created_ms FROM account_link"), 10);
    }

    #[test]
    fn calls_round_trip_as_internal_json() {
        let db = HostDb::new();
        let store = ready(&db);
        let call: AccountsCall =
            serde_json::from_str(r#"{"op":{"kind":"consume_state","delete_at_ms":5},"now_ms":1}"#)
                .unwrap();
        assert_eq!(
            handle(&store, &call, "user:x"),
            Ok(AccountsReply::State {
                fresh: true,
                delete_at_ms: 5
            })
        );
        let again = handle(&store, &call, "user:x").unwrap();
        assert_eq!(
            serde_json::to_value(&again).unwrap(),
            serde_json::json!({"kind": "state", "fresh": false, "delete_at_ms": 5})
        );
        let link = AccountsCall {
            op: AccountsOp::Link {
                provider: "kakao".into(),
                subject: "7".into(),
            },
            now_ms: 3,
        };
        assert_eq!(
            handle(&store, &link, "user:new"),
            Ok(AccountsReply::Linked {
                user_id: "user:new".into(),
                created: true
            })
        );
    }

    #[test]
    fn migrations_are_idempotent_and_failures_are_errors_not_panics() {
        let db = HostDb::new();
        let store = ready(&db);
        assert_eq!(store.migrate(), Ok(1));
        db.fail_statements_containing(Some("login_state"));
        assert!(matches!(store.consume_state(1, 2), Err(StoreError::Sql(_))));
        db.fail_statements_containing(Some("account_link"));
        assert!(store.link("google", "1", "user:a", 1).is_err());
    }

    #[test]
    fn state_instance_names() {
        assert_eq!(state_instance("abc"), "state:abc");
    }
}
