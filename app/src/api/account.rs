//! Sign-in providers, the signed-in person's profile, and rooms that require sign-in.

use confab_protocol::{
    CreateRoomRequest, CreateRoomResponse, HistoryVisibility, ProfileUpdate, ProvidersResponse,
    UserInfo,
};
use web_sys::{Request, RequestInit};

use super::{bearer, js_error, json_request, send, to_json, ApiError};

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
    let request = json_request("PATCH", "/api/me", &to_json(&update)?)?;
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

/// `POST /api/rooms`: a new room with a server-chosen name (signed-in people only), whose chat
/// history people see as `history` says.
pub async fn create_room(
    token: &str,
    require_sign_in: bool,
    history: HistoryVisibility,
) -> Result<CreateRoomResponse, ApiError> {
    let body = to_json(&CreateRoomRequest {
        require_sign_in,
        history,
    })?;
    let request = json_request("POST", "/api/rooms", &body)?;
    bearer(&request, token)?;
    send(request).await
}

/// `POST /auth/logout-all`: ends every session of this user, on every device.
pub async fn logout_all() -> Result<(), ApiError> {
    let request = json_request("POST", "/auth/logout-all", "{}")?;
    match super::send_empty(request).await {
        // No live session here any more: nothing left to end.
        Err(error) if error.is_unauthorized() => Ok(()),
        other => other,
    }
}
