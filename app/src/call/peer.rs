//! One RTCPeerConnection to one remote participant, negotiated with perfect negotiation.
//!
//! Its rules are pure modules, tested on the host, each carried out by a thin browser-side one:
//! - [`negotiation`]: perfect negotiation's decisions (carried out here);
//! - [`ice_servers`]: the `RTCConfiguration`, relay status and TURN refresh timing from
//!   `/api/ice` (carried out by the call's `ice_refresh`), and which ICE errors matter;
//! - [`restart`]: when to restart ICE and what the tile says, and [`relay_watch`]: a relay
//!   that never answers (both carried out by `health`);
//! - [`quality`]: RTT, loss and bitrate from `getStats` samples (carried out by `stats`).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;

use confab_protocol::PeerId;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    MediaStream, MediaStreamTrack, RtcIceCandidateInit, RtcPeerConnection,
    RtcPeerConnectionIceEvent, RtcRtpTransceiver, RtcRtpTransceiverDirection,
    RtcRtpTransceiverInit, RtcSdpType, RtcSessionDescriptionInit, RtcTrackEvent,
};

use crate::media::tracks_of_kind;
use ice_servers::RelayProblem;
use negotiation::{Negotiator, OnDescription, SdpKind, SessionDescription, SignalData};
use quality::{QualityReport, QualityTracker};
use relay_watch::RelayWatch;
use restart::{IceRestart, TileState};

#[wasm_bindgen]
extern "C" {
    /// The same RTCPeerConnection, seen through the argument-less `setLocalDescription()` that
    /// web-sys lacks: it creates the right offer or answer itself, which is what makes perfect
    /// negotiation's glare handling work.
    #[wasm_bindgen(js_name = RTCPeerConnection)]
    type ImplicitDescriptions;
    #[wasm_bindgen(method, js_name = setLocalDescription)]
    fn set_local_description(this: &ImplicitDescriptions) -> js_sys::Promise;
    #[wasm_bindgen(method, js_name = restartIce)]
    fn restart_ice(this: &ImplicitDescriptions);
    #[wasm_bindgen(method, setter, js_name = onicecandidateerror)]
    fn set_onicecandidateerror(this: &ImplicitDescriptions, value: Option<&js_sys::Function>);
}

pub mod ahead;
mod codecs;
mod health;
pub mod ice_servers;
pub mod negotiation;
pub mod quality;
pub mod relay_watch;
pub mod restart;
pub(crate) mod screen;
pub(crate) mod stats;
pub(crate) mod voice;

use screen::carries_screen;

pub(crate) fn set_local_description_implicit(pc: &RtcPeerConnection) -> js_sys::Promise {
    pc.unchecked_ref::<ImplicitDescriptions>()
        .set_local_description()
}

/// Marks `pc`'s next offer as an ICE restart (new ICE credentials: the checks start over).
pub(crate) fn restart_ice(pc: &RtcPeerConnection) {
    pc.unchecked_ref::<ImplicitDescriptions>().restart_ice();
}

/// One audio and one video transceiver on `pc`, each sending the track of its kind in
/// `local`, or receiving only where there is none.
fn add_camera_transceivers(pc: &RtcPeerConnection, local: Option<&MediaStream>) {
    for kind in ["audio", "video"] {
        let init = RtcRtpTransceiverInit::new();
        let track = local.and_then(|s| tracks_of_kind(s, kind).into_iter().next());
        let transceiver = match (track, local) {
            (Some(track), Some(stream)) => {
                init.set_direction(RtcRtpTransceiverDirection::Sendrecv);
                init.set_streams(&js_sys::Array::of1(stream));
                pc.add_transceiver_with_media_stream_track_and_init(&track, &init)
            }
            _ => {
                init.set_direction(RtcRtpTransceiverDirection::Recvonly);
                pc.add_transceiver_with_str_and_init(kind, &init)
            }
        };
        codecs::prefer_codecs(&transceiver, kind);
    }
}

pub enum PeerEvent {
    Stream(MediaStream),
    /// Their shared screen (video, and the tab's sound where they share it).
    Screen(MediaStream),
    /// The link's state as a tile shows it; sent when it changes.
    State(TileState),
    /// A TURN server refused us or is out of reach; sent once per kind.
    RelayProblem(RelayProblem),
    /// Connection quality or relay use changed (from the periodic stats sample).
    Quality(QualityReport),
}

type EventHandler = Closure<dyn FnMut(JsValue)>;

pub type SendSignal = Rc<dyn Fn(&PeerId, serde_json::Value)>;
pub type OnPeerEvent = Rc<dyn Fn(&PeerId, PeerEvent)>;

pub struct PeerSession {
    pub remote: PeerId,
    pub pc: RtcPeerConnection,
    negotiator: RefCell<Negotiator>,
    remote_stream: MediaStream,
    /// What arrives on transceivers after the first two: their screen.
    remote_screen: MediaStream,
    local: Option<MediaStream>,
    /// The transceivers that send my screen (video, maybe audio), kept to reuse when I share
    /// again.
    screen_senders: RefCell<Vec<RtcRtpTransceiver>>,
    /// Who waits for my next offer to go out (see [`PeerSession::when_offer_sent`]).
    offer_waiters: RefCell<Vec<Box<dyn FnOnce()>>>,
    send: SendSignal,
    closed: Cell<bool>,
    handlers: RefCell<Vec<EventHandler>>,
    on_event: OnPeerEvent,
    /// ICE restart decisions, the timer for the next check, the tile state last reported,
    /// and the relay problems already reported.
    health: RefCell<IceRestart>,
    retry: RefCell<Option<Timeout>>,
    tile: Cell<TileState>,
    reported: RefCell<Vec<RelayProblem>>,
    /// Whether gathering rounds bring a relay candidate, and the timer that checks.
    relay_watch: RefCell<RelayWatch>,
    relay_check: RefCell<Option<Timeout>>,
    quality: RefCell<QualityTracker>,
}

impl PeerSession {
    pub fn new(
        remote: PeerId,
        polite: bool,
        pc: RtcPeerConnection,
        local: Option<MediaStream>,
        send: SendSignal,
        on_event: OnPeerEvent,
        relay_expected: bool,
    ) -> Result<Rc<Self>, JsValue> {
        let session = Rc::new(PeerSession {
            remote,
            pc,
            negotiator: RefCell::new(Negotiator::new(polite)),
            remote_stream: MediaStream::new()?,
            remote_screen: MediaStream::new()?,
            local,
            screen_senders: RefCell::new(Vec::new()),
            offer_waiters: RefCell::new(Vec::new()),
            send,
            closed: Cell::new(false),
            handlers: RefCell::new(Vec::new()),
            on_event,
            health: RefCell::new(IceRestart::new()),
            retry: RefCell::new(None),
            tile: Cell::new(TileState::Connecting),
            reported: RefCell::new(Vec::new()),
            relay_watch: RefCell::new(RelayWatch::new(relay_expected)),
            relay_check: RefCell::new(None),
            quality: RefCell::new(QualityTracker::new()),
        });
        session.install_handlers();
        Ok(session)
    }

    fn install_handlers(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let negotiation_needed = handler(&weak, |session, _| spawn_local(session.make_offer()));
        let candidate = handler(&weak, |session, event| {
            let event: RtcPeerConnectionIceEvent = event.unchecked_into();
            if let Some(gathered) = event.candidate() {
                session
                    .relay_watch
                    .borrow_mut()
                    .candidate(&gathered.candidate());
            }
            let candidate = event
                .candidate()
                .and_then(|c| js_sys::JSON::stringify(&c.to_json()).ok())
                .and_then(|s| s.as_string())
                .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
                .unwrap_or(serde_json::Value::Null);
            session.signal(&SignalData::Candidate { candidate });
        });
        let track = handler(&weak, move |session, event| {
            let event: RtcTrackEvent = event.unchecked_into();
            let screen = carries_screen(event.transceiver().mid().as_deref());
            let stream = if screen {
                &session.remote_screen
            } else {
                &session.remote_stream
            };
            stream.add_track(&event.track());
            // `Clone::clone`: a second handle to the same stream. web-sys's inherent
            // `MediaStream::clone` is JavaScript's `clone()`, which copies every track (copies
            // nobody stops, on every track event) and would show the tile a copy.
            let stream = Clone::clone(stream);
            let event = if screen {
                PeerEvent::Screen(stream)
            } else {
                PeerEvent::Stream(stream)
            };
            (session.on_event)(&session.remote, event);
        });
        let state = handler(&weak, |session, _| session.on_link_change());
        let candidate_error = handler(&weak, |session, event| session.on_candidate_error(&event));
        let gathering = handler(&weak, |session, _| session.on_gathering_change());
        self.pc
            .set_onnegotiationneeded(Some(negotiation_needed.as_ref().unchecked_ref()));
        self.pc
            .set_onicecandidate(Some(candidate.as_ref().unchecked_ref()));
        self.pc.set_ontrack(Some(track.as_ref().unchecked_ref()));
        self.pc
            .set_onconnectionstatechange(Some(state.as_ref().unchecked_ref()));
        self.pc
            .set_oniceconnectionstatechange(Some(state.as_ref().unchecked_ref()));
        self.pc
            .unchecked_ref::<ImplicitDescriptions>()
            .set_onicecandidateerror(Some(candidate_error.as_ref().unchecked_ref()));
        self.pc
            .set_onicegatheringstatechange(Some(gathering.as_ref().unchecked_ref()));
        self.handlers.borrow_mut().extend([
            gathering,
            negotiation_needed,
            candidate,
            track,
            state,
            candidate_error,
        ]);
    }

    /// The newcomer's side: one audio and one video transceiver, sending what we have; this
    /// fires `negotiationneeded` and so the first offer.
    pub fn start_as_offerer(&self) {
        add_camera_transceivers(&self.pc, self.local.as_ref());
    }

    async fn make_offer(self: Rc<Self>) {
        self.negotiator.borrow_mut().begin_offer();
        let result = JsFuture::from(set_local_description_implicit(&self.pc)).await;
        self.negotiator.borrow_mut().end_offer();
        match result {
            Ok(_) => self.send_local_description(),
            Err(error) => log("offer failed", &error),
        }
        let waiters: Vec<_> = self.offer_waiters.borrow_mut().drain(..).collect();
        for waiter in waiters {
            waiter();
        }
    }

    /// Runs `then` once my next offer has gone out (or failed).
    pub fn when_offer_sent(&self, then: Box<dyn FnOnce()>) {
        self.offer_waiters.borrow_mut().push(then);
    }

    /// Applies one signal from the remote peer.
    pub async fn handle_signal(self: Rc<Self>, data: SignalData) {
        if self.closed.get() {
            return;
        }
        match data {
            SignalData::Description { description } => self.handle_description(description).await,
            SignalData::Candidate { candidate } => {
                let init: Option<RtcIceCandidateInit> = Some(candidate)
                    .filter(|c| !c.is_null())
                    .and_then(|c| js_sys::JSON::parse(&c.to_string()).ok())
                    .map(JsCast::unchecked_into);
                let promise = self
                    .pc
                    .add_ice_candidate_with_opt_rtc_ice_candidate_init(init.as_ref());
                if let Err(error) = JsFuture::from(promise).await {
                    if self.negotiator.borrow().candidate_error_matters() {
                        log("addIceCandidate failed", &error);
                    }
                }
            }
        }
    }

    async fn handle_description(&self, description: SessionDescription) {
        let stable = self.pc.signaling_state() == web_sys::RtcSignalingState::Stable;
        let decision = self
            .negotiator
            .borrow_mut()
            .on_description(description.kind, stable);
        let OnDescription::Apply { answer } = decision else {
            return;
        };
        let init = RtcSessionDescriptionInit::new(sdp_type(description.kind));
        init.set_sdp(&description.sdp);
        let applied = JsFuture::from(self.pc.set_remote_description(&init)).await;
        if !answer {
            self.negotiator.borrow_mut().answer_applied();
        }
        if let Err(error) = applied {
            return log("setRemoteDescription failed", &error);
        }
        if answer {
            self.attach_local_tracks().await;
            match JsFuture::from(set_local_description_implicit(&self.pc)).await {
                Ok(_) => self.send_local_description(),
                Err(error) => log("answer failed", &error),
            }
        }
    }

    /// The answering side sends on the transceivers the offer created, so one round trip is
    /// enough even when both sides have media. The tracks go on all at once (each
    /// `replaceTrack` is a round trip to the browser's WebRTC thread, and the answer waits).
    async fn attach_local_tracks(&self) {
        let Some(local) = &self.local else { return };
        let attached = js_sys::Array::new();
        // A sender shows its new track only once `replaceTrack` resolves: count ours here.
        let mut in_use = tracks_in_use(&self.pc);
        for transceiver in self.pc.get_transceivers().iter() {
            let transceiver: RtcRtpTransceiver = transceiver.unchecked_into();
            if transceiver.sender().track().is_some() || transceiver.current_direction().is_some() {
                continue;
            }
            let kind = transceiver.receiver().track().kind();
            let Some(track) = unused_track(local, &kind, &in_use) else {
                continue;
            };
            in_use.push(track.id());
            attached.push(&transceiver.sender().replace_track(Some(&track)));
            // (Sending on a transceiver whose track failed to attach sends nothing: harmless.)
            transceiver.set_direction(RtcRtpTransceiverDirection::Sendrecv);
        }
        let _ = JsFuture::from(js_sys::Promise::all_settled(&attached)).await;
    }

    fn send_local_description(&self) {
        let Some(description) = self.pc.local_description() else {
            return;
        };
        let kind = match description.type_() {
            RtcSdpType::Offer => SdpKind::Offer,
            RtcSdpType::Answer => SdpKind::Answer,
            RtcSdpType::Pranswer => SdpKind::Pranswer,
            _ => SdpKind::Rollback,
        };
        self.signal(&SignalData::Description {
            description: SessionDescription {
                kind,
                sdp: description.sdp(),
            },
        });
    }

    fn signal(&self, data: &SignalData) {
        if let Ok(value) = serde_json::to_value(data) {
            (self.send)(&self.remote, value);
        }
    }

    /// Sends `track` in place of the one of its kind sent now (a device switch): the
    /// transceiver stays, so nothing is renegotiated.
    pub fn replace_track(&self, track: &MediaStreamTrack) {
        for sender in self.pc.get_senders().iter() {
            let sender: web_sys::RtcRtpSender = sender.unchecked_into();
            if sender.track().is_some_and(|t| t.kind() == track.kind()) {
                let promise = sender.replace_track(Some(track));
                spawn_local(async move {
                    if let Err(error) = JsFuture::from(promise).await {
                        log("replaceTrack failed", &error);
                    }
                });
            }
        }
    }

    pub fn close(&self) {
        self.closed.set(true);
        self.pc.set_onnegotiationneeded(None);
        self.pc.set_onicecandidate(None);
        self.pc.set_ontrack(None);
        self.pc.set_onconnectionstatechange(None);
        self.pc.set_oniceconnectionstatechange(None);
        self.pc
            .unchecked_ref::<ImplicitDescriptions>()
            .set_onicecandidateerror(None);
        self.pc.set_onicegatheringstatechange(None);
        self.retry.borrow_mut().take();
        self.relay_check.borrow_mut().take();
        self.pc.close();
    }
}

fn handler(
    weak: &Weak<PeerSession>,
    f: impl Fn(Rc<PeerSession>, JsValue) + 'static,
) -> EventHandler {
    let weak = weak.clone();
    Closure::new(move |event: JsValue| {
        if let Some(session) = weak.upgrade() {
            if !session.closed.get() {
                f(session, event);
            }
        }
    })
}

/// The ids of the tracks `pc` sends.
fn tracks_in_use(pc: &RtcPeerConnection) -> Vec<String> {
    pc.get_senders()
        .iter()
        .filter_map(|s| s.unchecked_into::<web_sys::RtcRtpSender>().track())
        .map(|t| t.id())
        .collect()
}

fn unused_track(local: &MediaStream, kind: &str, in_use: &[String]) -> Option<MediaStreamTrack> {
    tracks_of_kind(local, kind)
        .into_iter()
        .find(|t| !in_use.contains(&t.id()))
}

fn sdp_type(kind: SdpKind) -> RtcSdpType {
    match kind {
        SdpKind::Offer => RtcSdpType::Offer,
        SdpKind::Answer => RtcSdpType::Answer,
        SdpKind::Pranswer => RtcSdpType::Pranswer,
        SdpKind::Rollback => RtcSdpType::Rollback,
    }
}

fn log(what: &str, error: &JsValue) {
    web_sys::console::warn_2(&what.into(), error);
}
