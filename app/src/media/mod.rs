//! Local camera and microphone, with fallbacks so a person without devices or permission can
//! still join and receive. `devices`: the lists and the remembered choices; `level`: how loud
//! the microphone is; `chime`: the sound of someone new waiting to come in.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints, MediaStreamTrack};

use crate::i18n::{Said, Texts};

pub mod chime;
pub mod devices;
pub mod level;
pub mod screen;

pub use devices::{Choices, Kind};

#[derive(Clone)]
pub struct LocalMedia {
    pub stream: Option<MediaStream>,
    /// Why we send less than audio + video, in words for the user.
    pub notice: Option<Said>,
    /// What went wrong with the device we could not open, for the how-to-fix help.
    pub problem: Option<DeviceError>,
}

fn media_devices() -> Option<web_sys::MediaDevices> {
    web_sys::window()?.navigator().media_devices().ok()
}

/// Asks for camera + mic (the remembered ones, else the defaults), then each alone; never
/// fails, at worst returns no stream.
pub async fn acquire(choices: &Choices) -> LocalMedia {
    let remembered = acquire_with(choices).await;
    if remembered.problem.is_none() || *choices == Choices::default() {
        return remembered;
    }
    // A remembered device that is gone (or failing): the browser's defaults instead.
    // (`exact` rather than `ideal`: Chromium passed over an `ideal` camera that was there.)
    let defaults = acquire_with(&Choices::default()).await;
    if defaults.problem.is_none() {
        if let Some(stream) = &remembered.stream {
            stop_all(stream);
        }
        return defaults;
    }
    if let Some(stream) = &defaults.stream {
        stop_all(stream);
    }
    remembered
}

async fn acquire_with(choices: &Choices) -> LocalMedia {
    let Some(devices) = media_devices() else {
        return LocalMedia {
            stream: None,
            notice: Some(Said::text(|t| t.no_media_api)),
            problem: None,
        };
    };
    let mut last_error = DeviceError::Unknown(None);
    for (audio, video) in [(true, true), (true, false), (false, true)] {
        let constraints = MediaStreamConstraints::new();
        constraints.set_audio(&devices::wanted(audio, choices.mic.as_deref()));
        constraints.set_video(&devices::wanted(video, choices.camera.as_deref()));
        let Ok(promise) = devices.get_user_media_with_constraints(&constraints) else {
            continue;
        };
        match JsFuture::from(promise).await {
            Ok(stream) => {
                let stream: MediaStream = stream.unchecked_into();
                let why = last_error.clone();
                let (notice, problem) = match (audio, video) {
                    (true, true) => (None, None),
                    (true, false) => (
                        Some(Said::new(move |t| (t.no_camera)(why.words(t)))),
                        Some(last_error),
                    ),
                    _ => (
                        Some(Said::new(move |t| (t.no_microphone)(why.words(t)))),
                        Some(last_error),
                    ),
                };
                return LocalMedia {
                    stream: Some(stream),
                    notice,
                    problem,
                };
            }
            Err(error) => last_error = DeviceError::of(&error),
        }
    }
    let why = last_error.clone();
    LocalMedia {
        stream: None,
        notice: Some(Said::new(move |t| (t.receive_only)(why.words(t)))),
        problem: Some(last_error),
    }
}

/// Opens the device `id` of `kind` (exactly that one) and puts its track in `stream` in place
/// of the old one of that kind, which is stopped. Returns the new track (for the senders).
pub async fn switch(
    stream: &MediaStream,
    kind: Kind,
    id: &str,
) -> Result<MediaStreamTrack, DeviceError> {
    let devices = media_devices().ok_or(DeviceError::Unknown(None))?;
    let constraints = MediaStreamConstraints::new();
    let wanted = devices::wanted(true, Some(id));
    match kind {
        Kind::Camera => constraints.set_video(&wanted),
        Kind::Mic => constraints.set_audio(&wanted),
        Kind::Speaker => return Err(DeviceError::Unknown(None)),
    }
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| DeviceError::of(&e))?;
    let fresh: MediaStream = JsFuture::from(promise)
        .await
        .map_err(|e| DeviceError::of(&e))?
        .unchecked_into();
    let track = tracks_of_kind(&fresh, kind.track_kind())
        .into_iter()
        .next()
        .ok_or(DeviceError::NoDevice)?;
    for old in tracks_of_kind(stream, kind.track_kind()) {
        // Keep the on/off state the person chose.
        track.set_enabled(old.enabled());
        old.stop();
        stream.remove_track(&old);
    }
    stream.add_track(&track);
    Ok(track)
}

/// Why `getUserMedia` failed, by the DOMException's name.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceError {
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
            Some("NotFoundError") | Some("OverconstrainedError") => DeviceError::NoDevice,
            Some("NotReadableError") => DeviceError::InUse,
            _ => DeviceError::Unknown(name),
        }
    }

    pub fn words<'a>(&'a self, t: &'static Texts) -> &'a str {
        match self {
            DeviceError::PermissionDenied => t.permission_denied,
            DeviceError::NoDevice => t.no_device,
            DeviceError::InUse => t.device_in_use,
            DeviceError::Unknown(Some(name)) => name,
            DeviceError::Unknown(None) => t.unknown_error,
        }
    }

    /// How to fix it, in this browser's own words for its settings.
    pub fn help(&self, t: &'static Texts, browser: Browser) -> Option<&'static str> {
        match self {
            DeviceError::PermissionDenied => Some(match browser {
                Browser::Firefox => t.allow_in_firefox,
                Browser::Safari => t.allow_in_safari,
                Browser::Chromium => t.allow_in_chrome,
            }),
            DeviceError::NoDevice => Some(t.plug_in_device),
            DeviceError::InUse => Some(t.close_other_apps),
            DeviceError::Unknown(_) => None,
        }
    }
}

/// Which family of browser, for instructions that name its menus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    Chromium,
    Firefox,
    Safari,
}

impl Browser {
    /// By the user agent string (only for wording help; never to decide what works).
    pub fn from_user_agent(agent: &str) -> Browser {
        if agent.contains("Firefox/") {
            Browser::Firefox
        } else if agent.contains("Chrome/") || agent.contains("Chromium/") {
            Browser::Chromium
        } else if agent.contains("Safari/") {
            Browser::Safari
        } else {
            Browser::Chromium
        }
    }

    pub fn this() -> Browser {
        let agent = web_sys::window()
            .and_then(|w| w.navigator().user_agent().ok())
            .unwrap_or_default();
        Browser::from_user_agent(&agent)
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

#[cfg(test)]
mod tests {
    use super::Browser;

    #[test]
    fn help_names_the_browser_the_person_uses() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/148.0.0.0 Safari/537.36";
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like \
                    Gecko) Chrome/148.0.0.0 Safari/537.36 Edg/148.0.0.0";
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
        let safari = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/18.0 Safari/605.1.15";
        assert_eq!(Browser::from_user_agent(chrome), Browser::Chromium);
        assert_eq!(Browser::from_user_agent(edge), Browser::Chromium);
        assert_eq!(Browser::from_user_agent(firefox), Browser::Firefox);
        assert_eq!(Browser::from_user_agent(safari), Browser::Safari);
    }
}
