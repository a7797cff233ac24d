//! Before joining: my camera's preview, how loud my microphone is, on/off for both, and
//! pickers for camera, microphone and speaker. Problems say how to fix them in this browser.

use gloo_timers::callback::Interval;
use leptos::prelude::*;

use super::controls::MediaToggles;
use super::device_picker::DevicePickers;
use super::room_model::RoomModel;
use super::video_tile::video_showing;
use crate::i18n::I18n;
use crate::media::level::Meter;
use crate::media::{self, Browser};

/// How often the level meter reads the microphone.
const METER_INTERVAL_MS: u32 = 100;

/// Whether my preview has no picture: the camera is switched off or gives no video track.
pub(super) fn camera_off(model: RoomModel) -> impl Fn() -> bool + Copy + 'static {
    move || {
        !model.cam_on.get()
            || model.local.with(|local| {
                local
                    .as_ref()
                    .is_none_or(|s| media::tracks_of_kind(s, "video").is_empty())
            })
    }
}

#[component]
pub(super) fn Preview(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let video = video_showing(model.local.into());
    let camera_off = camera_off(model);
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
            <DevicePickers model/>
        </section>
    }
}

/// The microphone's loudness as a bar (`aria-valuenow` 0–100), read every
/// [`METER_INTERVAL_MS`]; zero while muted.
#[component]
fn MicLevel(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let level = RwSignal::new(0u8);
    // The call's own meter (see `Speakers::mic_meter`): it stays for the call after Join.
    let ticks = Interval::new(METER_INTERVAL_MS, move || {
        let now = model.speakers.mic_meter(model, Meter::percent).unwrap_or(0);
        let _ = level.try_set(now);
    });
    let ticks = StoredValue::new_local(Some(ticks));
    on_cleanup(move || ticks.set_value(None));
    view! {
        <div class="mic-level" data-testid="mic-level" role="meter" aria-valuemin="0" aria-valuemax="100"
            aria-valuenow=move || level.get() aria-label=move || i18n.t().mic_level>
            <span style:width=move || format!("{}%", level.get())></span>
        </div>
    }
}
