//! Room chat in plain Rust: storage and migrations ([`store`]), search terms and query building
//! ([`search`]), and the retention rule. The Durable Object supplies a [`Sql`] over its
//! SQLite storage; host tests supply an in-memory SQLite.

pub mod search;
pub mod store;

#[cfg(test)]
mod tests;

pub use store::{Author, ChatStore, Page, Posted};

use crate::sql::{Sql, StoreError};

/// `history` without a `limit`, and the page in `welcome`.
pub const DEFAULT_HISTORY_LIMIT: u32 = 50;
/// `search` without a `limit`.
pub const DEFAULT_SEARCH_LIMIT: u32 = 20;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// How much chat a room keeps. The default keeps everything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Keep only the newest this many messages.
    pub max_messages: Option<u64>,
    /// Keep only messages younger than this many days.
    pub max_age_days: Option<u32>,
}

impl Retention {
    pub fn is_limited(&self) -> bool {
        self.max_messages.is_some() || self.max_age_days.is_some()
    }

    /// Whether message `seq` (sent at `ts`) is past retention once `last_seq` exists at `now_ms`.
    pub fn expired(&self, seq: i64, ts: i64, last_seq: i64, now_ms: i64) -> bool {
        let too_many = self.max_messages.is_some_and(|max| {
            let keep_from = last_seq.saturating_sub(i64::try_from(max).unwrap_or(i64::MAX));
            seq <= keep_from
        });
        let too_old = self
            .max_age_days
            .is_some_and(|days| ts < now_ms.saturating_sub(i64::from(days).saturating_mul(DAY_MS)));
        too_many || too_old
    }
}

/// Why a benchmark seed batch was refused.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("text {0} is not 1–4000 characters after trimming")]
    BadText(usize),
    #[error("a batch holds at most {MAX_SEED_BATCH} texts")]
    TooMany,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Texts one seed request may insert.
pub const MAX_SEED_BATCH: usize = 5000;

/// Bulk insert for the chat benchmark (`ALLOW_BENCH_SEED` only): every text goes through the
/// normal [`ChatStore::post`] path, so seq, search terms and retention stay exactly as for chat.
pub fn seed<S: Sql>(
    store: &ChatStore<'_, S>,
    author: &Author,
    texts: &[String],
    now_ms: i64,
    retention: &Retention,
) -> Result<usize, SeedError> {
    if texts.len() > MAX_SEED_BATCH {
        return Err(SeedError::TooMany);
    }
    let limit = confab_protocol::limits::MAX_CHAT_CHARS;
    if let Some(bad) = texts.iter().position(|t| {
        let chars = t.trim().chars().count();
        chars == 0 || chars > limit
    }) {
        return Err(SeedError::BadText(bad));
    }
    for text in texts {
        store.post(author, uuid::Uuid::new_v4(), text, now_ms, retention)?;
    }
    Ok(texts.len())
}
