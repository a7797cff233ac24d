//! Sessions as the rest of the worker uses them: calls to a user's `Sessions` object, the
//! refresh cookie on a response, and who a Bearer access token speaks for.

use worker::{Env, Method, Request, RequestInit, Response};

use super::{cookie, SessionCall, SessionOp, SessionReply, TokenRoute};
use crate::config::Config;
use crate::env::{now, now_ms};
use crate::http::{bearer, internal, ApiError};
use crate::token::Identity;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// The cookie's token and where it routes, if it is shaped like one of ours.
pub fn presented(req: &Request, secure: bool) -> Option<(TokenRoute, String)> {
    let header = req.headers().get("cookie").ok().flatten();
    let token = cookie::read(header.as_deref(), secure)?;
    let route = TokenRoute::parse(token)?;
    Some((route, token.to_owned()))
}

/// One call to the `Sessions` object of the user `route` names.
pub async fn call(
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

/// The refresh cookie's `Max-Age`, in seconds (`REFRESH_TOKEN_DAYS`).
pub fn max_age(config: &Config) -> i64 {
    i64::from(config.refresh_token_days) * 24 * 3600
}

/// Adds a `Set-Cookie` header to `response`.
pub fn set_cookie(response: &mut Response, value: &str) -> Result<(), ApiError> {
    response
        .headers_mut()
        .append("set-cookie", value)
        .map_err(internal)
}

/// Sets the display name and/or the image path in the user's `Sessions` object; the profile
/// after the change (`None` when that object holds no user).
pub async fn set_profile(
    env: &Env,
    config: &Config,
    user_id: &str,
    name: Option<String>,
    avatar: Option<String>,
    avatar_if_unset: bool,
) -> Result<Option<Identity>, ApiError> {
    let route = TokenRoute {
        user_id: user_id.to_owned(),
    };
    let op = SessionOp::SetProfile {
        name,
        avatar,
        avatar_if_unset,
    };
    match call(env, config, &route, op).await? {
        SessionReply::Profile { identity } => Ok(identity),
        _ => Err(ApiError::Internal(
            "sessions answered a profile change with something else".into(),
        )),
    }
}

/// The signed-in person a request's Bearer token speaks for, and the token's expiry.
pub fn signed_in(req: &Request, config: &Config) -> Result<(Identity, i64), ApiError> {
    let token = bearer(req).ok_or_else(|| ApiError::Unauthorized("missing bearer token".into()))?;
    let (identity, exp) = config
        .keys
        .verify_session(&token, now())
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    if identity.guest {
        return Err(ApiError::Forbidden(
            "guests have no profile; sign in first".into(),
        ));
    }
    Ok((identity, exp))
}
