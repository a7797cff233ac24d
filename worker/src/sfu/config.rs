//! The SFU variables, parsed as plain values.
//!
//! - `MEDIA_MODE`: `mesh` (every camera to every person, at most
//!   [`confab_protocol::limits::ROOM_CAPACITY`]), `sfu` (every room through the SFU) or `auto`
//!   (mesh until [`MediaPolicy::switch_at`] people, then the SFU). Unset or empty: `auto` when
//!   an SFU is configured, `mesh` otherwise.
//! - `SFU_SWITCH_AT`: how many people move an `auto` room to the SFU (default
//!   [`DEFAULT_SWITCH_AT`]: the fifth person).
//! - `ROOM_CAPACITY_SFU`: most people in a room on the SFU (default [`DEFAULT_SFU_CAPACITY`]).
//! - `SFU_LAST_N`: how many cameras a page pulls at once besides a pinned one, the latest
//!   speakers' (default [`confab_protocol::limits::LAST_N`]); fewer spare weak devices.
//! - `SFU_APP_ID` and `SFU_APP_TOKEN` (a secret): the Cloudflare Realtime app. `SFU_API_URL`
//!   points the worker elsewhere than [`DEFAULT_API_URL`] (development and tests: the local
//!   stand-in); https only, plain http only on loopback.
//!
//! Half a configuration (an id without its token, `sfu` or `auto` with no SFU) is an error
//! rather than a silent mesh.

use std::collections::HashMap;

use url::Url;

use confab_protocol::limits::{LAST_N, ROOM_CAPACITY};

use crate::config::{given, service_url};

/// Every variable this module reads (the environment reader looks up exactly these).
pub const VAR_NAMES: &[&str] = &[
    "MEDIA_MODE",
    "SFU_SWITCH_AT",
    "ROOM_CAPACITY_SFU",
    "SFU_LAST_N",
    "SFU_APP_ID",
    "SFU_APP_TOKEN",
    "SFU_API_URL",
];

/// The raw values of [`VAR_NAMES`] that are set.
pub type RawSfu = HashMap<String, String>;

/// Cloudflare Realtime's API; paths under it start `/apps/{app id}/`.
pub const DEFAULT_API_URL: &str = "https://rtc.live.cloudflare.com/v1";
/// The fifth person moves an `auto` room to the SFU: at five, each browser in a mesh already
/// uploads four copies of its camera.
pub const DEFAULT_SWITCH_AT: usize = 5;
/// Most people in a room on the SFU, unless `ROOM_CAPACITY_SFU` says otherwise.
pub const DEFAULT_SFU_CAPACITY: usize = 50;
/// The most `ROOM_CAPACITY_SFU` may say: every person is a socket on the room's one thread,
/// and every browser pulls everyone's audio.
pub const MAX_SFU_CAPACITY: usize = 100;

/// How rooms carry media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaMode {
    Mesh,
    Sfu,
    Auto,
}

/// Where the SFU is and how the worker signs in to it.
#[derive(Clone, PartialEq, Eq)]
pub struct SfuConfig {
    pub app_id: String,
    /// Never leaves the worker: not in answers, not in logs (hence no `Debug` with it).
    pub app_token: String,
    pub api_url: Url,
}

impl std::fmt::Debug for SfuConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SfuConfig")
            .field("app_id", &self.app_id)
            .field("app_token", &"<secret>")
            .field("api_url", &self.api_url.as_str())
            .finish()
    }
}

/// The deployer's media choice for every room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaPolicy {
    pub mode: MediaMode,
    /// In [`MediaMode::Auto`]: this many people move a room to the SFU.
    pub switch_at: usize,
    /// Most people in a room on the SFU.
    pub sfu_capacity: usize,
    /// On the SFU, the cameras a page pulls at once besides a pinned one.
    pub last_n: u32,
    /// `None` only in [`MediaMode::Mesh`].
    pub sfu: Option<SfuConfig>,
}

impl Default for MediaPolicy {
    fn default() -> Self {
        MediaPolicy {
            mode: MediaMode::Mesh,
            switch_at: DEFAULT_SWITCH_AT,
            sfu_capacity: DEFAULT_SFU_CAPACITY,
            last_n: LAST_N,
            sfu: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SfuConfigError {
    #[error("MEDIA_MODE must be `mesh`, `sfu` or `auto`; got {0:?}")]
    BadMode(String),
    #[error(
        "MEDIA_MODE is `{0}` but no SFU is configured: set SFU_APP_ID and SFU_APP_TOKEN (a \
         Cloudflare Realtime app), or clear MEDIA_MODE"
    )]
    ModeWithoutSfu(&'static str),
    #[error("SFU_APP_ID is set but SFU_APP_TOKEN is not: `wrangler secret put SFU_APP_TOKEN`")]
    MissingToken,
    #[error("SFU_APP_TOKEN is set but SFU_APP_ID is not: set SFU_APP_ID to the app's id")]
    MissingAppId,
    #[error("SFU_APP_ID must be letters, digits, '-' or '_' (a Realtime app's id); got {0:?}")]
    BadAppId(String),
    #[error("SFU_API_URL must be an absolute https URL (http only for localhost); got {0:?}")]
    BadApiUrl(String),
    #[error("SFU_SWITCH_AT must be a whole number from 2 to {ROOM_CAPACITY}; got {0:?}")]
    BadSwitchAt(String),
    #[error(
        "ROOM_CAPACITY_SFU must be a whole number from {ROOM_CAPACITY} to {MAX_SFU_CAPACITY}; \
         got {0:?}"
    )]
    BadCapacity(String),
    #[error("SFU_LAST_N must be a whole number from 1 to {MAX_SFU_CAPACITY}; got {0:?}")]
    BadLastN(String),
}

impl MediaPolicy {
    pub fn parse(raw: &RawSfu) -> Result<MediaPolicy, SfuConfigError> {
        let get = |name: &str| given(raw.get(name).map(String::as_str));
        let sfu = match (get("SFU_APP_ID"), get("SFU_APP_TOKEN")) {
            (None, None) => None,
            (Some(_), None) => return Err(SfuConfigError::MissingToken),
            (None, Some(_)) => return Err(SfuConfigError::MissingAppId),
            (Some(id), Some(token)) => Some(sfu(id, token, get("SFU_API_URL"))?),
        };
        let mode = match get("MEDIA_MODE").map(str::to_ascii_lowercase).as_deref() {
            None if sfu.is_some() => MediaMode::Auto,
            None | Some("mesh") => MediaMode::Mesh,
            Some("sfu") => MediaMode::Sfu,
            Some("auto") => MediaMode::Auto,
            Some(_) => {
                let value = get("MEDIA_MODE").unwrap_or_default();
                return Err(SfuConfigError::BadMode(value.to_owned()));
            }
        };
        match (mode, &sfu) {
            (MediaMode::Sfu, None) => return Err(SfuConfigError::ModeWithoutSfu("sfu")),
            (MediaMode::Auto, None) => return Err(SfuConfigError::ModeWithoutSfu("auto")),
            _ => {}
        }
        let switch_at = number(get("SFU_SWITCH_AT"), DEFAULT_SWITCH_AT, 2..=ROOM_CAPACITY)
            .map_err(SfuConfigError::BadSwitchAt)?;
        let sfu_capacity = number(
            get("ROOM_CAPACITY_SFU"),
            DEFAULT_SFU_CAPACITY,
            ROOM_CAPACITY..=MAX_SFU_CAPACITY,
        )
        .map_err(SfuConfigError::BadCapacity)?;
        let last_n = number(get("SFU_LAST_N"), LAST_N as usize, 1..=MAX_SFU_CAPACITY)
            .map_err(SfuConfigError::BadLastN)?;
        Ok(MediaPolicy {
            mode,
            switch_at,
            sfu_capacity,
            // At most MAX_SFU_CAPACITY, checked just above.
            last_n: last_n as u32,
            sfu,
        })
    }
}

/// `value` as a number in `range`, `default` when unset; the value itself when it is not.
fn number(
    value: Option<&str>,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, String> {
    let Some(value) = value else {
        return Ok(default);
    };
    value
        .parse::<usize>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| value.to_owned())
}

fn sfu(app_id: &str, app_token: &str, api_url: Option<&str>) -> Result<SfuConfig, SfuConfigError> {
    let id_ok = app_id.len() <= 128
        && app_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !id_ok {
        return Err(SfuConfigError::BadAppId(app_id.to_owned()));
    }
    let text = api_url.unwrap_or(DEFAULT_API_URL);
    let api_url = service_url(text).ok_or_else(|| SfuConfigError::BadApiUrl(text.to_owned()))?;
    Ok(SfuConfig {
        app_id: app_id.to_owned(),
        app_token: app_token.to_owned(),
        api_url,
    })
}
