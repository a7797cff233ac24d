//! The HTTP side: Cloudflare's paths (`/v1/apps/{app id}/sessions/...`), its bearer-token
//! check and its error shapes, in front of the [`Sfu`]. One task owns the SFU and its UDP
//! socket; requests reach it as [`Command`]s, so no lock is held across the network.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{mpsc, oneshot};

use crate::api::ApiError;
use crate::sfu::Sfu;

/// Cloudflare refuses larger requests; an SDP with many tracks stays far below.
const MAX_BODY: usize = 1024 * 1024;

/// Who may call: the app id in the path and the token in `Authorization: Bearer`.
pub struct Credentials {
    pub app_id: String,
    pub app_token: String,
}

/// One API call for the task that owns the SFU: the operation, and where its JSON answer
/// (or error) goes.
struct Command {
    operation: Operation,
    reply: oneshot::Sender<Result<(StatusCode, serde_json::Value), ApiError>>,
}

enum Operation {
    NewSession,
    TracksNew(String, Bytes),
    Renegotiate(String, Bytes),
    TracksUpdate(String, Bytes),
    TracksClose(String, Bytes),
}

/// Where this SFU departs from the usual on purpose, for a test (`--repeat-track-ids`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Quirks {
    /// See [`Sfu::repeating_track_ids`].
    pub repeat_track_ids: bool,
}

/// Serves the API on `http` and media on `udp` until the process ends.
pub async fn serve(
    http: TcpListener,
    udp: UdpSocket,
    credentials: Credentials,
    quirks: Quirks,
) -> std::io::Result<()> {
    let (commands, inbox) = mpsc::channel(64);
    tokio::spawn(run_sfu(udp, inbox, quirks));
    let credentials = Arc::new(credentials);
    loop {
        let (stream, _) = http.accept().await?;
        let commands = commands.clone();
        let credentials = credentials.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let commands = commands.clone();
                let credentials = credentials.clone();
                async move {
                    // One line per call, for reading a failed trial's log beside the worker's.
                    let (method, path) =
                        (request.method().clone(), request.uri().path().to_owned());
                    let started = Instant::now();
                    let answer = answer(request, &credentials, &commands).await;
                    let outcome = match &answer {
                        Ok((status, _)) => status.as_u16().to_string(),
                        Err(error) => format!("{} {}", error.status, error.error_description),
                    };
                    log!("{method} {path} {outcome} in {:?}", started.elapsed());
                    Ok::<_, std::convert::Infallible>(respond(answer))
                }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

async fn answer(
    request: Request<Incoming>,
    credentials: &Credentials,
    commands: &mpsc::Sender<Command>,
) -> Result<(StatusCode, serde_json::Value), ApiError> {
    let bearer = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(credentials.app_token.as_str()) {
        return Err(ApiError::new(
            401,
            "unauthorized",
            "a wrong or missing app token",
        ));
    }
    let path: Vec<String> = request
        .uri()
        .path()
        .trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect();
    let method = request.method().clone();
    let body = Limited::new(request.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|_| ApiError::new(413, "payload_too_large", "at most 1 MiB"))?
        .to_bytes();
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let operation = match (&method, path.as_slice()) {
        (_, ["v1", "apps", app, ..]) if *app != credentials.app_id => {
            return Err(ApiError::not_found("no such app"))
        }
        (&Method::POST, ["v1", "apps", _, "sessions", "new"]) => Operation::NewSession,
        (&Method::POST, ["v1", "apps", _, "sessions", id, "tracks", "new"]) => {
            Operation::TracksNew(id.to_string(), body)
        }
        (&Method::PUT, ["v1", "apps", _, "sessions", id, "renegotiate"]) => {
            Operation::Renegotiate(id.to_string(), body)
        }
        (&Method::PUT, ["v1", "apps", _, "sessions", id, "tracks", "update"]) => {
            Operation::TracksUpdate(id.to_string(), body)
        }
        (&Method::PUT, ["v1", "apps", _, "sessions", id, "tracks", "close"]) => {
            Operation::TracksClose(id.to_string(), body)
        }
        _ => return Err(ApiError::not_found("no such route")),
    };
    let (reply, answer) = oneshot::channel();
    let gone = || ApiError::new(503, "temporarily_unavailable_error", "the SFU stopped");
    commands
        .send(Command { operation, reply })
        .await
        .map_err(|_| gone())?;
    answer.await.map_err(|_| gone())?
}

fn respond(answer: Result<(StatusCode, serde_json::Value), ApiError>) -> Response<Full<Bytes>> {
    let (status, body) = match answer {
        Ok(ok) => ok,
        Err(error) => (
            StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            serde_json::to_value(&error).unwrap_or_default(),
        ),
    };
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a response from valid parts")
}

/// Asked of the kernel for the SFU's UDP socket: every browser's media arrives on this one
/// socket, and with the default (about 200 KiB, some 90 datagrams) a loaded machine that keeps
/// the SFU off the CPU for a few tens of milliseconds overflows it. Each loss then freezes a
/// picture until the next keyframe. The kernel caps it at `net.core.rmem_max`.
const UDP_RECEIVE_BUFFER: usize = 4 << 20;

/// At most this many datagrams are taken in one go before the sessions are polled, so that
/// a flood cannot starve the timers and the API.
const DATAGRAMS_AT_ONCE: usize = 64;

/// The SFU's UDP socket, bound to `address`, with a large receive buffer.
pub fn bind_udp(address: SocketAddr) -> std::io::Result<UdpSocket> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(address),
        socket2::Type::DGRAM,
        Some(socket2::Protocol::UDP),
    )?;
    // Best effort: a smaller buffer still works, it only loses more under load.
    let _ = socket.set_recv_buffer_size(UDP_RECEIVE_BUFFER);
    socket.set_nonblocking(true)?;
    socket.bind(&address.into())?;
    UdpSocket::from_std(socket.into())
}

/// The task that owns the SFU: datagrams in and out, timers, and the API's commands.
async fn run_sfu(udp: UdpSocket, mut inbox: mpsc::Receiver<Command>, quirks: Quirks) {
    let Ok(address) = udp.local_addr() else {
        return;
    };
    let mut sfu = Sfu::new(address);
    if quirks.repeat_track_ids {
        sfu = sfu.repeating_track_ids();
    }
    let mut buffer = vec![0u8; 2048];
    let mut next = Instant::now();
    loop {
        let wait = next.saturating_duration_since(Instant::now());
        tokio::select! {
            received = udp.recv_from(&mut buffer) => {
                if let Ok((size, source)) = received {
                    sfu.handle_receive(Instant::now(), source, address, &buffer[..size]);
                    // What else has arrived, before the sessions are polled once for all of
                    // it: polling every session after each datagram falls behind the browsers.
                    for _ in 1..DATAGRAMS_AT_ONCE {
                        let Ok((size, source)) = udp.try_recv_from(&mut buffer) else {
                            break;
                        };
                        sfu.handle_receive(Instant::now(), source, address, &buffer[..size]);
                    }
                }
            }
            command = inbox.recv() => {
                let Some(command) = command else { return };
                let _ = command.reply.send(carry_out(&mut sfu, command.operation));
            }
            _ = tokio::time::sleep(wait) => {}
        }
        let now = Instant::now();
        if now >= next {
            sfu.handle_timeout(now);
        }
        let (datagrams, timeout) = sfu.poll();
        for datagram in datagrams {
            let _ = udp.send_to(&datagram.contents, datagram.destination).await;
        }
        // Wake at least every 100 ms: sessions made since still need their clocks run.
        next = timeout.unwrap_or(now + Duration::from_millis(100));
    }
}

fn carry_out(
    sfu: &mut Sfu,
    operation: Operation,
) -> Result<(StatusCode, serde_json::Value), ApiError> {
    let now = Instant::now();
    match operation {
        Operation::NewSession => json(StatusCode::CREATED, sfu.new_session(now)?),
        Operation::TracksNew(id, body) => ok(sfu.tracks_new(&id, parse(&body)?, now)?),
        Operation::Renegotiate(id, body) => ok(sfu.renegotiate(&id, parse(&body)?)?),
        Operation::TracksUpdate(id, body) => ok(sfu.tracks_update(&id, parse(&body)?)?),
        Operation::TracksClose(id, body) => ok(sfu.tracks_close(&id, parse(&body)?)?),
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::new(400, "decoding_error", e.to_string()))
}

fn ok<T: Serialize>(value: T) -> Result<(StatusCode, serde_json::Value), ApiError> {
    json(StatusCode::OK, value)
}

fn json<T: Serialize>(
    status: StatusCode,
    value: T,
) -> Result<(StatusCode, serde_json::Value), ApiError> {
    let value = serde_json::to_value(value)
        .map_err(|e| ApiError::new(500, "internal_error", e.to_string()))?;
    Ok((status, value))
}

/// `SocketAddr` or an error that names the flag.
pub fn address(flag: &str, value: Option<String>) -> Result<SocketAddr, String> {
    let value = value.ok_or_else(|| format!("{flag} needs an address like 127.0.0.1:0"))?;
    value.parse().map_err(|e| format!("{flag} {value}: {e}"))
}
