//! An offer made ahead. On the pre-join page the spare peer connection gets the camera's two
//! transceivers and its offer, so that a welcome into a room with someone in it sends that
//! offer at once. Made at the welcome, adding the transceivers (a call that blocks on WebRTC's
//! signaling thread) and the offer took the page about 15 ms on the path of every join.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{MediaStream, RtcPeerConnection, RtcRtpTransceiver, RtcSignalingState};

use super::{add_camera_transceivers, log, set_local_description_implicit, PeerSession};
use crate::media::tracks_of_kind;

/// Gives `pc` the transceivers that send `local` and sets its offer (in the background).
pub fn make_offer_ahead(pc: &RtcPeerConnection, local: Option<&MediaStream>) {
    add_camera_transceivers(pc, local);
    let offer = JsFuture::from(set_local_description_implicit(pc));
    spawn_local(async move {
        if let Err(error) = offer.await {
            log("offer made ahead failed", &error);
        }
    });
}

/// Whether `pc` carries a finished offer made ahead that sends what `local` has now: for
/// audio and video, the same track or none. After a device switch or with a camera let go
/// of, it does not, and the offer is made anew.
pub fn offer_ahead_fits(pc: &RtcPeerConnection, local: Option<&MediaStream>) -> bool {
    let transceivers = pc.get_transceivers();
    pc.signaling_state() == RtcSignalingState::HaveLocalOffer
        && transceivers.length() == 2
        && ["audio", "video"].into_iter().enumerate().all(|(i, kind)| {
            let sent = transceivers
                .get(i as u32)
                .dyn_into::<RtcRtpTransceiver>()
                .ok()
                .and_then(|t| t.sender().track())
                .map(|t| t.id());
            let have = local
                .and_then(|s| tracks_of_kind(s, kind).into_iter().next())
                .map(|t| t.id());
            sent == have
        })
}

impl PeerSession {
    /// Sends the offer this session's connection carries from before the click.
    pub fn send_offer_made_ahead(self: &Rc<Self>) {
        self.replay_gathering();
        self.send_local_description();
    }
}
