//! The room socket: subprotocol auth, typed frames from `confab_protocol`. One `Socket` is one
//! connection attempt; reconnecting (with backoff) is the call engine's job.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use confab_protocol::{
    ClientFrame, PeerId, ServerFrame, BEARER_PREFIX, STANDBY_QUERY, SUBPROTOCOL,
};
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

pub mod reconnect;

// A welcome is a large frame; events are read one at a time, so their size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum SocketEvent {
    Open,
    Frame(ServerFrame),
    Closed { code: u16, reason: String },
}

/// Who hears a socket's events; replaced when a socket opened ahead joins a call.
type Listener = Rc<RefCell<Rc<dyn Fn(SocketEvent)>>>;

/// How a socket comes to the room.
pub enum Arrival<'a> {
    /// Into the room at once.
    Join,
    /// Into the room at once, in place of our own earlier socket there: the server then
    /// closes that socket (which may still look open to it after a network change) so nobody
    /// sees us twice.
    Replacing(&'a PeerId),
    /// Ahead of the click on Join (`?standby=1`): connected, but nobody sees it and the room
    /// tells it nothing until [`Socket::join`].
    Ahead,
}

/// One WebSocket to `/api/rooms/{room}/ws`. The token rides in the `bearer.<jwt>` subprotocol,
/// never in the URL. Handlers are detached before the closures are dropped.
pub struct Socket {
    ws: WebSocket,
    listener: Listener,
    /// Opened ahead and not joined yet.
    ahead: Cell<bool>,
    _on_open: Closure<dyn FnMut(JsValue)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    pub fn connect(
        room: &str,
        token: &str,
        arrival: Arrival<'_>,
        on_event: Rc<dyn Fn(SocketEvent)>,
    ) -> Result<Self, String> {
        let mut url = format!("{}/api/rooms/{room}/ws", socket_origin()?);
        match arrival {
            Arrival::Join => {}
            // A peer id is 32 hex characters: nothing to escape.
            Arrival::Replacing(old) => url.push_str(&format!("?replaces={}", old.as_str())),
            Arrival::Ahead => url.push_str(&format!("?{STANDBY_QUERY}")),
        }
        let ahead = matches!(arrival, Arrival::Ahead);
        let protocols = js_sys::Array::of2(
            &SUBPROTOCOL.into(),
            &format!("{BEARER_PREFIX}{token}").into(),
        );
        let ws = WebSocket::new_with_str_sequence(&url, &protocols)
            .map_err(|e| format!("cannot open socket: {e:?}"))?;

        let listener: Listener = Rc::new(RefCell::new(on_event));
        // The current listener, cloned out so that it may rebind itself while it runs.
        let emit = |listener: &Listener, event: SocketEvent| {
            let current = listener.borrow().clone();
            current(event)
        };
        let events = listener.clone();
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| emit(&events, SocketEvent::Open));
        let events = listener.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ServerFrame>(&text) {
                Ok(frame) => emit(&events, SocketEvent::Frame(frame)),
                Err(error) => {
                    web_sys::console::warn_1(&format!("ignoring undecodable frame: {error}").into())
                }
            }
        });
        let events = listener.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            emit(
                &events,
                SocketEvent::Closed {
                    code: event.code(),
                    reason: event.reason(),
                },
            )
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        // `window.confabSocket`: the live socket, for diagnostics and browser tests (like
        // `window.confabPeers`).
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &"confabSocket".into(), &ws);
        }
        Ok(Socket {
            ws,
            listener,
            ahead: Cell::new(ahead),
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// From now on `on_event` hears this socket's events (a socket opened ahead, taken over
    /// by the call).
    pub fn rebind(&self, on_event: Rc<dyn Fn(SocketEvent)>) {
        *self.listener.borrow_mut() = on_event;
    }

    pub fn is_open(&self) -> bool {
        self.ws.ready_state() == WebSocket::OPEN
    }

    /// Closing or closed: of no more use.
    pub fn is_done(&self) -> bool {
        self.ws.ready_state() >= WebSocket::CLOSING
    }

    /// A socket opened ahead comes into the room now, if it is open (else call again once it
    /// is). Nothing for any other socket, or once done.
    pub fn join(&self) {
        if self.ahead.get() && self.is_open() {
            self.ahead.set(false);
            self.send(&ClientFrame::Join {});
        }
    }

    pub fn send(&self, frame: &ClientFrame) {
        if self.ws.ready_state() == WebSocket::OPEN {
            let _ = self.ws.send_with_str(&frame.to_json());
        }
    }

    /// Closes normally (the user left); no events are delivered afterwards.
    pub fn close(&self) {
        self.detach();
        let _ = self.ws.close_with_code_and_reason(1000, "leaving");
    }

    /// Gives up on a socket that failed or went quiet, so the server drops our old peer id
    /// while we connect a new one; no events are delivered afterwards.
    pub fn abandon(&self) {
        self.detach();
        let _ = self.ws.close_with_code_and_reason(4000, "reconnecting");
    }

    fn detach(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
    }
}

/// `ws(s)://host` of the worker. Under `trunk serve` (a debug build on port 8080) that is the
/// `wrangler dev` next to it, because trunk's WebSocket proxy cannot carry subprotocols.
fn socket_origin() -> Result<String, String> {
    let location = web_sys::window().ok_or("no window")?.location();
    let secure = location.protocol().map_err(|_| "no protocol")? == "https:";
    let scheme = if secure { "wss" } else { "ws" };
    let host = location.host().map_err(|_| "no host")?;
    let port = location.port().unwrap_or_default();
    if cfg!(debug_assertions) && !secure && port == TRUNK_SERVE_PORT {
        let hostname = location.hostname().map_err(|_| "no hostname")?;
        return Ok(format!("ws://{hostname}:{WRANGLER_DEV_PORT}"));
    }
    Ok(format!("{scheme}://{host}"))
}

const TRUNK_SERVE_PORT: &str = "8080";
const WRANGLER_DEV_PORT: u16 = 8787;

impl Drop for Socket {
    fn drop(&mut self) {
        // One opened ahead and let go of (the page left, or a new token) is closed: nothing
        // else would.
        if self.ahead.get() {
            self.close();
        }
        self.detach();
    }
}
