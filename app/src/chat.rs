//! Chat state without a DOM, unit-tested on the host: the room's messages ordered by `seq`, the
//! outbox of messages the server has not acknowledged yet, paging and gap repair, unread
//! counting and search. Every input returns the frames to send; the caller owns the socket.
//!
//! The server numbers messages per room from 1, +1 each, so the store always knows exactly what
//! it is missing: a hole between two known seqs is a gap to fetch, and nothing exists below 1.

#[cfg(test)]
mod tests;
pub mod text;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use confab_protocol::limits::{MAX_CHAT_CHARS, MAX_HISTORY_LIMIT, MAX_SEARCH_CHARS};
use confab_protocol::{ChatMessage, ClientFrame, ErrorCode, ServerFrame};
use uuid::Uuid;

/// How many older messages one "load earlier" asks for.
pub const PAGE: u32 = 50;
/// Search results asked for (the protocol's maximum).
pub const SEARCH_LIMIT: u32 = confab_protocol::limits::MAX_SEARCH_LIMIT;
/// Consecutive messages from one person within this window share one name/time header.
const GROUP_WINDOW_MS: i64 = 5 * 60_000;

/// A message I typed that the server has not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub client_id: Uuid,
    pub text: String,
    pub state: OutState,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OutState {
    /// Sent, or waiting for the socket; resent with the same `client_id` after a reconnect.
    Sending,
    /// The server refused it; the reason is for the user. Only a retry sends it again.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    #[error("type a message first")]
    Empty,
    #[error("messages are limited to {MAX_CHAT_CHARS} characters")]
    TooLong,
}

/// One stored message as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub message: ChatMessage,
    pub mine: bool,
    /// Shows the sender and time (not a continuation of the previous sender's messages).
    pub header: bool,
    /// The "new messages" divider goes right above this row.
    pub first_unread: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchState {
    pub q: String,
    /// `None` while waiting for the server.
    pub results: Option<Vec<ChatMessage>>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Filling the hole right below the known message `above`.
    Gap { above: u64 },
    /// Older messages, for the user or to reach a search result.
    Earlier,
}

#[derive(Debug, Clone)]
pub struct ChatStore {
    messages: BTreeMap<u64, ChatMessage>,
    outbox: Vec<Pending>,
    me: Option<String>,
    /// Everything I composed in this page's life, so my messages stay mine across a new identity.
    sent: HashSet<Uuid>,
    connected: bool,
    welcomed: bool,
    /// The one `history` request on the wire (answers carry no request id, so one at a time).
    in_flight: Option<Purpose>,
    want_earlier: bool,
    jump_target: Option<u64>,
    /// No message exists below this seq.
    floor: u64,
    /// Holes the server could not fill, by the seq above them; never asked for again.
    given_up: BTreeSet<u64>,
    read_upto: u64,
    panel_open: bool,
    divider_after: Option<u64>,
    search: Option<SearchState>,
    notice: Option<String>,
}

impl Default for ChatStore {
    fn default() -> Self {
        ChatStore {
            messages: BTreeMap::new(),
            outbox: Vec::new(),
            me: None,
            sent: HashSet::new(),
            connected: false,
            welcomed: false,
            in_flight: None,
            want_earlier: false,
            jump_target: None,
            floor: 1,
            given_up: BTreeSet::new(),
            read_upto: 0,
            panel_open: false,
            divider_after: None,
            search: None,
            notice: None,
        }
    }
}

impl ChatStore {
    pub fn new() -> Self {
        Self::default()
    }

    // ---- reading -------------------------------------------------------------------------

    pub fn messages(&self) -> impl DoubleEndedIterator<Item = &ChatMessage> {
        self.messages.values()
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    pub fn contains(&self, seq: u64) -> bool {
        self.messages.contains_key(&seq)
    }

    pub fn first_seq(&self) -> Option<u64> {
        self.messages.keys().next().copied()
    }

    pub fn last_seq(&self) -> Option<u64> {
        self.messages.keys().next_back().copied()
    }

    pub fn outbox(&self) -> &[Pending] {
        &self.outbox
    }

    pub fn is_connected(&self) -> bool {
        self.connected
    }

    pub fn is_mine(&self, message: &ChatMessage) -> bool {
        self.me.as_deref() == Some(message.user_id.as_str())
            || self.sent.contains(&message.client_id)
    }

    /// Older messages exist that are not loaded.
    pub fn can_load_earlier(&self) -> bool {
        self.first_seq().is_some_and(|first| first > self.floor)
    }

    /// A `history` request is on the wire.
    pub fn is_loading(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Others' messages that arrived while the panel was closed.
    pub fn unread(&self) -> usize {
        if self.panel_open {
            return 0;
        }
        self.messages
            .range(self.read_upto + 1..)
            .filter(|(_, m)| !self.is_mine(m))
            .count()
    }

    pub fn search(&self) -> Option<&SearchState> {
        self.search.as_ref()
    }

    /// Something the user should know about paging (e.g. the server refused a request).
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// The message to scroll to, once it is loaded.
    pub fn ready_jump(&self) -> Option<u64> {
        self.jump_target.filter(|seq| self.contains(*seq))
    }

    /// Everything the list shows, in seq order.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::with_capacity(self.messages.len());
        let mut previous: Option<&ChatMessage> = None;
        let mut divider_placed = false;
        for message in self.messages.values() {
            let header = previous.is_none_or(|p| {
                p.user_id != message.user_id
                    || p.seq + 1 != message.seq
                    || message.ts - p.ts > GROUP_WINDOW_MS
            });
            let first_unread = !divider_placed
                && self
                    .divider_after
                    .is_some_and(|after| message.seq > after && !self.is_mine(message));
            divider_placed |= first_unread;
            rows.push(Row {
                message: message.clone(),
                mine: self.is_mine(message),
                header: header || first_unread,
                first_unread,
            });
            previous = Some(message);
        }
        rows
    }

    // ---- the socket ----------------------------------------------------------------------

    /// A (re)joined socket: merge the latest page, resend what is unacknowledged, repair gaps.
    pub fn on_welcome(&mut self, me: &str, history: Vec<ChatMessage>) -> Vec<ClientFrame> {
        self.connected = true;
        self.in_flight = None;
        self.me = Some(me.to_owned());
        self.merge(history);
        if !self.welcomed {
            // The page shown on arrival is not "unread".
            self.welcomed = true;
            self.read_upto = self.last_seq().unwrap_or(0);
        }
        let mut frames: Vec<ClientFrame> = self
            .outbox
            .iter()
            .filter(|p| p.state == OutState::Sending)
            .map(chat_frame)
            .collect();
        if let Some(search) = self.search.as_ref().filter(|s| s.results.is_none()) {
            frames.push(search_frame(&search.q));
        }
        frames.extend(self.next_request());
        frames
    }

    /// The socket is gone: nothing in flight will be answered.
    pub fn on_disconnect(&mut self) {
        self.connected = false;
        self.in_flight = None;
    }

    /// Chat, history, search results and errors; other frames are ignored.
    pub fn on_frame(&mut self, frame: ServerFrame) -> Vec<ClientFrame> {
        match frame {
            ServerFrame::Chat { message } => {
                self.merge(vec![message]);
                self.next_request().into_iter().collect()
            }
            ServerFrame::History { messages, has_more } => self.on_history(messages, has_more),
            ServerFrame::SearchResults { q, messages } => {
                if let Some(search) = self.search.as_mut().filter(|s| s.q == q) {
                    search.results = Some(messages);
                    search.error = None;
                }
                Vec::new()
            }
            ServerFrame::Error {
                code,
                message,
                client_id,
            } => {
                self.on_error(code, &message, client_id);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_history(&mut self, messages: Vec<ChatMessage>, has_more: bool) -> Vec<ClientFrame> {
        let requested = self.in_flight.take();
        let oldest_before = self.first_seq();
        let added = self.merge(messages);
        match requested {
            Some(Purpose::Gap { above }) if added == 0 => {
                // The server has nothing for this hole; do not ask again.
                self.given_up.insert(above);
            }
            Some(Purpose::Earlier) => {
                let reached_bottom = !has_more || self.first_seq() == oldest_before;
                if reached_bottom {
                    self.floor = self.first_seq().unwrap_or(1);
                }
                self.want_earlier = false;
            }
            _ => {}
        }
        self.next_request().into_iter().collect()
    }

    fn on_error(&mut self, code: ErrorCode, message: &str, client_id: Option<Uuid>) {
        if let Some(id) = client_id {
            if let Some(pending) = self.outbox.iter_mut().find(|p| p.client_id == id) {
                pending.state = OutState::Failed(failure_reason(code, message));
            }
            return;
        }
        // Refusals carry no request id: assume it answers what we wait for, so nothing hangs.
        // Merging is idempotent, so a late real answer does no harm.
        match self.in_flight.take() {
            Some(Purpose::Gap { above }) => {
                self.given_up.insert(above);
            }
            Some(Purpose::Earlier) => {
                self.want_earlier = false;
                self.jump_target = None;
            }
            None => {}
        }
        if let Some(search) = self.search.as_mut().filter(|s| s.results.is_none()) {
            search.error = Some(message.to_owned());
        }
        if matches!(code, ErrorCode::Unsupported | ErrorCode::RateLimited) {
            self.notice = Some(message.to_owned());
        }
    }

    // ---- user intents --------------------------------------------------------------------

    /// Queues a message; returns the frame to send now (none while disconnected).
    pub fn compose(
        &mut self,
        text: &str,
        client_id: Uuid,
    ) -> Result<Vec<ClientFrame>, ComposeError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ComposeError::Empty);
        }
        if text.chars().count() > MAX_CHAT_CHARS {
            return Err(ComposeError::TooLong);
        }
        let pending = Pending {
            client_id,
            text: text.to_owned(),
            state: OutState::Sending,
        };
        let frames = if self.connected {
            vec![chat_frame(&pending)]
        } else {
            Vec::new()
        };
        self.sent.insert(client_id);
        self.outbox.push(pending);
        // Replying means the unread ones have been seen.
        self.divider_after = None;
        Ok(frames)
    }

    /// Sends a failed message again with the same `client_id`.
    pub fn retry(&mut self, client_id: Uuid) -> Vec<ClientFrame> {
        let connected = self.connected;
        match self.outbox.iter_mut().find(|p| p.client_id == client_id) {
            Some(pending) => {
                pending.state = OutState::Sending;
                if connected {
                    vec![chat_frame(pending)]
                } else {
                    Vec::new()
                }
            }
            None => Vec::new(),
        }
    }

    pub fn discard(&mut self, client_id: Uuid) {
        self.outbox
            .retain(|p| p.client_id != client_id || p.state == OutState::Sending);
    }

    pub fn load_earlier(&mut self) -> Vec<ClientFrame> {
        self.want_earlier = true;
        self.next_request().into_iter().collect()
    }

    /// Scroll to message `seq`, loading earlier pages until it is there.
    pub fn jump_to(&mut self, seq: u64) -> Vec<ClientFrame> {
        self.jump_target = Some(seq);
        self.next_request().into_iter().collect()
    }

    pub fn clear_jump(&mut self) {
        self.jump_target = None;
    }

    pub fn set_panel_open(&mut self, open: bool) {
        if open && !self.panel_open {
            self.divider_after = (self.unread() > 0).then_some(self.read_upto);
        }
        self.panel_open = open;
        self.mark_read();
    }

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

    // ---- internals -----------------------------------------------------------------------

    /// Adds messages by seq (idempotent); each one acknowledges its outbox entry. Returns how
    /// many seqs were new.
    fn merge(&mut self, messages: Vec<ChatMessage>) -> usize {
        let mut added = 0;
        for message in messages {
            if let Some(i) = self
                .outbox
                .iter()
                .position(|p| p.client_id == message.client_id)
            {
                self.outbox.remove(i);
            }
            if self.messages.insert(message.seq, message).is_none() {
                added += 1;
            }
        }
        self.mark_read();
        added
    }

    fn mark_read(&mut self) {
        if self.panel_open {
            self.read_upto = self.read_upto.max(self.last_seq().unwrap_or(0));
        }
    }

    /// The newest hole between two known messages that we have not given up on: `(below, above)`.
    fn newest_gap(&self) -> Option<(u64, u64)> {
        let mut newer: Option<u64> = None;
        for &seq in self.messages.keys().rev() {
            if let Some(above) = newer {
                if above > seq + 1 && !self.given_up.contains(&above) {
                    return Some((seq, above));
                }
            }
            newer = Some(seq);
        }
        None
    }

    /// The next `history` request, if one is needed and none is on the wire: gaps first (so
    /// nobody sees a hole), then older pages the user or a search jump asked for.
    fn next_request(&mut self) -> Option<ClientFrame> {
        if !self.connected || self.in_flight.is_some() {
            return None;
        }
        if let Some((below, above)) = self.newest_gap() {
            let missing = above - below - 1;
            self.in_flight = Some(Purpose::Gap { above });
            return Some(history_frame(
                above,
                missing.min(MAX_HISTORY_LIMIT as u64) as u32,
            ));
        }
        let first = self.first_seq()?;
        let jump_below = self.jump_target.is_some_and(|t| t < first);
        if !self.can_load_earlier() {
            self.want_earlier = false;
            if jump_below {
                self.jump_target = None;
            }
            return None;
        }
        let limit = if jump_below {
            MAX_HISTORY_LIMIT
        } else if self.want_earlier {
            PAGE
        } else {
            return None;
        };
        self.in_flight = Some(Purpose::Earlier);
        Some(history_frame(first, limit))
    }
}

fn chat_frame(pending: &Pending) -> ClientFrame {
    ClientFrame::Chat {
        client_id: pending.client_id,
        text: pending.text.clone(),
    }
}

fn history_frame(before_seq: u64, limit: u32) -> ClientFrame {
    ClientFrame::History {
        before_seq: Some(before_seq),
        limit: Some(limit.max(1)),
    }
}

fn search_frame(q: &str) -> ClientFrame {
    ClientFrame::Search {
        q: q.to_owned(),
        limit: Some(SEARCH_LIMIT),
    }
}

fn failure_reason(code: ErrorCode, message: &str) -> String {
    match code {
        ErrorCode::RateLimited => "Not sent: too many messages at once. Try again.".into(),
        ErrorCode::InvalidField => format!("Not sent: {message}"),
        _ => format!("Not sent ({message})"),
    }
}
