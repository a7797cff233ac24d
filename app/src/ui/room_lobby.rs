//! The room page when not in a call: before joining, after the call ended, and when the room
//! turned a guest away.

use leptos::prelude::*;

use super::account::SignInLinks;
use super::session::Session;
use crate::account::usable;

/// Before joining: "join as <account>" for a signed-in person; otherwise the guest name form
/// (when the server lets guests in) and the sign-in links, which come back to this room.
#[component]
pub fn Lobby(
    name: RwSignal<String>,
    error: RwSignal<Option<String>>,
    on_join: Callback<()>,
    #[prop(into)] return_to: String,
) -> impl IntoView {
    let session = Session::get();
    // Nothing to click until we know who we are, so no button is swapped under a click.
    let ready = Memo::new(move |_| session.ready());
    let signed_in = Memo::new(move |_| session.signed_in());
    let guests = Memo::new(move |_| session.guests_allowed());
    let account_name = move || session.user().map(|u| u.name).unwrap_or_default();
    let form = move || {
        if !ready.get() {
            view! { <p role="status">"Loading…"</p> }.into_any()
        } else if signed_in.get() {
            view! {
                <p>"Join as " <strong>{account_name}</strong></p>
                <button type="submit" data-testid="join-button">"Join"</button>
            }
            .into_any()
        } else if guests.get() {
            view! {
                <label>"Your name" <input data-testid="name-input" maxlength="40" autocomplete="nickname" bind:value=name/></label>
                <button type="submit" data-testid="join-button">"Join"</button>
            }
            .into_any()
        } else {
            view! { <p>"Sign in to join this call."</p> }.into_any()
        }
    };
    view! {
        <form class="lobby" on:submit=move |ev| { ev.prevent_default(); on_join.run(()); }>
            {form}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <SignInLinks return_to/>
        </form>
    }
}

/// The call is over: why, and a way back in.
#[component]
pub fn Ended(message: String, on_join: Callback<()>) -> impl IntoView {
    view! {
        <section class="ended" role="status">
            <p>{message}</p>
            <button data-testid="join-button" on:click=move |_| on_join.run(())>"Rejoin"</button>
            <a href="/">"Home"</a>
        </section>
    }
}

/// A guest turned away by a room for signed-in people: sign in and come straight back.
#[component]
pub fn SignInRequired(#[prop(into)] return_to: String) -> impl IntoView {
    let session = Session::get();
    let has_links = move || {
        session
            .providers
            .with(|p| p.as_ref().is_some_and(|p| usable(p).next().is_some()))
    };
    view! {
        <section class="ended signin-required" data-testid="room-signin-required" role="alert">
            <p>"Only signed-in people can join this room."</p>
            {move || (!has_links()).then(|| view! {
                <p class="notice">"No sign-in method is set up on this server."</p>
            })}
            <SignInLinks return_to/>
            <a href="/">"Home"</a>
        </section>
    }
}
