//! Writing responses: JSON bodies, problem+json for every failure, `Cache-Control: no-store`.

use worker::Response;

use super::{internal, ApiError};

/// 200 with `value` as JSON.
pub fn json<T: serde::Serialize>(value: &T) -> Result<Response, ApiError> {
    Response::from_json(value).map_err(internal)
}

/// `Cache-Control: no-store`, for answers that are per user or carry a credential.
pub fn no_store(response: &mut Response) {
    let _ = response.headers_mut().set("cache-control", "no-store");
}

/// The problem+json answer for `error` (a 5xx is logged first, with its details).
pub fn problem(error: &ApiError) -> worker::Result<Response> {
    if error.status() >= 500 {
        worker::console_error!("request failed: {error}");
    }
    let mut response = Response::from_json(&error.to_problem())?.with_status(error.status());
    response
        .headers_mut()
        .set("content-type", "application/problem+json")?;
    if let Some(seconds) = error.retry_after() {
        response
            .headers_mut()
            .set("retry-after", &seconds.to_string())?;
    }
    Ok(response)
}
