//! The room socket: subprotocol auth, typed frames from `confab_protocol`. One `Socket` is one
//! connection attempt; reconnecting (with backoff) is the call engine's job.

use std::rc::Rc;

use confab_protocol::{ClientFrame, PeerId, ServerFrame, BEARER_PREFIX, SUBPROTOCOL};
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

pub mod reconnect;

pub enum SocketEvent {
    Open,
    Frame(ServerFrame),
    Closed { code: u16, reason: String },
}

/// One WebSocket to `/api/rooms/{room}/ws`. The token rides in the `bearer.<jwt>` subprotocol,
/// never in the URL. Handlers are detached before the closures are dropped.
pub struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(JsValue)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// `replaces`: our own previous peer id in this room, when this is a reconnect; the server
    /// then closes that socket (which may still look open to it after a network change) so
    /// nobody sees us twice.
    pub fn connect(
        room: &str,
        token: &str,
        replaces: Option<&PeerId>,
        on_event: Rc<dyn Fn(SocketEvent)>,
    ) -> Result<Self, String> {
        let mut url = format!("{}/api/rooms/{room}/ws", socket_origin()?);
        if let Some(old) = replaces {
            // A peer id is 32 hex characters: nothing to escape.
            url.push_str(&format!("?replaces={}", old.as_str()));
        }
        let protocols = js_sys::Array::of2(
            &SUBPROTOCOL.into(),
            &format!("{BEARER_PREFIX}{token}").into(),
        );
        let ws = WebSocket::new_with_str_sequence(&url, &protocols)
            .map_err(|e| format!("cannot open socket: {e:?}"))?;

        let events = on_event.clone();
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| events(SocketEvent::Open));
        let events = on_event.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<ServerFrame>(&text) {
                Ok(frame) => events(SocketEvent::Frame(frame)),
                Err(error) => {
                    web_sys::console::warn_1(&format!("ignoring undecodable frame: {error}").into())
                }
            }
        });
        let events = on_event;
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            events(SocketEvent::Closed {
                code: event.code(),
                reason: event.reason(),
            })
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
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
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
        self.detach();
    }
}
