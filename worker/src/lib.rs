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
pub mod upgrade;

#[cfg(target_arch = "wasm32")]
mod accounts_do;
#[cfg(target_arch = "wasm32")]
mod auth_routes;
#[cfg(target_arch = "wasm32")]
mod env;
#[cfg(target_arch = "wasm32")]
mod ice_routes;

#[cfg(target_arch = "wasm32")]
mod profile_routes;
#[cfg(target_arch = "wasm32")]
mod room_do;
#[cfg(target_arch = "wasm32")]
mod router;
#[cfg(target_arch = "wasm32")]
mod session_routes;
#[cfg(target_arch = "wasm32")]
mod sessions_do;
