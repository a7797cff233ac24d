//! Limits on what anyone can make the worker do without signing in, counted with Workers' rate
//! limiting binding (`[[ratelimits]]` in wrangler.toml; `wrangler dev` counts in memory):
//!
//! - [`Limiter::Guests`]: new guests (each one a `Sessions` object and its storage), per client
//!   address (`CF-Connecting-IP`, which Cloudflare sets and a client cannot).
//! - [`Limiter::Sessions`]: refreshes and sign-outs (each reaches the `Sessions` object a
//!   cookie names, forged or not), per client address.
//! - [`Limiter::Ice`]: relay credentials (each may be a call to Cloudflare's TURN API), per
//!   user.
//!
//! A refusal is 429 problem+json with `Retry-After`. Counts are per Cloudflare location, and a
//! limiter that is missing or fails lets the request through (logged): the limits blunt abuse,
//! they are not what keeps anyone out.

use super::ApiError;

/// One of the worker's rate limiters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limiter {
    Guests,
    Sessions,
    Ice,
}

impl Limiter {
    pub const ALL: [Limiter; 3] = [Limiter::Guests, Limiter::Sessions, Limiter::Ice];

    /// Its binding's name in wrangler.toml.
    pub fn binding(self) -> &'static str {
        match self {
            Limiter::Guests => "GUEST_LIMITER",
            Limiter::Sessions => "SESSION_LIMITER",
            Limiter::Ice => "ICE_LIMITER",
        }
    }

    /// The binding's `limit` and `period` (seconds) as wrangler.toml sets them (a host test
    /// checks they agree).
    pub fn limit_and_period(self) -> (u32, u32) {
        match self {
            // A class behind one school NAT joins within a minute; a script does not get far.
            Limiter::Guests => (20, 10),
            // Each page refreshes on load and a call every seven minutes.
            Limiter::Sessions => (60, 10),
            // A call asks on joining, when its credential is at 80 % and on reconnecting.
            Limiter::Ice => (20, 60),
        }
    }

    /// The 429 for a refused request.
    pub fn refusal(self) -> ApiError {
        let what = match self {
            Limiter::Guests => "too many new guests from your network",
            Limiter::Sessions => "too many session requests from your network",
            Limiter::Ice => "too many relay requests",
        };
        let (_, period) = self.limit_and_period();
        ApiError::TooManyRequests {
            detail: format!("{what}; try again in {period} seconds"),
            retry_after: period,
        }
    }
}

/// The key that counts a client: its address as Cloudflare saw it (`CF-Connecting-IP`). Without
/// one (never behind Cloudflare) every such client shares one count.
pub fn client_key(connecting_ip: Option<&str>) -> String {
    let address = connecting_ip
        .map(str::trim)
        .filter(|a| !a.is_empty() && a.len() <= 64)
        .unwrap_or("unknown");
    format!("ip:{address}")
}

/// The key that counts a user.
pub fn user_key(user_id: &str) -> String {
    format!("user:{user_id}")
}

#[cfg(target_arch = "wasm32")]
pub use glue::{admit, admit_client};

#[cfg(target_arch = "wasm32")]
mod glue {
    use worker::{Env, Request};

    use super::{client_key, Limiter};
    use crate::http::ApiError;

    /// Counts one request of the client that sent `req` (by its address).
    pub async fn admit_client(req: &Request, env: &Env, limiter: Limiter) -> Result<(), ApiError> {
        let address = req.headers().get("cf-connecting-ip").ok().flatten();
        admit(env, limiter, client_key(address.as_deref())).await
    }

    /// Counts one request under `key`; the limiter's 429 once it is spent.
    pub async fn admit(env: &Env, limiter: Limiter, key: String) -> Result<(), ApiError> {
        let binding = match env.rate_limiter(limiter.binding()) {
            Ok(binding) => binding,
            Err(error) => {
                worker::console_error!("rate limiter {} missing: {error}", limiter.binding());
                return Ok(());
            }
        };
        match binding.limit(key).await {
            Ok(outcome) if outcome.success => Ok(()),
            Ok(_) => Err(limiter.refusal()),
            Err(error) => {
                worker::console_error!("rate limiter {} failed: {error}", limiter.binding());
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrangler_toml_binds_every_limiter_as_the_code_expects() {
        let toml = include_str!("../../../wrangler.toml");
        for limiter in Limiter::ALL {
            let (limit, period) = limiter.limit_and_period();
            let entry = format!(
                "[[ratelimits]]\nname = \"{}\"\nnamespace_id = ",
                limiter.binding()
            );
            let at = toml
                .find(&entry)
                .unwrap_or_else(|| panic!("wrangler.toml lacks {entry:?}"));
            let rest = &toml[at..];
            let simple = format!("simple = {{ limit = {limit}, period = {period} }}");
            let next = rest[1..].find("[[").map_or(rest.len(), |n| n + 1);
            assert!(
                rest[..next].contains(&simple),
                "{}: expected {simple:?} in {}",
                limiter.binding(),
                &rest[..next]
            );
            // The binding accepts no other periods.
            assert!(period == 10 || period == 60);
        }
    }

    #[test]
    fn clients_are_counted_by_address_and_users_by_id() {
        assert_eq!(client_key(Some("203.0.113.7")), "ip:203.0.113.7");
        assert_eq!(client_key(Some(" 2001:db8::1 ")), "ip:2001:db8::1");
        assert_eq!(client_key(None), "ip:unknown");
        assert_eq!(client_key(Some("")), "ip:unknown");
        assert_eq!(client_key(Some(&"x".repeat(100))), "ip:unknown");
        assert_eq!(user_key("guest:abc"), "user:guest:abc");
    }

    #[test]
    fn a_refusal_is_429_with_the_period_to_wait() {
        let refusal = Limiter::Guests.refusal();
        assert_eq!(refusal.status(), 429);
        assert_eq!(refusal.to_problem().title, "Too Many Requests");
        assert!(refusal.to_string().contains("10 seconds"), "{refusal}");
        assert_eq!(refusal.retry_after(), Some(10));
    }
}
