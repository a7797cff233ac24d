//! Someone left a call on the SFU: their tiles go, and what I pulled of theirs is closed at
//! the SFU (as a camera no longer shown is, see `showing`).

use std::rc::Rc;

use confab_protocol::sfu_api::{SdpType, TrackObject, TracksRequest};
use confab_protocol::PeerId;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{RtcRtpTransceiver, RtcRtpTransceiverDirection};

use super::{log, SfuLink};
use crate::call::peer::set_local_description_implicit;

impl SfuLink {
    /// `peer` left: their tiles go with them, and what I pulled of theirs is closed.
    pub fn forget(self: &Rc<Self>, peer: &PeerId) {
        let mids = self.pulls.borrow_mut().forget(peer);
        for mid in &mids {
            self.layers.borrow_mut().forget(mid);
        }
        self.gathering.borrow_mut().forget(peer);
        self.streams.borrow_mut().remove(peer);
        self.screens.borrow_mut().remove(peer);
        self.quality.borrow_mut().retain(|(p, _)| p != peer);
        if mids.is_empty() {
            return;
        }
        let link = self.clone();
        spawn_local(async move {
            let _turn = link.turn.lock().await;
            if link.closed.get() || link.session.borrow().is_none() {
                return;
            }
            if let Err(error) = link.close_pulls(&mids).await {
                log("closing pulled tracks at the SFU failed", &error);
            }
        });
    }

    /// Turns the transceivers on `mids` off and closes their tracks at the SFU with my offer,
    /// so the SFU stops forwarding (and billing) what nobody shows any more. `inactive`
    /// rather than `stop()`, as Cloudflare's own client (Orange Meets) closes a track: a
    /// rejected media section is not something its answers are known to handle.
    pub(super) async fn close_pulls(&self, mids: &[String]) -> Result<(), JsValue> {
        let closed = self.offer_to_close(mids).await;
        // My offer left unanswered (refused, or an answer the browser cannot apply) leaves the
        // connection unable to take the SFU's next offer: only a new session goes on.
        closed.inspect_err(|_| self.start_over())
    }

    async fn offer_to_close(&self, mids: &[String]) -> Result<(), JsValue> {
        for transceiver in self.pc.get_transceivers().iter() {
            let transceiver: RtcRtpTransceiver = transceiver.unchecked_into();
            if transceiver.mid().is_some_and(|mid| mids.contains(&mid)) {
                transceiver.set_direction(RtcRtpTransceiverDirection::Inactive);
            }
        }
        JsFuture::from(set_local_description_implicit(&self.pc)).await?;
        let request = TracksRequest {
            session_description: Some(self.local_sdp(SdpType::Offer)?),
            tracks: mids
                .iter()
                .map(|mid| TrackObject {
                    mid: Some(mid.clone()),
                    ..TrackObject::default()
                })
                .collect(),
        };
        let token = (self.identity.token)();
        let response = self
            .caller(&token)
            .tracks_close(&self.session_id()?, &request)
            .await
            .map_err(|error| self.failed_call(error))?;
        let answer = response
            .session_description
            .ok_or_else(|| JsValue::from_str("the SFU sent no answer to my offer"))?;
        self.apply_remote(&answer).await
    }
}
