//! The Room Durable Object: thin glue between hibernating WebSockets and `room` logic.
//! Per-socket identity lives in the socket attachment and chat in the object's SQLite, so nothing
//! is lost on hibernation; the only in-memory state is flood control, which may safely reset
//! when the room sleeps, and whether this instance has checked the chat schema yet.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use confab_protocol::{close_code, FrameError, PeerId, Role, ServerFrame, SUBPROTOCOL};
use worker::{
    durable_object, DurableObject, Env, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair,
};

use crate::chat::{ChatStore, Retention, DEFAULT_HISTORY_LIMIT};
use crate::env::{config, now, now_ms, retention, silent_socket_ms};
use crate::room::admission::{self, Knock, Outcome};
use crate::room::{
    self, Action, Attachment, ConnGuard, Incoming, RoleChange, RoomSettings, SettingsStore,
};
use crate::sql::durable_object::DoSql;
use crate::sql::StoreError;

mod member_header;
pub use member_header::MemberHeader;

mod lobby;
mod moderation;
mod requests;
mod roles;
mod route;
mod sfu;
mod standby;
mod sweep;

use standby::Door;

#[durable_object]
pub struct Room {
    state: State,
    env: Env,
    guards: RefCell<HashMap<String, ConnGuard>>,
    /// The chat schema is known to be current (migrations run once per instance, lazily).
    schema_ready: Cell<bool>,
    retention: Retention,
    /// How long a socket may stay silent before the sweep takes it for a ghost.
    silent_ms: i64,
}

impl DurableObject for Room {
    fn new(state: State, env: Env) -> Self {
        // Heartbeats are answered by the runtime without waking the object.
        if let Ok(pair) = worker::worker_sys::WebSocketRequestResponsePair::new(
            r#"{"type":"ping"}"#,
            r#"{"type":"pong"}"#,
        ) {
            state.set_websocket_auto_response(&pair);
        }
        let retention = retention(&env);
        let silent_ms = silent_socket_ms(&env);
        Room {
            state,
            env,
            guards: RefCell::new(HashMap::new()),
            schema_ready: Cell::new(false),
            retention,
            silent_ms,
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let header = req.headers().get(MemberHeader::NAME)?.unwrap_or_default();
        let Ok(member) = serde_json::from_str::<MemberHeader>(&header) else {
            return Response::error("bad internal request", 400);
        };
        match req.path().as_str() {
            "/seed" => return self.seed(req, member).await,
            "/settings" => return self.create_settings(req, member).await,
            "/sfu" => return self.sfu(req, member).await,
            _ => {}
        }
        let pair = WebSocketPair::new()?;
        let peer_id = PeerId::from_uuid(uuid::Uuid::new_v4());
        if member.standby {
            self.stand_by(&pair.server, member, peer_id)?;
        } else {
            self.enter(Door::Upgrade(&pair.server), member, peer_id)?;
        }
        self.arm_sweep().await;
        upgraded(pair.client)
    }

    async fn alarm(&self) -> Result<Response> {
        self.sweep().await;
        Response::ok("swept")
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let Some(mut sender) = attachment(&ws) else {
            if let Some(standby) = standby::standing_by(&ws) {
                return self.on_standby(&ws, standby, message);
            }
            let _ = ws.close(Some(1011), Some("lost session state"));
            return Ok(());
        };
        let now_ms = now_ms();
        if room::sweep::refresh_heard(sender.heard_ms, now_ms) {
            sender.heard_ms = now_ms;
            let _ = ws.serialize_attachment(&sender);
        }
        let actions = {
            let mut guards = self.guards.borrow_mut();
            let guard = guards
                .entry(sender.member.peer_id.0.clone())
                .or_insert_with(|| ConnGuard::new(now_ms));
            match message {
                WebSocketIncomingMessage::String(text) => {
                    let member_of = |peer: &PeerId| {
                        self.state
                            .get_websockets_with_tag(peer.as_str())
                            .iter()
                            .filter_map(attachment)
                            .find(|a| !a.closing && a.waiting.is_none())
                            .map(|a| a.member)
                    };
                    room::on_text(
                        &Incoming {
                            sender: &sender,
                            member_of: &member_of,
                            hidden_through: &|| self.hidden_through(&sender.member.user_id),
                            now_ms,
                        },
                        guard,
                        &text,
                    )
                }
                WebSocketIncomingMessage::Binary(_) => room::on_binary(guard),
            }
        };
        self.execute(&ws, &sender, actions);
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        self.departed(&ws);
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        self.departed(&ws);
        Ok(())
    }
}

impl Room {
    /// A newcomer at the door: the room decides (admission) and the socket is let in (its
    /// `welcome`), held in the lobby or refused. `peer_id` is what it will be called.
    pub(super) fn enter(
        &self,
        door: Door<'_>,
        member: MemberHeader,
        peer_id: PeerId,
    ) -> Result<()> {
        let (stored_role, room_has_host) = self.role_facts(&member.identity.user_id);
        let present = self.members();
        let now_ms = now_ms();
        let (meeting, gate) = match self.gate(&member.identity.user_id, present.is_empty()) {
            Ok(facts) => facts,
            Err(error) => {
                // Never let a banned person in on a guess.
                worker::console_error!("room: reading who may come in: {error}");
                let error = FrameError::new(
                    confab_protocol::ErrorCode::Internal,
                    "the room could not be opened; try again",
                );
                self.refuse(door, &error, 1011, "try again");
                return Ok(());
            }
        };
        let knock = Knock {
            identity: member.identity,
            token_exp: member.token_exp,
            replaces: member.replaces.as_ref(),
            room: &member.room,
            now_ms,
            present,
            waiting: self.waiters(),
            capacity: self.limited(meeting.access).capacity as usize,
            peer_id,
            stored_role,
            room_has_host,
            gate,
        };
        let decision = admission::decide(knock, || self.settings());
        // A reconnect past its own dead socket: that ghost leaves now and keeps no place.
        if let Some(ghost) = &decision.replaced {
            for ws in self.state.get_websockets_with_tag(ghost.as_str()) {
                self.close_member(&ws, close_code::REPLACED, admission::REPLACED_REASON);
            }
        }
        let (newcomer, others) = match decision.outcome {
            Outcome::Admit {
                newcomer,
                others,
                claims_host,
            } => {
                if claims_host {
                    self.store_roles(&[RoleChange {
                        user_id: newcomer.member.user_id.clone(),
                        role: Role::Host,
                    }]);
                }
                self.note_admission(&newcomer.member.user_id, meeting);
                (newcomer, others)
            }
            Outcome::Wait { waiter } => return self.hold(door, waiter),
            Outcome::Refuse(refusal) => {
                if let Some(message) = refusal.log() {
                    worker::console_error!("room: {message}");
                }
                self.refuse(
                    door,
                    &refusal.error(),
                    refusal.close_code(),
                    refusal.close_reason(),
                );
                return Ok(());
            }
        };
        let peer_id = newcomer.member.peer_id.clone();
        door.accept(&self.state, Some(&peer_id));
        door.socket().serialize_attachment(&newcomer)?;
        let history = self.welcome_history(&newcomer.member.user_id);
        let now = self.room_now(meeting.access, &peer_id);
        let (welcome, joined) = room::join(&member.room, &newcomer.member, others, history, now);
        let _ = door.socket().send_with_str(welcome.to_json());
        self.broadcast_except(&peer_id, &joined);
        if newcomer.member.role.moderates() {
            self.tell_waiting(door.socket());
        }
        Ok(())
    }

    fn execute(&self, ws: &WebSocket, sender: &Attachment, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Reply(frame) => {
                    let _ = ws.send_with_str(frame.to_json());
                }
                Action::SendTo(peer, frame) => {
                    for socket in self.state.get_websockets_with_tag(peer.as_str()) {
                        let _ = socket.send_with_str(frame.to_json());
                    }
                }
                Action::Relay { to, text } => {
                    for socket in self.state.get_websockets_with_tag(to.as_str()) {
                        let _ = socket.send_with_str(&text);
                    }
                }
                Action::BroadcastOthers(frame) => {
                    self.broadcast_except(&sender.member.peer_id, &frame)
                }
                Action::UpdateAttachment(updated) => {
                    let _ = ws.serialize_attachment(&updated);
                }
                Action::VerifyToken(token) => {
                    let verified = match config(&self.env) {
                        Ok(config) => config
                            .keys
                            .verify_session(&token, now())
                            .map(|(identity, exp)| (identity.user_id, exp))
                            .map_err(|e| e.to_string()),
                        Err(_) => Err("server cannot verify tokens".to_owned()),
                    };
                    self.execute(ws, sender, room::on_token_verified(sender, verified));
                }
                Action::Close { code, reason } => self.close_member(ws, code, reason),
                Action::SetRoles(changes) => {
                    if self.store_roles(&changes) {
                        self.announce_roles(&changes);
                    } else {
                        let _ = ws.send_with_str(
                            ServerFrame::error(
                                confab_protocol::ErrorCode::Internal,
                                "the role could not be saved; try again",
                            )
                            .to_json(),
                        );
                    }
                }
                Action::Remove { user_id, period } => self.remove(ws, &user_id, period),
                Action::ChangeAccess(change) => self.change_access(ws, change),
                Action::EndForAll => self.end_for_all(ws),
                Action::Admit(peers) => self.admit(ws, &peers),
                Action::Deny(peers) => self.deny(&peers),
                Action::Trust { user_id, trusted } => self.trust(ws, &user_id, trusted),
                Action::Chat(request) => {
                    let db = DoSql::new(self.state.storage());
                    let actions = match self.chat(&db) {
                        Ok(store) => room::on_chat(
                            &store,
                            &sender.member,
                            request,
                            now_ms(),
                            &self.retention,
                        ),
                        Err(error) => room::chat_unavailable(&request, error),
                    };
                    self.execute(ws, sender, actions);
                }
                Action::LogError(message) => worker::console_error!("room: {message}"),
            }
        }
    }

    /// A socket that may not join, told why and closed at once. One from an upgrade is
    /// accepted without an attachment (so never counted as a member); a standby one stands by
    /// no more (another `join` from it must not knock again).
    fn refuse(&self, door: Door<'_>, error: &FrameError, code: u16, reason: &str) {
        door.accept(&self.state, None);
        let socket = door.socket();
        let _ = socket.send_with_str(error.to_frame().to_json());
        match standby::standing_by(socket).filter(|_| matches!(door, Door::Standby(_))) {
            Some(standby) => self.close_standby(socket, &standby, code, reason),
            None => {
                let _ = socket.close(Some(code), Some(reason));
            }
        }
    }

    /// The room's settings (`None` for a room made by joining it).
    fn settings(&self) -> std::result::Result<Option<RoomSettings>, StoreError> {
        let db = DoSql::new(self.state.storage());
        self.chat(&db)?;
        SettingsStore::new(&db).get()
    }

    /// The room's chat, its schema brought up to date on first use by this instance.
    pub(super) fn chat<'a>(
        &self,
        db: &'a DoSql,
    ) -> std::result::Result<ChatStore<'a, DoSql>, StoreError> {
        let store = ChatStore::new(db);
        if !self.schema_ready.get() {
            store.migrate()?;
            self.schema_ready.set(true);
        }
        Ok(store)
    }

    /// The latest chat page for a newcomer; a storage failure is logged and the join goes on.
    fn welcome_history(&self, user_id: &str) -> Vec<confab_protocol::ChatMessage> {
        let hidden = self.hidden_through(user_id);
        let db = DoSql::new(self.state.storage());
        match self
            .chat(&db)
            .and_then(|store| store.history_after(hidden, None, DEFAULT_HISTORY_LIMIT))
        {
            Ok(page) => page.messages,
            Err(error) => {
                worker::console_error!("room: reading chat for a welcome: {error}");
                Vec::new()
            }
        }
    }

    /// Members are open sockets with an identity that the server has not closed and the
    /// lobby does not hold.
    pub(super) fn members(&self) -> Vec<Attachment> {
        self.state
            .get_websockets()
            .iter()
            .filter_map(attachment)
            .filter(|a| !a.closing && a.waiting.is_none())
            .collect()
    }

    /// Server-side close: the peer leaves now, not when (or if) its client answers.
    pub(super) fn close_member(&self, ws: &WebSocket, code: u16, reason: &str) {
        let Some(mut gone) = attachment(ws).filter(|a| !a.closing) else {
            let _ = ws.close(Some(code), Some(reason));
            return;
        };
        gone.closing = true;
        let _ = ws.serialize_attachment(&gone);
        let _ = ws.close(Some(code), Some(reason));
        self.guards
            .borrow_mut()
            .remove(gone.member.peer_id.as_str());
        self.gone(&gone);
    }

    /// After `gone` left: the members hear of it, or the hosts see the lobby without them.
    fn gone(&self, gone: &Attachment) {
        if gone.waiting.is_some() {
            self.waiting_changed_without(Some(&gone.member.peer_id));
            return;
        }
        self.broadcast_except(&gone.member.peer_id, &room::leave(&gone.member));
        self.note_departure(&gone.member.peer_id);
        self.reroute(route::Change::Left(&gone.member.peer_id));
    }

    /// Sends to every member (never to a socket the lobby holds).
    pub(super) fn broadcast(&self, frame: &ServerFrame) {
        let text = frame.to_json();
        for socket in self.state.get_websockets() {
            if hears_the_room(&socket) {
                let _ = socket.send_with_str(&text);
            }
        }
    }

    pub(super) fn broadcast_except(&self, except: &PeerId, frame: &ServerFrame) {
        let text = frame.to_json();
        for socket in self.state.get_websockets() {
            let theirs = self
                .state
                .get_tags(&socket)
                .iter()
                .any(|tag| tag == except.as_str());
            if !theirs && hears_the_room(&socket) {
                let _ = socket.send_with_str(&text);
            }
        }
    }

    fn departed(&self, ws: &WebSocket) {
        // Complete the closing handshake; harmless if the socket is already closed.
        let _ = ws.close(Some(1000), Some("bye"));
        let Some(gone) = attachment(ws) else {
            if let Some(standby) = standby::standing_by(ws) {
                self.guards
                    .borrow_mut()
                    .remove(standby.standby_peer_id.as_str());
            }
            return;
        };
        if gone.closing {
            return; // announced when the server closed it
        }
        self.guards
            .borrow_mut()
            .remove(gone.member.peer_id.as_str());
        self.gone(&gone);
    }
}

fn attachment(ws: &WebSocket) -> Option<Attachment> {
    ws.deserialize_attachment::<Attachment>().ok().flatten()
}

/// Whether the room's frames reach `ws`: a member's socket, not one the lobby holds (nor one
/// refused, which has no attachment).
fn hears_the_room(ws: &WebSocket) -> bool {
    attachment(ws).is_some_and(|a| a.waiting.is_none())
}

fn upgraded(client: WebSocket) -> Result<Response> {
    let mut response = Response::from_websocket(client)?;
    response
        .headers_mut()
        .set("sec-websocket-protocol", SUBPROTOCOL)?;
    Ok(response)
}
