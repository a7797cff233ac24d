//! The app's security headers: `dist/_headers`, which Workers static assets (deployed and under
//! `wrangler dev`) apply to every file they serve, the page included.
//!
//! The Content-Security-Policy allows no inline script but the page's own two (the theme and
//! language set before the first paint, and Trunk's loader), named by their SHA-256 hashes,
//! computed here from the built page so they can never drift from it. `'wasm-unsafe-eval'` lets
//! the loader compile the WebAssembly; nothing else is evaluated. Violations are reported to
//! the worker (`/api/csp-report`), which logs them: the browser suites fail on any.

use std::fs;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::util::{step, Context, Result};
use crate::Ctx;

/// Where browsers send CSP violation reports (`report-uri`: Chromium and Firefox both send it).
const REPORT_PATH: &str = "/api/csp-report";

/// Writes `dist/_headers` for the built page.
pub fn write_headers(ctx: &Ctx) -> Result {
    let dist = ctx.root.join("dist");
    let index = dist.join("index.html");
    let html = fs::read_to_string(&index).context(format!("reading {}", index.display()))?;
    let scripts = inline_scripts(&html)?;
    let hashes: Vec<String> = scripts.iter().map(|s| csp_sha256(s)).collect();
    let path = dist.join("_headers");
    fs::write(&path, headers_file(&hashes)).context(format!("writing {}", path.display()))?;
    step(format!(
        "security headers: {} inline script(s) allowed by hash",
        hashes.len()
    ));
    Ok(())
}

/// The page's Content-Security-Policy, allowing the inline scripts with these hashes.
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = vec!["'self'".to_owned(), "'wasm-unsafe-eval'".to_owned()];
    script_src.extend(script_hashes.iter().map(|h| format!("'{h}'")));
    [
        "default-src 'self'".to_owned(),
        format!("script-src {}", script_src.join(" ")),
        // Styles come from the stylesheet; the app sets element styles through the CSSOM only.
        "style-src 'self'".to_owned(),
        // Avatars are served by the worker; a picture being chosen is shown from a blob: URL.
        "img-src 'self' data: blob:".to_owned(),
        "media-src 'self' blob:".to_owned(),
        "font-src 'self'".to_owned(),
        // The API and the room's WebSocket (same origin). WebRTC media is not fetched.
        "connect-src 'self'".to_owned(),
        "manifest-src 'self'".to_owned(),
        "worker-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
        format!("report-uri {REPORT_PATH}"),
    ]
    .join("; ")
}

/// The `_headers` file: one rule for every path.
fn headers_file(script_hashes: &[String]) -> String {
    let headers = [
        (
            "Content-Security-Policy",
            content_security_policy(script_hashes),
        ),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        // Room names are in the page's URL: no other site learns them from a Referer.
        ("Referrer-Policy", "no-referrer".to_owned()),
        (
            "Permissions-Policy",
            "camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), \
             autoplay=(self), geolocation=(), payment=(), usb=(), serial=(), hid=(), \
             bluetooth=()"
                .to_owned(),
        ),
        ("Cross-Origin-Opener-Policy", "same-origin".to_owned()),
    ];
    let mut file = String::from(
        "# Written by `cargo xtask build` (xtask/src/headers.rs) from the built page.\n/*\n",
    );
    for (name, value) in headers {
        file.push_str(&format!("  {name}: {value}\n"));
    }
    file
}

/// `sha256-<base64 of the digest>`, the form CSP names a script by.
fn csp_sha256(script: &str) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()))
    )
}

/// The text of every `<script>` without a `src` in the page Trunk wrote (which has no comments
/// and no `<script` inside attribute values). A script's text ends at the first `</script`,
/// as HTML parsing ends it.
fn inline_scripts(html: &str) -> Result<Vec<&str>> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let open_end = after
            .find('>')
            .ok_or("index.html has an unclosed <script> tag")?;
        let tag = &after[..open_end];
        let body = &after[open_end + 1..];
        let close = body
            .find("</script")
            .ok_or("index.html has a <script> without </script>")?;
        let external = tag
            .split(|c: char| c.is_whitespace())
            .any(|attr| attr == "src" || attr.starts_with("src="));
        if !external {
            found.push(&body[..close]);
        }
        rest = &body[close..];
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_verbatim_and_external_ones_skipped() {
        let html = "<title>x</title><script>try{a()}catch(e){}</script>\
                    <script src=/x.js></script><script type=module>import init from '/a.js';\n\
                    await init();</script><link href=/a.js rel=modulepreload>";
        assert_eq!(
            inline_scripts(html).unwrap(),
            vec![
                "try{a()}catch(e){}",
                "import init from '/a.js';\nawait init();"
            ]
        );
        assert!(inline_scripts("<script>never closed").is_err());
    }

    #[test]
    fn the_hash_is_the_csp_form_of_sha256() {
        // printf 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            csp_sha256("alert(1)"),
            "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="
        );
    }

    #[test]
    fn the_policy_allows_only_the_hashed_inline_scripts_and_reports_violations() {
        let csp = content_security_policy(&["sha256-A=".into(), "sha256-B=".into()]);
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-A=' 'sha256-B='"));
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.contains("report-uri /api/csp-report"));
        let file = headers_file(&[]);
        assert!(file.contains("\n/*\n  Content-Security-Policy: default-src 'self';"));
        assert!(file.contains("  X-Content-Type-Options: nosniff\n"));
        assert!(file.contains("  Referrer-Policy: no-referrer\n"));
    }
}
