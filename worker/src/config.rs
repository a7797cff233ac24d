//! Deployer configuration, read once per request from wrangler vars and secrets.

use confab_protocol::IceTransportPolicy;

use crate::chat::Retention;
use crate::oauth::config::{OAuthConfig, OAuthConfigError, RawOAuth};
use crate::sfu::config::{MediaPolicy, RawSfu, SfuConfigError};
use crate::token::{KeyConfigError, KeyTable};
use crate::turn::config::RawTurn;
use crate::turn::{transport_policy, Relay, TurnConfigError};

/// Configuration as plain values, so parsing rules are tested on the host.
pub struct Config {
    pub allow_guests: bool,
    /// Explicit allow-list; empty means "this worker's origin" (and `dev_origins`).
    pub allowed_origins: Vec<String>,
    /// `DEV_ORIGINS`: more origins allowed next to the worker's own when `allowed_origins` is
    /// empty. Only `.dev.vars` sets it (the `trunk serve` origins), so `wrangler dev` has it
    /// and a deployment does not.
    pub dev_origins: Vec<String>,
    pub stun_urls: Vec<String>,
    pub keys: KeyTable,
    /// `ALLOW_BENCH_SEED`: the benchmark-only bulk insert route exists. Never set in deployments.
    pub allow_bench_seed: bool,
    /// `REFRESH_TOKEN_DAYS`: how long an unused session lasts (each refresh starts it again).
    pub refresh_token_days: u32,
    /// Sign-in providers and `PUBLIC_URL` (see [`crate::oauth::config`]).
    pub oauth: OAuthConfig,
    /// The TURN relay `/api/ice` hands out (see [`crate::turn::config`]).
    pub turn: Relay,
    /// `ICE_TRANSPORT_POLICY`: `relay` sends every call through that relay.
    pub ice_transport_policy: IceTransportPolicy,
    /// Mesh, SFU or both, and the SFU (see [`crate::sfu::config`]).
    pub media: MediaPolicy,
}

pub const ISSUER: &str = "confab";
pub const AUDIENCE: &str = "confab-api";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "JWT_KEYS is not set: run `cargo xtask dev` locally or `wrangler secret put JWT_KEYS`"
    )]
    MissingKeys,
    #[error(transparent)]
    Keys(#[from] KeyConfigError),
    #[error("REFRESH_TOKEN_DAYS must be a whole number from 1 to {MAX_REFRESH_DAYS}; got {0:?}")]
    RefreshDays(String),
    #[error(transparent)]
    OAuth(#[from] OAuthConfigError),
    #[error(transparent)]
    Turn(#[from] TurnConfigError),
    #[error(transparent)]
    Sfu(#[from] SfuConfigError),
}

/// Browsers cap a cookie's Max-Age at 400 days.
pub const MAX_REFRESH_DAYS: u32 = 400;

/// Raw strings as they come from the environment (`None` when unset).
#[derive(Default)]
pub struct RawConfig {
    pub allow_guests: Option<String>,
    pub allowed_origins: Option<String>,
    pub dev_origins: Option<String>,
    pub stun_urls: Option<String>,
    pub jwt_keys: Option<String>,
    pub allow_bench_seed: Option<String>,
    pub refresh_token_days: Option<String>,
    /// The sign-in variables that are set ([`crate::oauth::config::VAR_NAMES`]).
    pub oauth: RawOAuth,
    /// The TURN variables that are set ([`crate::turn::config::VAR_NAMES`]).
    pub turn: RawTurn,
    /// The SFU variables that are set ([`crate::sfu::config::VAR_NAMES`]).
    pub sfu: RawSfu,
}

impl Config {
    pub fn parse(raw: RawConfig) -> Result<Self, ConfigError> {
        let keys = raw.jwt_keys.ok_or(ConfigError::MissingKeys)?;
        let turn = Relay::parse(&raw.turn)?;
        Ok(Config {
            allow_guests: flag(raw.allow_guests.as_deref()),
            allow_bench_seed: flag(raw.allow_bench_seed.as_deref()),
            allowed_origins: list(raw.allowed_origins.as_deref()),
            dev_origins: list(raw.dev_origins.as_deref()),
            stun_urls: list(raw.stun_urls.as_deref()),
            keys: KeyTable::parse(&keys, ISSUER, AUDIENCE)?,
            refresh_token_days: refresh_days(raw.refresh_token_days.as_deref())?,
            oauth: OAuthConfig::parse(&raw.oauth)?,
            ice_transport_policy: transport_policy(&raw.turn, &turn)?,
            media: MediaPolicy::parse(&raw.sfu)?,
            turn,
        })
    }
}

/// A variable's value, trimmed; `None` when it is unset or blank.
pub fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// The address of a service the worker calls with a secret (Cloudflare's TURN and SFU APIs, or
/// their local stand-ins): absolute https, plain http only on loopback, a host and no
/// credentials in it.
pub fn service_url(value: &str) -> Option<url::Url> {
    let url = url::Url::parse(value).ok()?;
    let scheme_ok = match url.scheme() {
        "https" => true,
        "http" => crate::oauth::config::is_loopback(&url),
        _ => false,
    };
    let ok = scheme_ok
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none();
    ok.then_some(url)
}

/// `REFRESH_TOKEN_DAYS`: unset or empty is the default (30).
fn refresh_days(value: Option<&str>) -> Result<u32, ConfigError> {
    let Some(value) = given(value) else {
        return Ok(crate::session::DEFAULT_REFRESH_DAYS);
    };
    match value.parse::<u32>() {
        Ok(days) if (1..=MAX_REFRESH_DAYS).contains(&days) => Ok(days),
        _ => Err(ConfigError::RefreshDays(value.to_owned())),
    }
}

/// A boolean var: on only when explicitly enabled.
fn flag(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

/// A retention var that is set but not a whole number ≥ 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} must be a whole number of at least 1, or empty to keep everything; got {value:?}")]
pub struct RetentionError {
    pub name: &'static str,
    pub value: String,
}

/// `CHAT_RETENTION_MESSAGES` (keep the newest N messages per room) and `CHAT_RETENTION_DAYS`
/// (keep messages younger than N days); unset or empty keeps everything.
pub fn chat_retention(
    messages: Option<&str>,
    days: Option<&str>,
) -> Result<Retention, RetentionError> {
    Ok(Retention {
        max_messages: positive("CHAT_RETENTION_MESSAGES", messages)?,
        max_age_days: positive("CHAT_RETENTION_DAYS", days)?,
    })
}

fn positive<N: std::str::FromStr + PartialOrd + From<u8>>(
    name: &'static str,
    value: Option<&str>,
) -> Result<Option<N>, RetentionError> {
    let Some(value) = given(value) else {
        return Ok(None);
    };
    match value.parse::<N>() {
        Ok(n) if n >= N::from(1) => Ok(Some(n)),
        _ => Err(RetentionError {
            name,
            value: value.to_owned(),
        }),
    }
}

fn list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(allow: Option<&str>) -> RawConfig {
        RawConfig {
            allow_guests: allow.map(Into::into),
            allowed_origins: Some("https://a.example, https://b.example".into()),
            stun_urls: Some("stun:one.example:3478 stun:two.example".into()),
            jwt_keys: Some(format!("k1:{}", "A".repeat(88))),
            ..RawConfig::default()
        }
    }

    #[test]
    fn guests_are_off_unless_explicitly_enabled() {
        assert!(!Config::parse(raw(None)).unwrap().allow_guests);
        assert!(!Config::parse(raw(Some("false"))).unwrap().allow_guests);
        assert!(Config::parse(raw(Some("true"))).unwrap().allow_guests);
    }

    #[test]
    fn bench_seed_route_is_off_unless_explicitly_enabled() {
        assert!(!Config::parse(raw(None)).unwrap().allow_bench_seed);
        let mut r = raw(None);
        r.allow_bench_seed = Some("true".into());
        assert!(Config::parse(r).unwrap().allow_bench_seed);
    }

    #[test]
    fn lists_split_on_commas_and_spaces() {
        let config = Config::parse(raw(None)).unwrap();
        assert_eq!(
            config.allowed_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(
            config.stun_urls,
            ["stun:one.example:3478", "stun:two.example"]
        );
    }

    #[test]
    fn chat_retention_keeps_everything_unless_set() {
        let keep_all = Retention::default();
        assert_eq!(chat_retention(None, None), Ok(keep_all));
        assert_eq!(chat_retention(Some(""), Some("  ")), Ok(keep_all));
        assert_eq!(
            chat_retention(Some(" 10000 "), Some("30")),
            Ok(Retention {
                max_messages: Some(10_000),
                max_age_days: Some(30),
            })
        );
        assert_eq!(
            chat_retention(None, Some("1")).map(|r| r.max_age_days),
            Ok(Some(1))
        );
    }

    #[test]
    fn chat_retention_refuses_values_that_are_not_whole_positive_numbers() {
        for bad in ["0", "-5", "1.5", "ten", "1e3", "99999999999999999999999"] {
            assert_eq!(
                chat_retention(Some(bad), None),
                Err(RetentionError {
                    name: "CHAT_RETENTION_MESSAGES",
                    value: bad.to_owned()
                }),
                "{bad}"
            );
        }
        for bad in ["0", "7d", "4294967296"] {
            assert_eq!(
                chat_retention(None, Some(bad)).map_err(|e| e.name),
                Err("CHAT_RETENTION_DAYS"),
                "{bad}"
            );
        }
    }

    #[test]
    fn refresh_lifetime_defaults_to_30_days_and_refuses_nonsense() {
        assert_eq!(Config::parse(raw(None)).unwrap().refresh_token_days, 30);
        let with = |v: &str| {
            let mut r = raw(None);
            r.refresh_token_days = Some(v.into());
            Config::parse(r).map(|c| c.refresh_token_days)
        };
        assert_eq!(with(" 7 ").ok(), Some(7));
        assert_eq!(with("").ok(), Some(30));
        for bad in ["0", "-1", "401", "2.5", "week"] {
            assert!(
                matches!(with(bad), Err(ConfigError::RefreshDays(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn sign_in_providers_are_part_of_the_configuration() {
        assert!(Config::parse(raw(None)).unwrap().oauth.providers.is_empty());
        let mut r = raw(None);
        r.oauth.insert("GITHUB_CLIENT_ID".into(), "id".into());
        assert!(matches!(
            Config::parse(r),
            Err(ConfigError::OAuth(OAuthConfigError::MissingSecret(
                "GITHUB"
            )))
        ));
    }

    #[test]
    fn turn_relay_is_part_of_the_configuration() {
        let config = Config::parse(raw(None)).unwrap();
        assert_eq!(config.turn, Relay::Off);
        assert_eq!(config.ice_transport_policy, IceTransportPolicy::All);
        let mut r = raw(None);
        r.turn.insert("ICE_TRANSPORT_POLICY".into(), "relay".into());
        assert!(matches!(
            Config::parse(r),
            Err(ConfigError::Turn(TurnConfigError::RelayPolicyWithoutTurn))
        ));
        let mut r = raw(None);
        r.turn
            .insert("TURN_URLS".into(), "turn:turn.example".into());
        assert!(matches!(
            Config::parse(r),
            Err(ConfigError::Turn(TurnConfigError::MissingSecret))
        ));
    }

    #[test]
    fn missing_keys_is_a_clear_error() {
        let mut r = raw(None);
        r.jwt_keys = None;
        assert!(matches!(Config::parse(r), Err(ConfigError::MissingKeys)));
    }
}
