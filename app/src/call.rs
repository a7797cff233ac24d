//! The call engine: one room socket plus one [`PeerSession`] per remote participant.
//! Knows nothing about views; reports [`CallEvent`]s to whoever started it, and why a call
//! ended as an [`Ending`] (`status`). Keeping it alive (heartbeat, probes, timed token
//! renewal, quality sampling) is `liveness`; fresh TURN credentials are `ice_refresh`; the
//! socket itself (opening one, taking over one opened ahead, reconnecting) is `connection`.
//!
//! A lost socket is reconnected with backoff. The server gives the new socket a new peer id
//! (the others see the old one leave and a new one join), so the old peer connections are
//! closed and the call is set up again from the new welcome exactly as on first join; the
//! local camera stream is kept.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use confab_protocol::{ClientFrame, IceResponse, MediaRoute, MediaState, PeerId, SfuPush};
use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MediaStream, RtcConfiguration, RtcPeerConnection};

use crate::i18n::Said;
use crate::session::CallToken;
use crate::signaling::Socket;
use peer::ahead::offer_ahead_fits;
use peer::ice_servers::{rtc_configuration_json, RelayStatus};
use peer::negotiation::is_polite;
use peer::{PeerEvent, PeerSession};

mod connection;
mod events;
mod ice_refresh;
mod liveness;
mod on_frame;
pub mod peer;
mod route;
pub mod sfu;
pub mod status;
mod warm_up;

pub use events::CallEvent;
pub use peer::ahead::make_offer_ahead;
pub use status::Ending;
pub use warm_up::warm_up_frames;

/// Close code we use for a socket we gave up on (never seen by our own handlers).
const LOST: u16 = 4000;
type Listener = wasm_bindgen::closure::Closure<dyn FnMut(JsValue)>;

pub struct JoinParams {
    pub room: String,
    pub name: String,
    pub token: String,
    pub ice: IceResponse,
    pub local: Option<MediaStream>,
    /// A socket the page opened ahead with this `token` (see [`Arrival::Ahead`]): joining
    /// then only sends `join` on it.
    pub ahead: Option<Socket>,
    /// A peer connection made ahead with these ICE servers ([`peer_connection_ahead`]): the
    /// first session takes it, its candidates gathered.
    pub spare: Option<RtcPeerConnection>,
    /// Whether `spare` carries an offer made ahead ([`make_offer_ahead`]): a welcome into a
    /// room with someone in it then sends that offer at once.
    pub spare_offer: bool,
}

/// A peer connection for the first session of a call, made before the click on Join so that
/// making it (some ms of the page's time) and gathering its ICE candidates are done by then.
pub fn peer_connection_ahead(ice: &IceResponse) -> Option<RtcPeerConnection> {
    RtcPeerConnection::new_with_configuration(&rtc_configuration(ice)).ok()
}

/// The longest a welcome's view waits for the offers to go out (they usually take a few ms).
const HOLD_FOR_OFFERS_MS: u32 = 100;

#[derive(Clone)]
pub struct Call {
    inner: Rc<Inner>,
}

struct Inner {
    room: String,
    /// Renewed on a timer, before a reconnect that may find it expired, and after a 401.
    token: CallToken,
    /// Whether the current socket ever opened. One that closes without opening may have been
    /// refused for its token (an upgrade answered 401 looks like any failed connection), so
    /// the next attempt renews the token first.
    opened: Cell<bool>,
    renew_first: Cell<bool>,
    local: Option<MediaStream>,
    /// My shared screen while I share it (sent to everyone, newcomers too).
    screen: RefCell<Option<MediaStream>>,
    rtc_config: RefCell<RtcConfiguration>,
    /// A peer connection made before anyone needs it, so that it gathers ICE candidates (the
    /// configuration asks for a pool of one) while the socket opens: the next session takes
    /// it, its candidates ready, instead of gathering only once its offer or answer is made.
    spare: RefCell<Option<RtcPeerConnection>>,
    /// Whether the spare carries an offer made ahead (it then has the camera's transceivers
    /// and can only make that offer, not answer one).
    spare_offer: Cell<bool>,
    /// Whose cameras the page shows on the SFU (last-N), as last told; everyone's while `None`.
    shown: RefCell<Option<BTreeSet<PeerId>>>,
    /// What the last `/api/ice` answer said about the relay.
    relay_status: Cell<Option<RelayStatus>>,
    /// The next `/api/ice` refresh (fresh TURN credentials).
    ice_refresh: RefCell<Option<Timeout>>,
    me: RefCell<Option<PeerId>>,
    /// Held in the room's lobby: nothing but pings and tokens goes out until a welcome.
    waiting: Cell<bool>,
    /// The socket is one opened ahead and taken over, and the room has not answered its
    /// `join` yet (see [`Call::take_over`]).
    unanswered_ahead: Cell<bool>,
    /// Our peer id before the socket was lost, until a new welcome: reconnects name it so the
    /// server drops that socket if it still thinks it is open.
    replaces: RefCell<Option<PeerId>>,
    socket: RefCell<Option<Socket>>,
    peers: RefCell<HashMap<PeerId, Rc<PeerSession>>>,
    /// How the room carries media now (its welcome, then `route` frames).
    route: Cell<MediaRoute>,
    /// Everyone else in the room (the mesh is rebuilt with them when the room leaves the SFU).
    members: RefCell<BTreeSet<PeerId>>,
    /// What each of them pushes into the SFU.
    pushes: RefCell<BTreeMap<PeerId, SfuPush>>,
    /// The link to the SFU while the room is on it.
    sfu: RefCell<Option<Rc<sfu::SfuLink>>>,
    /// SFU sessions that failed in a row (none connected since): the next one waits longer.
    sfu_failures: Cell<u32>,
    timers: RefCell<Vec<Interval>>,
    /// Events held back after a welcome until my offers are out (see [`Call::hold_for_offers`]).
    held: RefCell<Option<Vec<CallEvent>>>,
    /// The pending reconnect, and how many have failed in a row.
    retry: RefCell<Option<Timeout>>,
    attempt: Cell<u32>,
    /// `Date.now()` of the last frame from the server, and of the last ping we sent.
    last_heard: Cell<f64>,
    ping_at: Cell<f64>,
    left: Cell<bool>,
    /// `online` listener: a network that comes back retries at once instead of after the wait,
    /// and an open socket is probed (after a network change it may be dead without knowing).
    on_online: RefCell<Option<Listener>>,
    /// The pending check of that probe's answer.
    probe: RefCell<Option<Timeout>>,
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
                room: params.room,
                token: CallToken::new(params.name, params.token, js_sys::Date::now()),
                opened: Cell::new(false),
                renew_first: Cell::new(false),
                local: params.local,
                screen: RefCell::new(None),
                rtc_config: RefCell::new(rtc_configuration(&params.ice)),
                spare: RefCell::new(None),
                spare_offer: Cell::new(false),
                shown: RefCell::new(None),
                relay_status: Cell::new(None),
                ice_refresh: RefCell::new(None),
                me: RefCell::new(None),
                waiting: Cell::new(false),
                unanswered_ahead: Cell::new(false),
                replaces: RefCell::new(None),
                socket: RefCell::new(None),
                probe: RefCell::new(None),
                peers: RefCell::new(HashMap::new()),
                route: Cell::new(MediaRoute::Mesh),
                members: RefCell::new(BTreeSet::new()),
                pushes: RefCell::new(BTreeMap::new()),
                sfu: RefCell::new(None),
                sfu_failures: Cell::new(0),
                timers: RefCell::new(Vec::new()),
                held: RefCell::new(None),
                retry: RefCell::new(None),
                attempt: Cell::new(0),
                last_heard: Cell::new(js_sys::Date::now()),
                ping_at: Cell::new(0.0),
                left: Cell::new(false),
                on_online: RefCell::new(None),
                on_event,
                debug_peers,
            }),
        };
        call.apply_ice(&params.ice);
        *call.inner.spare.borrow_mut() = params.spare;
        call.inner.spare_offer.set(params.spare_offer);
        match params.ahead.filter(|socket| !socket.is_done()) {
            Some(socket) => call.take_over(socket),
            None => {
                if let Err(error) = call.connect() {
                    call.leave();
                    return Err(error);
                }
            }
        }
        call.start_timers();
        call.listen_online();
        Ok(call)
    }

    /// Makes the spare peer connection if there is none.
    fn keep_spare(&self) {
        let mut spare = self.inner.spare.borrow_mut();
        if spare.is_none() && !self.inner.left.get() {
            *spare =
                RtcPeerConnection::new_with_configuration(&self.inner.rtc_config.borrow()).ok();
            self.inner.spare_offer.set(false);
        }
    }

    /// Replaces a spare that carries an offer made ahead: one who joins later offers to us,
    /// and that spare cannot answer.
    fn spare_for_answers(&self) {
        if self.inner.spare_offer.get() {
            if let Some(spare) = self.inner.spare.borrow_mut().take() {
                spare.close();
            }
            self.keep_spare();
        }
    }

    /// A new peer connection: the spare if there is one, and whether it carries an offer made
    /// ahead that fits what we send now. That one is given only to `offering` (a welcome's
    /// offer); anyone else gets a plain connection.
    fn new_peer_connection(&self, offering: bool) -> Result<(RtcPeerConnection, bool), JsValue> {
        let spare = self.inner.spare.borrow_mut().take();
        let spare_offer = self.inner.spare_offer.replace(false);
        match spare {
            Some(pc) if !spare_offer => Ok((pc, false)),
            Some(pc) if offering && offer_ahead_fits(&pc, self.inner.local.as_ref()) => {
                Ok((pc, true))
            }
            spare => {
                if let Some(pc) = spare {
                    pc.close();
                }
                let config = self.inner.rtc_config.borrow();
                RtcPeerConnection::new_with_configuration(&config).map(|pc| (pc, false))
            }
        }
    }

    /// Tells the room what we are sending (mute state shows on our tile for others).
    pub fn announce_media(&self, media: MediaState) {
        self.send(&ClientFrame::Media {
            audio: media.audio,
            video: media.video,
            screen: media.screen,
        });
    }

    /// Starts sending my screen to everyone (`None`: stops). The page announces it with
    /// [`Call::announce_media`].
    pub fn share_screen(&self, screen: Option<MediaStream>) {
        if let Some(link) = self.inner.sfu.borrow().as_ref() {
            link.send_screen(screen.clone());
        }
        for peer in self.inner.peers.borrow().values() {
            peer.send_screen(screen.as_ref());
        }
        *self.inner.screen.borrow_mut() = screen;
    }

    /// Each person's microphone level now (linear, 1.0 full scale), for who is speaking.
    pub fn voice_levels(&self) -> Vec<(PeerId, f64)> {
        if let Some(link) = self.inner.sfu.borrow().as_ref() {
            return link.voice_levels();
        }
        self.inner
            .peers
            .borrow()
            .iter()
            .filter_map(|(peer, session)| Some((peer.clone(), session.voice_level()?)))
            .collect()
    }

    /// On the SFU, pulls the cameras of `cameras` only (see [`crate::pulling::Shown`]); the
    /// mesh sends every camera anyway.
    pub fn show_cameras(&self, cameras: BTreeSet<PeerId>) {
        if self.inner.shown.borrow().as_ref() == Some(&cameras) {
            return;
        }
        *self.inner.shown.borrow_mut() = Some(cameras.clone());
        if let Some(link) = self.inner.sfu.borrow().as_ref() {
            link.show_cameras(cameras);
        }
    }

    /// Sends `track` to everyone in place of the one of its kind (see
    /// [`PeerSession::replace_track`]); the local stream already holds it for newcomers.
    pub fn replace_track(&self, track: &web_sys::MediaStreamTrack) {
        if let Some(link) = self.inner.sfu.borrow().as_ref() {
            link.replace_track(track);
        }
        for peer in self.inner.peers.borrow().values() {
            peer.replace_track(track);
        }
    }

    pub fn leave(&self) {
        self.inner.left.set(true);
        self.inner.timers.borrow_mut().clear();
        self.inner.retry.borrow_mut().take();
        self.inner.ice_refresh.borrow_mut().take();
        self.inner.probe.borrow_mut().take();
        if let Some(listener) = self.inner.on_online.borrow_mut().take() {
            if let Some(window) = web_sys::window() {
                let _ = window.remove_event_listener_with_callback(
                    "online",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
        if let Some(socket) = self.inner.socket.borrow_mut().take() {
            socket.close();
        }
        self.close_peers();
        self.stop_sfu();
        if let Some(spare) = self.inner.spare.borrow_mut().take() {
            spare.close();
        }
    }

    fn close_peers(&self) {
        for (_, session) in self.inner.peers.borrow_mut().drain() {
            session.close();
        }

        self.inner.debug_peers.clear();
    }

    /// Sends a frame if the socket is open; dropped otherwise (chat keeps its own outbox), and
    /// while the lobby holds us (the room would refuse it).
    pub fn send(&self, frame: &ClientFrame) {
        if self.inner.waiting.get() && !on_frame::sent_while_waiting(frame) {
            return;
        }
        if let Some(socket) = self.inner.socket.borrow().as_ref() {
            socket.send(frame);
        }
    }

    fn emit(&self, event: CallEvent) {
        if let Some(held) = self.inner.held.borrow_mut().as_mut() {
            held.push(event);
            return;
        }
        (self.inner.on_event)(event);
    }

    /// Delivers `joined` once `offers` are out (at most [`HOLD_FOR_OFFERS_MS`]), and every event
    /// that came meanwhile after it, in order. Joining renders the whole call view (tens of ms
    /// on a slow machine); done at once, it would hold up the offers it is waiting to answer.
    fn hold_for_offers(&self, joined: CallEvent, offerers: &[Rc<PeerSession>]) {
        self.release_held();
        *self.inner.held.borrow_mut() = Some(vec![joined]);
        let release = {
            let weak = Rc::downgrade(&self.inner);
            move || {
                if let Some(inner) = weak.upgrade() {
                    Call { inner }.release_held();
                }
            }
        };
        let pending = Rc::new(Cell::new(offerers.len()));
        for session in offerers {
            let (pending, release) = (pending.clone(), release.clone());
            session.when_offer_sent(Box::new(move || {
                pending.set(pending.get().saturating_sub(1));
                if pending.get() == 0 {
                    release();
                }
            }));
        }
        // Releasing twice is harmless: the second finds nothing held.
        Timeout::new(HOLD_FOR_OFFERS_MS, release).forget();
    }

    /// Delivers what [`Call::hold_for_offers`] held (nothing once the call was left).
    fn release_held(&self) {
        let held = self.inner.held.borrow_mut().take();
        if self.inner.left.get() {
            return;
        }
        for event in held.into_iter().flatten() {
            (self.inner.on_event)(event);
        }
    }

    /// The session for `remote`, created on first use.
    fn session(&self, remote: &PeerId) -> Option<Rc<PeerSession>> {
        self.session_for(remote, false).map(|(session, _)| session)
    }

    /// The session for `remote`, created on first use; when made for a welcome's offer
    /// (`offering`), also whether it carries an offer made ahead, ready to send.
    fn session_for(&self, remote: &PeerId, offering: bool) -> Option<(Rc<PeerSession>, bool)> {
        if let Some(existing) = self.inner.peers.borrow().get(remote) {
            return Some((existing.clone(), false));
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
                PeerEvent::Screen(stream) => {
                    call.emit(CallEvent::RemoteScreen(peer.clone(), stream))
                }
                PeerEvent::State(state) => call.emit(CallEvent::PeerLink(peer.clone(), state)),
                PeerEvent::RelayProblem(problem) => {
                    call.emit(CallEvent::Notice(Said::new(move |t| {
                        problem.message(t).to_owned()
                    })))
                }
                PeerEvent::Quality(quality) => {
                    call.emit(CallEvent::PeerQuality(peer.clone(), quality))
                }
            }
        });
        let polite = is_polite(me.as_str(), remote.as_str());
        let mut offer_ahead = false;
        let session = self.new_peer_connection(offering).and_then(|(pc, ahead)| {
            offer_ahead = ahead;
            PeerSession::new(
                remote.clone(),
                polite,
                pc,
                self.inner.local.clone(),
                send,
                on_peer_event,
                self.inner.relay_status.get() == Some(RelayStatus::Available),
            )
        });
        match session {
            Ok(session) => {
                self.inner
                    .debug_peers
                    .set(&remote.as_str().into(), &session.pc);
                self.inner
                    .peers
                    .borrow_mut()
                    .insert(remote.clone(), session.clone());
                Some((session, offer_ahead))
            }
            Err(error) => {
                let error = format!("{error:?}");
                self.emit(CallEvent::Notice(Said::new(move |t| {
                    (t.cannot_create_connection)(&error)
                })));
                None
            }
        }
    }
}

/// `RTCConfiguration` from the worker's ICE answer: servers and transport policy.
fn rtc_configuration(ice: &IceResponse) -> RtcConfiguration {
    js_sys::JSON::parse(&rtc_configuration_json(ice).to_string())
        .map(JsCast::unchecked_into)
        .unwrap_or_else(|_: JsValue| RtcConfiguration::new())
}
