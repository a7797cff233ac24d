//! Keeping the room socket and the call alive: a heartbeat that notices a dead socket, the
//! timed token renewal, the quality sampling interval, and the `online` event (a network that
//! comes back retries at once; an open socket is probed, as it may have died with the old
//! network).

use crate::i18n::Said;
use std::rc::Rc;

use confab_protocol::ClientFrame;
use gloo_timers::callback::{Interval, Timeout};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

use super::{Call, CallEvent, Listener, LOST};
use crate::session::{self, TIMING};

/// Heartbeat keeps NATs and proxies from dropping an idle socket.
const HEARTBEAT_MS: u32 = 25_000;
/// A `ping` unanswered for this long means the socket is dead, whatever it claims. (Measured
/// from the ping, not from the last frame, so throttled timers in a background tab cannot
/// make a healthy socket look silent.)
const PONG_TIMEOUT_MS: f64 = 20_000.0;
/// After the network changes under an open socket, a probe `ping` unanswered this long means
/// the socket died with the old network. The runtime answers pings at the edge without waking
/// the room, so a live socket's pong takes one round trip (tens of milliseconds, a few hundred
/// on a poor mobile link). A wrong guess costs a rejoin; a late one is added to every move
/// between networks (Chromium itself tells the page `online` about half a second after the
/// link is back, and the rejoin needs about a second more).
const PROBE_TIMEOUT_MS: u32 = 1_000;
/// How often every peer connection's stats are sampled for the quality indicator.
const QUALITY_SAMPLE_MS: u32 = 2_000;

impl Call {
    pub(super) fn start_timers(&self) {
        let weak = Rc::downgrade(&self.inner);
        let heartbeat = Interval::new(HEARTBEAT_MS, move || {
            let Some(inner) = weak.upgrade() else { return };
            let call = Call { inner };
            if call.inner.socket.borrow().is_none() {
                return;
            }
            let now = js_sys::Date::now();
            let ping_at = call.inner.ping_at.get();
            let unanswered = ping_at > call.inner.last_heard.get();
            if unanswered && now - ping_at > PONG_TIMEOUT_MS {
                call.on_lost(LOST, "the server stopped answering".into());
            } else if !unanswered {
                call.inner.ping_at.set(now);
                call.send(&ClientFrame::Ping {});
            }
        });
        let weak = Rc::downgrade(&self.inner);
        let renew = Interval::new(TIMING.call_renew_ms, move || {
            let Some(inner) = weak.upgrade() else { return };
            spawn_local(async move {
                let call = Call { inner };
                match call.renew_token().await {
                    Ok(_) => {}
                    Err(error) if session::ends_session(&error) => call.session_ended(),
                    Err(error) => call.emit(CallEvent::Notice(Said::new(move |t| {
                        (t.could_not_renew)(&crate::i18n::api_error(t, &error))
                    }))),
                }
            });
        });
        // One interval for all peers; cleared with the other timers on leave.
        let weak = Rc::downgrade(&self.inner);
        let quality = Interval::new(QUALITY_SAMPLE_MS, move || {
            let Some(inner) = weak.upgrade() else { return };
            let sessions: Vec<_> = inner.peers.borrow().values().cloned().collect();
            for session in sessions {
                spawn_local(session.sample_quality());
            }
            let link = inner.sfu.borrow().clone();
            if let Some(link) = link {
                spawn_local(link.clone().sample_quality());
                spawn_local(link.fit_layers());
            }
        });
        self.inner
            .timers
            .borrow_mut()
            .extend([heartbeat, renew, quality]);
    }

    pub(super) fn listen_online(&self) {
        let weak = Rc::downgrade(&self.inner);
        let listener = Listener::new(move |_| {
            let Some(inner) = weak.upgrade() else { return };
            let call = Call { inner };
            if call.inner.retry.borrow().is_some() && call.inner.socket.borrow().is_none() {
                call.reconnect();
            } else if call.inner.opened.get() {
                call.probe_socket();
                // Candidates of the old network are dead even where a link still says
                // connected. If the socket survived, it carries the restarts and media is back
                // without a rejoin; if not, the rejoin replaces these connections anyway.
                for session in call.inner.peers.borrow().values() {
                    session.restart_ice();
                }
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("online", listener.as_ref().unchecked_ref());
        }
        *self.inner.on_online.borrow_mut() = Some(listener);
    }

    /// The network changed under an open socket: a ping now, and if nothing at all is heard
    /// within [`PROBE_TIMEOUT_MS`], the socket is dead (its address is gone, say) and the call
    /// reconnects at once instead of after the heartbeat's long timeout.
    fn probe_socket(&self) {
        let sent = js_sys::Date::now();
        self.inner.ping_at.set(sent);
        self.send(&ClientFrame::Ping {});
        let weak = Rc::downgrade(&self.inner);
        let check = Timeout::new(PROBE_TIMEOUT_MS, move || {
            let Some(inner) = weak.upgrade() else { return };
            let call = Call { inner };
            call.inner.probe.borrow_mut().take();
            if call.inner.socket.borrow().is_some() && call.inner.last_heard.get() < sent {
                call.on_network_lost();
            }
        });
        *self.inner.probe.borrow_mut() = Some(check);
    }
}
