//! Sessions in plain Rust: rotating refresh tokens, stored hashed in the user's own Durable
//! Object SQLite, with reuse detection, logout and logout-all. The `Sessions` Durable Object
//! (one per user id, `durable_object`) supplies a [`Sql`](crate::sql::Sql) over its storage; host tests supply
//! an in-memory SQLite. [`cookie`] builds and reads the cookie that carries the token.
//!
//! Refresh token: `<base64url(user id)>.<base64url(32 random bytes)>`. The first part only
//! routes the request to the user's Durable Object (a user id is not secret); the random part
//! is. Only `base64url(SHA-256(whole token))` is stored, so a copy of the database cannot be
//! replayed as a cookie. A token never reaches a URL or a log line.
//!
//! Families: signing in (today: `POST /auth/guest`) starts a family. Every refresh marks the
//! presented token rotated and issues a new one in the same family, valid for the configured
//! lifetime from now (sliding: an active device stays signed in, an idle one for
//! `REFRESH_TOKEN_DAYS`). Presenting a token that was already rotated means two parties hold the
//! family (a stolen cookie, or two tabs racing): the whole family is revoked and the caller logs
//! a warning with the family id. Logout revokes the presented token's family; logout-all
//! revokes every family of the user.
//!
//! Tables (one user per Durable Object, so every table is that user's):
//! - `session_user`: the single identity the sessions speak for (id, display name, guest).
//! - `session_families`: one row per signed-in device; `revoked_ms`/`revoked_reason` once ended.
//! - `refresh_tokens`: `hash` (primary key), `family`, `created_ms`, `expires_ms`, `rotated_ms`
//!   (set when it was exchanged for a newer one). Expired rows are purged as new ones are
//!   written; a purged token is simply unknown (401).
//!
//! Files: `refresh_token` (the token's shape and hash), `store` (the tables above), `profile`
//! (provider sign-in and profile edits), `ops` (the internal JSON and how the object answers
//! it), [`cookie`]. Worker side (wasm only): `routes` (the HTTP routes), `calls` (what other
//! features use: calls to the object, the cookie on a response, `signed_in`) and
//! `durable_object` (the object itself).

#[cfg(target_arch = "wasm32")]
pub mod calls;
pub mod cookie;
#[cfg(target_arch = "wasm32")]
pub mod durable_object;
mod ops;
mod profile;
mod refresh_token;
#[cfg(target_arch = "wasm32")]
pub mod routes;
mod store;

#[cfg(test)]
mod tests;

pub use ops::{answer_unopened, handle, SessionCall, SessionOp, SessionReply};
pub use refresh_token::{format_token, token_hash, TokenRoute, DEFAULT_REFRESH_DAYS, SECRET_BYTES};
pub use store::{Refusal, Rotation, SessionStore};
