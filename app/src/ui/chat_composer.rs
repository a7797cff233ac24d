//! Typing a message: multi-line (Shift+Enter), Enter sends, an emoji picker.

use leptos::html;
use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::chat_model::ChatModel;
use crate::chat::text::EMOJI;
use crate::chat::ComposeError;
use crate::i18n::{I18n, Texts};
use crate::menu::{menu_step, MenuStep};

/// Emoji per row in the picker (its CSS grid has as many columns).
const PICKER_COLUMNS: usize = 6;

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
    let picker_ref = NodeRef::<html::Div>::new();
    let button_ref = NodeRef::<html::Button>::new();
    let focus_item = move |index: usize| {
        let item = picker_ref
            .get_untracked()
            .and_then(|menu| menu.children().item(index as u32))
            .and_then(|item| item.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(item) = item {
            let _ = item.focus();
        }
    };
    // Opening moves focus into the menu (its first or last item), once it is on the page.
    let open_at = move |index: usize| {
        picker_open.set(true);
        request_animation_frame(move || focus_item(index));
    };
    let close = move |refocus: bool| {
        picker_open.set(false);
        if let Some(button) = button_ref.get_untracked().filter(|_| refocus) {
            let _ = button.focus();
        }
    };
    let on_button_keydown = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            open_at(0);
        }
        "ArrowUp" => {
            ev.prevent_default();
            open_at(EMOJI.len() - 1);
        }
        _ => {}
    };
    let on_menu_keydown = move |ev: web_sys::KeyboardEvent| {
        let focused = picker_ref.get_untracked().and_then(|menu| {
            let active = document().active_element()?;
            let items = menu.children();
            (0..items.length()).position(|i| items.item(i).as_ref() == Some(&active))
        });
        match menu_step(&ev.key(), focused, EMOJI.len(), PICKER_COLUMNS) {
            MenuStep::Focus(index) => {
                ev.prevent_default();
                focus_item(index);
            }
            MenuStep::Close => {
                ev.prevent_default();
                close(true);
            }
            MenuStep::Leave => {
                // Tab goes on to the message box, Shift+Tab back to the menu's button (the
                // focused item is about to leave the page, so the browser cannot decide).
                ev.prevent_default();
                close(ev.shift_key());
                if let Some(field) = input.get_untracked().filter(|_| !ev.shift_key()) {
                    let _ = field.focus();
                }
            }
            MenuStep::Ignore => {}
        }
    };
    // Focus leaving the menu for anything but its button (which toggles it) closes it. A
    // mouse press in the menu or on its button keeps focus where it is: browsers that do not
    // focus clicked buttons (Safari) would otherwise see focus leave for nowhere and close the
    // menu before the click lands.
    let keep_focus = |ev: web_sys::MouseEvent| ev.prevent_default();
    let on_menu_focusout = move |ev: web_sys::FocusEvent| {
        let to = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = picker_ref
            .get_untracked()
            .is_some_and(|menu| menu.contains(to.as_ref()));
        let to_button = match (button_ref.get_untracked(), &to) {
            (Some(button), Some(to)) => button.is_same_node(Some(to)),
            _ => false,
        };
        if !inside && !to_button {
            picker_open.set(false);
        }
    };
    let picker = move || {
        picker_open.get().then(|| {
            view! {
                <div class="emoji-picker" id="emoji-menu" role="menu" aria-label=move || i18n.t().emoji
                    node_ref=picker_ref on:keydown=on_menu_keydown on:focusout=on_menu_focusout
                    on:mousedown=keep_focus>
                    {EMOJI.iter().map(|&emoji| view! {
                        <button type="button" role="menuitem" tabindex="-1" data-testid="emoji-option"
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
                aria-haspopup="menu" aria-controls=move || picker_open.get().then_some("emoji-menu") aria-expanded=move || picker_open.get().to_string()
                node_ref=button_ref on:keydown=on_button_keydown on:mousedown=keep_focus
                on:click=move |_| if picker_open.get_untracked() { close(true) } else { open_at(0) }>"😊"</button>
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
