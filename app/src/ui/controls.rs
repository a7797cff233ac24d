use leptos::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::room_model::RoomModel;

/// The room's notice when the invite link could not be copied; the link follows.
const NOT_COPIED: &str = "Couldn't copy the invite link. Here it is: ";

/// Mic, camera, chat, invite and leave buttons. When the browser will not put the invite link
/// in the clipboard, the room's notice says so and shows the link to copy by hand.
#[component]
pub(super) fn Controls(model: RoomModel) -> impl IntoView {
    let (mic_on, cam_on, chat) = (model.mic_on, model.cam_on, model.chat);
    let cannot_send = move || model.local.with(Option::is_none);
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
                model.notice.set(Some(format!("{NOT_COPIED}{link}")));
            } else if model
                .notice
                .with_untracked(|n| n.as_deref().is_some_and(|n| n.starts_with(NOT_COPIED)))
            {
                // This copy worked: our earlier "couldn't copy" no longer holds.
                model.notice.set(None);
            }
        });
    };
    view! {
        <nav class="controls">
            <button data-testid="mic-toggle" aria-pressed=move || mic_on.get().to_string()
                disabled=cannot_send
                on:click=move |_| { mic_on.update(|on| *on = !*on); model.announce_media(); }>
                {move || if mic_on.get() { "Mute" } else { "Unmute" }}
            </button>
            <button data-testid="cam-toggle" aria-pressed=move || cam_on.get().to_string()
                disabled=cannot_send
                on:click=move |_| { cam_on.update(|on| *on = !*on); model.announce_media(); }>
                {move || if cam_on.get() { "Stop video" } else { "Start video" }}
            </button>
            <button data-testid="chat-toggle" aria-pressed=move || chat.open.get().to_string()
                on:click=move |_| chat.set_open(!chat.open.get_untracked())>
                "Chat"
                {move || {
                    let unread = chat.store.with(|s| s.unread());
                    (unread > 0).then(|| view! {
                        <span class="unread" data-testid="chat-unread" aria-label="unread messages">{unread}</span>
                    })
                }}
            </button>
            <button data-testid="invite-button" on:click=invite>
                {move || if copied.get() { "Link copied" } else { "Copy invite link" }}
            </button>
            <button data-testid="leave-button" class="danger" on:click=move |_| model.leave()>"Leave"</button>
        </nav>
    }
}
