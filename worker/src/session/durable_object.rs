//! The `Sessions` Durable Object, one per user id: thin glue between the routes' internal JSON
//! calls and [`crate::session`] over the object's SQLite. It supplies the randomness (new token
//! bytes, family ids) and logs token reuse by family id only, never a token.

use std::cell::Cell;

use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

use crate::session::{self, SessionCall, SessionReply, SessionStore, SECRET_BYTES};
use crate::sql::durable_object::DoSql;

#[durable_object]
pub struct Sessions {
    state: State,
    /// The schema is known to be current (migrations run once per instance, lazily).
    schema_ready: Cell<bool>,
}

impl DurableObject for Sessions {
    fn new(state: State, _env: Env) -> Self {
        Sessions {
            state,
            schema_ready: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let Ok(call) = req.json::<SessionCall>().await else {
            return Response::error("bad internal request", 400);
        };
        let mut secret = [0u8; SECRET_BYTES];
        if getrandom::fill(&mut secret).is_err() {
            worker::console_error!("sessions: no random source");
            return Response::error("no random source", 500);
        }
        let family = uuid::Uuid::new_v4().simple().to_string();
        let db = DoSql::new(self.state.storage());
        let store = SessionStore::new(&db);
        if !self.schema_ready.get() {
            match session::answer_unopened(&store, &call.op) {
                Ok(Some(reply)) => return Response::from_json(&reply),
                Ok(None) => {}
                Err(error) => {
                    worker::console_error!("sessions: reading the schema: {error}");
                    return Response::error("storage failed", 500);
                }
            }
            if let Err(error) = store.migrate() {
                worker::console_error!("sessions: migrating: {error}");
                return Response::error("storage failed", 500);
            }
            self.schema_ready.set(true);
        }
        match session::handle(&store, &call, &secret, &family) {
            Ok(reply) => {
                if let SessionReply::Refused {
                    reused_family: Some(family),
                    ..
                } = &reply
                {
                    worker::console_warn!(
                        "sessions: a rotated refresh token was presented again; family {family} revoked"
                    );
                }
                Response::from_json(&reply)
            }
            Err(error) => {
                worker::console_error!("sessions: {error}");
                Response::error("storage failed", 500)
            }
        }
    }
}
