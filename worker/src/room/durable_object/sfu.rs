//! The room's half of the SFU proxy (`/sfu`, from `sfu::routes`): the caller must be a member
//! of this room on the peer they name, a call about a session must be about their own, pulls
//! go on only for tracks offered here ([`crate::sfu::proxy`]); then the SFU is called with the
//! app token and what it answers is kept with the caller's socket (their session, the tracks
//! they pushed).

use std::time::Duration;

use confab_protocol::sfu_api::{
    CloseTracksRequest, CloseTracksResponse, NewSessionResponse, RenegotiateRequest,
    RenegotiateResponse, SfuError, TracksRequest, TracksResponse, UpdateTracksRequest,
    UpdateTracksResponse,
};
use confab_protocol::{MediaRoute, ServerFrame};
use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::{Headers, Method, Request, RequestInit, RequestRedirect, Response, Result, WebSocket};

use super::{attachment, MemberHeader, Room};
use crate::env::config;
use crate::outbound::{fetch_within, Answer, FetchFailure};
use crate::room::Attachment;
use crate::sfu::proxy::{
    is_push, merge, own_session, plan, pushed_names, refusal_status, Operation, SfuCall,
    MAX_ANSWER_BYTES,
};
use crate::sfu::routes::SfuRequest;
use crate::sfu::tracks::TrackRegistry;

/// Cloudflare waits up to 5 s for a connection before an operation fails; a little more here.
const TIMEOUT: Duration = Duration::from_secs(8);

impl Room {
    pub(super) async fn sfu(&self, mut req: Request, member: MemberHeader) -> Result<Response> {
        let header = req.headers().get(SfuRequest::NAME)?.unwrap_or_default();
        let Ok(call) = serde_json::from_str::<SfuRequest>(&header) else {
            return Response::error("bad internal request", 400);
        };
        let Some(sfu) = config(&self.env).ok().and_then(|c| c.media.sfu) else {
            return Response::error("this deployment has no SFU", 404);
        };
        let Some((socket, _)) = self.socket_of(&call, &member) else {
            return Response::error("you are not in this room as that peer", 403);
        };
        if self.route() == MediaRoute::Mesh {
            // The room decides when it moves to the SFU (a `route` frame says so); until
            // then nobody's media goes through it.
            return Response::error("this room is on the mesh now, not the SFU", 409);
        }
        let registry = self.track_registry();
        if let Err(refusal) = own_session(&registry, &call.peer, &call.operation) {
            return Response::error(refusal.to_string(), 403);
        }
        let body = req.bytes().await?;
        let mut refused = Vec::new();
        let mut pushing = false;
        let forward = match &call.operation {
            Operation::NewSession => String::new(),
            Operation::TracksNew(_) => {
                let Ok(request) = serde_json::from_slice::<TracksRequest>(&body) else {
                    return Response::error("the body is not a tracks/new request", 400);
                };
                pushing = is_push(&request);
                let split = plan(&registry, &call.peer, request);
                if split.asks_nothing() && !pushing {
                    // Nothing the room allows: the SFU is not asked at all.
                    return Response::from_json(&merge(TracksResponse::default(), split.refused));
                }
                refused = split.refused;
                serde_json::to_string(&split.forward)?
            }
            Operation::Renegotiate(_) => match reshaped::<RenegotiateRequest>(&body) {
                Some(json) => json,
                None => return Response::error("the body is not a renegotiate request", 400),
            },
            Operation::TracksUpdate(_) => match reshaped::<UpdateTracksRequest>(&body) {
                Some(json) => json,
                None => return Response::error("the body is not a tracks/update request", 400),
            },
            Operation::TracksClose(_) => match reshaped::<CloseTracksRequest>(&body) {
                Some(json) => json,
                None => return Response::error("the body is not a tracks/close request", 400),
            },
        };
        let answer = match send(sfu.call(&call.operation, forward)).await {
            Ok(answer) => answer,
            Err(FetchFailure::Unreachable) => {
                return Response::error("the SFU could not be reached", 502)
            }
            Err(FetchFailure::Timeout) => {
                return Response::error("the SFU did not answer in time", 502)
            }
        };
        if !(200..300).contains(&answer.status) {
            let error = serde_json::from_slice::<SfuError>(&answer.body).ok();
            let said = error.map_or_else(
                || format!("HTTP {}", answer.status),
                |e| format!("{}: {}", e.error_code, e.error_description),
            );
            let status = refusal_status(&call.operation, answer.status);
            let what = if status == 410 {
                "the SFU no longer knows this session"
            } else {
                "the SFU refused"
            };
            return Response::error(format!("{what}: {said}"), status);
        }
        match &call.operation {
            Operation::NewSession => {
                let Some(new) = parsed::<NewSessionResponse>(&answer.body) else {
                    return Response::error("the SFU's answer is not a new session", 502);
                };
                let kept = self.keep(&socket, &call, |registry| {
                    registry.open_session(&call.peer, &new.session_id).is_ok()
                });
                if !kept {
                    return Response::error("the SFU's session id was refused", 502);
                }
                Ok(Response::from_json(&new)?.with_status(201))
            }
            Operation::TracksNew(_) => {
                let Some(answer) = parsed::<TracksResponse>(&answer.body) else {
                    return Response::error("the SFU's answer is not a tracks answer", 502);
                };
                if pushing {
                    self.keep(&socket, &call, |registry| {
                        for name in pushed_names(&answer) {
                            let _ = registry.announce(&call.peer, &name);
                        }
                        true
                    });
                }
                Response::from_json(&merge(answer, refused))
            }
            Operation::Renegotiate(_) => passed_on::<RenegotiateResponse>(&answer),
            Operation::TracksUpdate(_) => passed_on::<UpdateTracksResponse>(&answer),
            Operation::TracksClose(_) => passed_on::<CloseTracksResponse>(&answer),
        }
    }

    /// The caller's socket in this room: theirs (same user), a member (not waiting, not
    /// closing).
    fn socket_of(
        &self,
        call: &SfuRequest,
        member: &MemberHeader,
    ) -> Option<(WebSocket, Attachment)> {
        self.state
            .get_websockets_with_tag(call.peer.as_str())
            .into_iter()
            .find_map(|ws| {
                let found = attachment(&ws).filter(|a| {
                    a.member.user_id == member.identity.user_id && !a.closing && a.waiting.is_none()
                })?;
                Some((ws, found))
            })
    }

    /// The SFU sessions and tracks of the members present.
    fn track_registry(&self) -> TrackRegistry {
        TrackRegistry::from_pushers(
            self.members()
                .into_iter()
                .filter_map(|a| a.member.sfu.map(|pusher| (a.member.peer_id, *pusher))),
        )
    }

    /// Applies `change` to the registry as it is now (the SFU call let other events in) and
    /// keeps the caller's part with their socket; the others hear what they now push. False
    /// when `change` refused.
    fn keep(
        &self,
        socket: &WebSocket,
        call: &SfuRequest,
        change: impl FnOnce(&mut TrackRegistry) -> bool,
    ) -> bool {
        let Some(mut mine) = attachment(socket).filter(|a| !a.closing) else {
            return false;
        };
        let mut registry = self.track_registry();
        if !change(&mut registry) {
            return false;
        }
        let before = mine.member.sfu.take();
        mine.member.sfu = registry.pusher(&call.peer).cloned().map(Box::new);
        if socket.serialize_attachment(&mine).is_err() {
            return false;
        }
        if mine.member.sfu != before {
            let pushes = ServerFrame::SfuTracks {
                peer_id: call.peer.clone(),
                sfu: mine.member.sfu,
            };
            self.broadcast_except(&call.peer, &pushes);
        }
        true
    }
}

/// The body as `T` and back: only the fields the API knows go on to the SFU.
fn reshaped<T: DeserializeOwned + Serialize>(body: &[u8]) -> Option<String> {
    let value: T = serde_json::from_slice(body).ok()?;
    serde_json::to_string(&value).ok()
}

fn parsed<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    serde_json::from_slice(body).ok()
}

/// The SFU's answer as `T`, re-serialised.
fn passed_on<T: DeserializeOwned + Serialize>(answer: &Answer) -> Result<Response> {
    match parsed::<T>(&answer.body) {
        Some(value) => Response::from_json(&value),
        None => Response::error("the SFU's answer is not the documented JSON", 502),
    }
}

async fn send(call: SfuCall) -> std::result::Result<Answer, FetchFailure> {
    let headers = Headers::new();
    let set = |name: &str, value: &str| {
        headers
            .set(name, value)
            .map_err(|_| FetchFailure::Unreachable)
    };
    set("authorization", &call.authorization)?;
    set("accept", "application/json")?;
    let mut init = RequestInit::new();
    let method = if call.method == "PUT" {
        Method::Put
    } else {
        Method::Post
    };
    // A redirect is an answer we do not understand (and must not carry the token on).
    init.with_method(method)
        .with_redirect(RequestRedirect::Manual);
    if !call.body.is_empty() {
        set("content-type", "application/json")?;
        init.with_body(Some(call.body.into()));
    }
    init.with_headers(headers);
    let request =
        Request::new_with_init(call.url.as_str(), &init).map_err(|_| FetchFailure::Unreachable)?;
    fetch_within(request, TIMEOUT, MAX_ANSWER_BYTES).await
}
