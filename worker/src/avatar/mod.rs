//! Profile images: what may be stored and how it is served, in plain Rust.
//!
//! An upload (or a provider's picture) is accepted only when its first bytes are those of a
//! PNG, JPEG or WebP file; the `Content-Type` anyone claims is ignored. The type found is the
//! only content type ever stored or served, and every image is served with headers that keep a
//! browser from treating it as anything else: `X-Content-Type-Options: nosniff` and a
//! `Content-Security-Policy` of `default-src 'none'; sandbox`. So a file that starts like a PNG
//! and goes on as HTML is still an inert `image/png`, never a page.
//!
//! Images live in the R2 bucket bound as `AVATARS`, key `avatars/<user id>`, one per user; the
//! profile points at `/api/avatars/<user id>?v=<version>`, and the version changes on every
//! upload so browsers never keep showing the old picture.

#[cfg(target_arch = "wasm32")]
pub mod routes;
#[cfg(target_arch = "wasm32")]
pub mod store;

#[cfg(target_arch = "wasm32")]
pub use store::adopt_provider_picture;

/// Largest image accepted, in bytes (2 MiB).
pub const MAX_AVATAR_BYTES: usize = 2 * 1024 * 1024;

/// Headers on every served image (besides its content type and length).
pub const SERVE_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("content-security-policy", "default-src 'none'; sandbox"),
    ("cache-control", "public, max-age=300"),
];

/// Longest user id that may name an image (the session tokens' limit).
const MAX_USER_ID_BYTES: usize = 200;

/// The image formats we store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    WebP,
}

impl ImageKind {
    pub fn content_type(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::WebP => "image/webp",
        }
    }

    /// The kind a stored content type names; `None` for anything we would not have stored.
    pub fn from_content_type(content_type: &str) -> Option<ImageKind> {
        match content_type {
            "image/png" => Some(ImageKind::Png),
            "image/jpeg" => Some(ImageKind::Jpeg),
            "image/webp" => Some(ImageKind::WebP),
            _ => None,
        }
    }
}

/// Why bytes were not accepted as a profile image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the image is larger than 2 MiB")]
    TooLarge,
    #[error("the image is empty")]
    Empty,
    #[error("only PNG, JPEG and WebP images are accepted")]
    UnsupportedType,
}

const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
const JPEG_SIGNATURE: &[u8] = &[0xFF, 0xD8, 0xFF];

/// The image kind of `bytes`, from its first bytes only. WebP also needs its RIFF size to match
/// the length (`size + 8 == len`), so a cut-off WebP file is refused.
pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
    if bytes.starts_with(PNG_SIGNATURE) {
        return Some(ImageKind::Png);
    }
    if bytes.starts_with(JPEG_SIGNATURE) {
        return Some(ImageKind::Jpeg);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        let size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        if usize::try_from(size).ok().and_then(|s| s.checked_add(8)) == Some(bytes.len()) {
            return Some(ImageKind::WebP);
        }
    }
    None
}

/// Checks an upload: size first (2 MiB exactly is fine), then the type.
pub fn check_image(bytes: &[u8]) -> Result<ImageKind, ImageError> {
    if bytes.len() > MAX_AVATAR_BYTES {
        return Err(ImageError::TooLarge);
    }
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    sniff(bytes).ok_or(ImageError::UnsupportedType)
}

/// The R2 key of a user's image.
pub fn object_key(user_id: &str) -> String {
    format!("avatars/{user_id}")
}

/// The profile's image path for `version`.
pub fn avatar_path(user_id: &str, version: u64) -> String {
    format!("/api/avatars/{user_id}?v={version}")
}

/// The version for a new upload: the upload time in ms, but always past the previous version
/// (two uploads in one millisecond, or a clock step back, still change the path).
pub fn next_version(now_ms: i64, previous: Option<u64>) -> u64 {
    let now = u64::try_from(now_ms).unwrap_or(0);
    match previous {
        Some(previous) if previous >= now => previous.saturating_add(1),
        _ => now,
    }
}

/// The user id named by the last segment of `/api/avatars/<user id>`, or `None` when it cannot
/// be one of ours. `%3A` stands for `:` (the one character of our ids a client may escape).
pub fn user_id_from_segment(segment: &str) -> Option<String> {
    let decoded = segment.replace("%3A", ":").replace("%3a", ":");
    let ok = !decoded.is_empty()
        && decoded.len() <= MAX_USER_ID_BYTES
        && decoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'-' | b'.'))
        && decoded != "."
        && decoded != "..";
    ok.then_some(decoded)
}

/// The content type to serve a stored object with: the stored one if it is one of ours,
/// otherwise a type no browser renders.
pub fn served_content_type(stored: Option<&str>) -> &'static str {
    stored
        .and_then(ImageKind::from_content_type)
        .map_or("application/octet-stream", ImageKind::content_type)
}

/// A provider's picture URL, if it may be fetched: absolute https with a host, no user info
/// (plain http only on loopback, where the test stand-ins run: a picture fetched over http
/// could be swapped on the way).
pub fn fetchable_picture_url(raw: &str) -> Option<worker::Url> {
    let url = worker::Url::parse(raw.trim()).ok()?;
    let scheme_ok = match url.scheme() {
        "https" => true,
        "http" => crate::oauth::config::is_loopback(&url),
        _ => false,
    };
    let ok = scheme_ok
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none();
    ok.then_some(url)
}

/// Where a picture's redirect may lead: a fetchable URL on the same host (CDNs move a picture
/// within their host; a redirect elsewhere could point the worker at anything).
pub fn redirect_target(from: &worker::Url, location: &str) -> Option<worker::Url> {
    let to = from.join(location).ok()?;
    let to = fetchable_picture_url(to.as_str())?;
    (to.host_str() == from.host_str() && to.port_or_known_default() == from.port_or_known_default())
        .then_some(to)
}

/// A URL for logs: scheme, host and path only (a query may carry signatures or tokens).
pub fn loggable_url(raw: &str) -> String {
    match worker::Url::parse(raw.trim()) {
        Ok(url) => format!(
            "{}://{}{}",
            url.scheme(),
            url.host_str().unwrap_or(""),
            url.path()
        ),
        Err(_) => "(not a URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests;
