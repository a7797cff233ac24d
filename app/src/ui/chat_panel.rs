//! The chat panel beside the video grid: search box, whose history the room shows, messages
//! (or search results), composer.

use std::time::Duration;

use confab_protocol::HistoryVisibility;
use leptos::prelude::*;

use super::chat_composer::Composer;
use super::chat_list::ChatList;
use super::chat_model::ChatModel;
use super::chat_search::SearchResults;
use crate::i18n::I18n;

/// Search as you type, once typing pauses this long.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);

/// `history`: whose chat history the room shows (its hosts' setting, as it last said); the
/// room filters what it sends, this only says so.
#[component]
pub fn ChatPanel(
    chat: ChatModel,
    #[prop(into)] history: Signal<HistoryVisibility>,
) -> impl IntoView {
    let i18n = I18n::get();
    let searching = Signal::derive(move || chat.store.with(|s| s.search().is_some()));
    let not_searching = Signal::derive(move || !searching.get());
    let pending_search = StoredValue::new_local(None::<TimeoutHandle>);

    let search_now = move |q: String| {
        if let Some(handle) = pending_search.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        chat.act(|s| s.search_for(&q));
    };
    let on_input = move |ev: leptos::ev::Event| {
        let q = event_target_value(&ev);
        chat.query.set(q.clone());
        if let Some(handle) = pending_search.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        if q.trim().is_empty() {
            chat.act(|s| s.search_for(""));
            return;
        }
        let handle = set_timeout_with_handle(move || search_now(q), SEARCH_DEBOUNCE).ok();
        pending_search.set_value(handle);
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            search_now(chat.query.get_untracked());
        }
        "Escape" => {
            chat.query.set(String::new());
            search_now(String::new());
        }
        _ => {}
    };
    let notice = move || {
        chat.store
            .with(|s| s.notice())
            .map(|code| view! { <p class="chat-note" role="status">{move || (i18n.t().frame_error)(code)}</p> })
    };
    view! {
        <aside class="chat" aria-label=move || i18n.t().chat hidden=move || !chat.open.get()>
            <header class="chat-head">
                <input type="search" data-testid="chat-search" placeholder=move || i18n.t().search_placeholder
                    aria-label=move || i18n.t().search_label maxlength="200"
                    prop:value=move || chat.query.get() on:input=on_input on:keydown=on_keydown/>
                <button type="button" class="icon quiet" data-testid="chat-close" aria-label=move || i18n.t().close_chat
                    on:click=move |_| chat.set_open(false)>"✕"</button>
            </header>
            <p class="chat-history" data-testid="history-visibility" data-history=move || history.get().as_str()>
                {move || (i18n.t().history_note)(history.get())}
            </p>
            {notice}
            <ChatList chat hidden=searching/>
            <SearchResults chat hidden=not_searching/>
            <Composer chat/>
        </aside>
    }
}
