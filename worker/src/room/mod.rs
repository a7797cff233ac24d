//! Room logic in plain Rust: admission, frame routing and abuse limits. The Durable Object glue
//! (`room_do.rs`) turns sockets into [`Member`]s, calls these functions and carries out the
//! [`Action`]s they return, so every decision here is unit-tested on the host.

mod guard;

pub use guard::{ConnGuard, TokenBucket, Verdict};

use confab_protocol::{
    close_code, decode_client_frame, limits, ClientFrame, ErrorCode, FrameError, Member, PeerId,
    ServerFrame,
};
use serde::{Deserialize, Serialize};

/// Identity and state of one socket, stored in its hibernation attachment (≤ 16 KiB).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub member: Member,
    /// Unix seconds at which the socket's access token expires.
    pub token_exp: i64,
    /// The server has closed this socket: it is no longer a member, even before the client
    /// answers the close (a client that never answers must not hold a place in the room).
    #[serde(default)]
    pub closing: bool,
}

/// What the glue must do in response to an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send to the socket the event came from.
    Reply(ServerFrame),
    /// Send to one other peer in the room.
    SendTo(PeerId, ServerFrame),
    /// Send to everyone in the room except the sender.
    BroadcastOthers(ServerFrame),
    /// Replace the sender's attachment (media state or token expiry changed).
    UpdateAttachment(Attachment),
    /// Verify this token; if it is good and names the same user, extend the session.
    VerifyToken(String),
    /// Close the sender's socket.
    Close { code: u16, reason: &'static str },
}

/// Whether a newcomer fits in a room that already has `present` members.
pub fn admit(present: usize) -> Result<(), FrameError> {
    if present >= limits::ROOM_CAPACITY {
        return Err(FrameError::new(
            ErrorCode::RoomFull,
            format!(
                "room is full ({} people is the limit)",
                limits::ROOM_CAPACITY
            ),
        ));
    }
    Ok(())
}

/// Frames for a newcomer: its welcome, and the announcement for everyone else.
pub fn join(room: &str, newcomer: &Member, others: Vec<Member>) -> (ServerFrame, ServerFrame) {
    let welcome = ServerFrame::Welcome {
        peer_id: newcomer.peer_id.clone(),
        room: room.to_owned(),
        you: newcomer.clone(),
        peers: others,
        history: Vec::new(),
    };
    (
        welcome,
        ServerFrame::PeerJoined {
            peer: newcomer.clone(),
        },
    )
}

/// The announcement when a socket goes away.
pub fn leave(member: &Member) -> ServerFrame {
    ServerFrame::PeerLeft {
        peer_id: member.peer_id.clone(),
    }
}

/// Everything the room knows when a text frame arrives.
pub struct Incoming<'a> {
    pub sender: &'a Attachment,
    /// Whether a peer id names a connected member of this room.
    pub is_present: &'a dyn Fn(&PeerId) -> bool,
    pub now_ms: i64,
}

/// Decides what to do with one text frame from `sender`.
pub fn on_text(incoming: &Incoming<'_>, guard: &mut ConnGuard, text: &str) -> Vec<Action> {
    if text.len() > limits::MAX_FRAME_BYTES {
        return vec![
            Action::Reply(ServerFrame::error(
                ErrorCode::TooLarge,
                "frame exceeds 64 KiB",
            )),
            Action::Close {
                code: close_code::TOO_BIG,
                reason: "frame too big",
            },
        ];
    }
    let sender = incoming.sender;
    if incoming.now_ms / 1000 > sender.token_exp {
        return vec![
            Action::Reply(ServerFrame::error(
                ErrorCode::Unauthorized,
                "access token expired",
            )),
            Action::Close {
                code: close_code::TOKEN_EXPIRED,
                reason: "token expired",
            },
        ];
    }
    match guard.admit_frame(incoming.now_ms) {
        Verdict::Allow => {}
        Verdict::Refuse => return vec![Action::Reply(FrameError::rate_limited().to_frame())],
        Verdict::Drop => return Vec::new(),
        Verdict::Close => {
            return vec![Action::Close {
                code: close_code::POLICY_VIOLATION,
                reason: "flood",
            }];
        }
    }
    let frame = match decode_client_frame(text) {
        Ok(frame) => frame,
        Err(error) => return refuse(guard, error),
    };
    match frame {
        ClientFrame::Ping {} => vec![Action::Reply(ServerFrame::Pong {})],
        ClientFrame::Signal { to, data } => {
            if to == sender.member.peer_id || !(incoming.is_present)(&to) {
                return refuse(guard, FrameError::unknown_peer(&to));
            }
            vec![Action::SendTo(
                to,
                ServerFrame::Signal {
                    from: sender.member.peer_id.clone(),
                    data,
                },
            )]
        }
        ClientFrame::Media {
            audio,
            video,
            screen,
        } => {
            let mut updated = sender.clone();
            updated.member.media = confab_protocol::MediaState {
                audio,
                video,
                screen,
            };
            vec![
                Action::UpdateAttachment(updated),
                Action::BroadcastOthers(ServerFrame::Media {
                    peer_id: sender.member.peer_id.clone(),
                    audio,
                    video,
                    screen,
                }),
            ]
        }
        ClientFrame::Auth { token } => vec![Action::VerifyToken(token)],
        ClientFrame::Chat { client_id, .. } => {
            let mut error = FrameError::unsupported("chat");
            error.client_id = Some(client_id);
            refuse(guard, error)
        }
        ClientFrame::History { .. } => refuse(guard, FrameError::unsupported("history")),
        ClientFrame::Search { .. } => refuse(guard, FrameError::unsupported("search")),
    }
}

/// A binary frame is a protocol error; the socket stays open.
pub fn on_binary(guard: &mut ConnGuard) -> Vec<Action> {
    refuse(
        guard,
        FrameError::new(
            ErrorCode::BinaryFrame,
            "binary frames are not part of the protocol",
        ),
    )
}

/// Outcome of an `auth` frame once the glue has verified the token.
pub fn on_token_verified(
    sender: &Attachment,
    verified: Result<(String, i64), String>,
) -> Vec<Action> {
    match verified {
        Ok((user_id, exp)) if user_id == sender.member.user_id => {
            let mut updated = sender.clone();
            updated.token_exp = exp;
            vec![Action::UpdateAttachment(updated)]
        }
        Ok(_) => vec![Action::Reply(ServerFrame::error(
            ErrorCode::Unauthorized,
            "token is for a different user",
        ))],
        Err(reason) => vec![Action::Reply(ServerFrame::error(
            ErrorCode::Unauthorized,
            reason,
        ))],
    }
}

fn refuse(guard: &mut ConnGuard, error: FrameError) -> Vec<Action> {
    let mut actions = vec![Action::Reply(error.to_frame())];
    if guard.strike() {
        actions.push(Action::Close {
            code: close_code::POLICY_VIOLATION,
            reason: "too many bad frames",
        });
    }
    actions
}

#[cfg(test)]
mod tests;
