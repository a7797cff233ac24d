//! The user's sessions in their own SQLite: schema, families and refresh tokens (issue, rotate
//! with reuse detection, logout, logout-all, purge).

use super::refresh_token::{format_token, token_hash, MAX_TOKEN_CHARS};
use super::SECRET_BYTES;
use crate::sql::{apply_migrations, has_table, Migration, Sql, SqlValue, StoreError};

/// Where the schema's version is kept; its absence means nobody ever signed in here.
const SCHEMA_TABLE: &str = "session_schema";
use crate::token::Identity;

/// Why a presented refresh token was not accepted (all answered 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a token of this user (never issued, or purged after expiry).
    Unknown,
    Expired,
    /// Its family was ended (logout, logout-all, or an earlier reuse).
    Revoked,
    /// It was already exchanged for a newer token: the family is now revoked.
    Reused {
        family: String,
    },
}

impl Refusal {
    pub fn describe(&self) -> &'static str {
        match self {
            Refusal::Unknown => "the session is not known",
            Refusal::Expired => "the session has expired",
            Refusal::Revoked => "the session was ended",
            Refusal::Reused { .. } => "the session was ended because its token was reused",
        }
    }
}

/// The outcome of exchanging a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    Rotated { identity: Identity, token: String },
    Refused(Refusal),
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        statements: &[
            "CREATE TABLE IF NOT EXISTS session_user (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            guest INTEGER NOT NULL
        )",
            "CREATE TABLE IF NOT EXISTS session_families (
            family TEXT PRIMARY KEY,
            created_ms INTEGER NOT NULL,
            revoked_ms INTEGER,
            revoked_reason TEXT
        )",
            "CREATE TABLE IF NOT EXISTS refresh_tokens (
            hash TEXT PRIMARY KEY,
            family TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            expires_ms INTEGER NOT NULL,
            rotated_ms INTEGER
        )",
            "CREATE INDEX IF NOT EXISTS refresh_tokens_expiry ON refresh_tokens (expires_ms)",
        ],
    },
    // Profiles of signed-in users: an image, and whether the user chose the display name (a
    // later provider sign-in must not overwrite it).
    Migration {
        version: 2,
        statements: &[
            "ALTER TABLE session_user ADD COLUMN avatar TEXT",
            "ALTER TABLE session_user ADD COLUMN name_chosen INTEGER NOT NULL DEFAULT 0",
        ],
    },
];

/// The user's sessions on top of a [`Sql`] database.
pub struct SessionStore<'a, S: Sql> {
    pub(super) db: &'a S,
}

/// A stored token as read for a check.
struct StoredToken {
    family: String,
    expires_ms: i64,
    rotated: bool,
    family_revoked: bool,
}

impl<'a, S: Sql> SessionStore<'a, S> {
    pub fn new(db: &'a S) -> Self {
        SessionStore { db }
    }

    /// Brings the schema up to date; cheap when it already is.
    pub fn migrate(&self) -> Result<i64, StoreError> {
        apply_migrations(self.db, SCHEMA_TABLE, MIGRATIONS)
    }

    /// Whether anyone ever signed in here (the schema exists); reads only.
    pub fn opened(&self) -> Result<bool, StoreError> {
        has_table(self.db, SCHEMA_TABLE)
    }

    /// Starts a new family for `identity` (and records who this user is); returns the token.
    pub fn issue(
        &self,
        identity: &Identity,
        family: &str,
        secret: &[u8; SECRET_BYTES],
        now_ms: i64,
        lifetime_ms: i64,
    ) -> Result<String, StoreError> {
        self.db.transaction(|| {
            self.db.exec(
                "INSERT INTO session_user (id, user_id, name, guest) VALUES (1, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, guest = excluded.guest",
                &[
                    identity.user_id.as_str().into(),
                    identity.name.as_str().into(),
                    i64::from(identity.guest).into(),
                ],
            )?;
            self.start_family(&identity.user_id, family, secret, now_ms, lifetime_ms)
        })
    }

    /// A new family with its first token (inside the caller's transaction).
    pub(super) fn start_family(
        &self,
        user_id: &str,
        family: &str,
        secret: &[u8; SECRET_BYTES],
        now_ms: i64,
        lifetime_ms: i64,
    ) -> Result<String, StoreError> {
        let token = format_token(user_id, secret);
        self.purge_expired(now_ms)?;
        self.db.exec(
            "INSERT INTO session_families (family, created_ms) VALUES (?, ?)",
            &[family.into(), now_ms.into()],
        )?;
        self.insert_token(&token, family, now_ms, lifetime_ms)?;
        Ok(token)
    }

    /// Exchanges `presented` for a new token of the same family. A guest may pass a new
    /// display name (already validated by the caller); it is kept for later refreshes.
    pub fn rotate(
        &self,
        presented: &str,
        secret: &[u8; SECRET_BYTES],
        name: Option<&str>,
        now_ms: i64,
        lifetime_ms: i64,
    ) -> Result<Rotation, StoreError> {
        // Reuse must revoke (and commit), so refusals are values, not errors, inside.
        self.db.transaction(|| {
            let stored = match self.check(presented, now_ms)? {
                Ok(stored) => stored,
                Err(refusal) => return Ok(Rotation::Refused(refusal)),
            };
            let Some(mut identity) = self.identity()? else {
                return Err(StoreError::Corrupt("sessions without a user".into()));
            };
            self.db.exec(
                "UPDATE refresh_tokens SET rotated_ms = ? WHERE hash = ?",
                &[now_ms.into(), token_hash(presented).into()],
            )?;
            if let Some(name) = name.filter(|n| identity.guest && *n != identity.name) {
                self.db.exec(
                    "UPDATE session_user SET name = ? WHERE id = 1",
                    &[name.into()],
                )?;
                identity.name = name.to_owned();
            }
            let token = format_token(&identity.user_id, secret);
            self.purge_expired(now_ms)?;
            self.insert_token(&token, &stored.family, now_ms, lifetime_ms)?;
            Ok(Rotation::Rotated { identity, token })
        })
    }

    /// Ends the family of `presented`, whatever state its token is in. Returns whether a
    /// family was found.
    pub fn logout(&self, presented: &str, now_ms: i64) -> Result<bool, StoreError> {
        self.db.transaction(|| {
            let Some(stored) = self.lookup(presented)? else {
                return Ok(false);
            };
            self.revoke(&stored.family, now_ms, "logout")?;
            Ok(true)
        })
    }

    /// Ends every family of the user once `presented` proves a live session (a reused token
    /// revokes its own family instead, as on refresh). Returns how many families ended.
    pub fn logout_all(
        &self,
        presented: &str,
        now_ms: i64,
    ) -> Result<Result<usize, Refusal>, StoreError> {
        self.db.transaction(|| {
            if let Err(refusal) = self.check(presented, now_ms)? {
                return Ok(Err(refusal));
            }
            let ended = self.db.exec(
                "UPDATE session_families SET revoked_ms = ?, revoked_reason = 'logout_all'
                 WHERE revoked_ms IS NULL RETURNING family",
                &[now_ms.into()],
            )?;
            Ok(Ok(ended.len()))
        })
    }

    /// Who the sessions belong to, once any was issued.
    pub fn identity(&self) -> Result<Option<Identity>, StoreError> {
        let rows = self.db.exec(
            "SELECT user_id, name, guest, avatar FROM session_user WHERE id = 1",
            &[],
        )?;
        match rows.into_iter().next().as_deref() {
            None => Ok(None),
            Some(
                [SqlValue::Text(user_id), SqlValue::Text(name), SqlValue::Integer(guest), avatar],
            ) => Ok(Some(Identity {
                user_id: user_id.clone(),
                name: name.clone(),
                guest: *guest != 0,
                avatar: match avatar {
                    SqlValue::Text(path) => Some(path.clone()),
                    _ => None,
                },
            })),
            Some(other) => Err(StoreError::Corrupt(format!("session user {other:?}"))),
        }
    }

    /// Whether `presented` is live; a reused (rotated) token revokes its family here.
    fn check(
        &self,
        presented: &str,
        now_ms: i64,
    ) -> Result<Result<StoredToken, Refusal>, StoreError> {
        let Some(stored) = self.lookup(presented)? else {
            return Ok(Err(Refusal::Unknown));
        };
        if stored.family_revoked {
            return Ok(Err(Refusal::Revoked));
        }
        if stored.rotated {
            self.revoke(&stored.family, now_ms, "reuse")?;
            return Ok(Err(Refusal::Reused {
                family: stored.family,
            }));
        }
        if stored.expires_ms <= now_ms {
            return Ok(Err(Refusal::Expired));
        }
        Ok(Ok(stored))
    }

    fn lookup(&self, presented: &str) -> Result<Option<StoredToken>, StoreError> {
        if presented.len() > MAX_TOKEN_CHARS {
            return Ok(None);
        }
        let rows = self.db.exec(
            "SELECT t.family, t.expires_ms, t.rotated_ms IS NOT NULL, f.revoked_ms IS NOT NULL
             FROM refresh_tokens t JOIN session_families f ON f.family = t.family
             WHERE t.hash = ?",
            &[token_hash(presented).into()],
        )?;
        match rows.into_iter().next().as_deref() {
            None => Ok(None),
            Some(
                [SqlValue::Text(family), SqlValue::Integer(expires_ms), SqlValue::Integer(rotated), SqlValue::Integer(revoked)],
            ) => Ok(Some(StoredToken {
                family: family.clone(),
                expires_ms: *expires_ms,
                rotated: *rotated != 0,
                family_revoked: *revoked != 0,
            })),
            Some(other) => Err(StoreError::Corrupt(format!("refresh token row {other:?}"))),
        }
    }

    fn revoke(&self, family: &str, now_ms: i64, reason: &str) -> Result<(), StoreError> {
        self.db.exec(
            "UPDATE session_families SET revoked_ms = ?, revoked_reason = ?
             WHERE family = ? AND revoked_ms IS NULL",
            &[now_ms.into(), reason.into(), family.into()],
        )?;
        Ok(())
    }

    fn insert_token(
        &self,
        token: &str,
        family: &str,
        now_ms: i64,
        lifetime_ms: i64,
    ) -> Result<(), StoreError> {
        self.db.exec(
            "INSERT INTO refresh_tokens (hash, family, created_ms, expires_ms) VALUES (?, ?, ?, ?)",
            &[
                token_hash(token).into(),
                family.into(),
                now_ms.into(),
                now_ms.saturating_add(lifetime_ms).into(),
            ],
        )?;
        Ok(())
    }

    /// Expired tokens can never be accepted again, so they go, and so do families left with
    /// no token at all.
    fn purge_expired(&self, now_ms: i64) -> Result<(), StoreError> {
        self.db.exec(
            "DELETE FROM refresh_tokens WHERE expires_ms <= ?",
            &[now_ms.into()],
        )?;
        self.db.exec(
            "DELETE FROM session_families
             WHERE family NOT IN (SELECT DISTINCT family FROM refresh_tokens)",
            &[],
        )?;
        Ok(())
    }
}
