//! The outbox: messages I typed that the server has not acknowledged, resent with the same
//! `client_id` after a reconnect, failed ones kept for a retry.

use confab_protocol::limits::MAX_CHAT_CHARS;
use confab_protocol::{ClientFrame, ErrorCode};
use uuid::Uuid;

use super::ChatStore;

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
    /// The server refused it, for this reason (worded by the page). Only a retry sends it again.
    Failed(ErrorCode),
}

/// Why a draft was not sent (the page words it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComposeError {
    Empty,
    /// Over [`MAX_CHAT_CHARS`] characters.
    TooLong,
}

impl ChatStore {
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
}

pub(super) fn chat_frame(pending: &Pending) -> ClientFrame {
    ClientFrame::Chat {
        client_id: pending.client_id,
        text: pending.text.clone(),
    }
}
