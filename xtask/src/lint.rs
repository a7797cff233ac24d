//! `cargo xtask lint` (and the first step of `cargo xtask test`): what a reviewer checks before
//! reading a change — formatting, and clippy with warnings as errors on the host and on wasm32.
//! The router and the Durable Objects only compile for wasm32, so the host run alone would
//! never see them.

use crate::util::{cmd, status, step, Result};
use crate::Ctx;

/// Each check as the command a developer would type, in the order they run.
const CHECKS: [&[&str]; 3] = [
    &["fmt", "--all", "--check"],
    &[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ],
    &[
        "clippy",
        "-p",
        "confab-app",
        "-p",
        "confab-worker",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ],
];

/// Runs every check (all of them, so one run shows every finding) and fails if any failed.
pub fn lint(ctx: &Ctx) -> Result {
    let mut failed = Vec::new();
    for args in CHECKS {
        let line = format!("cargo {}", args.join(" "));
        step(format!("lint: {line}"));
        let mut c = cmd(&ctx.cargo, args);
        c.current_dir(&ctx.root);
        if !status(&mut c)?.success() {
            failed.push(line);
        }
    }
    if failed.is_empty() {
        step("lint: clean");
        Ok(())
    } else {
        Err(format!(
            "lint failed; fix what these report:\n    {}",
            failed.join("\n    ")
        ))
    }
}
