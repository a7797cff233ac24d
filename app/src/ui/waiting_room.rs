//! Waiting in a room's lobby: what the page shows while the lobby holds me (the room's name,
//! that a host has to let me in, my own camera, Leave; nothing of the call), and what the room
//! model does when the lobby holds me and when a welcome lets me in. A reconnect while waiting
//! waits again; a host turning me away ends the call (`Ending::Denied`).

use leptos::prelude::*;

use super::announcer::News;
use super::controls::MediaToggles;
use super::room_model::{Phase, RoomModel};
use super::video_tile::video_showing;
use crate::i18n::I18n;

impl RoomModel {
    /// The lobby of `room` holds me: first, or again after a reconnect while waiting.
    pub(super) fn wait_in_lobby(self, room: String) {
        let again = matches!(self.phase.get_untracked(), Phase::Waiting(ref r) if *r == room);
        let back = self.reconnecting.get_untracked().is_some();
        self.reconnecting.set(None);
        if !again {
            self.phase.set(Phase::Waiting(room.clone()));
        }
        if !again || back {
            self.announcer.say(News::Waiting(room));
        }
    }

    /// What a welcome is heard as: let in from the lobby, or back after a reconnect.
    pub(super) fn announce_welcome(self) {
        if matches!(self.phase.get_untracked(), Phase::Waiting(_)) {
            self.announcer.say(News::Admitted);
        } else if self.reconnecting.get_untracked().is_some() {
            self.announcer.say(News::Reconnected);
        }
    }
}

/// The waiting page: the room's name, what is happening, my camera with its switches (they
/// reach the room once I am let in), and Leave.
#[component]
pub(super) fn WaitingRoom(model: RoomModel, room: String) -> impl IntoView {
    let i18n = I18n::get();
    let video = video_showing(model.local.into());
    let camera_off = super::prejoin::camera_off(model);
    view! {
        <section class="waiting-room" data-testid="lobby-waiting" aria-labelledby="lobby-room-name">
            <h2 id="lobby-room-name" dir="auto">{room}</h2>
            <p class="waiting-note">{move || i18n.t().lobby_waiting}</p>
            {move || model.reconnecting.get().map(|n| view! {
                <p class="notice reconnecting" data-testid="reconnecting" role="status">{move || n.in_(i18n.t())}</p>
            })}
            <figure class="tile local" class:camera-off=camera_off>
                <video data-testid="lobby-preview" node_ref=video autoplay playsinline prop:muted=true></video>
                {move || camera_off().then(|| view! {
                    <p class="tile-placeholder">{move || i18n.t().camera_is_off}</p>
                })}
            </figure>
            <div class="prejoin-toggles"><MediaToggles model/></div>
            <button type="button" class="danger" data-testid="lobby-leave" on:click=move |_| model.leave()>
                {move || i18n.t().leave}
            </button>
        </section>
    }
}
