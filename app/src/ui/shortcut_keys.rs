//! The call's keyboard shortcuts ([`crate::shortcuts`]) on the room page: each presses its
//! button in the controls (so a shortcut does exactly what the button does, and nothing when
//! the button is disabled or absent), and `?` opens the list (`shortcuts-dialog`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::I18n;
use crate::shortcuts::{shortcut_for, takes_text, Press, Shortcut};

/// The button each shortcut presses.
fn button_of(shortcut: Shortcut) -> Option<&'static str> {
    Some(match shortcut {
        Shortcut::Mic => "mic-toggle",
        Shortcut::Camera => "cam-toggle",
        Shortcut::Share => "screen-share-button",
        Shortcut::Hand => "hand-button",
        Shortcut::Chat => "chat-toggle",
        Shortcut::Layout => "layout-toggle",
        Shortcut::Help => return None,
    })
}

/// Listens while the component lives (the call's view); `help` shows the list.
#[component]
pub(super) fn ShortcutKeys() -> impl IntoView {
    let help = RwSignal::new(false);
    let listener = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.default_prevented() || ev.repeat() {
            return;
        }
        let key = ev.key();
        let press = Press {
            key: &key,
            ctrl: ev.ctrl_key(),
            alt: ev.alt_key(),
            meta: ev.meta_key(),
            in_text_field: ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
                .is_some_and(|e| {
                    takes_text(
                        &e.tag_name(),
                        e.get_attribute("type").as_deref(),
                        e.is_content_editable(),
                    )
                }),
        };
        let Some(shortcut) = shortcut_for(press) else {
            return;
        };
        ev.prevent_default();
        match button_of(shortcut) {
            Some(test_id) => press_button(test_id),
            None => help.set(true),
        }
    });
    on_cleanup(move || listener.remove());
    view! { <ShortcutList open=help/> }
}

fn press_button(test_id: &str) {
    let button = document()
        .query_selector(&format!("[data-testid=\"{test_id}\"]"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = button {
        button.click();
    }
}

/// The list of shortcuts, as a dialog; Escape or Close shuts it.
#[component]
fn ShortcutList(open: RwSignal<bool>) -> impl IntoView {
    let i18n = I18n::get();
    let close_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = close_button.get() {
            let _ = button.focus();
        }
    });
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            open.set(false);
        }
    };
    move || {
        open.get().then(|| {
            view! {
                <div class="shortcuts" data-testid="shortcuts-dialog" role="dialog" aria-modal="true"
                    aria-labelledby="shortcuts-title" on:keydown=on_keydown>
                    <h2 id="shortcuts-title">{move || i18n.t().shortcuts}</h2>
                    <dl>
                        {Shortcut::ALL.into_iter().map(|s| view! {
                            <div><dt><kbd>{s.key()}</kbd></dt><dd>{move || (i18n.t().shortcut_name)(s)}</dd></div>
                        }).collect_view()}
                    </dl>
                    <p class="hint">{move || i18n.t().shortcuts_hint}</p>
                    <button type="button" data-testid="shortcuts-close" node_ref=close_button
                        on:click=move |_| open.set(false)>{move || i18n.t().close}</button>
                </div>
            }
        })
    }
}
