//! Parsing and validating client frames, with a typed reason for every refusal.

use serde_json::Value;
use uuid::Uuid;

use crate::frames::{ClientFrame, ErrorCode, ServerFrame};
use crate::limits::*;

/// Why a client frame was refused; becomes an `error` frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct FrameError {
    pub code: ErrorCode,
    pub message: String,
    pub client_id: Option<Uuid>,
}

impl FrameError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        FrameError {
            code,
            message: message.into(),
            client_id: None,
        }
    }

    pub fn rate_limited() -> Self {
        FrameError::new(ErrorCode::RateLimited, "too many frames; slow down")
    }

    pub fn unknown_peer(peer: &crate::PeerId) -> Self {
        FrameError::new(
            ErrorCode::UnknownPeer,
            format!("no peer {peer} in this room"),
        )
    }

    pub fn unsupported(what: &str) -> Self {
        FrameError::new(
            ErrorCode::Unsupported,
            format!("`{what}` is not supported by this server yet"),
        )
    }

    pub fn to_frame(&self) -> ServerFrame {
        ServerFrame::Error {
            code: self.code,
            message: self.message.clone(),
            client_id: self.client_id,
        }
    }
}

const KNOWN_TYPES: &[&str] = &[
    "signal",
    "chat",
    "history",
    "search",
    "media",
    "hand",
    "react",
    "set_role",
    "remove",
    "mute",
    "set_access",
    "end_for_all",
    "admit",
    "deny",
    "trust",
    "join",
    "ping",
    "auth",
];

/// Parses one text frame from a client and checks every field against the contract.
pub fn decode_client_frame(text: &str) -> Result<ClientFrame, FrameError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(FrameError::new(
            ErrorCode::TooLarge,
            format!(
                "frame is {} bytes; the limit is {MAX_FRAME_BYTES}",
                text.len()
            ),
        ));
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| FrameError::new(ErrorCode::BadJson, format!("not valid JSON: {e}")))?;
    let Some(object) = value.as_object() else {
        return Err(FrameError::new(
            ErrorCode::BadJson,
            "frame must be a JSON object",
        ));
    };
    let kind = match object.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(_) => {
            return Err(FrameError::new(
                ErrorCode::InvalidField,
                "`type` must be a string",
            ))
        }
        None => return Err(FrameError::new(ErrorCode::InvalidField, "missing `type`")),
    };
    if !KNOWN_TYPES.contains(&kind.as_str()) {
        return Err(FrameError::new(
            ErrorCode::UnknownType,
            format!("unknown frame type `{}`", truncate(&kind, 40)),
        ));
    }
    let client_id = object
        .get("client_id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok());
    let frame: ClientFrame = serde_json::from_value(value).map_err(|e| FrameError {
        code: ErrorCode::InvalidField,
        message: format!("bad `{kind}` frame: {e}"),
        client_id,
    })?;
    validate(&frame)?;
    Ok(frame)
}

fn validate(frame: &ClientFrame) -> Result<(), FrameError> {
    match frame {
        ClientFrame::SetRole { peer_id, .. }
        | ClientFrame::Remove { peer_id, .. }
        | ClientFrame::Trust { peer_id, .. }
        | ClientFrame::Mute { peer_id } => {
            if !peer_id.is_well_formed() {
                return Err(FrameError::new(
                    ErrorCode::InvalidField,
                    "`peer_id` is not a peer id",
                ));
            }
        }
        ClientFrame::Signal { to, data } => {
            if !to.is_well_formed() {
                return Err(FrameError::new(
                    ErrorCode::InvalidField,
                    "`to` is not a peer id",
                ));
            }
            let size = serde_json::to_string(data)
                .map(|s| s.len())
                .unwrap_or(usize::MAX);
            if size > MAX_SIGNAL_DATA_BYTES {
                return Err(FrameError::new(
                    ErrorCode::TooLarge,
                    format!("signal data is {size} bytes; the limit is {MAX_SIGNAL_DATA_BYTES}"),
                ));
            }
        }
        ClientFrame::Chat { client_id, text } => {
            let chars = text.trim().chars().count();
            if chars == 0 || chars > MAX_CHAT_CHARS {
                return Err(FrameError {
                    code: ErrorCode::InvalidField,
                    message: format!("chat text must be 1–{MAX_CHAT_CHARS} characters"),
                    client_id: Some(*client_id),
                });
            }
        }
        ClientFrame::History { limit, .. } => check_limit(*limit, MAX_HISTORY_LIMIT)?,
        ClientFrame::Search { q, limit } => {
            let chars = q.trim().chars().count();
            if chars == 0 || chars > MAX_SEARCH_CHARS {
                return Err(FrameError::new(
                    ErrorCode::InvalidField,
                    format!("search text must be 1–{MAX_SEARCH_CHARS} characters"),
                ));
            }
            check_limit(*limit, MAX_SEARCH_LIMIT)?;
        }
        ClientFrame::Auth { token } => {
            if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
                return Err(FrameError::new(ErrorCode::InvalidField, "bad `token`"));
            }
        }
        ClientFrame::Admit { peer_ids } | ClientFrame::Deny { peer_ids } => {
            if peer_ids.is_empty() || peer_ids.len() > LOBBY_CAPACITY {
                return Err(FrameError::new(
                    ErrorCode::InvalidField,
                    format!("`peer_ids` must name 1–{LOBBY_CAPACITY} people"),
                ));
            }
            if !peer_ids.iter().all(crate::PeerId::is_well_formed) {
                return Err(FrameError::new(
                    ErrorCode::InvalidField,
                    "`peer_ids` holds something that is not a peer id",
                ));
            }
        }
        ClientFrame::SetAccess {
            locked,
            capacity,
            history,
            lobby,
        } => {
            if locked.is_none() && capacity.is_none() && history.is_none() && lobby.is_none() {
                return Err(FrameError::new(
                    ErrorCode::InvalidField,
                    "`set_access` needs `locked`, `capacity`, `history` or `lobby`",
                ));
            }
            if let Some(capacity) = capacity {
                let most = MAX_ROOM_CAPACITY as u32;
                if !(MIN_ROOM_CAPACITY..=most).contains(capacity) {
                    return Err(FrameError::new(
                        ErrorCode::InvalidField,
                        format!("`capacity` must be {MIN_ROOM_CAPACITY}–{most}"),
                    ));
                }
            }
        }
        ClientFrame::Media { .. }
        | ClientFrame::EndForAll {}
        | ClientFrame::Hand { .. }
        | ClientFrame::React { .. }
        | ClientFrame::Join {}
        | ClientFrame::Ping {} => {}
    }
    Ok(())
}

fn check_limit(limit: Option<u32>, max: u32) -> Result<(), FrameError> {
    match limit {
        Some(n) if n == 0 || n > max => Err(FrameError::new(
            ErrorCode::InvalidField,
            format!("`limit` must be 1–{max}"),
        )),
        _ => Ok(()),
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}
