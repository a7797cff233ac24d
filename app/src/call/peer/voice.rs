//! How loud the other person's microphone is now: what the browser heard in the latest audio
//! packets (`RTCRtpReceiver.getSynchronizationSources()`, cheap enough to read several times a
//! second, unlike `getStats`).

use wasm_bindgen::JsCast;
use web_sys::{RtcRtpReceiver, RtcRtpTransceiver};

use super::{carries_screen, PeerSession};

/// A reading older than this (ms) is stale: they stopped sending.
const FRESH_MS: f64 = 500.0;

impl PeerSession {
    /// Their microphone's latest level, linear (1.0 is full scale); `None` before any sound or
    /// when the latest is stale.
    pub fn voice_level(&self) -> Option<f64> {
        let now = now_ms()?;
        let transceivers = self.pc.get_transceivers();
        let camera_audio = transceivers.iter().find_map(|t| {
            let t: RtcRtpTransceiver = t.unchecked_into();
            let receiver = t.receiver();
            (!carries_screen(t.mid().as_deref()) && receiver.track().kind() == "audio")
                .then_some(receiver)
        })?;
        receiver_level(&camera_audio, now)
    }
}

/// The latest level `receiver` heard (linear), at `now` (see [`now_ms`]); `None` before any
/// sound or when the latest is stale.
pub(crate) fn receiver_level(receiver: &RtcRtpReceiver, now: f64) -> Option<f64> {
    let sources = call_method(receiver, "getSynchronizationSources")?;
    let sources: js_sys::Array = sources.dyn_into().ok()?;
    sources
        .iter()
        .filter(|s| number(s, "timestamp").is_some_and(|t| now - t <= FRESH_MS))
        .filter_map(|s| number(&s, "audioLevel"))
        .reduce(f64::max)
}

/// The clock the sources' timestamps use: `performance.timeOrigin + performance.now()`.
pub(crate) fn now_ms() -> Option<f64> {
    let performance = web_sys::window()?.performance()?;
    Some(performance.time_origin() + performance.now())
}

fn call_method(target: &wasm_bindgen::JsValue, name: &str) -> Option<wasm_bindgen::JsValue> {
    let method: js_sys::Function = js_sys::Reflect::get(target, &name.into())
        .ok()?
        .dyn_into()
        .ok()?;
    method.call0(target).ok()
}

fn number(value: &wasm_bindgen::JsValue, name: &str) -> Option<f64> {
    js_sys::Reflect::get(value, &name.into()).ok()?.as_f64()
}
