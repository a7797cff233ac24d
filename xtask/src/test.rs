//! `cargo xtask test`: build, lint (fmt + clippy on host and wasm32), make sure Chromium +
//! chromedriver (with a Korean font), Firefox ESR + geckodriver, coturn, nftables and openssl
//! exist, run the workspace tests.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::build::{build, BuildOpts};
use crate::util::{cmd, describe, output, status, step, Result};
use crate::Ctx;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const FIREFOX: &str = "/usr/bin/firefox-esr";
const BROWSER_PACKAGES: [&str; 2] = ["chromium", "chromium-driver"];
/// Noto Sans CJK (Debian's `fonts-noto-cjk`): Hangul for the browsers' screenshots.
const KOREAN_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
/// Built from crates.io (npm's `geckodriver` downloads from GitHub, which CI cannot reach);
/// the version verified against Firefox ESR 153 on these machines. Keep in step with
/// `GECKODRIVER_VERSION` in tests/src/firefox.rs.
const GECKODRIVER_VERSION: &str = "0.37.1";
/// coturn's server and its test client; the TURN tests start their own turnserver.
const TURNSERVER: &str = "/usr/bin/turnserver";
const TURN_CLIENT: &str = "/usr/bin/turnutils_uclient";
/// Kept in step with `confab_tests::nat_routers::NFT` and `confab_tests::lab_cert::OPENSSL`.
const NFT: &str = "/usr/sbin/nft";
const OPENSSL: &str = "/usr/bin/openssl";
/// Debian's policy hook: `exit 101` means "do not start services" to invoke-rc.d and
/// deb-systemd-invoke, which package scripts start their daemons through.
const POLICY_RC_D: &str = "/usr/sbin/policy-rc.d";

pub fn test(ctx: &Ctx, mut args: Vec<String>) -> Result<i32> {
    let opts = BuildOpts::take_from(&mut args);
    build(ctx, opts)?;
    // Before the suites, so a formatting or clippy finding fails in minutes, not after an hour.
    crate::lint::lint(ctx)?;
    ensure_browsers()?;
    ensure_firefox(ctx)?;
    ensure_coturn()?;
    ensure_nat_tools()?;
    // Anything after `--` goes to `cargo test` (e.g. `cargo xtask test -- -p confab-worker`).
    let extra = match args.iter().position(|a| a == "--") {
        Some(i) => args.split_off(i + 1),
        None if args.is_empty() => Vec::new(),
        None => return Err(format!("test: unknown argument `{}`", args[0])),
    };
    let mut c = cmd(&ctx.cargo, &["test", "--workspace", "--no-fail-fast"]);
    c.args(&extra).current_dir(&ctx.root);
    step("running cargo test --workspace --no-fail-fast");
    let (st, why) = status_and_failures(&mut c)?;
    let code = st.code().unwrap_or(1);
    if !why.is_empty() {
        // A long run's log is cut in the middle by CI; repeating the reasons here puts them in
        // the tail, where they are read.
        step("why tests failed (repeated from above):");
        for block in &why {
            println!("{block}");
        }
    }
    step(format!(
        "tests {} ({st}); total {:.1}s",
        if st.success() { "passed" } else { "FAILED" },
        crate::util::elapsed_secs()
    ));
    Ok(code)
}

/// Runs `cmd` with its stdout passed through line by line and collected into the
/// `---- name ----` blocks in which libtest (and libtest-mimic) report why a test failed.
fn status_and_failures(cmd: &mut Command) -> Result<(ExitStatus, Vec<String>)> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    let stdout = child.stdout.take().ok_or("cargo test: no stdout pipe")?;
    let mut digest = FailureDigest::default();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading cargo test output: {e}"))?;
        println!("{line}");
        digest.read(&line);
    }
    digest.close();
    let st = child
        .wait()
        .map_err(|e| format!("waiting for `{}`: {e}", describe(cmd)))?;
    Ok((st, digest.blocks))
}

/// The failure blocks of libtest's report: from a `---- name stdout ----` (libtest) or
/// `---- name ----` (libtest-mimic) line to the next such line or the closing `failures:`.
#[derive(Default)]
struct FailureDigest {
    blocks: Vec<String>,
    open: Option<String>,
}

impl FailureDigest {
    fn read(&mut self, line: &str) {
        let starts_block = line.starts_with("---- ") && line.ends_with(" ----");
        if starts_block || line == "failures:" {
            self.close();
        }
        if starts_block {
            self.open = Some(line.to_owned());
        } else if let Some(block) = &mut self.open {
            block.push('\n');
            block.push_str(line);
        }
    }

    fn close(&mut self) {
        if let Some(block) = self.open.take() {
            self.blocks.push(block.trim_end().to_owned());
        }
    }
}

/// Chromium and chromedriver from Debian, and a Korean font for them (without one, Korean
/// text in the suites' screenshots is empty boxes); installed with apt when missing and we are
/// root.
pub fn ensure_browsers() -> Result {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        step("chromium + chromedriver ok");
    } else {
        apt_install("browsers", &BROWSER_PACKAGES, &[CHROMIUM, CHROMEDRIVER])?;
        step("chromium + chromedriver installed");
    }
    if Path::new(KOREAN_FONT).exists() {
        step("fonts-noto-cjk ok");
    } else {
        apt_install("a Korean font", &["fonts-noto-cjk"], &[KOREAN_FONT])?;
        step("fonts-noto-cjk installed");
    }
    Ok(())
}

/// Firefox ESR from Debian (apt, as root) and geckodriver, its WebDriver server, built with
/// `cargo install` into cargo's bin directory (where the interop suite finds it). Warm runs
/// skip both; a cold install says how long it took (measured: apt 16 s, geckodriver 1.8–3.5 min
/// on 2 busy cores).
pub fn ensure_firefox(ctx: &Ctx) -> Result {
    if Path::new(FIREFOX).exists() {
        step("firefox-esr ok");
    } else {
        let started = Instant::now();
        apt_install("firefox", &["firefox-esr"], &[FIREFOX])?;
        step(format!(
            "firefox-esr installed in {:.1}s",
            started.elapsed().as_secs_f64()
        ));
    }
    let started = Instant::now();
    crate::bootstrap::ensure_cargo_tool(
        ctx,
        "geckodriver",
        "geckodriver",
        GECKODRIVER_VERSION,
        true,
        &[],
    )?;
    if started.elapsed() > Duration::from_secs(5) {
        step(format!(
            "geckodriver {GECKODRIVER_VERSION} ready after {:.1}s",
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(())
}

/// coturn from Debian (`turnserver`, `turnutils_uclient`); installed with apt when missing and
/// we are root, without letting the package start its system service (the tests run their
/// own turnserver on a free loopback port; a system one would listen on every interface).
pub fn ensure_coturn() -> Result {
    if Path::new(TURNSERVER).exists() && Path::new(TURN_CLIENT).exists() {
        step("coturn ok");
        return Ok(());
    }
    let _no_services = NoServiceStarts::begin()?;
    apt_install("coturn", &["coturn"], &[TURNSERVER, TURN_CLIENT])?;
    step("coturn installed (its service not started)");
    Ok(())
}

/// nftables (the NAT lab's home routers translate addresses with it) and openssl (its TURN
/// server's self-signed certificate); installed with apt when missing and we are root.
pub fn ensure_nat_tools() -> Result {
    if Path::new(NFT).exists() && Path::new(OPENSSL).exists() {
        step("nftables and openssl ok");
        return Ok(());
    }
    apt_install(
        "nftables and openssl",
        &["nftables", "openssl"],
        &[NFT, OPENSSL],
    )
}

/// `apt-get install -y <packages>` (as root), then checks that `bins` exist.
fn apt_install(what: &str, packages: &[&str], bins: &[&str]) -> Result {
    let mut args = vec!["install", "-y"];
    args.extend(packages);
    let install_line = format!("apt-get {}", args.join(" "));
    if !is_root() {
        return Err(format!(
            "{} missing; install with:\n    sudo {install_line}",
            bins.join(" or ")
        ));
    }
    step(format!("installing {what} ({install_line})"));
    if apt_lists_empty() {
        apt(&["update"])?;
    }
    if !apt(&args)? {
        // apt sometimes fails once (stale lists, a mirror hiccup): refresh and retry once.
        step("apt-get install failed; running apt-get update and retrying once");
        apt(&["update"])?;
        if !apt(&args)? {
            return Err(format!("`{install_line}` failed twice"));
        }
    }
    for bin in bins {
        if !Path::new(bin).exists() {
            return Err(format!("{bin} is still missing after `{install_line}`"));
        }
    }
    Ok(())
}

/// While alive, a `policy-rc.d` that refuses every service start (only if the machine has
/// none of its own, which is then left as it is). Removed on drop.
struct NoServiceStarts {
    created: bool,
}

impl NoServiceStarts {
    fn begin() -> Result<NoServiceStarts> {
        if Path::new(POLICY_RC_D).exists() || !is_root() {
            return Ok(NoServiceStarts { created: false });
        }
        let script =
            "#!/bin/sh\n# Written by cargo xtask test while it installs packages.\nexit 101\n";
        std::fs::write(POLICY_RC_D, script).map_err(|e| format!("{POLICY_RC_D}: {e}"))?;
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(POLICY_RC_D, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("{POLICY_RC_D}: {e}"))?;
        Ok(NoServiceStarts { created: true })
    }
}

impl Drop for NoServiceStarts {
    fn drop(&mut self) {
        if self.created {
            let _ = std::fs::remove_file(POLICY_RC_D);
        }
    }
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

#[cfg(test)]
mod tests {
    #[test]
    fn geckodriver_version_matches_the_test_support() {
        let firefox = include_str!("../../tests/src/firefox.rs");
        let line = format!(
            "pub const GECKODRIVER_VERSION: &str = \"{}\";",
            super::GECKODRIVER_VERSION
        );
        assert!(
            firefox.contains(&line),
            "tests/src/firefox.rs must say {line}"
        );
    }

    /// What libtest-mimic and libtest print for failed tests, with a passing suite between.
    const REPORT: &str = "test a ... FAILED
failures:

---- e2e_call::a ----
Timed out after 30s waiting for tiles
  last seen: []

---- b stdout ----
thread 'b' panicked at src/lib.rs:1:1:
boom

failures:
    a
    b

test result: FAILED. 0 passed; 2 failed
running 1 test
---- not a block
test c ... ok";

    #[test]
    fn the_digest_keeps_each_failure_block_whole_and_nothing_else() {
        let mut digest = super::FailureDigest::default();
        REPORT.lines().for_each(|l| digest.read(l));
        digest.close();
        assert_eq!(
            digest.blocks,
            [
                "---- e2e_call::a ----\nTimed out after 30s waiting for tiles\n  last seen: []",
                "---- b stdout ----\nthread 'b' panicked at src/lib.rs:1:1:\nboom",
            ]
        );
    }
}
