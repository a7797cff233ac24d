//! Paging and gap repair: one `history` request on the wire at a time, holes between known
//! messages first (so nobody sees one), then older pages the user or a search jump asked for.

use confab_protocol::limits::MAX_HISTORY_LIMIT;
use confab_protocol::{ChatMessage, ClientFrame};

use super::{ChatStore, PAGE};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    /// Filling the hole right below the known message `above`.
    Gap { above: u64 },
    /// Older messages, for the user or to reach a search result.
    Earlier,
}

impl ChatStore {
    pub(super) fn on_history(
        &mut self,
        messages: Vec<ChatMessage>,
        has_more: bool,
    ) -> Vec<ClientFrame> {
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
    pub(super) fn next_request(&mut self) -> Option<ClientFrame> {
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

fn history_frame(before_seq: u64, limit: u32) -> ClientFrame {
    ClientFrame::History {
        before_seq: Some(before_seq),
        limit: Some(limit.max(1)),
    }
}
