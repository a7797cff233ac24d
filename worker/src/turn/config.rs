//! The TURN variables, parsed as plain values.
//!
//! - coturn (shared secret, coturn's `use-auth-secret`): `TURN_URLS` (`turn:`/`turns:` URLs,
//!   comma or space separated) and `TURN_SECRET` (a secret: coturn's `static-auth-secret`).
//! - Cloudflare TURN: `TURN_KEY_ID` and `TURN_KEY_API_TOKEN` (a secret), and `TURN_API_URL` to
//!   point the worker elsewhere than [`DEFAULT_API_URL`] (tests: a local stand-in).
//! - Both: `TURN_TTL`, seconds a credential lasts (default [`DEFAULT_TTL_SECONDS`], at least
//!   [`MIN_TTL_SECONDS`], at most [`MAX_TTL_SECONDS`], Cloudflare's own limit).
//!
//! - `ICE_TRANSPORT_POLICY`: `all` (default) or `relay`, a deployer's privacy choice: with
//!   `relay` every call goes through the TURN relay and peers never learn each other's IP
//!   address (so it needs a relay configured).
//!
//! Empty counts as unset. Half a configuration (a URL list without its secret, a key id without
//! its token, both modes at once) is an error rather than a silent "relay off".

use std::collections::HashMap;

use confab_protocol::IceTransportPolicy;

use super::cloudflare::{CloudflareTurn, DEFAULT_API_URL, KEY_ID_PLACEHOLDER};
use super::coturn::CoturnSecret;
use super::DEFAULT_TTL_SECONDS;
use crate::config::{given, service_url};

/// Every variable this module reads (the environment reader looks up exactly these).
pub const VAR_NAMES: &[&str] = &[
    "TURN_URLS",
    "TURN_SECRET",
    "TURN_TTL",
    "TURN_KEY_ID",
    "TURN_KEY_API_TOKEN",
    "TURN_API_URL",
    "ICE_TRANSPORT_POLICY",
];

/// The raw values of [`VAR_NAMES`] that are set.
pub type RawTurn = HashMap<String, String>;

/// A credential shorter than this would have the app asking all the time.
pub const MIN_TTL_SECONDS: u32 = 60;
/// 48 hours: Cloudflare refuses longer; long-lived relay credentials are a bad idea anyway.
pub const MAX_TTL_SECONDS: u32 = 48 * 3600;
/// A shorter shared secret could be guessed offline from one credential.
pub const MIN_SECRET_CHARS: usize = 16;

/// The relay `/api/ice` hands out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Relay {
    /// STUN only.
    #[default]
    Off,
    Coturn(CoturnSecret),
    Cloudflare(CloudflareTurn),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TurnConfigError {
    #[error(
        "TURN_URLS is set but TURN_SECRET is not: `wrangler secret put TURN_SECRET` (your \
         coturn's static-auth-secret), or clear TURN_URLS to run without a relay"
    )]
    MissingSecret,
    #[error(
        "TURN_SECRET is set but TURN_URLS is empty: list your coturn's turn: URLs in TURN_URLS"
    )]
    MissingUrls,
    #[error("TURN_SECRET must be at least {MIN_SECRET_CHARS} characters (a long random string)")]
    WeakSecret,
    #[error(
        "TURN_URLS entries must be turn: or turns: URLs like turn:turn.example.com:3478 \
         (STUN servers go in STUN_URLS); got {0:?}"
    )]
    BadTurnUrl(String),
    #[error(
        "TURN_TTL must be a whole number of seconds from {MIN_TTL_SECONDS} to {MAX_TTL_SECONDS}; \
         got {0:?}"
    )]
    Ttl(String),
    #[error(
        "TURN_KEY_ID is set but TURN_KEY_API_TOKEN is not: `wrangler secret put \
         TURN_KEY_API_TOKEN`, or clear TURN_KEY_ID"
    )]
    MissingApiToken,
    #[error(
        "TURN_KEY_API_TOKEN is set but TURN_KEY_ID is not: set TURN_KEY_ID to the TURN key's id"
    )]
    MissingKeyId,
    #[error("TURN_KEY_ID must be letters, digits, '-' or '_' (the id of a Cloudflare TURN key); got {0:?}")]
    BadKeyId(String),
    #[error("TURN_API_URL must be an absolute https URL (http only for localhost); got {0:?}")]
    BadApiUrl(String),
    #[error(
        "both a coturn (TURN_URLS, TURN_SECRET) and Cloudflare TURN (TURN_KEY_ID, \
         TURN_KEY_API_TOKEN) are configured: keep one"
    )]
    BothModes,
    #[error(
        "ICE_TRANSPORT_POLICY must be `all` (any path, the default) or `relay` (every call \
         through the TURN relay); got {0:?}"
    )]
    BadTransportPolicy(String),
    #[error(
        "ICE_TRANSPORT_POLICY is `relay` but no TURN relay is configured: set TURN_URLS and \
         TURN_SECRET (coturn) or TURN_KEY_ID and TURN_KEY_API_TOKEN (Cloudflare TURN), or \
         clear ICE_TRANSPORT_POLICY"
    )]
    RelayPolicyWithoutTurn,
}

impl Relay {
    pub fn parse(raw: &RawTurn) -> Result<Relay, TurnConfigError> {
        let get = |name: &str| given(raw.get(name).map(String::as_str)).map(str::to_owned);
        let ttl = ttl(get("TURN_TTL").as_deref())?;
        let coturn = match (get("TURN_URLS"), get("TURN_SECRET")) {
            (None, None) => None,
            (Some(_), None) => return Err(TurnConfigError::MissingSecret),
            (None, Some(_)) => return Err(TurnConfigError::MissingUrls),
            (Some(urls), Some(secret)) => Some(coturn(&urls, secret, ttl)?),
        };
        let cloudflare = match (get("TURN_KEY_ID"), get("TURN_KEY_API_TOKEN")) {
            (None, None) => None,
            (Some(_), None) => return Err(TurnConfigError::MissingApiToken),
            (None, Some(_)) => return Err(TurnConfigError::MissingKeyId),
            (Some(key_id), Some(api_token)) => Some(cloudflare(
                key_id,
                api_token,
                get("TURN_API_URL").as_deref(),
                ttl,
            )?),
        };
        match (coturn, cloudflare) {
            (Some(_), Some(_)) => Err(TurnConfigError::BothModes),
            (Some(coturn), None) => Ok(Relay::Coturn(coturn)),
            (None, Some(cloudflare)) => Ok(Relay::Cloudflare(cloudflare)),
            (None, None) => Ok(Relay::Off),
        }
    }
}

/// `ICE_TRANSPORT_POLICY` (`all` or `relay`, any case; unset or empty is `all`). `relay` with
/// no relay would leave every call unable to connect, so it is refused here.
pub fn transport_policy(
    raw: &RawTurn,
    relay: &Relay,
) -> Result<IceTransportPolicy, TurnConfigError> {
    let value = raw
        .get("ICE_TRANSPORT_POLICY")
        .map(|v| v.trim())
        .unwrap_or_default();
    let policy = match value.to_ascii_lowercase().as_str() {
        "" | "all" => IceTransportPolicy::All,
        "relay" => IceTransportPolicy::Relay,
        _ => return Err(TurnConfigError::BadTransportPolicy(value.to_owned())),
    };
    if policy == IceTransportPolicy::Relay && *relay == Relay::Off {
        return Err(TurnConfigError::RelayPolicyWithoutTurn);
    }
    Ok(policy)
}

fn ttl(value: Option<&str>) -> Result<u32, TurnConfigError> {
    let Some(value) = value else {
        return Ok(DEFAULT_TTL_SECONDS);
    };
    match value.parse::<u32>() {
        Ok(seconds) if (MIN_TTL_SECONDS..=MAX_TTL_SECONDS).contains(&seconds) => Ok(seconds),
        _ => Err(TurnConfigError::Ttl(value.to_owned())),
    }
}

fn coturn(urls: &str, secret: String, ttl: u32) -> Result<CoturnSecret, TurnConfigError> {
    if secret.chars().count() < MIN_SECRET_CHARS {
        return Err(TurnConfigError::WeakSecret);
    }
    let urls: Vec<String> = urls
        .split([',', ' '])
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(bad) = urls.iter().find(|u| !is_turn_url(u)) {
        return Err(TurnConfigError::BadTurnUrl(bad.clone()));
    }
    Ok(CoturnSecret { urls, secret, ttl })
}

/// `turn:host[:port][?transport=udp|tcp]` or `turns:...` (RFC 7065), printable ASCII only.
fn is_turn_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("turn:")
        .or_else(|| lower.strip_prefix("turns:"));
    rest.is_some_and(|rest| {
        !rest.is_empty()
            && !rest.starts_with('?')
            && !rest.starts_with(':')
            && rest.bytes().all(|b| b.is_ascii_graphic())
    })
}

fn cloudflare(
    key_id: String,
    api_token: String,
    api_url: Option<&str>,
    ttl: u32,
) -> Result<CloudflareTurn, TurnConfigError> {
    let id_ok = key_id.len() <= 128
        && key_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !id_ok {
        return Err(TurnConfigError::BadKeyId(key_id));
    }
    let template = api_url.unwrap_or(DEFAULT_API_URL);
    let api_url = service_url(&template.replace(KEY_ID_PLACEHOLDER, &key_id))
        .ok_or_else(|| TurnConfigError::BadApiUrl(template.to_owned()))?;
    Ok(CloudflareTurn {
        key_id,
        api_token,
        api_url,
        ttl,
    })
}
