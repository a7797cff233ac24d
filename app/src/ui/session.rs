//! Who this browser is, as signals every page shares: learned once at start-up from
//! `POST /auth/refresh` (the HttpOnly session cookie decides), kept current after joins and
//! profile changes, cleared on sign-out. Also the sign-in providers the server offers. Tokens
//! follow the session owner's rules ([`crate::session`]).

use confab_protocol::{GuestResponse, ProvidersResponse, UserInfo};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::session::{self, Renewal, TokenCache, Use};

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
    /// The latest access token and when it was issued.
    token: StoredValue<TokenCache>,
}

impl Session {
    /// Creates the shared session, provides it as context and asks the server who we are.
    pub fn provide() -> Session {
        let session = Session {
            who: RwSignal::new(Who::Unknown),
            providers: RwSignal::new(None),
            token: StoredValue::new(TokenCache::default()),
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
            .update_value(|cache| cache.learned(fresh, js_sys::Date::now()));
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
        self.token.update_value(TokenCache::forget);
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
        let now = js_sys::Date::now();
        if let Some(recent) = self.token.with_value(|c| c.for_join(name, now).cloned()) {
            return Ok(recent);
        }
        self.fresh_join_token(name).await
    }

    /// Always a new token for joining as `name` (after the last one was refused).
    pub async fn fresh_join_token(self, name: &str) -> Result<GuestResponse, ApiError> {
        let fresh = session::fresh_token(name, Renewal::Join).await?;
        self.learned(&fresh);
        Ok(fresh)
    }

    /// A token to call the profile or room APIs as the signed-in person; an error when there
    /// is no session.
    pub async fn access_token(self) -> Result<String, ApiError> {
        let now = js_sys::Date::now();
        if let Some(recent) = self
            .token
            .with_value(|c| c.reusable(Use::Api, now).cloned())
        {
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
}

/// Runs `call` with an access token; when the server says the token is no longer good,
/// refreshes once and tries again ([`session::retry_once_on_401`]).
pub async fn with_token<T, F, Fut>(session: Session, call: F) -> Result<T, ApiError>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let token = session.access_token().await?;
    session::retry_once_on_401(token, call, || session.fresh_access_token())
        .await
        .map(|(_, answer)| answer)
}
