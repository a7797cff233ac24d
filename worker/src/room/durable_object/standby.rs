//! The Room object's side of sockets opened ahead of the click on Join (`?standby=1`, rules in
//! [`crate::room::standby`]): kept aside, told nothing, until `join` runs the admission on them.

use confab_protocol::{close_code, ErrorCode, FrameError, PeerId};
use worker::{Result, State, WebSocket, WebSocketIncomingMessage};

use super::{MemberHeader, Room};
use crate::env::now_ms;
use crate::room::standby::{self, has_room_for_one_more, Standby, Step};
use crate::room::ConnGuard;

/// Where a newcomer's socket comes from.
#[derive(Clone, Copy)]
pub(in crate::room) enum Door<'a> {
    /// A fresh upgrade: the socket is accepted here, once the room has decided.
    Upgrade(&'a WebSocket),
    /// A socket opened ahead that sent `join`: accepted (and tagged with its peer id) already.
    Standby(&'a WebSocket),
}

impl<'a> Door<'a> {
    pub(super) fn socket(self) -> &'a WebSocket {
        match self {
            Door::Upgrade(ws) | Door::Standby(ws) => ws,
        }
    }

    /// Hands the socket to the runtime (hibernation), tagged with its peer id when it gets
    /// one; a standby socket was handed over when it opened.
    pub(super) fn accept(self, state: &State, peer_id: Option<&PeerId>) {
        match (self, peer_id) {
            (Door::Upgrade(ws), Some(peer_id)) => {
                state.accept_websocket_with_tags(ws, &[peer_id.as_str()])
            }
            (Door::Upgrade(ws), None) => state.accept_web_socket(ws),
            (Door::Standby(_), _) => {}
        }
    }
}

/// The standby attachment of `ws`, if it is one.
pub(super) fn standing_by(ws: &WebSocket) -> Option<Standby<MemberHeader>> {
    ws.deserialize_attachment::<Standby<MemberHeader>>()
        .ok()
        .flatten()
}

impl Room {
    /// Keeps a socket opened ahead aside (tagged with the peer id it will have), or closes it
    /// when the room already keeps as many as it may: its page then connects on the click.
    pub(super) fn stand_by(
        &self,
        ws: &WebSocket,
        member: MemberHeader,
        peer_id: PeerId,
    ) -> Result<()> {
        let standing = self
            .state
            .get_websockets()
            .iter()
            .filter(|ws| standing_by(ws).is_some())
            .count();
        if !has_room_for_one_more(standing) {
            let error = FrameError::new(
                ErrorCode::RoomFull,
                "too many pages are about to join this room; connect when joining",
            );
            self.refuse(
                Door::Upgrade(ws),
                &error,
                close_code::ROOM_FULL,
                "room full",
            );
            return Ok(());
        }
        self.state
            .accept_websocket_with_tags(ws, &[peer_id.as_str()]);
        ws.serialize_attachment(&Standby {
            standby_peer_id: peer_id,
            standby_token_exp: member.token_exp,
            who: member,
        })
    }

    /// A frame from a socket opened ahead: `join` lets it in (or not) as an upgrade would.
    pub(super) fn on_standby(
        &self,
        ws: &WebSocket,
        standby: Standby<MemberHeader>,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let now_ms = now_ms();
        let steps = {
            let mut guards = self.guards.borrow_mut();
            let guard = guards
                .entry(standby.standby_peer_id.0.clone())
                .or_insert_with(|| ConnGuard::new(now_ms));
            match message {
                WebSocketIncomingMessage::String(text) => {
                    standby::on_text(guard, &text, standby.standby_token_exp, now_ms)
                }
                WebSocketIncomingMessage::Binary(_) => standby::on_binary(guard),
            }
        };
        for step in steps {
            match step {
                Step::Join => {
                    return self.enter(Door::Standby(ws), standby.who, standby.standby_peer_id);
                }
                Step::Reply(frame) => {
                    let _ = ws.send_with_str(frame.to_json());
                }
                Step::Close { code, reason } => {
                    self.guards
                        .borrow_mut()
                        .remove(standby.standby_peer_id.as_str());
                    let _ = ws.serialize_attachment(());
                    let _ = ws.close(Some(code), Some(reason));
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
