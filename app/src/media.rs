//! Local camera and microphone, with fallbacks so a person without devices or permission can
//! still join and receive.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

use crate::i18n::{Said, Texts};

pub struct LocalMedia {
    pub stream: Option<MediaStream>,
    /// Why we send less than audio + video, in words for the user.
    pub notice: Option<Said>,
}

/// Asks for camera + mic, then each alone; never fails, at worst returns no stream.
pub async fn acquire() -> LocalMedia {
    let Some(devices) = web_sys::window().and_then(|w| w.navigator().media_devices().ok()) else {
        return LocalMedia {
            stream: None,
            notice: Some(Said::text(|t| t.no_media_api)),
        };
    };
    let mut last_error = DeviceError::Unknown(None);
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
                let why = last_error.clone();
                let notice = match (audio, video) {
                    (true, true) => None,
                    (true, false) => Some(Said::new(move |t| (t.no_camera)(why.words(t)))),
                    _ => Some(Said::new(move |t| (t.no_microphone)(why.words(t)))),
                };
                return LocalMedia {
                    stream: Some(stream),
                    notice,
                };
            }
            Err(error) => last_error = DeviceError::of(&error),
        }
    }
    LocalMedia {
        stream: None,
        notice: Some(Said::new(move |t| (t.receive_only)(last_error.words(t)))),
    }
}

/// Why `getUserMedia` failed, by the DOMException's name.
#[derive(Debug, Clone)]
enum DeviceError {
    PermissionDenied,
    NoDevice,
    InUse,
    /// Another name (shown as it is), or none.
    Unknown(Option<String>),
}

impl DeviceError {
    fn of(error: &wasm_bindgen::JsValue) -> DeviceError {
        let name = js_sys::Reflect::get(error, &"name".into())
            .ok()
            .and_then(|n| n.as_string());
        match name.as_deref() {
            Some("NotAllowedError") => DeviceError::PermissionDenied,
            Some("NotFoundError") => DeviceError::NoDevice,
            Some("NotReadableError") => DeviceError::InUse,
            _ => DeviceError::Unknown(name),
        }
    }

    fn words<'a>(&'a self, t: &'static Texts) -> &'a str {
        match self {
            DeviceError::PermissionDenied => t.permission_denied,
            DeviceError::NoDevice => t.no_device,
            DeviceError::InUse => t.device_in_use,
            DeviceError::Unknown(Some(name)) => name,
            DeviceError::Unknown(None) => t.unknown_error,
        }
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
