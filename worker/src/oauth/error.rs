//! Why a provider call failed, in a short sentence fit for a 502 problem: never a token, a code
//! or a provider's free text, only our own words and a provider's error code when it is a short
//! plain identifier (`invalid_grant`, `KOE320`).

use std::fmt;

use super::id_token::IdTokenError;

/// Which call to the provider failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Token,
    Userinfo,
    Emails,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Token => "token endpoint",
            Step::Userinfo => "user info endpoint",
            Step::Emails => "e-mail endpoint",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// The request failed before an answer (DNS, TLS, connection).
    Unreachable(Step),
    /// No answer within the time limit.
    Timeout(Step),
    /// An error status, with the provider's error code when it gave a plain one.
    Status {
        step: Step,
        status: u16,
        code: Option<String>,
    },
    /// A success status whose body is an error (GitHub, Naver and Kakao do this).
    Refused { step: Step, code: Option<String> },
    /// An answer that is not what the provider documents.
    Unexpected(Step),
    /// Google's ID token failed a check.
    IdToken(IdTokenError),
    /// Google's user info speaks for another account than the ID token.
    SubjectMismatch,
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = |code: &Option<String>| match code {
            Some(code) => format!(" ({code})"),
            None => String::new(),
        };
        match self {
            ProviderError::Unreachable(step) => write!(f, "the {step} could not be reached"),
            ProviderError::Timeout(step) => write!(f, "the {step} did not answer in time"),
            ProviderError::Status {
                step,
                status,
                code: c,
            } => write!(f, "the {step} answered HTTP {status}{}", code(c)),
            ProviderError::Refused { step, code: c } => {
                write!(f, "the {step} refused the request{}", code(c))
            }
            ProviderError::Unexpected(step) => write!(f, "the {step} sent an unexpected answer"),
            ProviderError::IdToken(problem) => write!(f, "the ID token {problem}"),
            ProviderError::SubjectMismatch => {
                f.write_str("the user info is for another account than the ID token")
            }
        }
    }
}

impl std::error::Error for ProviderError {}

impl From<IdTokenError> for ProviderError {
    fn from(problem: IdTokenError) -> Self {
        ProviderError::IdToken(problem)
    }
}

/// A provider's error code, if it is a short plain identifier; anything else (free text,
/// something that might echo a value we sent) is dropped.
pub fn plain_code(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    let plain = !raw.is_empty()
        && raw.len() <= 40
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    plain.then(|| raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_codes_are_repeated() {
        assert_eq!(
            plain_code(Some("invalid_grant")).as_deref(),
            Some("invalid_grant")
        );
        assert_eq!(plain_code(Some(" KOE320 ")).as_deref(), Some("KOE320"));
        for dropped in [
            "",
            "bad code abc123",
            "gho_16C7e42F292c6912E7710c838347Ae178B4a?x",
            "<script>",
            &"a".repeat(41),
        ] {
            assert_eq!(plain_code(Some(dropped)), None, "{dropped}");
        }
        assert_eq!(plain_code(None), None);
    }

    #[test]
    fn messages_are_short_sentences() {
        let status = ProviderError::Status {
            step: Step::Token,
            status: 401,
            code: Some("invalid_client".into()),
        };
        assert_eq!(
            status.to_string(),
            "the token endpoint answered HTTP 401 (invalid_client)"
        );
        assert_eq!(
            ProviderError::Refused {
                step: Step::Userinfo,
                code: None
            }
            .to_string(),
            "the user info endpoint refused the request"
        );
        assert_eq!(
            ProviderError::Timeout(Step::Token).to_string(),
            "the token endpoint did not answer in time"
        );
    }
}
