//! ICE servers for `GET /api/ice`, as plain Rust the route glue (`routes`) calls into. Browsers
//! use STUN to learn their public address and connect directly through most NATs; when no direct
//! path exists (symmetric NATs, strict firewalls) only a TURN relay both sides can reach carries
//! the call.
//!
//! STUN (`STUN_URLS`) always; a TURN relay when one is configured, in one of two modes:
//! - [`coturn`]: a coturn-style shared secret (`TURN_URLS`, `TURN_SECRET`): the worker mints a
//!   per-user credential that expires, and the secret itself never leaves the worker.
//! - [`cloudflare`]: Cloudflare's TURN service (`TURN_KEY_ID`, `TURN_KEY_API_TOKEN`): the
//!   worker asks its generate-ice-servers API for a credential. When that call fails or times
//!   out the answer is STUN only (`relay: false`, asked again soon) and the failure is logged.
//!
//! `ICE_TRANSPORT_POLICY=relay` (a deployer's privacy choice) makes the app use the relay only;
//! the answer carries the policy, and `relay: false` with it means calls cannot connect now.
//!
//! [`config`] reads the variables; [`ice_response`] builds the answer, and
//! [`cached_ice_response`] reuses a user's Cloudflare answer while it is young ([`cache`]).

pub mod cache;
pub mod cloudflare;
pub mod config;
pub mod coturn;
#[cfg(target_arch = "wasm32")]
pub mod routes;

#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::future::Future;

use confab_protocol::{IceResponse, IceServer, IceTransportPolicy};

pub use cache::RelayCache;
pub use cloudflare::{ApiAnswer, ApiCall, ApiFailure, RelayFailure};
pub use config::{transport_policy, Relay, TurnConfigError};

/// How long credentials last unless `TURN_TTL` says otherwise; also how soon a STUN-only
/// answer is asked for again. Two hours: a leaked credential is good for little, the app
/// renews at 80 %, and a relay already allocated outlives it (coturn and Cloudflare check it
/// when a relay is made, not while it runs).
pub const DEFAULT_TTL_SECONDS: u32 = 2 * 3600;
/// After a failed Cloudflare call the app asks again this soon (so the relay comes back
/// without a reload once the API answers again).
pub const RETRY_AFTER_FAILURE_SECONDS: i64 = 300;

/// Sends the Cloudflare API call (`fetch` with a timeout in the worker; a fake in tests).
pub trait TurnApi {
    fn send(&self, call: ApiCall) -> impl Future<Output = Result<ApiAnswer, ApiFailure>>;
}

/// What `/api/ice` answers, and the relay failure to log, if there was one.
#[derive(Debug)]
pub struct IceAnswer {
    pub response: IceResponse,
    pub failure: Option<RelayFailure>,
}

/// The ICE servers for `user_id` at unix time `now`: STUN first, then the relay's servers.
/// `expires_at` is when the relay credential stops working (with no relay: when to ask again).
/// `policy` is passed on as is (the configuration refuses `relay` without a relay).
pub async fn ice_response<A: TurnApi>(
    stun_urls: &[String],
    relay: &Relay,
    policy: IceTransportPolicy,
    user_id: &str,
    now: i64,
    api: &A,
) -> IceAnswer {
    let mut ice_servers = stun(stun_urls);
    let stun_only = |ice_servers, expires_at, failure| IceAnswer {
        response: IceResponse {
            ice_servers,
            expires_at,
            relay: false,
            transport_policy: policy,
        },
        failure,
    };
    match relay {
        Relay::Off => stun_only(ice_servers, now + i64::from(DEFAULT_TTL_SECONDS), None),
        Relay::Coturn(coturn) => {
            let credential = coturn.credential(user_id, now);
            ice_servers.push(credential.server);
            IceAnswer {
                response: IceResponse {
                    ice_servers,
                    expires_at: credential.expires_at,
                    relay: true,
                    transport_policy: policy,
                },
                failure: None,
            }
        }
        Relay::Cloudflare(service) => {
            let answer = api
                .send(service.call())
                .await
                .map_err(RelayFailure::from)
                .and_then(|answer| cloudflare::servers(&answer));
            match answer {
                Ok(servers) => {
                    ice_servers.extend(servers);
                    IceAnswer {
                        response: IceResponse {
                            ice_servers,
                            expires_at: now + i64::from(service.ttl),
                            relay: true,
                            transport_policy: policy,
                        },
                        failure: None,
                    }
                }
                Err(failure) => {
                    let retry = RETRY_AFTER_FAILURE_SECONDS.min(i64::from(service.ttl));
                    stun_only(ice_servers, now + retry, Some(failure))
                }
            }
        }
    }
}

fn stun(stun_urls: &[String]) -> Vec<IceServer> {
    if stun_urls.is_empty() {
        return Vec::new();
    }
    vec![IceServer {
        urls: stun_urls.to_vec(),
        username: None,
        credential: None,
    }]
}

/// [`ice_response`], reusing the Cloudflare relay answer kept for `user_id` while at least a
/// fifth of its life is left, and keeping a new one. Other relays cost no call: not cached.
pub async fn cached_ice_response<A: TurnApi>(
    cache: &RefCell<RelayCache>,
    stun_urls: &[String],
    relay: &Relay,
    policy: IceTransportPolicy,
    user_id: &str,
    now: i64,
    api: &A,
) -> IceAnswer {
    let Relay::Cloudflare(service) = relay else {
        return ice_response(stun_urls, relay, policy, user_id, now, api).await;
    };
    let kept = cache.borrow().fresh(user_id, now, service.ttl);
    if let Some(response) = kept {
        return IceAnswer {
            response,
            failure: None,
        };
    }
    let answer = ice_response(stun_urls, relay, policy, user_id, now, api).await;
    if answer.response.relay {
        cache
            .borrow_mut()
            .keep(user_id, answer.response.clone(), now);
    }
    answer
}
