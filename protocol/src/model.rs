use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Server-generated, unguessable id of one connection in a room. Never reused within a room.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PeerId(pub String);

impl PeerId {
    /// Peer ids are 32 lowercase hex characters (a v4 UUID without dashes).
    pub fn from_uuid(id: Uuid) -> Self {
        PeerId(id.simple().to_string())
    }

    pub fn is_well_formed(&self) -> bool {
        self.0.len() == 32
            && self
                .0
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PeerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a participant is currently sending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaState {
    pub audio: bool,
    pub video: bool,
    pub screen: bool,
}

/// What someone may do in a room. The room's host (who made it, or the first to join a room
/// nobody owned) can make others co-hosts and hand the room over; the room keeps roles by user
/// id, so they outlast a reconnect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Host,
    Cohost,
    #[default]
    Member,
}

impl Role {
    /// Hosts and co-hosts run the meeting (remove, ask to mute, lock, admit).
    pub fn moderates(self) -> bool {
        matches!(self, Role::Host | Role::Cohost)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Host => "host",
            Role::Cohost => "cohost",
            Role::Member => "member",
        }
    }
}

/// How long someone a host removes stays out of the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BanPeriod {
    /// Until the meeting ends: the room empties, or a host ends it for everyone.
    Meeting,
    /// For an hour from the removal.
    Hour,
    Forever,
}

impl BanPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            BanPeriod::Meeting => "meeting",
            BanPeriod::Hour => "hour",
            BanPeriod::Forever => "forever",
        }
    }
}

/// Who may come into a room, set by its hosts. Hosts and co-hosts always get in, and so does
/// anyone already let in during this meeting (a reconnect is not a newcomer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomAccess {
    /// Nobody new gets in; it opens again when the meeting ends.
    pub locked: bool,
    /// Most people in the room at once, [`crate::limits::MIN_ROOM_CAPACITY`] up to the
    /// deployment's limit (the welcome's `room_limit`: [`crate::limits::ROOM_CAPACITY`] for a
    /// mesh, more with an SFU); lowering it sends nobody away.
    pub capacity: u32,
    /// Whose chat history a person may read and search (absent: everyone's, as before).
    #[serde(default)]
    pub history: HistoryVisibility,
    /// Newcomers wait until a host or co-host lets them in (`lobby` / `waiting` frames);
    /// hosts, co-hosts, trusted members and anyone let in earlier in this meeting skip it.
    #[serde(default)]
    pub lobby: bool,
}

impl Default for RoomAccess {
    fn default() -> Self {
        RoomAccess {
            locked: false,
            capacity: crate::limits::MAX_ROOM_CAPACITY as u32,
            history: HistoryVisibility::Everyone,
            lobby: false,
        }
    }
}

/// Which of a room's chat a person sees (history pages, search, the welcome's page).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryVisibility {
    /// All of it, whenever they join.
    #[default]
    Everyone,
    /// Only what was sent after they were first let in.
    SinceJoined,
}

impl HistoryVisibility {
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryVisibility::Everyone => "everyone",
            HistoryVisibility::SinceJoined => "since_joined",
        }
    }
}

/// One participant in a room as everyone else sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub peer_id: PeerId,
    pub user_id: String,
    pub name: String,
    pub guest: bool,
    /// Path of the profile image (`/api/avatars/...`), for signed-in people who have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    pub media: MediaState,
    /// When they raised their hand (unix ms, the room's clock); absent while it is down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hand: Option<i64>,
    /// Their role in this room.
    #[serde(default)]
    pub role: Role,
    /// A host marked this signed-in person as trusted: they skip the room's lobby.
    #[serde(default, skip_serializing_if = "is_false")]
    pub trusted: bool,
    /// Their SFU session and the tracks they push into it, while the room is on the SFU:
    /// what the others pull (through the worker, which checks it against the room). Boxed:
    /// most members of most rooms have none, and frames that carry members stay small.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sfu: Option<Box<SfuPush>>,
}

/// How a room carries media: each camera straight to every other person, or through an SFU
/// (one upload per person). The room decides and says so (`welcome`, `route`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaRoute {
    #[default]
    Mesh,
    Sfu,
}

/// One person's SFU session and the names of the tracks they pushed into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SfuPush {
    pub session_id: String,
    pub tracks: Vec<String>,
}

fn is_false(value: &bool) -> bool {
    !value
}

/// Someone waiting in a room's lobby, as its hosts and co-hosts see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiter {
    pub peer_id: PeerId,
    pub name: String,
    pub guest: bool,
    /// Path of the profile image, for signed-in people who have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

#[cfg(test)]
mod hand_tests {
    use super::{hand_queue, PeerId};

    #[test]
    fn hands_go_in_the_order_raised_and_ties_by_peer_id() {
        let (a, b, c) = (PeerId("a".into()), PeerId("b".into()), PeerId("c".into()));
        let queue = hand_queue([(&c, 5), (&b, 9), (&a, 5)]);
        assert_eq!(queue, vec![a, c, b]);
        assert!(hand_queue([]).is_empty());
    }
}

/// Raised hands in the order they go: first raised first, ties by peer id (the same order
/// on every screen).
pub fn hand_queue<'a>(raised: impl IntoIterator<Item = (&'a PeerId, i64)>) -> Vec<PeerId> {
    let mut hands: Vec<(i64, &PeerId)> = raised.into_iter().map(|(p, at)| (at, p)).collect();
    hands.sort();
    hands.into_iter().map(|(_, peer)| peer.clone()).collect()
}

/// A stored chat message. `seq` is per room, from 1, +1 each; `ts` is unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub seq: u64,
    pub client_id: Uuid,
    pub user_id: String,
    pub name: String,
    pub text: String,
    pub ts: i64,
}
