use std::collections::HashMap;
use std::rc::Rc;

use confab_protocol::{close_code, ClientFrame, MediaState, Member, PeerId, RoomName};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use web_sys::MediaStream;

use super::chat_panel::ChatPanel;
use super::chat_view::ChatView;
use super::controls::Controls;
use super::video_tile::{LocalTile, VideoTile};
use crate::call::{Call, CallEvent, JoinParams};
use crate::{api, media, storage};
use confab_protocol::DisplayName;

#[derive(Clone, PartialEq)]
enum Phase {
    Lobby,
    Joining,
    InCall,
    Ended(String),
}

/// Everything the room page shows, as signals fed by [`CallEvent`]s.
#[derive(Clone, Copy)]
struct RoomView {
    phase: RwSignal<Phase>,
    me: RwSignal<Option<Member>>,
    members: RwSignal<Vec<Member>>,
    streams: RwSignal<HashMap<PeerId, MediaStream>, LocalStorage>,
    connections: RwSignal<HashMap<PeerId, String>>,
    local: RwSignal<Option<MediaStream>, LocalStorage>,
    media_notice: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    mic_on: RwSignal<bool>,
    cam_on: RwSignal<bool>,
    /// Why the room socket is down while it reconnects (`None`: connected).
    reconnecting: RwSignal<Option<String>>,
    chat: ChatView,
    call: StoredValue<Option<Call>, LocalStorage>,
}

impl RoomView {
    fn new() -> Self {
        let call = StoredValue::new_local(None::<Call>);
        let send = Callback::new(move |frames: Vec<ClientFrame>| {
            call.with_value(|call| {
                if let Some(call) = call {
                    for frame in &frames {
                        call.send(frame);
                    }
                }
            })
        });
        RoomView {
            phase: RwSignal::new(Phase::Lobby),
            me: RwSignal::new(None),
            members: RwSignal::new(Vec::new()),
            streams: RwSignal::new_local(HashMap::new()),
            connections: RwSignal::new(HashMap::new()),
            local: RwSignal::new_local(None),
            media_notice: RwSignal::new(None),
            notice: RwSignal::new(None),
            mic_on: RwSignal::new(true),
            cam_on: RwSignal::new(true),
            reconnecting: RwSignal::new(None),
            chat: ChatView::new(send),
            call,
        }
    }

    fn on_event(self, event: CallEvent) {
        match event {
            CallEvent::Joined { me, peers, history } => {
                let user_id = me.user_id.clone();
                self.me.set(Some(me));
                self.members.set(peers);
                self.reconnecting.set(None);
                self.phase.set(Phase::InCall);
                self.announce_media();
                self.chat.act(|s| s.on_welcome(&user_id, history));
            }
            CallEvent::Reconnecting { attempt, delay_ms } => {
                self.forget_peers();
                self.chat.act(|s| {
                    s.on_disconnect();
                    Vec::new()
                });
                let wait = f64::from(delay_ms) / 1000.0;
                self.reconnecting.set(Some(format!(
                    "Connection lost. Reconnecting… (attempt {attempt}, in {wait:.1} s)"
                )));
            }
            CallEvent::Chat(frame) => self.chat.act(|s| s.on_frame(frame)),
            CallEvent::PeerJoined(member) => self.members.update(|members| {
                members.retain(|m| m.peer_id != member.peer_id);
                members.push(member);
            }),
            CallEvent::PeerLeft(peer) => {
                self.members
                    .update(|members| members.retain(|m| m.peer_id != peer));
                self.streams.update(|streams| {
                    streams.remove(&peer);
                });
                self.connections.update(|c| {
                    c.remove(&peer);
                });
            }
            CallEvent::RemoteStream(peer, stream) => self.streams.update(|streams| {
                streams.insert(peer, stream);
            }),
            CallEvent::PeerMedia(peer, media) => self.members.update(|members| {
                if let Some(member) = members.iter_mut().find(|m| m.peer_id == peer) {
                    member.media = media;
                }
            }),
            CallEvent::PeerConnection(peer, state) => self.connections.update(|c| {
                c.insert(peer, state);
            }),
            CallEvent::Notice(message) => self.notice.set(Some(message)),
            CallEvent::Ended { code, reason } => {
                self.end_call();
                self.phase.set(Phase::Ended(ended_message(code, &reason)));
            }
        }
    }

    /// What I am sending, after a toggle or on joining.
    fn announce_media(self) {
        let Some(local) = self.local.get_untracked() else {
            return;
        };
        let audio =
            self.mic_on.get_untracked() && !media::tracks_of_kind(&local, "audio").is_empty();
        let video =
            self.cam_on.get_untracked() && !media::tracks_of_kind(&local, "video").is_empty();
        media::set_enabled(&local, "audio", audio);
        media::set_enabled(&local, "video", video);
        self.call.with_value(|call| {
            if let Some(call) = call {
                call.announce_media(MediaState {
                    audio,
                    video,
                    screen: false,
                });
            }
        });
    }

    fn end_call(self) {
        self.call.update_value(|call| {
            if let Some(call) = call.take() {
                call.leave();
            }
        });
        if let Some(local) = self.local.get_untracked() {
            media::stop_all(&local);
        }
        self.local.set(None);
        self.forget_peers();
        self.reconnecting.set(None);
        self.chat.act(|s| {
            s.on_disconnect();
            Vec::new()
        });
    }

    fn forget_peers(self) {
        self.members.set(Vec::new());
        self.streams.set(HashMap::new());
        self.connections.set(HashMap::new());
    }

    fn join(self, room: RoomName, name: DisplayName) {
        storage::save_name(name.as_str());
        self.phase.set(Phase::Joining);
        self.notice.set(None);
        spawn_local(async move {
            let auth = async {
                // The session (if this browser has one) keeps the same identity across reloads.
                let mut token = api::session_token(name.as_str()).await?;
                let ice = match api::ice_servers(&token.access_token).await {
                    // Refused as expired or revoked: refresh once and try again.
                    Err(error) if error.is_unauthorized() => {
                        token = api::session_token(name.as_str()).await?;
                        api::ice_servers(&token.access_token).await?
                    }
                    other => other?,
                };
                Ok::<_, api::ApiError>((token, ice))
            };
            let (local, auth) = futures::join!(media::acquire(), auth);
            let (token, ice) = match auth {
                Ok(ok) => ok,
                Err(error) => {
                    if let Some(stream) = &local.stream {
                        media::stop_all(stream);
                    }
                    self.phase
                        .set(Phase::Ended(format!("Could not join: {error}")));
                    return;
                }
            };
            self.local.set(local.stream.clone());
            self.media_notice.set(local.notice);
            let params = JoinParams {
                room: room.as_str().to_owned(),
                name: name.as_str().to_owned(),
                token: token.access_token,
                ice,
                local: local.stream,
            };
            match Call::start(params, Rc::new(move |event| self.on_event(event))) {
                Ok(call) => self.call.set_value(Some(call)),
                Err(error) => {
                    self.end_call();
                    self.phase
                        .set(Phase::Ended(format!("Could not connect: {error}")));
                }
            }
        });
    }
}

fn ended_message(code: u16, reason: &str) -> String {
    match code {
        close_code::ROOM_FULL => {
            "This room is full (8 people at most). Try again later or start a new room.".into()
        }
        close_code::TOKEN_EXPIRED => "Your session expired. Join again to continue.".into(),
        close_code::FORBIDDEN => "You were removed from this room.".into(),
        1000 => "You left the call.".into(),
        _ if reason.is_empty() => format!("The connection to the room was lost (code {code})."),
        _ => format!("The connection to the room was lost: {reason}."),
    }
}

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
    let view_state = RoomView::new();
    let name = RwSignal::new(storage::load_name().unwrap_or_default());
    let form_error = RwSignal::new(None::<String>);
    let room_for_join = room.clone();
    let try_join = move || match DisplayName::parse(&name.get_untracked()) {
        Ok(display) => {
            form_error.set(None);
            view_state.join(room_for_join.clone(), display);
        }
        Err(error) => form_error.set(Some(error.to_string())),
    };
    if storage::take_autojoin(room.as_str()) {
        try_join();
    }
    // Leaving the page (tab closed, navigation, reload) ends the call explicitly: the room hears
    // a clean close at once and the camera is released, instead of waiting on the browser.
    let pagehide = window_event_listener_untyped("pagehide", move |_| view_state.end_call());
    on_cleanup(move || {
        pagehide.remove();
        view_state.end_call();
    });

    let lobby_join = try_join.clone();
    let lobby = move || {
        let join = lobby_join.clone();
        view! {
            <form class="lobby" on:submit=move |ev| { ev.prevent_default(); join(); }>
                <label>"Your name" <input data-testid="name-input" maxlength="40" bind:value=name/></label>
                <button type="submit" data-testid="join-button">"Join"</button>
                {move || form_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </form>
        }
    };
    let ended_join = try_join;
    let ended = move |message: String| {
        let join = ended_join.clone();
        view! {
            <section class="ended" role="status">
                <p>{message}</p>
                <button data-testid="join-button" on:click=move |_| join()>"Rejoin"</button>
                <a href="/">"Home"</a>
            </section>
        }
    };
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
        view! {
            <section class="call">
                {move || view_state.media_notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
                {move || view_state.reconnecting.get().map(|n| view! {
                    <p class="notice reconnecting" data-testid="reconnecting" role="status">{n}</p>
                })}
                <div class="stage">
                <div class="grid">
                    <LocalTile stream=view_state.local.into() name=my_name/>
                    <For each=move || view_state.members.get() key=|m| m.peer_id.clone() let:member>
                        {
                            let peer = member.peer_id.clone();
                            let (p1, p2, p3, p4) = (peer.clone(), peer.clone(), peer.clone(), peer);
                            let stream = Signal::derive_local(move || view_state.streams.with(|s| s.get(&p1).cloned()));
                            let muted = Signal::derive(move || view_state.members.with(|ms| ms.iter().any(|m| m.peer_id == p2 && !m.media.audio)));
                            let camera_off = Signal::derive(move || view_state.members.with(|ms| ms.iter().any(|m| m.peer_id == p3 && !m.media.video)));
                            let connection = Signal::derive(move || view_state.connections.with(|c| c.get(&p4).cloned().unwrap_or_default()));
                            view! { <VideoTile member stream muted camera_off connection/> }
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
            <header><a href="/" class="brand">"Confab"</a> <h1>{room.as_str().to_owned()}</h1></header>
            {move || view_state.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {move || match view_state.phase.get() {
                Phase::Lobby => lobby().into_any(),
                Phase::Joining => view! { <p class="joining" role="status">"Joining…"</p> }.into_any(),
                Phase::InCall => in_call().into_any(),
                Phase::Ended(message) => ended(message).into_any(),
            }}
        </section>
    }
    .into_any()
}
