//! The signed-in user's profile: `PATCH /api/me` (the display name), `PUT /api/me/avatar` (the
//! image) and `GET /api/avatars/<user id>` (serving it).
//!
//! Everything but reading an image needs a Bearer access token of a signed-in person: none or
//! a bad one is 401, a guest's is 403. Profile changes go to the user's `Sessions` object; the
//! app then refreshes to get a token with the new name or image. Images are checked by
//! [`crate::avatar`] and kept in R2.

use confab_protocol::{DisplayName, ProfileUpdate, UserInfo};
use worker::{Env, Request, Response};

use crate::avatar::{
    self, check_image, served_content_type, user_id_from_segment, ImageError, MAX_AVATAR_BYTES,
    SERVE_HEADERS,
};
use crate::env::config;
use crate::http::{
    discard_refused_body, internal, json, json_body, json_object, no_store, read_capped,
    require_json, ApiError, BodyError,
};
use crate::session::calls::{set_profile, signed_in};
use crate::token::Identity;

/// `PATCH /api/me {"name"}` → 200 UserInfo with the new display name.
pub async fn update_me(mut req: Request, env: &Env) -> Result<Response, ApiError> {
    let result = update_profile(&mut req, env).await;
    discard_refused_body(&mut req, &result).await;
    result
}

async fn update_profile(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let config = config(env)?;
    let (identity, _) = signed_in(req, &config)?;
    require_json(req)?;
    let body = json_body(req).await?;
    let update: ProfileUpdate = json_object(&body, "{\"name\":\"Mina\"}")?;
    let name = DisplayName::parse(&update.name).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let updated = set_profile(
        env,
        &config,
        &identity.user_id,
        Some(name.as_str().to_owned()),
        None,
        false,
    )
    .await?;
    user_info(updated)
}

/// `PUT /api/me/avatar` with the raw image → 200 UserInfo with the new image path.
pub async fn upload_avatar(mut req: Request, env: &Env) -> Result<Response, ApiError> {
    let result = upload(&mut req, env).await;
    discard_refused_body(&mut req, &result).await;
    result
}

async fn upload(req: &mut Request, env: &Env) -> Result<Response, ApiError> {
    let config = config(env)?;
    let (identity, _) = signed_in(req, &config)?;
    let declared = req.headers().get("content-length").ok().flatten();
    let bytes = read_capped(req.stream().ok(), declared.as_deref(), MAX_AVATAR_BYTES)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge(_) => ApiError::PayloadTooLarge(ImageError::TooLarge.to_string()),
            BodyError::Unreadable => ApiError::BadRequest("unreadable body".into()),
        })?;
    let kind = check_image(&bytes).map_err(|e| match e {
        ImageError::TooLarge => ApiError::PayloadTooLarge(e.to_string()),
        ImageError::Empty | ImageError::UnsupportedType => {
            ApiError::UnsupportedMediaType(ImageError::UnsupportedType.to_string())
        }
    })?;
    let path = avatar::store::put(env, &identity.user_id, bytes, kind)
        .await
        .map_err(internal)?;
    let updated = set_profile(env, &config, &identity.user_id, None, Some(path), false).await?;
    if updated.is_none() {
        // No such user after all: do not keep an image nobody points at.
        if let Err(error) = avatar::store::delete(env, &identity.user_id).await {
            worker::console_error!("avatar: removing an orphan image: {error}");
        }
    }
    user_info(updated)
}

/// `GET /api/avatars/<user id>` (public): the image with its safe content type and headers
/// that keep it inert; 404 problem when there is none.
pub async fn avatar(env: &Env, segment: &str) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound(format!("/api/avatars/{segment}"));
    let user_id = user_id_from_segment(segment).ok_or_else(not_found)?;
    let (bytes, stored_type) = avatar::store::get(env, &user_id)
        .await
        .map_err(internal)?
        .ok_or_else(not_found)?;
    let mut response = Response::from_bytes(bytes).map_err(internal)?;
    let headers = response.headers_mut();
    headers
        .set("content-type", served_content_type(stored_type.as_deref()))
        .map_err(internal)?;
    for (name, value) in SERVE_HEADERS {
        headers.set(name, value).map_err(internal)?;
    }
    Ok(response)
}

/// 200 UserInfo of the changed profile; 401 when the token's user has no profile here (it was
/// never signed in on this server).
fn user_info(identity: Option<Identity>) -> Result<Response, ApiError> {
    let identity = identity.ok_or_else(|| {
        ApiError::Unauthorized("this account is not known here; sign in again".into())
    })?;
    let mut response = json(&UserInfo {
        id: identity.user_id,
        name: identity.name,
        guest: identity.guest,
        avatar: identity.avatar,
    })?;
    no_store(&mut response);
    Ok(response)
}
