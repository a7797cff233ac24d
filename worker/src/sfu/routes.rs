//! `/api/rooms/{room}/sfu/{SFU path}`: the app's calls to the SFU, through the worker. The
//! route checks what needs no room (the call exists, the token, the caller's peer id, the body's
//! size and type) and hands the rest to the room's Durable Object, which knows who is in the
//! room and what they pushed ([`crate::room::durable_object`]'s `/sfu`).

use confab_protocol::{PeerId, RoomName};
use serde::{Deserialize, Serialize};
use worker::{Env, Method, Request, RequestInit, Response};

use super::proxy::{Operation, ProxyRefusal, MAX_REQUEST_BYTES};
use crate::env::{config, now};
use crate::http::request::discard_body;
use crate::http::{
    bearer, body_within, discard_refused_body, internal, no_store, require_json, ApiError,
};
use crate::room::durable_object::MemberHeader;
use crate::room::routes::to_room;

pub use confab_protocol::sfu_api::PEER_HEADER;

/// What the room's object is asked to do, beside the verified identity.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SfuRequest {
    pub peer: PeerId,
    pub operation: Operation,
}

impl SfuRequest {
    pub const NAME: &'static str = "x-confab-sfu";
}

pub async fn proxy(
    mut req: Request,
    env: &Env,
    room: RoomName,
    path: &[&str],
) -> Result<Response, ApiError> {
    let result = forward(&mut req, env, &room, path).await;
    discard_refused_body(&mut req, &result).await;
    result
}

async fn forward(
    req: &mut Request,
    env: &Env,
    room: &RoomName,
    path: &[&str],
) -> Result<Response, ApiError> {
    let config = config(env)?;
    let here = || format!("/api/rooms/{}/sfu/{}", room.as_str(), path.join("/"));
    if config.media.sfu.is_none() {
        return Err(ApiError::NotFound(format!(
            "{} (this deployment has no SFU)",
            here()
        )));
    }
    let method = req.method().to_string();
    let operation = Operation::parse(&method, path).map_err(|refusal| match refusal {
        ProxyRefusal::NoSuchCall => ApiError::NotFound(here()),
        ProxyRefusal::WrongMethod => ApiError::MethodNotAllowed,
        other => ApiError::BadRequest(other.to_string()),
    })?;
    let token = bearer(req).ok_or_else(|| ApiError::Unauthorized("missing bearer token".into()))?;
    let (identity, token_exp) = config
        .keys
        .verify_session(&token, now())
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    let peer = req
        .headers()
        .get(PEER_HEADER)
        .ok()
        .flatten()
        .map(PeerId)
        .filter(PeerId::is_well_formed)
        .ok_or_else(|| {
            ApiError::BadRequest(format!("{PEER_HEADER} must name your peer id in the room"))
        })?;
    let body = if operation == Operation::NewSession {
        discard_body(req).await;
        Vec::new()
    } else {
        require_json(req)?;
        body_within(req, MAX_REQUEST_BYTES).await?
    };
    let member = MemberHeader::calling(room.as_str(), identity, token_exp);
    let call = serde_json::to_string(&SfuRequest { peer, operation }).map_err(internal)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(
        worker::js_sys::Uint8Array::from(body.as_slice()).into(),
    ));
    let mut response = to_room(env, &member, "/sfu", init, &[(SfuRequest::NAME, &call)]).await?;
    let status = response.status_code();
    let text = response.text().await.map_err(internal)?;
    match status {
        200 | 201 => {
            let mut answer = Response::ok(text).map_err(internal)?.with_status(status);
            let _ = answer.headers_mut().set("content-type", "application/json");
            no_store(&mut answer);
            Ok(answer)
        }
        400 => Err(ApiError::BadRequest(text)),
        403 => Err(ApiError::Forbidden(text)),
        404 => Err(ApiError::NotFound(here())),
        409 => Err(ApiError::Conflict(text)),
        410 => Err(ApiError::Gone(text)),
        429 => Err(ApiError::TooManyRequests {
            detail: text,
            retry_after: 1,
        }),
        502 => Err(ApiError::BadGateway(text)),
        status => Err(ApiError::Internal(format!(
            "the room's SFU call failed with {status}"
        ))),
    }
}
