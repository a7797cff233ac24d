//! Confab wire contract: every type that crosses the network between the app and the worker.
//!
//! Frames are JSON text tagged by `type` in snake_case. Client→server frames are [`ClientFrame`],
//! server→client frames are [`ServerFrame`]. Field rules (sizes, names) live here too so that the
//! app can check input before sending and the worker enforces the same rules on receipt.

mod decode;
mod frames;
pub mod hangul;
mod http;
mod invisible;
mod model;
mod names;
mod reaction;
#[cfg(feature = "relay")]
pub mod relay;
pub mod sfu_api;

pub use decode::{decode_client_frame, FrameError};
pub use frames::{ClientFrame, ErrorCode, ServerFrame};
pub use http::{
    CreateRoomRequest, CreateRoomResponse, GuestRequest, GuestResponse, Health, IceResponse,
    IceServer, IceTransportPolicy, Problem, ProfileUpdate, ProviderInfo, ProvidersResponse,
    RefreshRequest, UserInfo,
};
pub use model::{
    hand_queue, BanPeriod, ChatMessage, HistoryVisibility, MediaRoute, MediaState, Member, PeerId,
    Role, RoomAccess, SfuPush, Waiter,
};
pub use names::{DisplayName, NameError, RoomName};
pub use reaction::Reaction;

/// Subprotocol both sides speak; the server echoes it on upgrade.
pub const SUBPROTOCOL: &str = "confab.v1";
/// Prefix of the subprotocol that carries the access token (browsers cannot set headers on WebSocket).
pub const BEARER_PREFIX: &str = "bearer.";

/// The query of a room socket opened ahead of the click on Join (`/api/rooms/{room}/ws?standby=1`).
/// Such a socket is no member: the room tells it nothing and nobody sees it until it sends
/// [`ClientFrame::Join`]; meanwhile it may only ping. It saves the click the connection's set-up
/// (TCP, TLS, the upgrade and its checks). Never combined with `replaces`.
pub const STANDBY_QUERY: &str = "standby=1";

/// Limits shared by client and server.
pub mod limits {
    /// Largest text frame the server reads; bigger frames close the socket with 1009.
    pub const MAX_FRAME_BYTES: usize = 64 * 1024;
    /// Largest serialized `signal.data` relayed to a peer.
    pub const MAX_SIGNAL_DATA_BYTES: usize = 16 * 1024;
    /// Chat text, in characters after trimming.
    pub const MAX_CHAT_CHARS: usize = 4000;
    pub const MAX_HISTORY_LIMIT: u32 = 100;
    pub const MAX_SEARCH_LIMIT: u32 = 50;
    pub const MAX_SEARCH_CHARS: usize = 200;
    pub const MAX_TOKEN_BYTES: usize = 4096;
    /// Mesh rooms stop here; more people need an SFU.
    pub const ROOM_CAPACITY: usize = 8;
    /// The most people any room may hold, on the SFU (a deployment's own limit, told in the
    /// welcome's `room_limit`, is usually lower).
    pub const MAX_ROOM_CAPACITY: usize = 100;
    /// On the SFU, the cameras a page pulls at once besides a pinned one (last-N: the latest
    /// speakers'), unless the deployment says otherwise in the welcome's `last_n`: a 3 × 3
    /// grid, as Meet and Jitsi show by default.
    pub const LAST_N: u32 = 9;
    /// The smallest room size a host may set: a host and one other.
    pub const MIN_ROOM_CAPACITY: u32 = 2;
    /// Places one person (one user id) may hold in a room at once: two tabs or devices.
    pub const SEATS_PER_PERSON: usize = 2;
    /// People a room's lobby holds at once; more are refused with `room_full`.
    pub const LOBBY_CAPACITY: usize = 20;
    /// Sockets opened ahead ([`crate::STANDBY_QUERY`]) a room keeps at once, at most
    /// [`SEATS_PER_PERSON`] of them one person's; more are closed at once with 1013 (their
    /// pages connect when they join instead).
    pub const STANDBY_CAPACITY: usize = 50;
}

/// WebSocket close codes with meaning in this protocol.
pub mod close_code {
    pub const TOKEN_EXPIRED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const ROOM_FULL: u16 = 4409;
    /// The same person already holds [`crate::limits::SEATS_PER_PERSON`] places in the room
    /// (tabs or devices); one more is refused with `seat_limit`.
    pub const SEAT_LIMIT: u16 = 4429;
    /// The same person reconnected (after a network change, say) and named this socket's peer
    /// id in `?replaces=`: the server closes the old socket, which its page had given up on.
    pub const REPLACED: u16 = 4410;
    /// A host or co-host removed this person (the socket's error frame, if any, says until
    /// when); also the close of a removed person's attempt to come back. The page says so and
    /// does not reconnect.
    pub const REMOVED: u16 = 4411;
    /// The host ended the meeting for everyone.
    pub const ENDED: u16 = 4412;
    /// The room heard nothing from this socket (no ping, no frame) for its silence limit and
    /// took its owner for gone (a laptop shut after its network went). Not final: a page that
    /// is in fact still there reconnects.
    pub const SILENT: u16 = 4408;
    /// The room is locked and this person was not in it (error `locked`).
    pub const LOCKED: u16 = 4423;
    /// A host turned this person away from the room's lobby (error `denied`); they may ask
    /// again.
    pub const DENIED: u16 = 4413;
    pub const TOO_BIG: u16 = 1009;
    pub const POLICY_VIOLATION: u16 = 1008;
}
