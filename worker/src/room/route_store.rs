//! How the room carries media now (mesh or SFU), kept in the room's SQLite (`room_route`, one
//! row, migration 6 of the room schema in `chat::store`) rather than in the object's memory:
//! a hibernated room wakes without its memory, and whether it goes back to the mesh depends on
//! where it is now (`sfu::mode`, hysteresis).

use confab_protocol::MediaRoute;

use crate::sql::{Sql, SqlValue, StoreError};

pub struct RouteStore<'a, S: Sql> {
    db: &'a S,
}

impl<'a, S: Sql> RouteStore<'a, S> {
    pub fn new(db: &'a S) -> Self {
        RouteStore { db }
    }

    /// The room's route; a room that never had one is on the mesh.
    pub fn route(&self) -> Result<MediaRoute, StoreError> {
        let rows = self
            .db
            .exec("SELECT route FROM room_route WHERE id = 1", &[])?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(MediaRoute::Mesh);
        };
        match row.as_slice() {
            [SqlValue::Text(route)] if route == "mesh" => Ok(MediaRoute::Mesh),
            [SqlValue::Text(route)] if route == "sfu" => Ok(MediaRoute::Sfu),
            _ => Err(StoreError::Corrupt(format!("room_route {row:?}"))),
        }
    }

    pub fn set_route(&self, route: MediaRoute) -> Result<(), StoreError> {
        let route = match route {
            MediaRoute::Mesh => "mesh",
            MediaRoute::Sfu => "sfu",
        };
        self.db.exec(
            "INSERT INTO room_route (id, route) VALUES (1, ?)
             ON CONFLICT (id) DO UPDATE SET route = excluded.route",
            &[route.into()],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::store::ChatStore;
    use crate::sql::host_db::HostDb;

    #[test]
    fn a_room_starts_on_the_mesh_and_keeps_the_route_it_is_given() {
        let db = HostDb::new();
        ChatStore::new(&db).migrate().unwrap();
        let store = RouteStore::new(&db);
        assert_eq!(store.route(), Ok(MediaRoute::Mesh));
        store.set_route(MediaRoute::Sfu).unwrap();
        assert_eq!(store.route(), Ok(MediaRoute::Sfu));
        store.set_route(MediaRoute::Mesh).unwrap();
        assert_eq!(store.route(), Ok(MediaRoute::Mesh));
    }

    #[test]
    fn a_route_the_code_does_not_know_is_refused_by_the_schema() {
        let db = HostDb::new();
        ChatStore::new(&db).migrate().unwrap();
        assert!(db
            .exec("INSERT INTO room_route (id, route) VALUES (1, 'p2p')", &[])
            .is_err());
        assert_eq!(RouteStore::new(&db).route(), Ok(MediaRoute::Mesh));
    }
}
