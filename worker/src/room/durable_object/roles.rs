//! The Room object's side of roles: reading and storing them ([`RoleStore`]) and putting a
//! change in every socket of that person, announced to everyone.

use confab_protocol::{Role, ServerFrame};

use super::{attachment, Room};
use crate::room::{RoleChange, RoleStore};
use crate::sql::durable_object::DoSql;

impl Room {
    /// The role kept for `user_id` and whether the room has a host. Unreadable roles are
    /// logged and read as "a member of a room with a host", so a storage failure never hands
    /// anyone the room.
    pub(super) fn role_facts(&self, user_id: &str) -> (Option<Role>, bool) {
        let db = DoSql::new(self.state.storage());
        let facts = self.chat(&db).and_then(|_| {
            let store = RoleStore::new(&db);
            Ok((store.get(user_id)?, store.has_host()?))
        });
        facts.unwrap_or_else(|error| {
            worker::console_error!("room: reading roles: {error}");
            (None, true)
        })
    }

    /// Stores role changes; false (logged) when they could not be.
    pub(super) fn store_roles(&self, changes: &[RoleChange]) -> bool {
        let db = DoSql::new(self.state.storage());
        match self
            .chat(&db)
            .and_then(|_| RoleStore::new(&db).apply(changes))
        {
            Ok(()) => true,
            Err(error) => {
                worker::console_error!("room: storing roles: {error}");
                false
            }
        }
    }

    /// Puts stored roles in the attachments of every socket of those users and tells everyone.
    pub(super) fn announce_roles(&self, changes: &[RoleChange]) {
        let sockets = self.state.get_websockets();
        for change in changes {
            for socket in &sockets {
                let Some(mut held) = attachment(socket) else {
                    continue;
                };
                if held.closing || held.waiting.is_some() || held.member.user_id != change.user_id {
                    continue;
                }
                held.member.role = change.role;
                let _ = socket.serialize_attachment(&held);
                let frame = ServerFrame::Role {
                    peer_id: held.member.peer_id.clone(),
                    role: change.role,
                };
                self.broadcast(&frame);
                if change.role.moderates() {
                    self.tell_waiting(socket);
                }
            }
        }
    }
}
