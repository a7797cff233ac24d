//! Access tokens, owned in one place: where a fresh one comes from, when a kept one is reused
//! or renewed, and what a refused one (401) means. The rules are plain Rust, tested on the
//! host; the call ([`CallToken`]) and the page's identity (`ui::session`) both borrow them.
//!
//! Tokens come from `POST /auth/refresh` (the HttpOnly session cookie decides who we are). When
//! there is no session, a joining person becomes a new guest, and a call whose session ended
//! (a guest's or a signed-in person's) ends: only the session renews a token.

use std::cell::RefCell;
use std::future::Future;

use confab_protocol::{close_code, GuestResponse};

use crate::api::{self, ApiError};

#[cfg(test)]
mod tests;

/// Every timing applied to access tokens, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// How long the server's access tokens live; every rule below keeps well inside it.
    pub lifetime_ms: f64,
    /// A call renews its token this often, and a reconnect renews first once its token is
    /// older than this.
    pub call_renew_ms: u32,
    /// A token younger than this is reused for API calls instead of rotating the session again.
    pub reuse_for_api_ms: f64,
    /// A call starts only with a token younger than this: its first renewal comes
    /// [`Timing::call_renew_ms`] later.
    pub reuse_for_call_ms: f64,
}

pub const TIMING: Timing = Timing {
    lifetime_ms: 10.0 * 60_000.0,
    call_renew_ms: 7 * 60_000,
    reuse_for_api_ms: 5.0 * 60_000.0,
    reuse_for_call_ms: 60_000.0,
};

// A call started with the oldest token it may reuse renews it before it expires, and a token
// reused for the APIs is still valid.
const _: () =
    assert!(TIMING.reuse_for_call_ms + (TIMING.call_renew_ms as f64) < TIMING.lifetime_ms);
const _: () = assert!(TIMING.reuse_for_api_ms < TIMING.lifetime_ms);

/// The error of a renewal that found no session for a signed-in person.
pub const SESSION_ENDED: &str = "your session has ended: sign in again";

/// What a kept token is wanted for; it decides how old the token may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// The profile and room APIs.
    Api,
    /// Starting a call.
    Call,
}

impl Timing {
    /// Whether a token `age_ms` old may be used again for `purpose` instead of a fresh one.
    pub fn reusable(&self, age_ms: f64, purpose: Use) -> bool {
        let max_age_ms = match purpose {
            Use::Api => self.reuse_for_api_ms,
            Use::Call => self.reuse_for_call_ms,
        };
        age_ms < max_age_ms
    }

    /// Whether a call's token `age_ms` old must be renewed before it opens a new socket (it may
    /// have expired while the socket was down).
    pub fn renewal_due(&self, age_ms: f64) -> bool {
        age_ms > f64::from(self.call_renew_ms)
    }
}

/// Whether the next socket must renew the access token first: the last one closed for an
/// expired token, or never opened at all (an upgrade refused with 401 looks to a browser like
/// any failed connection).
pub fn must_renew_first(code: u16, socket_opened: bool) -> bool {
    code == close_code::TOKEN_EXPIRED || !socket_opened
}

/// Whether a failed renewal means the session behind the token is gone (signed out here, or
/// everywhere from another device): a call then ends rather than go on as somebody else.
/// Anything else (offline, a server error) is worth trying again later.
pub fn ends_session(error: &ApiError) -> bool {
    error.is_unauthorized()
}

/// Whom a fresh token is for, which decides what happens when the session cookie gives none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// Someone joining: without a session, a new guest (which starts one).
    Join,
    /// The same person, for a running call.
    Call,
}

/// Where a token comes from when `POST /auth/refresh` found no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSession {
    /// `POST /auth/guest`: a new guest (with a session of its own).
    NewGuest,
    /// The session behind a running call ended (signed out here or everywhere, or revoked):
    /// nobody is renewed without one, a guest no more than a signed-in person. A 401,
    /// [`SESSION_ENDED`].
    Ended,
}

impl Renewal {
    pub fn without_session(self) -> NoSession {
        match self {
            Renewal::Join => NoSession::NewGuest,
            Renewal::Call => NoSession::Ended,
        }
    }
}

/// The one way to a fresh token for `name`: a session refresh (rotates the cookie), else what
/// [`Renewal::without_session`] says.
pub async fn fresh_token(name: &str, renewal: Renewal) -> Result<GuestResponse, ApiError> {
    if let Some(fresh) = api::refresh(Some(name)).await? {
        return Ok(fresh);
    }
    match renewal.without_session() {
        NoSession::NewGuest => api::guest_token(name).await,
        NoSession::Ended => Err(ApiError::Server {
            status: 401,
            detail: SESSION_ENDED.into(),
        }),
    }
}

/// The one rule for a refused token: when the server answers `request` with 401 (expired or
/// revoked), a fresh token is got once from `renew` and the request made again with it; a second
/// refusal, or a renewal that fails, is the caller's error. Returns the token that was used
/// last with the answer.
pub async fn retry_once_on_401<T, Req, ReqFut, Renew, RenewFut>(
    token: String,
    request: Req,
    renew: Renew,
) -> Result<(String, T), ApiError>
where
    Req: Fn(String) -> ReqFut,
    ReqFut: Future<Output = Result<T, ApiError>>,
    Renew: FnOnce() -> RenewFut,
    RenewFut: Future<Output = Result<String, ApiError>>,
{
    match request(token.clone()).await {
        Err(error) if error.is_unauthorized() => {
            let fresh = renew().await?;
            let answer = request(fresh.clone()).await?;
            Ok((fresh, answer))
        }
        other => other.map(|answer| (token, answer)),
    }
}

/// The latest token this browser got for its session (from a join or a refresh), kept for
/// reuse by the page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenCache {
    latest: Option<(GuestResponse, f64)>,
}

impl TokenCache {
    /// Remembers `fresh`, got at `now` (ms).
    pub fn learned(&mut self, fresh: &GuestResponse, now: f64) {
        self.latest = Some((fresh.clone(), now));
    }

    /// After sign-out: nothing to reuse.
    pub fn forget(&mut self) {
        self.latest = None;
    }

    /// The kept token, if it is young enough for `purpose` at `now`.
    pub fn reusable(&self, purpose: Use, now: f64) -> Option<&GuestResponse> {
        self.latest
            .as_ref()
            .filter(|(_, at)| TIMING.reusable(now - at, purpose))
            .map(|(token, _)| token)
    }

    /// A kept token to join a call as `name`: a young one of a signed-in person, or of the
    /// same guest name.
    pub fn for_join(&self, name: &str, now: f64) -> Option<&GuestResponse> {
        self.reusable(Use::Call, now)
            .filter(|token| !token.user.guest || token.user.name == name)
    }
}

/// A call's token as the call keeps it: the access token, when it was got, and whether the
/// server knows us as a guest.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub access: String,
    pub got_at: f64,
}

impl Held {
    pub fn renewal_due(&self, now: f64) -> bool {
        TIMING.renewal_due(now - self.got_at)
    }

    pub fn renewed(&mut self, access: String, now: f64) {
        self.access = access;
        self.got_at = now;
    }
}

/// The token of a running call, renewed only through [`CallToken::renew`].
pub struct CallToken {
    name: String,
    held: RefCell<Held>,
}

impl CallToken {
    pub fn new(name: String, access: String, now: f64) -> Self {
        CallToken {
            name,
            held: RefCell::new(Held {
                access,
                got_at: now,
            }),
        }
    }

    pub fn current(&self) -> String {
        self.held.borrow().access.clone()
    }

    pub fn renewal_due(&self, now: f64) -> bool {
        self.held.borrow().renewal_due(now)
    }

    /// A fresh token for the same person, kept from now on and returned.
    pub async fn renew(&self) -> Result<String, ApiError> {
        let fresh = fresh_token(&self.name, Renewal::Call).await?;
        self.held
            .borrow_mut()
            .renewed(fresh.access_token.clone(), js_sys::Date::now());
        Ok(fresh.access_token)
    }
}
