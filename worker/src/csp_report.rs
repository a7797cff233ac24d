//! `POST /api/csp-report`: Content-Security-Policy violation reports from the app's pages
//! (the policy's `report-uri`, written by `cargo xtask build`). Each report becomes one log
//! line, `csp violation: …`, so a deployer sees them in `wrangler tail` and the browser suites
//! fail on any. Only what names the violation is logged — the directive, the blocked resource
//! without its query, and where — never the page's address (room names are in it); every
//! field is cut to printable ASCII and a bounded length.

use serde::Deserialize;

/// A report is a few hundred bytes; anything larger is not one.
pub const MAX_REPORT_BYTES: usize = 8 * 1024;
/// The longest a logged field may be.
const MAX_FIELD_CHARS: usize = 160;

/// The body browsers send for `report-uri` (`application/csp-report`).
#[derive(Debug, Deserialize)]
struct ReportBody {
    #[serde(rename = "csp-report")]
    report: Report,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct Report {
    effective_directive: String,
    violated_directive: String,
    blocked_uri: String,
    source_file: String,
    line_number: Option<u64>,
}

/// The log line for one report body; `None` when it is not a CSP report.
pub fn summarize(body: &[u8]) -> Option<String> {
    let ReportBody { report } = serde_json::from_slice(body).ok()?;
    let directive = if report.effective_directive.is_empty() {
        &report.violated_directive
    } else {
        &report.effective_directive
    };
    let mut line = format!(
        "csp violation: {} blocked {}",
        printable(directive),
        printable(without_query(&report.blocked_uri)),
    );
    if !report.source_file.is_empty() {
        line.push_str(&format!(
            " in {}",
            printable(without_query(&report.source_file))
        ));
        if let Some(number) = report.line_number {
            line.push_str(&format!(":{number}"));
        }
    }
    Some(line)
}

fn without_query(uri: &str) -> &str {
    uri.split(['?', '#']).next().unwrap_or_default()
}

/// `text` with anything but printable ASCII replaced, at most [`MAX_FIELD_CHARS`] long;
/// `(none)` when empty.
fn printable(text: &str) -> String {
    if text.is_empty() {
        return "(none)".into();
    }
    text.chars()
        .take(MAX_FIELD_CHARS)
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

#[cfg(target_arch = "wasm32")]
pub mod routes {
    use worker::{Request, Response};

    use super::{summarize, MAX_REPORT_BYTES};
    use crate::http::{body_within, internal, ApiError};

    pub async fn csp_report(mut req: Request) -> Result<Response, ApiError> {
        let body = body_within(&mut req, MAX_REPORT_BYTES).await?;
        let line = summarize(&body).ok_or_else(|| {
            ApiError::BadRequest("body must be a CSP report ({\"csp-report\": {…}})".into())
        })?;
        worker::console_log!("{line}");
        Ok(Response::empty().map_err(internal)?.with_status(204))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chromium_report_becomes_one_line_without_the_page_or_the_query() {
        let body = br#"{"csp-report":{"document-uri":"http://127.0.0.1:8787/r/secret-room",
            "referrer":"","violated-directive":"script-src-elem",
            "effective-directive":"script-src-elem",
            "original-policy":"default-src 'self'","disposition":"enforce",
            "blocked-uri":"inline","line-number":1,"column-number":200,
            "source-file":"http://127.0.0.1:8787/r/secret-room?x=1","status-code":200,
            "script-sample":""}}"#;
        let line = summarize(body).unwrap();
        assert_eq!(
            line,
            "csp violation: script-src-elem blocked inline in http://127.0.0.1:8787/r/secret-room:1"
        );
        let firefox = br#"{"csp-report":{"violated-directive":"style-src-attr",
            "blocked-uri":"https://evil.example/x.css?token=abc"}}"#;
        assert_eq!(
            summarize(firefox).unwrap(),
            "csp violation: style-src-attr blocked https://evil.example/x.css"
        );
    }

    #[test]
    fn what_is_not_a_report_is_refused_and_odd_text_is_made_printable() {
        assert_eq!(summarize(b"{}"), None);
        assert_eq!(summarize(b"not json"), None);
        let odd = br#"{"csp-report":{"effective-directive":"img-src\nFAKE LOG LINE",
            "blocked-uri":""}}"#;
        assert_eq!(
            summarize(odd).unwrap(),
            "csp violation: img-src?FAKE LOG LINE blocked (none)"
        );
        let long = format!(
            r#"{{"csp-report":{{"effective-directive":"{}"}}}}"#,
            "a".repeat(1000)
        );
        assert!(summarize(long.as_bytes()).unwrap().len() < 200 + MAX_FIELD_CHARS);
    }
}
