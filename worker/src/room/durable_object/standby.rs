//! The Room object's side of sockets opened ahead of the click on Join (`?standby=1`, rules in
//! [`crate::room::standby`]): kept aside, told nothing, until `join` runs the admission on them.

use confab_protocol::{close_code, ErrorCode, FrameError, PeerId};
use worker::{Result, State, WebSocket, WebSocketIncomingMessage};

use super::{MemberHeader, Room};
use crate::env::now_ms;
use crate::room::standby::{self, may_stand_by, Standby, Step};
use crate::room::ConnGuard;

/// WebSocket's "try again later": not one of the room's final closes, so a page reconnects.
const TRY_AGAIN_LATER: u16 = 1013;

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
    /// when the room already keeps as many as it may, in all or for this person (1013: its
    /// page connects on the click instead). Standby sockets whose token ran out are closed
    /// now (4401): nobody renews theirs.
    pub(super) fn stand_by(
        &self,
        ws: &WebSocket,
        member: MemberHeader,
        peer_id: PeerId,
    ) -> Result<()> {
        let now_s = now_ms() / 1000;
        let mut standing = Vec::new();
        for socket in self.state.get_websockets() {
            let Some(standby) = standing_by(&socket) else {
                continue;
            };
            if standby::expired(standby.standby_token_exp, now_s) {
                self.close_standby(
                    &socket,
                    &standby,
                    close_code::TOKEN_EXPIRED,
                    "token expired",
                );
            } else {
                standing.push((standby.who.identity.user_id, standby.standby_token_exp));
            }
        }
        let standing = standing.iter().map(|(user, exp)| (user.as_str(), *exp));
        if !may_stand_by(standing, &member.identity.user_id, now_s) {
            let error = FrameError::new(
                ErrorCode::RoomFull,
                "too many pages are about to join this room; connect when joining",
            );
            self.refuse(
                Door::Upgrade(ws),
                &error,
                TRY_AGAIN_LATER,
                "try again later",
            );
            return Ok(());
        }
        self.state
            .accept_websocket_with_tags(ws, &[peer_id.as_str()]);
        ws.serialize_attachment(&Standby {
            standby_peer_id: peer_id,
            standby_token_exp: member.token_exp,
            standby_since_ms: now_ms(),
            who: member,
        })
    }

    /// Closes a standby socket: it stands by no more (another frame from it is not read as
    /// one), and its flood control goes.
    pub(super) fn close_standby(
        &self,
        ws: &WebSocket,
        standby: &Standby<MemberHeader>,
        code: u16,
        reason: &str,
    ) {
        self.guards
            .borrow_mut()
            .remove(standby.standby_peer_id.as_str());
        let _ = ws.serialize_attachment(());
        let _ = ws.close(Some(code), Some(reason));
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
                    self.close_standby(ws, &standby, code, reason);
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
