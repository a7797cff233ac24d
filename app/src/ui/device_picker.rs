//! Pickers for camera, microphone and speaker: before joining and in the call's device
//! settings. A choice switches at once (in a call, without renegotiating) and is remembered.

use leptos::prelude::*;

use super::room_model::RoomModel;
use crate::i18n::{I18n, Texts};
use crate::media::devices::{display_name, selected, speaker_choice_supported};
use crate::media::{self, Kind};

/// Camera, microphone and, where the browser lets a page choose, speaker.
#[component]
pub(super) fn DevicePickers(model: RoomModel) -> impl IntoView {
    view! {
        <DevicePicker model kind=Kind::Camera testid="camera-select" label=|t| t.camera/>
        <DevicePicker model kind=Kind::Mic testid="mic-select" label=|t| t.microphone/>
        {speaker_choice_supported().then(|| view! {
            <DevicePicker model kind=Kind::Speaker testid="speaker-select" label=|t| t.speaker/>
        })}
    }
}

/// One `<select>` of the devices of `kind` (values: device ids); hidden while the browser
/// lists none (before access is allowed).
#[component]
fn DevicePicker(
    model: RoomModel,
    kind: Kind,
    testid: &'static str,
    label: fn(&'static Texts) -> &'static str,
) -> impl IntoView {
    let i18n = I18n::get();
    // The device the open track came from, for when the remembered one is gone.
    let in_use = move || {
        let stream = model.local.get()?;
        let track = media::tracks_of_kind(&stream, kind.track_kind())
            .into_iter()
            .next()?;
        track.get_settings().get_device_id()
    };
    // The options are rebuilt whole when the list, the choice or the language changes (a
    // handful); the `<select>` itself stays, so it keeps the keyboard focus.
    let options = move || {
        let t = i18n.t();
        let list = model.devices.of(kind);
        let in_use = in_use();
        let chosen = model
            .devices
            .choices
            .with(|c| c.get(kind).map(str::to_owned));
        let current = selected(&list, chosen.as_deref(), in_use.as_deref()).map(str::to_owned);
        list.into_iter()
            .enumerate()
            .map(|(position, device)| {
                let is_current = current.as_deref() == Some(device.id.as_str());
                let name = display_name(&device, position, label(t));
                view! { <option value=device.id selected=is_current>{name}</option> }
            })
            .collect_view()
    };
    let none = move || {
        model
            .devices
            .list
            .with(|l| !l.iter().any(|d| d.kind == kind))
    };
    view! {
        <label class="device" hidden=none>
            {move || label(i18n.t())}
            <select data-testid=testid
                on:change=move |ev| model.choose_device(kind, event_target_value(&ev))>
                {options}
            </select>
        </label>
    }
}
