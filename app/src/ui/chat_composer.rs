//! Typing a message: multi-line (Shift+Enter), Enter sends, an emoji picker.

use leptos::html;
use leptos::prelude::*;
use uuid::Uuid;

use super::chat_model::ChatModel;
use crate::chat::text::EMOJI;
use crate::chat::ComposeError;
use crate::i18n::{I18n, Texts};

/// `keyCode` of a key event that belongs to an IME composition (Korean, Japanese, ...).
const IME_PROCESS_KEY: u32 = 229;

#[component]
pub fn Composer(chat: ChatModel) -> impl IntoView {
    let i18n = I18n::get();
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ComposeError>);
    let picker_open = RwSignal::new(false);
    let input = NodeRef::<html::Textarea>::new();

    let send = move || {
        let text = draft.get_untracked();
        let mut refused = None;
        chat.act(|s| {
            s.compose(&text, Uuid::new_v4()).unwrap_or_else(|e| {
                refused = Some(e);
                Vec::new()
            })
        });
        match refused {
            None => {
                draft.set(String::new());
                error.set(None);
                chat.stick.set_value(true);
            }
            Some(message) => error.set(Some(message)),
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let composing = ev.is_composing() || ev.key_code() == IME_PROCESS_KEY;
        if ev.key() == "Enter" && !ev.shift_key() && !composing {
            ev.prevent_default();
            send();
        }
    };
    let insert = move |emoji: &'static str| {
        if let Some(el) = input.get_untracked() {
            let _ = el.set_range_text_with_start_and_end_and_mode(
                emoji,
                el.selection_start().ok().flatten().unwrap_or(0),
                el.selection_end().ok().flatten().unwrap_or(0),
                "end",
            );
            draft.set(el.value());
            let _ = el.focus();
        } else {
            draft.update(|d| d.push_str(emoji));
        }
        picker_open.set(false);
    };
    let picker = move || {
        picker_open.get().then(|| {
            view! {
                <div class="emoji-picker" role="menu" aria-label=move || i18n.t().emoji>
                    {EMOJI.iter().map(|&emoji| view! {
                        <button type="button" role="menuitem" data-testid="emoji-option"
                            on:click=move |_| insert(emoji)>{emoji}</button>
                    }).collect_view()}
                </div>
            }
        })
    };
    view! {
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); send(); }>
            {picker}
            <button type="button" class="icon quiet" data-testid="emoji-button" aria-label=move || i18n.t().insert_emoji
                aria-expanded=move || picker_open.get().to_string()
                on:click=move |_| picker_open.update(|o| *o = !*o)>"😊"</button>
            <textarea data-testid="chat-input" rows="1" placeholder=move || i18n.t().message_placeholder
                aria-label=move || i18n.t().message node_ref=input prop:value=move || draft.get()
                on:input:target=move |ev| draft.set(ev.target().value())
                on:keydown=on_keydown></textarea>
            <button type="submit" data-testid="chat-send"
                disabled=move || draft.with(|d| d.trim().is_empty())>{move || i18n.t().send}</button>
        </form>
        {move || error.get().map(|e| view! {
            <p class="chat-note error" data-testid="chat-compose-error" role="alert">{move || compose_error(i18n.t(), e)}</p>
        })}
    }
}

/// Why the draft was not sent, in the language of `t`.
fn compose_error(t: &Texts, error: ComposeError) -> String {
    match error {
        ComposeError::Empty => t.type_a_message.into(),
        ComposeError::TooLong => (t.message_too_long)(confab_protocol::limits::MAX_CHAT_CHARS),
    }
}
