//! Sessions in plain Rust: rotating refresh tokens, stored hashed in the user's own Durable
//! Object SQLite, with reuse detection, logout and logout-all. The `Sessions` Durable Object
//! (one per user id, `durable_object`) supplies a [`Sql`] over its storage; host tests supply
//! an in-memory SQLite. [`cookie`] builds and reads the cookie that carries the token.
//!
//! Refresh token: `<base64url(user id)>.<base64url(32 random bytes)>`. The first part only
//! routes the request to the user's Durable Object (a user id is not secret); the random part
//! is. Only `base64url(SHA-256(whole token))` is stored, so a copy of the database cannot be
//! replayed as a cookie. A token never reaches a URL or a log line.
//!
//! Families: signing in (today: `POST /auth/guest`) starts a family. Every refresh marks the
//! presented token rotated and issues a new one in the same family, valid for the configured
//! lifetime from now (sliding: an active device stays signed in, an idle one for
//! `REFRESH_TOKEN_DAYS`). Presenting a token that was already rotated means two parties hold the
//! family (a stolen cookie, or two tabs racing): the whole family is revoked and the caller logs
//! a warning with the family id. Logout revokes the presented token's family; logout-all
//! revokes every family of the user.
//!
//! Tables (one user per Durable Object, so every table is that user's):
//! - `session_user`: the single identity the sessions speak for (id, display name, guest).
//! - `session_families`: one row per signed-in device; `revoked_ms`/`revoked_reason` once ended.
//! - `refresh_tokens`: `hash` (primary key), `family`, `created_ms`, `expires_ms`, `rotated_ms`
//!   (set when it was exchanged for a newer one). Expired rows are purged as new ones are
//!   written; a purged token is simply unknown (401).

#[cfg(target_arch = "wasm32")]
pub mod calls;
pub mod cookie;
#[cfg(target_arch = "wasm32")]
pub mod durable_object;
mod profile;
#[cfg(target_arch = "wasm32")]
pub mod routes;

#[cfg(test)]
mod tests;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::sql::{apply_migrations, Migration, Sql, SqlValue, StoreError};
use crate::token::Identity;

/// Random bytes in a refresh token.
pub const SECRET_BYTES: usize = 32;
/// `REFRESH_TOKEN_DAYS` when unset.
pub const DEFAULT_REFRESH_DAYS: u32 = 30;
/// Longest user id a token may carry (routing part), in bytes.
const MAX_USER_ID_BYTES: usize = 200;
/// A presented token longer than this is not ours (no hashing of megabytes).
const MAX_TOKEN_CHARS: usize = 512;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The routing part of a presented refresh token (its shape only; nothing is verified yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRoute {
    pub user_id: String,
}

impl TokenRoute {
    /// The user id a token routes to, or `None` when it is not shaped like one of ours.
    pub fn parse(token: &str) -> Option<TokenRoute> {
        if token.len() > MAX_TOKEN_CHARS {
            return None;
        }
        let (user, secret) = token.split_once('.')?;
        let secret = B64.decode(secret).ok()?;
        if secret.len() != SECRET_BYTES {
            return None;
        }
        let user_id = String::from_utf8(B64.decode(user).ok()?).ok()?;
        if user_id.is_empty()
            || user_id.len() > MAX_USER_ID_BYTES
            || user_id.chars().any(char::is_control)
        {
            return None;
        }
        Some(TokenRoute { user_id })
    }
}

/// A new refresh token for `user_id` from fresh random bytes.
pub fn format_token(user_id: &str, secret: &[u8; SECRET_BYTES]) -> String {
    format!("{}.{}", B64.encode(user_id), B64.encode(secret))
}

/// What is stored instead of the token.
pub fn token_hash(token: &str) -> String {
    B64.encode(Sha256::digest(token.as_bytes()))
}

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

/// A request from the worker's routes to a user's `Sessions` Durable Object (internal JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionCall {
    pub op: SessionOp,
    pub now_ms: i64,
    pub lifetime_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SessionOp {
    /// Start a new family for `identity` (sign-in).
    Issue { identity: Identity },
    /// Exchange `token`; a guest may update the display name on the way.
    Rotate { token: String, name: Option<String> },
    /// End the family of `token`.
    Logout { token: String },
    /// End every family of the user, after checking `token` is live.
    LogoutAll { token: String },
    /// A provider sign-in for this (non-guest) user: record the provider's name unless the user
    /// chose one, and start a new family.
    SignIn { identity: Identity },
    /// Change the profile of the user (already authenticated by the route). `avatar_if_unset`
    /// only sets an image when the user has none (the provider's picture at first sign-in).
    SetProfile {
        name: Option<String>,
        avatar: Option<String>,
        #[serde(default)]
        avatar_if_unset: bool,
    },
}

/// The Durable Object's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SessionReply {
    Issued {
        identity: Identity,
        refresh_token: String,
    },
    Ended {
        families: usize,
    },
    Refused {
        reason: String,
        /// Set when the refusal revoked a family because of token reuse.
        reused_family: Option<String>,
    },
    /// The user's profile after a change (`None`: no such user here).
    Profile {
        identity: Option<Identity>,
    },
}

impl SessionReply {
    fn refused(refusal: &Refusal) -> SessionReply {
        SessionReply::Refused {
            reason: refusal.describe().to_owned(),
            reused_family: match refusal {
                Refusal::Reused { family } => Some(family.clone()),
                _ => None,
            },
        }
    }
}

/// Runs one call against a store. `secret` and `family` are fresh random values from the
/// caller (the store itself has no randomness, so tests are deterministic).
pub fn handle<S: Sql>(
    store: &SessionStore<'_, S>,
    call: &SessionCall,
    secret: &[u8; SECRET_BYTES],
    family: &str,
) -> Result<SessionReply, StoreError> {
    let lifetime = call.lifetime_ms.max(1);
    Ok(match &call.op {
        SessionOp::Issue { identity } => SessionReply::Issued {
            identity: identity.clone(),
            refresh_token: store.issue(identity, family, secret, call.now_ms, lifetime)?,
        },
        SessionOp::Rotate { token, name } => {
            match store.rotate(token, secret, name.as_deref(), call.now_ms, lifetime)? {
                Rotation::Rotated { identity, token } => SessionReply::Issued {
                    identity,
                    refresh_token: token,
                },
                Rotation::Refused(refusal) => SessionReply::refused(&refusal),
            }
        }
        SessionOp::Logout { token } => SessionReply::Ended {
            families: usize::from(store.logout(token, call.now_ms)?),
        },
        SessionOp::LogoutAll { token } => match store.logout_all(token, call.now_ms)? {
            Ok(families) => SessionReply::Ended { families },
            Err(refusal) => SessionReply::refused(&refusal),
        },
        SessionOp::SignIn { identity } => {
            let (identity, refresh_token) =
                store.sign_in(identity, family, secret, call.now_ms, lifetime)?;
            SessionReply::Issued {
                identity,
                refresh_token,
            }
        }
        SessionOp::SetProfile {
            name,
            avatar,
            avatar_if_unset,
        } => SessionReply::Profile {
            identity: store.set_profile(name.as_deref(), avatar.as_deref(), *avatar_if_unset)?,
        },
    })
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
    db: &'a S,
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
        apply_migrations(self.db, "session_schema", MIGRATIONS)
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
    fn start_family(
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
