//! Search results for the room, with matches highlighted; a click jumps to the message.

use confab_protocol::ChatMessage;
use leptos::prelude::*;

use super::chat_message::{local_time, machine_time};
use super::chat_model::ChatModel;
use crate::chat::text::highlight;
use crate::i18n::I18n;

#[component]
pub fn SearchResults(chat: ChatModel, hidden: Signal<bool>) -> impl IntoView {
    let i18n = I18n::get();
    let body = move || {
        let Some(search) = chat.store.with(|s| s.search().cloned()) else {
            return ().into_any();
        };
        match (search.error, search.results) {
            (Some(code), _) => view! {
                <p class="chat-note error" role="alert">
                    {move || (i18n.t().search_failed)((i18n.t().frame_error)(code))}
                </p>
            }
            .into_any(),
            (None, None) => {
                view! { <p class="chat-note">{move || i18n.t().searching}</p> }.into_any()
            }
            (None, Some(results)) if results.is_empty() => {
                let q = search.q;
                view! { <p class="chat-note">{move || (i18n.t().no_matches)(&q)}</p> }.into_any()
            }
            (None, Some(results)) => {
                let q = search.q;
                view! {
                    <ul class="results">
                        {results.into_iter().map(|m| view! { <SearchResult message=m q=q.clone() chat/> }).collect_view()}
                    </ul>
                }
                .into_any()
            }
        }
    };
    view! {
        <div class="chat-list search" hidden=move || hidden.get() role="region" aria-label=move || i18n.t().search_results>
            {body}
        </div>
    }
}

#[component]
fn SearchResult(message: ChatMessage, q: String, chat: ChatModel) -> impl IntoView {
    let i18n = I18n::get();
    let seq = message.seq;
    let ts = message.ts;
    let marks = highlight(&message.text, &q)
        .into_iter()
        .map(|m| {
            if m.hit {
                view! { <mark>{m.text}</mark> }.into_any()
            } else {
                m.text.into_any()
            }
        })
        .collect_view();
    let jump = move |_| {
        chat.query.set(String::new());
        chat.act(|s| {
            s.clear_search();
            s.jump_to(seq)
        });
    };
    view! {
        <li>
            <button type="button" class="result" data-testid="chat-search-result" data-seq=seq.to_string() on:click=jump>
                <span class="meta"><span class="author" dir="auto">{message.name}</span><time datetime=machine_time(ts) title=move || local_time(ts, i18n.lang()).1>{move || local_time(ts, i18n.lang()).0}</time></span>
                <span class="text" dir="auto">{marks}</span>
            </button>
        </li>
    }
}
