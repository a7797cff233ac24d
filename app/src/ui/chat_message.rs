//! One chat message. User text only ever becomes text nodes and `href`s of http(s) links.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::account::AvatarImg;
use super::chat_model::ChatModel;
use crate::chat::text::{is_emoji_only, linkify, Piece};
use crate::chat::{OutState, Pending, Row};
use crate::i18n::{I18n, Lang};

/// Message text with http(s) URLs as links that open in a new tab without access to this one.
#[component]
pub fn MessageText(text: String) -> impl IntoView {
    let jumbo = is_emoji_only(&text);
    let pieces = linkify(&text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.into_any(),
            Piece::Link(url) => {
                let href = url.clone();
                view! { <a href=href target="_blank" rel="noopener noreferrer">{url}</a> }
                    .into_any()
            }
        })
        .collect_view();
    view! { <p class="text" dir="auto" class:jumbo=jumbo>{pieces}</p> }
}

/// A stored message (it has a seq), with the "new messages" divider above it when due.
#[component]
pub fn MessageItem(
    row: Row,
    flash: RwSignal<Option<u64>>,
    /// The sender's picture, while we know one.
    avatar: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = I18n::get();
    let message = row.message;
    let seq = message.seq;
    let divider = row.first_unread.then(|| {
        view! {
            <li class="divider" data-testid="chat-divider" role="separator"><span>{move || i18n.t().new_messages}</span></li>
        }
    });
    let header = row.header.then(|| {
        let ts = message.ts;
        let mine = row.mine;
        let you = move || mine.then(|| i18n.t().you_suffix);
        let picture = move || {
            avatar
                .get()
                .map(|src| view! { <AvatarImg src testid="chat-avatar" class="small"/> })
        };
        view! {
            <div class="meta">
                {picture}
                <span class="author" dir="auto">{message.name.clone()}{you}</span>
                <time datetime=machine_time(ts) title=move || local_time(ts, i18n.lang()).1>{move || local_time(ts, i18n.lang()).0}</time>
            </div>
        }
    });
    view! {
        {divider}
        <li class="msg" data-testid="chat-message" data-seq=seq.to_string()
            data-client-id=message.client_id.to_string()
            class:mine=row.mine class:cont=!row.header class:flash=move || flash.get() == Some(seq)>
            {header}
            <MessageText text=message.text/>
        </li>
    }
}

/// A message of mine the server has not acknowledged: sending, or failed with a retry.
#[component]
pub fn PendingItem(pending: Pending, chat: ChatModel) -> impl IntoView {
    let i18n = I18n::get();
    let id = pending.client_id;
    let (state, failure) = match pending.state {
        OutState::Sending => ("sending", None),
        OutState::Failed(code) => ("failed", Some(code)),
    };
    let failed = failure.is_some();
    let status = move || match failure {
        Some(code) => (i18n.t().frame_error)(code),
        None if chat.store.with(|s| s.is_connected()) => i18n.t().sending,
        None => i18n.t().waiting_for_connection,
    };
    let actions = failed.then(|| {
        view! {
            <div class="actions">
                <button type="button" data-testid="chat-retry" on:click=move |_| chat.act(|s| s.retry(id))>{move || i18n.t().retry}</button>
                <button type="button" class="quiet" data-testid="chat-discard"
                    on:click=move |_| chat.act(|s| { s.discard(id); Vec::new() })>{move || i18n.t().discard}</button>
            </div>
        }
    });
    view! {
        <li class="msg mine pending" class:failed=failed data-testid="chat-message"
            data-client-id=id.to_string() data-state=state>
            <div class="meta">
                <span class="author">{move || i18n.t().you}</span>
                <span class="status" role=failed.then_some("alert")>{status}</span>
            </div>
            <MessageText text=pending.text/>
            {actions}
        </li>
    }
}

/// `ts` (unix ms) for machines (`<time datetime>`): ISO 8601 in UTC.
pub fn machine_time(ts: i64) -> String {
    js_sys::Date::new(&JsValue::from_f64(ts as f64))
        .to_iso_string()
        .into()
}

/// `ts` (unix ms) in the reader's time zone and the page's language (`Intl`): "14:05" today,
/// "yesterday 14:05" ("어제 14:05", `Intl.RelativeTimeFormat`) the day before, "Mar 3, 14:05"
/// ("3월 3일 14:05") otherwise; and the full date and time for a tooltip.
pub fn local_time(ts: i64, lang: Lang) -> (String, String) {
    let date = js_sys::Date::new(&JsValue::from_f64(ts as f64));
    let day = date.to_date_string();
    let today = js_sys::Date::new_0();
    let same_day = day == today.to_date_string();
    // The calendar day before today, whatever its length (daylight saving).
    let yesterday = js_sys::Date::new_0();
    yesterday.set_date(yesterday.get_date().wrapping_sub(1));
    let day_before = !same_day && day == yesterday.to_date_string();
    let options = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    };
    set("hour", "2-digit");
    set("minute", "2-digit");
    if !same_day && !day_before {
        set("month", "short");
        set("day", "numeric");
    }
    let locale = lang.code();
    let mut short: String = date.to_locale_string(locale, &options).into();
    if day_before {
        let locales = js_sys::Array::of1(&locale.into());
        let relative = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&relative, &"numeric".into(), &"auto".into());
        let words = js_sys::Intl::RelativeTimeFormat::new(&locales, &relative).format(-1.0, "day");
        short = format!("{} {short}", String::from(words));
    }
    let full = date.to_locale_string(locale, &JsValue::UNDEFINED);
    (short, full.into())
}
