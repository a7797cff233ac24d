//! Reactions: the picker in the controls, and a reaction shown for a moment on the sender's
//! tile (`data-testid="reaction"`) on every screen. Never stored; the room limits the rate.

use std::cell::Cell;

use confab_protocol::{ClientFrame, Reaction};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;

use super::room_model::RoomModel;
use crate::i18n::I18n;

/// How long a reaction stays on a tile (the animation's length in `style.css`).
const SHOWN_MS: u32 = 3_000;

/// A reaction on a tile, numbered so the same one twice in a row shows twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    serial: u32,
    pub reaction: Reaction,
}

thread_local! {
    static NEXT_SERIAL: Cell<u32> = const { Cell::new(0) };
}

/// Shows `reaction` in `slot` for [`SHOWN_MS`] (a newer one replaces it and its timer).
pub(super) fn show(slot: RwSignal<Option<Shown>>, reaction: Reaction) {
    let serial = NEXT_SERIAL.with(|n| {
        n.set(n.get().wrapping_add(1));
        n.get()
    });
    slot.set(Some(Shown { serial, reaction }));
    Timeout::new(SHOWN_MS, move || {
        if slot
            .try_get_untracked()
            .flatten()
            .is_some_and(|s| s.serial == serial)
        {
            slot.set(None);
        }
    })
    .forget();
}

/// The reaction on a tile while it shows.
#[component]
pub(super) fn ReactionBadge(shown: RwSignal<Option<Shown>>) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        shown.get().map(|shown| {
            let label = move || (i18n.t().reaction_name)(shown.reaction);
            view! {
                <span class="reaction" data-testid="reaction" role="img" aria-label=label>
                    {shown.reaction.emoji()}
                </span>
            }
        })
    }
}

/// The reactions button and, while open, its six choices; a choice sends and closes.
#[component]
pub(super) fn ReactionPicker(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let open = RwSignal::new(false);
    let button = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        open.set(false);
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            close();
        }
    };
    let send = move |reaction: Reaction| {
        model.call.with_value(|call| {
            if let Some(call) = call {
                call.send(&ClientFrame::React { reaction });
            }
        });
        close();
    };
    view! {
        <span class="reactions">
            <button type="button" data-testid="reaction-button" node_ref=button
                aria-expanded=move || open.get().to_string() aria-controls="reaction-choices"
                aria-label=move || i18n.t().react title=move || i18n.t().react
                on:click=move |_| open.update(|o| *o = !*o)>"🙂"</button>
            <span id="reaction-choices" class="reaction-choices" role="group" hidden=move || !open.get()
                aria-label=move || i18n.t().react on:keydown=on_keydown>
                {Reaction::ALL.into_iter().map(|reaction| view! {
                    <button type="button" data-testid="reaction-option"
                        aria-label=move || (i18n.t().reaction_name)(reaction)
                        on:click=move |_| send(reaction)>{reaction.emoji()}</button>
                }).collect_view()}
            </span>
        </span>
    }
}
