//! Chat state without a DOM, unit-tested on the host: the room's messages ordered by `seq`, the
//! outbox of messages the server has not acknowledged yet, paging and gap repair, unread
//! counting and search. Every input returns the frames to send; the caller owns the socket.
//!
//! The server numbers messages per room from 1, +1 each, so the store always knows exactly what
//! it is missing: a hole between two known seqs is a gap to fetch, and nothing exists below 1.

mod outbox;
mod paging;
mod search;
#[cfg(test)]
mod tests;
pub mod text;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use confab_protocol::{ChatMessage, ClientFrame, ErrorCode, ServerFrame};
use uuid::Uuid;

use outbox::chat_frame;
pub use outbox::{ComposeError, OutState, Pending};
use paging::Purpose;
use search::search_frame;
pub use search::SearchState;

/// How many older messages one "load earlier" asks for.
pub const PAGE: u32 = 50;
/// Search results asked for (the protocol's maximum).
pub const SEARCH_LIMIT: u32 = confab_protocol::limits::MAX_SEARCH_LIMIT;
/// Consecutive messages from one person within this window share one name/time header.
const GROUP_WINDOW_MS: i64 = 5 * 60_000;

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
    notice: Option<ErrorCode>,
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
    pub fn notice(&self) -> Option<ErrorCode> {
        self.notice
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
            // The server's own `message` is English; the page words each code itself.
            ServerFrame::Error {
                code, client_id, ..
            } => {
                self.on_error(code, client_id);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_error(&mut self, code: ErrorCode, client_id: Option<Uuid>) {
        if let Some(id) = client_id {
            if let Some(pending) = self.outbox.iter_mut().find(|p| p.client_id == id) {
                pending.state = OutState::Failed(code);
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
            search.error = Some(code);
        }
        if matches!(code, ErrorCode::Unsupported | ErrorCode::RateLimited) {
            self.notice = Some(code);
        }
    }

    // ---- user intents (more in `outbox`, `paging` and `search`) ----------------------------

    pub fn set_panel_open(&mut self, open: bool) {
        if open && !self.panel_open {
            self.divider_after = (self.unread() > 0).then_some(self.read_upto);
        }
        self.panel_open = open;
        self.mark_read();
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
}
