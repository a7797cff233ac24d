//! Shared screens: starting and stopping mine, and each sharer's screen as its own large tile
//! (`data-kind="screen"`, the sharer's `data-peer-id`), with the camera tiles in a strip beside
//! them. Mine shows too, so I see what the others see.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::participants::Participant;
use super::room_model::RoomModel;
use super::video_tile::{play_on_chosen_speaker, video_showing};
use crate::i18n::I18n;
use crate::media;

impl RoomModel {
    /// Asks the browser for a screen, window or tab to share and sends it to everyone; the
    /// browser's own "Stop sharing" ends it like the button does. A refusal changes nothing.
    pub(super) fn share_screen(self) {
        spawn_local(async move {
            let Ok(stream) = media::screen::pick().await else {
                return;
            };
            for track in stream.get_tracks().iter() {
                let track: web_sys::MediaStreamTrack = track.unchecked_into();
                let on_ended = Closure::<dyn Fn()>::new(move || self.stop_screen());
                track.set_onended(Some(on_ended.as_ref().unchecked_ref()));
                on_ended.forget();
            }
            let sent = self.call.with_value(|call| {
                call.as_ref()
                    .map(|call| call.share_screen(Some(Clone::clone(&stream))))
            });
            if sent.is_none() || self.screen.try_set(Some(Clone::clone(&stream))).is_some() {
                media::stop_all(&stream);
                return;
            }
            self.announce_media();
        });
    }

    /// Stops sharing my screen (the button, the browser's bar, or leaving).
    pub(super) fn stop_screen(self) {
        let Some(Some(stream)) = self.screen.try_get_untracked() else {
            return;
        };
        media::stop_all(&stream);
        self.screen.set(None);
        self.call.with_value(|call| {
            if let Some(call) = call {
                call.share_screen(None);
            }
        });
        self.announce_media();
    }
}

/// Whether anyone (me included) is sharing a screen now.
pub(super) fn anyone_sharing(model: RoomModel) -> bool {
    model.screen.with(Option::is_some)
        || model
            .participants
            .get()
            .iter()
            .any(|p| p.media.with(|m| m.screen) && p.screen.with(Option::is_some))
}

/// After the camera grid in the page (so a sharer's camera tile is the first of their tiles),
/// before it on the screen (CSS `order`).
#[component]
pub(super) fn Screens(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let mine = move || {
        let stream = model.screen.get()?;
        let me = model
            .me
            .with(|m| m.as_ref().map(|m| (m.peer_id.0.clone(), m.name.clone())));
        let (peer_id, name) = me.unwrap_or_default();
        let video = video_showing(Signal::derive_local(move || Some(Clone::clone(&stream))));
        let label = move || (i18n.t().screen_of)(&format!("{name}{}", i18n.t().you_suffix));
        let caption = label.clone();
        Some(view! {
            <figure class="tile screen" data-testid="video-tile" data-kind="screen"
                data-peer-id=peer_id aria-label=label>
                <video node_ref=video autoplay playsinline prop:muted=true></video>
                <figcaption><span class="name" dir="auto">{caption}</span></figcaption>
            </figure>
        })
    };
    view! {
        <div class="screens">
            {mine}
            <For each=move || model.participants.get() key=|p| p.peer_id.clone() let:participant>
                <ScreenTile participant/>
            </For>
        </div>
    }
}

/// Someone's screen while they share it.
#[component]
fn ScreenTile(participant: Participant) -> impl IntoView {
    let i18n = I18n::get();
    let Participant {
        peer_id,
        member,
        media,
        screen,
        ..
    } = participant;
    let shown = move || media.with(|m| m.screen) && screen.with(Option::is_some);
    move || {
        shown().then(|| {
            let video = video_showing(screen.into());
            play_on_chosen_speaker(video);
            let label = move || (i18n.t().screen_of)(&member.with(|m| m.name.clone()));
            let caption = label;
            view! {
                <figure class="tile screen" data-testid="video-tile" data-kind="screen"
                    data-peer-id=peer_id.0.clone() aria-label=label>
                    <video node_ref=video autoplay playsinline></video>
                    <figcaption><span class="name" dir="auto">{caption}</span></figcaption>
                </figure>
            }
        })
    }
}
