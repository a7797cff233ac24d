//! The Room object's internal HTTP requests from the worker's routes: the settings of a new
//! room (`POST /api/rooms`) and the benchmark-only chat seed.

use confab_protocol::{CreateRoomRequest, CreateRoomResponse, Role};
use serde::Deserialize;
use worker::{Request, Response, Result};

use super::{MemberHeader, Room};
use crate::chat::{self, Author, SeedError};
use crate::env::now_ms;
use crate::room::{RoleChange, RoomSettings, SettingsStore};
use crate::sql::durable_object::DoSql;

impl Room {
    /// `POST /settings {"require_sign_in"}` from `POST /api/rooms`: the settings of
    /// a new room, made by the member in the header. 201 with the settings, 409 when the room
    /// is already in use or set.
    pub(super) async fn create_settings(
        &self,
        mut req: Request,
        member: MemberHeader,
    ) -> Result<Response> {
        let Ok(body) = req.json::<CreateRoomRequest>().await else {
            return Response::error("body must be {\"require_sign_in\":bool}", 400);
        };
        let settings = RoomSettings {
            creator: member.identity.user_id,
            require_sign_in: body.require_sign_in,
            created_ms: now_ms(),
        };
        let present = self.members().len();
        let db = DoSql::new(self.state.storage());
        let created = self
            .chat(&db)
            .and_then(|_| SettingsStore::new(&db).create(&settings, present));
        if matches!(created, Ok(Ok(()))) {
            // Whoever made the room owns it (a failure is logged; the room still works, and
            // its first member becomes host).
            self.store_roles(&[RoleChange {
                user_id: settings.creator.clone(),
                role: Role::Host,
            }]);
            self.choose_history(body.history);
        }
        match created {
            Ok(Ok(())) => Ok(Response::from_json(&CreateRoomResponse {
                room: member.room,
                require_sign_in: settings.require_sign_in,
            })?
            .with_status(201)),
            Ok(Err(conflict)) => Response::error(conflict.to_string(), 409),
            Err(error) => {
                worker::console_error!("room: storing settings: {error}");
                Response::error("storage failed", 500)
            }
        }
    }

    /// Benchmark-only bulk insert (the route exists only with `ALLOW_BENCH_SEED`).
    pub(super) async fn seed(&self, mut req: Request, member: MemberHeader) -> Result<Response> {
        #[derive(Deserialize)]
        struct SeedBody {
            texts: Vec<String>,
        }
        let Ok(body) = req.json::<SeedBody>().await else {
            return Response::error("body must be {\"texts\":[...]}", 400);
        };
        let author = Author {
            user_id: member.identity.user_id,
            name: member.identity.name,
        };
        let db = DoSql::new(self.state.storage());
        let inserted = self
            .chat(&db)
            .map_err(SeedError::from)
            .and_then(|store| chat::seed(&store, &author, &body.texts, now_ms(), &self.retention));
        match inserted {
            Ok(count) => Response::from_json(&serde_json::json!({ "inserted": count })),
            Err(SeedError::Store(error)) => {
                worker::console_error!("room: seeding chat: {error}");
                Response::error("storage failed", 500)
            }
            Err(refused) => Response::error(refused.to_string(), 400),
        }
    }
}
