//! A screen, window or tab to share, from the browser's own picker.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DisplayMediaStreamConstraints, MediaStream};

/// Frames per second asked for: slides and code change rarely, and fewer frames leave the
/// bitrate to sharpness (see the sender's cap in `call::peer`).
const FRAME_RATE: u32 = 15;

/// Whether this browser can share a screen at all (phones mostly cannot).
pub fn supported() -> bool {
    super::media_devices().is_some_and(|devices| {
        js_sys::Reflect::has(&devices, &"getDisplayMedia".into()).unwrap_or(false)
    })
}

/// Asks the person what to share (the tab's or system's sound too, where the browser offers
/// it). The video is sent at the screen's own resolution, marked as detail (text) so the
/// encoder keeps it sharp rather than smooth. An error when refused or cancelled.
pub async fn pick() -> Result<MediaStream, JsValue> {
    let devices = super::media_devices().ok_or(JsValue::NULL)?;
    let video = js_sys::Object::new();
    js_sys::Reflect::set(&video, &"frameRate".into(), &FRAME_RATE.into())?;
    let constraints = DisplayMediaStreamConstraints::new();
    constraints.set_video(&video);
    constraints.set_audio(&true.into());
    let stream: MediaStream =
        JsFuture::from(devices.get_display_media_with_constraints(&constraints)?)
            .await?
            .unchecked_into();
    for track in super::tracks_of_kind(&stream, "video") {
        js_sys::Reflect::set(&track, &"contentHint".into(), &"detail".into())?;
    }
    Ok(stream)
}
