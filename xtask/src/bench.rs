//! `cargo xtask bench join [--runs N] [--relay]`: build, then the join benchmark.

use crate::build::{build, BuildOpts};
use crate::test::ensure_browsers;
use crate::util::{cmd, status, step, Result};
use crate::Ctx;

pub fn bench(ctx: &Ctx, mut args: Vec<String>) -> Result<i32> {
    match args.first().map(String::as_str) {
        Some("join") => {
            args.remove(0);
        }
        Some(other) => return Err(format!("bench: unknown benchmark `{other}` (known: join)")),
        None => {
            return Err(
                "bench: name a benchmark: `cargo xtask bench join [--runs N] [--relay]`".into(),
            )
        }
    }
    let opts = BuildOpts::take_from(&mut args);
    build(ctx, opts)?;
    ensure_browsers()?;
    let mut c = cmd(
        &ctx.cargo,
        &[
            "run",
            "--release",
            "-p",
            "confab-tests",
            "--bin",
            "bench-join",
            "--",
        ],
    );
    // --runs N, --relay and anything else are the benchmark's own flags.
    c.args(&args).current_dir(&ctx.root);
    step(format!("running bench-join {}", args.join(" ")));
    let st = status(&mut c)?;
    step(format!(
        "bench-join finished ({st}); total {:.1}s",
        crate::util::elapsed_secs()
    ));
    Ok(st.code().unwrap_or(1))
}
