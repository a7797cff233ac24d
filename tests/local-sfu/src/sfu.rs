//! The SFU itself, sans I/O: sessions (one `str0m::Rtc` each, ICE-lite, one shared UDP
//! address), the API operations on them, and forwarding. The network loop feeds it datagrams
//! and the time, and sends what [`Sfu::poll`] returns.
//!
//! A session is one browser's peer connection. Pushing answers the browser's offer; pulling
//! adds send-only media to the session and makes the SFU's offer, which the browser answers
//! through `renegotiate`. Each pulled track carries one layer of the pushed one: the layer
//! asked for (`preferredRid`) when the pusher sends it, else the best the pusher sends
//! (Cloudflare's "asciibetical" order: `a` before `b`, `f` before `h` before `q`). Keyframe
//! requests from a puller go to the pusher for the layer forwarded, and a puller gets video
//! from a keyframe on (when it starts, and when its layer changes); losses are repaired inside
//! str0m (NACK and RTX), per hop.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::time::Instant;

use str0m::change::SdpPendingOffer;
use str0m::media::{MediaKind, Mid, Rid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

mod forwarding;
mod negotiation;

use crate::api::{ApiError, NewSessionResponse};

/// A datagram to send.
#[derive(Debug)]
pub struct Datagram {
    pub destination: SocketAddr,
    pub contents: Vec<u8>,
}

/// A track a session pushes.
struct Pushed {
    mid: Mid,
    kind: MediaKind,
    /// The simulcast layers seen so far, by name (none for a single layer).
    rids: BTreeMap<String, Rid>,
}

/// A track a session pulls, on one of its send-only mids.
struct Pulled {
    from: String,
    track: String,
    preferred: Option<Rid>,
    /// The layer last forwarded, so a change asks the pusher for a keyframe.
    forwarding: Option<Rid>,
    /// Whether the puller has had a keyframe of the layer forwarded. Until then its video
    /// frames are held back (the browser could not decode them and would wait for one) and
    /// the pusher is asked for a keyframe, as a real SFU does for a new subscriber.
    keyframed: bool,
    /// When a keyframe was last asked for on the puller's behalf.
    keyframe_asked: Option<Instant>,
    /// When the pull was asked for, for the log.
    since: Instant,
    /// Whether the log said already that the pusher's codec is not the puller's.
    unmatched_logged: bool,
    /// Frames that could not be written to the puller: the log names the 1st, 2nd, 4th, 8th…
    /// so a broken session cannot flood it.
    write_errors: u64,
}

struct Session {
    rtc: Rtc,
    /// The SFU's offer (for pulled tracks) until the browser answers it.
    pending: Option<SdpPendingOffer>,
    pushed: HashMap<String, Pushed>,
    pulled: HashMap<Mid, Pulled>,
    /// Tracks pulled so far, closed ones too: each pull's track id is new (a track pulled
    /// again must not repeat the `a=msid` its closed section still carries, which Chromium
    /// refuses: "Duplicate a=msid lines detected").
    pulls_made: u64,
}

impl Session {
    fn track_at(&self, mid: Mid) -> Option<&str> {
        self.pushed
            .iter()
            .find(|(_, p)| p.mid == mid)
            .map(|(name, _)| name.as_str())
    }
}

pub struct Sfu {
    /// Where browsers send media: the one host candidate of every session.
    address: SocketAddr,
    sessions: HashMap<String, Session>,
    /// See [`Sfu::repeating_track_ids`].
    repeat_track_ids: bool,
}

impl Sfu {
    pub fn new(address: SocketAddr) -> Sfu {
        Sfu {
            address,
            sessions: HashMap::new(),
            repeat_track_ids: false,
        }
    }

    /// Every pull of a track carries the track's name as its id, so a camera pulled again
    /// repeats the `a=msid` of its closed section (this stand-in's old bug, and what Cloudflare
    /// may do: not known here). Chromium refuses such an offer; with this switch the tests
    /// show what a page does when it cannot apply the SFU's offer.
    pub fn repeating_track_ids(mut self) -> Sfu {
        self.repeat_track_ids = true;
        self
    }

    pub fn sessions(&self) -> usize {
        self.sessions.len()
    }

    pub fn new_session(&mut self, now: Instant) -> Result<NewSessionResponse, ApiError> {
        let mut rtc = Rtc::builder().set_ice_lite(true).build(now);
        let candidate = Candidate::host(self.address, "udp")
            .map_err(|e| ApiError::new(500, "internal_error", e.to_string()))?;
        rtc.add_local_candidate(candidate);
        let id = uuid::Uuid::new_v4().simple().to_string();
        self.sessions.insert(
            id.clone(),
            Session {
                rtc,
                pending: None,
                pushed: HashMap::new(),
                pulled: HashMap::new(),
                pulls_made: 0,
            },
        );
        Ok(NewSessionResponse { session_id: id })
    }

    fn session(&mut self, id: &str) -> Result<&mut Session, ApiError> {
        self.sessions
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found(format!("no session {id}")))
    }

    /// A datagram for the SFU's address, to the session it belongs to.
    pub fn handle_receive(
        &mut self,
        now: Instant,
        source: SocketAddr,
        destination: SocketAddr,
        contents: &[u8],
    ) {
        let Ok(contents) = contents.try_into() else {
            return; // neither STUN, DTLS nor RTP: nobody's
        };
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source,
                destination,
                contents,
            },
        );
        if let Some((id, session)) = self
            .sessions
            .iter_mut()
            .find(|(_, s)| s.rtc.accepts(&input))
        {
            if let Err(error) = session.rtc.handle_input(input) {
                end(id, session, &error);
            }
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        for (id, session) in &mut self.sessions {
            if let Err(error) = session.rtc.handle_input(Input::Timeout(now)) {
                end(id, session, &error);
            }
        }
    }

    /// Everything the sessions have to send, their events handled (media forwarded), and when
    /// to call [`Sfu::handle_timeout`] next. Sessions that died are dropped.
    pub fn poll(&mut self) -> (Vec<Datagram>, Option<Instant>) {
        let mut out = Vec::new();
        loop {
            let mut next = None::<Instant>;
            let mut events = Vec::new();
            for (id, session) in &mut self.sessions {
                loop {
                    match session.rtc.poll_output() {
                        Ok(Output::Timeout(at)) => {
                            next = Some(next.map_or(at, |n| n.min(at)));
                            break;
                        }
                        Ok(Output::Transmit(t)) => out.push(Datagram {
                            destination: t.destination,
                            contents: t.contents.to_vec(),
                        }),
                        Ok(Output::Event(event)) => events.push((id.clone(), event)),
                        Err(error) => {
                            end(id, session, &error);
                            break;
                        }
                    }
                }
            }
            self.sessions.retain(|_, s| s.rtc.is_alive());
            if events.is_empty() {
                return (out, next);
            }
            for (id, event) in events {
                match event {
                    Event::MediaData(data) => self.forward(&id, data),
                    Event::KeyframeRequest(request) => self.ask_keyframe(&id, request),
                    _ => {}
                }
            }
        }
    }
}

/// A session whose connection failed: it ends (the browser makes a new one), and the log says
/// why, for reading a failed trial.
fn end(id: &str, session: &mut Session, error: &str0m::RtcError) {
    log!("session {id} ended: {error}");
    session.rtc.disconnect();
}
