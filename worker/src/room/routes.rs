//! The room's HTTP routes: `GET /api/rooms/{room}/ws` (the WebSocket upgrade), `POST
//! /api/rooms` (a new room that may require sign-in) and the benchmark-only
//! `POST /api/rooms/{room}/seed`. Each checks what it can here (Origin, token, body) and hands
//! the rest to the room's Durable Object over an internal request that carries the verified
//! identity in [`MemberHeader`].

use confab_protocol::{CreateRoomRequest, CreateRoomResponse, RoomName, SUBPROTOCOL};
use worker::{Env, Headers, Method, Request, RequestInit, Response};

use super::durable_object::MemberHeader;
use super::settings::new_room_name;
use super::upgrade::{bearer_from_subprotocols, replaces_from_query, standby_from_query};
use crate::env::{config, now};
use crate::http::{
    bearer, body_within, discard_refused_body, internal, json, json_body, json_object, no_store,
    origin_allowed, require_json, ApiError,
};
use crate::session::calls::signed_in;

/// The benchmark's chat seed: batches of a few thousand short messages.
const MAX_SEED_BYTES: usize = 1024 * 1024;

/// The room named by a path segment; 400 when it is not a valid room name.
pub fn room_name(segment: &str) -> Result<RoomName, ApiError> {
    RoomName::parse(segment).map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// `GET /api/rooms/{room}/ws`: checks Origin and token, then hands the upgrade to the room's DO.
pub async fn websocket(req: Request, env: &Env, room: RoomName) -> Result<Response, ApiError> {
    let headers = req.headers();
    let upgrade = headers.get("upgrade").ok().flatten().unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return Err(ApiError::UpgradeRequired);
    }
    let config = config(env)?;
    let url = req.url().map_err(internal)?;
    let replaces = replaces_from_query(url.query())?;
    let standby = standby_from_query(url.query())?;
    let own_origin = url.origin().ascii_serialization();
    let origin = headers.get("origin").ok().flatten();
    if !origin_allowed(
        origin.as_deref(),
        &own_origin,
        &config.allowed_origins,
        &config.dev_origins,
    ) {
        return Err(ApiError::Forbidden(
            "this origin may not open room sockets".into(),
        ));
    }
    let protocols = headers.get("sec-websocket-protocol").ok().flatten();
    let token = bearer_from_subprotocols(protocols.as_deref())?;
    let (identity, token_exp) = config
        .keys
        .verify_session(token, now())
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;

    let member = MemberHeader {
        room: room.as_str().to_owned(),
        identity,
        token_exp,
        replaces,
        standby,
    };
    let upgrade = [("upgrade", "websocket")];
    let mut response = to_room(env, &member, "/ws", RequestInit::new(), &upgrade).await?;
    if response.status_code() == 101 {
        let _ = response
            .headers_mut()
            .set("sec-websocket-protocol", SUBPROTOCOL);
    }
    Ok(response)
}

/// Sends an internal request to the room's Durable Object, carrying the identity a route has
/// verified in [`MemberHeader`] (the DO trusts only this header, which clients cannot reach).
pub(crate) async fn to_room(
    env: &Env,
    member: &MemberHeader,
    path: &str,
    mut init: RequestInit,
    extra_headers: &[(&str, &str)],
) -> Result<Response, ApiError> {
    let headers = Headers::new();
    for (name, value) in extra_headers {
        headers.set(name, value).map_err(internal)?;
    }
    headers
        .set(
            MemberHeader::NAME,
            &serde_json::to_string(member).map_err(internal)?,
        )
        .map_err(internal)?;
    init.with_headers(headers);
    let inner =
        Request::new_with_init(&format!("https://room.internal{path}"), &init).map_err(internal)?;
    let rooms = env.durable_object("ROOMS").map_err(internal)?;
    let stub = rooms.get_by_name(&member.room).map_err(internal)?;
    stub.fetch_with_request(inner).await.map_err(internal)
}

/// `POST /api/rooms {"require_sign_in":true}` → 201 `{"room","require_sign_in"}`: a new room
/// with a random name whose settings its Durable Object stores.
pub async fn create_room(mut req: Request, env: &Env) -> Result<Response, ApiError> {
    let result = new_room(&mut req, env).await;
    discard_refused_body(&mut req, &result).await;
    result
}

async fn new_room(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let config = config(env)?;
    let (identity, token_exp) = signed_in(req, &config)?;
    require_json(req)?;
    let body = json_body(req).await?;
    let request: CreateRoomRequest = json_object(&body, "{\"require_sign_in\":true}")?;
    let room = RoomName::parse(&new_room_name()).map_err(internal)?;
    let member = MemberHeader::calling(room.as_str(), identity, token_exp);
    let inner = serde_json::to_string(&request).map_err(internal)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(inner.into()));
    let mut response = to_room(env, &member, "/settings", init, &[]).await?;
    match response.status_code() {
        201 => {
            let created: CreateRoomResponse = response.json().await.map_err(internal)?;
            let mut response = json(&created)?.with_status(201);
            no_store(&mut response);
            Ok(response)
        }
        409 => Err(ApiError::Conflict(
            response.text().await.unwrap_or_default(),
        )),
        status => Err(ApiError::Internal(format!(
            "room settings failed with {status}"
        ))),
    }
}

/// `POST /api/rooms/{room}/seed {"texts":[...]}`: bulk chat insert for `cargo xtask bench chat`
/// only. It does not exist (404) unless `ALLOW_BENCH_SEED` is on, which no deployment sets.
pub async fn bench_seed(mut req: Request, env: &Env, room: RoomName) -> Result<Response, ApiError> {
    let config = config(env)?;
    if !config.allow_bench_seed {
        return Err(ApiError::NotFound(format!(
            "/api/rooms/{}/seed",
            room.as_str()
        )));
    }
    require_json(&req)?;
    let token =
        bearer(&req).ok_or_else(|| ApiError::Unauthorized("missing bearer token".into()))?;
    let (identity, token_exp) = config
        .keys
        .verify_session(&token, now())
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    let body = body_within(&mut req, MAX_SEED_BYTES).await?;
    let member = MemberHeader::calling(room.as_str(), identity, token_exp);
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(
        worker::js_sys::Uint8Array::from(body.as_slice()).into(),
    ));
    let mut response = to_room(env, &member, "/seed", init, &[]).await?;
    match response.status_code() {
        200 => Ok(response),
        400 => Err(ApiError::BadRequest(
            response.text().await.unwrap_or_default(),
        )),
        status => Err(ApiError::Internal(format!("seed failed with {status}"))),
    }
}
