//! Keeping one peer connection alive: ICE restart when the link fails or stays disconnected
//! (decided by [`IceRestart`](super::restart::IceRestart)), the tile state, and relay errors
//! worth a notice.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::{JsCast, JsValue};

use super::ice_servers::RelayProblem;
use super::restart::{combine, Action};
use super::{ImplicitDescriptions, PeerEvent, PeerSession};

impl PeerSession {
    /// `iceconnectionstatechange` or `connectionstatechange`: feed both states to the
    /// restart machine, carry out what it says, and report the tile state when it changes.
    pub(super) fn on_link_change(self: &Rc<Self>) {
        let ice = format!("{:?}", self.pc.ice_connection_state()).to_lowercase();
        let connection = format!("{:?}", self.pc.connection_state()).to_lowercase();
        let action = self
            .health
            .borrow_mut()
            .observe(combine(&ice, &connection), js_sys::Date::now());
        self.act(action);
    }

    fn act(self: &Rc<Self>, action: Action) {
        match action {
            Action::Nothing => {}
            Action::Restart => {
                self.retry.borrow_mut().take();
                // Fires `negotiationneeded`: perfect negotiation sends an offer with new ICE
                // credentials, and the other side answers it like any renegotiation.
                self.pc
                    .unchecked_ref::<ImplicitDescriptions>()
                    .restart_ice();
            }
            Action::CheckAt(at) => {
                let wait = (at - js_sys::Date::now()).clamp(0.0, 60_000.0) as u32;
                let weak = Rc::downgrade(self);
                let timeout = Timeout::new(wait, move || {
                    let Some(session) = weak.upgrade() else {
                        return;
                    };
                    if session.closed.get() {
                        return;
                    }
                    let action = session.health.borrow_mut().tick(js_sys::Date::now());
                    session.act(action);
                    session.report_tile();
                });
                *self.retry.borrow_mut() = Some(timeout);
            }
        }
        self.report_tile();
    }

    fn report_tile(&self) {
        let tile = self.health.borrow().tile();
        if self.tile.replace(tile) != tile {
            (self.on_event)(&self.remote, PeerEvent::State(tile));
        }
    }

    /// `icecandidateerror`: a TURN server refusing our credentials (401) or out of reach
    /// (701) is told once per peer and kind; everything else is normal ICE noise.
    pub(super) fn on_candidate_error(&self, event: &JsValue) {
        let get = |name: &str| js_sys::Reflect::get(event, &name.into()).ok();
        let code = get("errorCode").and_then(|v| v.as_f64()).unwrap_or(0.0);
        let url = get("url").and_then(|v| v.as_string()).unwrap_or_default();
        if let Some(problem) = RelayProblem::classify(code as u16, &url) {
            self.report_relay_problem(problem);
        }
    }

    /// `icegatheringstatechange`: the first gathering round must bring a relay candidate within
    /// a few seconds when a relay is configured; see [`super::relay_watch`].
    pub(super) fn on_gathering_change(self: &Rc<Self>) {
        match self.gathering_state().as_deref() {
            Some("complete") => self.relay_watch.borrow_mut().gathering_complete(),
            Some("gathering") => self.watch_first_round(),
            _ => {}
        }
    }

    /// What an offer made ahead gathered before this session listened, told to the relay
    /// watch as if it had been heard: the round started, the candidates in the offer, and
    /// the round's end if it ended.
    pub(super) fn replay_gathering(self: &Rc<Self>) {
        self.watch_first_round();
        if let Some(description) = self.pc.local_description() {
            let sdp = description.sdp();
            let candidates = sdp.lines().filter_map(|line| line.strip_prefix("a="));
            for candidate in candidates.filter(|c| c.starts_with("candidate:")) {
                self.relay_watch.borrow_mut().candidate(candidate);
            }
        }
        if self.gathering_state().as_deref() == Some("complete") {
            self.relay_watch.borrow_mut().gathering_complete();
        }
    }

    fn gathering_state(&self) -> Option<String> {
        js_sys::Reflect::get(&self.pc, &"iceGatheringState".into())
            .ok()
            .and_then(|v| v.as_string())
    }

    /// A gathering round started: if it is the first and a relay is expected, checks in a
    /// few seconds that it brought a relay candidate.
    fn watch_first_round(self: &Rc<Self>) {
        let now = js_sys::Date::now();
        let Some(at) = self.relay_watch.borrow_mut().gathering_started(now) else {
            return;
        };
        let weak = Rc::downgrade(self);
        let check = Timeout::new((at - now).clamp(0.0, 60_000.0) as u32, move || {
            let Some(session) = weak.upgrade() else {
                return;
            };
            let overdue = session
                .relay_watch
                .borrow_mut()
                .overdue(js_sys::Date::now());
            // Only what a link that is not up says: one that came up without the relay (or
            // after a network was back) has nothing to blame it for.
            let blamed = overdue.filter(|_| !session.health.borrow().ever_connected());
            if let (Some(problem), false) = (blamed, session.closed.get()) {
                session.report_relay_problem(problem);
            }
        });
        *self.relay_check.borrow_mut() = Some(check);
    }

    /// Tells a relay problem once per peer and kind. A relay that refused our credentials also
    /// gives no candidate; its 401 is the message that matters then. Once the link has been
    /// up, an unreachable relay (701) means our own network went away (the tile says
    /// "reconnecting…"): a notice would blame the relay and outlive the outage.
    fn report_relay_problem(&self, problem: RelayProblem) {
        if problem == RelayProblem::Unreachable && self.health.borrow().ever_connected() {
            return;
        }
        let mut reported = self.reported.borrow_mut();
        if reported.contains(&problem)
            || (problem == RelayProblem::Unreachable && reported.contains(&RelayProblem::Refused))
        {
            return;
        }
        reported.push(problem);
        drop(reported);
        (self.on_event)(&self.remote, PeerEvent::RelayProblem(problem));
    }

    /// New ICE servers (fresh TURN credentials) for the next gathering and ICE restart.
    pub fn set_configuration(&self, config: &web_sys::RtcConfiguration) {
        if let Err(error) = self.pc.set_configuration_with_configuration(config) {
            super::log("setConfiguration failed", &error);
        }
    }

    /// An ICE restart now: gathering again with the current configuration (the network
    /// changed, say).
    pub fn restart_ice(&self) {
        self.pc
            .unchecked_ref::<ImplicitDescriptions>()
            .restart_ice();
    }

    /// An ICE restart (gathering again with the current configuration) unless the link is up.
    pub fn restart_ice_unless_connected(&self) {
        if self.pc.connection_state() != web_sys::RtcPeerConnectionState::Connected {
            self.pc
                .unchecked_ref::<ImplicitDescriptions>()
                .restart_ice();
        }
    }
}
