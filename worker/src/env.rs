//! Reading configuration and time from the Workers environment.

use chrono::{DateTime, Utc};
use worker::Env;

use crate::chat::Retention;
use crate::config::{chat_retention, Config, RawConfig};
use crate::http::ApiError;

fn text(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
}

/// The variables of `names` that are set, by name.
fn set(env: &Env, names: &[&str]) -> std::collections::HashMap<String, String> {
    names
        .iter()
        .filter_map(|name| text(env, name).map(|value| (name.to_string(), value)))
        .collect()
}

pub fn config(env: &Env) -> Result<Config, ApiError> {
    Config::parse(RawConfig {
        allow_guests: text(env, "ALLOW_GUESTS"),
        allowed_origins: text(env, "ALLOWED_ORIGINS"),
        dev_origins: text(env, "DEV_ORIGINS"),
        stun_urls: text(env, "STUN_URLS"),
        jwt_keys: text(env, "JWT_KEYS"),
        allow_bench_seed: text(env, "ALLOW_BENCH_SEED"),
        refresh_token_days: text(env, "REFRESH_TOKEN_DAYS"),
        oauth: set(env, crate::oauth::config::VAR_NAMES),
        turn: set(env, crate::turn::config::VAR_NAMES),
        sfu: set(env, crate::sfu::config::VAR_NAMES),
    })
    .map_err(|e| {
        worker::console_error!("configuration error: {e}");
        ApiError::Internal(e.to_string())
    })
}

/// The chat retention vars; a bad value is logged and keeps everything (never deletes by mistake).
pub fn retention(env: &Env) -> Retention {
    let messages = text(env, "CHAT_RETENTION_MESSAGES");
    let days = text(env, "CHAT_RETENTION_DAYS");
    chat_retention(messages.as_deref(), days.as_deref()).unwrap_or_else(|e| {
        worker::console_error!("configuration error: {e}; keeping all chat");
        Retention::default()
    })
}

/// The rooms' silence limit (`SILENT_SOCKET_SECONDS`); a bad value is logged and the default
/// kept.
pub fn silent_socket_ms(env: &Env) -> i64 {
    let raw = text(env, "SILENT_SOCKET_SECONDS");
    crate::room::sweep::silent_ms(raw.as_deref()).unwrap_or_else(|e| {
        worker::console_error!("configuration error: {e}; keeping the default");
        crate::room::sweep::DEFAULT_SILENT_SECONDS * 1000
    })
}

pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(worker::Date::now().as_millis() as i64).unwrap_or_default()
}

pub fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}
