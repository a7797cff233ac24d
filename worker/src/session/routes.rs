//! `/auth/refresh`, `/auth/logout`, `/auth/logout-all`, and the session a new guest gets.
//!
//! CSRF: these POSTs act on an ambient cookie, so they require an allowed `Origin` (the
//! worker's own origin or the `ALLOWED_ORIGINS`/`trunk serve` list, as for room sockets; a
//! missing Origin is refused: browsers always send it on POST) and `Content-Type:
//! application/json`, which a cross-site form cannot send and a cross-site `fetch` cannot send
//! without a CORS preflight we never answer. Failures: 403 / 415 problem+json.
//!
//! Every answer is `Cache-Control: no-store`. A refusal (missing, malformed, unknown, expired,
//! revoked or reused cookie) is a 401 problem that also clears the cookie. Logout always
//! answers 204 and clears the cookie (ending a session is idempotent). Access tokens already
//! issued are not revoked: they run out within `ACCESS_TOKEN_SECONDS`, and a socket then
//! closes with 4401 because the app can no longer refresh.

use confab_protocol::{DisplayName, GuestResponse, RefreshRequest, UserInfo};
use worker::{Env, Method, Request, RequestInit, Response, Url};

use crate::config::Config;
use crate::env::{config, now, now_ms};
use crate::http::{
    internal, json, no_store, origin_allowed, problem, read_text, require_json, ApiError,
};
use crate::session::{cookie, SessionCall, SessionOp, SessionReply, TokenRoute};
use crate::token::{Identity, ACCESS_TOKEN_SECONDS};

const DAY_MS: i64 = 24 * 3600 * 1000;

/// `POST /auth/refresh [{"name"}]`: rotates the cookie, returns a new access token for the same
/// user (the body of `POST /auth/guest`). A guest may send a new display name.
pub async fn refresh(mut req: Request, env: &Env) -> Result<Response, ApiError> {
    let (config, secure) = checked(&req, env)?;
    let body = read_text(&mut req).await?;
    let request: RefreshRequest = if body.trim().is_empty() {
        RefreshRequest::default()
    } else {
        serde_json::from_str(&body)
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
    let (config, secure) = checked(&req, env)?;
    if let Some((route, token)) = presented(&req, secure) {
        call(env, &config, &route, SessionOp::Logout { token }).await?;
    }
    ended(secure)
}

/// `POST /auth/logout-all {}`: ends every session of the cookie's user, once the cookie proves
/// a live session.
pub async fn logout_all(req: Request, env: &Env) -> Result<Response, ApiError> {
    let (config, secure) = checked(&req, env)?;
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
pub async fn start_for_guest(
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
fn checked(req: &Request, env: &Env) -> Result<(Config, bool), ApiError> {
    let config = config(env)?;
    let url = req.url().map_err(internal)?;
    let origin = req.headers().get("origin").ok().flatten();
    if !allowed(&url, origin.as_deref(), &config) {
        return Err(ApiError::Forbidden(
            "this request must come from the app's own origin".into(),
        ));
    }
    require_json(req)?;
    Ok((config, cookie::is_secure_scheme(url.scheme())))
}

fn allowed(url: &Url, origin: Option<&str>, config: &Config) -> bool {
    let own = url.origin().ascii_serialization();
    origin_allowed(origin, &own, &config.allowed_origins)
}

/// The cookie's token and where it routes, if it is shaped like one of ours.
pub(crate) fn presented(req: &Request, secure: bool) -> Option<(TokenRoute, String)> {
    let header = req.headers().get("cookie").ok().flatten();
    let token = cookie::read(header.as_deref(), secure)?;
    let route = TokenRoute::parse(token)?;
    Some((route, token.to_owned()))
}

pub(crate) async fn call(
    env: &Env,
    config: &Config,
    route: &TokenRoute,
    op: SessionOp,
) -> Result<SessionReply, ApiError> {
    let body = serde_json::to_string(&SessionCall {
        op,
        now_ms: now_ms(),
        lifetime_ms: i64::from(config.refresh_token_days) * DAY_MS,
    })
    .map_err(internal)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let inner = Request::new_with_init("https://sessions.internal/", &init).map_err(internal)?;
    let sessions = env.durable_object("SESSIONS").map_err(internal)?;
    let stub = sessions.get_by_name(&route.user_id).map_err(internal)?;
    let mut response = stub.fetch_with_request(inner).await.map_err(internal)?;
    if response.status_code() != 200 {
        return Err(ApiError::Internal(format!(
            "sessions answered {}",
            response.status_code()
        )));
    }
    response.json::<SessionReply>().await.map_err(internal)
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

pub(crate) fn max_age(config: &Config) -> i64 {
    i64::from(config.refresh_token_days) * 24 * 3600
}

pub(crate) fn set_cookie(response: &mut Response, value: &str) -> Result<(), ApiError> {
    response
        .headers_mut()
        .append("set-cookie", value)
        .map_err(internal)
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
