//! The room page when not in a call: before joining, after the call ended, and when the room
//! turned a guest away.

use leptos::prelude::*;

use confab_protocol::{DisplayName, RoomName};
use gloo_timers::callback::Timeout;

use super::account::SignInLinks;
use super::prejoin::Preview;
use super::room_model::RoomModel;
use super::session::Session;
use crate::account::usable;
use crate::i18n::{I18n, Said};

/// Before joining: the preview of camera and microphone with their pickers, then "join as
/// <account>" for a signed-in person; otherwise the guest name form (when the server lets
/// guests in) and the sign-in links, which come back to this room. While the person looks,
/// camera, microphone, call token and ICE servers are made ready (`data-ready` on the form).
#[component]
pub(super) fn Lobby(
    model: RoomModel,
    room: RoomName,
    name: RwSignal<String>,
    error: RwSignal<Option<Said>>,
    on_join: Callback<()>,
    #[prop(into)] return_to: String,
) -> impl IntoView {
    let session = Session::get();
    let i18n = I18n::get();
    // Nothing to click until we know who we are, so no button is swapped under a click.
    let ready = Memo::new(move |_| session.ready());
    let signed_in = Memo::new(move |_| session.signed_in());
    let guests = Memo::new(move |_| session.guests_allowed());
    let account_name = move || session.user().map(|u| u.name).unwrap_or_default();
    drop(model.open_media());
    // The name a click on Join would use, once it is a valid one.
    let joining_as = move || {
        let name = if !ready.get() {
            return None;
        } else if signed_in.get() {
            account_name()
        } else if guests.get() {
            name.get()
        } else {
            return None;
        };
        DisplayName::parse(&name)
            .ok()
            .map(|n| n.as_str().to_owned())
    };
    // Prepared for a name once typing has paused, not for every key.
    let pause = StoredValue::new_local(None::<Timeout>);
    Effect::new(move |_| {
        model.devices.ready.set(false);
        let name = joining_as();
        pause.set_value(name.map(|name| {
            let room = room.clone();
            Timeout::new(PREPARE_AFTER_MS, move || model.prepare(room, name))
        }));
    });
    let form = move || {
        if !ready.get() {
            view! { <p role="status">{move || i18n.t().loading}</p> }.into_any()
        } else if signed_in.get() {
            view! {
                <p>{move || i18n.t().join_as} " " <strong>{account_name}</strong></p>
                <button type="submit" data-testid="join-button">{move || i18n.t().join}</button>
            }
            .into_any()
        } else if guests.get() {
            view! {
                <label>{move || i18n.t().your_name} <input data-testid="name-input" maxlength="40" autocomplete="nickname" bind:value=name/></label>
                <button type="submit" data-testid="join-button">{move || i18n.t().join}</button>
            }
            .into_any()
        } else {
            view! { <p>{move || i18n.t().sign_in_to_join}</p> }.into_any()
        }
    };
    view! {
        <form class="lobby" data-ready=move || model.devices.ready.get().to_string()
            on:submit=move |ev| { ev.prevent_default(); on_join.run(()); }>
            <Preview model/>
            {form}
            {move || error.get().map(|said| view! { <p class="error" role="alert">{move || said.in_(i18n.t())}</p> })}
            <SignInLinks return_to/>
        </form>
    }
}

/// How long typing must pause before the token for the typed name is fetched.
const PREPARE_AFTER_MS: u32 = 300;

/// The call is over: why, and a way back in.
#[component]
pub fn Ended(message: Said, on_join: Callback<()>) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <section class="ended" role="status">
            <p>{move || message.in_(i18n.t())}</p>
            <button data-testid="join-button" on:click=move |_| on_join.run(())>{move || i18n.t().rejoin}</button>
            <a href="/">{move || i18n.t().home}</a>
        </section>
    }
}

/// A guest turned away by a room for signed-in people: sign in and come straight back.
#[component]
pub fn SignInRequired(#[prop(into)] return_to: String) -> impl IntoView {
    let session = Session::get();
    let i18n = I18n::get();
    let has_links = move || {
        session
            .providers
            .with(|p| p.as_ref().is_some_and(|p| usable(p).next().is_some()))
    };
    view! {
        <section class="ended signin-required" data-testid="room-signin-required" role="alert">
            <p>{move || i18n.t().room_for_signed_in}</p>
            {move || (!has_links()).then(|| view! {
                <p class="notice">{move || i18n.t().no_sign_in_method}</p>
            })}
            <SignInLinks return_to/>
            <a href="/">{move || i18n.t().home}</a>
        </section>
    }
}
