//! The chat panel's state: the UI-free [`ChatStore`] in a signal, plus view-only bits. Every
//! change to the store goes through [`ChatView::act`], which sends whatever frames it returns.

use confab_protocol::ClientFrame;
use leptos::prelude::*;

use crate::chat::ChatStore;

/// Below this width the panel starts closed and opens over the video.
const WIDE_SCREEN_PX: f64 = 900.0;

#[derive(Clone, Copy)]
pub struct ChatView {
    pub store: RwSignal<ChatStore>,
    pub open: RwSignal<bool>,
    /// What is typed in the search box.
    pub query: RwSignal<String>,
    /// A message briefly highlighted after jumping to it.
    pub flash: RwSignal<Option<u64>>,
    /// Keep the list scrolled to the newest message (true while the user is at the bottom).
    pub stick: StoredValue<bool>,
    send: Callback<Vec<ClientFrame>>,
}

impl ChatView {
    pub fn new(send: Callback<Vec<ClientFrame>>) -> Self {
        let open = web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|w| w.as_f64())
            .is_none_or(|w| w >= WIDE_SCREEN_PX);
        let mut store = ChatStore::new();
        store.set_panel_open(open);
        ChatView {
            store: RwSignal::new(store),
            open: RwSignal::new(open),
            query: RwSignal::new(String::new()),
            flash: RwSignal::new(None),
            stick: StoredValue::new(true),
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

    pub fn unread(self) -> Signal<usize> {
        Signal::derive(move || self.store.with(|s| s.unread()))
    }
}
