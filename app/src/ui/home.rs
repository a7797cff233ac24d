use confab_protocol::{HistoryVisibility, RoomName};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::account::{AccountBar, SignInLinks};
use super::language::LanguageSelect;
use super::moderation::{history_choice, history_options};
use super::session::{with_token, Session};
use crate::api;
use crate::i18n::{I18n, Said};
use crate::names::{check_join_form, name_error, new_room_name};
use crate::storage;

/// Name + room, or a new unguessable room; joining goes straight into the call. Signed-in
/// people join under their account name and may make a room that only signed-in people enter,
/// or whose chat each person sees only from when they join.
#[component]
pub fn Home() -> impl IntoView {
    let session = Session::get();
    let i18n = I18n::get();
    let name = RwSignal::new(storage::load_name().unwrap_or_default());
    let room = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Said>);
    let require_sign_in = RwSignal::new(false);
    let history = RwSignal::new(HistoryVisibility::Everyone);
    let creating = RwSignal::new(false);
    // The form shows once we know who we are (nothing is swapped under a click) and is not
    // rebuilt after that unless that changes.
    let signed_in = Memo::new(move |_| session.signed_in());
    let guests = Memo::new(move |_| session.guests_allowed());
    let ready = Memo::new(move |_| session.ready());
    let show_form = Memo::new(move |_| ready.get() && (signed_in.get() || guests.get()));

    let navigate = use_navigate();
    let go = move |room: &RoomName| {
        storage::request_autojoin(room.as_str());
        navigate(&format!("/r/{}", room.as_str()), Default::default());
    };
    let go_new = go.clone();
    let join_as = move |room_name: String| {
        let typed = name.get_untracked();
        let account_name = session.user().map(|u| u.name);
        match check_join_form(account_name.as_deref().unwrap_or(&typed), &room_name) {
            Ok((display, room)) => {
                if account_name.is_none() {
                    storage::save_name(display.as_str());
                }
                go(&room);
            }
            Err(refused) => error.set(Some(Said::new(move |t| name_error(t, &refused).into()))),
        }
    };
    let join = join_as.clone();
    let new_room = move |_| {
        // Settings other than the defaults need the room made first (signed-in people only).
        let (require, chosen) = (require_sign_in.get_untracked(), history.get_untracked());
        if !(signed_in.get_untracked() && (require || chosen != HistoryVisibility::Everyone)) {
            join_as(new_room_name());
            return;
        }
        let go = go_new.clone();
        creating.set(true);
        spawn_local(async move {
            let created = with_token(session, |token| async move {
                api::create_room(&token, require, chosen).await
            })
            .await;
            creating.set(false);
            match created.map(|c| RoomName::parse(&c.room)) {
                Ok(Ok(room)) => go(&room),
                Ok(Err(_)) => error.set(Some(Said::text(|t| t.server_named_invalid_room))),
                Err(e) => error.set(Some(Said::new(move |t| {
                    (t.could_not_create_room)(&crate::i18n::api_error(t, &e))
                }))),
            }
        });
    };
    let name_field = move || {
        (!signed_in.get()).then(|| {
            view! {
                <label>
                    {move || i18n.t().your_name}
                    <input data-testid="name-input" maxlength="40" autocomplete="nickname" bind:value=name/>
                </label>
            }
        })
    };
    let settings = move || {
        signed_in.get().then(|| {
            view! {
                <label class="check">
                    <input type="checkbox" data-testid="require-signin-toggle" bind:checked=require_sign_in/>
                    {move || i18n.t().only_signed_in_toggle}
                </label>
                <label>
                    {move || i18n.t().chat_history}
                    <select data-testid="new-room-history"
                        on:change:target=move |ev| history.set(history_choice(&ev.target().value()))>
                        {history_options(history.into())}
                    </select>
                </label>
            }
        })
    };
    let form = move || {
        let join = join.clone();
        let new_room = new_room.clone();
        show_form.get().then(|| {
            view! {
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    join(room.get_untracked());
                }>
                    {name_field}
                    <label>
                        {move || i18n.t().room}
                        <input data-testid="room-input" maxlength="64"
                            placeholder=move || i18n.t().room_placeholder bind:value=room/>
                    </label>
                    <div class="actions">
                        <button type="submit" data-testid="join-button">{move || i18n.t().join}</button>
                        <button type="button" data-testid="new-room-button" disabled=move || creating.get()
                            on:click=new_room>
                            {move || i18n.t().new_room}
                        </button>
                    </div>
                    {settings}
                </form>
            }
        })
    };
    let sign_in_note = move || {
        (ready.get() && !show_form.get())
            .then(|| view! { <p class="notice">{move || i18n.t().sign_in_to_start}</p> })
    };
    view! {
        <section class="home">
            <div class="home-head"><h1>"Confab"</h1> <LanguageSelect/></div>
            <p class="tagline">{move || i18n.t().tagline}</p>
            <AccountBar/>
            {form}
            {move || error.get().map(|said| view! { <p class="error" role="alert">{move || said.in_(i18n.t())}</p> })}
            {sign_in_note}
            <SignInLinks return_to="/"/>
        </section>
    }
}
