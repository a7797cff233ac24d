//! Searching the room's messages: one query at a time, asked again after a reconnect while
//! its results are still missing.

use confab_protocol::limits::MAX_SEARCH_CHARS;
use confab_protocol::{ChatMessage, ClientFrame};

use super::{ChatStore, SEARCH_LIMIT};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchState {
    pub q: String,
    /// `None` while waiting for the server.
    pub results: Option<Vec<ChatMessage>>,
    pub error: Option<confab_protocol::ErrorCode>,
}

impl ChatStore {
    /// Starts a search (or clears it for an empty query).
    pub fn search_for(&mut self, q: &str) -> Vec<ClientFrame> {
        let q: String = q.trim().chars().take(MAX_SEARCH_CHARS).collect();
        if q.is_empty() {
            self.search = None;
            return Vec::new();
        }
        if self.search.as_ref().is_some_and(|s| s.q == q) {
            return Vec::new();
        }
        self.search = Some(SearchState {
            q: q.clone(),
            results: None,
            error: None,
        });
        if self.connected {
            vec![search_frame(&q)]
        } else {
            Vec::new()
        }
    }

    pub fn clear_search(&mut self) {
        self.search = None;
    }
}

pub(super) fn search_frame(q: &str) -> ClientFrame {
    ClientFrame::Search {
        q: q.to_owned(),
        limit: Some(SEARCH_LIMIT),
    }
}
