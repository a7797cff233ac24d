//! Confab browser app. Engine layers (`api`, `signaling`, `peer`, `call`, `media`, `chat`) know nothing
//! about views; `ui` holds the Leptos components that read their events as signals.

pub mod auth;
pub mod chat;
pub mod ice_config;
pub mod ice_restart;
pub mod names;
pub mod negotiation;
pub mod quality;
pub mod reconnect;
pub mod relay_watch;

mod api;
mod call;
mod media;
mod peer;
mod signaling;
mod storage;
mod ui;

pub use ui::App;
