//! Access tokens and the sessions behind them: `POST /auth/guest` (a guest's token, and the
//! session a new guest gets), `/auth/refresh`, `/auth/logout`, `/auth/logout-all`, and
//! `GET /.well-known/jwks.json` (the keys that verify our access tokens).
//!
//! CSRF: these POSTs act on an ambient cookie, so they require an allowed `Origin` (the
//! worker's own origin or the `ALLOWED_ORIGINS`/`DEV_ORIGINS` list, as for room sockets; a
//! missing Origin is refused: browsers always send it on POST) and `Content-Type:
//! application/json`, which a cross-site form cannot send and a cross-site `fetch` cannot send
//! without a CORS preflight we never answer. Failures: 403 / 415 problem+json.
//!
//! Every answer is `Cache-Control: no-store`. A refusal (missing, malformed, unknown, expired,
//! revoked or reused cookie) is a 401 problem that also clears the cookie. Logout always
//! answers 204 and clears the cookie (ending a session is idempotent). Access tokens already
//! issued are not revoked: they run out within `ACCESS_TOKEN_SECONDS`, and a socket then
//! closes with 4401 because the app can no longer refresh.

use confab_protocol::{DisplayName, GuestRequest, GuestResponse, RefreshRequest, UserInfo};
use worker::{Env, Request, Response, Url};

use super::calls::{call, max_age, presented, set_cookie};
use super::{cookie, SessionOp, SessionReply, TokenRoute};
use crate::config::Config;
use crate::env::{config, now};
use crate::http::rate_limit::{admit_client, Limiter};
use crate::http::{
    internal, json, json_body, no_store, origin_allowed, problem, require_json, ApiError,
};
use crate::token::{Identity, ACCESS_TOKEN_SECONDS};

/// `POST /auth/guest {"name"}`: a new guest's access token and session (refresh cookie).
/// `Authorization` is ignored: the same guest is renewed with `/auth/refresh` only.
pub async fn guest(mut req: Request, env: &Env) -> Result<Response, ApiError> {
    let config = config(env)?;
    if !config.allow_guests {
        return Err(ApiError::Forbidden(
            "guest access is disabled on this server".into(),
        ));
    }
    require_json(&req)?;
    let body = json_body(&mut req).await?;
    let request: GuestRequest = serde_json::from_slice(&body)
        .map_err(|_| ApiError::BadRequest("body must be JSON like {\"name\":\"Mina\"}".into()))?;
    let name =
        DisplayName::parse(&request.name).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    // Counted only once it would make one: a mistake is answered as such.
    admit_client(&req, env, Limiter::Guests).await?;
    // Always a new guest: a guest is renewed only through its refresh cookie's session, so an
    // access token (stolen, or from a session ended everywhere) cannot mint itself another.
    let user_id = format!("guest:{}", uuid::Uuid::new_v4().simple());
    let identity = Identity {
        user_id,
        name: name.as_str().to_owned(),
        guest: true,
        avatar: None,
    };
    let mut response = token_response(&config, &identity)?;
    // A new session (refresh cookie) for this guest: a reload keeps the same identity.
    start_for_guest(&req, env, &config, &identity, &mut response).await;
    Ok(response)
}

/// `POST /auth/refresh [{"name"}]`: rotates the cookie, returns a new access token for the same
/// user (the body of `POST /auth/guest`). A guest may send a new display name.
pub async fn refresh(mut req: Request, env: &Env) -> Result<Response, ApiError> {
    let (config, secure) = checked(&req, env).await?;
    let body = json_body(&mut req).await?;
    let request: RefreshRequest = if body.trim_ascii().is_empty() {
        RefreshRequest::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|_| ApiError::BadRequest("body must be a JSON object like {}".into()))?
    };
    let name = match request.name {
        Some(name) => Some(
            DisplayName::parse(&name)
                .map_err(|e| ApiError::BadRequest(e.to_string()))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    let Some((route, token)) = presented(&req, secure) else {
        return refused("no session", secure);
    };
    let op = SessionOp::Rotate { token, name };
    match call(env, &config, &route, op).await? {
        SessionReply::Issued {
            identity,
            refresh_token,
        } => {
            let mut response = token_response(&config, &identity)?;
            set_cookie(
                &mut response,
                &cookie::set(&refresh_token, secure, max_age(&config)),
            )?;
            Ok(response)
        }
        SessionReply::Refused { reason, .. } => refused(&reason, secure),
        SessionReply::Ended { .. } | SessionReply::Profile { .. } => {
            Err(ApiError::Internal("refresh answered something else".into()))
        }
    }
}

/// `POST /auth/logout {}`: ends this device's session.
pub async fn logout(req: Request, env: &Env) -> Result<Response, ApiError> {
    let (config, secure) = checked(&req, env).await?;
    if let Some((route, token)) = presented(&req, secure) {
        call(env, &config, &route, SessionOp::Logout { token }).await?;
    }
    ended(secure)
}

/// `POST /auth/logout-all {}`: ends every session of the cookie's user, once the cookie proves
/// a live session.
pub async fn logout_all(req: Request, env: &Env) -> Result<Response, ApiError> {
    let (config, secure) = checked(&req, env).await?;
    let Some((route, token)) = presented(&req, secure) else {
        return refused("no session", secure);
    };
    match call(env, &config, &route, SessionOp::LogoutAll { token }).await? {
        SessionReply::Ended { .. } => ended(secure),
        SessionReply::Refused { reason, .. } => refused(&reason, secure),
        SessionReply::Issued { .. } | SessionReply::Profile { .. } => Err(ApiError::Internal(
            "logout-all answered something else".into(),
        )),
    }
}

/// A new session for a new guest (`POST /auth/guest`): the refresh cookie on `response`. Only
/// for a request without an Origin (API clients) or from an allowed one, so another site
/// cannot plant a session. A storage failure is logged and the guest goes on without one.
async fn start_for_guest(
    req: &Request,
    env: &Env,
    config: &Config,
    identity: &Identity,
    response: &mut Response,
) {
    let Ok(url) = req.url() else { return };
    let origin = req.headers().get("origin").ok().flatten();
    if origin.is_some() && !allowed(&url, origin.as_deref(), config) {
        return;
    }
    let secure = cookie::is_secure_scheme(url.scheme());
    let route = TokenRoute {
        user_id: identity.user_id.clone(),
    };
    let op = SessionOp::Issue {
        identity: identity.clone(),
    };
    match call(env, config, &route, op).await {
        Ok(SessionReply::Issued { refresh_token, .. }) => {
            let value = cookie::set(&refresh_token, secure, max_age(config));
            if set_cookie(response, &value).is_err() {
                worker::console_error!("sessions: could not set the session cookie");
            }
        }
        Ok(_) => worker::console_error!("sessions: issue was refused"),
        Err(error) => worker::console_error!("sessions: could not start a session: {error}"),
    }
}

/// The CSRF checks, then the configuration and whether the cookie is the Secure form.
async fn checked(req: &Request, env: &Env) -> Result<(Config, bool), ApiError> {
    let config = config(env)?;
    let url = req.url().map_err(internal)?;
    let origin = req.headers().get("origin").ok().flatten();
    if !allowed(&url, origin.as_deref(), &config) {
        return Err(ApiError::Forbidden(
            "this request must come from the app's own origin".into(),
        ));
    }
    require_json(req)?;
    admit_client(req, env, Limiter::Sessions).await?;
    Ok((config, cookie::is_secure_scheme(url.scheme())))
}

fn allowed(url: &Url, origin: Option<&str>, config: &Config) -> bool {
    let own = url.origin().ascii_serialization();
    origin_allowed(origin, &own, &config.allowed_origins, &config.dev_origins)
}

fn token_response(config: &Config, identity: &Identity) -> Result<Response, ApiError> {
    let body = GuestResponse {
        access_token: config.keys.issue(identity, now()),
        token_type: "Bearer".into(),
        expires_in: ACCESS_TOKEN_SECONDS as u64,
        user: UserInfo {
            id: identity.user_id.clone(),
            name: identity.name.clone(),
            guest: identity.guest,
            avatar: identity.avatar.clone(),
        },
    };
    let mut response = json(&body)?;
    no_store(&mut response);
    Ok(response)
}

/// 401 problem+json that also clears the cookie.
fn refused(reason: &str, secure: bool) -> Result<Response, ApiError> {
    let mut response = problem(&ApiError::Unauthorized(reason.to_owned())).map_err(internal)?;
    no_store(&mut response);
    set_cookie(&mut response, &cookie::clear(secure))?;
    Ok(response)
}

/// 204 that clears the cookie.
fn ended(secure: bool) -> Result<Response, ApiError> {
    let mut response = Response::empty().map_err(internal)?.with_status(204);
    no_store(&mut response);
    set_cookie(&mut response, &cookie::clear(secure))?;
    Ok(response)
}

/// `GET /.well-known/jwks.json`: the public halves of our Ed25519 signing keys (an empty set
/// with HS256 keys only), so anyone can verify our access tokens. Cached for five minutes: a
/// new signing key is published before it signs (README, `JWT_KEYS`).
pub fn jwks(env: &Env) -> Result<Response, ApiError> {
    let config = config(env)?;
    let mut response = json(&config.keys.jwks())?;
    let _ = response
        .headers_mut()
        .set("cache-control", "public, max-age=300");
    Ok(response)
}
