//! Cloudflare's TURN service: `POST <api>/v1/turn/keys/{key id}/credentials/generate-ice-servers`
//! with `Authorization: Bearer <TURN key API token>` and `{"ttl": seconds}` answers 201 with
//! `{"iceServers": [{"urls": [...], "username": "...", "credential": "..."}, ...]}`
//! (developers.cloudflare.com/realtime/turn/generate-credentials/).
//!
//! The answer is passed on, less the URLs on port 53 (Cloudflare lists them for clients behind
//! firewalls that only let DNS out; browsers block port 53, so they would only fail), less
//! anything that is not a readable STUN or TURN URL, and less TURN URLs that come without a username
//! and credential (a browser refuses the whole configuration for one of those).

use std::fmt;
use std::time::Duration;

use confab_protocol::IceServer;
use serde::Deserialize;
use url::Url;

/// The documented endpoint; `{key_id}` is replaced by `TURN_KEY_ID`.
pub const DEFAULT_API_URL: &str =
    "https://rtc.live.cloudflare.com/v1/turn/keys/{key_id}/credentials/generate-ice-servers";
pub const KEY_ID_PLACEHOLDER: &str = "{key_id}";
/// How long the API call may take, answer included, before `/api/ice` answers STUN only.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Largest answer read; the real one is well under 1 KiB.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The relay settings of the Cloudflare mode (see [`super::config`]).
#[derive(Clone, PartialEq, Eq)]
pub struct CloudflareTurn {
    pub key_id: String,
    /// Secret: the TURN key's API token.
    pub api_token: String,
    /// The generate-ice-servers URL, key id filled in.
    pub api_url: Url,
    /// Seconds a credential lasts.
    pub ttl: u32,
}

impl fmt::Debug for CloudflareTurn {
    // The token never reaches a log line through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudflareTurn")
            .field("key_id", &self.key_id)
            .field("api_token", &"(redacted)")
            .field("api_url", &self.api_url.as_str())
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// One API call, as the transport sends it: a JSON POST.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiCall {
    pub url: Url,
    /// `Bearer <token>`: secret.
    pub authorization: String,
    /// `{"ttl":N}`.
    pub body: String,
}

impl fmt::Debug for ApiCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiCall")
            .field("url", &self.url.as_str())
            .field("authorization", &"(redacted)")
            .field("body", &self.body)
            .finish()
    }
}

/// The API's answer, read in full (at most [`MAX_ANSWER_BYTES`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiAnswer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why no answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiFailure {
    Unreachable,
    Timeout,
}

/// Why the relay is off for this answer. The messages carry no token, URL or body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayFailure {
    #[error("the Cloudflare TURN API could not be reached")]
    Unreachable,
    #[error("the Cloudflare TURN API did not answer within {}s", TIMEOUT.as_secs())]
    Timeout,
    #[error("the Cloudflare TURN API answered HTTP {0}{hint}", hint = status_hint(*.0))]
    Status(u16),
    #[error("the Cloudflare TURN API answer is not the documented iceServers JSON")]
    Malformed,
    #[error("the Cloudflare TURN API answer has no TURN server a browser can use")]
    NoRelay,
}

/// What a refusal usually means.
fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 | 404 => ": check TURN_KEY_ID and TURN_KEY_API_TOKEN",
        400 => ": check TURN_TTL",
        _ => "",
    }
}

impl From<ApiFailure> for RelayFailure {
    fn from(failure: ApiFailure) -> Self {
        match failure {
            ApiFailure::Unreachable => RelayFailure::Unreachable,
            ApiFailure::Timeout => RelayFailure::Timeout,
        }
    }
}

impl CloudflareTurn {
    /// The generate-ice-servers call.
    pub fn call(&self) -> ApiCall {
        ApiCall {
            url: self.api_url.clone(),
            authorization: format!("Bearer {}", self.api_token),
            body: serde_json::json!({ "ttl": self.ttl }).to_string(),
        }
    }
}

/// `urls` is a string or a list of them (RTCIceServer allows both).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    /// A list; the older `credentials/generate` endpoint answered a single object.
    ice_servers: OneOrMany<ServerEntry>,
}

#[derive(Deserialize)]
struct ServerEntry {
    urls: OneOrMany<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    credential: Option<String>,
}

/// The servers to hand on, or why there are none worth handing on.
pub fn servers(answer: &ApiAnswer) -> Result<Vec<IceServer>, RelayFailure> {
    if !(200..300).contains(&answer.status) {
        return Err(RelayFailure::Status(answer.status));
    }
    let parsed: Answer =
        serde_json::from_slice(&answer.body).map_err(|_| RelayFailure::Malformed)?;
    let mut servers = Vec::new();
    for entry in parsed.ice_servers.into_vec() {
        let has_credential = entry.username.is_some() && entry.credential.is_some();
        let urls: Vec<String> = entry
            .urls
            .into_vec()
            .into_iter()
            .filter(|url| match Kind::of(url) {
                Some(Kind::Stun) => true,
                Some(Kind::Turn) => has_credential,
                None => false,
            })
            .filter(|url| usable_port(url))
            .collect();
        if urls.is_empty() {
            continue;
        }
        let turn = urls.iter().any(|url| Kind::of(url) == Some(Kind::Turn));
        servers.push(IceServer {
            urls,
            username: entry.username.filter(|_| turn),
            credential: entry.credential.filter(|_| turn),
        });
    }
    if !servers
        .iter()
        .flat_map(|s| &s.urls)
        .any(|url| Kind::of(url) == Some(Kind::Turn))
    {
        return Err(RelayFailure::NoRelay);
    }
    Ok(servers)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stun,
    Turn,
}

impl Kind {
    fn of(url: &str) -> Option<Kind> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "stun" | "stuns" => Some(Kind::Stun),
            "turn" | "turns" => Some(Kind::Turn),
            _ => None,
        }
    }
}

/// Readable, printable, and not port 53 (a browser throws on a URL it cannot read, and
/// blocks port 53).
fn usable_port(url: &str) -> bool {
    url.bytes().all(|b| b.is_ascii_graphic()) && matches!(port(url), Some(p) if p != 53)
}

/// The port of a `stun:`/`turn:` URL (RFC 7064/7065: `scheme:host[:port][?transport=..]`,
/// IPv6 hosts in brackets); the scheme's default when none is written; `None` when unreadable
/// or without a host.
pub fn port(url: &str) -> Option<u16> {
    let (scheme, rest) = url.split_once(':')?;
    let authority = rest.split('?').next().unwrap_or_default();
    let (host, explicit) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']')? {
            (host, "") => (host, None),
            (host, after) => (host, Some(after.strip_prefix(':')?)),
        },
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return None;
    }
    match explicit {
        Some(port) => port.parse().ok(),
        None if scheme.eq_ignore_ascii_case("turns") || scheme.eq_ignore_ascii_case("stuns") => {
            Some(5349)
        }
        None => Some(3478),
    }
}
