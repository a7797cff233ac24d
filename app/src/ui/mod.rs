mod account;
mod chat_composer;
mod chat_list;
mod chat_message;
mod chat_model;
mod chat_panel;
mod chat_search;
mod controls;
mod home;
mod participants;
mod profile;
mod room;
mod room_lobby;
mod room_model;
mod session;
mod video_tile;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    session::Session::provide();
    view! {
        <Router>
            <Routes fallback=|| view! { <p class="notice">"Page not found. " <a href="/">"Go home"</a></p> }>
                <Route path=path!("/") view=home::Home/>
                <Route path=path!("/r/:room") view=room::RoomPage/>
                <Route path=path!("/profile") view=profile::ProfilePage/>
            </Routes>
        </Router>
    }
}
