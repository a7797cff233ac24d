//! The frames of an arrival and a departure: a newcomer's welcome (with what it tells of the
//! room) and what everyone else hears.

use confab_protocol::{ChatMessage, MediaRoute, Member, RoomAccess, ServerFrame};

/// What a welcome tells of the room beyond its people and its chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomNow {
    pub access: RoomAccess,
    pub route: MediaRoute,
    /// The deployment's most people per room.
    pub room_limit: u32,
    /// On the SFU, the cameras a page pulls at once besides a pinned one.
    pub last_n: u32,
}

/// Frames for a newcomer: its welcome (with the latest chat page), and the announcement for
/// everyone else.
pub fn join(
    room: &str,
    newcomer: &Member,
    others: Vec<Member>,
    history: Vec<ChatMessage>,
    now: RoomNow,
) -> (ServerFrame, ServerFrame) {
    let welcome = ServerFrame::Welcome {
        peer_id: newcomer.peer_id.clone(),
        room: room.to_owned(),
        you: newcomer.clone(),
        peers: others,
        history,
        access: now.access,
        route: now.route,
        room_limit: now.room_limit,
        last_n: now.last_n,
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
