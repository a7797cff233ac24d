//! Room logic in plain Rust: admission ([`admission`]), frame routing, chat and abuse limits.
//! The Durable Object glue (`durable_object`) turns sockets into [`Member`]s, calls these
//! functions and carries out the decisions and [`Action`]s they return, so every decision here
//! is unit-tested on the host. `routes` holds the room's HTTP routes, [`upgrade`] the rules for
//! its WebSocket upgrade.

pub mod admission;
mod arrival;
pub use arrival::{join, leave, RoomNow};
#[cfg(target_arch = "wasm32")]
pub mod durable_object;
mod guard;
mod host_frames;
pub mod hosts;
pub mod lobby;
pub mod moderation;
pub mod route_store;
#[cfg(target_arch = "wasm32")]
pub mod routes;
pub mod settings;
pub mod standby;
pub mod sweep;
pub mod upgrade;

pub use guard::{ConnGuard, TokenBucket, Verdict};
pub use hosts::{RoleChange, RoleStore};
pub use moderation::ModerationStore;
pub use settings::{admit_identity, RoomSettings, SettingsConflict, SettingsStore};

use confab_protocol::{
    close_code, decode_client_frame, limits, relay, BanPeriod, ClientFrame, ErrorCode, FrameError,
    Member, PeerId, ServerFrame,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chat::{
    Author, ChatStore, Posted, Retention, DEFAULT_HISTORY_LIMIT, DEFAULT_SEARCH_LIMIT,
};
use crate::sql::{Sql, StoreError};

/// Identity and state of one socket, stored in its hibernation attachment (≤ 16 KiB).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub member: Member,
    /// Unix seconds at which the socket's access token expires.
    pub token_exp: i64,
    /// Unix milliseconds of its arrival or of a frame from it, rewritten at most every
    /// [`sweep::HEARD_REFRESH_MS`] (pings are counted by the runtime, not here).
    #[serde(default)]
    pub heard_ms: i64,
    /// The server has closed this socket: it is no longer a member, even before the client
    /// answers the close (a client that never answers must not hold a place in the room).
    #[serde(default)]
    pub closing: bool,
    /// The lobby holds this socket: it is not a member (not counted, told nothing of the
    /// room) until a host lets it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<lobby::Waiting>,
}

/// What the glue must do in response to an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send to the socket the event came from.
    Reply(ServerFrame),
    /// Send to one other peer in the room.
    SendTo(PeerId, ServerFrame),
    /// Send this frame, already written, to one other peer (a relayed signal).
    Relay { to: PeerId, text: String },
    /// Send to everyone in the room except the sender.
    BroadcastOthers(ServerFrame),
    /// Replace the sender's attachment (media state or token expiry changed).
    UpdateAttachment(Attachment),
    /// Verify this token; if it is good and names the same user, extend the session.
    VerifyToken(String),
    /// Close the sender's socket.
    Close { code: u16, reason: &'static str },
    /// Store these roles, put them in each of those users' attachments and announce them to
    /// everyone with `role` frames.
    SetRoles(Vec<RoleChange>),
    /// Ban this person for `period` and close every place they hold with 4411.
    Remove { user_id: String, period: BanPeriod },
    /// Change the room's lock, size or history visibility and tell everyone if it changed.
    ChangeAccess(moderation::AccessChange),
    /// End the meeting: a new one starts, and every socket closes with 4412.
    EndForAll,
    /// Let these waiting people in (as many as fit; the sender hears of the rest).
    Admit(Vec<PeerId>),
    /// Turn these waiting people away (error `denied`, close 4413).
    Deny(Vec<PeerId>),
    /// Store whether this signed-in person is trusted and announce it for each place they hold.
    Trust { user_id: String, trusted: bool },
    /// Run this against the room's chat storage and carry out [`on_chat`]'s actions.
    Chat(ChatRequest),
    /// Something failed on our side: log it (the sender has been told `internal`).
    LogError(String),
}

/// A chat frame that passed validation and limits, for the storage-backed half of the room.
#[derive(Debug, Clone, PartialEq, Eq)]
/// `after_seq`: the sender sees only messages after it (the room's history visibility; 0: all).
pub enum ChatRequest {
    Post {
        client_id: Uuid,
        text: String,
    },
    History {
        before_seq: Option<u64>,
        limit: u32,
        after_seq: u64,
    },
    Search {
        q: String,
        limit: u32,
        after_seq: u64,
    },
}

/// Everything the room knows when a text frame arrives.
pub struct Incoming<'a> {
    pub sender: &'a Attachment,
    /// The connected member of this room a peer id names, if any.
    pub member_of: &'a dyn Fn(&PeerId) -> Option<Member>,
    /// The last message the sender may not see (their room's history visibility); asked only
    /// for history and search.
    pub hidden_through: &'a dyn Fn() -> u64,
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
    // Most frames are signaling: read once, relayed with their data as it came.
    if sender.waiting.is_none() {
        if let Some(signal) = relay::read_signal(text) {
            if signal.to == sender.member.peer_id || (incoming.member_of)(&signal.to).is_none() {
                return refuse(guard, FrameError::unknown_peer(&signal.to));
            }
            let text = relay::relayed_signal(&sender.member.peer_id, signal.data);
            return vec![Action::Relay {
                to: signal.to,
                text,
            }];
        }
    }
    let frame = match decode_client_frame(text) {
        Ok(frame) => frame,
        Err(error) => return refuse(guard, error),
    };
    if sender.waiting.is_some() {
        if let Some(refused) = lobby::on_waiting_frame(&frame) {
            // Not a strike: a page may send its media state a moment before it learns it waits.
            return vec![Action::Reply(refused.to_frame())];
        }
    }
    match frame {
        ClientFrame::Ping {} => vec![Action::Reply(ServerFrame::Pong {})],
        // Only a socket opened ahead sends it (`standby`); the glue routes those elsewhere.
        ClientFrame::Join {} => refuse(
            guard,
            FrameError::new(ErrorCode::Forbidden, "this socket is in the room already"),
        ),
        ClientFrame::Signal { to, data } => {
            if to == sender.member.peer_id || (incoming.member_of)(&to).is_none() {
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
        ClientFrame::Hand { raised } => on_hand(sender, raised, incoming.now_ms),
        ClientFrame::SetRole { peer_id, role } => {
            let Some(target) = (incoming.member_of)(&peer_id) else {
                return refuse(guard, FrameError::unknown_peer(&peer_id));
            };
            match hosts::set_role(&sender.member, &target, role) {
                Ok(changes) if changes.is_empty() => Vec::new(),
                Ok(changes) => vec![Action::SetRoles(changes)],
                // Not a strike: a co-host demoted a moment ago may still see host controls.
                Err(refused) => vec![Action::Reply(refused.to_frame())],
            }
        }
        ClientFrame::Remove { .. }
        | ClientFrame::Mute { .. }
        | ClientFrame::SetAccess { .. }
        | ClientFrame::Admit { .. }
        | ClientFrame::Deny { .. }
        | ClientFrame::Trust { .. }
        | ClientFrame::EndForAll {} => host_frames::on_moderation(incoming, guard, frame),
        ClientFrame::React { reaction } => {
            if !guard.admit_reaction(incoming.now_ms) {
                return vec![Action::Reply(
                    FrameError::new(
                        ErrorCode::RateLimited,
                        format!(
                            "more than {} reactions in a row; one a second after that",
                            ConnGuard::REACTION_BURST
                        ),
                    )
                    .to_frame(),
                )];
            }
            let frame = ServerFrame::Reaction {
                peer_id: sender.member.peer_id.clone(),
                reaction,
            };
            vec![Action::Reply(frame.clone()), Action::BroadcastOthers(frame)]
        }
        ClientFrame::Auth { token } => vec![Action::VerifyToken(token)],
        ClientFrame::Chat { client_id, text } => {
            if !guard.admit_chat(incoming.now_ms) {
                // Not a strike: a person typing fast or an outbox flushing is not abuse.
                let mut error = FrameError::new(
                    ErrorCode::RateLimited,
                    format!(
                        "more than {} chat messages a second; resend this one in a moment",
                        ConnGuard::CHATS_PER_SECOND
                    ),
                );
                error.client_id = Some(client_id);
                return vec![Action::Reply(error.to_frame())];
            }
            vec![Action::Chat(ChatRequest::Post { client_id, text })]
        }
        ClientFrame::History { before_seq, limit } => {
            let limit = limit.unwrap_or(DEFAULT_HISTORY_LIMIT);
            if !guard.admit_lookup(limit, incoming.now_ms) {
                return vec![lookup_refused()];
            }
            vec![Action::Chat(ChatRequest::History {
                before_seq,
                limit,
                after_seq: (incoming.hidden_through)(),
            })]
        }
        ClientFrame::Search { q, limit } => {
            let limit = limit.unwrap_or(DEFAULT_SEARCH_LIMIT);
            if !guard.admit_lookup(limit, incoming.now_ms) {
                return vec![lookup_refused()];
            }
            vec![Action::Chat(ChatRequest::Search {
                q,
                limit,
                after_seq: (incoming.hidden_through)(),
            })]
        }
    }
}

/// A history or search lookup over the budget ([`ConnGuard::LOOKUP_ROWS_PER_SECOND`]): not a
/// strike (scrolling back fast is not abuse); the app shows it and may ask again.
fn lookup_refused() -> Action {
    Action::Reply(
        FrameError::new(
            ErrorCode::RateLimited,
            format!(
                "too many chat messages looked up at once; {} a second after that",
                ConnGuard::LOOKUP_ROWS_PER_SECOND
            ),
        )
        .to_frame(),
    )
}

/// The sender's own hand goes up (keeping its place if it already was) or down; everyone hears
/// of a change, the sender too (their copy carries the room's time). Nothing changes, nothing
/// is sent.
fn on_hand(sender: &Attachment, raised: bool, now_ms: i64) -> Vec<Action> {
    let hand = match (raised, sender.member.hand) {
        (true, Some(_)) | (false, None) => return Vec::new(),
        (true, None) => Some(now_ms),
        (false, Some(_)) => None,
    };
    let mut updated = sender.clone();
    updated.member.hand = hand;
    let frame = ServerFrame::Hand {
        peer_id: sender.member.peer_id.clone(),
        raised_at: hand,
    };
    vec![
        Action::UpdateAttachment(updated),
        Action::Reply(frame.clone()),
        Action::BroadcastOthers(frame),
    ]
}

/// Carries out a chat request against the room's (migrated) chat storage. A new message goes
/// to everyone: the sender's copy is its ack. A resend of a known `client_id` returns the
/// original to the sender alone. Storage failures answer `internal` to the sender only.
pub fn on_chat<S: Sql>(
    store: &ChatStore<'_, S>,
    sender: &Member,
    request: ChatRequest,
    now_ms: i64,
    retention: &Retention,
) -> Vec<Action> {
    match request {
        ChatRequest::Post { client_id, text } => {
            let author = Author {
                user_id: sender.user_id.clone(),
                name: sender.name.clone(),
            };
            match store.post(&author, client_id, &text, now_ms, retention) {
                Ok(Posted::New(message)) => vec![
                    Action::Reply(ServerFrame::Chat {
                        message: message.clone(),
                    }),
                    Action::BroadcastOthers(ServerFrame::Chat { message }),
                ],
                Ok(Posted::Duplicate(message)) => {
                    vec![Action::Reply(ServerFrame::Chat { message })]
                }
                Err(error) => storage_failed("storing a chat message", Some(client_id), error),
            }
        }
        ChatRequest::History {
            before_seq,
            limit,
            after_seq,
        } => match store.history_after(after_seq, before_seq, limit) {
            Ok(page) => vec![Action::Reply(ServerFrame::History {
                messages: page.messages,
                has_more: page.has_more,
            })],
            Err(error) => storage_failed("reading chat history", None, error),
        },
        ChatRequest::Search {
            q,
            limit,
            after_seq,
        } => match store.search_after(after_seq, &q, limit) {
            Ok(messages) => vec![Action::Reply(ServerFrame::SearchResults { q, messages })],
            Err(error) => storage_failed("searching chat", None, error),
        },
    }
}

/// The answer when chat storage cannot be opened or migrated at all.
pub fn chat_unavailable(request: &ChatRequest, error: StoreError) -> Vec<Action> {
    let client_id = match request {
        ChatRequest::Post { client_id, .. } => Some(*client_id),
        _ => None,
    };
    storage_failed("opening chat storage", client_id, error)
}

fn storage_failed(doing: &str, client_id: Option<Uuid>, error: StoreError) -> Vec<Action> {
    vec![
        Action::Reply(ServerFrame::Error {
            code: ErrorCode::Internal,
            message: format!("{doing} failed on the server; try again"),
            client_id,
        }),
        Action::LogError(format!("{doing}: {error}")),
    ]
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
    if let Some((code, reason)) = guard.strike_out() {
        actions.push(Action::Close { code, reason });
    }
    actions
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
