//! Sign-in providers, the signed-in person's profile, and rooms that require sign-in.

use confab_protocol::{
    CreateRoomRequest, CreateRoomResponse, ProfileUpdate, ProvidersResponse, UserInfo,
};
use web_sys::{Request, RequestInit};

use super::{js_error, json_request, send, ApiError};

/// `GET /auth/providers`: which sign-in buttons to show and whether guests may join. A server
/// that does not know the route (older worker) offers no providers and lets guests in.
pub async fn providers() -> Result<ProvidersResponse, ApiError> {
    let request = Request::new_with_str("/auth/providers").map_err(js_error)?;
    match send(request).await {
        Err(ApiError::Server { status: 404, .. }) => Ok(ProvidersResponse::default()),
        other => other,
    }
}

/// `PATCH /api/me {"name"}`: a new display name (already checked with `DisplayName`).
pub async fn update_name(token: &str, name: &str) -> Result<UserInfo, ApiError> {
    let update = ProfileUpdate {
        name: name.to_owned(),
    };
    let body = serde_json::to_string(&update).map_err(|e| ApiError::Decode(e.to_string()))?;
    let init = RequestInit::new();
    init.set_method("PATCH");
    init.set_body(&body.into());
    let request = Request::new_with_str_and_init("/api/me", &init).map_err(js_error)?;
    let headers = request.headers();
    headers
        .set("content-type", "application/json")
        .map_err(js_error)?;
    bearer(&request, token)?;
    send(request).await
}

/// `PUT /api/me/avatar` with the image as the body, exactly as chosen (the server reads the
/// type from its bytes).
pub async fn upload_avatar(token: &str, image: &web_sys::Blob) -> Result<UserInfo, ApiError> {
    let init = RequestInit::new();
    init.set_method("PUT");
    init.set_body(image);
    let request = Request::new_with_str_and_init("/api/me/avatar", &init).map_err(js_error)?;
    bearer(&request, token)?;
    send(request).await
}

/// `POST /api/rooms`: a new room with a server-chosen name (signed-in people only).
pub async fn create_room(
    token: &str,
    require_sign_in: bool,
) -> Result<CreateRoomResponse, ApiError> {
    let body = serde_json::to_string(&CreateRoomRequest { require_sign_in })
        .map_err(|e| ApiError::Decode(e.to_string()))?;
    let request = json_request("/api/rooms", &body)?;
    bearer(&request, token)?;
    send(request).await
}

/// `POST /auth/logout-all`: ends every session of this user, on every device.
pub async fn logout_all() -> Result<(), ApiError> {
    let request = json_request("/auth/logout-all", "{}")?;
    match super::send_empty(request).await {
        // No live session here any more: nothing left to end.
        Err(error) if error.is_unauthorized() => Ok(()),
        other => other,
    }
}

fn bearer(request: &Request, token: &str) -> Result<(), ApiError> {
    request
        .headers()
        .set("authorization", &format!("Bearer {token}"))
        .map_err(js_error)
}
