//! A call through the SFU: one peer connection to it, whoever is in the room. My camera,
//! microphone and screen are pushed once (`tracks/new` with `local` tracks and my offer); the
//! others' tracks are pulled (`tracks/new` with `remote` tracks: the SFU offers, I answer with
//! `renegotiate`). Every call goes through the worker ([`crate::api::sfu`]), which records my
//! session and lets me pull only what my room offers.
//!
//! The SFU takes one change of a session at a time, so every change here waits for the one
//! before it (`turn`). Each round of pulls costs an offer, an answer and two calls, so a new
//! link's first pull waits briefly for the pushes of those present ([`pulls::Gathering`]):
//! when a room moves here, everyone is pulled in one round. Which mid carries whose track is
//! plain Rust ([`pulls`]). A call that fails on the way is sent again ([`crate::api::sfu`]); one
//! that keeps failing so ends the session, and the call starts a new one (everything pushed and
//! pulled anew), as does a connection that drops and does not come back after an ICE restart
//! ([`restart`]).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use confab_protocol::sfu_api::{
    Location, RenegotiateRequest, SdpType, SessionDescription, TrackObject, TracksRequest,
};
use confab_protocol::{PeerId, SfuPush};
use futures::lock::Mutex;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    MediaStream, MediaStreamTrack, RtcPeerConnection, RtcPeerConnectionState, RtcRtpTransceiver,
    RtcRtpTransceiverDirection, RtcRtpTransceiverInit, RtcSdpType, RtcSessionDescriptionInit,
    RtcTrackEvent,
};

use super::peer::quality::{QualityReport, QualityTracker};
use super::peer::screen::{keep_resolution, screen_encoding};
use super::peer::set_local_description_implicit;
use crate::api::sfu::SfuCaller;
use crate::media::tracks_of_kind;

mod layers;
mod leaving;
mod measure;
pub mod pulls;
mod restart;
mod showing;

use pulls::{is_screen, push_name, Gathering, Pulls, Wanted};
pub use restart::new_session_delay_ms;

/// How often a held pull looks again for the pushes it waits for.
const GATHER_POLL_MS: u32 = 25;

/// What the link tells the call.
pub enum SfuEvent {
    /// `peer`'s camera and microphone, as far as they have arrived.
    Stream(PeerId, MediaStream),
    /// `peer`'s shared screen.
    Screen(PeerId, MediaStream),
    /// How `peer`'s media reaches me, when the tile should change.
    Quality(PeerId, QualityReport),
    /// The connection to the SFU is up.
    Connected,
    /// The connection to the SFU failed: a new link (a new session) is needed.
    Failed,
}

/// Who I am to the worker, for every call.
pub struct Identity {
    pub room: String,
    pub me: PeerId,
    /// The current access token (renewed during the call).
    pub token: Rc<dyn Fn() -> String>,
}

type Handler = Closure<dyn FnMut(JsValue)>;

pub struct SfuLink {
    pub pc: RtcPeerConnection,
    identity: Identity,
    session: RefCell<Option<String>>,
    /// Held by each change of the session while it runs.
    turn: Mutex<()>,
    pulls: RefCell<Pulls>,
    /// Whose cameras the page shows (last-N): only those are pulled. Everyone's while `None`.
    shown: RefCell<Option<BTreeSet<PeerId>>>,
    /// The simulcast layer asked for on each camera pulled.
    layers: RefCell<layers::Layers>,
    /// What everyone else pushes, as last told.
    pushes: RefCell<BTreeMap<PeerId, SfuPush>>,
    /// A pull is waiting for its turn: what changes meanwhile goes with it, in one round.
    pull_waiting: Cell<bool>,
    /// The first pull waits a little for the pushes of those already here (a room moving to
    /// the SFU: everyone pushes at once).
    gathering: RefCell<Gathering>,
    streams: RefCell<HashMap<PeerId, MediaStream>>,
    /// Each person's share of the connection, judged as a mesh link is.
    quality: RefCell<Vec<(PeerId, QualityTracker)>>,
    screens: RefCell<HashMap<PeerId, MediaStream>>,
    /// My screen's send-only transceivers, kept for the next share.
    screen_senders: RefCell<Vec<RtcRtpTransceiver>>,
    /// My camera's and microphone's.
    senders: RefCell<Vec<RtcRtpTransceiver>>,
    closed: Cell<bool>,
    /// The connection dropped and is being restarted (see [`restart`]).
    restarting: Cell<bool>,
    on_event: Rc<dyn Fn(SfuEvent)>,
    handlers: RefCell<Vec<Handler>>,
}

impl SfuLink {
    /// A link over `pc`: opens my session and pushes `local` (and `screen`), then pulls
    /// whatever [`SfuLink::pull`] is given; the first pull waits a little for those `present`
    /// who have not pushed yet.
    pub fn start(
        pc: RtcPeerConnection,
        identity: Identity,
        local: Option<MediaStream>,
        screen: Option<MediaStream>,
        present: (&BTreeSet<PeerId>, &BTreeMap<PeerId, SfuPush>),
        on_event: Rc<dyn Fn(SfuEvent)>,
    ) -> Rc<SfuLink> {
        let (present, pushes) = present;
        let link = Rc::new(SfuLink {
            pc,
            identity,
            session: RefCell::new(None),
            turn: Mutex::new(()),
            pulls: RefCell::new(Pulls::default()),
            shown: RefCell::new(None),
            layers: RefCell::new(layers::Layers::default()),
            pushes: RefCell::new(BTreeMap::new()),
            pull_waiting: Cell::new(false),
            gathering: RefCell::new(Gathering::new(present, pushes)),
            streams: RefCell::new(HashMap::new()),
            quality: RefCell::new(Vec::new()),
            screens: RefCell::new(HashMap::new()),
            screen_senders: RefCell::new(Vec::new()),
            senders: RefCell::new(Vec::new()),
            closed: Cell::new(false),
            restarting: Cell::new(false),
            on_event,
            handlers: RefCell::new(Vec::new()),
        });
        link.listen();
        let started = link.clone();
        spawn_local(async move {
            let _turn = started.turn.lock().await;
            let opened = started.open(local.as_ref(), screen.as_ref()).await;
            started
                .gathering
                .borrow_mut()
                .start_clock(js_sys::Date::now());
            if let Err(error) = opened {
                log("starting the SFU session failed", &error);
                if !started.closed.get() {
                    (started.on_event)(SfuEvent::Failed);
                }
            }
        });
        link
    }

    pub fn close(&self) {
        self.closed.set(true);
        self.pc.set_ontrack(None);
        self.pc.set_onconnectionstatechange(None);
        self.handlers.borrow_mut().clear();
        self.pc.close();
    }

    /// Pulls every track in `pushes` not pulled yet (never my own). Pushes told while a pull
    /// waits for its turn go with that pull: each round costs a few round trips.
    pub fn pull(self: &Rc<Self>, pushes: &BTreeMap<PeerId, SfuPush>) {
        *self.pushes.borrow_mut() = pushes.clone();
        if self.pull_waiting.replace(true) {
            return;
        }
        let link = self.clone();
        spawn_local(async move {
            let _turn = link.turn.lock().await;
            while !link.closed.get()
                && (link.gathering.borrow()).holds(&link.pushes.borrow(), js_sys::Date::now())
            {
                crate::api::sfu::wait_ms(GATHER_POLL_MS).await;
            }
            link.pull_waiting.set(false);
            if link.closed.get() || link.session.borrow().is_none() {
                return;
            }
            let wanted = (link.pulls.borrow()).wanted(
                &link.pushes.borrow(),
                &link.identity.me,
                link.shown.borrow().as_ref(),
            );
            if wanted.is_empty() {
                return;
            }
            link.pulls.borrow_mut().asking(&wanted);
            if let Err(error) = link.pull_now(&wanted).await {
                log("pulling from the SFU failed", &error);
            }
            // A camera no longer shown by the time it arrived goes again.
            link.trim();
        });
    }

    /// `peer` joined: a first pull still waiting for pushes waits for theirs too.
    pub fn joined(&self, peer: &PeerId) {
        self.gathering.borrow_mut().join(peer);
    }

    /// Sends `track` in place of my camera's or microphone's.
    pub fn replace_track(&self, track: &MediaStreamTrack) {
        for transceiver in self.senders.borrow().iter() {
            let sender = transceiver.sender();
            if sender.track().is_some_and(|t| t.kind() == track.kind()) {
                let _ = sender.replace_track(Some(track));
            }
        }
    }

    /// Starts (`Some`) or stops sending my screen. The first share pushes new tracks; later
    /// ones reuse their transceivers.
    pub fn send_screen(self: &Rc<Self>, screen: Option<MediaStream>) {
        let link = self.clone();
        spawn_local(async move {
            let _turn = link.turn.lock().await;
            if link.closed.get() {
                return;
            }
            let Some(stream) = screen else {
                for transceiver in link.screen_senders.borrow().iter() {
                    let _ = transceiver.sender().replace_track(None);
                }
                return;
            };
            if !link.screen_senders.borrow().is_empty() {
                for transceiver in link.screen_senders.borrow().iter() {
                    let kind = transceiver.receiver().track().kind();
                    if let Some(track) = tracks_of_kind(&stream, &kind).into_iter().next() {
                        let _ = transceiver.sender().replace_track(Some(&track));
                    }
                }
                return;
            }
            if let Err(error) = link.push(&stream, true).await {
                log("pushing the screen to the SFU failed", &error);
                // My offer is left unanswered: the connection takes no offer of the SFU's.
                link.start_over();
            }
        });
    }

    /// The worker's door to the SFU, as me with `token`.
    fn caller<'a>(&'a self, token: &'a str) -> SfuCaller<'a> {
        SfuCaller {
            room: &self.identity.room,
            peer: &self.identity.me,
            token,
        }
    }

    async fn open(
        &self,
        local: Option<&MediaStream>,
        screen: Option<&MediaStream>,
    ) -> Result<(), JsValue> {
        let token = (self.identity.token)();
        let session = self.caller(&token).new_session().await.map_err(api_error)?;
        *self.session.borrow_mut() = Some(session.session_id);
        if let Some(local) = local {
            self.push(local, false).await?;
        }
        if let Some(screen) = screen {
            self.push(screen, true).await?;
        }
        Ok(())
    }

    /// Adds send-only transceivers for `stream`'s tracks and pushes them with one offer.
    async fn push(&self, stream: &MediaStream, screen: bool) -> Result<(), JsValue> {
        let mut added = Vec::new();
        for kind in ["audio", "video"] {
            for track in tracks_of_kind(stream, kind) {
                let init = RtcRtpTransceiverInit::new();
                init.set_direction(RtcRtpTransceiverDirection::Sendonly);
                init.set_streams(&js_sys::Array::of1(stream));
                if kind == "video" && screen {
                    init.set_send_encodings(&js_sys::Array::of1(&screen_encoding()));
                } else if let Some(layers) = (kind == "video")
                    .then(|| layers::camera_encodings(&track))
                    .flatten()
                {
                    init.set_send_encodings(&layers);
                }
                let transceiver = self
                    .pc
                    .add_transceiver_with_media_stream_track_and_init(&track, &init);
                if screen && kind == "video" {
                    keep_resolution(&transceiver.sender());
                }
                added.push((transceiver, push_name(kind, screen)));
            }
        }
        if added.is_empty() {
            return Ok(());
        }
        JsFuture::from(set_local_description_implicit(&self.pc)).await?;
        let offer = self.local_sdp(SdpType::Offer)?;
        let tracks = added
            .iter()
            .map(|(transceiver, name)| TrackObject {
                location: Some(Location::Local),
                mid: transceiver.mid(),
                track_name: Some((*name).to_owned()),
                ..TrackObject::default()
            })
            .collect();
        let request = TracksRequest {
            session_description: Some(offer),
            tracks,
        };
        let response = self.tracks_new(&request).await?;
        let answer = response
            .session_description
            .ok_or_else(|| JsValue::from_str("the SFU sent no answer to my offer"))?;
        self.apply_remote(&answer).await?;
        let mut kept = if screen {
            self.screen_senders.borrow_mut()
        } else {
            self.senders.borrow_mut()
        };
        kept.extend(added.into_iter().map(|(transceiver, _)| transceiver));
        Ok(())
    }

    /// Pulls `wanted`: the SFU offers the new tracks and I answer.
    async fn pull_now(&self, wanted: &[Wanted]) -> Result<(), JsValue> {
        let request = TracksRequest {
            session_description: None,
            tracks: wanted.iter().map(Wanted::to_track_object).collect(),
        };
        let response = self.tracks_new(&request).await?;
        self.pulls.borrow_mut().answered(wanted, &response);
        if !response.requires_immediate_renegotiation {
            return Ok(());
        }
        let answered = match &response.session_description {
            Some(offer) => self.answer(offer).await,
            None => Err(JsValue::from_str(
                "the SFU asked to renegotiate without an offer",
            )),
        };
        // The SFU waits for an answer to its offer and takes no other change of this session
        // until it has one (a browser that refused the offer, e.g. a description it cannot
        // apply, has none to give): only a new session goes on.
        answered.inspect_err(|_| self.start_over())
    }

    /// Applies the SFU's `offer` and sends it my answer.
    async fn answer(&self, offer: &SessionDescription) -> Result<(), JsValue> {
        self.apply_remote(offer).await?;
        JsFuture::from(set_local_description_implicit(&self.pc)).await?;
        let request = RenegotiateRequest {
            session_description: self.local_sdp(SdpType::Answer)?,
        };
        let token = (self.identity.token)();
        self.caller(&token)
            .renegotiate(&self.session_id()?, &request)
            .await
            .map_err(|error| self.failed_call(error))?;
        Ok(())
    }

    async fn tracks_new(
        &self,
        request: &TracksRequest,
    ) -> Result<confab_protocol::sfu_api::TracksResponse, JsValue> {
        let token = (self.identity.token)();
        self.caller(&token)
            .tracks_new(&self.session_id()?, request)
            .await
            .map_err(|error| self.failed_call(error))
    }

    fn session_id(&self) -> Result<String, JsValue> {
        self.session
            .borrow()
            .clone()
            .ok_or_else(|| JsValue::from_str("no SFU session yet"))
    }

    fn local_sdp(&self, kind: SdpType) -> Result<SessionDescription, JsValue> {
        let sdp = self
            .pc
            .local_description()
            .map(|d| d.sdp())
            .ok_or_else(|| JsValue::from_str("no local description"))?;
        Ok(SessionDescription { kind, sdp })
    }

    async fn apply_remote(&self, description: &SessionDescription) -> Result<(), JsValue> {
        let kind = match description.kind {
            SdpType::Offer => RtcSdpType::Offer,
            SdpType::Answer => RtcSdpType::Answer,
        };
        let init = RtcSessionDescriptionInit::new(kind);
        init.set_sdp(&description.sdp);
        JsFuture::from(self.pc.set_remote_description(&init)).await?;
        Ok(())
    }

    fn listen(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let on_track = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let (Some(link), Ok(event)) = (weak.upgrade(), event.dyn_into::<RtcTrackEvent>())
            else {
                return;
            };
            link.arrived(&event);
        });
        self.pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
        let weak = Rc::downgrade(self);
        let on_state = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            let Some(link) = weak.upgrade() else { return };
            if link.closed.get() {
                return;
            }
            match link.pc.connection_state() {
                RtcPeerConnectionState::Connected => (link.on_event)(SfuEvent::Connected),
                RtcPeerConnectionState::Disconnected | RtcPeerConnectionState::Failed => {
                    link.connection_lost()
                }
                _ => {}
            }
        });
        self.pc
            .set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
        self.handlers.borrow_mut().extend([on_track, on_state]);
    }

    /// A pulled track arrived: it joins its person's camera stream or screen stream.
    fn arrived(&self, event: &RtcTrackEvent) {
        let Some(mid) = event.transceiver().mid() else {
            return;
        };
        let Some((peer, screen)) =
            (self.pulls.borrow().on_mid(&mid)).map(|(peer, name)| (peer.clone(), is_screen(name)))
        else {
            return;
        };
        let streams = if screen { &self.screens } else { &self.streams };
        // A new stream object each time: a tile that already shows one picks up the change.
        let tracks = js_sys::Array::new();
        if let Some(old) = streams.borrow().get(&peer) {
            for track in old.get_tracks().iter() {
                let track: MediaStreamTrack = track.unchecked_into();
                if track.kind() != event.track().kind() {
                    tracks.push(&track);
                }
            }
        }
        tracks.push(&event.track());
        let Ok(stream) = MediaStream::new_with_tracks(&tracks) else {
            return;
        };
        // `Clone::clone`: `MediaStream::clone` is the JS method, a copy with new tracks.
        streams
            .borrow_mut()
            .insert(peer.clone(), Clone::clone(&stream));
        (self.on_event)(if screen {
            SfuEvent::Screen(peer, stream)
        } else {
            SfuEvent::Stream(peer, stream)
        });
    }
}

fn api_error(error: crate::api::ApiError) -> JsValue {
    JsValue::from_str(&error.to_string())
}

fn log(what: &str, error: &JsValue) {
    web_sys::console::warn_2(&format!("sfu: {what}").into(), error);
}
