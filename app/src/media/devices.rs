//! Cameras, microphones and speakers: the lists the browser gives, and the choice remembered
//! in this browser for each (reused while that device is still there).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ConstrainDomStringParameters, MediaDeviceInfo, MediaDeviceKind, MediaTrackConstraints,
};

use crate::storage;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Camera,
    Mic,
    Speaker,
}

impl Kind {
    /// The `MediaStreamTrack.kind` of this kind's tracks.
    pub fn track_kind(self) -> &'static str {
        match self {
            Kind::Camera => "video",
            Kind::Mic | Kind::Speaker => "audio",
        }
    }

    /// "Camera", "Microphone", "Speaker" in the page's language.
    pub fn word(self, t: &'static crate::i18n::Texts) -> &'static str {
        match self {
            Kind::Camera => t.camera,
            Kind::Mic => t.microphone,
            Kind::Speaker => t.speaker,
        }
    }

    fn storage_key(self) -> &'static str {
        match self {
            Kind::Camera => "confab.camera",
            Kind::Mic => "confab.mic",
            Kind::Speaker => "confab.speaker",
        }
    }
}

/// One device as the browser lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub kind: Kind,
    pub id: String,
    /// Empty before the person allowed access (browsers hide labels until then).
    pub label: String,
}

/// The device chosen for each kind, remembered in this browser (`None`: the default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    pub camera: Option<String>,
    pub mic: Option<String>,
    pub speaker: Option<String>,
}

impl Choices {
    pub fn load() -> Choices {
        Choices {
            camera: storage::load(Kind::Camera.storage_key()),
            mic: storage::load(Kind::Mic.storage_key()),
            speaker: storage::load(Kind::Speaker.storage_key()),
        }
    }

    pub fn get(&self, kind: Kind) -> Option<&str> {
        match kind {
            Kind::Camera => self.camera.as_deref(),
            Kind::Mic => self.mic.as_deref(),
            Kind::Speaker => self.speaker.as_deref(),
        }
    }

    /// Chooses `id` for `kind` and remembers it.
    pub fn choose(&mut self, kind: Kind, id: String) {
        storage::save(kind.storage_key(), &id);
        let slot = match kind {
            Kind::Camera => &mut self.camera,
            Kind::Mic => &mut self.mic,
            Kind::Speaker => &mut self.speaker,
        };
        *slot = Some(id);
    }
}

/// What a picker shows as selected: the chosen device while it is listed, else the one in use
/// (`current`, the track's own device), else the first.
pub fn selected<'a>(
    devices: &'a [Device],
    chosen: Option<&str>,
    current: Option<&str>,
) -> Option<&'a str> {
    let listed = |id: Option<&str>| id.and_then(|id| devices.iter().find(|d| d.id == id));
    listed(chosen)
        .or_else(|| listed(current))
        .or_else(|| devices.first())
        .map(|d| d.id.as_str())
}

/// A device's name in a picker: its label, or "Camera 2" while the browser hides labels.
pub fn display_name(device: &Device, position: usize, generic: &str) -> String {
    if device.label.is_empty() {
        format!("{generic} {}", position + 1)
    } else {
        device.label.clone()
    }
}

/// The `audio`/`video` member of getUserMedia's constraints: `false`, `true` (any), or exactly
/// that device.
pub(super) fn wanted(on: bool, device: Option<&str>) -> JsValue {
    match (on, device) {
        (false, _) => false.into(),
        (true, None) => true.into(),
        (true, Some(id)) => {
            let id_constraint = ConstrainDomStringParameters::new();
            id_constraint.set_exact_str(id);
            let constraints = MediaTrackConstraints::new();
            constraints.set_device_id_constrain_dom_string_parameters(&id_constraint);
            constraints.into()
        }
    }
}

/// Every camera, microphone and speaker, in the browser's order.
pub async fn list() -> Vec<Device> {
    let Some(promise) = web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .and_then(|d| d.enumerate_devices().ok())
    else {
        return Vec::new();
    };
    let Ok(infos) = JsFuture::from(promise).await else {
        return Vec::new();
    };
    js_sys::Array::from(&infos)
        .iter()
        .filter_map(|info| info.dyn_into::<MediaDeviceInfo>().ok())
        .filter_map(|info| {
            let kind = match info.kind() {
                MediaDeviceKind::Videoinput => Kind::Camera,
                MediaDeviceKind::Audioinput => Kind::Mic,
                MediaDeviceKind::Audiooutput => Kind::Speaker,
                _ => return None,
            };
            // Without permission the browser lists one nameless entry per kind: nothing to pick.
            (!info.device_id().is_empty()).then(|| Device {
                kind,
                id: info.device_id(),
                label: info.label(),
            })
        })
        .collect()
}

/// Whether this browser lets a page choose where sound plays (`HTMLMediaElement.setSinkId`).
pub fn speaker_choice_supported() -> bool {
    let Ok(element) = js_sys::Reflect::get(&js_sys::global(), &"HTMLMediaElement".into()) else {
        return false;
    };
    js_sys::Reflect::get(&element, &"prototype".into())
        .and_then(|proto| js_sys::Reflect::has(&proto, &"setSinkId".into()))
        .unwrap_or(false)
}

/// Plays `element`'s sound on the speaker `id` (where supported; errors are ignored: the
/// sound stays on the speaker it was on).
pub fn play_on(element: &web_sys::HtmlMediaElement, id: &str) {
    let Ok(set_sink) = js_sys::Reflect::get(element, &"setSinkId".into()) else {
        return;
    };
    if let Some(set_sink) = set_sink.dyn_ref::<js_sys::Function>() {
        if let Ok(promise) = set_sink.call1(element, &id.into()) {
            let promise: js_sys::Promise = promise.unchecked_into();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = JsFuture::from(promise).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera(id: &str) -> Device {
        Device {
            kind: Kind::Camera,
            id: id.into(),
            label: format!("cam {id}"),
        }
    }

    #[test]
    fn a_remembered_device_is_used_while_it_is_there() {
        let devices = [camera("a"), camera("b")];
        assert_eq!(selected(&devices, Some("b"), Some("a")), Some("b"));
        // Unplugged: the one the browser opened instead, else the first.
        assert_eq!(selected(&devices, Some("gone"), Some("a")), Some("a"));
        assert_eq!(selected(&devices, Some("gone"), None), Some("a"));
        assert_eq!(selected(&[], Some("b"), None), None);
    }

    #[test]
    fn nameless_devices_are_numbered() {
        let mut device = camera("a");
        assert_eq!(display_name(&device, 0, "Camera"), "cam a");
        device.label.clear();
        assert_eq!(display_name(&device, 1, "카메라"), "카메라 2");
    }
}
