//! HTTP entry point: routes requests, maps every failure to problem+json.

use confab_protocol::{
    DisplayName, GuestRequest, GuestResponse, Health, RoomName, UserInfo, SUBPROTOCOL,
};
use worker::{event, Context, Env, Headers, Method, Request, RequestInit, Response, Result};

use crate::avatar::routes as profile_routes;
use crate::env::{config, now};
use crate::http::origin_allowed;
use crate::http::{bearer, internal, json, problem, read_text, require_json, ApiError};
use crate::oauth::routes as auth_routes;
use crate::room::durable_object::MemberHeader;
use crate::room::upgrade::{bearer_from_subprotocols, replaces_from_query};
use crate::session::routes as session_routes;
use crate::token::{Identity, ACCESS_TOKEN_SECONDS};
use crate::turn::routes as ice_routes;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    match route(req, &env).await {
        Ok(response) => Ok(response),
        Err(error) => problem(&error),
    }
}

async fn route(req: Request, env: &Env) -> std::result::Result<Response, ApiError> {
    let url = req.url().map_err(internal)?;
    let segments: Vec<&str> = url.path().trim_matches('/').split('/').collect();
    let method = req.method();
    match (segments.as_slice(), method) {
        (["api", "health"], Method::Get) => json(&Health {
            ok: true,
            version: env!("CARGO_PKG_VERSION").into(),
        }),
        (["auth", "guest"], Method::Post) => guest(req, env).await,
        (["auth", "refresh"], Method::Post) => session_routes::refresh(req, env).await,
        (["auth", "logout"], Method::Post) => session_routes::logout(req, env).await,
        (["auth", "logout-all"], Method::Post) => session_routes::logout_all(req, env).await,
        (["auth", "refresh" | "logout" | "logout-all"], _) => Err(ApiError::MethodNotAllowed),
        (["auth", "providers"], Method::Get) => auth_routes::providers(env),
        (["auth", provider, "login"], Method::Get) => auth_routes::login(req, env, provider).await,
        (["auth", provider, "callback"], Method::Get) => {
            auth_routes::callback(req, env, provider).await
        }
        (["auth", "providers"] | ["auth", _, "login" | "callback"], _) => {
            Err(ApiError::MethodNotAllowed)
        }
        ([".well-known", "jwks.json"], Method::Get) => jwks(env),
        ([".well-known", "jwks.json"], _) => Err(ApiError::MethodNotAllowed),
        (["api", "ice"], Method::Get) => ice_routes::ice(&req, env).await,
        (["api", "me"], Method::Patch) => profile_routes::update_me(req, env).await,
        (["api", "me", "avatar"], Method::Put) => profile_routes::upload_avatar(req, env).await,
        (["api", "avatars", user], Method::Get) => profile_routes::avatar(env, user).await,
        (["api", "rooms"], Method::Post) => profile_routes::create_room(req, env).await,
        (["api", "me"] | ["api", "me", "avatar"] | ["api", "avatars", _] | ["api", "rooms"], _) => {
            Err(ApiError::MethodNotAllowed)
        }
        (["api", "rooms", room, "ws"], Method::Get) => {
            let room = RoomName::parse(room).map_err(|e| ApiError::BadRequest(e.to_string()))?;
            websocket(req, env, room).await
        }
        (["api", "rooms", room, "seed"], Method::Post) => {
            let room = RoomName::parse(room).map_err(|e| ApiError::BadRequest(e.to_string()))?;
            bench_seed(req, env, room).await
        }
        (["api", "rooms", room, "ws"], _) => {
            RoomName::parse(room).map_err(|e| ApiError::BadRequest(e.to_string()))?;
            Err(ApiError::MethodNotAllowed)
        }
        (["api", "health"] | ["auth", "guest"] | ["api", "ice"], _) => {
            Err(ApiError::MethodNotAllowed)
        }
        _ => Err(ApiError::NotFound(url.path().to_owned())),
    }
}

/// `POST /api/rooms/{room}/seed {"texts":[...]}`: bulk chat insert for `cargo xtask bench chat`
/// only. It does not exist (404) unless `ALLOW_BENCH_SEED` is on, which no deployment sets.
async fn bench_seed(
    mut req: Request,
    env: &Env,
    room: RoomName,
) -> std::result::Result<Response, ApiError> {
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
    let body = read_text(&mut req).await?;
    let member = MemberHeader {
        room: room.as_str().to_owned(),
        identity,
        token_exp,
        replaces: None,
    };
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let mut response = to_room(env, &member, "/seed", init, &[]).await?;
    match response.status_code() {
        200 => Ok(response),
        400 => Err(ApiError::BadRequest(
            response.text().await.unwrap_or_default(),
        )),
        status => Err(ApiError::Internal(format!("seed failed with {status}"))),
    }
}

/// `POST /auth/guest {"name"}`: a guest access token. A still-valid guest token in
/// `Authorization` renews the same guest identity (the app does this before expiry).
async fn guest(mut req: Request, env: &Env) -> std::result::Result<Response, ApiError> {
    let config = config(env)?;
    if !config.allow_guests {
        return Err(ApiError::Forbidden(
            "guest access is disabled on this server".into(),
        ));
    }
    require_json(&req)?;
    let body = read_text(&mut req).await?;
    let request: GuestRequest = serde_json::from_str(&body)
        .map_err(|_| ApiError::BadRequest("body must be JSON like {\"name\":\"Mina\"}".into()))?;
    let name =
        DisplayName::parse(&request.name).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let renewing = bearer(&req)
        .and_then(|token| config.keys.verify(&token, now()).ok())
        .filter(|identity| identity.guest);
    let user_id = match renewing {
        Some(identity) => identity.user_id,
        None => format!("guest:{}", uuid::Uuid::new_v4().simple()),
    };
    let identity = Identity {
        user_id,
        name: name.as_str().to_owned(),
        guest: true,
        avatar: None,
    };
    let session_identity = identity.clone();
    let body = GuestResponse {
        access_token: config.keys.issue(&identity, now()),
        token_type: "Bearer".into(),
        expires_in: ACCESS_TOKEN_SECONDS as u64,
        user: UserInfo {
            id: identity.user_id,
            name: identity.name,
            guest: true,
            avatar: None,
        },
    };
    let mut response = json(&body)?;
    let _ = response.headers_mut().set("cache-control", "no-store");
    // A new session (refresh cookie) for this guest: a reload keeps the same identity.
    session_routes::start_for_guest(&req, env, &config, &session_identity, &mut response).await;
    Ok(response)
}

/// `GET /.well-known/jwks.json`: the public halves of our Ed25519 signing keys (an empty set
/// with HS256 keys only), so anyone can verify our access tokens. Cached for five minutes: a
/// new signing key is published before it signs (README, `JWT_KEYS`).
fn jwks(env: &Env) -> std::result::Result<Response, ApiError> {
    let config = config(env)?;
    let mut response = json(&config.keys.jwks())?;
    let _ = response
        .headers_mut()
        .set("cache-control", "public, max-age=300");
    Ok(response)
}

/// `GET /api/rooms/{room}/ws`: checks Origin and token, then hands the upgrade to the room's DO.
async fn websocket(
    req: Request,
    env: &Env,
    room: RoomName,
) -> std::result::Result<Response, ApiError> {
    let headers = req.headers();
    let upgrade = headers.get("upgrade").ok().flatten().unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return Err(ApiError::UpgradeRequired);
    }
    let config = config(env)?;
    let url = req.url().map_err(internal)?;
    let replaces = replaces_from_query(url.query())?;
    let own_origin = url.origin().ascii_serialization();
    let origin = headers.get("origin").ok().flatten();
    if !origin_allowed(origin.as_deref(), &own_origin, &config.allowed_origins) {
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

/// Sends an internal request to the room's Durable Object, carrying the identity the router
/// verified in [`MemberHeader`] (the DO trusts only this header, which clients cannot reach).
pub(crate) async fn to_room(
    env: &Env,
    member: &MemberHeader,
    path: &str,
    mut init: RequestInit,
    extra_headers: &[(&str, &str)],
) -> std::result::Result<Response, ApiError> {
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
