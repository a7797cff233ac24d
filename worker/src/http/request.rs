//! Reading requests: the Bearer token, the JSON content-type rule, and bodies (whole, or
//! capped with whatever is left of a refused one read and dropped).

use futures_util::StreamExt;
use worker::{ByteStream, Request, Response};

use super::{
    bearer_token, declared_too_large, json_content_type, ApiError, BodyError, MAX_JSON_BYTES,
};

/// The most of a refused body that is read (and dropped) to keep the connection usable.
const DISCARD_LIMIT: usize = 16 * 1024 * 1024;

/// The token from `Authorization: Bearer <token>`.
pub fn bearer(req: &Request) -> Option<String> {
    bearer_token(req.headers().get("authorization").ok().flatten().as_deref())
}

/// 415 unless the request says `Content-Type: application/json`.
pub fn require_json(req: &Request) -> Result<(), ApiError> {
    json_content_type(req.headers().get("content-type").ok().flatten().as_deref())
}

/// A small JSON body, read with a hard cap of [`MAX_JSON_BYTES`].
pub async fn json_body(req: &mut Request) -> Result<Vec<u8>, ApiError> {
    body_within(req, MAX_JSON_BYTES).await
}

/// The body, at most `limit` bytes: 413 beyond (nothing more is kept), 400 when unreadable.
/// No body is read whole without a cap.
pub async fn body_within(req: &mut Request, limit: usize) -> Result<Vec<u8>, ApiError> {
    let declared = req.headers().get("content-length").ok().flatten();
    read_capped(req.stream().ok(), declared.as_deref(), limit)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge(_) => ApiError::PayloadTooLarge(e.to_string()),
            BodyError::Unreadable => ApiError::BadRequest("unreadable body".into()),
        })
}

/// Reads a body stream, keeping at most `limit` bytes: a body over the limit (by its
/// `Content-Length`, checked first, or by what arrives) is refused without being buffered.
pub async fn read_capped(
    stream: Option<ByteStream>,
    declared: Option<&str>,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let Some(mut stream) = stream else {
        return if declared_too_large(declared, limit) {
            Err(BodyError::TooLarge(limit))
        } else {
            Ok(Vec::new())
        };
    };
    let read = collect_capped(&mut stream, declared, limit).await;
    if let Err(BodyError::TooLarge(_)) = read {
        discard(&mut stream).await;
    }
    read
}

/// What [`read_capped`] keeps, leaving the rest of a body over `limit` unread (for answers
/// the worker fetched: those it can abort instead).
pub async fn collect_capped(
    stream: &mut ByteStream,
    declared: Option<&str>,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    if declared_too_large(declared, limit) {
        return Err(BodyError::TooLarge(limit));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        if bytes.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Reads and drops what is left of a body we refuse, up to [`DISCARD_LIMIT`] bytes. Answering
/// before the body is read makes the runtime drop the connection, and under `wrangler dev` the
/// local proxy then fails the next non-GET request that reuses it (503 "Your worker restarted
/// mid-request"); a body larger than this is cut off anyway.
pub async fn discard(stream: &mut ByteStream) {
    let mut seen = 0usize;
    while let Some(Ok(chunk)) = stream.next().await {
        seen = seen.saturating_add(chunk.len());
        if seen > DISCARD_LIMIT {
            break;
        }
    }
}

/// [`discard`] for a request whose body may not have been touched yet.
pub async fn discard_body(req: &mut Request) {
    if let Ok(mut stream) = req.stream() {
        discard(&mut stream).await;
    }
}

/// A refused request's body is read and dropped (see [`discard`]).
pub async fn discard_refused_body(req: &mut Request, result: &Result<Response, ApiError>) {
    if result.is_err() {
        discard_body(req).await;
    }
}
