//! Sign-in with a provider: `GET /auth/providers`, `GET /auth/{provider}/login` and
//! `GET /auth/{provider}/callback`. Thin glue: the rules live in [`crate::oauth`].
//!
//! - login: 302 to the provider's authorization URL, with the login cookie
//!   (`confab_oauth` / `__Host-confab_oauth`, see [`crate::oauth::login`]).
//! - callback: 400 problem when the cookie, provider or state do not check out or the state was
//!   already used (consumed once in the `Accounts` object `state:<state>`); 302 back to
//!   `return_to`, not signed in, when the provider reports an error (the user declined); 502
//!   problem when talking to the provider fails; else the account is linked to our user id
//!   (`Accounts` object `<provider>:<id>`), a session starts (`SignIn` in that user's
//!   `Sessions` object), the refresh cookie is set, the login cookie cleared, the browser's
//!   previous session (a guest's, say) ended, and the browser goes back to `return_to` (302).
//!
//! Every answer is `Cache-Control: no-store`. Codes, tokens and secrets never reach a log line
//! or a URL of ours; provider calls time out after [`PROVIDER_TIMEOUT`].

use std::time::Duration;

use confab_protocol::{ProviderInfo, ProvidersResponse};
use worker::{Env, Headers, Method, Request, RequestInit, RequestRedirect, Response, Url};

use crate::config::Config;
use crate::env::{config, now, now_ms};
use crate::http::{internal, json, no_store, problem, ApiError};
use crate::oauth::accounts::{state_instance, AccountsCall, AccountsOp, AccountsReply};
use crate::oauth::authorize::{authorize_url, redirect_uri};
use crate::oauth::callback::{self, CallbackParams, CallbackRefusal};
use crate::oauth::config::ProviderSettings;
use crate::oauth::flow::{self, Inbound, Outbound, Transport, TransportError};
use crate::oauth::login::{self, LoginClaims};
use crate::oauth::pkce::{encode_random, RANDOM_BYTES};
use crate::oauth::provider::Provider;
use crate::oauth::responses::ProviderProfile;
use crate::oauth::return_to;
use crate::outbound::{fetch_within, Answer, FetchFailure};
use crate::session::calls as session_calls;
use crate::session::{cookie, SessionOp, SessionReply, TokenRoute};
use crate::token::Identity;

/// How long one call to a provider may take, answer body included.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest provider answer read.
const MAX_PROVIDER_BODY_BYTES: usize = 1024 * 1024;
/// A used state is kept a little longer than its login cookie could be accepted.
const STATE_KEEP_AFTER_EXPIRY_MS: i64 = 60_000;

/// `GET /auth/providers`: the configured providers in offering order, and whether guests may
/// join.
pub fn providers(env: &Env) -> Result<Response, ApiError> {
    let config = config(env)?;
    let body = ProvidersResponse {
        providers: config
            .oauth
            .providers
            .iter()
            .map(|s| ProviderInfo {
                id: s.provider.id().to_owned(),
                name: s.provider.display_name().to_owned(),
            })
            .collect(),
        guests: config.allow_guests,
    };
    let mut response = json(&body)?;
    no_store(&mut response);
    Ok(response)
}

/// `GET /auth/{provider}/login?return_to=/r/abc`.
pub async fn login(req: Request, env: &Env, provider_id: &str) -> Result<Response, ApiError> {
    not_stored(start(req, env, provider_id).await)
}

/// `GET /auth/{provider}/callback?code=..&state=..` (or `?error=..&state=..`).
pub async fn callback(req: Request, env: &Env, provider_id: &str) -> Result<Response, ApiError> {
    not_stored(finish(req, env, provider_id).await)
}

async fn start(req: Request, env: &Env, provider_id: &str) -> Result<Response, ApiError> {
    let config = config(env)?;
    let settings = configured(&config, provider_id)?;
    let provider = settings.provider;
    let url = req.url().map_err(internal)?;
    let raw_return_to = url
        .query_pairs()
        .find(|(key, _)| key == "return_to")
        .map(|(_, value)| value.into_owned());
    let return_to = return_to::validate(raw_return_to.as_deref(), &url)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let claims = LoginClaims {
        provider,
        state: random_value()?,
        verifier: if provider.pkce() {
            Some(random_value()?)
        } else {
            None
        },
        nonce: if provider.nonce() {
            Some(random_value()?)
        } else {
            None
        },
        return_to,
    };
    let redirect = redirect_uri(&base_url(&config, &url), provider);
    let location = authorize_url(settings, &redirect, &claims);
    let secure = cookie::is_secure_scheme(url.scheme());
    let mut response = redirect_to(location.as_str())?;
    let value = login::sign(&config.keys, &claims, now());
    session_calls::set_cookie(&mut response, &login::set_cookie(&value, secure))?;
    Ok(response)
}

async fn finish(req: Request, env: &Env, provider_id: &str) -> Result<Response, ApiError> {
    let config = config(env)?;
    let settings = configured(&config, provider_id)?;
    let provider = settings.provider;
    let url = req.url().map_err(internal)?;
    let secure = cookie::is_secure_scheme(url.scheme());
    let params = CallbackParams::from_url(&url);
    let cookie_header = req.headers().get("cookie").ok().flatten();
    let login_cookie = login::read_cookie(cookie_header.as_deref(), secure);
    let (claims, expires_at) =
        callback::check(provider, login_cookie, &params, &config.keys, now()).map_err(refusal)?;

    // From here on the sign-in is over whatever happens: the login cookie goes.
    let done = |result: Result<Response, ApiError>| -> Result<Response, ApiError> {
        let mut response = not_stored(result)?;
        session_calls::set_cookie(&mut response, &login::clear_cookie(secure))?;
        Ok(response)
    };

    let delete_at_ms = expires_at * 1000 + STATE_KEEP_AFTER_EXPIRY_MS;
    let consumed = accounts(
        env,
        &state_instance(&claims.state),
        AccountsOp::ConsumeState { delete_at_ms },
    )
    .await;
    match consumed {
        Ok(AccountsReply::State { fresh: true, .. }) => {}
        Ok(AccountsReply::State { fresh: false, .. }) => {
            return done(Err(refusal(CallbackRefusal::StateUsed)))
        }
        Ok(other) => return done(Err(internal(format!("state answered {other:?}")))),
        Err(error) => return done(Err(error)),
    }
    if params.error.is_some() {
        // The user declined (or the provider would not ask them): back, not signed in.
        return done(redirect_to(&claims.return_to));
    }
    let Some(code) = params.code.as_deref() else {
        return done(Err(refusal(CallbackRefusal::NoCode)));
    };
    let redirect = redirect_uri(&base_url(&config, &url), provider);
    let profile =
        match flow::fetch_profile(&FetchTransport, settings, &redirect, code, &claims, now()).await
        {
            Ok(profile) => profile,
            Err(error) => {
                return done(Err(ApiError::BadGateway(format!(
                    "sign-in with {} failed: {error}",
                    provider.display_name()
                ))))
            }
        };
    done(sign_in(&req, env, &config, secure, &profile, &claims.return_to).await)
}

/// Links the account, starts the session and answers with the cookie and the redirect.
async fn sign_in(
    req: &Request,
    env: &Env,
    config: &Config,
    secure: bool,
    profile: &ProviderProfile,
    return_to: &str,
) -> Result<Response, ApiError> {
    let link = AccountsOp::Link {
        provider: profile.provider.id().to_owned(),
        subject: profile.subject.clone(),
    };
    let user_id = match accounts(env, &profile.account_name(), link).await? {
        AccountsReply::Linked { user_id, .. } => user_id,
        other => return Err(internal(format!("link answered {other:?}"))),
    };
    let route = TokenRoute {
        user_id: user_id.clone(),
    };
    let from_provider = Identity {
        user_id,
        name: profile.name.clone(),
        guest: false,
        avatar: None,
    };
    let op = SessionOp::SignIn {
        identity: from_provider,
    };
    let (identity, refresh_token) = match session_calls::call(env, config, &route, op).await? {
        SessionReply::Issued {
            identity,
            refresh_token,
        } => (identity, refresh_token),
        _ => return Err(internal("sign-in was refused by the session store")),
    };
    if identity.avatar.is_none() {
        if let Some(picture) = profile.picture.as_deref() {
            // First sign-in (or still no image): copy the provider's picture into our store,
            // so browsers never load third-party image URLs. A failure is logged there.
            crate::avatar::adopt_provider_picture(env, &identity.user_id, picture).await;
        }
    }
    // The browser's previous session (a guest's, or another account's) ends here.
    if let Some((old_route, old_token)) = session_calls::presented(req, secure) {
        let logout = SessionOp::Logout { token: old_token };
        if let Err(error) = session_calls::call(env, config, &old_route, logout).await {
            worker::console_error!("sign-in: could not end the previous session: {error}");
        }
    }
    let mut response = redirect_to(return_to)?;
    session_calls::set_cookie(
        &mut response,
        &cookie::set(&refresh_token, secure, session_calls::max_age(config)),
    )?;
    Ok(response)
}

/// The settings of a configured provider; an unknown or unconfigured one is 404.
fn configured<'a>(config: &'a Config, provider_id: &str) -> Result<&'a ProviderSettings, ApiError> {
    Provider::from_id(provider_id)
        .and_then(|provider| config.oauth.get(provider))
        .ok_or_else(|| ApiError::NotFound(format!("sign-in provider {provider_id:?}")))
}

/// `PUBLIC_URL`, else the request's own origin.
fn base_url(config: &Config, request_url: &Url) -> Url {
    config
        .oauth
        .public_url
        .clone()
        .unwrap_or_else(|| request_url.clone())
}

fn random_value() -> Result<String, ApiError> {
    let mut bytes = [0u8; RANDOM_BYTES];
    getrandom::fill(&mut bytes).map_err(|_| internal("no random source"))?;
    Ok(encode_random(&bytes))
}

/// A 302 to `location`, not cached.
fn redirect_to(location: &str) -> Result<Response, ApiError> {
    let mut response = Response::empty().map_err(internal)?.with_status(302);
    response
        .headers_mut()
        .set("location", location)
        .map_err(internal)?;
    no_store(&mut response);
    Ok(response)
}

/// Errors as problem responses that are not cached either.
fn not_stored(result: Result<Response, ApiError>) -> Result<Response, ApiError> {
    let mut response = match result {
        Ok(response) => response,
        Err(error) => problem(&error).map_err(internal)?,
    };
    no_store(&mut response);
    Ok(response)
}

fn refusal(refusal: CallbackRefusal) -> ApiError {
    ApiError::BadRequest(refusal.to_string())
}

/// One call to the `Accounts` object named `instance`.
async fn accounts(env: &Env, instance: &str, op: AccountsOp) -> Result<AccountsReply, ApiError> {
    let body = serde_json::to_string(&AccountsCall {
        op,
        now_ms: now_ms(),
    })
    .map_err(internal)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    let inner = Request::new_with_init("https://accounts.internal/", &init).map_err(internal)?;
    let namespace = env.durable_object("ACCOUNTS").map_err(internal)?;
    let stub = namespace.get_by_name(instance).map_err(internal)?;
    let mut response = stub.fetch_with_request(inner).await.map_err(internal)?;
    if response.status_code() != 200 {
        return Err(internal(format!(
            "accounts answered {}",
            response.status_code()
        )));
    }
    response.json::<AccountsReply>().await.map_err(internal)
}

/// Provider calls over `fetch`: redirects are not followed (an answer is the endpoint's own),
/// and the whole call, body included, is aborted after [`PROVIDER_TIMEOUT`].
struct FetchTransport;

impl Transport for FetchTransport {
    async fn send(&self, outbound: Outbound) -> Result<Inbound, TransportError> {
        let headers = Headers::new();
        for (name, value) in &outbound.headers {
            headers
                .set(name, value)
                .map_err(|_| TransportError::Unreachable)?;
        }
        let mut init = RequestInit::new();
        init.with_method(match outbound.method {
            flow::Method::Get => Method::Get,
            flow::Method::Post => Method::Post,
        })
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
        if let Some(body) = outbound.body {
            init.with_body(Some(body.into()));
        }
        let request = Request::new_with_init(outbound.url.as_str(), &init)
            .map_err(|_| TransportError::Unreachable)?;
        // An oversized answer comes back empty: not one we understand, so parsing it fails.
        match fetch_within(request, PROVIDER_TIMEOUT, MAX_PROVIDER_BODY_BYTES).await {
            Ok(Answer { status, body }) => Ok(Inbound { status, body }),
            Err(FetchFailure::Unreachable) => Err(TransportError::Unreachable),
            Err(FetchFailure::Timeout) => Err(TransportError::Timeout),
        }
    }
}
