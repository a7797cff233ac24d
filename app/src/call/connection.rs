//! The call's room socket: opening it (or taking over one opened ahead), what its events do,
//! and reconnecting with backoff when it is lost.

use std::rc::Rc;

use confab_protocol::{ClientFrame, ServerFrame};
use gloo_timers::callback::Timeout;
use wasm_bindgen_futures::spawn_local;

use super::{Call, CallEvent, Ending, LOST};
use crate::api::ApiError;
use crate::session;
use crate::signaling::reconnect::{backoff_delay_ms, should_reconnect};
use crate::signaling::{Arrival, Socket, SocketEvent};

impl Call {
    /// Opens a new socket with the current token.
    pub(super) fn connect(&self) -> Result<(), String> {
        let token = self.inner.token.current();
        let replaces = self.inner.replaces.borrow().clone();
        let arrival = match &replaces {
            Some(old) => Arrival::Replacing(old),
            None => Arrival::Join,
        };
        let socket = Socket::connect(&self.inner.room, &token, arrival, self.socket_listener())?;
        self.use_socket(socket);
        self.keep_spare();
        Ok(())
    }

    /// Takes over a socket opened ahead (with this call's token): it joins now, or as soon
    /// as it opens. Until the room answers that `join`, whatever ends the socket (the room's
    /// limit on sockets opened ahead, a meeting that ended meanwhile) only means connecting
    /// afresh, where what the room says counts.
    pub(super) fn take_over(&self, socket: Socket) {
        socket.rebind(self.socket_listener());
        self.use_socket(socket);
        self.inner.unanswered_ahead.set(true);
        let opened = self.with_socket(|s| {
            s.join();
            s.is_open()
        });
        self.inner.opened.set(opened == Some(true));
        // After `join` is out: making a peer connection takes the main thread for a while.
        self.keep_spare();
    }

    fn socket_listener(&self) -> Rc<dyn Fn(SocketEvent)> {
        let weak = Rc::downgrade(&self.inner);
        Rc::new(move |event| {
            if let Some(inner) = weak.upgrade() {
                Call { inner }.on_socket(event);
            }
        })
    }

    fn with_socket<T>(&self, f: impl FnOnce(&Socket) -> T) -> Option<T> {
        self.inner.socket.borrow().as_ref().map(f)
    }

    fn use_socket(&self, socket: Socket) {
        self.inner.last_heard.set(js_sys::Date::now());
        self.inner.ping_at.set(0.0);
        self.inner.opened.set(false);
        *self.inner.socket.borrow_mut() = Some(socket);
    }

    pub(super) fn on_socket(&self, event: SocketEvent) {
        match event {
            SocketEvent::Open => {
                self.inner.opened.set(true);
                // Opened ahead and taken over before it opened: it joins now.
                self.with_socket(Socket::join);
            }
            SocketEvent::Frame(frame) => {
                self.inner.last_heard.set(js_sys::Date::now());
                if self.inner.unanswered_ahead.get() {
                    if !matches!(
                        frame,
                        ServerFrame::Welcome { .. } | ServerFrame::Lobby { .. }
                    ) {
                        return; // a refusal: the fresh connection hears it again
                    }
                    self.inner.unanswered_ahead.set(false);
                }
                self.on_frame(frame);
            }
            SocketEvent::Closed { .. } if self.inner.unanswered_ahead.replace(false) => {
                if let Some(socket) = self.inner.socket.borrow_mut().take() {
                    socket.abandon();
                }
                if let Err(error) = self.connect() {
                    self.on_lost(LOST, error);
                }
            }
            SocketEvent::Closed { code, reason } => self.on_lost(code, reason),
        }
    }

    /// The socket closed (or went silent). Final closes end the call; anything else drops the
    /// peer connections (they belong to the old peer id) and schedules a reconnect.
    pub(super) fn on_lost(&self, code: u16, reason: String) {
        self.lose(code, reason, false);
    }

    /// The network changed under the open socket and the socket went silent: the change is on
    /// our side, not a server in trouble, so the first retry goes at once (backing off is for
    /// servers that drop everyone together).
    pub(super) fn on_network_lost(&self) {
        let reason = "the network changed and the server stopped answering".into();
        self.lose(LOST, reason, true);
    }

    fn lose(&self, code: u16, reason: String, at_once: bool) {
        if self.inner.left.get() {
            return;
        }
        if !should_reconnect(code) {
            self.leave();
            self.emit(CallEvent::Ended(Ending::from_close(code, reason)));
            return;
        }
        if let Some(socket) = self.inner.socket.borrow_mut().take() {
            socket.abandon();
        }
        if session::must_renew_first(code, self.inner.opened.get()) {
            self.inner.renew_first.set(true);
        }
        if let Some(old) = self.inner.me.borrow_mut().take() {
            *self.inner.replaces.borrow_mut() = Some(old);
        }
        self.inner.probe.borrow_mut().take();
        self.close_peers();
        let attempt = self.inner.attempt.get();
        self.inner.attempt.set(attempt.saturating_add(1));
        let delay_ms = if at_once && attempt == 0 {
            0
        } else {
            backoff_delay_ms(attempt, js_sys::Math::random())
        };
        let weak = Rc::downgrade(&self.inner);
        let timeout = Timeout::new(delay_ms, move || {
            if let Some(inner) = weak.upgrade() {
                Call { inner }.reconnect();
            }
        });
        *self.inner.retry.borrow_mut() = Some(timeout);
        self.emit(CallEvent::Reconnecting {
            attempt: attempt + 1,
            delay_ms,
        });
    }

    /// A fresh token from the session owner, handed to the room socket at once (as an `auth`
    /// frame; while there is no open socket, the next one opens with it).
    pub(super) async fn renew_token(&self) -> Result<String, ApiError> {
        let fresh = self.inner.token.renew().await?;
        self.send(&ClientFrame::Auth {
            token: fresh.clone(),
        });
        Ok(fresh)
    }

    /// The session behind the call is gone (a signed-in person signed out, here or on another
    /// device): the call ends with the 4401 message instead of going on as somebody else.
    pub(super) fn session_ended(&self) {
        if self.inner.left.get() {
            return;
        }
        self.leave();
        self.emit(CallEvent::Ended(Ending::SessionEnded));
    }

    /// One reconnect attempt; renews the token first if it may have expired meanwhile, or if
    /// the last attempt never got a socket open (the server may no longer accept the token,
    /// e.g. after a signing key change).
    pub(super) fn reconnect(&self) {
        if self.inner.left.get() || self.inner.socket.borrow().is_some() {
            return;
        }
        let old = self.inner.token.renewal_due(js_sys::Date::now());
        let stale = old || self.inner.renew_first.replace(false);
        if !stale {
            if let Err(error) = self.connect() {
                self.on_lost(LOST, error);
            }
            return;
        }
        let call = self.clone();
        spawn_local(async move {
            match call.renew_token().await {
                Ok(_) => {}
                // Signed out (here or everywhere) meanwhile: reconnecting cannot help.
                Err(error) if session::ends_session(&error) => {
                    call.session_ended();
                    return;
                }
                // Offline, say: try with what we have, and back off if that fails.
                Err(_) => {}
            }
            if call.inner.left.get() || call.inner.socket.borrow().is_some() {
                return;
            }
            if let Err(error) = call.connect() {
                call.on_lost(LOST, error);
            }
        });
    }
}
