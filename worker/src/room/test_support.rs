//! Fixtures shared by the room's unit tests (`room::tests` and `room::admission::tests`).

use confab_protocol::{MediaState, Member, PeerId, Role};

use super::Attachment;

pub const ALICE: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const BOB: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
pub const GONE: &str = "cccccccccccccccccccccccccccccccc";
/// The tests' clock, in Unix milliseconds.
pub const NOW_MS: i64 = 1_800_000_000_000;
/// When [`alice`]'s access token expires: ten minutes after [`NOW_MS`].
pub const TOKEN_EXP: i64 = NOW_MS / 1000 + 600;

/// A guest member with this peer id, named after its first letter.
pub fn member(peer: &str) -> Member {
    Member {
        peer_id: PeerId(peer.into()),
        user_id: format!("guest:{peer}"),
        name: peer[..1].to_uppercase(),
        guest: true,
        avatar: None,
        media: MediaState::default(),
        hand: None,
        role: Role::Member,
        trusted: false,
        sfu: None,
    }
}

/// Alice's socket: open, its token good until [`TOKEN_EXP`].
pub fn alice() -> Attachment {
    Attachment {
        member: member(ALICE),
        token_exp: TOKEN_EXP,
        heard_ms: 0,
        closing: false,
        waiting: None,
    }
}
