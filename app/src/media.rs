//! Local camera and microphone, with fallbacks so a person without devices or permission can
//! still join and receive.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

pub struct LocalMedia {
    pub stream: Option<MediaStream>,
    /// Why we send less than audio + video, in words for the user.
    pub notice: Option<String>,
}

/// Asks for camera + mic, then each alone; never fails, at worst returns no stream.
pub async fn acquire() -> LocalMedia {
    let Some(devices) = web_sys::window().and_then(|w| w.navigator().media_devices().ok()) else {
        return LocalMedia {
            stream: None,
            notice: Some("This browser gives no access to camera or microphone (is the page on https?). You can still watch and listen.".into()),
        };
    };
    let mut last_error = String::new();
    for (audio, video) in [(true, true), (true, false), (false, true)] {
        let constraints = MediaStreamConstraints::new();
        constraints.set_audio(&audio.into());
        constraints.set_video(&video.into());
        let Ok(promise) = devices.get_user_media_with_constraints(&constraints) else {
            continue;
        };
        match JsFuture::from(promise).await {
            Ok(stream) => {
                let stream: MediaStream = stream.unchecked_into();
                let notice = match (audio, video) {
                    (true, true) => None,
                    (true, false) => Some(format!(
                        "No camera available ({last_error}); joining with microphone only."
                    )),
                    _ => Some(format!(
                        "No microphone available ({last_error}); joining with camera only."
                    )),
                };
                return LocalMedia {
                    stream: Some(stream),
                    notice,
                };
            }
            Err(error) => last_error = error_name(&error),
        }
    }
    LocalMedia {
        stream: None,
        notice: Some(format!(
            "Camera and microphone are unavailable ({last_error}). You joined receive-only: you can see and hear others. Allow access in the browser and rejoin to send."
        )),
    }
}

pub fn tracks_of_kind(stream: &MediaStream, kind: &str) -> Vec<MediaStreamTrack> {
    stream
        .get_tracks()
        .iter()
        .filter_map(|t| t.dyn_into::<MediaStreamTrack>().ok())
        .filter(|t| t.kind() == kind)
        .collect()
}

pub fn set_enabled(stream: &MediaStream, kind: &str, enabled: bool) {
    for track in tracks_of_kind(stream, kind) {
        track.set_enabled(enabled);
    }
}

pub fn stop_all(stream: &MediaStream) {
    for track in stream
        .get_tracks()
        .iter()
        .filter_map(|t| t.dyn_into::<MediaStreamTrack>().ok())
    {
        track.stop();
    }
}

fn error_name(error: &wasm_bindgen::JsValue) -> String {
    js_sys::Reflect::get(error, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .map(|name| match name.as_str() {
            "NotAllowedError" => "permission denied".to_owned(),
            "NotFoundError" => "no device found".to_owned(),
            "NotReadableError" => "device is in use".to_owned(),
            other => other.to_owned(),
        })
        .unwrap_or_else(|| "unknown error".into())
}
