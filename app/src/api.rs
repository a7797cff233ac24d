//! HTTP calls to the worker, with typed errors.

use confab_protocol::{GuestRequest, GuestResponse, IceResponse, Problem, RefreshRequest};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

mod account;
mod retry;
pub mod sfu;
pub use account::{create_room, logout_all, providers, update_name, upload_avatar};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("network error: {0}")]
    Network(String),
    #[error("{detail}")]
    Server { status: u16, detail: String },
    #[error("unexpected response: {0}")]
    Decode(String),
}

/// `POST /auth/guest`: a new guest and its session (the server sets the refresh cookie).
pub async fn guest_token(name: &str) -> Result<GuestResponse, ApiError> {
    let body = to_json(&GuestRequest {
        name: name.to_owned(),
    })?;
    send(json_request("POST", "/auth/guest", &body)?).await
}

impl ApiError {
    /// The server said the credentials are missing, expired or revoked.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Server { status: 401, .. })
    }

    /// What the call was about no longer exists on the server (410 Gone: an SFU session the
    /// SFU forgot).
    pub fn is_gone(&self) -> bool {
        matches!(self, ApiError::Server { status: 410, .. })
    }

    /// The request may well succeed if sent again: the network or a server in the way failed
    /// (5xx), or the server asked to slow down (429). A 4xx means the request itself is wrong.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Network(_) => true,
            ApiError::Server { status, .. } => *status >= 500 || *status == 429,
            ApiError::Decode(_) => false,
        }
    }
}

/// `POST /auth/refresh`: rotates the session cookie (same-origin, so it rides along; it is
/// HttpOnly, the app never sees it) and returns a new access token for the same user;
/// `Ok(None)` when there is no (longer a) session. A guest may pass a new name.
pub async fn refresh(name: Option<&str>) -> Result<Option<GuestResponse>, ApiError> {
    let body = RefreshRequest {
        name: name.map(str::to_owned),
    };
    // Refreshing rotates the cookie: two tabs refreshing at once would present the same token
    // twice, which the server treats as theft and revokes the session. Tabs take turns.
    match exclusively("confab-refresh", post_json("/auth/refresh", &body)).await {
        Ok(fresh) => Ok(Some(fresh)),
        Err(error) if error.is_unauthorized() => Ok(None),
        Err(error) => Err(error),
    }
}

/// `POST /auth/logout`: ends this browser's session (the server clears the cookie).
pub async fn logout() -> Result<(), ApiError> {
    send_empty(json_request("POST", "/auth/logout", "{}")?).await
}

async fn post_json<B: serde::Serialize, T: serde::de::DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    send(json_request("POST", path, &to_json(body)?)?).await
}

fn to_json<B: serde::Serialize>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|e| ApiError::Decode(e.to_string()))
}

/// A same-origin JSON request (the browser adds `Origin` and the session cookie).
fn json_request(method: &str, path: &str, body: &str) -> Result<Request, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    init.set_body(&body.into());
    let request = Request::new_with_str_and_init(path, &init).map_err(js_error)?;
    request
        .headers()
        .set("content-type", "application/json")
        .map_err(js_error)?;
    Ok(request)
}

/// `GET /api/ice`: STUN/TURN servers for this user.
pub async fn ice_servers(token: &str) -> Result<IceResponse, ApiError> {
    let request = Request::new_with_str("/api/ice").map_err(js_error)?;
    bearer(&request, token)?;
    send(request).await
}

/// Adds `authorization: Bearer <token>`.
fn bearer(request: &Request, token: &str) -> Result<(), ApiError> {
    request
        .headers()
        .set("authorization", &format!("Bearer {token}"))
        .map_err(js_error)
}

async fn send<T: serde::de::DeserializeOwned>(request: Request) -> Result<T, ApiError> {
    let text = fetch_text(request).await?;
    serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))
}

/// For answers without a body worth reading (204).
async fn send_empty(request: Request) -> Result<(), ApiError> {
    fetch_text(request).await.map(drop)
}

/// The body of a successful answer; a failure becomes [`ApiError::Server`] with the problem's
/// `detail` (or the status when the body is not problem+json).
async fn fetch_text(request: Request) -> Result<String, ApiError> {
    let window = web_sys::window().ok_or_else(|| ApiError::Network("no window".into()))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_error)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .as_string()
        .unwrap_or_default();
    if !response.ok() {
        let detail = serde_json::from_str::<Problem>(&text)
            .map(|p| p.detail)
            .unwrap_or_else(|_| format!("HTTP {}", response.status()));
        return Err(ApiError::Server {
            status: response.status(),
            detail,
        });
    }
    Ok(text)
}

fn js_error(value: wasm_bindgen::JsValue) -> ApiError {
    ApiError::Network(format!("{value:?}"))
}

/// Runs `work` while holding the browser-wide Web Lock `name` (shared by every tab of this
/// origin); without Web Locks (old browsers) it just runs.
async fn exclusively<T>(name: &str, work: impl std::future::Future<Output = T>) -> T {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::JsValue;

    let locks = web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|locks| locks.is_object());
    let request = locks
        .as_ref()
        .and_then(|locks| Reflect::get(locks, &"request".into()).ok())
        .and_then(|f| f.dyn_into::<Function>().ok());
    let (Some(locks), Some(request)) = (locks, request) else {
        return work.await;
    };
    // `acquired` resolves when the lock is ours; the lock is held until `release` resolves.
    let mut release_fn: Option<Function> = None;
    let release = Promise::new(&mut |resolve, _| release_fn = Some(resolve));
    let mut acquired_fn: Option<Function> = None;
    let acquired = Promise::new(&mut |resolve, _| acquired_fn = Some(resolve));
    let held = release.clone();
    let on_lock = wasm_bindgen::closure::Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        if let Some(acquired) = acquired_fn {
            let _ = acquired.call0(&JsValue::NULL);
        }
        held.into()
    });
    if request.call2(&locks, &name.into(), &on_lock).is_err() {
        return work.await;
    }
    let _ = JsFuture::from(acquired).await;
    let result = work.await;
    if let Some(release) = release_fn {
        let _ = release.call0(&JsValue::NULL);
    }
    result
}
