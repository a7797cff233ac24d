//! Confab worker: the HTTP API, sign-in and sessions, ICE servers, and the Durable Objects that
//! hold rooms, sessions and accounts.
//!
//! Each feature is one folder holding its pure logic (host-compiled, unit-tested on the host)
//! and, compiled for wasm only, its HTTP routes (`routes.rs`) and Durable Object glue
//! (`durable_object.rs`), which only translate between Workers types and that logic:
//!
//! - [`room`]: rooms — admission (sign-in rule, `?replaces=`, capacity), frame routing, flood
//!   control, settings, the WebSocket upgrade rules; routes for `GET /api/rooms/{room}/ws`,
//!   `POST /api/rooms` and the benchmark-only seed; the `Room` Durable Object.
//! - [`chat`]: a room's chat store (schema, posting, history, retention) and search.
//! - [`session`]: refresh-token sessions, the cookie and profiles; routes for `POST /auth/guest`,
//!   `/auth/refresh`, `/auth/logout`, `/auth/logout-all` and `GET /.well-known/jwks.json`; what
//!   other features use of sessions (`calls`); the `Sessions` Durable Object.
//! - [`oauth`]: sign-in with providers and account links; routes for `GET /auth/providers`,
//!   `/auth/{provider}/login` and `/auth/{provider}/callback`; the `Accounts` Durable Object.
//! - [`turn`]: STUN and TURN relay credentials; the route for `GET /api/ice`.
//! - [`avatar`]: profile images (checks, R2 storage); routes for `PATCH /api/me`,
//!   `PUT /api/me/avatar` and `GET /api/avatars/{user id}`.
//!
//! Shared below the features (never importing them):
//!
//! - [`http`]: problem+json errors, Bearer and JSON content-type checks, the Origin allow-list,
//!   JSON and capped body reading.
//! - [`sql`]: the SQLite kernel — the `Sql` trait, the migrations runner, the Durable Object
//!   adapter and, in tests, an in-memory SQLite.
//! - [`token`]: access tokens (JWTs) and the signing keys.
//! - [`outbound`]: calls to other services with a deadline and a size cap.
//!
//! And: [`config`] (deployer configuration, which gathers each feature's settings),
//! [`csp_report`] (`POST /api/csp-report`: the page's policy violations, logged), `env`
//! (configuration and time from the Workers environment), `health` (`GET /api/health`) and
//! `router` (the dispatch table from path and method to the features' handlers).

pub mod avatar;
pub mod chat;
pub mod config;
pub mod csp_report;
pub mod http;
pub mod oauth;
pub mod outbound;
pub mod room;
pub mod session;
pub mod sfu;
pub mod sql;
pub mod token;
pub mod turn;

#[cfg(test)]
mod properties;

#[cfg(target_arch = "wasm32")]
mod env;
#[cfg(target_arch = "wasm32")]
mod health;
#[cfg(target_arch = "wasm32")]
mod router;
