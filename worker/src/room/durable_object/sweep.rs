//! The Room object's side of the sweep (rules in [`crate::room::sweep`]): its alarm closes the
//! sockets whose token ran out and those it has heard nothing from, and is set again for the
//! next deadline while any socket is open.

use confab_protocol::{close_code, ErrorCode, ServerFrame};
use wasm_bindgen::prelude::*;
use worker::WebSocket;

use super::{attachment, standby, MemberHeader, Room};
use crate::env::now_ms;
use crate::room::standby::Standby;
use crate::room::sweep::{judge, next_sweep, Fate, Seen};
use crate::room::Attachment;

#[wasm_bindgen]
extern "C" {
    /// The object's `DurableObjectState`, seen for the one method workers-rs has no binding
    /// for.
    #[wasm_bindgen(extends = worker::js_sys::Object)]
    type PingClock;

    /// When the runtime last answered this socket's `ping` for the object; `null` if it never
    /// has.
    #[wasm_bindgen(method, catch, js_name = getWebSocketAutoResponseTimestamp)]
    fn get_websocket_auto_response_timestamp(
        this: &PingClock,
        ws: &worker::web_sys::WebSocket,
    ) -> std::result::Result<Option<worker::js_sys::Date>, JsValue>;
}

/// An open socket the sweep watches, by what the room keeps of it.
enum Watched {
    /// A member or someone the lobby holds.
    Present(Attachment),
    /// A socket opened ahead of the click on Join.
    Standby(Standby<MemberHeader>),
}

impl Room {
    /// Makes sure the sweep runs by the earliest deadline of the open sockets (called after a
    /// socket arrives; the alarm then keeps itself going while sockets are open).
    pub(super) async fn arm_sweep(&self) {
        let now = now_ms();
        let watched = self.watched();
        let fates = watched
            .iter()
            .map(|(ws, watched)| judge(self.seen(ws, watched), now, self.silent_ms));
        let Some(next) = next_sweep(fates, now) else {
            return;
        };
        let storage = self.state.storage();
        match storage.get_alarm().await {
            Ok(Some(at)) if at <= next => {}
            Ok(_) => self.set_sweep(next).await,
            Err(error) => worker::console_error!("room: reading the sweep alarm: {error}"),
        }
    }

    /// The alarm: closes the sockets whose token ran out (4401) and the silent ones (4408),
    /// then sets the next sweep if any socket is left.
    pub(super) async fn sweep(&self) {
        let now = now_ms();
        let mut fates = Vec::new();
        for (ws, watched) in self.watched() {
            let fate = judge(self.seen(&ws, &watched), now, self.silent_ms);
            match (fate, &watched) {
                (Fate::Keep { .. }, _) => {}
                (Fate::Expired, Watched::Present(_)) => {
                    let expired =
                        ServerFrame::error(ErrorCode::Unauthorized, "access token expired");
                    let _ = ws.send_with_str(expired.to_json());
                    self.close_member(&ws, close_code::TOKEN_EXPIRED, "token expired");
                }
                (Fate::Silent, Watched::Present(_)) => {
                    self.close_member(&ws, close_code::SILENT, "nothing heard")
                }
                (Fate::Expired, Watched::Standby(standby)) => {
                    self.close_standby(&ws, standby, close_code::TOKEN_EXPIRED, "token expired")
                }
                (Fate::Silent, Watched::Standby(standby)) => {
                    self.close_standby(&ws, standby, close_code::SILENT, "nothing heard")
                }
            }
            fates.push(fate);
        }
        if let Some(next) = next_sweep(fates, now) {
            self.set_sweep(next).await;
        }
    }

    async fn set_sweep(&self, at_ms: i64) {
        let at = chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default();
        if let Err(error) = self.state.storage().set_alarm(at).await {
            worker::console_error!("room: setting the sweep alarm: {error}");
        }
    }

    /// Every open socket the room still counts (not those it has closed or refused).
    fn watched(&self) -> Vec<(WebSocket, Watched)> {
        self.state
            .get_websockets()
            .into_iter()
            .filter_map(|ws| {
                let watched = match attachment(&ws) {
                    Some(present) if !present.closing => Watched::Present(present),
                    Some(_) => return None,
                    None => Watched::Standby(standby::standing_by(&ws)?),
                };
                Some((ws, watched))
            })
            .collect()
    }

    /// Its token's expiry and the last sign of life: its own frames or arrival, or the last
    /// ping the runtime answered for it.
    fn seen(&self, ws: &WebSocket, watched: &Watched) -> Seen {
        let (token_exp, own_ms) = match watched {
            Watched::Present(present) => (present.token_exp, present.heard_ms),
            Watched::Standby(standby) => (standby.standby_token_exp, standby.standby_since_ms),
        };
        let pinged_ms = self
            .state
            .as_raw()
            .unchecked_ref::<PingClock>()
            .get_websocket_auto_response_timestamp(ws.as_ref())
            .ok()
            .flatten()
            .map_or(0, |date| date.get_time() as i64);
        Seen {
            token_exp,
            heard_ms: own_ms.max(pinged_ms),
        }
    }
}
