//! Profile images in R2 (`AVATARS`), and copying a provider's picture there at sign-in. Thin
//! glue over [`super`]'s rules.

use std::collections::HashMap;

use worker::{Env, Fetch, Headers, HttpMetadata, Method, Request, RequestInit, RequestRedirect};

use super::{
    avatar_path, check_image, fetchable_picture_url, loggable_url, next_version, object_key,
    redirect_target, ImageKind, MAX_AVATAR_BYTES,
};
use crate::env::{config, now_ms};
use crate::http::read_capped;
use crate::session::calls::set_profile;

/// The R2 binding.
const BUCKET: &str = "AVATARS";
/// Custom metadata field holding the version in the profile's path.
const VERSION_FIELD: &str = "v";
/// How long fetching a provider's picture may take, in ms (headers and body together).
const PICTURE_TIMEOUT_MS: u32 = 5_000;
/// CDNs may move a picture once or twice within their host.
const MAX_PICTURE_REDIRECTS: u32 = 3;

/// Stores `bytes` (already checked to be `kind`) as the user's image and returns the new path
/// for the profile; its version is past the one stored before.
pub async fn put(
    env: &Env,
    user_id: &str,
    bytes: Vec<u8>,
    kind: ImageKind,
) -> worker::Result<String> {
    let bucket = env.bucket(BUCKET)?;
    let key = object_key(user_id);
    let previous = match bucket.head(key.clone()).await? {
        Some(object) => object
            .custom_metadata()
            .ok()
            .and_then(|m| m.get(VERSION_FIELD).and_then(|v| v.parse::<u64>().ok())),
        None => None,
    };
    let version = next_version(now_ms(), previous);
    bucket
        .put(key, bytes)
        .http_metadata(HttpMetadata {
            content_type: Some(kind.content_type().to_owned()),
            ..HttpMetadata::default()
        })
        .custom_metadata(HashMap::from([(
            VERSION_FIELD.to_owned(),
            version.to_string(),
        )]))
        .execute()
        .await?;
    Ok(avatar_path(user_id, version))
}

/// Whether the user has an image stored.
pub async fn exists(env: &Env, user_id: &str) -> worker::Result<bool> {
    Ok(env
        .bucket(BUCKET)?
        .head(object_key(user_id))
        .await?
        .is_some())
}

/// Removes the user's image (an upload whose profile change failed).
pub async fn delete(env: &Env, user_id: &str) -> worker::Result<()> {
    env.bucket(BUCKET)?.delete(object_key(user_id)).await
}

/// The user's image and its stored content type, if there is one.
pub async fn get(env: &Env, user_id: &str) -> worker::Result<Option<(Vec<u8>, Option<String>)>> {
    let Some(object) = env
        .bucket(BUCKET)?
        .get(object_key(user_id))
        .execute()
        .await?
    else {
        return Ok(None);
    };
    let content_type = object.http_metadata().content_type;
    let Some(body) = object.body() else {
        return Ok(None);
    };
    Ok(Some((body.bytes().await?, content_type)))
}

/// Copies a provider's picture into R2 as the user's image, unless they already have one, so
/// the browser never loads third-party image URLs. Only http(s) URLs, at most 2 MiB, PNG, JPEG
/// or WebP by their first bytes, within a few seconds. Returns the user's image path after
/// the change, or `None` when nothing was adopted; a failure is logged (without the URL's
/// query) and sign-in goes on without a picture.
pub async fn adopt_provider_picture(env: &Env, user_id: &str, picture_url: &str) -> Option<String> {
    match adopt(env, user_id, picture_url).await {
        Ok(path) => path,
        Err(reason) => {
            worker::console_warn!(
                "avatar: not adopting the provider's picture {}: {reason}",
                loggable_url(picture_url)
            );
            None
        }
    }
}

async fn adopt(env: &Env, user_id: &str, picture_url: &str) -> Result<Option<String>, String> {
    let url = fetchable_picture_url(picture_url).ok_or("not an http(s) URL")?;
    if exists(env, user_id).await.map_err(|e| e.to_string())? {
        return Ok(None); // the user's own image stays
    }
    let bytes = fetch_picture(url).await?;
    let kind = check_image(&bytes).map_err(|e| e.to_string())?;
    let config = config(env).map_err(|e| e.to_string())?;
    let path = put(env, user_id, bytes, kind)
        .await
        .map_err(|e| format!("storing it failed: {e}"))?;
    let identity = set_profile(env, &config, user_id, None, Some(path), true)
        .await
        .map_err(|e| format!("setting the profile failed: {e}"))?;
    Ok(identity.and_then(|identity| identity.avatar))
}

/// Fetches the picture, following at most [`MAX_PICTURE_REDIRECTS`] redirects and only on the
/// same host ([`redirect_target`]); one timeout covers them all.
async fn fetch_picture(mut url: worker::Url) -> Result<Vec<u8>, String> {
    let signal = worker::AbortSignal::from(worker::web_sys::AbortSignal::timeout_with_u32(
        PICTURE_TIMEOUT_MS,
    ));
    let mut redirects = 0;
    let mut response = loop {
        let headers = Headers::new();
        let _ = headers.set("accept", "image/png,image/jpeg,image/webp");
        let _ = headers.set("user-agent", "confab");
        let mut init = RequestInit::new();
        init.with_method(Method::Get)
            .with_headers(headers)
            .with_redirect(RequestRedirect::Manual);
        let request = Request::new_with_init(url.as_str(), &init).map_err(|e| e.to_string())?;
        let response = Fetch::Request(request)
            .send_with_signal(&signal)
            .await
            .map_err(|_| "the request failed or timed out".to_owned())?;
        if !(300..400).contains(&response.status_code()) {
            break response;
        }
        let location = response.headers().get("location").ok().flatten();
        redirects += 1;
        url = match location.as_deref().and_then(|to| redirect_target(&url, to)) {
            Some(next) if redirects <= MAX_PICTURE_REDIRECTS => next,
            Some(_) => return Err("it redirected too many times".into()),
            None => return Err("it redirected to another host or scheme".into()),
        };
    };
    if response.status_code() != 200 {
        return Err(format!("it answered HTTP {}", response.status_code()));
    }
    let declared = response.headers().get("content-length").ok().flatten();
    let stream = response.stream().ok();
    let bytes = read_capped(stream, declared.as_deref(), MAX_AVATAR_BYTES)
        .await
        .map_err(|e| e.to_string())?;
    // An abort mid-body ends the stream like a clean end would.
    if signal.aborted() {
        return Err("it took too long".into());
    }
    Ok(bytes)
}
