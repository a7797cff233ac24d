use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::model::{
    BanPeriod, ChatMessage, HistoryVisibility, MediaRoute, Member, PeerId, Role, RoomAccess,
    SfuPush, Waiter,
};
use crate::reaction::Reaction;

/// Client → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// WebRTC signaling for one peer (`data`: any JSON, relayed untouched to `to` only).
    Signal { to: PeerId, data: Value },
    /// A chat message; `client_id` deduplicates resends.
    Chat { client_id: Uuid, text: String },
    /// A page of chat older than `before_seq` (newest page when absent).
    History {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before_seq: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
    },
    /// Full-text search of the room's chat.
    Search {
        q: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
    },
    /// My media state changed.
    Media {
        audio: bool,
        video: bool,
        screen: bool,
    },
    /// Raise (or lower) my hand. Only ever the sender's own: the room takes whose hand it is
    /// from the socket, never from the frame.
    Hand { raised: bool },
    /// A reaction from me, shown for a moment on my tile; the room limits how often.
    React { reaction: Reaction },
    /// Host only: give the person `peer_id` a role (all their places in the room get it).
    /// `host` hands the room over: they become host and the sender a co-host.
    SetRole { peer_id: PeerId, role: Role },
    /// Host or co-host: take `peer_id` (every place that person holds) out of the room and keep
    /// them out for `ban`. Nobody may remove themselves or the host.
    Remove { peer_id: PeerId, ban: BanPeriod },
    /// Host or co-host: ask `peer_id`'s app to turn their microphone off (it does, and says
    /// who asked; they may turn it on again). Nobody can turn anyone's microphone on.
    Mute { peer_id: PeerId },
    /// Host or co-host: change who may come in. Absent fields stay as they are.
    SetAccess {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        locked: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        capacity: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        history: Option<HistoryVisibility>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lobby: Option<bool>,
    },
    /// Host or co-host: let these people in from the lobby (as many as the room has room for;
    /// the rest keep waiting). Ids no longer waiting are skipped.
    Admit { peer_ids: Vec<PeerId> },
    /// Host or co-host: turn these people away from the lobby (their sockets close with 4413).
    Deny { peer_ids: Vec<PeerId> },
    /// Host or co-host: mark the signed-in person `peer_id` as trusted (they skip the lobby
    /// from now on, by user id) or not.
    Trust { peer_id: PeerId, trusted: bool },
    /// Host only: end the meeting; every socket closes with 4412.
    EndForAll {},
    /// Come in now, on a socket opened ahead with `?standby=1` (see [`crate::STANDBY_QUERY`]):
    /// the room decides as it does at an upgrade and answers `welcome`, `lobby` or an error
    /// and a close. Members' sockets never send it.
    Join {},
    /// Heartbeat; answered with `pong`. A socket the room hears nothing from (no ping, no
    /// frame) for its silence limit (90 s unless configured) is closed with
    /// [`crate::close_code::SILENT`], so clients ping at least every 30 s.
    Ping {},
    /// A fresh access token for the same user, sent before the current one expires.
    Auth { token: String },
}

/// Server → client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Always the first frame: who I am, who is here, the latest chat page.
    Welcome {
        peer_id: PeerId,
        room: String,
        you: Member,
        peers: Vec<Member>,
        history: Vec<ChatMessage>,
        /// Who may come in now (absent from servers before hosts: open).
        #[serde(default)]
        access: RoomAccess,
        /// How the room carries media now (absent from servers before the SFU: mesh).
        #[serde(default)]
        route: MediaRoute,
        /// The most people a room may hold on this deployment: the top of a host's
        /// capacity choices (absent from servers before the SFU: the mesh's 8).
        #[serde(default = "mesh_limit")]
        room_limit: u32,
        /// On the SFU, the cameras a page pulls at once besides a pinned one, the latest
        /// speakers' (absent from servers before it: [`crate::limits::LAST_N`]).
        #[serde(default = "default_last_n")]
        last_n: u32,
    },
    PeerJoined {
        peer: Member,
    },
    PeerLeft {
        peer_id: PeerId,
    },
    /// Signaling from `from` (stamped by the server).
    Signal {
        from: PeerId,
        data: Value,
    },
    /// A new chat message; the sender's own copy is its ack.
    Chat {
        message: ChatMessage,
    },
    History {
        messages: Vec<ChatMessage>,
        has_more: bool,
    },
    SearchResults {
        q: String,
        messages: Vec<ChatMessage>,
    },
    Media {
        peer_id: PeerId,
        audio: bool,
        video: bool,
        screen: bool,
    },
    /// `peer_id` raised their hand at `raised_at` (unix ms, the room's clock), or lowered it
    /// (absent). Sent to everyone, the raiser too.
    Hand {
        peer_id: PeerId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        raised_at: Option<i64>,
    },
    /// `peer_id` reacted (sent to everyone, the sender too; never stored).
    Reaction {
        peer_id: PeerId,
        reaction: Reaction,
    },
    /// `peer_id`'s role is now `role` (sent to everyone, them too).
    Role {
        peer_id: PeerId,
        role: Role,
    },
    /// A host or co-host (`by`) turned my microphone off; sent to that one place only.
    Muted {
        by: PeerId,
    },
    /// Who may come in changed (sent to everyone).
    Access {
        access: RoomAccess,
    },
    /// Instead of `welcome`, to a newcomer the room's lobby holds: they wait until a host lets
    /// them in (then `welcome` follows on the same socket) or turns them away (`denied`, 4413).
    /// Nothing else of the room reaches a waiting socket.
    Lobby {
        peer_id: PeerId,
        room: String,
    },
    /// Who waits in the lobby now, oldest first; to hosts and co-hosts, whenever it changes
    /// and right after they come in or become one.
    Waiting {
        waiting: Vec<Waiter>,
    },
    /// A host marked `peer_id` as trusted (they skip the lobby) or not; to everyone.
    Trusted {
        peer_id: PeerId,
        trusted: bool,
    },
    /// The room moved its media to `route` (the SFU when it grew, the mesh when it shrank
    /// well below that); to everyone. Each browser follows: nobody decides alone.
    Route {
        route: MediaRoute,
    },
    /// What `peer_id` pushes into the SFU now (`None`: nothing); to everyone else. The welcome's
    /// members carry the same for those already in.
    SfuTracks {
        peer_id: PeerId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sfu: Option<Box<SfuPush>>,
    },
    Pong {},
    /// A frame was refused; the connection stays open unless followed by a close.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<Uuid>,
    },
}

/// What a welcome without `room_limit` means: a server from before the SFU, a mesh.
fn mesh_limit() -> u32 {
    crate::limits::ROOM_CAPACITY as u32
}

fn default_last_n() -> u32 {
    crate::limits::LAST_N
}

/// Machine-readable reasons in `error` frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadJson,
    UnknownType,
    TooLarge,
    UnknownPeer,
    RateLimited,
    InvalidField,
    BinaryFrame,
    RoomFull,
    /// The room admits only signed-in people; a guest's socket is closed with 4403.
    SignInRequired,
    Unauthorized,
    /// Only a host (or co-host) may do that; nothing changed.
    Forbidden,
    /// One person may hold two places in a room at once; the third socket is closed with 4429.
    SeatLimit,
    /// A host removed this person; they may not come back yet (closed with 4411).
    Removed,
    /// The room is locked: nobody new comes in (closed with 4423).
    Locked,
    /// A host turned this person away from the lobby (closed with 4413).
    Denied,
    Unsupported,
    Internal,
}

impl ServerFrame {
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        ServerFrame::Error {
            code,
            message: message.into(),
            client_id: None,
        }
    }

    pub fn to_json(&self) -> String {
        // Serializing these plain data types cannot fail (no maps with non-string keys).
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{\"type\":\"error\"}"))
    }
}

impl ClientFrame {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{\"type\":\"ping\"}"))
    }
}
