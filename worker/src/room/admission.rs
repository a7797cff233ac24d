//! Who may join a room, decided in plain Rust. The Durable Object gathers the facts of a
//! socket asking to join ([`Knock`]), calls [`decide`] and carries out the [`Decision`]: close
//! the newcomer's own ghost with 4410, then either accept the socket with the newcomer's
//! attachment or accept it only to send the refusal and close it.
//!
//! The checks, in order:
//! 1. A guest in a room that requires sign-in is refused (4403 `sign_in_required`). The room's
//!    settings are read only for a guest; when they cannot be read the guest is refused (1011)
//!    rather than let in on a guess.
//! 2. `?replaces=` naming a present, not-closing socket of the same user: that ghost is closed
//!    with 4410 and keeps no place. Anyone else's peer, an unknown one or one already gone is
//!    not touched.
//! 3. A person a host removed, while their ban holds, is refused (4411 `removed`).
//! 4. A person who already holds [`limits::SEATS_PER_PERSON`] places (other than that ghost) is
//!    refused (4429 `seat_limit`).
//! 5. A locked room refuses newcomers (4423 `locked`); hosts, co-hosts and anyone let in
//!    earlier in this meeting still get in (a reconnect is not a newcomer).
//! 6. A room that is still full (at its own size, at most the mesh's) is refused (4409
//!    `room_full`); so a full room admits a member's own reconnect past its ghost.
//! 7. With the lobby on, a newcomer waits ([`Outcome::Wait`]) unless they are a host,
//!    co-host, trusted member or were let in earlier in this meeting; a full lobby
//!    ([`limits::LOBBY_CAPACITY`]) refuses them (4409 `room_full`).
//!
//! Waiting sockets count towards a person's places (step 4) and can be replaced as ghosts
//! (step 2), but not towards the room's size.
//!
//! The newcomer's role comes from [`hosts::role_on_join`]: kept for their user id, or host of a
//! room nobody owns (the DO then stores the claim).

use confab_protocol::{close_code, limits, ErrorCode, FrameError, Member, PeerId, Role};

use super::hosts;
use super::lobby::Waiting;
use super::moderation::Ban;
use super::settings::{admit_identity, RoomSettings};
use super::Attachment;
use crate::sql::StoreError;
use crate::token::Identity;

/// The close reason a replaced ghost gets (with [`close_code::REPLACED`]).
pub const REPLACED_REASON: &str = "replaced by a new connection";

/// Everything the room knows when a socket asks to join.
#[derive(Debug, Clone)]
pub struct Knock<'a> {
    /// Who is asking, as the route verified it.
    pub identity: Identity,
    /// Unix seconds at which the newcomer's access token expires.
    pub token_exp: i64,
    /// The newcomer's own previous socket (`?replaces=`), which its page has given up on.
    pub replaces: Option<&'a PeerId>,
    /// The room's name.
    pub room: &'a str,
    /// The room's clock (unix ms).
    pub now_ms: i64,
    /// The members present now: sockets with an attachment the server has not closed.
    pub present: Vec<Attachment>,
    /// The people waiting in the lobby now (not closed).
    pub waiting: Vec<Attachment>,
    /// How many members the room holds at most (its hosts' choice, within the deployment's
    /// limit).
    pub capacity: usize,
    /// The peer id the newcomer gets if admitted.
    pub peer_id: PeerId,
    /// The role the room keeps for the newcomer's user id, if any.
    pub stored_role: Option<Role>,
    /// Whether the room has a host (online or not).
    pub room_has_host: bool,
    /// What the room's hosts decided about who comes in.
    pub gate: Gate,
}

/// The room's own rules for this newcomer, as its hosts set them.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    /// The room is locked.
    pub locked: bool,
    /// The newcomer's ban, if it still holds.
    pub ban: Option<Ban>,
    /// The newcomer was let in earlier in this meeting.
    pub been_in: bool,
    /// Newcomers wait in the lobby.
    pub lobby: bool,
    /// A host marked the newcomer as trusted (they skip the lobby).
    pub trusted: bool,
}

/// What to do with a socket that asked to join.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Close this socket of the newcomer's own with 4410 first (it leaves at once).
    pub replaced: Option<PeerId>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Accept the socket with `newcomer` as its attachment; `others` are the members it joins.
    /// `claims_host`: the newcomer is the first in a room nobody owned; store them as its host.
    Admit {
        newcomer: Attachment,
        others: Vec<Member>,
        claims_host: bool,
    },
    /// Accept the socket with `waiter` (a [`Waiting`] attachment), send it `lobby` and tell
    /// the hosts.
    Wait { waiter: Attachment },
    /// Accept the socket without an attachment (so it never counts as a member), send it the
    /// refusal's error frame and close it.
    Refuse(Refusal),
}

/// Why a socket may not join.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// A guest, and the room requires sign-in.
    SignInRequired(FrameError),
    /// A guest, and the room's settings could not be read.
    SettingsUnavailable(StoreError),
    /// The room is full.
    Full(FrameError),
    /// This person holds as many places as one person may.
    Seats(FrameError),
    /// A host removed this person and the ban holds.
    Banned(FrameError),
    /// The room is locked and this person was not in it.
    Locked(FrameError),
}

impl Refusal {
    /// The error frame the socket is sent before it is closed.
    pub fn error(&self) -> FrameError {
        match self {
            Refusal::SignInRequired(error)
            | Refusal::Full(error)
            | Refusal::Seats(error)
            | Refusal::Banned(error)
            | Refusal::Locked(error) => error.clone(),
            Refusal::SettingsUnavailable(_) => FrameError::new(
                ErrorCode::Internal,
                "the room could not be opened; try again",
            ),
        }
    }

    /// The WebSocket close code.
    pub fn close_code(&self) -> u16 {
        match self {
            Refusal::SignInRequired(_) => close_code::FORBIDDEN,
            Refusal::SettingsUnavailable(_) => 1011,
            Refusal::Full(_) => close_code::ROOM_FULL,
            Refusal::Seats(_) => close_code::SEAT_LIMIT,
            Refusal::Banned(_) => close_code::REMOVED,
            Refusal::Locked(_) => close_code::LOCKED,
        }
    }

    /// The WebSocket close reason.
    pub fn close_reason(&self) -> &'static str {
        match self {
            Refusal::SignInRequired(_) => "sign in",
            Refusal::SettingsUnavailable(_) => "try again",
            Refusal::Full(_) => "room is full",
            Refusal::Seats(_) => "already here twice",
            Refusal::Banned(_) => "removed by a host",
            Refusal::Locked(_) => "room is locked",
        }
    }

    /// What to log (our own failures only).
    pub fn log(&self) -> Option<String> {
        match self {
            Refusal::SettingsUnavailable(error) => Some(format!("reading settings: {error}")),
            _ => None,
        }
    }
}

/// Decides whether `knock` may join. `room_settings` reads the room's settings (`None` for a
/// room made by joining it); it is called only when the newcomer is a guest.
pub fn decide(
    knock: Knock<'_>,
    room_settings: impl FnOnce() -> Result<Option<RoomSettings>, StoreError>,
) -> Decision {
    let refuse = |refusal| Decision {
        replaced: None,
        outcome: Outcome::Refuse(refusal),
    };
    if knock.identity.guest {
        match room_settings() {
            Ok(settings) => {
                if let Err(refused) = admit_identity(settings.as_ref(), true) {
                    return refuse(Refusal::SignInRequired(refused));
                }
            }
            Err(error) => return refuse(Refusal::SettingsUnavailable(error)),
        }
    }
    // Only a member's ghost makes the newcomer a returning member; a waiting one's just goes.
    let member_ghost = ghost(&knock.present, knock.replaces, &knock.identity.user_id);
    let returning = knock.gate.been_in || member_ghost.is_some();
    let replaced =
        member_ghost.or_else(|| ghost(&knock.waiting, knock.replaces, &knock.identity.user_id));
    // A waiting page that reconnects keeps its place in the queue.
    let waited_since = knock
        .waiting
        .iter()
        .find(|a| Some(&a.member.peer_id) == replaced.as_ref())
        .and_then(|a| a.waiting.as_ref())
        .map(|w| w.since_ms);
    let not_ghost = |a: &Attachment| Some(&a.member.peer_id) != replaced.as_ref();
    let present: Vec<Attachment> = knock.present.into_iter().filter(not_ghost).collect();
    let waiting: Vec<Attachment> = knock.waiting.into_iter().filter(not_ghost).collect();
    if let Some(ban) = &knock.gate.ban {
        return Decision {
            replaced,
            outcome: Outcome::Refuse(Refusal::Banned(ban.refusal())),
        };
    }
    let seats = present
        .iter()
        .chain(&waiting)
        .filter(|a| a.member.user_id == knock.identity.user_id)
        .count();
    if seats >= limits::SEATS_PER_PERSON {
        return Decision {
            replaced,
            outcome: Outcome::Refuse(Refusal::Seats(FrameError::new(
                ErrorCode::SeatLimit,
                format!(
                    "you are already in this room in {seats} places (tabs or devices); \
                     leave one to join here"
                ),
            ))),
        };
    }
    let (role, claims_host) = hosts::role_on_join(knock.stored_role, knock.room_has_host);
    if knock.gate.locked && !role.moderates() && !returning {
        return Decision {
            replaced,
            outcome: Outcome::Refuse(Refusal::Locked(FrameError::new(
                ErrorCode::Locked,
                "this room is locked; a host has to unlock it before you can join",
            ))),
        };
    }
    if let Err(full) = fits(present.len(), knock.capacity) {
        return Decision {
            replaced,
            outcome: Outcome::Refuse(Refusal::Full(full)),
        };
    }
    let identity = knock.identity;
    let trusted = knock.gate.trusted && !identity.guest;
    let waits = knock.gate.lobby && !role.moderates() && !returning && !trusted;
    if waits && waiting.len() >= limits::LOBBY_CAPACITY {
        return Decision {
            replaced,
            outcome: Outcome::Refuse(Refusal::Full(FrameError::new(
                ErrorCode::RoomFull,
                "too many people are waiting to be let in; try again later",
            ))),
        };
    }
    let newcomer = Attachment {
        member: Member {
            peer_id: knock.peer_id,
            user_id: identity.user_id,
            name: identity.name,
            guest: identity.guest,
            avatar: identity.avatar,
            media: Default::default(),
            hand: None,
            role,
            trusted,
            sfu: None,
        },
        token_exp: knock.token_exp,
        heard_ms: knock.now_ms,
        closing: false,
        waiting: None,
    };
    if waits {
        let waiter = Attachment {
            waiting: Some(Waiting {
                since_ms: waited_since.unwrap_or(knock.now_ms),
                room: knock.room.to_owned(),
            }),
            ..newcomer
        };
        return Decision {
            replaced,
            outcome: Outcome::Wait { waiter },
        };
    }
    Decision {
        replaced,
        outcome: Outcome::Admit {
            newcomer,
            others: present.into_iter().map(|a| a.member).collect(),
            claims_host,
        },
    }
}

/// Whether a newcomer fits in a room of `capacity` that already has `present` members.
pub fn fits(present: usize, capacity: usize) -> Result<(), FrameError> {
    if present >= capacity {
        return Err(FrameError::new(
            ErrorCode::RoomFull,
            format!("room is full ({capacity} people is the limit)"),
        ));
    }
    Ok(())
}

/// The member a newcomer's reconnect replaces: the one its `?replaces=` names, if that peer is
/// still present (not closing) and is the same user. Anyone else's peer, an unknown one or one
/// already gone is not touched (the join goes on normally).
pub fn ghost(present: &[Attachment], replaces: Option<&PeerId>, user_id: &str) -> Option<PeerId> {
    let replaces = replaces?;
    present
        .iter()
        .find(|a| !a.closing && &a.member.peer_id == replaces && a.member.user_id == user_id)
        .map(|a| a.member.peer_id.clone())
}

#[cfg(test)]
mod tests;
