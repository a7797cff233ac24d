use confab_protocol::RoomName;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::account::{AccountBar, SignInLinks};
use super::session::{with_token, Session};
use crate::api;
use crate::names::{check_join_form, new_room_name};
use crate::storage;

/// Name + room, or a new unguessable room; joining goes straight into the call. Signed-in
/// people join under their account name and may make a room that only signed-in people enter.
#[component]
pub fn Home() -> impl IntoView {
    let session = Session::get();
    let name = RwSignal::new(storage::load_name().unwrap_or_default());
    let room = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let require_sign_in = RwSignal::new(false);
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
            Err(message) => error.set(Some(message)),
        }
    };
    let join = join_as.clone();
    let new_room = move |_| {
        if !(signed_in.get_untracked() && require_sign_in.get_untracked()) {
            join_as(new_room_name());
            return;
        }
        let go = go_new.clone();
        creating.set(true);
        spawn_local(async move {
            let created = with_token(session, |token| async move {
                api::create_room(&token, true).await
            })
            .await;
            creating.set(false);
            match created.map(|c| RoomName::parse(&c.room)) {
                Ok(Ok(room)) => go(&room),
                Ok(Err(_)) => error.set(Some("The server named an invalid room.".into())),
                Err(e) => error.set(Some(format!("Could not create the room: {e}"))),
            }
        });
    };
    let name_field = move || {
        (!signed_in.get()).then(|| {
            view! {
                <label>
                    "Your name"
                    <input data-testid="name-input" maxlength="40" autocomplete="nickname" bind:value=name/>
                </label>
            }
        })
    };
    let toggle = move || {
        signed_in.get().then(|| {
            view! {
                <label class="check">
                    <input type="checkbox" data-testid="require-signin-toggle" bind:checked=require_sign_in/>
                    "Only signed-in people can join"
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
                        "Room"
                        <input data-testid="room-input" maxlength="64" placeholder="e.g. standup" bind:value=room/>
                    </label>
                    <div class="actions">
                        <button type="submit" data-testid="join-button">"Join"</button>
                        <button type="button" data-testid="new-room-button" disabled=move || creating.get()
                            on:click=new_room>
                            "New room"
                        </button>
                    </div>
                    {toggle}
                </form>
            }
        })
    };
    let sign_in_note = move || {
        (ready.get() && !show_form.get())
            .then(|| view! { <p class="notice">"Sign in to start or join a call."</p> })
    };
    view! {
        <section class="home">
            <h1>"Confab"</h1>
            <p class="tagline">"Video calls and chat in your browser."</p>
            <AccountBar/>
            {form}
            {move || error.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
            {sign_in_note}
            <SignInLinks return_to="/"/>
        </section>
    }
}
