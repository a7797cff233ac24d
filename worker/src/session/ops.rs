//! The internal JSON between the worker's routes and a user's `Sessions` Durable Object, and
//! how the object answers each operation over its [`SessionStore`].

use serde::{Deserialize, Serialize};

use super::store::{Refusal, Rotation, SessionStore};
use super::SECRET_BYTES;
use crate::sql::{Sql, StoreError};
use crate::token::Identity;

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
/// What an object that never held a session answers `op` without creating its storage, or
/// `None` when it holds one or `op` starts one (and so needs the schema). A refresh cookie names its
/// object by the user id in it, so a forged one reaches an object nobody ever signed into:
/// that must cost no storage.
pub fn answer_unopened<S: Sql>(
    store: &SessionStore<'_, S>,
    op: &SessionOp,
) -> Result<Option<SessionReply>, StoreError> {
    if store.opened()? {
        return Ok(None);
    }
    Ok(answer_without_storage(op))
}

fn answer_without_storage(op: &SessionOp) -> Option<SessionReply> {
    match op {
        SessionOp::Issue { .. } | SessionOp::SignIn { .. } => None,
        SessionOp::Rotate { .. } | SessionOp::LogoutAll { .. } => {
            Some(SessionReply::refused(&Refusal::Unknown))
        }
        SessionOp::Logout { .. } => Some(SessionReply::Ended { families: 0 }),
        SessionOp::SetProfile { .. } => Some(SessionReply::Profile { identity: None }),
    }
}

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
