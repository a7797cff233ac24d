//! HTTP errors as RFC 9457 problem details; the one place statuses are chosen.

use confab_protocol::Problem;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("no route for {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("expected a WebSocket upgrade")]
    UpgradeRequired,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("server error: {0}")]
    Internal(String),
    /// An upstream service (a sign-in provider) failed; the message says which and why.
    #[error("{0}")]
    BadGateway(String),
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) => 400,
            ApiError::Unauthorized(_) => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::MethodNotAllowed => 405,
            ApiError::Conflict(_) => 409,
            ApiError::PayloadTooLarge(_) => 413,
            ApiError::UnsupportedMediaType(_) => 415,
            ApiError::UpgradeRequired => 426,
            ApiError::Internal(_) => 500,
            ApiError::BadGateway(_) => 502,
        }
    }

    pub fn to_problem(&self) -> Problem {
        let status = self.status();
        Problem {
            kind: "about:blank".into(),
            title: title(status).into(),
            status,
            // Internal details stay in the log, not in the response.
            detail: match self {
                ApiError::Internal(_) => "the server failed; try again".into(),
                other => other.to_string(),
            },
        }
    }
}

fn title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        426 => "Upgrade Required",
        502 => "Bad Gateway",
        _ => "Internal Server Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_details() {
        let problem = ApiError::Internal("sqlite: secret path".into()).to_problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("sqlite"));
    }

    #[test]
    fn bad_gateway_says_which_upstream_failed() {
        let problem = ApiError::BadGateway(
            "sign-in with GitHub failed: the token endpoint answered HTTP 500".into(),
        )
        .to_problem();
        assert_eq!(
            (problem.status, problem.title.as_str()),
            (502, "Bad Gateway")
        );
        assert!(problem.detail.starts_with("sign-in with GitHub failed"));
    }

    #[test]
    fn problems_carry_status_title_and_detail() {
        let problem = ApiError::BadRequest("bad room".into()).to_problem();
        assert_eq!(
            (
                problem.status,
                problem.title.as_str(),
                problem.detail.as_str()
            ),
            (400, "Bad Request", "bad room")
        );
    }
}
