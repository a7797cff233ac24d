//! The codecs a call offers: fewer than the browser's default list, because every codec in an
//! offer is work for both browsers when the description is applied (payload types, receive
//! streams, RTX pairs), and that work is on the path of every join.

use wasm_bindgen::prelude::*;
use web_sys::RtcRtpTransceiver;

// Both caught: a browser without them (older Firefox) keeps its default list.
#[wasm_bindgen]
extern "C" {
    /// `RTCRtpReceiver.getCapabilities(kind)`: what this browser can receive.
    #[wasm_bindgen(catch, js_namespace = RTCRtpReceiver, js_name = getCapabilities)]
    fn receiver_capabilities(kind: &str) -> Result<JsValue, JsValue>;
    /// The same RTCRtpTransceiver, through a `setCodecPreferences` whose error is caught.
    #[wasm_bindgen(js_name = RTCRtpTransceiver)]
    type Preferences;
    #[wasm_bindgen(catch, method, js_name = setCodecPreferences)]
    fn set_codec_preferences(this: &Preferences, codecs: &js_sys::Array) -> Result<(), JsValue>;
}

/// The codecs kept, by MIME type: VP8 (every browser has it) with RTX for retransmissions,
/// and Opus.
const KEPT: [&str; 3] = ["video/vp8", "video/rtx", "audio/opus"];

/// Narrows what `transceiver` offers for `kind` to the kept codecs, in the browser's order.
/// Where the browser cannot say or keeps none, the default list stays, and so it does in
/// Firefox: its offer then keeps `a=rtcp-fb` lines for the payload types it left out, and
/// Chromium refuses such an offer ("Failed to parse codecs correctly", Firefox 140 and
/// Chromium 148), so no call between them would connect.
pub fn prefer_codecs(transceiver: &RtcRtpTransceiver, kind: &str) {
    if is_firefox() {
        return;
    }
    let Ok(capabilities) = receiver_capabilities(kind) else {
        return;
    };
    let Ok(codecs) = js_sys::Reflect::get(&capabilities, &"codecs".into()) else {
        return;
    };
    let Ok(codecs) = codecs.dyn_into::<js_sys::Array>() else {
        return;
    };
    let kept = codecs.filter(&mut |codec, _, _| {
        js_sys::Reflect::get(&codec, &"mimeType".into())
            .ok()
            .and_then(|m| m.as_string())
            .is_some_and(|m| KEPT.contains(&m.to_ascii_lowercase().as_str()))
    });
    if kept.length() > 0 {
        let _ = transceiver
            .unchecked_ref::<Preferences>()
            .set_codec_preferences(&kept);
    }
}

fn is_firefox() -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .is_some_and(|agent| agent.contains("Firefox/"))
}
