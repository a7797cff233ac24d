//! From an authorization code to a [`ProviderProfile`]: the token request, the ID token checks
//! (Google) and the profile requests, over a [`Transport`] that the worker implements with
//! `fetch` and host tests with canned answers.

use std::future::Future;

use chrono::{DateTime, Utc};
use url::Url;

use super::authorize::token_request_body;
use super::config::ProviderSettings;
use super::error::{ProviderError, Step};
use super::id_token::{self, Expected, IdTokenError};
use super::login::LoginClaims;
use super::provider::Provider;
use super::responses::{self, parse_token_response, ProviderProfile};

/// `User-Agent` of every provider call (GitHub refuses calls without one).
pub const USER_AGENT: &str = "confab";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// A request to a provider.
#[derive(Clone, PartialEq, Eq)]
pub struct Outbound {
    pub step: Step,
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl std::fmt::Debug for Outbound {
    // Bodies and headers carry codes, secrets and tokens: only the target is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} {}", self.method, self.url.path())
    }
}

/// A provider's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    pub status: u16,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportError {
    Unreachable,
    Timeout,
}

/// Sends requests to providers.
pub trait Transport {
    fn send(&self, request: Outbound) -> impl Future<Output = Result<Inbound, TransportError>>;
}

async fn send<T: Transport>(transport: &T, request: Outbound) -> Result<Inbound, ProviderError> {
    let step = request.step;
    transport.send(request).await.map_err(|e| match e {
        TransportError::Unreachable => ProviderError::Unreachable(step),
        TransportError::Timeout => ProviderError::Timeout(step),
    })
}

/// The token request.
pub fn token_request(
    settings: &ProviderSettings,
    redirect_uri: &str,
    code: &str,
    login: &LoginClaims,
) -> Outbound {
    Outbound {
        step: Step::Token,
        method: Method::Post,
        url: settings.token_url.clone(),
        headers: vec![
            (
                "content-type",
                "application/x-www-form-urlencoded".to_owned(),
            ),
            ("accept", "application/json".to_owned()),
            ("user-agent", USER_AGENT.to_owned()),
        ],
        body: Some(token_request_body(settings, redirect_uri, code, login)),
    }
}

/// A `GET` with the access token, and GitHub's API headers for GitHub.
fn api_get(provider: Provider, step: Step, url: &Url, access_token: &str) -> Outbound {
    let accept = match provider {
        Provider::Github => "application/vnd.github+json",
        _ => "application/json",
    };
    Outbound {
        step,
        method: Method::Get,
        url: url.clone(),
        headers: vec![
            ("authorization", format!("Bearer {access_token}")),
            ("accept", accept.to_owned()),
            ("user-agent", USER_AGENT.to_owned()),
        ],
        body: None,
    }
}

/// Exchanges `code` and reads who signed in.
pub async fn fetch_profile<T: Transport>(
    transport: &T,
    settings: &ProviderSettings,
    redirect_uri: &str,
    code: &str,
    login: &LoginClaims,
    now: DateTime<Utc>,
) -> Result<ProviderProfile, ProviderError> {
    let provider = settings.provider;
    let answer = send(
        transport,
        token_request(settings, redirect_uri, code, login),
    )
    .await?;
    let tokens = parse_token_response(provider, answer.status, &answer.body)?;
    let userinfo = |step| api_get(provider, step, &settings.userinfo_url, &tokens.access_token);
    match provider {
        Provider::Google => {
            let expected = Expected {
                issuer: settings.issuer.as_deref().unwrap_or_default(),
                client_id: &settings.client_id,
                nonce: login.nonce.as_deref().ok_or(IdTokenError::Nonce)?,
                now,
            };
            let id_token = tokens.id_token.as_deref().unwrap_or_default();
            let claims = id_token::check(id_token, &expected)?;
            let info = send(transport, userinfo(Step::Userinfo)).await?;
            responses::google_profile(&claims, info.status, &info.body)
        }
        Provider::Github => {
            let info = send(transport, userinfo(Step::Userinfo)).await?;
            let mut profile = responses::github_profile(info.status, &info.body)?;
            if let Some(url) = &settings.emails_url {
                // The address is a nicety: without it the sign-in still stands.
                let request = api_get(provider, Step::Emails, url, &tokens.access_token);
                if let Ok(answer) = send(transport, request).await {
                    profile.email = responses::github_primary_email(answer.status, &answer.body)
                        .ok()
                        .flatten();
                }
            }
            Ok(profile)
        }
        Provider::Kakao => {
            let info = send(transport, userinfo(Step::Userinfo)).await?;
            responses::kakao_profile(info.status, &info.body)
        }
        Provider::Naver => {
            let info = send(transport, userinfo(Step::Userinfo)).await?;
            responses::naver_profile(info.status, &info.body)
        }
    }
}

#[cfg(test)]
mod tests;
