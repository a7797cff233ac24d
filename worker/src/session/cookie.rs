//! The refresh-token cookie: built and read here, so its attributes are tested on the host.
//!
//! - Over https: `__Host-confab_rt=<token>; Path=/; Max-Age=<lifetime>; HttpOnly; Secure;
//!   SameSite=Strict`. The `__Host-` prefix makes the browser refuse it unless it is Secure,
//!   has `Path=/` and no `Domain`, so no sibling subdomain can plant or shadow it.
//! - Over plain http (`wrangler dev` on localhost): `confab_rt`, the same but without `Secure`
//!   (a browser drops Secure cookies set over http, except on localhost in some browsers only)
//!   and so without the prefix, which requires Secure.
//!
//! `SameSite=Strict`: the cookie is only ever needed by the app's own `fetch` calls to
//! `/auth/*`, which are same-site even when the page was opened from a link on another site, so
//! Lax would buy nothing and would add top-level cross-site GET navigations. (CSRF on the
//! POSTs is also stopped by the Origin check and the JSON content type.) `HttpOnly` keeps it
//! away from page scripts. The decision between the two forms is made from the request URL's
//! scheme.

/// Cookie name over https.
pub const SECURE_NAME: &str = "__Host-confab_rt";
/// Cookie name over plain http (local development).
pub const PLAIN_NAME: &str = "confab_rt";

/// Whether a request URL with this scheme gets the Secure, `__Host-` form.
pub fn is_secure_scheme(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("https")
}

pub fn name(secure: bool) -> &'static str {
    if secure {
        SECURE_NAME
    } else {
        PLAIN_NAME
    }
}

/// `Set-Cookie` value carrying `token` for `max_age_s` seconds.
pub fn set(token: &str, secure: bool, max_age_s: i64) -> String {
    let secure_attr = if secure { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; Max-Age={}; HttpOnly{secure_attr}; SameSite=Strict",
        name(secure),
        max_age_s.max(0)
    )
}

/// `Set-Cookie` value that deletes the cookie.
pub fn clear(secure: bool) -> String {
    set("", secure, 0)
}

/// The refresh token from a `Cookie` header, if one of ours is there and non-empty.
pub fn read(header: Option<&str>, secure: bool) -> Option<&str> {
    value_of(header, name(secure))
}

/// The value of the cookie named `wanted` in a `Cookie` header, if there and non-empty.
pub fn value_of<'a>(header: Option<&'a str>, wanted: &str) -> Option<&'a str> {
    header?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| name.trim() == wanted)
        .map(|(_, value)| value.trim().trim_matches('"'))
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes(cookie: &str) -> Vec<String> {
        cookie
            .split(';')
            .skip(1)
            .map(|a| a.trim().to_ascii_lowercase())
            .collect()
    }

    #[test]
    fn https_cookie_is_host_prefixed_secure_http_only_strict() {
        let cookie = set("u.s", true, 2_592_000);
        assert!(cookie.starts_with("__Host-confab_rt=u.s;"), "{cookie}");
        let attrs = attributes(&cookie);
        for want in [
            "path=/",
            "max-age=2592000",
            "httponly",
            "secure",
            "samesite=strict",
        ] {
            assert!(attrs.iter().any(|a| a == want), "{want} missing: {cookie}");
        }
        assert!(!attrs.iter().any(|a| a.starts_with("domain")), "{cookie}");
    }

    #[test]
    fn http_cookie_has_no_secure_and_no_prefix() {
        let cookie = set("u.s", false, 60);
        assert!(cookie.starts_with("confab_rt=u.s;"), "{cookie}");
        let attrs = attributes(&cookie);
        assert!(!attrs.iter().any(|a| a == "secure"), "{cookie}");
        for want in ["path=/", "max-age=60", "httponly", "samesite=strict"] {
            assert!(attrs.iter().any(|a| a == want), "{want} missing: {cookie}");
        }
    }

    #[test]
    fn scheme_decides_the_form() {
        assert!(is_secure_scheme("https"));
        assert!(!is_secure_scheme("http"));
    }

    #[test]
    fn clearing_cookie_expires_at_once() {
        for secure in [true, false] {
            let cookie = clear(secure);
            assert!(
                cookie.starts_with(&format!("{}=;", name(secure))),
                "{cookie}"
            );
            assert!(attributes(&cookie).iter().any(|a| a == "max-age=0"));
        }
    }

    #[test]
    fn reads_only_our_cookie_for_the_scheme() {
        let header = "a=1; confab_rt=tok.en; __Host-confab_rt=sec.ure; b=2";
        assert_eq!(read(Some(header), false), Some("tok.en"));
        assert_eq!(read(Some(header), true), Some("sec.ure"));
        assert_eq!(read(Some("xconfab_rt=1; confab_rtx=2"), false), None);
        assert_eq!(read(Some("confab_rt="), false), None);
        assert_eq!(read(Some("garbage;;=;"), false), None);
        assert_eq!(read(None, false), None);
    }
}
