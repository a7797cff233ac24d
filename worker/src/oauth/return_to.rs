//! `return_to`: where the browser goes after signing in. Only a path on our own origin, so the
//! sign-in routes can never be used to bounce someone to another site (an open redirect).

use percent_encoding::percent_decode_str;
use url::{Position, Url};

/// Longest accepted `return_to`, in bytes.
pub const MAX_RETURN_TO_BYTES: usize = 512;

/// Where to go when no `return_to` is given.
pub const DEFAULT_RETURN_TO: &str = "/";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("return_to must be a path on this site, like /r/room (at most 512 bytes)")]
pub struct ReturnToError;

/// Validates `raw` (already decoded from the query string once). Missing or empty is `/`.
/// Accepted: starts with `/` but not `//` or `/\`, no backslash, no control or whitespace
/// characters other than the plain space, at most [`MAX_RETURN_TO_BYTES`], still all of that
/// after one more round of percent-decoding (so `/%2F%2Fevil` is refused too), and it resolves
/// against `own_origin` to that same origin. The accepted value is returned as the resolved
/// URL's path, query and fragment (dot segments removed, non-ASCII percent-encoded, so it is a
/// valid `Location` header), checked once more.
pub fn validate(raw: Option<&str>, own_origin: &Url) -> Result<String, ReturnToError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(DEFAULT_RETURN_TO.to_owned());
    };
    if !acceptable(raw) {
        return Err(ReturnToError);
    }
    let resolved = own_origin.join(raw).map_err(|_| ReturnToError)?;
    if resolved.origin() != own_origin.origin() {
        return Err(ReturnToError);
    }
    let normalized = &resolved[Position::BeforePath..];
    if !acceptable(normalized) {
        return Err(ReturnToError);
    }
    Ok(normalized.to_owned())
}

/// Short enough, and a plain path both as it is and percent-decoded once more.
fn acceptable(path: &str) -> bool {
    path.len() <= MAX_RETURN_TO_BYTES
        && plain_path(path)
        && percent_decode_str(path)
            .decode_utf8()
            .is_ok_and(|decoded| plain_path(&decoded))
}

fn plain_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path
            .chars()
            .any(|c| c.is_control() || (c.is_whitespace() && c != ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Url {
        Url::parse("https://confab.example").unwrap()
    }

    fn check(raw: &str) -> Result<String, ReturnToError> {
        validate(Some(raw), &origin())
    }

    #[test]
    fn missing_or_empty_goes_home() {
        assert_eq!(validate(None, &origin()).as_deref(), Ok("/"));
        assert_eq!(check("").as_deref(), Ok("/"));
    }

    #[test]
    fn own_paths_are_kept() {
        for good in [
            "/",
            "/r/abc",
            "/r/abc?x=1#chat",
            "/profile",
            "/r/%ED%95%99%EA%B5%90",
            "/r/a%20b",
        ] {
            assert_eq!(check(good).as_deref(), Ok(good), "{good}");
        }
    }

    #[test]
    fn accepted_paths_are_normalized_for_the_location_header() {
        assert_eq!(check("/r/학교").as_deref(), Ok("/r/%ED%95%99%EA%B5%90"));
        assert_eq!(check("/r/a b").as_deref(), Ok("/r/a%20b"));
        assert_eq!(check("/r/x/../../profile").as_deref(), Ok("/profile"));
    }

    #[test]
    fn hostile_values_are_refused() {
        let long = format!("/{}", "a".repeat(MAX_RETURN_TO_BYTES));
        for bad in [
            "//evil.example",
            "//evil.example/r/abc",
            "/\\evil.example",
            "\\\\evil.example",
            "/r\\..\\..\\evil",
            "https://evil.example",
            "https://confab.example/r/abc",
            "http:evil.example",
            "javascript:alert(1)",
            "data:text/html,hi",
            "evil.example",
            "r/abc",
            "./r/abc",
            "../r",
            "?next=//evil",
            "#frag",
            " /r/abc",
            "/r/abc\r\nSet-Cookie: x=1",
            "/r/abc\nx",
            "/r/\u{0}",
            "/r/\u{7f}",
            "/r/\u{85}",
            "/r\tabc",
            "/%2F%2Fevil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%0d%0aSet-Cookie:%20x=1",
            "/%00",
            "/%ff",
            "/.//evil.example",
            "/./%2F/evil.example",
            "/r/..//evil.example",
            long.as_str(),
        ] {
            assert_eq!(check(bad), Err(ReturnToError), "{bad:?}");
        }
    }

    #[test]
    fn limit_is_in_bytes() {
        let at_limit = format!("/{}", "a".repeat(MAX_RETURN_TO_BYTES - 1));
        assert!(check(&at_limit).is_ok());
        // 171 three-byte characters plus the slash: 514 bytes, though only 172 characters.
        let multibyte = format!("/{}", "학".repeat(171));
        assert_eq!(check(&multibyte), Err(ReturnToError));
    }

    #[test]
    fn works_on_plain_http_and_other_ports() {
        let local = Url::parse("http://127.0.0.1:8787").unwrap();
        assert_eq!(validate(Some("/r/x"), &local).as_deref(), Ok("/r/x"));
        assert_eq!(
            validate(Some("//127.0.0.1:9999/r/x"), &local),
            Err(ReturnToError)
        );
    }
}
