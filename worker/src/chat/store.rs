//! Chat storage: schema migrations, SQL and row mapping, over a small [`Sql`] trait so the same
//! code runs on Durable Object SQLite in the worker and on an in-memory SQLite in host tests
//! (see [`crate::sql`]).
//!
//! Tables (one room per Durable Object, so every table is the room's):
//! - `chat_messages`: one row per message, keyed by the room's `seq`; `client_id` is UNIQUE
//!   (a resend of a known id returns the stored message).
//! - `chat_seq`: the last `seq` handed out. Kept apart from the messages so retention can delete
//!   every message without `seq` ever going back.
//! - `chat_search`: FTS5 over terms computed in [`super::search`], `rowid` = `seq`; contentless
//!   (only the index is stored) with deletes enabled, so retention can remove rows.
//! - `search_terms_version`: the [`search::TERMS_VERSION`] the index was built with; an older
//!   one (or none: rooms from before it was recorded) makes `migrate` rebuild the index.
//!
//! - `room_settings` (migration 2): set once when a room is made with `POST /api/rooms`; read
//!   and written by the room's settings store (`room::settings`), which builds on this schema.
//!
//! A message, its search row and any retention pruning are written in one transaction.

use confab_protocol::ChatMessage;
use uuid::Uuid;

use super::search;
use super::Retention;
use crate::sql::{
    applied_version, apply_migrations, record_version, recorded_version, Migration, Row, Sql,
    SqlValue, StoreError,
};

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        statements: &[
            "CREATE TABLE IF NOT EXISTS chat_messages (
            seq INTEGER PRIMARY KEY,
            client_id TEXT NOT NULL UNIQUE,
            user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            text TEXT NOT NULL,
            ts INTEGER NOT NULL
        )",
            "CREATE TABLE IF NOT EXISTS chat_seq (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            last_seq INTEGER NOT NULL
        )",
            "INSERT OR IGNORE INTO chat_seq (id, last_seq) VALUES (1, 0)",
            "CREATE VIRTUAL TABLE IF NOT EXISTS chat_search USING fts5(
            terms, content = '', contentless_delete = 1, tokenize = 'ascii'
        )",
        ],
    },
    Migration {
        version: 2,
        statements: &["CREATE TABLE IF NOT EXISTS room_settings (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            creator TEXT NOT NULL,
            require_sign_in INTEGER NOT NULL,
            created_ms INTEGER NOT NULL
        )"],
    },
    Migration {
        version: 3,
        statements: &[
            "CREATE TABLE IF NOT EXISTS room_roles (
            user_id TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('host', 'cohost'))
        )",
            // A room made before roles is owned by whoever made it.
            "INSERT OR IGNORE INTO room_roles (user_id, role)
             SELECT creator, 'host' FROM room_settings",
        ],
    },
    Migration {
        version: 4,
        statements: &[
            "CREATE TABLE IF NOT EXISTS room_meeting (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            locked INTEGER NOT NULL,
            capacity INTEGER NOT NULL,
            meeting INTEGER NOT NULL,
            emptied_ms INTEGER,
            history TEXT NOT NULL DEFAULT 'everyone'
                CHECK (history IN ('everyone', 'since_joined'))
        )",
            // A ban ends with a meeting, at a time, or (both null) never.
            "CREATE TABLE IF NOT EXISTS room_bans (
            user_id TEXT PRIMARY KEY,
            until_meeting INTEGER,
            until_ms INTEGER,
            CHECK (until_meeting IS NULL OR until_ms IS NULL)
        )",
            // `first_seq`: the last message sent before they were first let in.
            "CREATE TABLE IF NOT EXISTS room_admissions (
            user_id TEXT PRIMARY KEY,
            first_ms INTEGER NOT NULL,
            first_seq INTEGER NOT NULL,
            meeting INTEGER NOT NULL
        )",
        ],
    },
    Migration {
        version: 5,
        statements: &[
            "CREATE TABLE IF NOT EXISTS room_lobby (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            lobby INTEGER NOT NULL
        )",
            // Signed-in people a host trusts: they skip the lobby.
            "CREATE TABLE IF NOT EXISTS room_trusted (user_id TEXT PRIMARY KEY)",
        ],
    },
    Migration {
        version: 6,
        // How the room carries media now (`room::route_store`).
        statements: &["CREATE TABLE IF NOT EXISTS room_route (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            route TEXT NOT NULL CHECK (route IN ('mesh', 'sfu'))
        )"],
    },
];

/// The schema version this code expects.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Largest JavaScript-safe integer: bound values go through JS numbers in the worker.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Every page (history, search, welcome) stays under this many bytes of JSON, whatever the
/// messages hold (4000 characters can escape to 24 KB), so a frame never nears the runtime's
/// WebSocket message limit. A page cut short says `has_more`.
pub const MAX_PAGE_BYTES: usize = 512 * 1024;

/// Retention prunes at most this many messages at a time (a lowered limit catches up over
/// several inserts instead of one huge delete).
pub const PRUNE_BATCH: i64 = 256;
/// Retention runs when `seq` is a multiple of this, so a count limit may be exceeded by at
/// most this many minus one messages.
pub const PRUNE_EVERY: i64 = 16;

const COLUMNS: &str = "seq, client_id, user_id, name, text, ts";

/// Where the index's [`search::TERMS_VERSION`] is recorded.
const SEARCH_TERMS_TABLE: &str = "search_terms_version";
/// Messages read per statement while rebuilding the index.
const REINDEX_BATCH: i64 = 500;

/// Who is posting, as the server stamps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub user_id: String,
    pub name: String,
}

/// The outcome of posting a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    /// Stored now with a new `seq`.
    New(ChatMessage),
    /// This `client_id` was stored before: the original message, nothing added.
    Duplicate(ChatMessage),
}

/// A page of history, ascending by `seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub messages: Vec<ChatMessage>,
    pub has_more: bool,
}

/// The room's chat on top of a [`Sql`] database.
pub struct ChatStore<'a, S: Sql> {
    db: &'a S,
}

impl<'a, S: Sql> ChatStore<'a, S> {
    pub fn new(db: &'a S) -> Self {
        ChatStore { db }
    }

    /// Brings the schema and the search index up to date; cheap when they already are (two
    /// reads). Returns the schema version.
    pub fn migrate(&self) -> Result<i64, StoreError> {
        let version = apply_migrations(self.db, "schema_version", MIGRATIONS)?;
        self.refresh_search_index()?;
        Ok(version)
    }

    /// Rebuilds the search index from the stored messages when it was built by older rules
    /// than [`search::TERMS_VERSION`], in one transaction (a failure leaves the old index
    /// whole). Returns how many messages were indexed, `None` when it was up to date.
    pub fn refresh_search_index(&self) -> Result<Option<usize>, StoreError> {
        if recorded_version(self.db, SEARCH_TERMS_TABLE)? >= search::TERMS_VERSION {
            return Ok(None);
        }
        self.db.transaction(|| {
            self.db.exec(
                "INSERT INTO chat_search (chat_search) VALUES ('delete-all')",
                &[],
            )?;
            let mut indexed = 0;
            let mut after: i64 = 0;
            loop {
                let rows = self.db.exec(
                    "SELECT seq, text FROM chat_messages WHERE seq > ? ORDER BY seq LIMIT ?",
                    &[after.into(), REINDEX_BATCH.into()],
                )?;
                if rows.is_empty() {
                    break;
                }
                for row in &rows {
                    let [SqlValue::Integer(seq), SqlValue::Text(text)] = row.as_slice() else {
                        return Err(StoreError::Corrupt(format!("seq/text row {row:?}")));
                    };
                    self.index(*seq, text)?;
                    after = *seq;
                    indexed += 1;
                }
            }
            record_version(self.db, SEARCH_TERMS_TABLE, search::TERMS_VERSION)?;
            Ok(Some(indexed))
        })
    }

    /// Adds message `seq`'s search row (none when nothing in `text` is searchable).
    fn index(&self, seq: i64, text: &str) -> Result<(), StoreError> {
        let terms = search::index_terms(text);
        if !terms.is_empty() {
            self.db.exec(
                "INSERT INTO chat_search (rowid, terms) VALUES (?, ?)",
                &[seq.into(), terms.into()],
            )?;
        }
        Ok(())
    }

    /// The applied schema version (0 for a new database).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        applied_version(self.db, "schema_version")
    }

    /// Stores a message, or returns the original if `client_id` is already known. The message,
    /// its search terms and any pruning are one transaction.
    pub fn post(
        &self,
        author: &Author,
        client_id: Uuid,
        text: &str,
        now_ms: i64,
        retention: &Retention,
    ) -> Result<Posted, StoreError> {
        self.db.transaction(|| {
            let known = self.db.exec(
                &format!("SELECT {COLUMNS} FROM chat_messages WHERE client_id = ?"),
                &[client_id.to_string().into()],
            )?;
            if let Some(row) = known.into_iter().next() {
                return Ok(Posted::Duplicate(message_from_row(row)?));
            }
            let seq = self.db.exec(
                "UPDATE chat_seq SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq",
                &[],
            )?;
            let seq = match single_integer(&seq) {
                Some(seq) if seq > 0 => seq,
                _ => return Err(StoreError::Corrupt(format!("next seq: {seq:?}"))),
            };
            self.db.exec(
                "INSERT INTO chat_messages (seq, client_id, user_id, name, text, ts)
                 VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    seq.into(),
                    client_id.to_string().into(),
                    author.user_id.as_str().into(),
                    author.name.as_str().into(),
                    text.into(),
                    now_ms.into(),
                ],
            )?;
            self.index(seq, text)?;
            if retention.is_limited() && seq % PRUNE_EVERY == 0 {
                self.prune(retention, seq, now_ms)?;
            }
            Ok(Posted::New(ChatMessage {
                seq: seq as u64,
                client_id,
                user_id: author.user_id.clone(),
                name: author.name.clone(),
                text: text.to_owned(),
                ts: now_ms,
            }))
        })
    }

    /// Deletes the oldest messages (and their search rows) that retention no longer keeps, at
    /// most [`PRUNE_BATCH`] of them; returns how many.
    pub fn prune(
        &self,
        retention: &Retention,
        last_seq: i64,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let oldest = self.db.exec(
            "SELECT seq, ts FROM chat_messages ORDER BY seq LIMIT ?",
            &[PRUNE_BATCH.into()],
        )?;
        let mut doomed = Vec::new();
        for row in &oldest {
            let (Some(SqlValue::Integer(seq)), Some(SqlValue::Integer(ts))) =
                (row.first(), row.get(1))
            else {
                return Err(StoreError::Corrupt(format!("seq/ts row {row:?}")));
            };
            if !retention.expired(*seq, *ts, last_seq, now_ms) {
                break;
            }
            doomed.push(*seq);
        }
        let Some(&cut) = doomed.last() else {
            return Ok(0);
        };
        for seq in &doomed {
            self.db
                .exec("DELETE FROM chat_search WHERE rowid = ?", &[(*seq).into()])?;
        }
        self.db
            .exec("DELETE FROM chat_messages WHERE seq <= ?", &[cut.into()])?;
        Ok(doomed.len())
    }

    /// The newest `limit` messages before `before_seq` (all the newest when `None`), ascending.
    pub fn history(&self, before_seq: Option<u64>, limit: u32) -> Result<Page, StoreError> {
        self.history_after(0, before_seq, limit)
    }

    /// [`ChatStore::history`] of the messages after `after_seq` only (what a reader may see).
    pub fn history_after(
        &self,
        after_seq: u64,
        before_seq: Option<u64>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        let before = before_seq.map_or(MAX_SAFE_INTEGER, safe_seq);
        let rows = self.db.exec(
            &format!(
                "SELECT {COLUMNS} FROM chat_messages WHERE seq < ? AND seq > ?
                 ORDER BY seq DESC LIMIT ?"
            ),
            &[
                before.into(),
                safe_seq(after_seq).into(),
                (i64::from(limit) + 1).into(),
            ],
        )?;
        let fetched = rows.len();
        let mut newest_first = within_budget(rows.into_iter().take(limit as usize))?;
        let has_more = fetched > newest_first.len();
        newest_first.reverse();
        Ok(Page {
            messages: newest_first,
            has_more,
        })
    }

    /// Messages matching every term of `query`, newest first, at most `limit`.
    pub fn search(&self, query: &str, limit: u32) -> Result<Vec<ChatMessage>, StoreError> {
        self.search_after(0, query, limit)
    }

    /// [`ChatStore::search`] among the messages after `after_seq` only.
    pub fn search_after(
        &self,
        after_seq: u64,
        query: &str,
        limit: u32,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let Some(expression) = search::match_expression(query) else {
            return Ok(Vec::new());
        };
        let rows = self.db.exec(
            &format!(
                "SELECT {COLUMNS} FROM chat_messages WHERE seq IN (
                    SELECT rowid FROM chat_search WHERE chat_search MATCH ? AND rowid > ?
                    ORDER BY rowid DESC LIMIT ?
                 ) ORDER BY seq DESC"
            ),
            &[
                expression.into(),
                safe_seq(after_seq).into(),
                i64::from(limit).into(),
            ],
        )?;
        within_budget(rows.into_iter())
    }
}

/// A sequence number as a bound parameter (which goes through a JS number in the worker).
fn safe_seq(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX).min(MAX_SAFE_INTEGER)
}

/// Maps rows to messages until [`MAX_PAGE_BYTES`] of JSON would be exceeded (never fewer than
/// one message).
fn within_budget(rows: impl Iterator<Item = Row>) -> Result<Vec<ChatMessage>, StoreError> {
    let mut out = Vec::new();
    let mut bytes = 0;
    for row in rows {
        let message = message_from_row(row)?;
        bytes += serde_json::to_string(&message).map_or(0, |json| json.len() + 1);
        if bytes > MAX_PAGE_BYTES && !out.is_empty() {
            break;
        }
        out.push(message);
    }
    Ok(out)
}

fn single_integer(rows: &[Row]) -> Option<i64> {
    match rows {
        [row] => match row.as_slice() {
            [SqlValue::Integer(v)] => Some(*v),
            _ => None,
        },
        _ => None,
    }
}

/// A `chat_messages` row selected as [`COLUMNS`].
pub fn message_from_row(row: Row) -> Result<ChatMessage, StoreError> {
    let corrupt = |row: &[SqlValue]| StoreError::Corrupt(format!("chat message row {row:?}"));
    match row.as_slice() {
        [SqlValue::Integer(seq), SqlValue::Text(client_id), SqlValue::Text(user_id), SqlValue::Text(name), SqlValue::Text(text), SqlValue::Integer(ts)]
            if *seq > 0 =>
        {
            let client_id = Uuid::parse_str(client_id).map_err(|_| corrupt(&row))?;
            Ok(ChatMessage {
                seq: *seq as u64,
                client_id,
                user_id: user_id.clone(),
                name: name.clone(),
                text: text.clone(),
                ts: *ts,
            })
        }
        _ => Err(corrupt(&row)),
    }
}
