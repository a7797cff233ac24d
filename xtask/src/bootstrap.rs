//! Installs (or checks) every tool the build needs, skipping whatever is already in place, and
//! sets up the environment child processes run with.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::util::{self, cmd, output, run, step, Context, Result};
use crate::Ctx;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const TRUNK_VERSION: &str = "0.21.14";
const WORKER_BUILD_VERSION: &str = "0.8.7";
/// npm binaries the build and `wrangler dev` rely on.
const NODE_BINS: [&str; 3] = ["wrangler", "wasm-opt", "esbuild"];

/// Which optional tools this command needs.
#[derive(Clone, Copy, Debug)]
pub struct Needs {
    pub trunk: bool,
    pub worker_build: bool,
}

pub fn bootstrap(ctx: &Ctx, needs: Needs) -> Result {
    apply_env(ctx)?;
    ensure_wasm_target()?;
    let lock = fs::read_to_string(ctx.root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let wb_version = single_lock_version(&lock, "wasm-bindgen")?;
    ensure_cargo_tool(
        ctx,
        "wasm-bindgen",
        "wasm-bindgen-cli",
        &wb_version,
        false,
        &[],
    )?;
    if needs.worker_build {
        ensure_cargo_tool(
            ctx,
            "worker-build",
            "worker-build",
            WORKER_BUILD_VERSION,
            true,
            &[],
        )?;
    }
    if needs.trunk {
        // Thin LTO off and more codegen units: 11 instead of 17 minutes on 2 cores.
        let fast = [
            ("CARGO_PROFILE_RELEASE_LTO", "false"),
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        ];
        ensure_cargo_tool(ctx, "trunk", "trunk", TRUNK_VERSION, true, &fast)?;
    }
    ensure_node_modules(ctx)
}

/// Environment for every child process. xtask is single-threaded at this point, so setting it
/// on our own process (and letting children inherit it) is sound.
fn apply_env(ctx: &Ctx) -> Result {
    let mut paths = vec![ctx.cargo_bin(), ctx.node_bin()];
    if let Some(old) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&old));
    }
    let path = std::env::join_paths(paths).context("building PATH")?;
    std::env::set_var("PATH", path);
    std::env::set_var("TRUNK_SKIP_VERSION_CHECK", "true");
    std::env::set_var("WRANGLER_SEND_METRICS", "false");
    std::env::set_var("WRANGLER_SEND_ERROR_REPORTS", "false");
    std::env::set_var("WASM_BINDGEN_BIN", ctx.cargo_bin().join("wasm-bindgen"));
    std::env::set_var("WASM_OPT_BIN", ctx.node_bin().join("wasm-opt"));
    std::env::set_var("ESBUILD_BIN", ctx.node_bin().join("esbuild"));
    Ok(())
}

fn ensure_wasm_target() -> Result {
    match output(&mut cmd("rustup", &["target", "list", "--installed"])) {
        Ok(list) if list.lines().any(|l| l.trim() == WASM_TARGET) => {
            step(format!("{WASM_TARGET} target ok"));
            Ok(())
        }
        Ok(_) => {
            step(format!("adding the {WASM_TARGET} target"));
            run(&mut cmd("rustup", &["target", "add", WASM_TARGET]))
        }
        Err(rustup_err) => {
            // No rustup (e.g. a distro Rust): accept the target if its std is in the sysroot.
            let sysroot = output(&mut cmd("rustc", &["--print", "sysroot"]))?;
            let lib = Path::new(sysroot.trim())
                .join("lib/rustlib")
                .join(WASM_TARGET);
            if lib.is_dir() {
                step(format!("{WASM_TARGET} target ok (no rustup)"));
                Ok(())
            } else {
                Err(format!(
                    "the {WASM_TARGET} target is missing and rustup did not work ({rustup_err}); \
                     install the target's standard library for your Rust toolchain"
                ))
            }
        }
    }
}

/// The one version of `name` in Cargo.lock (the CLI must match the library exactly).
pub fn single_lock_version(lock: &str, name: &str) -> Result<String> {
    let versions = lock_versions(lock, name);
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("Cargo.lock has no `{name}` package")),
        many => Err(format!(
            "Cargo.lock has {} versions of `{name}` ({}); the workspace must resolve exactly one",
            many.len(),
            many.join(", ")
        )),
    }
}

/// Every version of package `name` listed in a Cargo.lock.
pub fn lock_versions(lock: &str, name: &str) -> Vec<String> {
    let mut versions = Vec::new();
    let mut current: Option<String> = None;
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            current = None;
        } else if let Some(v) = toml_string(line, "name") {
            current = Some(v);
        } else if let Some(v) = toml_string(line, "version") {
            if current.as_deref() == Some(name) {
                versions.push(v);
            }
        }
    }
    versions
}

/// `key = "value"` -> `value`.
fn toml_string(line: &str, key: &str) -> Option<String> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    Some(rest.strip_prefix('"')?.strip_suffix('"')?.to_string())
}

/// Whether `tool --version` reports exactly `version` (as a whitespace-separated token).
fn has_version(bin: &Path, version: &str) -> bool {
    if !bin.is_file() {
        return false;
    }
    match output(&mut cmd(bin, &["--version"])) {
        Ok(out) => version_matches(&out, version),
        Err(_) => false,
    }
}

pub fn version_matches(version_output: &str, version: &str) -> bool {
    version_output
        .split_whitespace()
        .any(|tok| tok.trim_start_matches('v') == version)
}

pub fn ensure_cargo_tool(
    ctx: &Ctx,
    bin_name: &str,
    krate: &str,
    version: &str,
    locked: bool,
    envs: &[(&str, &str)],
) -> Result {
    let bin = ctx.cargo_bin().join(bin_name);
    if has_version(&bin, version) {
        step(format!("{bin_name} {version} ok"));
        return Ok(());
    }
    // Several sessions may share this machine: never compile the same tool twice at once.
    if wait_for_other_install(krate)? && has_version(&bin, version) {
        step(format!(
            "{bin_name} {version} ok (installed by another process)"
        ));
        return Ok(());
    }
    step(format!(
        "installing {krate} {version} with cargo install (minutes on a cold machine)"
    ));
    let mut c = cmd(&ctx.cargo, &["install"]);
    if locked {
        c.arg("--locked");
    }
    c.args([krate, "--version", version, "--root"])
        .arg(&ctx.cargo_home);
    // Not inside the workspace: cargo install must not pick up our .cargo/config.toml or target/.
    c.current_dir(&ctx.cargo_home);
    c.env_remove("CARGO_TARGET_DIR");
    for (k, v) in envs {
        c.env(k, v);
    }
    run(&mut c)?;
    if !has_version(&bin, version) {
        return Err(format!(
            "installed {krate} {version}, but `{} --version` does not report {version}",
            bin.display()
        ));
    }
    step(format!("{bin_name} {version} installed"));
    Ok(())
}

/// If another `cargo install <krate>` is running on this machine, waits for it to finish.
/// Returns whether there was one.
fn wait_for_other_install(krate: &str) -> Result<bool> {
    let deadline = Instant::now() + Duration::from_secs(60 * 60);
    let mut waited = false;
    let mut last_note = Instant::now();
    while let Some(pid) = other_install(krate) {
        if !waited {
            step(format!(
                "another `cargo install {krate}` is running (pid {pid}); waiting for it"
            ));
            waited = true;
        } else if last_note.elapsed() >= Duration::from_secs(60) {
            step(format!(
                "still waiting for `cargo install {krate}` (pid {pid})"
            ));
            last_note = Instant::now();
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "`cargo install {krate}` (pid {pid}) still running after an hour; stop it or wait"
            ));
        }
        std::thread::sleep(Duration::from_secs(5));
    }
    Ok(waited)
}

/// Pid of a running `cargo install ... <krate> ...`, found through /proc (Linux only).
fn other_install(krate: &str) -> Option<u32> {
    let me = std::process::id();
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(raw) = fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = raw
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if is_install_of(&args, krate) {
            return Some(pid);
        }
    }
    None
}

/// Whether a command line is `cargo ... install ... <krate> ...`.
fn is_install_of(args: &[String], krate: &str) -> bool {
    let is_cargo = args
        .first()
        .and_then(|a| Path::new(a).file_name())
        .is_some_and(|n| n.to_string_lossy().starts_with("cargo"));
    is_cargo && args.iter().any(|a| a == "install") && args.iter().any(|a| a == krate)
}

/// `npm ci` when node_modules is missing or was installed from another package-lock.json.
fn ensure_node_modules(ctx: &Ctx) -> Result {
    let lock_path = ctx.root.join("package-lock.json");
    let lock = fs::read(&lock_path).context("reading package-lock.json")?;
    let stamp_path = ctx.root.join("node_modules/.xtask-stamp");
    let want = format!("package-lock.json fnv1a64 {:016x}\n", util::fnv1a64(&lock));
    let bins_ok = || NODE_BINS.iter().all(|b| ctx.node_bin().join(b).exists());

    if bins_ok() {
        match fs::read_to_string(&stamp_path) {
            Ok(stamp) if stamp == want => {
                step("node_modules ok");
                return Ok(());
            }
            Ok(_) => {}
            Err(_) => {
                // Installed by hand (no stamp yet): npm's own hidden lockfile tells us whether
                // the install is at least as new as package-lock.json.
                let hidden = ctx.root.join("node_modules/.package-lock.json");
                if is_newer_or_same(&hidden, &lock_path) {
                    fs::write(&stamp_path, &want).context("writing node_modules/.xtask-stamp")?;
                    step("node_modules ok (adopted an existing install)");
                    return Ok(());
                }
            }
        }
    }
    step("installing npm packages (npm ci)");
    run(cmd("npm", &["ci", "--no-audit", "--no-fund"]).current_dir(&ctx.root))?;
    if let Some(missing) = NODE_BINS.iter().find(|b| !ctx.node_bin().join(b).exists()) {
        return Err(format!(
            "npm ci finished but node_modules/.bin/{missing} is missing; check package.json"
        ));
    }
    fs::write(&stamp_path, &want).context("writing node_modules/.xtask-stamp")?;
    step("node_modules installed");
    Ok(())
}

fn is_newer_or_same(a: &Path, b: &Path) -> bool {
    let mtime = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((mtime(a), mtime(b)), (Some(a), Some(b)) if a >= b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "abc"
dependencies = [
 "cfg-if",
 "wasm-bindgen-macro",
]

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.130"

[[package]]
name = "xtask"
version = "0.1.0"
"#;

    #[test]
    fn finds_the_one_wasm_bindgen_version() {
        assert_eq!(
            single_lock_version(LOCK, "wasm-bindgen").unwrap(),
            "0.2.130"
        );
        assert_eq!(lock_versions(LOCK, "xtask"), ["0.1.0"]);
        // The lock's own `version = 4` header is not a package.
        assert!(lock_versions(LOCK, "").is_empty());
    }

    #[test]
    fn rejects_missing_or_duplicate_versions() {
        let err = single_lock_version(LOCK, "trunk").unwrap_err();
        assert!(err.contains("no `trunk`"), "{err}");
        let two = format!("{LOCK}\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.100\"\n");
        let err = single_lock_version(&two, "wasm-bindgen").unwrap_err();
        assert!(err.contains("0.2.130, 0.2.100"), "{err}");
    }

    #[test]
    fn parses_the_real_lock() {
        let lock = include_str!("../../Cargo.lock");
        let v = single_lock_version(lock, "wasm-bindgen").unwrap();
        assert!(v.starts_with("0.2."), "{v}");
    }

    #[test]
    fn spots_a_running_install() {
        let argv = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let trunk = argv(
            "/root/.rustup/toolchains/stable/bin/cargo install --locked trunk --version 0.21.14",
        );
        assert!(is_install_of(&trunk, "trunk"));
        assert!(!is_install_of(&trunk, "worker-build"));
        assert!(!is_install_of(&argv("/usr/bin/vim install trunk"), "trunk"));
        assert!(!is_install_of(&argv("cargo build -p trunk"), "trunk"));
        assert!(!is_install_of(&[], "trunk"));
    }

    #[test]
    fn version_output_matching() {
        assert!(version_matches("trunk 0.21.14\n", "0.21.14"));
        assert!(version_matches("wasm-bindgen 0.2.130", "0.2.130"));
        assert!(version_matches("0.8.7\n", "0.8.7"));
        assert!(version_matches("v0.8.7\n", "0.8.7"));
        assert!(!version_matches("wasm-bindgen 0.2.1300", "0.2.130"));
        assert!(!version_matches("trunk 0.21.1", "0.21.14"));
    }
}
