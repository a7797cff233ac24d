//! Which SFU session and which tracks belong to whom in one room.
//!
//! The SFU lets anyone who knows a session id and a track name pull that track. Ids leak (a
//! browser's console, a screenshot), so the worker pulls only on a person's behalf, and only
//! what this registry allows: a track announced in this room by someone still in it, from the
//! session the room recorded for them. Everything a person announced goes when they leave.

use std::collections::BTreeMap;

use confab_protocol::PeerId;
use serde::{Deserialize, Serialize};

/// Longest track name a person may announce (names like `camera`, `mic`, `screen`).
pub const MAX_TRACK_NAME: usize = 64;
/// Most tracks one person may announce: camera, microphone, screen and its sound, with room to
/// spare, and a bound on what one person can make the room remember.
pub const MAX_TRACKS_PER_PERSON: usize = 8;

/// Longest SFU session id accepted.
pub const MAX_SESSION_ID: usize = 128;

/// SFU session ids are opaque (Cloudflare's are long hex strings; the local stand-in mints
/// the same): letters, digits, `-` and `_`, at most [`MAX_SESSION_ID`], nothing that could
/// change the path of an API call made with it.
pub fn is_session_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_SESSION_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// Letters, digits, `-`, `_` and `.`, at most [`MAX_TRACK_NAME`].
pub fn is_track_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_TRACK_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// One person's SFU session and the tracks they pushed into it (kept on their `Member`).
pub use confab_protocol::SfuPush as Pusher;

/// Why a request about the SFU is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackRefusal {
    #[error("not an SFU session id")]
    BadSessionId,
    #[error("a track name is letters, digits, '-', '_' or '.', at most {MAX_TRACK_NAME}")]
    BadTrackName,
    #[error("you have no SFU session in this room yet")]
    NoSession,
    #[error("that session is someone else's")]
    NotYourSession,
    #[error("at most {MAX_TRACKS_PER_PERSON} tracks per person")]
    TooManyTracks,
    #[error("no one in this room offers that track")]
    UnknownTrack,
    #[error("a request pushes tracks or pulls them, not both")]
    Mixed,
}

/// The SFU sessions and tracks of the people in one room.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackRegistry {
    pushers: BTreeMap<PeerId, Pusher>,
}

impl TrackRegistry {
    /// The registry of the people present, from what each one's socket keeps.
    pub fn from_pushers(pushers: impl IntoIterator<Item = (PeerId, Pusher)>) -> TrackRegistry {
        TrackRegistry {
            pushers: pushers.into_iter().collect(),
        }
    }

    /// What `peer` has here, to keep with their socket.
    pub fn pusher(&self, peer: &PeerId) -> Option<&Pusher> {
        self.pushers.get(peer)
    }

    /// Records `peer`'s new SFU session (a reconnect's new session replaces the old one and
    /// what was pushed into it). Refused when another person already holds that session.
    pub fn open_session(&mut self, peer: &PeerId, session_id: &str) -> Result<(), TrackRefusal> {
        if !is_session_id(session_id) {
            return Err(TrackRefusal::BadSessionId);
        }
        if self.owner_of(session_id).is_some_and(|owner| owner != peer) {
            return Err(TrackRefusal::NotYourSession);
        }
        self.pushers.insert(
            peer.clone(),
            Pusher {
                session_id: session_id.to_owned(),
                tracks: Vec::new(),
            },
        );
        Ok(())
    }

    /// `peer` pushed `track` into their session: others in the room may now pull it.
    pub fn announce(&mut self, peer: &PeerId, track: &str) -> Result<(), TrackRefusal> {
        if !is_track_name(track) {
            return Err(TrackRefusal::BadTrackName);
        }
        let pusher = self.pushers.get_mut(peer).ok_or(TrackRefusal::NoSession)?;
        if pusher.tracks.iter().any(|t| t == track) {
            return Ok(());
        }
        if pusher.tracks.len() >= MAX_TRACKS_PER_PERSON {
            return Err(TrackRefusal::TooManyTracks);
        }
        pusher.tracks.push(track.to_owned());
        Ok(())
    }

    /// `peer` closed `track`: nobody may pull it any more.
    pub fn withdraw(&mut self, peer: &PeerId, track: &str) {
        if let Some(pusher) = self.pushers.get_mut(peer) {
            pusher.tracks.retain(|t| t != track);
        }
    }

    /// `peer` left the room: their session and tracks go with them.
    pub fn forget(&mut self, peer: &PeerId) -> Option<Pusher> {
        self.pushers.remove(peer)
    }

    /// May `puller` pull `track` from `session_id`? Both must be people in this room with a
    /// session, the track announced by the session's owner, and not the puller's own.
    pub fn may_pull(
        &self,
        puller: &PeerId,
        session_id: &str,
        track: &str,
    ) -> Result<&PeerId, TrackRefusal> {
        if !is_session_id(session_id) {
            return Err(TrackRefusal::BadSessionId);
        }
        if !is_track_name(track) {
            return Err(TrackRefusal::BadTrackName);
        }
        if !self.pushers.contains_key(puller) {
            return Err(TrackRefusal::NoSession);
        }
        let owner = self
            .owner_of(session_id)
            .filter(|owner| *owner != puller)
            .ok_or(TrackRefusal::UnknownTrack)?;
        let offered = self.pushers[owner].tracks.iter().any(|t| t == track);
        offered.then_some(owner).ok_or(TrackRefusal::UnknownTrack)
    }

    /// `peer`'s SFU session, if they have one here.
    pub fn session_of(&self, peer: &PeerId) -> Option<&str> {
        self.pushers.get(peer).map(|p| p.session_id.as_str())
    }

    fn owner_of(&self, session_id: &str) -> Option<&PeerId> {
        self.pushers
            .iter()
            .find(|(_, pusher)| pusher.session_id == session_id)
            .map(|(peer, _)| peer)
    }
}
