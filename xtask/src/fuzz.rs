//! `cargo xtask fuzz [--cases N]`: the property tests (protocol/tests/properties.rs and
//! worker/src/properties.rs) run long, in release, with `PROPTEST_CASES=N` (default 100,000
//! per property, against 256 in `cargo xtask test`): a fuzzing run on stable Rust. A failure
//! prints the smallest input found and proptest saves its seed in a `.proptest-regressions`
//! file next to the test; commit that file so every later run tries it first.

use crate::util::{cmd, run, step, Result};
use crate::Ctx;

const DEFAULT_CASES: u64 = 100_000;

pub fn fuzz(ctx: &Ctx, mut args: Vec<String>) -> Result<i32> {
    let mut cases = DEFAULT_CASES;
    while let Some(arg) = args.first().cloned() {
        args.remove(0);
        match arg.as_str() {
            "--cases" => {
                let value = (!args.is_empty()).then(|| args.remove(0));
                cases = value
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("fuzz: --cases needs a positive number")?;
            }
            other => return Err(format!("fuzz: unknown argument `{other}`")),
        }
    }
    let runs: [&[&str]; 2] = [
        &[
            "test",
            "--release",
            "-p",
            "confab-protocol",
            "--test",
            "properties",
        ],
        &[
            "test",
            "--release",
            "-p",
            "confab-worker",
            "--lib",
            "properties::",
        ],
    ];
    for args in runs {
        step(format!(
            "fuzz: PROPTEST_CASES={cases} cargo {}",
            args.join(" ")
        ));
        run(cmd(&ctx.cargo, args)
            .env("PROPTEST_CASES", cases.to_string())
            .current_dir(&ctx.root))?;
    }
    Ok(0)
}
