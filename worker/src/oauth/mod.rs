//! Sign-in with Google, GitHub, Kakao or Naver (OAuth 2.0 authorization code flow, PKCE S256
//! where the provider has it, OpenID Connect for Google), as plain Rust the route glue
//! (`routes`) and the `Accounts` Durable Object (`durable_object`) call into.
//!
//! - [`config`]: which providers are offered, their endpoints and `PUBLIC_URL`.
//! - [`provider`]: ids, names, scopes and quirks.
//! - [`return_to`]: where to go afterwards (our own paths only).
//! - [`pkce`], [`login`]: the per-sign-in secrets and the signed login cookie that carries them.
//! - [`authorize`]: the authorization URL and the token request body.
//! - [`callback`]: the checks on the way back (cookie, provider, state).
//! - [`flow`], [`responses`], [`id_token`], [`error`]: code → tokens → profile, and why a
//!   provider call failed.
//! - [`accounts`]: one-time states and provider account → stable user id links.

pub mod accounts;
pub mod authorize;
pub mod callback;
pub mod config;
#[cfg(target_arch = "wasm32")]
pub mod durable_object;
pub mod error;
pub mod flow;
pub mod id_token;
pub mod login;
pub mod pkce;
pub mod provider;
pub mod responses;
pub mod return_to;
#[cfg(target_arch = "wasm32")]
pub mod routes;
#[cfg(test)]
mod test_support;
