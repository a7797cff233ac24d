//! What the worker's room routes tell the room's object about the caller they verified.

use confab_protocol::PeerId;
use serde::{Deserialize, Serialize};

use crate::token::Identity;

/// Identity a room route has verified, passed to the DO on its internal request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberHeader {
    pub room: String,
    pub identity: Identity,
    pub token_exp: i64,
    /// The newcomer's own previous socket in this room (`?replaces=`), which it has given up on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<PeerId>,
    /// Opened ahead of the click on Join (`?standby=1`): kept aside until it sends `join`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub standby: bool,
}

impl MemberHeader {
    pub const NAME: &'static str = "x-confab-member";

    /// A member of `room` for an HTTP call (not a socket: nothing replaced, no standby).
    pub fn calling(room: &str, identity: Identity, token_exp: i64) -> MemberHeader {
        MemberHeader {
            room: room.to_owned(),
            identity,
            token_exp,
            replaces: None,
            standby: false,
        }
    }
}
