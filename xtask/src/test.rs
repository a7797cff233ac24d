//! `cargo xtask test`: build, make sure Chromium + chromedriver exist, run the workspace tests.

use std::path::Path;

use crate::build::{build, BuildOpts};
use crate::util::{cmd, output, status, step, Result};
use crate::Ctx;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const APT_INSTALL: [&str; 4] = ["install", "-y", "chromium", "chromium-driver"];

pub fn test(ctx: &Ctx, mut args: Vec<String>) -> Result<i32> {
    let opts = BuildOpts::take_from(&mut args);
    build(ctx, opts)?;
    ensure_browsers()?;
    // Anything after `--` goes to `cargo test` (e.g. `cargo xtask test -- -p confab-worker`).
    let extra = match args.iter().position(|a| a == "--") {
        Some(i) => args.split_off(i + 1),
        None if args.is_empty() => Vec::new(),
        None => return Err(format!("test: unknown argument `{}`", args[0])),
    };
    let mut c = cmd(&ctx.cargo, &["test", "--workspace", "--no-fail-fast"]);
    c.args(&extra).current_dir(&ctx.root);
    step("running cargo test --workspace --no-fail-fast");
    let st = status(&mut c)?;
    let code = st.code().unwrap_or(1);
    step(format!(
        "tests {} ({st}); total {:.1}s",
        if st.success() { "passed" } else { "FAILED" },
        crate::util::elapsed_secs()
    ));
    Ok(code)
}

/// Chromium and chromedriver from Debian; installed with apt when missing and we are root.
pub fn ensure_browsers() -> Result {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        step("chromium + chromedriver ok");
        return Ok(());
    }
    let install_line = format!("apt-get {}", APT_INSTALL.join(" "));
    if !is_root() {
        return Err(format!(
            "{CHROMIUM} or {CHROMEDRIVER} is missing; install them with:\n    sudo {install_line}"
        ));
    }
    step(format!("installing browsers ({install_line})"));
    if apt_lists_empty() {
        apt(&["update"])?;
    }
    if !apt(&APT_INSTALL)? {
        // apt sometimes fails once (stale lists, a mirror hiccup): refresh and retry once.
        step("apt-get install failed; running apt-get update and retrying once");
        apt(&["update"])?;
        if !apt(&APT_INSTALL)? {
            return Err(format!("`{install_line}` failed twice"));
        }
    }
    for bin in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(bin).exists() {
            return Err(format!("{bin} is still missing after `{install_line}`"));
        }
    }
    step("chromium + chromedriver installed");
    Ok(())
}

fn apt(args: &[&str]) -> Result<bool> {
    let mut c = cmd("apt-get", args);
    c.env("DEBIAN_FRONTEND", "noninteractive");
    Ok(status(&mut c)?.success())
}

fn is_root() -> bool {
    output(&mut cmd("id", &["-u"])).is_ok_and(|uid| uid.trim() == "0")
}

fn apt_lists_empty() -> bool {
    std::fs::read_dir("/var/lib/apt/lists")
        .map(|dir| {
            !dir.flatten()
                .any(|e| e.file_name().to_string_lossy().contains("_Packages"))
        })
        .unwrap_or(true)
}
