//! `cargo xtask bench join [--runs N] [--relay | --sfu]`, `cargo xtask bench share [--runs N]`,
//! `cargo xtask bench switch [--runs N]` and
//! `cargo xtask bench chat [--rate N] [--seconds N] [--seed N]`, `cargo xtask bench uplink`: build,
//! then run the benchmark binary from `confab-tests` (`uplink` runs it twice: mesh, then SFU).

use crate::build::{build, BuildOpts};
use crate::test::{ensure_browsers, ensure_coturn};
use crate::util::{cmd, status, step, Result};
use crate::Ctx;

const USAGE: &str = "name a benchmark: `cargo xtask bench join [--runs N] [--relay | --sfu]`, \
                     `cargo xtask bench share [--runs N]`, \
                     `cargo xtask bench switch [--runs N]` (a call of four moving to the SFU), \
                     `cargo xtask bench uplink [--sizes 2,4,6,8] [--seconds S]`, \
                     `cargo xtask bench chat [--rate N] [--seconds N] [--seed N]`, \
                     `cargo xtask bench load [--rooms N] [--per-room N] [--seconds N] [--rate N]` or \
                     `cargo xtask bench relay` (one room of 8, 50 signals/s)";

pub fn bench(ctx: &Ctx, mut args: Vec<String>) -> Result<i32> {
    let (binary, needs_browsers) = match args.first().map(String::as_str) {
        Some("join") => ("bench-join", true),
        Some("share") => ("bench-share", true),
        Some("switch") => ("bench-switch", true),
        Some("uplink") => ("bench-uplink", true),
        Some("chat") => ("bench-chat", false),
        Some("load") | Some("relay") => ("bench-load", false),
        Some(other) => return Err(format!("bench: unknown benchmark `{other}`; {USAGE}")),
        None => return Err(format!("bench: {USAGE}")),
    };
    if args.remove(0) == "relay" {
        // The signaling relay alone: one room of 8, 50 signals a second (flags given after
        // `relay` come later and win).
        let relay = [
            "--rooms",
            "1",
            "--per-room",
            "8",
            "--rate",
            "50",
            "--seconds",
            "20",
        ];
        let mut with = relay.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        with.push("--signals-only".into());
        with.append(&mut args);
        args = with;
    }
    let opts = BuildOpts::take_from(&mut args);
    build(ctx, opts)?;
    if needs_browsers {
        ensure_browsers()?;
    }
    // `join --relay` runs its own coturn in the benchmark's namespace.
    if binary == "bench-join" && args.iter().any(|a| a == "--relay") {
        ensure_coturn()?;
    }
    // `uplink` compares the two media routes: one run per mode, each in its own namespace.
    let runs: Vec<Vec<String>> = if binary == "bench-uplink" {
        ["mesh", "sfu"]
            .iter()
            .map(|mode| [vec!["--mode".to_owned(), mode.to_string()], args.clone()].concat())
            .collect()
    } else {
        vec![args]
    };
    let mut code = 0;
    for args in runs {
        let mut c = cmd(
            &ctx.cargo,
            &[
                "run",
                "--release",
                "-p",
                "confab-tests",
                "--bin",
                binary,
                "--",
            ],
        );
        // Everything else is the benchmark's own flags.
        c.args(&args).current_dir(&ctx.root);
        step(format!("running {binary} {}", args.join(" ")));
        let st = status(&mut c)?;
        step(format!(
            "{binary} finished ({st}); total {:.1}s",
            crate::util::elapsed_secs()
        ));
        code = code.max(st.code().unwrap_or(1));
    }
    Ok(code)
}
