mod chat_composer;
mod chat_list;
mod chat_message;
mod chat_panel;
mod chat_search;
mod chat_view;
mod controls;
mod home;
mod room;
mod video_tile;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Routes fallback=|| view! { <p class="notice">"Page not found. " <a href="/">"Go home"</a></p> }>
                <Route path=path!("/") view=home::Home/>
                <Route path=path!("/r/:room") view=room::RoomPage/>
            </Routes>
        </Router>
    }
}
