//! HTTP entry point: the dispatch table from path and method to each feature's handler, and
//! every failure mapped to problem+json. The handlers live with their features:
//!
//! - `session::routes`: `POST /auth/guest`, `/auth/refresh`, `/auth/logout`,
//!   `/auth/logout-all`, `GET /.well-known/jwks.json`.
//! - `oauth::routes`: `GET /auth/providers`, `/auth/{provider}/login`, `/auth/{provider}/callback`.
//! - `turn::routes`: `GET /api/ice`.
//! - `avatar::routes`: `PATCH /api/me`, `PUT /api/me/avatar`, `GET /api/avatars/{user id}`.
//! - `room::routes`: `POST /api/rooms`, `GET /api/rooms/{room}/ws`, `POST /api/rooms/{room}/seed`.
//! - `sfu::routes`: `/api/rooms/{room}/sfu/...`, the app's calls to the SFU.
//! - `health`: `GET /api/health`.
//! - `csp_report`: `POST /api/csp-report`.

use worker::{event, Context, Env, Method, Request, Response, Result};

use crate::health::health;
use crate::http::{internal, problem, ApiError};
use crate::room::routes::room_name;
use crate::{avatar, csp_report, oauth, room, session, sfu, turn};

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
        (["api", "health"], Method::Get) => health(),
        (["api", "csp-report"], Method::Post) => csp_report::routes::csp_report(req).await,
        (["auth", "guest"], Method::Post) => session::routes::guest(req, env).await,
        (["auth", "refresh"], Method::Post) => session::routes::refresh(req, env).await,
        (["auth", "logout"], Method::Post) => session::routes::logout(req, env).await,
        (["auth", "logout-all"], Method::Post) => session::routes::logout_all(req, env).await,
        (["auth", "refresh" | "logout" | "logout-all"], _) => Err(ApiError::MethodNotAllowed),
        (["auth", "providers"], Method::Get) => oauth::routes::providers(env),
        (["auth", provider, "login"], Method::Get) => {
            oauth::routes::login(req, env, provider).await
        }
        (["auth", provider, "callback"], Method::Get) => {
            oauth::routes::callback(req, env, provider).await
        }
        (["auth", "providers"] | ["auth", _, "login" | "callback"], _) => {
            Err(ApiError::MethodNotAllowed)
        }
        ([".well-known", "jwks.json"], Method::Get) => session::routes::jwks(env),
        ([".well-known", "jwks.json"], _) => Err(ApiError::MethodNotAllowed),
        (["api", "ice"], Method::Get) => turn::routes::ice(&req, env).await,
        (["api", "me"], Method::Patch) => avatar::routes::update_me(req, env).await,
        (["api", "me", "avatar"], Method::Put) => avatar::routes::upload_avatar(req, env).await,
        (["api", "avatars", user], Method::Get) => avatar::routes::avatar(env, user).await,
        (["api", "rooms"], Method::Post) => room::routes::create_room(req, env).await,
        (["api", "me"] | ["api", "me", "avatar"] | ["api", "avatars", _] | ["api", "rooms"], _) => {
            Err(ApiError::MethodNotAllowed)
        }
        (["api", "rooms", room, "ws"], Method::Get) => {
            room::routes::websocket(req, env, room_name(room)?).await
        }
        (["api", "rooms", room, "seed"], Method::Post) => {
            room::routes::bench_seed(req, env, room_name(room)?).await
        }
        (["api", "rooms", room, "sfu", path @ ..], _) => {
            let room = room_name(room)?;
            sfu::routes::proxy(req, env, room, path).await
        }
        (["api", "rooms", room, "ws"], _) => {
            room_name(room)?;
            Err(ApiError::MethodNotAllowed)
        }
        (["api", "health"] | ["auth", "guest"] | ["api", "ice"] | ["api", "csp-report"], _) => {
            Err(ApiError::MethodNotAllowed)
        }
        _ => Err(ApiError::NotFound(url.path().to_owned())),
    }
}
