//! A test WebSocket client for room sockets: connects the way the app does (Origin plus the
//! `confab.v1, bearer.<jwt>` subprotocols), reads typed [`ServerFrame`]s, and never waits
//! without a deadline.

use std::time::Duration;

use confab_protocol::{
    ChatMessage, ClientFrame, ErrorCode, MediaRoute, Member, PeerId, RoomAccess, ServerFrame,
    BEARER_PREFIX, SUBPROTOCOL,
};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::http::Reply;
use crate::wrangler::Wrangler;

mod upgrade;
pub use upgrade::attempt_upgrade;

/// How long any single expected frame may take to arrive.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a handshake may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The `Sec-WebSocket-Protocol` value the app offers.
pub fn protocols_for(token: &str) -> String {
    format!("{SUBPROTOCOL}, {BEARER_PREFIX}{token}")
}

/// A fresh, well-formed peer id that names nobody.
pub fn random_peer_id() -> PeerId {
    PeerId::from_uuid(uuid::Uuid::new_v4())
}

/// Why a handshake did not produce a socket.
#[derive(Debug)]
pub enum ConnectError {
    /// The server answered with something other than 101. The body holds only what arrived
    /// with the headers; [`attempt_upgrade`] reads refusals whole.
    Refused(Reply),
    /// No answer, a broken handshake, or the timeout.
    Failed(String),
}

impl ConnectError {
    /// The HTTP refusal; panics on any other failure.
    pub fn refusal(self) -> Reply {
        match self {
            ConnectError::Refused(reply) => reply,
            ConnectError::Failed(reason) => panic!("expected an HTTP refusal, got: {reason}"),
        }
    }
}

/// The `welcome` frame's fields.
#[derive(Debug, Clone)]
pub struct Welcome {
    pub peer_id: PeerId,
    pub room: String,
    pub you: Member,
    pub peers: Vec<Member>,
    pub history: Vec<ChatMessage>,
    pub access: RoomAccess,
    pub route: MediaRoute,
    pub room_limit: u32,
    pub last_n: u32,
}

/// What the next read produced.
#[derive(Debug)]
// A welcome is a large frame; events are read one at a time, so their size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Event {
    Frame(ServerFrame),
    /// A close frame (`Some((code, reason))`), or the stream ended without one (`None`).
    Closed(Option<(u16, String)>),
}

/// One open room socket.
pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The subprotocol the server selected.
    pub subprotocol: Option<String>,
    /// Name used in failure messages.
    pub label: String,
}

/// Opens a socket to `url` with the given `Origin` and `Sec-WebSocket-Protocol` (each left
/// out when `None`).
pub async fn connect(
    url: &str,
    origin: Option<&str>,
    protocols: Option<&str>,
) -> Result<Client, ConnectError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| ConnectError::Failed(format!("bad request for {url}: {e}")))?;
    let headers = request.headers_mut();
    if let Some(origin) = origin {
        headers.insert("origin", header_value(origin)?);
    }
    if let Some(protocols) = protocols {
        headers.insert("sec-websocket-protocol", header_value(protocols)?);
    }
    let handshake =
        tokio::time::timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(request)).await;
    match handshake {
        Err(_) => Err(ConnectError::Failed(format!(
            "no handshake answer from {url} within {CONNECT_TIMEOUT:?}"
        ))),
        Ok(Err(WsError::Http(response))) => {
            let body = response
                .body()
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            Err(ConnectError::Refused(Reply::new(
                response.status().as_u16(),
                response.headers(),
                body,
            )))
        }
        Ok(Err(error)) => Err(ConnectError::Failed(format!(
            "handshake with {url} failed: {error}"
        ))),
        Ok(Ok((ws, response))) => {
            let subprotocol = response
                .headers()
                .get("sec-websocket-protocol")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            Ok(Client {
                ws,
                subprotocol,
                label: String::from("client"),
            })
        }
    }
}

fn header_value(value: &str) -> Result<HeaderValue, ConnectError> {
    HeaderValue::from_str(value)
        .map_err(|e| ConnectError::Failed(format!("bad header value {value:?}: {e}")))
}

/// Opens a socket to `room` as the app would (own origin, token in the subprotocol) and reads
/// its `welcome`; panics if anything else happens.
pub async fn join(wrangler: &Wrangler, room: &str, token: &str, label: &str) -> (Client, Welcome) {
    join_url(&wrangler.room_ws_url(room), wrangler, token, label).await
}

/// The room socket URL a reconnecting page uses: `?replaces=<its previous peer id>`.
pub fn replacing_url(wrangler: &Wrangler, room: &str, replaces: &PeerId) -> String {
    format!("{}?replaces={replaces}", wrangler.room_ws_url(room))
}

/// Like [`join`], as a reconnect naming its previous socket's peer id in `?replaces=`.
pub async fn join_replacing(
    wrangler: &Wrangler,
    room: &str,
    token: &str,
    replaces: &PeerId,
    label: &str,
) -> (Client, Welcome) {
    join_url(
        &replacing_url(wrangler, room, replaces),
        wrangler,
        token,
        label,
    )
    .await
}

async fn join_url(url: &str, wrangler: &Wrangler, token: &str, label: &str) -> (Client, Welcome) {
    let mut client = match connect(url, Some(wrangler.origin()), Some(&protocols_for(token))).await
    {
        Ok(client) => client,
        Err(ConnectError::Refused(reply)) => {
            panic!(
                "{label}: upgrade to {url} refused with HTTP {}: {}",
                reply.status, reply.body
            )
        }
        Err(ConnectError::Failed(reason)) => panic!("{label}: {reason}"),
    };
    client.label = label.to_owned();
    let welcome = client.expect_welcome().await;
    (client, welcome)
}

impl Client {
    /// The next frame or close, skipping WebSocket-level ping/pong; panics after `timeout`,
    /// on a binary frame and on a text frame that is not a [`ServerFrame`].
    pub async fn next_event_within(&mut self, timeout: Duration) -> Event {
        match self.event_within(timeout).await {
            Some(event) => event,
            None => panic!("{}: nothing arrived within {timeout:?}", self.label),
        }
    }

    /// The next frame or close as [`Client::next_event_within`], or `None` when nothing came
    /// within `timeout`.
    pub async fn event_within(&mut self, timeout: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + timeout;
        Some(loop {
            let next = tokio::time::timeout_at(deadline, self.ws.next()).await;
            let message = match next {
                Err(_) => return None,
                Ok(None) => break Event::Closed(None),
                Ok(Some(Err(WsError::ConnectionClosed | WsError::AlreadyClosed))) => {
                    break Event::Closed(None)
                }
                Ok(Some(Err(WsError::Protocol(e)))) if is_reset(&e.to_string()) => {
                    break Event::Closed(None)
                }
                Ok(Some(Err(WsError::Io(_)))) => break Event::Closed(None),
                Ok(Some(Err(error))) => panic!("{}: socket error: {error}", self.label),
                Ok(Some(Ok(message))) => message,
            };
            match message {
                Message::Text(text) => {
                    let frame: ServerFrame =
                        serde_json::from_str(text.as_str()).unwrap_or_else(|e| {
                            panic!(
                                "{}: server sent a frame outside the contract ({e}): {}",
                                self.label,
                                text.as_str()
                            )
                        });
                    break Event::Frame(frame);
                }
                Message::Close(frame) => {
                    // Answer the close right away, as a browser does (the reply is queued
                    // and would otherwise wait for the next read or write).
                    let _ = tokio::time::timeout(FRAME_TIMEOUT, self.ws.flush()).await;
                    break Event::Closed(frame.map(close_parts));
                }
                Message::Binary(bytes) => panic!(
                    "{}: server sent a binary frame ({} bytes)",
                    self.label,
                    bytes.len()
                ),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            }
        })
    }

    /// The next event within [`FRAME_TIMEOUT`].
    pub async fn next_event(&mut self) -> Event {
        self.next_event_within(FRAME_TIMEOUT).await
    }

    /// The next frame; panics on a close or after `timeout`.
    pub async fn expect_frame_within(&mut self, timeout: Duration) -> ServerFrame {
        match self.next_event_within(timeout).await {
            Event::Frame(frame) => frame,
            Event::Closed(close) => panic!(
                "{}: expected a frame, the socket closed: {close:?}",
                self.label
            ),
        }
    }

    /// The next frame within [`FRAME_TIMEOUT`].
    pub async fn expect_frame(&mut self) -> ServerFrame {
        self.expect_frame_within(FRAME_TIMEOUT).await
    }

    /// The next frame must be `welcome`.
    pub async fn expect_welcome(&mut self) -> Welcome {
        match self.expect_frame().await {
            ServerFrame::Welcome {
                peer_id,
                room,
                you,
                peers,
                history,
                access,
                route,
                room_limit,
                last_n,
            } => Welcome {
                peer_id,
                room,
                you,
                peers,
                history,
                access,
                route,
                room_limit,
                last_n,
            },
            other => panic!("{}: expected welcome first, got {other:?}", self.label),
        }
    }

    /// The next frame must be an `error` with `code`; returns its message.
    pub async fn expect_error(&mut self, code: ErrorCode) -> String {
        match self.expect_frame().await {
            ServerFrame::Error {
                code: got, message, ..
            } if got == code => message,
            other => panic!("{}: expected error {code:?}, got {other:?}", self.label),
        }
    }

    /// The next event must be a close; returns its code (`None`: closed without a close frame).
    pub async fn expect_close(&mut self) -> Option<u16> {
        match self.next_event().await {
            Event::Closed(close) => close.map(|(code, _)| code),
            Event::Frame(frame) => panic!(
                "{}: expected the socket to close, got {frame:?}",
                self.label
            ),
        }
    }

    pub async fn send(&mut self, frame: &ClientFrame) {
        self.send_text(&frame.to_json()).await;
    }

    pub async fn send_json(&mut self, value: &serde_json::Value) {
        self.send_text(&value.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.send_message(Message::text(text)).await;
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.send_message(Message::binary(bytes)).await;
    }

    async fn send_message(&mut self, message: Message) {
        match tokio::time::timeout(FRAME_TIMEOUT, self.ws.send(message)).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => panic!("{}: send failed: {error}", self.label),
            Err(_) => panic!(
                "{}: send did not finish within {FRAME_TIMEOUT:?}",
                self.label
            ),
        }
    }

    /// Sends `ping`; the next frame must be `pong` (the socket is open and answering).
    pub async fn ping(&mut self) {
        self.send(&ClientFrame::Ping {}).await;
        match self.expect_frame().await {
            ServerFrame::Pong {} => {}
            other => panic!("{}: expected pong, got {other:?}", self.label),
        }
    }

    /// An ordering barrier through the room itself: a signal to a peer that does not exist
    /// must be answered by the room with `unknown_peer`, after everything the room sent this
    /// socket for earlier frames. So when it returns, no frame caused by an earlier frame of
    /// this socket is still on its way.
    pub async fn barrier(&mut self) {
        let to = random_peer_id();
        self.send(&ClientFrame::Signal {
            to,
            data: serde_json::json!({ "barrier": true }),
        })
        .await;
        match self.expect_frame().await {
            ServerFrame::Error {
                code: ErrorCode::UnknownPeer,
                ..
            } => {}
            other => panic!(
                "{}: expected only the barrier's unknown_peer error, got {other:?}",
                self.label
            ),
        }
    }

    /// Closes cleanly (1000) and waits for the server's close or the end of the stream.
    pub async fn close(mut self) {
        let frame = CloseFrame {
            code: 1000.into(),
            reason: "bye".into(),
        };
        if tokio::time::timeout(FRAME_TIMEOUT, self.ws.close(Some(frame)))
            .await
            .is_err()
        {
            panic!(
                "{}: close did not finish within {FRAME_TIMEOUT:?}",
                self.label
            );
        }
        let deadline = tokio::time::Instant::now() + FRAME_TIMEOUT;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => panic!(
                    "{}: the server did not finish the close handshake",
                    self.label
                ),
                Ok(None | Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Drops the TCP connection without a close frame (a crashed tab, a lost network).
    pub fn drop_connection(self) {
        drop(self.ws);
    }
}

fn close_parts(frame: CloseFrame) -> (u16, String) {
    (u16::from(frame.code), frame.reason.as_str().to_owned())
}

fn is_reset(message: &str) -> bool {
    message.contains("reset without closing handshake")
}
