//! Search results for the room, with matches highlighted; a click jumps to the message.

use confab_protocol::ChatMessage;
use leptos::prelude::*;

use super::chat_message::local_time;
use super::chat_model::ChatModel;
use crate::chat::text::highlight;

#[component]
pub fn SearchResults(chat: ChatModel, hidden: Signal<bool>) -> impl IntoView {
    let body = move || {
        let Some(search) = chat.store.with(|s| s.search().cloned()) else {
            return ().into_any();
        };
        match (search.error, search.results) {
            (Some(error), _) => {
                view! { <p class="chat-note error" role="alert">{format!("Search failed: {error}")}</p> }
                    .into_any()
            }
            (None, None) => view! { <p class="chat-note">"Searching…"</p> }.into_any(),
            (None, Some(results)) if results.is_empty() => {
                view! { <p class="chat-note">{format!("No messages match “{}”.", search.q)}</p> }
                    .into_any()
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
        <div class="chat-list search" hidden=move || hidden.get() role="region" aria-label="Search results">
            {body}
        </div>
    }
}

#[component]
fn SearchResult(message: ChatMessage, q: String, chat: ChatModel) -> impl IntoView {
    let seq = message.seq;
    let (short, full) = local_time(message.ts);
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
                <span class="meta"><span class="author">{message.name}</span><time title=full>{short}</time></span>
                <span class="text">{marks}</span>
            </button>
        </li>
    }
}
