//! HTTP calls to the worker, with typed errors.

use confab_protocol::{GuestRequest, GuestResponse, IceResponse, Problem};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("network error: {0}")]
    Network(String),
    #[error("{detail}")]
    Server { status: u16, detail: String },
    #[error("unexpected response: {0}")]
    Decode(String),
}

/// `POST /auth/guest`; pass the current token to keep the same guest identity on renewal.
pub async fn guest_token(name: &str, current: Option<&str>) -> Result<GuestResponse, ApiError> {
    let body = serde_json::to_string(&GuestRequest {
        name: name.to_owned(),
    })
    .map_err(|e| ApiError::Decode(e.to_string()))?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&body.into());
    let request = Request::new_with_str_and_init("/auth/guest", &init).map_err(js_error)?;
    let headers = request.headers();
    headers
        .set("content-type", "application/json")
        .map_err(js_error)?;
    if let Some(token) = current {
        headers
            .set("authorization", &format!("Bearer {token}"))
            .map_err(js_error)?;
    }
    send(request).await
}

/// `GET /api/ice`: STUN/TURN servers for this user.
pub async fn ice_servers(token: &str) -> Result<IceResponse, ApiError> {
    let request = Request::new_with_str("/api/ice").map_err(js_error)?;
    request
        .headers()
        .set("authorization", &format!("Bearer {token}"))
        .map_err(js_error)?;
    send(request).await
}

async fn send<T: serde::de::DeserializeOwned>(request: Request) -> Result<T, ApiError> {
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
    serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))
}

fn js_error(value: wasm_bindgen::JsValue) -> ApiError {
    ApiError::Network(format!("{value:?}"))
}
