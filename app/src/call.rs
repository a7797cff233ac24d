//! The call engine: one room socket plus one [`PeerSession`] per remote participant.
//! Knows nothing about views; reports [`CallEvent`]s to whoever started it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use confab_protocol::{ClientFrame, IceResponse, MediaState, Member, PeerId, ServerFrame};
use gloo_timers::callback::Interval;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{MediaStream, RtcConfiguration};

use crate::api;
use crate::negotiation::{is_polite, SignalData};
use crate::peer::{PeerEvent, PeerSession};
use crate::signaling::{Socket, SocketEvent};

pub enum CallEvent {
    Joined { me: Member, peers: Vec<Member> },
    PeerJoined(Member),
    PeerLeft(PeerId),
    RemoteStream(PeerId, MediaStream),
    PeerMedia(PeerId, MediaState),
    PeerConnection(PeerId, String),
    Notice(String),
    Ended { code: u16, reason: String },
}

/// Heartbeat keeps NATs and proxies from dropping an idle socket.
const HEARTBEAT_MS: u32 = 25_000;
/// Access tokens live 10 minutes; renew well before.
const TOKEN_RENEW_MS: u32 = 7 * 60_000;

pub struct JoinParams {
    pub room: String,
    pub name: String,
    pub token: String,
    pub ice: IceResponse,
    pub local: Option<MediaStream>,
}

#[derive(Clone)]
pub struct Call {
    inner: Rc<Inner>,
}

struct Inner {
    name: String,
    token: RefCell<String>,
    local: Option<MediaStream>,
    rtc_config: RtcConfiguration,
    me: RefCell<Option<PeerId>>,
    socket: RefCell<Option<Socket>>,
    peers: RefCell<HashMap<PeerId, Rc<PeerSession>>>,
    timers: RefCell<Vec<Interval>>,
    on_event: Rc<dyn Fn(CallEvent)>,
    /// `window.confabPeers`: peer id → RTCPeerConnection, for diagnostics and browser tests.
    debug_peers: js_sys::Map,
}

impl Call {
    pub fn start(params: JoinParams, on_event: Rc<dyn Fn(CallEvent)>) -> Result<Call, String> {
        let debug_peers = js_sys::Map::new();
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &"confabPeers".into(), &debug_peers);
        }
        let call = Call {
            inner: Rc::new(Inner {
                name: params.name,
                token: RefCell::new(params.token.clone()),
                local: params.local,
                rtc_config: rtc_configuration(&params.ice),
                me: RefCell::new(None),
                socket: RefCell::new(None),
                peers: RefCell::new(HashMap::new()),
                timers: RefCell::new(Vec::new()),
                on_event,
                debug_peers,
            }),
        };
        let weak = Rc::downgrade(&call.inner);
        let socket = Socket::connect(
            &params.room,
            &params.token,
            Rc::new(move |event| {
                if let Some(inner) = weak.upgrade() {
                    Call { inner }.on_socket(event);
                }
            }),
        )?;
        *call.inner.socket.borrow_mut() = Some(socket);
        call.start_timers();
        Ok(call)
    }

    /// Tells the room what we are sending (mute state shows on our tile for others).
    pub fn announce_media(&self, media: MediaState) {
        self.send(&ClientFrame::Media {
            audio: media.audio,
            video: media.video,
            screen: media.screen,
        });
    }

    pub fn leave(&self) {
        self.inner.timers.borrow_mut().clear();
        if let Some(socket) = self.inner.socket.borrow_mut().take() {
            socket.close();
        }
        for (_, session) in self.inner.peers.borrow_mut().drain() {
            session.close();
        }
        self.inner.debug_peers.clear();
    }

    fn send(&self, frame: &ClientFrame) {
        if let Some(socket) = self.inner.socket.borrow().as_ref() {
            socket.send(frame);
        }
    }

    fn emit(&self, event: CallEvent) {
        (self.inner.on_event)(event);
    }

    fn start_timers(&self) {
        let weak = Rc::downgrade(&self.inner);
        let heartbeat = Interval::new(HEARTBEAT_MS, move || {
            if let Some(inner) = weak.upgrade() {
                Call { inner }.send(&ClientFrame::Ping {});
            }
        });
        let weak = Rc::downgrade(&self.inner);
        let renew = Interval::new(TOKEN_RENEW_MS, move || {
            let Some(inner) = weak.upgrade() else { return };
            spawn_local(async move {
                let current = inner.token.borrow().clone();
                match api::guest_token(&inner.name, Some(&current)).await {
                    Ok(fresh) => {
                        *inner.token.borrow_mut() = fresh.access_token.clone();
                        Call { inner }.send(&ClientFrame::Auth {
                            token: fresh.access_token,
                        });
                    }
                    Err(error) => Call { inner }.emit(CallEvent::Notice(format!(
                        "could not renew session: {error}"
                    ))),
                }
            });
        });
        self.inner.timers.borrow_mut().extend([heartbeat, renew]);
    }

    fn on_socket(&self, event: SocketEvent) {
        match event {
            SocketEvent::Open => {}
            SocketEvent::Frame(frame) => self.on_frame(frame),
            SocketEvent::Closed { code, reason } => {
                self.leave();
                self.emit(CallEvent::Ended { code, reason });
            }
        }
    }

    fn on_frame(&self, frame: ServerFrame) {
        match frame {
            ServerFrame::Welcome {
                peer_id,
                you,
                peers,
                ..
            } => {
                *self.inner.me.borrow_mut() = Some(peer_id);
                for member in &peers {
                    if let Some(session) = self.session(&member.peer_id) {
                        session.start_as_offerer();
                    }
                }
                self.emit(CallEvent::Joined { me: you, peers });
            }
            ServerFrame::PeerJoined { peer } => self.emit(CallEvent::PeerJoined(peer)),
            ServerFrame::PeerLeft { peer_id } => {
                if let Some(session) = self.inner.peers.borrow_mut().remove(&peer_id) {
                    session.close();
                }
                self.inner.debug_peers.delete(&peer_id.as_str().into());
                self.emit(CallEvent::PeerLeft(peer_id));
            }
            ServerFrame::Signal { from, data } => {
                match serde_json::from_value::<SignalData>(data) {
                    Ok(data) => {
                        if let Some(session) = self.session(&from) {
                            spawn_local(session.handle_signal(data));
                        }
                    }
                    Err(error) => {
                        web_sys::console::warn_1(&format!("bad signal from {from}: {error}").into())
                    }
                }
            }
            ServerFrame::Media {
                peer_id,
                audio,
                video,
                screen,
            } => self.emit(CallEvent::PeerMedia(
                peer_id,
                MediaState {
                    audio,
                    video,
                    screen,
                },
            )),
            ServerFrame::Error { message, .. } => self.emit(CallEvent::Notice(message)),
            ServerFrame::Pong {}
            | ServerFrame::Chat { .. }
            | ServerFrame::History { .. }
            | ServerFrame::SearchResults { .. } => {}
        }
    }

    /// The session for `remote`, created on first use.
    fn session(&self, remote: &PeerId) -> Option<Rc<PeerSession>> {
        if let Some(existing) = self.inner.peers.borrow().get(remote) {
            return Some(existing.clone());
        }
        let me = self.inner.me.borrow().clone()?;
        let weak = Rc::downgrade(&self.inner);
        let send = Rc::new(move |to: &PeerId, data: serde_json::Value| {
            if let Some(inner) = weak.upgrade() {
                Call { inner }.send(&ClientFrame::Signal {
                    to: to.clone(),
                    data,
                });
            }
        });
        let weak = Rc::downgrade(&self.inner);
        let on_peer_event = Rc::new(move |peer: &PeerId, event: PeerEvent| {
            let Some(inner) = weak.upgrade() else { return };
            let call = Call { inner };
            match event {
                PeerEvent::Stream(stream) => {
                    call.emit(CallEvent::RemoteStream(peer.clone(), stream))
                }
                PeerEvent::State(state) => {
                    call.emit(CallEvent::PeerConnection(peer.clone(), state))
                }
            }
        });
        let polite = is_polite(me.as_str(), remote.as_str());
        match PeerSession::new(
            remote.clone(),
            polite,
            &self.inner.rtc_config,
            self.inner.local.clone(),
            send,
            on_peer_event,
        ) {
            Ok(session) => {
                self.inner
                    .debug_peers
                    .set(&remote.as_str().into(), &session.pc);
                self.inner
                    .peers
                    .borrow_mut()
                    .insert(remote.clone(), session.clone());
                Some(session)
            }
            Err(error) => {
                self.emit(CallEvent::Notice(format!(
                    "cannot create a connection: {error:?}"
                )));
                None
            }
        }
    }
}

/// `RTCConfiguration` from the worker's ICE answer (same field names as the browser's).
fn rtc_configuration(ice: &IceResponse) -> RtcConfiguration {
    let json = serde_json::json!({ "iceServers": ice.ice_servers });
    js_sys::JSON::parse(&json.to_string())
        .map(JsCast::unchecked_into)
        .unwrap_or_else(|_: JsValue| RtcConfiguration::new())
}
