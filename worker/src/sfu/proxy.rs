//! The worker as the only door to the SFU: which calls the app may make
//! (`/api/rooms/{room}/sfu/...`, the SFU's own paths after it), and what the room allows in
//! each before it goes on with the app token the browser never sees.
//!
//! - `POST sessions/new`: a session for the caller's peer (a new one replaces the old).
//! - `POST sessions/{id}/tracks/new`: the caller's own session only. Pushed tracks are
//!   announced in the room once the SFU took them; pulled tracks go on only where the room
//!   allows them ([`super::tracks::TrackRegistry::may_pull`]), the others come back as item
//!   errors without reaching the SFU.
//! - `PUT sessions/{id}/renegotiate`, `tracks/update`, `tracks/close`: the caller's own
//!   session only.

use std::fmt;

use confab_protocol::sfu_api::{track_error, Location, TrackObject, TracksRequest, TracksResponse};
use confab_protocol::PeerId;
use url::Url;

use super::config::SfuConfig;
use super::tracks::{is_session_id, TrackRefusal, TrackRegistry};

/// Longest body the app may send (an offer with many tracks stays far below).
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;
/// Longest SFU answer read (offers for a room of fifty stay far below).
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// One of the SFU calls the app may make.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Operation {
    NewSession,
    TracksNew(String),
    Renegotiate(String),
    TracksUpdate(String),
    TracksClose(String),
}

/// Why a call is refused before it reaches the SFU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyRefusal {
    #[error("no such SFU call")]
    NoSuchCall,
    #[error("that method is not allowed on this SFU call")]
    WrongMethod,
    #[error(transparent)]
    Track(#[from] TrackRefusal),
}

impl Operation {
    /// The call named by `method` and the path segments after `/sfu/`.
    pub fn parse(method: &str, path: &[&str]) -> Result<Operation, ProxyRefusal> {
        let session = |id: &str| -> Result<String, ProxyRefusal> {
            if is_session_id(id) {
                Ok(id.to_owned())
            } else {
                Err(TrackRefusal::BadSessionId.into())
            }
        };
        let (operation, wanted) = match path {
            ["sessions", "new"] => (Operation::NewSession, "POST"),
            ["sessions", id, "tracks", "new"] => (Operation::TracksNew(session(id)?), "POST"),
            ["sessions", id, "renegotiate"] => (Operation::Renegotiate(session(id)?), "PUT"),
            ["sessions", id, "tracks", "update"] => (Operation::TracksUpdate(session(id)?), "PUT"),
            ["sessions", id, "tracks", "close"] => (Operation::TracksClose(session(id)?), "PUT"),
            _ => return Err(ProxyRefusal::NoSuchCall),
        };
        if method != wanted {
            return Err(ProxyRefusal::WrongMethod);
        }
        Ok(operation)
    }

    /// The session the call is about (all but a new one).
    pub fn session(&self) -> Option<&str> {
        match self {
            Operation::NewSession => None,
            Operation::TracksNew(id)
            | Operation::Renegotiate(id)
            | Operation::TracksUpdate(id)
            | Operation::TracksClose(id) => Some(id),
        }
    }

    fn method_and_path(&self) -> (&'static str, String) {
        match self {
            Operation::NewSession => ("POST", "sessions/new".into()),
            Operation::TracksNew(id) => ("POST", format!("sessions/{id}/tracks/new")),
            Operation::Renegotiate(id) => ("PUT", format!("sessions/{id}/renegotiate")),
            Operation::TracksUpdate(id) => ("PUT", format!("sessions/{id}/tracks/update")),
            Operation::TracksClose(id) => ("PUT", format!("sessions/{id}/tracks/close")),
        }
    }
}

/// What the page is answered when the SFU refuses a call with `sfu_status`. A 404 on a call
/// about a session means the SFU no longer knows it (it restarted or dropped the session):
/// 410 Gone, which the page answers with a new session at once instead of waiting for its
/// connection to fail. The SFU asking to slow down stays 429 (the page tries again later);
/// other refusals are the page's own mistakes (400, with the SFU's words); the SFU's failures
/// are a bad gateway (502).
pub fn refusal_status(operation: &Operation, sfu_status: u16) -> u16 {
    match sfu_status {
        404 if operation.session().is_some() => 410,
        429 => 429,
        status if status < 500 => 400,
        _ => 502,
    }
}

/// The caller's session must be theirs in this room.
pub fn own_session(
    registry: &TrackRegistry,
    caller: &PeerId,
    operation: &Operation,
) -> Result<(), TrackRefusal> {
    let Some(id) = operation.session() else {
        return Ok(());
    };
    match registry.session_of(caller) {
        None => Err(TrackRefusal::NoSession),
        Some(own) if own == id => Ok(()),
        Some(_) => Err(TrackRefusal::NotYourSession),
    }
}

/// A pull split in two: what goes on to the SFU, and the tracks refused here (with their place
/// in the request, so the answer keeps the order asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullPlan {
    pub forward: TracksRequest,
    pub refused: Vec<(usize, TrackObject)>,
}

/// Which tracks of a `tracks/new` request the room lets through. Pushes pass as they are (the
/// SFU checks the offer; the names are announced from its answer).
pub fn plan(registry: &TrackRegistry, caller: &PeerId, request: TracksRequest) -> PullPlan {
    if is_push(&request) {
        return PullPlan {
            forward: request,
            refused: Vec::new(),
        };
    }
    let TracksRequest {
        session_description,
        tracks,
    } = request;
    let mut forward = Vec::new();
    let mut refused = Vec::new();
    for (at, track) in tracks.into_iter().enumerate() {
        let verdict = match (
            track.location,
            track.session_id.as_deref(),
            track.track_name.as_deref(),
        ) {
            (Some(Location::Remote), Some(session), Some(name)) => {
                registry.may_pull(caller, session, name).map(|_| ())
            }
            (Some(Location::Remote), _, _) => Err(TrackRefusal::UnknownTrack),
            _ => Err(TrackRefusal::Mixed),
        };
        match verdict {
            Ok(()) => forward.push(track),
            Err(refusal) => refused.push((at, refused_track(track, &refusal))),
        }
    }
    PullPlan {
        forward: TracksRequest {
            session_description,
            tracks: forward,
        },
        refused,
    }
}

impl PullPlan {
    /// Whether the SFU has nothing to do: no track the room allows, and no offer of the
    /// caller's to answer (an offer alone renegotiates the caller's own session: an ICE
    /// restart).
    pub fn asks_nothing(&self) -> bool {
        self.forward.tracks.is_empty() && self.forward.session_description.is_none()
    }
}

/// The SFU's answer with the refused tracks put back in their places.
pub fn merge(mut answer: TracksResponse, refused: Vec<(usize, TrackObject)>) -> TracksResponse {
    for (at, track) in refused {
        let at = at.min(answer.tracks.len());
        answer.tracks.insert(at, track);
    }
    answer
}

/// The names the SFU took in a push's answer (items without an error).
pub fn pushed_names(answer: &TracksResponse) -> Vec<String> {
    answer
        .tracks
        .iter()
        .filter(|t| t.error_code.is_none())
        .filter_map(|t| t.track_name.clone())
        .collect()
}

/// Whether a `tracks/new` request pushes (every track `local`).
pub fn is_push(request: &TracksRequest) -> bool {
    !request.tracks.is_empty()
        && request
            .tracks
            .iter()
            .all(|t| t.location == Some(Location::Local))
}

/// One call to the SFU's API, as the transport sends it.
#[derive(Clone, PartialEq, Eq)]
pub struct SfuCall {
    pub method: &'static str,
    pub url: Url,
    /// `Bearer <app token>`: secret.
    pub authorization: String,
    /// JSON, or empty for a new session.
    pub body: String,
}

impl fmt::Debug for SfuCall {
    // The token never reaches a log line through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SfuCall")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("authorization", &"(redacted)")
            .field("body", &self.body)
            .finish()
    }
}

impl SfuConfig {
    /// `operation` with `body`, addressed to this app.
    pub fn call(&self, operation: &Operation, body: String) -> SfuCall {
        let (method, path) = operation.method_and_path();
        let base = self.api_url.as_str().trim_end_matches('/');
        let url = format!("{base}/apps/{}/{path}", self.app_id);
        SfuCall {
            method,
            url: Url::parse(&url).unwrap_or_else(|_| self.api_url.clone()),
            authorization: format!("Bearer {}", self.app_token),
            body,
        }
    }
}

/// Why a refused track comes back with the error it does.
pub fn refused_track(track: TrackObject, refusal: &TrackRefusal) -> TrackObject {
    let code = match refusal {
        TrackRefusal::UnknownTrack => "not_found_track_error",
        _ => "invalid_params",
    };
    track_error(track, code, &refusal.to_string())
}
