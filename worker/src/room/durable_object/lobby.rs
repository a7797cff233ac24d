//! The Room object's side of the lobby: holding a newcomer's socket, telling hosts and
//! co-hosts who waits, letting people in (the same socket gets its `welcome`) or turning them
//! away, and trusted members ([`ModerationStore`] keeps them by user id).

use confab_protocol::{close_code, ErrorCode, FrameError, PeerId, ServerFrame};
use worker::{Result, WebSocket};

use super::{attachment, Door, Room};
use crate::room::lobby::{self, admittable, let_in, waiting_list};
use crate::room::{self, Attachment, ModerationStore};
use crate::sql::durable_object::DoSql;

impl Room {
    /// Accepts a newcomer the lobby holds: it hears `lobby` and nothing else of the room; the
    /// hosts see it in the list.
    pub(super) fn hold(&self, door: Door<'_>, waiter: Attachment) -> Result<()> {
        let peer_id = waiter.member.peer_id.clone();
        let room = waiter
            .waiting
            .as_ref()
            .map(|w| w.room.clone())
            .unwrap_or_default();
        door.accept(&self.state, Some(&peer_id));
        door.socket().serialize_attachment(&waiter)?;
        let _ = door
            .socket()
            .send_with_str(ServerFrame::Lobby { peer_id, room }.to_json());
        self.waiting_changed();
        Ok(())
    }

    /// The sockets the lobby holds (not closed).
    pub(super) fn waiters(&self) -> Vec<Attachment> {
        self.state
            .get_websockets()
            .iter()
            .filter_map(attachment)
            .filter(|a| !a.closing && a.waiting.is_some())
            .collect()
    }

    fn waiting_frame(&self, gone: Option<&PeerId>) -> ServerFrame {
        let waiters = self
            .waiters()
            .into_iter()
            .filter(|a| Some(&a.member.peer_id) != gone);
        ServerFrame::Waiting {
            waiting: waiting_list(waiters),
        }
    }

    /// Every host and co-host present gets the lobby's list as it is now.
    pub(super) fn waiting_changed(&self) {
        self.waiting_changed_without(None);
    }

    /// Like [`Room::waiting_changed`], just after `gone`'s socket closed on its own (the
    /// runtime still lists it until the close handler returns).
    pub(super) fn waiting_changed_without(&self, gone: Option<&PeerId>) {
        let text = self.waiting_frame(gone).to_json();
        for socket in self.state.get_websockets() {
            let moderates = attachment(&socket)
                .is_some_and(|a| !a.closing && a.waiting.is_none() && a.member.role.moderates());
            if moderates {
                let _ = socket.send_with_str(&text);
            }
        }
    }

    /// A host or co-host who just came in (or became one) sees who waits, if anyone does.
    pub(super) fn tell_waiting(&self, ws: &WebSocket) {
        let frame = self.waiting_frame(None);
        if matches!(&frame, ServerFrame::Waiting { waiting } if !waiting.is_empty()) {
            let _ = ws.send_with_str(frame.to_json());
        }
    }

    /// Lets in the waiting people `peers` names, as many as the room has room for: each gets
    /// its `welcome` on the socket it waited on and the members hear `peer_joined`. `ws` (the
    /// host) is told how many did not fit.
    pub(super) fn admit(&self, ws: &WebSocket, peers: &[PeerId]) {
        let db = DoSql::new(self.state.storage());
        let meeting = match self
            .chat(&db)
            .and_then(|_| ModerationStore::new(&db).meeting())
        {
            Ok(meeting) => meeting,
            Err(error) => return self.failed(ws, "letting people in", error),
        };
        let capacity = self.limited(meeting.access).capacity as usize;
        let (chosen, left) = admittable(
            peers,
            &self.waiters(),
            self.members().len(),
            capacity,
            crate::env::now_ms() / 1000,
        );
        for waiter in chosen {
            let peer_id = waiter.member.peer_id.clone();
            let Some(socket) = self.state.get_websockets_with_tag(peer_id.as_str()).pop() else {
                continue;
            };
            let room_name = waiter
                .waiting
                .as_ref()
                .map(|w| w.room.clone())
                .unwrap_or_default();
            let member = let_in(waiter);
            let others = self.members().into_iter().map(|a| a.member).collect();
            if socket.serialize_attachment(&member).is_err() {
                continue;
            }
            self.note_admission(&member.member.user_id, meeting);
            let history = self.welcome_history(&member.member.user_id);
            let now = self.room_now(meeting.access, &peer_id);
            let (welcome, joined) = room::join(&room_name, &member.member, others, history, now);
            let _ = socket.send_with_str(welcome.to_json());
            self.broadcast_except(&peer_id, &joined);
        }
        if left > 0 {
            let full = FrameError::new(
                ErrorCode::RoomFull,
                format!("the room is full: {left} could not come in and are still waiting"),
            );
            let _ = ws.send_with_str(full.to_frame().to_json());
        }
        self.waiting_changed();
    }

    /// Turns away the waiting people `peers` names: `denied`, then close 4413.
    pub(super) fn deny(&self, peers: &[PeerId]) {
        let told = lobby::denied().to_frame().to_json();
        for peer in peers {
            for socket in self.state.get_websockets_with_tag(peer.as_str()) {
                let Some(mut held) = attachment(&socket) else {
                    continue;
                };
                if held.closing || held.waiting.is_none() {
                    continue;
                }
                held.closing = true;
                let _ = socket.serialize_attachment(&held);
                let _ = socket.send_with_str(&told);
                let _ = socket.close(Some(close_code::DENIED), Some("not let in"));
                self.guards.borrow_mut().remove(peer.as_str());
            }
        }
        self.waiting_changed();
    }

    /// Stores whether `user_id` is trusted and puts it in each place they hold, announced to
    /// everyone.
    pub(super) fn trust(&self, ws: &WebSocket, user_id: &str, trusted: bool) {
        let db = DoSql::new(self.state.storage());
        let stored = self
            .chat(&db)
            .and_then(|_| ModerationStore::new(&db).set_trusted(user_id, trusted));
        if let Err(error) = stored {
            return self.failed(ws, "the trust", error);
        }
        for socket in self.state.get_websockets() {
            let Some(mut held) = attachment(&socket) else {
                continue;
            };
            if held.closing || held.waiting.is_some() || held.member.user_id != user_id {
                continue;
            }
            if held.member.trusted == trusted {
                continue;
            }
            held.member.trusted = trusted;
            let _ = socket.serialize_attachment(&held);
            self.broadcast(&ServerFrame::Trusted {
                peer_id: held.member.peer_id.clone(),
                trusted,
            });
        }
    }
}
