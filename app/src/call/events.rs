//! What the call engine tells whoever started it.

use confab_protocol::{ChatMessage, MediaState, Member, PeerId, RoomAccess, ServerFrame, Waiter};
use web_sys::MediaStream;

use super::peer::ice_servers::RelayStatus;
use super::peer::quality::QualityReport;
use super::peer::restart::TileState;
use super::status::Ending;

pub enum CallEvent {
    /// A welcome: on first join and after every reconnect.
    Joined {
        me: Member,
        peers: Vec<Member>,
        history: Vec<ChatMessage>,
        access: RoomAccess,
        /// The most people a room may hold here (the top of the capacity menu).
        room_limit: u32,
        /// On the SFU, the cameras to pull at once besides a pinned one.
        last_n: u32,
    },
    /// The room's lobby holds me (instead of a welcome, also after a reconnect): a host has
    /// to let me in (a welcome follows) or turns me away (an [`CallEvent::Ended`]).
    Lobby {
        room: String,
    },
    /// Who waits in the lobby now, oldest first (to hosts and co-hosts).
    Waiting(Vec<Waiter>),
    /// A host marked this person trusted (they skip the lobby) or not.
    Trusted(PeerId, bool),
    PeerJoined(Member),
    PeerLeft(PeerId),
    RemoteStream(PeerId, MediaStream),
    /// The stream their shared screen arrives on (shown while their media says `screen`).
    RemoteScreen(PeerId, MediaStream),
    PeerMedia(PeerId, MediaState),
    /// Someone's hand (mine too) went up at this time (unix ms, the room's clock), or down.
    Hand(PeerId, Option<i64>),
    /// Someone's role (mine too) changed.
    Role(PeerId, confab_protocol::Role),
    /// A host or co-host (this peer) turned my microphone off.
    Muted(PeerId),
    /// Who may come in changed (locked, capacity, lobby).
    Access(RoomAccess),
    /// Someone (me too) reacted.
    Reaction(PeerId, confab_protocol::Reaction),
    /// How the link to a peer is doing, when that changes.
    PeerLink(PeerId, TileState),
    /// Connection quality to a peer (RTT, loss, bitrate, relayed) changed.
    PeerQuality(PeerId, QualityReport),
    /// Whether the ICE servers include a TURN relay, and whether calls can connect without
    /// one (on join and on every refresh).
    Relay(RelayStatus),
    /// Chat, history pages, search results, and error frames (the chat store matches them).
    Chat(ServerFrame),
    Notice(crate::i18n::Said),
    /// The socket dropped and every peer connection with it; retry `attempt` in `delay_ms`.
    Reconnecting {
        attempt: u32,
        delay_ms: u32,
    },
    /// The call is over for good (the socket closed for a reason a reconnect cannot mend, or
    /// the session behind it ended).
    Ended(Ending),
    /// The room admits only signed-in people and refused us (a guest); the call is over.
    SignInRequired,
}
