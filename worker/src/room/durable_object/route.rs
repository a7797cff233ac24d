//! The room's media route: after each arrival and departure the room works out whether its
//! size moves it between the mesh and the SFU (`sfu::mode`), keeps the answer in its SQLite
//! (`RouteStore`) and tells everyone with a `route` frame. No browser decides alone.

use confab_protocol::{MediaRoute, PeerId, RoomAccess, ServerFrame};

use super::{attachment, Room};
use crate::env::config;
use crate::room::route_store::RouteStore;
use crate::room::RoomNow;
use crate::sfu::config::MediaPolicy;
use crate::sfu::mode::{capacity, next_media};
use crate::sql::durable_object::DoSql;

/// Who came or went, before the room decides its route again.
#[derive(Debug, Clone, Copy)]
pub(super) enum Change<'a> {
    /// Already counted among the members; its welcome carries the route.
    Joined(&'a PeerId),
    /// Its socket may still be listed: not counted, and told nothing.
    Left(&'a PeerId),
}

impl Room {
    /// The deployment's media policy; a configuration that does not parse carries no SFU (the
    /// worker's front door refuses requests then anyway).
    pub(super) fn media_policy(&self) -> MediaPolicy {
        config(&self.env).map(|c| c.media).unwrap_or_default()
    }

    /// The most people a room may hold on this deployment.
    pub(super) fn room_limit(&self) -> u32 {
        u32::try_from(capacity(&self.media_policy())).unwrap_or(u32::MAX)
    }

    /// `access` as people see it and as the door applies it: no larger than the deployment's
    /// limit (a room's stored size is the host's wish; the deployment may allow less).
    pub(super) fn limited(&self, access: RoomAccess) -> RoomAccess {
        RoomAccess {
            capacity: access.capacity.min(self.room_limit()),
            ..access
        }
    }

    /// What a welcome to `newcomer` (already counted among the members) tells of the room:
    /// the route is decided with them in it, and the others hear of a change first.
    pub(super) fn room_now(&self, access: RoomAccess, newcomer: &PeerId) -> RoomNow {
        RoomNow {
            access: self.limited(access),
            route: self.reroute(Change::Joined(newcomer)),
            room_limit: self.room_limit(),
            last_n: self.media_policy().last_n,
        }
    }

    /// The room's media route now, without changing it.
    pub(super) fn route(&self) -> MediaRoute {
        let db = DoSql::new(self.state.storage());
        let route = self.chat(&db).and_then(|_| RouteStore::new(&db).route());
        route.unwrap_or_else(|error| {
            worker::console_error!("room: reading the media route: {error}");
            MediaRoute::Mesh
        })
    }

    /// Moves the room's media if its size now calls for it, and tells every member but
    /// `quiet` (a newcomer, whose welcome carries the route, or one who is leaving and not
    /// counted). Returns the route now.
    pub(super) fn reroute(&self, quiet: Change) -> MediaRoute {
        let current = self.route();
        let present = self
            .members()
            .iter()
            .filter(|a| !matches!(quiet, Change::Left(gone) if *gone == a.member.peer_id))
            .count();
        let next = next_media(&self.media_policy(), current, present);
        if next == current {
            return current;
        }
        let db = DoSql::new(self.state.storage());
        if let Err(error) = self
            .chat(&db)
            .and_then(|_| RouteStore::new(&db).set_route(next))
        {
            // Told anyway: a room whose storage fails still carries its call.
            worker::console_error!("room: keeping the media route: {error}");
        }
        if next == MediaRoute::Mesh {
            self.forget_sfu_sessions();
        }
        let (Change::Joined(quiet) | Change::Left(quiet)) = quiet;
        self.broadcast_except(quiet, &ServerFrame::Route { route: next });
        next
    }

    /// Back on the mesh, nobody may pull what anyone pushed into the SFU.
    fn forget_sfu_sessions(&self) {
        for socket in self.state.get_websockets() {
            if let Some(mut gone) = attachment(&socket).filter(|a| a.member.sfu.is_some()) {
                gone.member.sfu = None;
                let _ = socket.serialize_attachment(&gone);
            }
        }
    }
}
