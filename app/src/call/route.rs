//! Following the room's media route. The room decides (its welcome, then `route` frames) and
//! every browser follows: on the mesh, a peer connection to each person; on the SFU, one link
//! ([`SfuLink`]) that pushes my media and pulls what the others push (`sfu_tracks` frames and
//! the welcome's members say what that is).
//!
//! Moving between the two drops the old connections first: tiles keep their people and get
//! the new streams as they arrive.

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;

use confab_protocol::{MediaRoute, Member, PeerId, SfuPush};

use super::peer::negotiation::is_polite;
use super::peer::restart::TileState;
use super::sfu::{new_session_delay_ms, Identity, SfuEvent, SfuLink};
use super::{Call, CallEvent};
use crate::api::sfu::wait_ms;

impl Call {
    /// What the welcome's members push into the SFU, and who they are.
    pub(super) fn know_members(&self, peers: &[Member]) {
        let mut members = self.inner.members.borrow_mut();
        let mut pushes = self.inner.pushes.borrow_mut();
        members.clear();
        pushes.clear();
        for member in peers {
            members.insert(member.peer_id.clone());
            if let Some(push) = &member.sfu {
                pushes.insert(member.peer_id.clone(), (**push).clone());
            }
        }
    }

    pub fn on_sfu_route(&self) -> bool {
        self.inner.route.get() == MediaRoute::Sfu
    }

    /// The room moved its media: leave the old connections and make the new ones.
    pub(super) fn follow_route(&self, route: MediaRoute) {
        if self.inner.route.replace(route) == route {
            return;
        }
        match route {
            MediaRoute::Sfu => {
                self.close_peers();
                self.start_sfu();
            }
            MediaRoute::Mesh => {
                self.stop_sfu();
                self.mesh_with_everyone();
            }
        }
    }

    /// Someone's SFU tracks changed: pull what is new.
    pub(super) fn pushes_changed(&self, peer: PeerId, push: Option<SfuPush>) {
        match push {
            Some(push) => self.inner.pushes.borrow_mut().insert(peer, push),
            None => self.inner.pushes.borrow_mut().remove(&peer),
        };
        if let Some(link) = self.inner.sfu.borrow().as_ref() {
            link.pull(&self.inner.pushes.borrow());
        }
    }

    /// `peer` left: nothing of theirs is pulled any more.
    pub(super) fn forget_pushes(&self, peer: &PeerId) {
        self.inner.members.borrow_mut().remove(peer);
        self.inner.pushes.borrow_mut().remove(peer);
        if let Some(link) = self.inner.sfu.borrow().as_ref() {
            link.forget(peer);
        }
    }

    /// A new link to the SFU (a new session), pushing my media and pulling everyone's.
    pub(super) fn start_sfu(&self) {
        self.stop_sfu();
        let Some(me) = self.inner.me.borrow().clone() else {
            return;
        };
        for peer in self.inner.members.borrow().iter() {
            self.emit(CallEvent::PeerLink(peer.clone(), TileState::Connecting));
        }
        // (Not a spare carrying an offer made ahead: the SFU link makes its own offers.)
        let pc = match self.new_peer_connection(false) {
            Ok((pc, _)) => pc,
            Err(error) => {
                web_sys::console::warn_2(&"sfu: no peer connection".into(), &error);
                return;
            }
        };
        let weak = Rc::downgrade(&self.inner);
        let token = Rc::new(move || {
            weak.upgrade()
                .map(|inner| inner.token.current())
                .unwrap_or_default()
        });
        let identity = Identity {
            room: self.inner.room.clone(),
            me,
            token,
        };
        let weak = Rc::downgrade(&self.inner);
        let on_event = Rc::new(move |event: SfuEvent| {
            if let Some(inner) = weak.upgrade() {
                Call { inner }.on_sfu_event(event);
            }
        });
        let link = SfuLink::start(
            pc,
            identity,
            self.inner.local.clone(),
            self.inner.screen.borrow().clone(),
            (&self.inner.members.borrow(), &self.inner.pushes.borrow()),
            on_event,
        );
        self.inner.debug_peers.set(&"sfu".into(), &link.pc);
        link.limit_cameras(self.inner.shown.borrow().clone());
        link.pull(&self.inner.pushes.borrow());
        *self.inner.sfu.borrow_mut() = Some(link);
        self.keep_spare();
    }

    pub(super) fn stop_sfu(&self) {
        if let Some(link) = self.inner.sfu.borrow_mut().take() {
            link.close();
            self.inner.debug_peers.delete(&"sfu".into());
        }
    }

    fn on_sfu_event(&self, event: SfuEvent) {
        match event {
            SfuEvent::Stream(peer, stream) => {
                self.emit(CallEvent::PeerLink(peer.clone(), TileState::Connected));
                self.emit(CallEvent::RemoteStream(peer, stream));
            }
            SfuEvent::Screen(peer, stream) => self.emit(CallEvent::RemoteScreen(peer, stream)),
            SfuEvent::Quality(peer, quality) => self.emit(CallEvent::PeerQuality(peer, quality)),
            SfuEvent::Connected => self.inner.sfu_failures.set(0),
            SfuEvent::Failed => {
                // A new session: the SFU forgets a session whose connection failed.
                if self.on_sfu_route() && !self.inner.left.get() {
                    for peer in self.inner.members.borrow().iter() {
                        self.emit(CallEvent::PeerLink(peer.clone(), TileState::Reconnecting));
                    }
                    let failed = self.inner.sfu_failures.get().saturating_add(1);
                    self.inner.sfu_failures.set(failed);
                    match new_session_delay_ms(failed) {
                        0 => self.start_sfu(),
                        wait => self.start_sfu_after(wait),
                    }
                }
            }
        }
    }

    /// Drops the failed link now and starts a new one after `wait` ms, unless the call left
    /// the SFU (or started another link) meanwhile.
    fn start_sfu_after(&self, wait: u32) {
        self.stop_sfu();
        let weak = Rc::downgrade(&self.inner);
        spawn_local(async move {
            wait_ms(wait).await;
            let Some(inner) = weak.upgrade() else { return };
            let call = Call { inner };
            let idle = call.inner.sfu.borrow().is_none();
            if idle && call.on_sfu_route() && !call.inner.left.get() {
                call.start_sfu();
            }
        });
    }

    /// Back on the mesh: a peer connection to everyone, each pair's offer made by one side
    /// (the impolite one of perfect negotiation), my screen after the camera as on joining.
    fn mesh_with_everyone(&self) {
        let Some(me) = self.inner.me.borrow().clone() else {
            return;
        };
        let members: Vec<PeerId> = self.inner.members.borrow().iter().cloned().collect();
        for peer in members {
            self.emit(CallEvent::PeerLink(peer.clone(), TileState::Connecting));
            let Some(session) = self.session(&peer) else {
                continue;
            };
            if !is_polite(me.as_str(), peer.as_str()) {
                session.start_as_offerer();
                if let Some(screen) = self.inner.screen.borrow().as_ref() {
                    session.send_screen(Some(screen));
                }
            }
        }
    }
}
