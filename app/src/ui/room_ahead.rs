//! The room socket opened ahead of the click on Join: once the pre-join page holds a call
//! token, it connects (`?standby=1`: nobody sees it, the room tells it nothing), so the click
//! only sends `join` on it instead of waiting for a connection (TCP, TLS, the upgrade). With
//! it, the first peer connection, gathering its ICE candidates meanwhile, and once the camera
//! and microphone are open, its offer (see `call::peer::ahead`).

use std::rc::Rc;

use confab_protocol::{ClientFrame, IceResponse, RoomName};
use gloo_timers::callback::Interval;
use leptos::prelude::*;

use web_sys::RtcPeerConnection;

use super::room_model::RoomModel;
use crate::call::{make_offer_ahead, peer_connection_ahead};
use crate::signaling::{Arrival, Socket, SocketEvent};

/// How often a socket opened ahead pings while the person looks at their preview, so that no
/// proxy on the way takes it for idle (the room answers pings without waking).
const KEEPALIVE_MS: u32 = 30_000;

/// A socket opened ahead, with the token it carries, and a peer connection made ahead.
pub(super) struct Ahead {
    socket: Rc<Socket>,
    token: String,
    spare: Option<RtcPeerConnection>,
    /// Whether `spare` carries an offer made ahead.
    spare_offer: bool,
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
            spare_offer: false,
            _keepalive: keepalive,
        }));
    }

    /// Makes the spare's offer, sending the pre-join page's camera and microphone: once
    /// they are open, before the click.
    pub(super) fn offer_ahead(self) {
        let local = self.local.get_untracked();
        self.devices.ahead.update_value(|ahead| {
            let Some(ahead) = ahead.as_mut().filter(|a| !a.spare_offer) else {
                return;
            };
            if let Some(spare) = &ahead.spare {
                make_offer_ahead(spare, local.as_ref());
                ahead.spare_offer = true;
            }
        });
    }

    /// The socket and peer connection made ahead, for a call that uses `token` (closed when
    /// the socket carries another), and whether that connection carries an offer.
    pub(super) fn take_ahead(
        self,
        token: &str,
    ) -> (Option<Socket>, Option<RtcPeerConnection>, bool) {
        let Some(mut ahead) = self.devices.ahead.try_update_value(Option::take).flatten() else {
            return (None, None, false);
        };
        if ahead.token != token {
            return (None, None, false);
        }
        let spare = ahead.spare.take();
        let spare_offer = ahead.spare_offer;
        let socket = Rc::clone(&ahead.socket);
        drop(ahead);
        let socket = Rc::into_inner(socket).filter(|s| !s.is_done());
        (socket, spare, spare_offer)
    }
}
