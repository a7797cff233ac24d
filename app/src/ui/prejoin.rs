//! Before joining: my camera's preview, how loud my microphone is, on/off for both, and
//! pickers for camera, microphone and speaker. Problems say how to fix them in this browser.

use gloo_timers::callback::Interval;
use leptos::prelude::*;

use super::controls::MediaToggles;
use super::room_model::RoomModel;
use super::video_tile::video_showing;
use crate::i18n::{I18n, Texts};
use crate::media::devices::{display_name, selected, speaker_choice_supported};
use crate::media::level::Meter;
use crate::media::{self, Browser, Kind};

/// How often the level meter reads the microphone.
const METER_INTERVAL_MS: u32 = 100;

#[component]
pub(super) fn Preview(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let video = video_showing(model.local.into());
    let camera_off = move || {
        !model.cam_on.get()
            || model.local.with(|local| {
                local
                    .as_ref()
                    .is_none_or(|s| media::tracks_of_kind(s, "video").is_empty())
            })
    };
    let browser = Browser::this();
    let help = move || {
        let problem = model.devices.problem.get()?;
        let words = problem.help(i18n.t(), browser)?;
        Some(view! { <p class="help" data-testid="device-help">{words}</p> })
    };
    view! {
        <section class="prejoin" aria-label=move || i18n.t().your_camera_and_mic>
            <figure class="tile local" class:camera-off=camera_off>
                <video data-testid="prejoin-preview" node_ref=video autoplay playsinline prop:muted=true></video>
                {move || camera_off().then(|| view! {
                    <p class="tile-placeholder">{move || i18n.t().camera_is_off}</p>
                })}
            </figure>
            <MicLevel model/>
            <div class="prejoin-toggles"><MediaToggles model/></div>
            {move || model.media_notice.get().map(|n| view! { <p class="notice" role="status">{move || n.in_(i18n.t())}</p> })}
            {help}
            <DevicePicker model kind=Kind::Camera testid="camera-select" label=|t| t.camera/>
            <DevicePicker model kind=Kind::Mic testid="mic-select" label=|t| t.microphone/>
            {speaker_choice_supported().then(|| view! {
                <DevicePicker model kind=Kind::Speaker testid="speaker-select" label=|t| t.speaker/>
            })}
        </section>
    }
}

/// The microphone's loudness as a bar (`aria-valuenow` 0–100), read every
/// [`METER_INTERVAL_MS`]; zero while muted.
#[component]
fn MicLevel(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let level = RwSignal::new(0u8);
    let meter = StoredValue::new_local(None::<Meter>);
    // A new meter for each new stream or switched microphone (the model re-announces both).
    Effect::new(move |_| {
        let stream = model.local.get();
        meter.set_value(stream.as_ref().and_then(Meter::new));
    });
    let ticks = Interval::new(METER_INTERVAL_MS, move || {
        let now = meter
            .try_update_value(|m| m.as_mut().map(Meter::percent))
            .flatten()
            .unwrap_or(0);
        let _ = level.try_set(now);
    });
    let ticks = StoredValue::new_local(Some(ticks));
    on_cleanup(move || {
        ticks.set_value(None);
        meter.set_value(None);
    });
    view! {
        <div class="mic-level" data-testid="mic-level" role="meter" aria-valuemin="0" aria-valuemax="100"
            aria-valuenow=move || level.get() aria-label=move || i18n.t().mic_level>
            <span style:width=move || format!("{}%", level.get())></span>
        </div>
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
