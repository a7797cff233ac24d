//! A connection to the SFU that drops is restarted in place first: an ICE restart (my offer
//! with new ICE credentials, alone in a `tracks/new`; the SFU answers with new ones of its
//! own), so the session and everything pushed and pulled stay. Only when that fails, or the
//! connection is not back within [`RESTART_WAIT_MS`], does the call start a new session
//! (everything pushed and pulled anew, as Cloudflare's own clients do on any loss). A session
//! the SFU no longer knows, or one left waiting on an offer, is replaced at once
//! ([`SfuLink::start_over`]).

use std::rc::Rc;

use confab_protocol::sfu_api::{SdpType, TracksRequest};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::RtcPeerConnectionState;

use super::super::peer::restart::DISCONNECTED_GRACE_MS;
use super::super::peer::{restart_ice, set_local_description_implicit};
use super::{api_error, log, SfuEvent, SfuLink};
use crate::api::sfu::wait_ms;
use crate::api::ApiError;

/// How long a restarted connection has to come back before a new session is made.
const RESTART_WAIT_MS: u32 = 10_000;
/// How often the wait looks at the connection.
const RESTART_POLL_MS: u32 = 250;

/// How long the call waits before the new session after `failed` sessions in a row failed
/// (none connected since): at once after the first, then 1, 2, 4 and 8 s, then 15 s each time.
/// A session the worker or the SFU refuses every time is not asked for in a tight loop.
pub fn new_session_delay_ms(failed: u32) -> u32 {
    match failed {
        0 | 1 => 0,
        n => (1_000u32 << (n - 2).min(4)).min(15_000),
    }
}

impl SfuLink {
    /// The connection went `disconnected` or `failed`. A `disconnected` that heals within
    /// [`DISCONNECTED_GRACE_MS`] is left alone; otherwise one ICE restart, then a new session.
    pub(super) fn connection_lost(self: &Rc<Self>) {
        if self.restarting.replace(true) {
            return;
        }
        let link = self.clone();
        spawn_local(async move {
            if link.pc.connection_state() != RtcPeerConnectionState::Failed {
                wait_ms(DISCONNECTED_GRACE_MS as u32).await;
            }
            if link.closed.get() || link.connected() {
                link.restarting.set(false);
                return;
            }
            match link.restart_ice().await {
                Ok(()) => {
                    let mut waited = 0;
                    while waited < RESTART_WAIT_MS && !link.closed.get() && !link.connected() {
                        wait_ms(RESTART_POLL_MS).await;
                        waited += RESTART_POLL_MS;
                    }
                }
                Err(error) => log("restarting ICE with the SFU failed", &error),
            }
            if link.closed.get() {
                return;
            }
            if link.connected() {
                link.restarting.set(false);
            } else {
                (link.on_event)(SfuEvent::Failed);
            }
        });
    }

    /// A call to the SFU failed for good. If it failed on the way every time, this session
    /// cannot be trusted (the SFU may hold a change I never heard back about, and it takes no
    /// other until that one is answered); if the SFU no longer knows it, it is over: either
    /// way the call is told to start a new one.
    pub(super) fn failed_call(&self, error: ApiError) -> JsValue {
        if error.is_transient() {
            self.start_over();
        }
        self.gone_if(&error);
        api_error(error)
    }

    /// The SFU no longer knows this session (it restarted, or dropped it): a new one at once,
    /// rather than when the connection is noticed lost seconds later.
    pub(super) fn gone_if(&self, error: &ApiError) {
        if error.is_gone() {
            self.start_over();
        }
    }

    /// This session cannot go on: the call starts a new one (which closes this link, so it
    /// is said once).
    pub(super) fn start_over(&self) {
        if !self.closed.get() {
            (self.on_event)(SfuEvent::Failed);
        }
    }

    fn connected(&self) -> bool {
        self.pc.connection_state() == RtcPeerConnectionState::Connected
    }

    /// My offer with new ICE credentials, and the SFU's answer applied.
    async fn restart_ice(&self) -> Result<(), JsValue> {
        let _turn = self.turn.lock().await;
        if self.closed.get() {
            return Ok(());
        }
        restart_ice(&self.pc);
        JsFuture::from(set_local_description_implicit(&self.pc)).await?;
        let request = TracksRequest {
            session_description: Some(self.local_sdp(SdpType::Offer)?),
            tracks: Vec::new(),
        };
        let token = (self.identity.token)();
        let response = self
            .caller(&token)
            .tracks_new(&self.session_id()?, &request)
            .await
            .map_err(|error| self.failed_call(error))?;
        let answer = response
            .session_description
            .ok_or_else(|| JsValue::from_str("the SFU sent no answer to my ICE restart"))?;
        self.apply_remote(&answer).await
    }
}

#[cfg(test)]
mod tests {
    use super::new_session_delay_ms;

    #[test]
    fn new_sessions_after_failures_in_a_row_wait_longer_up_to_fifteen_seconds() {
        let waits: Vec<u32> = (1..=8).map(new_session_delay_ms).collect();
        assert_eq!(
            waits,
            [0, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]
        );
        assert_eq!(new_session_delay_ms(u32::MAX), 15_000);
    }
}
