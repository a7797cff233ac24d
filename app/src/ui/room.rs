use confab_protocol::{DisplayName, RoomName};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::account::AccountChip;
use super::announcer::Announcements;
use super::chat_panel::ChatPanel;
use super::controls::Controls;
use super::language::LanguageSelect;
use super::lobby_requests::LobbyRequests;
use super::moderation::{LobbyBadge, LockedBadge};
use super::participants::Participant;
use super::people::PeoplePanel;
use super::room_lobby::{Ended, Lobby, SignInRequired};
use super::room_model::{Phase, RoomModel};
use super::screen_tile::{anyone_sharing, Screens};
use super::shortcut_keys::ShortcutKeys;
use super::video_tile::{place_in, LocalTile, VideoTile};
use super::waiting_room::WaitingRoom;
use crate::account::avatar_src;
use crate::call::peer::ice_servers::RelayStatus;
use crate::i18n::{I18n, Said};
use crate::layout::{best_grid, speaker_width, STRIP_TILE_WIDTH};
use crate::names::name_error;
use crate::{media, storage};

#[component]
pub fn RoomPage() -> impl IntoView {
    let i18n = I18n::get();
    let params = use_params_map();
    let raw_room = params.read_untracked().get("room").unwrap_or_default();
    let Ok(room) = RoomName::parse(&raw_room) else {
        return view! {
            <section class="notice" role="alert">
                <p>{move || i18n.t().invalid_room_link}</p>
                <a href="/">{move || i18n.t().go_home}</a>
            </section>
        }
        .into_any();
    };
    let model = RoomModel::new();
    provide_context(model.devices);
    model.devices.watch(model);
    let session = model.session;
    let name = RwSignal::new(storage::load_name().unwrap_or_default());
    let form_error = RwSignal::new(None::<Said>);
    let room_for_join = room.clone();
    let on_join = Callback::new(move |_| {
        // Signed-in people join under their account name (the server uses it regardless).
        let account_name = session.user().map(|u| u.name);
        match DisplayName::parse(&account_name.unwrap_or_else(|| name.get_untracked())) {
            Ok(display) => {
                form_error.set(None);
                model.join(room_for_join.clone(), display);
            }
            Err(error) => form_error.set(Some(Said::new(move |t| name_error(t, &error).into()))),
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
    let pagehide = window_event_listener_untyped("pagehide", move |_| model.end_call());
    on_cleanup(move || {
        pagehide.remove();
        model.end_call();
    });
    let here = format!("/r/{}", room.as_str());
    let (lobby_return, refused_return) = (here.clone(), here);
    let chat = model.chat;
    // The tab names the room and counts unread chat, so a call in a background tab shows news.
    let titled_room = room.as_str().to_owned();
    Effect::new(move |_| set_tab_title(&tab_title(&titled_room, chat.store.with(|s| s.unread()))));
    on_cleanup(|| set_tab_title(APP_TITLE));
    let in_call = move || {
        let my_name = Signal::derive(move || {
            model
                .me
                .with(|m| m.as_ref().map(|m| m.name.clone()).unwrap_or_default())
        });
        let my_avatar = Signal::derive(move || {
            model
                .me
                .with(|m| m.as_ref().and_then(|m| avatar_src(m.avatar.as_deref())))
        });
        let my_camera_off = Signal::derive(move || {
            !model.cam_on.get()
                || model.local.with(|local| {
                    local
                        .as_ref()
                        .is_none_or(|s| media::tracks_of_kind(s, "video").is_empty())
                })
        });
        // The grid's size, watched, and the column count that makes the tiles largest in it.
        let grid = NodeRef::<leptos::html::Div>::new();
        let area = RwSignal::new((0.0, 0.0));
        watch_size(grid, area);
        let speaker_view = Memo::new(move |_| model.speaker_view());
        let spotlight = Signal::derive(move || {
            if speaker_view.get() {
                model.featured()
            } else {
                None
            }
        });
        let grid_style = move || {
            let (width, height) = area.get();
            let tiles = model.participants.get().len() + usize::from(!model.self_small.get());
            if speaker_view.get() {
                let large = speaker_width(tiles.saturating_sub(1), width, height, GRID_GAP_PX);
                let large = large as u32;
                return (large > 0).then(|| {
                    format!(
                        "--featured-width: {large}px; --strip-width: {}px",
                        STRIP_TILE_WIDTH as u32
                    )
                });
            }
            let fit = best_grid(tiles, width, height, GRID_GAP_PX);
            // Whole pixels: formatting an f64 would pull float printing into the wasm.
            let tile_width = fit.tile_width as u32;
            (tile_width > 0)
                .then(|| format!("--columns: {}; --tile-width: {tile_width}px", fit.columns))
        };
        // Through the CSSOM: the page's Content-Security-Policy refuses style attributes.
        Effect::new(move |_| {
            let css = grid_style().unwrap_or_default();
            if let Some(element) = grid.get() {
                web_sys::HtmlElement::style(&element).set_css_text(&css);
            }
        });
        let hands = Signal::derive(move || model.hand_queue());
        let my_hand = Signal::derive(move || {
            let me = model.me.with(|m| m.as_ref().map(|m| m.peer_id.clone()))?;
            hands.with(|h| place_in(h, &me))
        });
        view! {
            <section class="call">
                {move || model.media_notice.get().map(|n| view! { <p class="notice" role="status">{move || n.in_(i18n.t())}</p> })}
                {move || match model.relay.get() {
                    Some(RelayStatus::Off) => Some(view! {
                        <p class="note relay-off" data-testid="relay-off" role="note">
                            {move || i18n.t().relay_off}
                        </p>
                    }.into_any()),
                    Some(RelayStatus::Unavailable) => Some(view! {
                        <p class="notice relay-unavailable" data-testid="relay-unavailable" role="alert">
                            {move || i18n.t().relay_unavailable}
                        </p>
                    }.into_any()),
                    Some(RelayStatus::Available) | None => None,
                }}
                {move || model.reconnecting.get().map(|n| view! {
                    <p class="notice reconnecting" data-testid="reconnecting" role="status">{move || n.in_(i18n.t())}</p>
                })}
                <ShortcutKeys/>
                <HandList model/>
                <LobbyRequests model/>
                <div class="stage" data-testid="stage" class:sharing=move || anyone_sharing(model)
                    data-layout=move || if speaker_view.get() { "speaker" } else { "grid" }>
                <div class="grid" class:speaker=move || speaker_view.get() node_ref=grid>
                    <LocalTile stream=model.local.into() name=my_name avatar=my_avatar
                        mic_off=Signal::derive(move || !model.mic_on.get()) camera_off=my_camera_off hand=my_hand
                        me=Signal::derive(move || model.me.with(|m| m.as_ref().map(|m| m.peer_id.clone())))
                        speaking=model.speakers.me.into() spotlight pinned=model.pinned small=model.self_small
                        reaction=model.my_reaction/>
                    <For each=move || model.participants.get() key=|p| p.peer_id.clone() let:participant>
                        <VideoTile participant relay=model.relay.into() hands spotlight pinned=model.pinned/>
                    </For>
                </div>
                <Screens model/>
                <PeoplePanel model/>
                <ChatPanel chat history=Signal::derive(move || model.access.with(|a| a.history))/>
                </div>
                <Controls model/>
            </section>
        }
    };
    // Once the pre-join page is ready (token, socket, camera and offer made ahead), the call
    // view is built off the page once, so that the click does not compile it (see `warm_up`).
    let warmed = StoredValue::new(false);
    Effect::new(move |_| {
        if model.devices.ready.get() && !warmed.get_value() {
            warmed.set_value(true);
            crate::call::warm_up_frames();
            warm_up(in_call);
            warm_up(move || {
                view! {
                    <VideoTile participant=Participant::stand_in() relay=model.relay.into()
                        hands=Signal::derive(Vec::new) spotlight=Signal::derive(|| None) pinned=model.pinned/>
                }
            });
        }
    });
    view! {
        <section class="room">
            <header>
                <a href="/" class="brand">"Confab"</a> <h1>{room.as_str().to_owned()}</h1> <LockedBadge model/> <LobbyBadge model/> <AccountChip/>
                <LanguageSelect/>
            </header>
            <Announcements announcer=model.announcer/>
            {move || model.notice.get().map(|n| view! { <p class="notice" data-testid="room-notice" role="status">{move || n.in_(i18n.t())}</p> })}
            {move || match model.phase.get() {
                Phase::Lobby => view! {
                    <Lobby model room=room.clone() name error=form_error on_join return_to=lobby_return.clone()/>
                }.into_any(),
                Phase::Joining => view! { <p class="joining" role="status">{move || i18n.t().joining}</p> }.into_any(),
                Phase::InCall => in_call().into_any(),
                Phase::Waiting(room) => view! { <WaitingRoom model room/> }.into_any(),
                Phase::Ended(message) => view! { <Ended message on_join/> }.into_any(),
                Phase::SignInRequired => view! {
                    <SignInRequired return_to=refused_return.clone()/>
                }.into_any(),
            }}
        </section>
    }
    .into_any()
}

/// Builds the view `make` gives once, off the page, and throws it away. The browser compiles
/// each WebAssembly function the first time it runs: building the call view first at the
/// click compiled about a thousand of them, some 45 ms of the page's thread while the other
/// side's answer waited (a Chromium trace of `cargo xtask bench join`). Built here, nothing of
/// it is on the page and none of its effects run: they would on a later tick, and its owner
/// is gone by then.
fn warm_up<V: IntoView + 'static>(make: impl FnOnce() -> V) {
    use leptos::tachys::view::Render as _;
    let Some(owner) = Owner::current() else {
        return;
    };
    let scratch = owner.child();
    scratch.with(|| drop(make().into_any().build()));
    scratch.cleanup();
}

/// The grid's gap between tiles (`.grid { gap }` in the CSS), in CSS pixels.
const GRID_GAP_PX: f64 = 12.0;

/// Keeps `area` at the content size (width, height) of the element behind `node`, from when
/// it is on the page until the page goes.
fn watch_size(node: NodeRef<leptos::html::Div>, area: RwSignal<(f64, f64)>) {
    let on_resize = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let entry = entries
            .get(0)
            .unchecked_into::<web_sys::ResizeObserverEntry>();
        let rect = entry.content_rect();
        area.set((rect.width(), rect.height()));
    });
    let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) else {
        return;
    };
    let observer = StoredValue::new_local(observer);
    let on_resize = StoredValue::new_local(on_resize);
    Effect::new(move |_| {
        if let Some(element) = node.get() {
            observer.with_value(|o| o.observe(&element));
        }
    });
    on_cleanup(move || {
        observer.with_value(|o| o.disconnect());
        on_resize.dispose();
    });
}

/// Raised hands in the order they go, by name, while any is up.
#[component]
fn HandList(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        let queue = model.hand_queue();
        let my_name = model
            .me
            .with(|m| m.as_ref().map(|m| (m.peer_id.clone(), m.name.clone())));
        (!queue.is_empty()).then(|| {
            let names = queue.into_iter().map(|peer| {
                let name = match &my_name {
                    Some((me, name)) if *me == peer => name.clone(),
                    _ => model.participants.name_of(&peer).unwrap_or_default(),
                };
                view! { <li data-peer-id=peer.0 dir="auto">{name}</li> }
            });
            view! {
                <section class="hands" aria-label=move || i18n.t().raised_hands>
                    <span aria-hidden="true">"✋"</span>
                    <ol data-testid="hand-list">{names.collect_view()}</ol>
                </section>
            }
        })
    }
}

/// The tab title outside a room (as in `index.html`).
const APP_TITLE: &str = "Confab";

/// "standup · Confab", or "(3) standup · Confab" with three unread chat messages.
fn tab_title(room: &str, unread: usize) -> String {
    if unread == 0 {
        format!("{room} · {APP_TITLE}")
    } else {
        format!("({unread}) {room} · {APP_TITLE}")
    }
}

fn set_tab_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

#[cfg(test)]
mod tests {
    use super::tab_title;

    #[test]
    fn the_tab_names_the_room_and_counts_unread_chat() {
        assert_eq!(tab_title("standup", 0), "standup · Confab");
        assert_eq!(tab_title("standup", 3), "(3) standup · Confab");
        assert_eq!(tab_title("회의", 120), "(120) 회의 · Confab");
    }
}
