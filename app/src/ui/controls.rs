use leptos::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::device_picker::DevicePickers;
use super::people::PeopleButton;
use super::pip::PipButton;
use super::reactions::ReactionPicker;
use super::room_model::{Layout, RoomModel};
use crate::i18n::{I18n, Said};

/// Mic, camera, chat, invite and leave buttons. When the browser will not put the invite link
/// in the clipboard, the room's notice says so and shows the link to copy by hand.
#[component]
pub(super) fn Controls(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let chat = model.chat;
    // Our "couldn't copy" notice, to take back once a copy works.
    let not_copied = StoredValue::new(None::<Said>);
    let copied = RwSignal::new(false);
    let invite = move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let link = format!(
            "{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        );
        // `navigator.clipboard` is missing outside secure contexts. The write starts now,
        // while the click still counts as the user's gesture; its answer decides what we say.
        let clipboard = window.navigator().clipboard();
        let write = (!clipboard.is_undefined()).then(|| clipboard.write_text(&link));
        spawn_local(async move {
            let ok = match write {
                Some(promise) => JsFuture::from(promise).await.is_ok(),
                None => false,
            };
            copied.set(ok);
            if !ok {
                let said = Said::new(move |t| (t.not_copied)(&link));
                not_copied.set_value(Some(said.clone()));
                model.notice.set(Some(said));
            } else if not_copied.get_value().is_some()
                && model.notice.get_untracked() == not_copied.get_value()
            {
                // This copy worked: our earlier "couldn't copy" no longer holds.
                model.notice.set(None);
            }
        });
    };
    view! {
        <nav class="controls">
            <MediaToggles model/>
            <DeviceSettings model/>
            {crate::media::screen::supported().then(|| view! {
                <button type="button" data-testid="screen-share-button"
                    aria-pressed=move || model.screen.with(Option::is_some).to_string()
                    on:click=move |_| if model.screen.with_untracked(Option::is_some) {
                        model.stop_screen()
                    } else {
                        model.share_screen()
                    }>
                    {move || if model.screen.with(Option::is_some) { i18n.t().stop_sharing } else { i18n.t().share_screen }}
                </button>
            })}
            <button type="button" data-testid="layout-toggle"
                aria-pressed=move || model.speaker_view().to_string()
                data-layout=move || if model.speaker_view() { "speaker" } else { "grid" }
                on:click=move |_| if model.speaker_view() {
                    model.pinned.set(None);
                    model.layout.set(Layout::Grid);
                } else {
                    model.layout.set(Layout::Speaker);
                }>
                {move || i18n.t().speaker_view}
            </button>
            <ReactionPicker model/>
            <PipButton model/>
            <button data-testid="hand-button" aria-pressed=move || model.my_hand.with(Option::is_some).to_string()
                on:click=move |_| model.raise_hand(model.my_hand.with_untracked(Option::is_none))>
                {move || if model.my_hand.with(Option::is_some) { i18n.t().lower_hand } else { i18n.t().raise_hand }}
            </button>
            <PeopleButton model/>
            <button data-testid="chat-toggle" aria-pressed=move || chat.open.get().to_string()
                on:click=move |_| chat.set_open(!chat.open.get_untracked())>
                {move || i18n.t().chat}
                {move || {
                    let unread = chat.store.with(|s| s.unread());
                    (unread > 0).then(|| view! {
                        <span class="unread" data-testid="chat-unread" aria-label=move || i18n.t().unread_messages>{unread}</span>
                    })
                }}
            </button>
            <button data-testid="invite-button" on:click=invite>
                {move || if copied.get() { i18n.t().link_copied } else { i18n.t().copy_invite }}
            </button>
            <button data-testid="leave-button" class="danger" on:click=move |_| model.leave()>{move || i18n.t().leave}</button>
        </nav>
    }
}

/// Microphone and camera on/off, in the call and before joining (the call starts in the state
/// chosen there). Off while there is nothing of that kind to send.
#[component]
pub(super) fn MediaToggles(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let (mic_on, cam_on) = (model.mic_on, model.cam_on);
    let lacks = move |kind: &'static str| {
        move || {
            model.local.with(|local| {
                local
                    .as_ref()
                    .is_none_or(|s| crate::media::tracks_of_kind(s, kind).is_empty())
            })
        }
    };
    view! {
        <button type="button" data-testid="mic-toggle" aria-pressed=move || mic_on.get().to_string()
            disabled=lacks("audio")
            on:click=move |_| { mic_on.update(|on| *on = !*on); model.announce_media(); }>
            {move || if mic_on.get() { i18n.t().mute } else { i18n.t().unmute }}
        </button>
        <button type="button" data-testid="cam-toggle" aria-pressed=move || cam_on.get().to_string()
            disabled=lacks("video")
            on:click=move |_| { cam_on.update(|on| *on = !*on); model.announce_media(); }>
            {move || if cam_on.get() { i18n.t().stop_video } else { i18n.t().start_video }}
        </button>
    }
}

/// The device settings button and the pickers it shows (above the bar), to switch camera,
/// microphone or speaker during the call. Escape closes them and returns to the button.
#[component]
fn DeviceSettings(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let open = RwSignal::new(false);
    let button = NodeRef::<leptos::html::Button>::new();
    let close = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            open.set(false);
            if let Some(button) = button.get() {
                let _ = button.focus();
            }
        }
    };
    view! {
        <button type="button" data-testid="device-settings-button" node_ref=button
            aria-expanded=move || open.get().to_string() aria-controls="device-settings"
            on:click=move |_| open.update(|o| *o = !*o)>
            {move || i18n.t().device_settings}
        </button>
        <div id="device-settings" class="device-settings" hidden=move || !open.get()
            role="group" aria-label=move || i18n.t().device_settings on:keydown=close>
            <DevicePickers model/>
            <label class="check">
                <input type="checkbox" data-testid="auto-lower-hand"
                    prop:checked=move || model.speakers.auto_lower_hand.get()
                    on:change=move |ev| model.speakers.set_auto_lower_hand(event_target_checked(&ev))/>
                {move || i18n.t().auto_lower_hand}
            </label>
        </div>
    }
}
