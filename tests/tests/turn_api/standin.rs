//! A stand-in for Cloudflare's TURN API (`POST /v1/turn/keys/{key id}/credentials/
//! generate-ice-servers`, Bearer API token, `{"ttl": N}`), on a loopback port in this process.
//!
//! Like the real one it answers 404 for another key id's path and 401 for another token; for
//! the right key and token it does what the test last told it ([`Behaviour`]). Every request
//! is recorded. One thread accepts, one thread per connection answers; all stop on drop.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the stand-in does with a well-formed call.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Answer with this status and JSON body.
    Answer { status: u16, body: String },
    /// Answer 401, as if the token were another key's.
    RefuseToken,
    /// Read the request and never answer (until the caller gives up and closes).
    Hang,
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
}

struct State {
    key_id: String,
    token: String,
    behaviour: Behaviour,
    seen: Vec<Seen>,
}

pub struct CfStandIn {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl CfStandIn {
    /// Listens on a free loopback port for calls with `key_id` and `token`.
    pub fn start(key_id: &str, token: &str) -> std::io::Result<CfStandIn> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            key_id: key_id.to_owned(),
            token: token.to_owned(),
            behaviour: Behaviour::RefuseToken,
            seen: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let state = state.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let state = state.clone();
                        std::thread::spawn(move || serve(stream, &state));
                    }
                }
            })
        };
        Ok(CfStandIn {
            addr,
            state,
            stop,
            acceptor: Some(acceptor),
        })
    }

    /// `TURN_API_URL` for the worker: the real path shape, `{key_id}` left for the worker.
    pub fn api_url(&self) -> String {
        format!(
            "http://{}/v1/turn/keys/{{key_id}}/credentials/generate-ice-servers",
            self.addr
        )
    }

    /// What to do with the next calls.
    pub fn set(&self, behaviour: Behaviour) {
        lock(&self.state).behaviour = behaviour;
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.state).seen.clone()
    }
}

impl Drop for CfStandIn {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the acceptor so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let Some(seen) = read_request(&mut stream) else {
        return;
    };
    let (key_id, token, behaviour) = {
        let mut state = lock(state);
        state.seen.push(seen.clone());
        (
            state.key_id.clone(),
            state.token.clone(),
            state.behaviour.clone(),
        )
    };
    let path = format!("/v1/turn/keys/{key_id}/credentials/generate-ice-servers");
    let bearer = format!("Bearer {token}");
    let (status, body) = if seen.method != "POST" || seen.path != path {
        (404, r#"{"errors":[{"message":"not found"}]}"#.to_owned())
    } else if seen.authorization.as_deref() != Some(bearer.as_str()) {
        (401, r#"{"errors":[{"message":"unauthorized"}]}"#.to_owned())
    } else {
        match behaviour {
            Behaviour::Answer { status, body } => (status, body),
            Behaviour::RefuseToken => {
                (401, r#"{"errors":[{"message":"unauthorized"}]}"#.to_owned())
            }
            Behaviour::Hang => {
                // Until the worker gives up and closes (or the read timeout passes).
                let mut sink = [0u8; 1024];
                while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
                return;
            }
        }
    };
    let response = format!(
        "HTTP/1.1 {status} Stand-in\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut request = httparse::Request::new(&mut headers);
        if let Ok(httparse::Status::Complete(head_len)) = request.parse(&buffer) {
            let header = |name: &str| {
                request
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case(name))
                    .map(|h| String::from_utf8_lossy(h.value).into_owned())
            };
            let length: usize = header("content-length")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let method = request.method.unwrap_or_default().to_owned();
            let path = request.path.unwrap_or_default().to_owned();
            let authorization = header("authorization");
            let content_type = header("content-type");
            while buffer.len() < head_len + length {
                let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
                buffer.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&buffer[head_len..head_len + length]).into_owned();
            return Some(Seen {
                method,
                path,
                authorization,
                content_type,
                body,
            });
        }
        let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
        buffer.extend_from_slice(&chunk[..n]);
        if buffer.len() > 64 * 1024 {
            return None;
        }
    }
}
