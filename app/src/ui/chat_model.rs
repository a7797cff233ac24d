//! The chat panel's state: the UI-free [`ChatStore`] in a signal, plus view-only bits. Every
//! change to the store goes through [`ChatModel::act`], which sends whatever frames it returns.

use std::collections::HashMap;

use confab_protocol::{ClientFrame, Member};
use leptos::prelude::*;

use crate::account::avatar_src;
use crate::chat::ChatStore;

/// Below this width the panel starts closed and opens over the video.
const WIDE_SCREEN_PX: f64 = 900.0;

#[derive(Clone, Copy)]
pub struct ChatModel {
    pub store: RwSignal<ChatStore>,
    pub open: RwSignal<bool>,
    /// What is typed in the search box.
    pub query: RwSignal<String>,
    /// A message briefly highlighted after jumping to it.
    pub flash: RwSignal<Option<u64>>,
    /// Keep the list scrolled to the newest message (true while the user is at the bottom).
    pub stick: StoredValue<bool>,
    /// user id → picture, for everyone seen in the room (myself included) who has one.
    pub avatars: RwSignal<HashMap<String, String>>,
    send: Callback<Vec<ClientFrame>>,
}

impl ChatModel {
    pub fn new(send: Callback<Vec<ClientFrame>>) -> Self {
        let open = web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .is_none_or(|w| w >= WIDE_SCREEN_PX);
        let mut store = ChatStore::new();
        store.set_panel_open(open);
        ChatModel {
            store: RwSignal::new(store),
            open: RwSignal::new(open),
            query: RwSignal::new(String::new()),
            flash: RwSignal::new(None),
            stick: StoredValue::new(true),
            avatars: RwSignal::new(HashMap::new()),
            send,
        }
    }

    /// Changes the store and sends the frames the change calls for.
    pub fn act(self, change: impl FnOnce(&mut ChatStore) -> Vec<ClientFrame>) {
        let frames = self.store.try_update(change).unwrap_or_default();
        if !frames.is_empty() {
            self.send.run(frames);
        }
    }

    pub fn set_open(self, open: bool) {
        self.open.set(open);
        self.store.update(|s| s.set_panel_open(open));
        if open {
            self.stick.set_value(true);
        }
    }

    /// Records the pictures of people in the room (their latest: someone who rejoined
    /// without one loses it).
    pub fn know_members<'a>(self, members: impl IntoIterator<Item = &'a Member>) {
        self.avatars.update(|avatars| {
            for member in members {
                match avatar_src(member.avatar.as_deref()) {
                    Some(src) => avatars.insert(member.user_id.clone(), src),
                    None => avatars.remove(&member.user_id),
                };
            }
        });
    }

    /// The picture of `user_id`, if we know one.
    pub fn avatar_of(self, user_id: String) -> Signal<Option<String>> {
        Signal::derive(move || self.avatars.with(|a| a.get(&user_id).cloned()))
    }
}
