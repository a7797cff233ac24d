//! Provider answers parsed with serde: the token response and each provider's profile, down to
//! one [`ProviderProfile`]. Quirks: GitHub answers errors with HTTP 200 and an `error` field,
//! its user id is a number and `name` may be null (the login is the fallback), the address is
//! the verified primary one from `/user/emails`; Kakao's id is a number and the nickname and
//! picture sit under `kakao_account.profile` (or `properties`); Naver wraps the profile in
//! `{resultcode:"00", response:{...}}` and sends `expires_in` as a string; Google's user info
//! `sub` must be the ID token's.

use confab_protocol::DisplayName;
use serde::Deserialize;

use super::error::{plain_code, ProviderError, Step};
use super::id_token::IdClaims;
use super::provider::Provider;

/// Longest provider user id we accept, in bytes (Google documents at most 255).
pub const MAX_SUBJECT_BYTES: usize = 255;
/// Longest picture URL we keep, in bytes.
const MAX_PICTURE_URL_BYTES: usize = 2048;

/// What a successful token request gave us.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub id_token: Option<String>,
}

impl std::fmt::Debug for Tokens {
    // Tokens never reach a log line through `{:?}`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(..)")
    }
}

/// `expires_in`: a number, or a string (Naver).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Lifetime {
    Seconds(u64),
    Text(String),
}

impl Lifetime {
    fn seconds(&self) -> Option<u64> {
        match self {
            Lifetime::Seconds(seconds) => Some(*seconds),
            Lifetime::Text(text) => text.trim().parse().ok(),
        }
    }
}

#[derive(Deserialize)]
struct TokenBody {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<Lifetime>,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// Parses the token endpoint's answer.
pub fn parse_token_response(
    provider: Provider,
    status: u16,
    body: &[u8],
) -> Result<Tokens, ProviderError> {
    let step = Step::Token;
    // Only a JSON object (serde would also take a JSON array for a struct).
    let parsed: Option<TokenBody> = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .filter(serde_json::Value::is_object)
        .and_then(|value| serde_json::from_value(value).ok());
    let ok_status = (200..300).contains(&status);
    let Some(parsed) = parsed else {
        return Err(if ok_status {
            ProviderError::Unexpected(step)
        } else {
            ProviderError::Status {
                step,
                status,
                code: None,
            }
        });
    };
    if !ok_status {
        return Err(ProviderError::Status {
            step,
            status,
            code: plain_code(parsed.error.as_deref()),
        });
    }
    if let Some(error) = parsed.error.as_deref() {
        return Err(ProviderError::Refused {
            step,
            code: plain_code(Some(error)),
        });
    }
    let access_token = parsed
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or(ProviderError::Unexpected(step))?;
    if let Some(kind) = parsed.token_type.as_deref() {
        if !kind.eq_ignore_ascii_case("bearer") {
            return Err(ProviderError::Unexpected(step));
        }
    }
    if parsed
        .expires_in
        .as_ref()
        .is_some_and(|l| l.seconds().is_none())
    {
        return Err(ProviderError::Unexpected(step));
    }
    let id_token = parsed.id_token.filter(|t| !t.is_empty());
    if provider == Provider::Google && id_token.is_none() {
        return Err(ProviderError::Unexpected(step));
    }
    Ok(Tokens {
        access_token,
        id_token,
    })
}

/// Who signed in, as the provider tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderProfile {
    pub provider: Provider,
    /// The provider's stable user id (as text; GitHub's and Kakao's are numbers).
    pub subject: String,
    /// A valid display name (the provider's, cleaned up, or "<Provider> user").
    pub name: String,
    /// The provider's picture URL (http or https), for the worker to copy at first sign-in.
    pub picture: Option<String>,
    /// A verified address, where the provider says which one is (GitHub).
    pub email: Option<String>,
}

impl ProviderProfile {
    /// Name of this account's `Accounts` Durable Object: `<provider>:<provider user id>`.
    pub fn account_name(&self) -> String {
        format!("{}:{}", self.provider.id(), self.subject)
    }
}

/// Checks the status and parses a JSON profile body.
fn profile_json<T: serde::de::DeserializeOwned>(
    step: Step,
    status: u16,
    body: &[u8],
) -> Result<T, ProviderError> {
    if !(200..300).contains(&status) {
        #[derive(Deserialize)]
        struct ErrorBody {
            #[serde(default)]
            error: Option<String>,
        }
        let code = serde_json::from_slice::<ErrorBody>(body)
            .ok()
            .and_then(|e| plain_code(e.error.as_deref()));
        return Err(ProviderError::Status { step, status, code });
    }
    serde_json::from_slice(body).map_err(|_| ProviderError::Unexpected(step))
}

fn subject(raw: String) -> Result<String, ProviderError> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_SUBJECT_BYTES
        && !raw.chars().any(|c| c.is_control() || c.is_whitespace());
    if ok {
        Ok(raw)
    } else {
        Err(ProviderError::Unexpected(Step::Userinfo))
    }
}

/// The first candidate that makes a valid display name once cleaned ([`DisplayName::cleaned`]:
/// no control or invisible characters, cut to [`DisplayName::MAX_CHARS`]); else "<Provider> user".
fn display_name(provider: Provider, candidates: &[Option<&str>]) -> String {
    candidates
        .iter()
        .flatten()
        .find_map(|raw| DisplayName::cleaned(raw))
        .map(String::from)
        .unwrap_or_else(|| format!("{} user", provider.display_name()))
}

/// A picture URL worth keeping: absolute http(s), not too long.
fn picture(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    if raw.len() > MAX_PICTURE_URL_BYTES {
        return None;
    }
    let url = url::Url::parse(raw).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some()).then(|| url.to_string())
}

#[derive(Deserialize)]
struct GithubUser {
    id: u64,
    login: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    avatar_url: Option<String>,
}

/// GitHub's `GET /user`.
pub fn github_profile(status: u16, body: &[u8]) -> Result<ProviderProfile, ProviderError> {
    let user: GithubUser = profile_json(Step::Userinfo, status, body)?;
    Ok(ProviderProfile {
        provider: Provider::Github,
        subject: user.id.to_string(),
        name: display_name(Provider::Github, &[user.name.as_deref(), Some(&user.login)]),
        picture: picture(user.avatar_url.as_deref()),
        email: None,
    })
}

#[derive(Deserialize)]
struct GithubEmail {
    email: String,
    #[serde(default)]
    primary: bool,
    #[serde(default)]
    verified: bool,
}

/// GitHub's `GET /user/emails`: the verified primary address, if any.
pub fn github_primary_email(status: u16, body: &[u8]) -> Result<Option<String>, ProviderError> {
    let emails: Vec<GithubEmail> = profile_json(Step::Emails, status, body)?;
    Ok(emails
        .into_iter()
        .find(|e| e.primary && e.verified)
        .map(|e| e.email))
}

#[derive(Deserialize)]
struct KakaoUser {
    id: u64,
    #[serde(default)]
    kakao_account: Option<KakaoAccount>,
    #[serde(default)]
    properties: Option<KakaoProperties>,
}

#[derive(Deserialize)]
struct KakaoAccount {
    #[serde(default)]
    profile: Option<KakaoProfile>,
}

#[derive(Deserialize)]
struct KakaoProfile {
    #[serde(default)]
    nickname: Option<String>,
    #[serde(default)]
    profile_image_url: Option<String>,
    /// Kakao's stock silhouette, not a picture of the person.
    #[serde(default)]
    is_default_image: Option<bool>,
}

#[derive(Deserialize)]
struct KakaoProperties {
    #[serde(default)]
    nickname: Option<String>,
}

/// Kakao's `GET /v2/user/me`.
pub fn kakao_profile(status: u16, body: &[u8]) -> Result<ProviderProfile, ProviderError> {
    let user: KakaoUser = profile_json(Step::Userinfo, status, body)?;
    let profile = user.kakao_account.and_then(|a| a.profile);
    let nickname = profile.as_ref().and_then(|p| p.nickname.as_deref());
    let fallback = user.properties.as_ref().and_then(|p| p.nickname.as_deref());
    let picture_url = profile
        .as_ref()
        .filter(|p| p.is_default_image != Some(true))
        .and_then(|p| picture(p.profile_image_url.as_deref()));
    Ok(ProviderProfile {
        provider: Provider::Kakao,
        subject: user.id.to_string(),
        name: display_name(Provider::Kakao, &[nickname, fallback]),
        picture: picture_url,
        email: None,
    })
}

#[derive(Deserialize)]
struct NaverEnvelope {
    resultcode: String,
    #[serde(default)]
    response: Option<NaverUser>,
}

#[derive(Deserialize)]
struct NaverUser {
    id: String,
    #[serde(default)]
    nickname: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    profile_image: Option<String>,
}

/// Naver's `GET /v1/nid/me`.
pub fn naver_profile(status: u16, body: &[u8]) -> Result<ProviderProfile, ProviderError> {
    let envelope: NaverEnvelope = profile_json(Step::Userinfo, status, body)?;
    if envelope.resultcode != "00" {
        return Err(ProviderError::Refused {
            step: Step::Userinfo,
            code: plain_code(Some(&envelope.resultcode)),
        });
    }
    let user = envelope
        .response
        .ok_or(ProviderError::Unexpected(Step::Userinfo))?;
    Ok(ProviderProfile {
        provider: Provider::Naver,
        subject: subject(user.id)?,
        name: display_name(
            Provider::Naver,
            &[user.nickname.as_deref(), user.name.as_deref()],
        ),
        picture: picture(user.profile_image.as_deref()),
        email: None,
    })
}

#[derive(Deserialize)]
struct GoogleUserinfo {
    sub: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    picture: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<bool>,
}

/// Google's user info, for the account the (checked) ID token names.
pub fn google_profile(
    id: &IdClaims,
    status: u16,
    body: &[u8],
) -> Result<ProviderProfile, ProviderError> {
    let info: GoogleUserinfo = profile_json(Step::Userinfo, status, body)?;
    if info.sub != id.sub {
        return Err(ProviderError::SubjectMismatch);
    }
    Ok(ProviderProfile {
        provider: Provider::Google,
        subject: subject(info.sub)?,
        name: display_name(
            Provider::Google,
            &[
                info.name.as_deref(),
                id.name.as_deref(),
                info.given_name.as_deref(),
            ],
        ),
        picture: picture(info.picture.as_deref().or(id.picture.as_deref())),
        email: info.email.filter(|_| info.email_verified == Some(true)),
    })
}

#[cfg(test)]
mod tests;
