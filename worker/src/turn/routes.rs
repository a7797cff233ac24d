//! `GET /api/ice` (Bearer access token): STUN and, when configured, a TURN relay credential for
//! this user (see [`crate::turn`]). Thin glue: the rules live there.
//!
//! `Cache-Control: no-store` (the answer is per user and carries a credential). A user's
//! Cloudflare answer is kept in the isolate and handed out again while young ([`RelayCache`]). A Cloudflare
//! TURN API failure is logged (never the token) and answered STUN only with `relay: false`.

use std::cell::RefCell;

use worker::{Env, Headers, Method, Request, RequestInit, RequestRedirect, Response};

use crate::env::{config, now};
use crate::http::rate_limit::{admit, user_key, Limiter};
use crate::http::{bearer, json, no_store, ApiError};
use crate::outbound::{fetch_within, Answer, FetchFailure};
use crate::turn::cloudflare::{MAX_ANSWER_BYTES, TIMEOUT};
use crate::turn::{cached_ice_response, ApiAnswer, ApiCall, ApiFailure, RelayCache, TurnApi};

thread_local! {
    /// This isolate's kept Cloudflare relay answers. An isolate has one thread; its requests
    /// interleave only at awaits, and no borrow is held across one.
    static RELAY_ANSWERS: &'static RefCell<RelayCache> =
        Box::leak(Box::new(RefCell::new(RelayCache::default())));
}

pub async fn ice(req: &Request, env: &Env) -> Result<Response, ApiError> {
    let config = config(env)?;
    let token = bearer(req).ok_or_else(|| ApiError::Unauthorized("missing bearer token".into()))?;
    let now = now();
    let identity = config
        .keys
        .verify(&token, now)
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    admit(env, Limiter::Ice, user_key(&identity.user_id)).await?;
    let answer = cached_ice_response(
        RELAY_ANSWERS.with(|cache| *cache),
        &config.stun_urls,
        &config.turn,
        config.ice_transport_policy,
        &identity.user_id,
        now.timestamp(),
        &FetchTurnApi,
    )
    .await;
    if let Some(failure) = &answer.failure {
        worker::console_error!("TURN relay unavailable, answering STUN only: {failure}");
    }
    let mut response = json(&answer.response)?;
    no_store(&mut response);
    Ok(response)
}

/// The Cloudflare TURN API over `fetch`, within [`TIMEOUT`].
struct FetchTurnApi;

impl TurnApi for FetchTurnApi {
    async fn send(&self, call: ApiCall) -> Result<ApiAnswer, ApiFailure> {
        let headers = Headers::new();
        let set = |name: &str, value: &str| {
            headers
                .set(name, value)
                .map_err(|_| ApiFailure::Unreachable)
        };
        set("authorization", &call.authorization)?;
        set("content-type", "application/json")?;
        set("accept", "application/json")?;
        let mut init = RequestInit::new();
        // A redirect is an answer we do not understand (and must not carry the token on).
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_redirect(RequestRedirect::Manual)
            .with_body(Some(call.body.into()));
        let request = Request::new_with_init(call.url.as_str(), &init)
            .map_err(|_| ApiFailure::Unreachable)?;
        match fetch_within(request, TIMEOUT, MAX_ANSWER_BYTES).await {
            Ok(Answer { status, body }) => Ok(ApiAnswer { status, body }),
            Err(FetchFailure::Unreachable) => Err(ApiFailure::Unreachable),
            Err(FetchFailure::Timeout) => Err(ApiFailure::Timeout),
        }
    }
}
