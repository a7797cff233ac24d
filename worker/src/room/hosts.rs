//! Hosts and roles, decided in plain Rust. A room has one host: who made it with
//! `POST /api/rooms`, or the first to join a room nobody owned. The host makes others co-hosts
//! (or members again) and may hand the room over. Roles belong to a user id, not a socket: they
//! are kept in the room's SQLite ([`RoleStore`]) and copied into each socket's attachment, so
//! they survive reconnects, hibernation and restarts, and both tabs of one person share them.

use confab_protocol::{ErrorCode, FrameError, Member, Role};

use crate::sql::{Sql, SqlValue, StoreError};

/// A role to store for a user and announce on each of their sockets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChange {
    pub user_id: String,
    pub role: Role,
}

/// A newcomer's role: the one the room keeps for them, else host of a room without one
/// (`claims`: store it), else member.
pub fn role_on_join(stored: Option<Role>, room_has_host: bool) -> (Role, bool) {
    match stored {
        Some(role) => (role, false),
        None if !room_has_host => (Role::Host, true),
        None => (Role::Member, false),
    }
}

/// What `actor` asking to give `target` the role `role` changes: nothing when it already has
/// it; with `host`, the room is handed over (the old host stays on as co-host).
pub fn set_role(
    actor: &Member,
    target: &Member,
    role: Role,
) -> Result<Vec<RoleChange>, FrameError> {
    if actor.role != Role::Host {
        return Err(FrameError::new(
            ErrorCode::Forbidden,
            "only the host can change roles",
        ));
    }
    if target.user_id == actor.user_id {
        return Err(FrameError::new(
            ErrorCode::InvalidField,
            "the host cannot change their own role; hand the room to someone instead",
        ));
    }
    if target.role == role {
        return Ok(Vec::new());
    }
    let mut changes = vec![RoleChange {
        user_id: target.user_id.clone(),
        role,
    }];
    if role == Role::Host {
        changes.push(RoleChange {
            user_id: actor.user_id.clone(),
            role: Role::Cohost,
        });
    }
    Ok(changes)
}

/// The room's roles over its (migrated) SQLite: `room_roles`, one row per host or co-host
/// (members have no row), created by migration 3 of the room schema in `chat::store`.
pub struct RoleStore<'a, S: Sql> {
    db: &'a S,
}

impl<'a, S: Sql> RoleStore<'a, S> {
    pub fn new(db: &'a S) -> Self {
        RoleStore { db }
    }

    /// The role kept for `user_id` (`None`: a member).
    pub fn get(&self, user_id: &str) -> Result<Option<Role>, StoreError> {
        let rows = self.db.exec(
            "SELECT role FROM room_roles WHERE user_id = ?",
            &[user_id.into()],
        )?;
        match rows.first().map(Vec::as_slice) {
            None => Ok(None),
            Some([SqlValue::Text(role)]) => parse_role(role).map(Some),
            Some(other) => Err(StoreError::Corrupt(format!("role row {other:?}"))),
        }
    }

    /// Whether anyone owns the room.
    pub fn has_host(&self) -> Result<bool, StoreError> {
        let rows = self
            .db
            .exec("SELECT 1 FROM room_roles WHERE role = 'host' LIMIT 1", &[])?;
        Ok(!rows.is_empty())
    }

    /// Stores `changes` together (a hand-over is two rows, never one).
    pub fn apply(&self, changes: &[RoleChange]) -> Result<(), StoreError> {
        self.db.transaction(|| {
            for change in changes {
                match change.role {
                    Role::Member => self.db.exec(
                        "DELETE FROM room_roles WHERE user_id = ?",
                        &[change.user_id.as_str().into()],
                    )?,
                    role => self.db.exec(
                        "INSERT INTO room_roles (user_id, role) VALUES (?, ?)
                         ON CONFLICT (user_id) DO UPDATE SET role = excluded.role",
                        &[change.user_id.as_str().into(), role.as_str().into()],
                    )?,
                };
            }
            Ok(())
        })
    }
}

fn parse_role(text: &str) -> Result<Role, StoreError> {
    match text {
        "host" => Ok(Role::Host),
        "cohost" => Ok(Role::Cohost),
        other => Err(StoreError::Corrupt(format!("role {other:?}"))),
    }
}

#[cfg(test)]
mod tests;
