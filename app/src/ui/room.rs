use confab_protocol::{DisplayName, RoomName};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::account::AccountChip;
use super::chat_panel::ChatPanel;
use super::controls::Controls;
use super::room_lobby::{Ended, Lobby, SignInRequired};
use super::room_model::{ended_message, Phase, RoomModel};
use super::video_tile::{LocalTile, VideoTile};
use crate::account::avatar_src;
use crate::call::peer::ice_servers::RelayStatus;
use crate::{media, storage};

#[component]
pub fn RoomPage() -> impl IntoView {
    let params = use_params_map();
    let raw_room = params.read_untracked().get("room").unwrap_or_default();
    let Ok(room) = RoomName::parse(&raw_room) else {
        return view! {
            <section class="notice" role="alert">
                <p>"That is not a valid room link: room names use letters, digits, '-' and '_' (at most 64)."</p>
                <a href="/">"Go home"</a>
            </section>
        }
        .into_any();
    };
    let view_state = RoomModel::new();
    let session = view_state.session;
    let name = RwSignal::new(storage::load_name().unwrap_or_default());
    let form_error = RwSignal::new(None::<String>);
    let room_for_join = room.clone();
    let on_join = Callback::new(move |_| {
        // Signed-in people join under their account name (the server uses it regardless).
        let account_name = session.user().map(|u| u.name);
        match DisplayName::parse(&account_name.unwrap_or_else(|| name.get_untracked())) {
            Ok(display) => {
                form_error.set(None);
                view_state.join(room_for_join.clone(), display);
            }
            Err(error) => form_error.set(Some(error.to_string())),
        }
    });
    // Sent here from the home page to join at once: as soon as we know who we are.
    let autojoin = StoredValue::new(storage::take_autojoin(room.as_str()));
    Effect::new(move |_| {
        if session.known() && autojoin.get_value() {
            autojoin.set_value(false);
            on_join.run(());
        }
    });
    // Leaving the page (tab closed, navigation, reload) ends the call explicitly: the room hears
    // a clean close at once and the camera is released, instead of waiting on the browser.
    let pagehide = window_event_listener_untyped("pagehide", move |_| view_state.end_call());
    on_cleanup(move || {
        pagehide.remove();
        view_state.end_call();
    });
    let here = format!("/r/{}", room.as_str());
    let (lobby_return, refused_return) = (here.clone(), here);
    let can_send = Signal::derive(move || view_state.local.with(Option::is_some));
    let on_toggle = Callback::new(move |_| view_state.announce_media());
    let on_leave = Callback::new(move |_| {
        view_state.end_call();
        view_state.phase.set(Phase::Ended(ended_message(1000, "")));
    });
    let chat = view_state.chat;
    let on_chat = Callback::new(move |_| chat.set_open(!chat.open.get_untracked()));
    let in_call = move || {
        let my_name = Signal::derive(move || {
            view_state
                .me
                .with(|m| m.as_ref().map(|m| m.name.clone()).unwrap_or_default())
        });
        let my_avatar = Signal::derive(move || {
            view_state
                .me
                .with(|m| m.as_ref().and_then(|m| avatar_src(m.avatar.as_deref())))
        });
        let my_camera_off = Signal::derive(move || {
            !view_state.cam_on.get()
                || view_state.local.with(|local| {
                    local
                        .as_ref()
                        .is_none_or(|s| media::tracks_of_kind(s, "video").is_empty())
                })
        });
        view! {
            <section class="call">
                {move || view_state.media_notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
                {move || match view_state.relay.get() {
                    Some(RelayStatus::Off) => Some(view! {
                        <p class="note relay-off" data-testid="relay-off" role="note">
                            "Relay (TURN) is off on this server: calls across strict networks may not connect."
                        </p>
                    }.into_any()),
                    Some(RelayStatus::Unavailable) => Some(view! {
                        <p class="notice relay-unavailable" data-testid="relay-unavailable" role="alert">
                            "This server sends every call through its relay (TURN), so nobody sees your \
                             address, and the relay is unavailable right now: the call cannot connect \
                             until it is back. Trying again every few minutes."
                        </p>
                    }.into_any()),
                    Some(RelayStatus::Available) | None => None,
                }}
                {move || view_state.reconnecting.get().map(|n| view! {
                    <p class="notice reconnecting" data-testid="reconnecting" role="status">{n}</p>
                })}
                <div class="stage">
                <div class="grid">
                    <LocalTile stream=view_state.local.into() name=my_name avatar=my_avatar camera_off=my_camera_off/>
                    <For each=move || view_state.members.get() key=|m| m.peer_id.clone() let:member>
                        {
                            let peer = member.peer_id.clone();
                            let (p1, p2, p3, p4, p5) = (peer.clone(), peer.clone(), peer.clone(), peer.clone(), peer);
                            let stream = Signal::derive_local(move || view_state.streams.with(|s| s.get(&p1).cloned()));
                            let muted = Signal::derive(move || view_state.members.with(|ms| ms.iter().any(|m| m.peer_id == p2 && !m.media.audio)));
                            let camera_off = Signal::derive(move || view_state.members.with(|ms| ms.iter().any(|m| m.peer_id == p3 && !m.media.video)));
                            let connection = Signal::derive(move || view_state.connections.with(|c| c.get(&p4).cloned().unwrap_or_default()));
                            let quality = Signal::derive(move || view_state.quality.with(|q| q.get(&p5).cloned()));
                            view! { <VideoTile member stream muted camera_off connection quality relay=view_state.relay.into()/> }
                        }
                    </For>
                </div>
                <ChatPanel chat/>
                </div>
                <Controls mic_on=view_state.mic_on cam_on=view_state.cam_on can_send on_toggle on_leave
                    chat_open=chat.open.into() unread=chat.unread() on_chat/>
            </section>
        }
    };
    view! {
        <section class="room">
            <header>
                <a href="/" class="brand">"Confab"</a> <h1>{room.as_str().to_owned()}</h1> <AccountChip/>
            </header>
            {move || view_state.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {move || match view_state.phase.get() {
                Phase::Lobby => view! {
                    <Lobby name error=form_error on_join return_to=lobby_return.clone()/>
                }.into_any(),
                Phase::Joining => view! { <p class="joining" role="status">"Joining…"</p> }.into_any(),
                Phase::InCall => in_call().into_any(),
                Phase::Ended(message) => view! { <Ended message on_join/> }.into_any(),
                Phase::SignInRequired => view! {
                    <SignInRequired return_to=refused_return.clone()/>
                }.into_any(),
            }}
        </section>
    }
    .into_any()
}
