//! The `Accounts` Durable Object: thin glue between the routes' internal JSON calls and
//! [`crate::oauth::accounts`] over the object's SQLite. It supplies the randomness (a new user
//! id) and the alarm that deletes a consumed sign-in state once its login cookie has expired.

use std::cell::Cell;

use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

use crate::oauth::accounts::{self, AccountsCall, AccountsReply, AccountsStore};
use crate::sql::durable_object::DoSql;

#[durable_object]
pub struct Accounts {
    state: State,
    /// The schema is known to be current (migrations run once per instance, lazily).
    schema_ready: Cell<bool>,
}

impl DurableObject for Accounts {
    fn new(state: State, _env: Env) -> Self {
        Accounts {
            state,
            schema_ready: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let Ok(call) = req.json::<AccountsCall>().await else {
            return Response::error("bad internal request", 400);
        };
        let mut random = [0u8; 16];
        if getrandom::fill(&mut random).is_err() {
            worker::console_error!("accounts: no random source");
            return Response::error("no random source", 500);
        }
        let new_user_id = accounts::new_user_id(random);
        let db = DoSql::new(self.state.storage());
        let store = AccountsStore::new(&db);
        if !self.schema_ready.get() {
            if let Err(error) = store.migrate() {
                worker::console_error!("accounts: migrating: {error}");
                return Response::error("storage failed", 500);
            }
            self.schema_ready.set(true);
        }
        let reply = match accounts::handle(&store, &call, &new_user_id) {
            Ok(reply) => reply,
            Err(error) => {
                worker::console_error!("accounts: {error}");
                return Response::error("storage failed", 500);
            }
        };
        if let AccountsReply::State {
            fresh: true,
            delete_at_ms,
        } = reply
        {
            // Without the alarm the used state would only linger; the sign-in goes on.
            let at = chrono::DateTime::from_timestamp_millis(delete_at_ms.max(call.now_ms))
                .unwrap_or_default();
            if let Err(error) = self.state.storage().set_alarm(at).await {
                worker::console_error!("accounts: setting the cleanup alarm: {error}");
            }
        }
        Response::from_json(&reply)
    }

    async fn alarm(&self) -> Result<Response> {
        // A consumed state's time is up: forget it entirely (its cookie has expired too).
        self.state.storage().delete_all().await?;
        self.schema_ready.set(false);
        Response::ok("deleted")
    }
}
