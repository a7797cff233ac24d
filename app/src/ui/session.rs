//! Who this browser is, as signals every page shares: learned once at start-up from
//! `POST /auth/refresh` (the HttpOnly session cookie decides), kept current after joins and
//! profile changes, cleared on sign-out. Also the sign-in providers the server offers.

use confab_protocol::{GuestResponse, ProvidersResponse, UserInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};

/// An access token younger than this is reused for API calls instead of rotating the session
/// again (they live ten minutes).
const REUSE_TOKEN_MS: f64 = 5.0 * 60_000.0;
/// A call renews its token seven minutes after it starts, so it must start with a young one.
const REUSE_FOR_CALL_MS: f64 = 60_000.0;

#[derive(Debug, Clone, PartialEq)]
pub enum Who {
    /// Waiting for the server's first answer.
    Unknown,
    /// No session: nobody signed in, no remembered guest.
    Nobody,
    /// A session: a signed-in person or a remembered guest.
    User(UserInfo),
}

#[derive(Clone, Copy)]
pub struct Session {
    pub who: RwSignal<Who>,
    /// `None` until `GET /auth/providers` answered.
    pub providers: RwSignal<Option<ProvidersResponse>>,
    /// The latest access token and when it was issued (`Date.now()`).
    token: StoredValue<Option<(GuestResponse, f64)>>,
}

impl Session {
    /// Creates the shared session, provides it as context and asks the server who we are.
    pub fn provide() -> Session {
        let session = Session {
            who: RwSignal::new(Who::Unknown),
            providers: RwSignal::new(None),
            token: StoredValue::new(None),
        };
        provide_context(session);
        spawn_local(async move {
            let providers = api::providers().await.unwrap_or_default();
            session.providers.set(Some(providers));
        });
        spawn_local(async move {
            if session.reload().await.is_err() {
                session.set_who(Who::Nobody);
            }
        });
        session
    }

    pub fn get() -> Session {
        expect_context::<Session>()
    }

    /// The signed-in person (not a guest), if any.
    pub fn user(self) -> Option<UserInfo> {
        self.who.with(|who| match who {
            Who::User(user) if !user.guest => Some(user.clone()),
            _ => None,
        })
    }

    pub fn signed_in(self) -> bool {
        self.who
            .with(|who| matches!(who, Who::User(user) if !user.guest))
    }

    pub fn known(self) -> bool {
        self.who.with(|who| *who != Who::Unknown)
    }

    /// Both start-up answers are in (who we are, what the server offers): forms that depend
    /// on them can show without changing under the user's hands a moment later.
    pub fn ready(self) -> bool {
        self.known() && self.providers.with(Option::is_some)
    }

    /// Whether guests may join; true until the server says otherwise.
    pub fn guests_allowed(self) -> bool {
        self.providers.with(|p| p.as_ref().is_none_or(|p| p.guests))
    }

    /// Remembers a fresh token (from a join, a refresh) and who it belongs to.
    pub fn learned(self, fresh: &GuestResponse) {
        self.token
            .set_value(Some((fresh.clone(), js_sys::Date::now())));
        self.set_who(Who::User(fresh.user.clone()));
    }

    /// Views that show who we are re-render only when it really changed.
    fn set_who(self, who: Who) {
        if self.who.with_untracked(|current| *current != who) {
            self.who.set(who);
        }
    }

    /// After sign-out: nobody, and no token to reuse.
    pub fn forget(self) {
        self.token.set_value(None);
        self.set_who(Who::Nobody);
    }

    /// Refreshes the session (rotating the cookie) and updates who we are; `Ok(None)` when
    /// there is no session.
    pub async fn reload(self) -> Result<Option<GuestResponse>, ApiError> {
        let fresh = api::refresh(None).await?;
        match &fresh {
            Some(fresh) => self.learned(fresh),
            None => self.forget(),
        }
        Ok(fresh)
    }

    /// A token for joining as `name`: a recent one when it fits (a signed-in person, or the
    /// same guest name), else the session's (or a new guest's) fresh one.
    pub async fn join_token(self, name: &str) -> Result<GuestResponse, ApiError> {
        if let Some(recent) = self.recent(REUSE_FOR_CALL_MS) {
            if !recent.user.guest || recent.user.name == name {
                return Ok(recent);
            }
        }
        let fresh = api::session_token(name).await?;
        self.learned(&fresh);
        Ok(fresh)
    }

    /// A token to call the profile or room APIs as the signed-in person; an error when there
    /// is no session.
    pub async fn access_token(self) -> Result<String, ApiError> {
        if let Some(recent) = self.recent(REUSE_TOKEN_MS) {
            return Ok(recent.access_token);
        }
        self.fresh_access_token().await
    }

    /// Always a newly refreshed token (after a 401, or a profile change).
    pub async fn fresh_access_token(self) -> Result<String, ApiError> {
        match self.reload().await? {
            Some(fresh) => Ok(fresh.access_token),
            None => Err(ApiError::Server {
                status: 401,
                detail: "You are signed out. Sign in again.".into(),
            }),
        }
    }

    fn recent(self, max_age_ms: f64) -> Option<GuestResponse> {
        let now = js_sys::Date::now();
        self.token
            .get_value()
            .filter(|(_, at)| now - at < max_age_ms)
            .map(|(token, _)| token)
    }
}

/// Runs `call` with an access token; when the server says the token is no longer good,
/// refreshes once and tries again.
pub async fn with_token<T, F, Fut>(session: Session, call: F) -> Result<T, ApiError>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let token = session.access_token().await?;
    match call(token).await {
        Err(error) if error.is_unauthorized() => call(session.fresh_access_token().await?).await,
        other => other,
    }
}
