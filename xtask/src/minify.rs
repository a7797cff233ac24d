//! Minifies the app's JavaScript loader (wasm-bindgen's glue) after `trunk build --release`.
//!
//! Trunk's own JS minifier gives up on wasm-bindgen's output (it warns "Failed to minify JS"
//! and copies it as is), so esbuild — installed with wrangler — does it instead. The page
//! preloads the loader with a subresource-integrity hash, which is recomputed for the new bytes.

use std::fs;
use std::path::Path;

use base64::Engine as _;
use sha2::{Digest, Sha384};

use crate::util::{cmd, run, step, Context, Result};
use crate::Ctx;

/// Minifies every `.js` file in `dist/` in place and rewrites its `integrity` in index.html.
pub fn minify_loader(ctx: &Ctx) -> Result {
    let dist = ctx.root.join("dist");
    let index = dist.join("index.html");
    let mut html = fs::read_to_string(&index).context(format!("reading {}", index.display()))?;
    let mut scripts: Vec<_> = fs::read_dir(&dist)
        .context(format!("reading {}", dist.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .collect();
    scripts.sort();
    for script in scripts {
        let before = fs::metadata(&script).context(script.display())?.len();
        let esbuild = ctx.node_bin().join("esbuild");
        let path = script.to_string_lossy().into_owned();
        run(&mut cmd(
            &esbuild,
            &[
                path.as_str(),
                "--minify",
                "--format=esm",
                "--log-level=warning",
                "--allow-overwrite",
                &format!("--outfile={path}"),
            ],
        ))?;
        let bytes = fs::read(&script).context(script.display())?;
        let name = file_name(&script)?;
        html = replace_integrity(&html, name, &sri_sha384(&bytes))?;
        step(format!("minified {name}: {before} → {} bytes", bytes.len()));
    }
    fs::write(&index, html).context(format!("writing {}", index.display()))
}

fn file_name(path: &Path) -> Result<&str> {
    path.file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("{} has no UTF-8 file name", path.display()))
}

/// `sha384-<base64 of the digest>`, the form browsers check.
fn sri_sha384(bytes: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
    )
}

/// Replaces the `integrity` value of every `<link>` tag whose `href` ends in `/{file}`. Trunk
/// writes one (`rel=modulepreload`) per script; none at all is an error, since then the page
/// and this step disagree about what is served.
fn replace_integrity(html: &str, file: &str, integrity: &str) -> Result<String> {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut replaced = 0;
    while let Some(start) = rest.find("<link") {
        let end = start
            + rest[start..]
                .find('>')
                .ok_or("index.html has an unclosed <link> tag")?;
        let tag = &rest[start..end];
        out.push_str(&rest[..start]);
        if links_to(tag, file) {
            out.push_str(&with_integrity(tag, integrity)?);
            replaced += 1;
        } else {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    if replaced == 0 {
        return Err(format!(
            "index.html has no <link> with an integrity for {file}"
        ));
    }
    Ok(out)
}

fn links_to(tag: &str, file: &str) -> bool {
    let target = format!("/{file}");
    tag.split(|c: char| c.is_whitespace())
        .filter_map(|attr| attr.strip_prefix("href="))
        .any(|href| href.trim_matches(['"', '\'']).ends_with(&target))
}

fn with_integrity(tag: &str, integrity: &str) -> Result<String> {
    let at = tag
        .find("integrity=")
        .ok_or_else(|| format!("this <link> has no integrity: {tag}"))?;
    let value_start = at + "integrity=".len();
    let quoted = tag[value_start..].starts_with(['"', '\'']);
    let value_end = if quoted {
        let quote = &tag[value_start..value_start + 1];
        value_start + 1 + tag[value_start + 1..].find(quote).ok_or("unclosed quote")? + 1
    } else {
        // Unquoted: up to the next space (base64 has `/` and `=`, which may stand unquoted).
        value_start
            + tag[value_start..]
                .find(char::is_whitespace)
                .unwrap_or(tag.len() - value_start)
    };
    Ok(format!(
        "{}integrity=\"{integrity}\"{}",
        &tag[..at],
        &tag[value_end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preload_of_that_script_gets_the_new_hash_and_nothing_else_changes() {
        let html = "<link href=/style.css integrity=sha384-CSS rel=stylesheet>\
                    <link crossorigin href=/app-1.js integrity=sha384-O/L+D= rel=modulepreload>\
                    <script type=module>import init from '/app-1.js';</script>";
        let out = replace_integrity(html, "app-1.js", "sha384-NEW").unwrap();
        assert_eq!(
            out,
            "<link href=/style.css integrity=sha384-CSS rel=stylesheet>\
             <link crossorigin href=/app-1.js integrity=\"sha384-NEW\" rel=modulepreload>\
             <script type=module>import init from '/app-1.js';</script>"
        );
    }

    #[test]
    fn quoted_attributes_are_replaced_whole() {
        let html =
            r#"<link rel="modulepreload" href="/a.js" integrity="sha384-OLD+/=" crossorigin>"#;
        let out = replace_integrity(html, "a.js", "sha384-NEW").unwrap();
        assert_eq!(
            out,
            r#"<link rel="modulepreload" href="/a.js" integrity="sha384-NEW" crossorigin>"#
        );
    }

    #[test]
    fn a_script_the_page_does_not_preload_is_an_error() {
        let html = "<link href=/other.js integrity=sha384-X rel=modulepreload>";
        assert!(replace_integrity(html, "a.js", "sha384-NEW").is_err());
        assert!(replace_integrity("<link href=/a.js rel=modulepreload>", "a.js", "x").is_err());
    }

    #[test]
    fn the_hash_is_the_sri_form_of_sha384() {
        // printf 'abc' | openssl dgst -sha384 -binary | base64
        assert_eq!(
            sri_sha384(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }
}
