mod account;
mod announcer;
mod chat_composer;
mod chat_list;
mod chat_message;
mod chat_model;
mod chat_panel;
mod chat_search;
mod controls;
mod device_picker;
mod home;
mod language;
mod lobby_requests;
mod moderation;
mod participants;
mod people;
mod pip;
mod prejoin;
mod profile;
mod reactions;
mod room;
mod room_ahead;
mod room_lobby;
mod room_media;
mod room_model;
mod screen_tile;
mod session;
mod shortcut_keys;
mod speakers;
mod theme;
mod video_tile;
mod waiting_room;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::i18n::I18n;

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n::provide();
    theme::apply_remembered();
    session::Session::provide();
    let not_found = move || {
        view! {
            <p class="notice">{move || i18n.t().page_not_found} " " <a href="/">{move || i18n.t().go_home}</a></p>
        }
    };
    view! {
        <Router>
            <Routes fallback=not_found>
                <Route path=path!("/") view=home::Home/>
                <Route path=path!("/r/:room") view=room::RoomPage/>
                <Route path=path!("/profile") view=profile::ProfilePage/>
            </Routes>
        </Router>
    }
}
