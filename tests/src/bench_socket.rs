//! A room socket for the socket benchmarks (`bench-chat`, `bench-load`): joined as a new guest,
//! split so one task sends while another reads.

use std::time::Duration;

use confab_protocol::{ClientFrame, PeerId, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::http;
use crate::wrangler::Wrangler;
use crate::ws_client::protocols_for;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;
pub type Sink = futures_util::stream::SplitSink<Socket, Message>;
pub type Stream = futures_util::stream::SplitStream<Socket>;

/// A new guest called `name` joined to `room`; its welcome has been read, and its peer id is
/// returned with the socket.
pub async fn open(w: &Wrangler, room: &str, name: &str) -> Result<(Sink, Stream, PeerId), String> {
    let token = http::guest(w.base_url(), name).access_token;
    let mut request = w
        .room_ws_url(room)
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    headers.insert("origin", w.origin().parse().map_err(|_| "bad origin")?);
    headers.insert(
        "sec-websocket-protocol",
        protocols_for(&token).parse().map_err(|_| "bad protocols")?,
    );
    let (ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (sink, mut stream) = ws.split();
    // The welcome comes first; anything else here is a protocol failure.
    match next_frame(&mut stream, Duration::from_secs(10)).await? {
        ServerFrame::Welcome { peer_id, .. } => Ok((sink, stream, peer_id)),
        other => Err(format!("expected welcome, got {other:?}")),
    }
}

/// The next text frame within `timeout`, as a [`ServerFrame`].
pub async fn next_frame(stream: &mut Stream, timeout: Duration) -> Result<ServerFrame, String> {
    loop {
        let message = tokio::time::timeout(timeout, stream.next())
            .await
            .map_err(|_| format!("no frame within {timeout:?}"))?
            .ok_or("socket ended")?
            .map_err(|e| format!("socket error: {e}"))?;
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str())
                .map_err(|e| format!("bad frame {text}: {e}"));
        }
    }
}

pub async fn send(sink: &mut Sink, frame: &ClientFrame) -> Result<(), String> {
    sink.send(Message::text(frame.to_json()))
        .await
        .map_err(|e| format!("send: {e}"))
}
