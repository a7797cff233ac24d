//! The room socket opened ahead of the click on Join: once the pre-join page holds a call
//! token, it connects (`?standby=1`: nobody sees it, the room tells it nothing), so the click
//! only sends `join` on it instead of waiting for a connection (TCP, TLS, the upgrade). With
//! it, the first peer connection, gathering its ICE candidates meanwhile.

use std::rc::Rc;

use confab_protocol::{ClientFrame, IceResponse, RoomName};
use gloo_timers::callback::Interval;
use leptos::prelude::*;

use web_sys::RtcPeerConnection;

use super::room_model::RoomModel;
use crate::call::peer_connection_ahead;
use crate::signaling::{Arrival, Socket, SocketEvent};

/// How often a socket opened ahead pings while the person looks at their preview, so that no
/// proxy on the way takes it for idle (the room answers pings without waking).
const KEEPALIVE_MS: u32 = 30_000;

/// A socket opened ahead, with the token it carries, and a peer connection made ahead.
pub(super) struct Ahead {
    socket: Rc<Socket>,
    token: String,
    spare: Option<RtcPeerConnection>,
    _keepalive: Interval,
}

impl Drop for Ahead {
    fn drop(&mut self) {
        // (The socket closes itself when dropped before it joined.)
        if let Some(pc) = self.spare.take() {
            pc.close();
        }
    }
}

impl RoomModel {
    /// Opens the socket ahead for `room` with `token` and makes a peer connection with `ice`,
    /// unless a socket with that token is open or opening already; one with another token is
    /// closed.
    pub(super) fn open_ahead(self, room: &RoomName, token: &str, ice: &IceResponse) {
        let current = self.devices.ahead.with_value(|ahead| {
            ahead
                .as_ref()
                .is_some_and(|a| a.token == token && !a.socket.is_done())
        });
        if current {
            return;
        }
        self.devices.ahead.set_value(None);
        // A socket that closes before the click is let go of: the click then connects.
        let model = self;
        let on_event = Rc::new(move |event: SocketEvent| {
            if let SocketEvent::Closed { .. } = event {
                model.devices.ahead.try_update_value(|ahead| {
                    if ahead.as_ref().is_some_and(|a| a.socket.is_done()) {
                        *ahead = None;
                    }
                });
            }
        });
        let Ok(socket) = Socket::connect(room.as_str(), token, Arrival::Ahead, on_event) else {
            return;
        };
        let socket = Rc::new(socket);
        let pinged = Rc::downgrade(&socket);
        let keepalive = Interval::new(KEEPALIVE_MS, move || {
            if let Some(socket) = pinged.upgrade() {
                socket.send(&ClientFrame::Ping {});
            }
        });
        self.devices.ahead.set_value(Some(Ahead {
            socket,
            token: token.to_owned(),
            spare: peer_connection_ahead(ice),
            _keepalive: keepalive,
        }));
    }

    /// The socket and peer connection made ahead, for a call that uses `token`; closed when
    /// the socket carries another.
    pub(super) fn take_ahead(self, token: &str) -> (Option<Socket>, Option<RtcPeerConnection>) {
        let Some(mut ahead) = self.devices.ahead.try_update_value(Option::take).flatten() else {
            return (None, None);
        };
        if ahead.token != token {
            return (None, None);
        }
        let spare = ahead.spare.take();
        let socket = Rc::clone(&ahead.socket);
        drop(ahead);
        let socket = Rc::into_inner(socket).filter(|s| !s.is_done());
        (socket, spare)
    }
}
