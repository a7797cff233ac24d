use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::names::{check_join_form, new_room_name};
use crate::storage;

/// Name + room, or a new unguessable room; joining goes straight into the call.
#[component]
pub fn Home() -> impl IntoView {
    let name = RwSignal::new(storage::load_name().unwrap_or_default());
    let room = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let signed_in = RwSignal::new(storage::has_session());
    let sign_out = move |_| {
        spawn_local(async move {
            match api::logout().await {
                Ok(()) => signed_in.set(false),
                Err(e) => error.set(Some(format!("Could not sign out: {e}"))),
            }
        });
    };
    let navigate = use_navigate();
    let join = move |room_name: String| match check_join_form(&name.get_untracked(), &room_name) {
        Ok((name, room)) => {
            storage::save_name(name.as_str());
            storage::request_autojoin(room.as_str());
            navigate(&format!("/r/{}", room.as_str()), Default::default());
        }
        Err(message) => error.set(Some(message)),
    };
    let join_new = join.clone();
    view! {
        <section class="home">
            <h1>"Confab"</h1>
            <p class="tagline">"Video calls and chat in your browser."</p>
            <form on:submit=move |ev| {
                ev.prevent_default();
                join(room.get_untracked());
            }>
                <label>
                    "Your name"
                    <input data-testid="name-input" maxlength="40" autocomplete="nickname" bind:value=name/>
                </label>
                <label>
                    "Room"
                    <input data-testid="room-input" maxlength="64" placeholder="e.g. standup" bind:value=room/>
                </label>
                <div class="actions">
                    <button type="submit" data-testid="join-button">"Join"</button>
                    <button type="button" data-testid="new-room-button" on:click=move |_| join_new(new_room_name())>
                        "New room"
                    </button>
                </div>
            </form>
            {move || error.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
            {move || signed_in.get().then(|| view! {
                <p class="session">
                    "This browser remembers you. "
                    <button type="button" data-testid="sign-out-button" on:click=sign_out>"Sign out"</button>
                </p>
            })}
        </section>
    }
}
