//! The app's security headers (`dist/_headers`, applied by Workers static assets) and the
//! worker's CSP report route.

use std::time::Duration;

use confab_tests::http::{self, media_type, Reply};

use super::{open, url};

fn expect_security_headers(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 200, "{what}: {}", reply.body);
    let csp = reply
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy in {:?}", reply.headers));
    for wanted in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval' 'sha256-",
        "style-src 'self';",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "report-uri /api/csp-report",
    ] {
        assert!(
            csp.contains(wanted),
            "{what}: {wanted:?} missing from {csp}"
        );
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(!csp.contains("'unsafe-eval'"), "{what}: {csp}");
    assert_eq!(
        reply.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        reply.header("referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
    let permissions = reply.header("permissions-policy").unwrap_or_default();
    for wanted in [
        "camera=(self)",
        "microphone=(self)",
        "display-capture=(self)",
        "geolocation=()",
    ] {
        assert!(
            permissions.contains(wanted),
            "{what}: {wanted:?} missing from {permissions:?}"
        );
    }
}

pub async fn the_page_and_its_files_carry_the_security_headers() {
    let w = open();
    let page = http::get(&url(&w, "/"), &[]);
    expect_security_headers(&page, "the home page");
    // A room's address is the same page (the single-page fallback), with the same headers.
    expect_security_headers(&http::get(&url(&w, "/r/some-room"), &[]), "a room page");
    let script = page
        .body
        .split(['\'', '"', ' ', '='])
        .find(|part| part.starts_with("/confab-app-") && part.ends_with(".js"))
        .unwrap_or_else(|| panic!("no loader script named in {}", page.body));
    let loader = http::get(&url(&w, script), &[]);
    assert_eq!(media_type(&loader.content_type), "text/javascript");
    expect_security_headers(&loader, "the loader script");
    // The rules themselves are configuration, not a file anyone can read.
    let rules = http::get(&url(&w, "/_headers"), &[]);
    assert!(
        !rules.body.contains("Content-Security-Policy"),
        "{}",
        rules.body
    );
}

pub async fn csp_reports_are_logged_without_the_page_address() {
    let w = open();
    let marker = format!("report-{}", uuid::Uuid::new_v4().simple());
    let body = format!(
        r#"{{"csp-report":{{"document-uri":"http://127.0.0.1/r/private-room",
        "effective-directive":"img-src","blocked-uri":"https://{marker}.example/x.png?t=1"}}}}"#
    );
    let reply = http::post(
        &url(&w, "/api/csp-report"),
        Some("application/csp-report"),
        &body,
    );
    assert_eq!(reply.status, 204, "{}", reply.body);
    let wanted = format!("csp violation: img-src blocked https://{marker}.example/x.png");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = std::fs::read_to_string(w.log_path()).unwrap_or_default();
        if log.contains(&wanted) || std::time::Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let line = log
        .lines()
        .find(|l| l.contains(&wanted))
        .unwrap_or_else(|| panic!("{wanted:?} not in the worker's log"));
    assert!(
        !line.contains("private-room") && !line.contains("t=1"),
        "{line}"
    );
    let bad = http::post(&url(&w, "/api/csp-report"), Some("application/json"), "{}");
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(media_type(&bad.content_type), "application/problem+json");
    let big = format!(
        r#"{{"csp-report":{{"blocked-uri":"{}"}}}}"#,
        "a".repeat(9000)
    );
    let reply = http::post(
        &url(&w, "/api/csp-report"),
        Some("application/csp-report"),
        &big,
    );
    assert_eq!(reply.status, 413, "{}", reply.body);
}
