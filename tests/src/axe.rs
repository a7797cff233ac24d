//! axe-core (npm `axe-core`, pinned in `package.json` and installed by `cargo xtask`) run
//! inside the page in the real browser: what it finds `serious` or `critical` is what a person
//! with a screen reader, the keyboard alone or low vision would hit.

use std::sync::OnceLock;

use fantoccini::Client;
use serde::Deserialize;
use serde_json::json;

use crate::wrangler::repo_root;

/// The impacts that fail a page; `minor` and `moderate` findings are reported by axe too, but
/// do not fail it.
const FAILING_IMPACTS: [&str; 2] = ["serious", "critical"];

/// One rule a page breaks, as axe names it, with (up to five of) the elements that break it.
#[derive(Debug, Deserialize)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub nodes: Vec<Node>,
}

#[derive(Debug, Deserialize)]
pub struct Node {
    pub target: String,
    pub summary: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.id, self.impact, self.help)?;
        for node in &self.nodes {
            let summary = node.summary.replace('\n', " ");
            write!(f, "\n      at {}: {summary}", node.target)?;
        }
        Ok(())
    }
}

/// axe's own script, read once per test binary.
fn axe_source() -> Result<&'static str, String> {
    static SOURCE: OnceLock<Result<String, String>> = OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path = repo_root().join("node_modules/axe-core/axe.min.js");
            std::fs::read_to_string(&path).map_err(|e| {
                format!(
                    "reading {} ({e}); `cargo xtask test` installs it",
                    path.display()
                )
            })
        })
        .as_ref()
        .map(String::as_str)
        .map_err(Clone::clone)
}

/// Runs axe on the whole page `client` shows now (loading axe into the page first if this page
/// has not got it) and returns the `serious` and `critical` violations.
pub async fn serious_violations(client: &Client) -> Result<Vec<Violation>, String> {
    let loaded = client
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .map_err(|e| e.to_string())?;
    if loaded != json!(true) {
        let source = axe_source()?;
        client
            .execute(&format!("{source}\nreturn true;"), vec![])
            .await
            .map_err(|e| format!("loading axe-core into the page: {e}"))?;
    }
    let value = client
        .execute_async(RUN_AXE, vec![json!(FAILING_IMPACTS)])
        .await
        .map_err(|e| format!("running axe-core: {e}"))?;
    if let Some(error) = value.get("error") {
        return Err(format!("axe-core failed: {error}"));
    }
    serde_json::from_value(value).map_err(|e| format!("axe-core's answer: {e}"))
}

/// Runs axe (WCAG 2 A and AA rules and axe's best practices) and keeps the violations whose
/// impact is one of `arguments[0]`.
const RUN_AXE: &str = r#"
const [impacts, done] = [arguments[0], arguments[arguments.length - 1]];
axe.run(document, { resultTypes: ['violations'] }).then(
  result => done(result.violations
    .filter(v => impacts.includes(v.impact))
    .map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => ({ target: n.target.join(' '), summary: n.failureSummary || '' })),
    }))),
  error => done({ error: String(error) }));
"#;
