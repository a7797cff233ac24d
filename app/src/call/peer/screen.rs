//! Sending my shared screen to one peer: send-only transceivers after the camera's two, kept
//! for the next share, sized and capped so text stays readable.

use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{MediaStream, RtcRtpTransceiverDirection, RtcRtpTransceiverInit};

use super::{log, tracks_of_kind, PeerSession};

impl PeerSession {
    /// Starts (`Some`) or stops sending my screen. The first share adds send-only transceivers
    /// (the offer they need goes through the perfect-negotiation path); later ones reuse them.
    /// Stopping turns them inactive, which renegotiates too; camera and microphone are untouched.
    pub fn send_screen(&self, screen: Option<&MediaStream>) {
        let mut senders = self.screen_senders.borrow_mut();
        let Some(stream) = screen else {
            for transceiver in senders.iter() {
                let _ = transceiver.sender().replace_track(None);
                transceiver.set_direction(RtcRtpTransceiverDirection::Inactive);
            }
            return;
        };
        for kind in ["video", "audio"] {
            let Some(track) = tracks_of_kind(stream, kind).into_iter().next() else {
                continue;
            };
            let reusable = senders
                .iter()
                .find(|t| t.receiver().track().kind() == kind)
                .cloned();
            match reusable {
                Some(transceiver) => {
                    let _ = transceiver.sender().replace_track(Some(&track));
                    transceiver.set_direction(RtcRtpTransceiverDirection::Sendonly);
                }
                None => {
                    let init = RtcRtpTransceiverInit::new();
                    init.set_direction(RtcRtpTransceiverDirection::Sendonly);
                    init.set_streams(&js_sys::Array::of1(stream));
                    if kind == "video" {
                        init.set_send_encodings(&js_sys::Array::of1(&screen_encoding()));
                    }
                    let transceiver = self
                        .pc
                        .add_transceiver_with_media_stream_track_and_init(&track, &init);
                    if kind == "video" {
                        keep_resolution(&transceiver.sender());
                    }
                    senders.push(transceiver);
                }
            }
        }
    }
}

/// Every connection starts with two transceivers, the camera's audio and video (mids "0" and
/// "1", in the order the first offer made them); any later one carries a shared screen.
pub(super) fn carries_screen(mid: Option<&str>) -> bool {
    mid.and_then(|m| m.parse::<u32>().ok())
        .is_some_and(|m| m >= 2)
}

/// At most this many bits per second for a screen: text stays sharp at the screen's own
/// resolution (Chromium lowers the frame rate first for `contentHint = "detail"`), and a
/// screen of slides or code needs far less most of the time.
const SCREEN_MAX_BITRATE: u32 = 2_500_000;

/// Text must stay readable: when bandwidth is short the screen loses frames, not pixels
/// (`degradationPreference`; Chromium also scales a screen down at the start of a call
/// while its bandwidth estimate is still low, unless told this).
pub(crate) fn keep_resolution(sender: &web_sys::RtcRtpSender) {
    let parameters = sender.get_parameters();
    let set = js_sys::Reflect::set(
        &parameters,
        &"degradationPreference".into(),
        &"maintain-resolution".into(),
    );
    if set.is_ok() {
        let promise = sender.set_parameters_with_parameters(&parameters);
        spawn_local(async move {
            if let Err(error) = JsFuture::from(promise).await {
                log("setParameters failed", &error);
            }
        });
    }
}

pub(crate) fn screen_encoding() -> web_sys::RtcRtpEncodingParameters {
    let encoding = web_sys::RtcRtpEncodingParameters::new();
    encoding.set_max_bitrate(SCREEN_MAX_BITRATE);
    encoding
}
