//! When a room moves between the mesh and the SFU. The room (its Durable Object) decides, on
//! each arrival and departure, and tells everyone; no browser decides alone.
//!
//! In `auto`, the room moves to the SFU when [`MediaPolicy::switch_at`] people are in it, and
//! back to the mesh only when it has shrunk to two fewer than that ([`back_to_mesh_at`]): a
//! person reconnecting, or a newcomer who leaves at once, does not bounce everyone between the
//! two.

use confab_protocol::limits::ROOM_CAPACITY;
use confab_protocol::MediaRoute;

use super::config::{MediaMode, MediaPolicy};

/// How many people an `auto` room on the SFU shrinks to before it goes back to the mesh: two
/// below the switch, and at least one.
pub fn back_to_mesh_at(policy: &MediaPolicy) -> usize {
    policy.switch_at.saturating_sub(2).max(1)
}

/// What the room should carry media on with `present` people in it, now on `current`.
pub fn next_media(policy: &MediaPolicy, current: MediaRoute, present: usize) -> MediaRoute {
    match policy.mode {
        MediaMode::Mesh => MediaRoute::Mesh,
        MediaMode::Sfu => MediaRoute::Sfu,
        MediaMode::Auto => match current {
            MediaRoute::Mesh if present >= policy.switch_at => MediaRoute::Sfu,
            MediaRoute::Sfu if present <= back_to_mesh_at(policy) => MediaRoute::Mesh,
            unchanged => unchanged,
        },
    }
}

/// Most people the room admits under `policy`: the mesh's limit unless rooms may use the SFU
/// (an `auto` room at the mesh's limit has moved to the SFU before it gets there).
pub fn capacity(policy: &MediaPolicy) -> usize {
    match policy.mode {
        MediaMode::Mesh => ROOM_CAPACITY,
        MediaMode::Sfu | MediaMode::Auto => policy.sfu_capacity,
    }
}
