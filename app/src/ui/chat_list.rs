//! The scrolling message list: stays at the bottom only if the reader is there, keeps the
//! reader's place when older messages are loaded above, and scrolls to a jumped-to message.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::chat_message::{MessageItem, PendingItem};
use super::chat_model::ChatModel;
use crate::i18n::I18n;

/// Within this many pixels of the bottom counts as "at the bottom".
const BOTTOM_SLACK: i32 = 40;
/// Scrolling this close to the top loads the previous page.
const TOP_SLACK: i32 = 40;
const FLASH_MS: u32 = 2000;

#[derive(Clone, Copy, Default, PartialEq)]
struct Extent {
    first: Option<u64>,
    last: Option<u64>,
    height: i32,
}

#[component]
pub fn ChatList(chat: ChatModel, hidden: Signal<bool>) -> impl IntoView {
    let i18n = I18n::get();
    let list = NodeRef::<html::Div>::new();
    let rows = Memo::new(move |_| chat.store.with(|s| s.rows()));
    let pending = Memo::new(move |_| chat.store.with(|s| s.outbox().to_vec()));
    let can_load = Memo::new(move |_| chat.store.with(|s| s.can_load_earlier()));
    let loading = Memo::new(move |_| chat.store.with(|s| s.is_loading()));
    let extent = StoredValue::new(Extent::default());
    // Newer messages arrived while the reader was scrolled up.
    let newer_below = RwSignal::new(false);

    // After the list changes (and the DOM with it), in one place so nothing fights over the
    // scroll position: go to a jumped-to message, or keep the reader's place when older
    // messages were prepended, or follow the bottom if the reader is there.
    Effect::new(move |_| {
        let first = rows.with(|r| r.first().map(|r| r.message.seq));
        let last = rows.with(|r| r.last().map(|r| r.message.seq));
        pending.track();
        let jump = chat.store.with(|s| s.ready_jump());
        if hidden.get() {
            return;
        }
        request_animation_frame(move || {
            let Some(el) = list.get_untracked() else {
                return;
            };
            let before = extent.get_value();
            let height = el.scroll_height();
            let prepended = before.first.is_some() && first < before.first && last == before.last;
            if let Some(seq) = jump {
                chat.store.update(|s| s.clear_jump());
                scroll_to_message(&el, seq, chat);
            } else if prepended {
                el.set_scroll_top(el.scroll_top() + height - before.height);
            } else if chat.stick.get_value() {
                el.set_scroll_top(height);
            } else if before.last.is_some() && last > before.last {
                newer_below.set(true);
            }
            extent.set_value(Extent {
                first,
                last,
                height: el.scroll_height(),
            });
        });
    });

    let on_scroll = move |ev: web_sys::Event| {
        let Some(el) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let bottom_gap = el.scroll_height() - el.scroll_top() - el.client_height();
        let at_bottom = bottom_gap <= BOTTOM_SLACK;
        chat.stick.set_value(at_bottom);
        if at_bottom {
            newer_below.set(false);
        }
        if el.scroll_top() <= TOP_SLACK && can_load.get_untracked() && !loading.get_untracked() {
            chat.act(|s| s.load_earlier());
        }
    };
    let load_earlier = move || {
        can_load.get().then(|| {
            view! {
                <button type="button" class="load-earlier quiet" data-testid="chat-load-earlier"
                    disabled=move || loading.get() on:click=move |_| chat.act(|s| s.load_earlier())>
                    {move || if loading.get() { i18n.t().loading } else { i18n.t().load_earlier }}
                </button>
            }
        })
    };
    let empty = move || {
        (rows.with(Vec::is_empty) && pending.with(Vec::is_empty))
            .then(|| view! { <p class="chat-note">{move || i18n.t().no_messages_yet}</p> })
    };
    let to_latest = move |_| {
        if let Some(el) = list.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
        chat.stick.set_value(true);
        newer_below.set(false);
    };
    let latest_button = move || {
        (newer_below.get() && !hidden.get()).then(|| {
            view! {
                <button type="button" class="to-latest" data-testid="chat-to-latest" on:click=to_latest>
                    {move || i18n.t().new_messages_below}
                </button>
            }
        })
    };
    view! {
        {latest_button}
        <div class="chat-list" node_ref=list on:scroll=on_scroll hidden=move || hidden.get()
            role="log" aria-live="polite">
            {load_earlier}
            {empty}
            <ol class="messages">
                <For each=move || rows.get()
                    key=|r| (r.message.seq, r.mine, r.header, r.first_unread) let:row>
                    <MessageItem avatar=chat.avatar_of(row.message.user_id.clone()) row flash=chat.flash/>
                </For>
                <For each=move || pending.get() key=|p| (p.client_id, p.state.clone()) let:pending>
                    <PendingItem pending chat/>
                </For>
            </ol>
        </div>
    }
}

/// Centers message `seq` in the list and flashes it.
fn scroll_to_message(list: &web_sys::HtmlDivElement, seq: u64, chat: ChatModel) {
    let selector = format!("[data-testid=\"chat-message\"][data-seq=\"{seq}\"]");
    let Ok(Some(target)) = list.query_selector(&selector) else {
        return;
    };
    chat.stick.set_value(false);
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Center);
    target.scroll_into_view_with_scroll_into_view_options(&options);
    chat.flash.set(Some(seq));
    set_timeout(
        move || {
            chat.flash.update(|f| {
                if *f == Some(seq) {
                    *f = None;
                }
            })
        },
        std::time::Duration::from_millis(FLASH_MS.into()),
    );
}
