//! Last-N: the page shows the cameras of a few people (the latest speakers, the pinned one,
//! see [`crate::pulling::Shown`]) and only those are pulled. A camera no longer shown is
//! closed at the SFU as one of someone who left is; one shown again is pulled anew.
//! Everyone's sound and every screen are always pulled.

use std::collections::BTreeSet;
use std::rc::Rc;

use confab_protocol::PeerId;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{MediaStream, MediaStreamTrack};

use super::{log, SfuEvent, SfuLink};

impl SfuLink {
    /// Which cameras the page shows, for the pulls to come, without pulling now (a new link,
    /// before its first pull).
    pub fn limit_cameras(&self, shown: Option<BTreeSet<PeerId>>) {
        *self.shown.borrow_mut() = shown;
    }

    /// Shows the cameras of `shown` only: closes the others pulled and pulls those missing.
    pub fn show_cameras(self: &Rc<Self>, shown: BTreeSet<PeerId>) {
        *self.shown.borrow_mut() = Some(shown);
        self.trim();
        let pushes = self.pushes.borrow().clone();
        self.pull(&pushes);
    }

    /// Closes what was pulled of cameras no longer shown; their people's tiles keep the sound.
    pub(super) fn trim(self: &Rc<Self>) {
        let Some(shown) = self.shown.borrow().clone() else {
            return;
        };
        let dropped = self.pulls.borrow_mut().drop_cameras(&shown);
        if dropped.is_empty() {
            return;
        }
        for (peer, mid) in &dropped {
            self.layers.borrow_mut().forget(mid);
            self.without_video(peer);
        }
        let mids: Vec<String> = dropped.into_iter().map(|(_, mid)| mid).collect();
        let link = self.clone();
        spawn_local(async move {
            let _turn = link.turn.lock().await;
            if link.closed.get() || link.session.borrow().is_none() {
                return;
            }
            if let Err(error) = link.close_pulls(&mids).await {
                log("closing cameras no longer shown failed", &error);
            }
        });
    }

    /// `peer`'s stream without its video, for their tile.
    fn without_video(&self, peer: &PeerId) {
        let Some(old) = self.streams.borrow().get(peer).cloned() else {
            return;
        };
        let tracks = js_sys::Array::new();
        for track in old.get_tracks().iter() {
            let track: MediaStreamTrack = track.unchecked_into();
            if track.kind() != "video" {
                tracks.push(&track);
            }
        }
        let Ok(stream) = MediaStream::new_with_tracks(&tracks) else {
            return;
        };
        self.streams
            .borrow_mut()
            .insert(peer.clone(), Clone::clone(&stream));
        (self.on_event)(SfuEvent::Stream(peer.clone(), stream));
    }
}
