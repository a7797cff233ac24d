//! Confab worker: HTTP router, guest tokens, ICE servers and the Room Durable Object.

pub mod avatar;
pub mod chat;
pub mod config;
pub mod http;
pub mod oauth;
pub mod outbound;
pub mod room;
pub mod session;
pub mod sql;
pub mod token;
pub mod turn;

#[cfg(target_arch = "wasm32")]
mod env;
#[cfg(target_arch = "wasm32")]
mod health;
#[cfg(target_arch = "wasm32")]
mod router;
