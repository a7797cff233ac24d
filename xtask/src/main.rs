//! `cargo xtask <command>`: Confab's build, dev server, tests and benchmarks.
//! Every command bootstraps the tools it needs first (cheap when they are already installed).

mod bench;
mod bootstrap;
mod build;
mod dev;
mod fuzz;
mod headers;
mod keygen;
mod lint;
mod local_sfu;
mod minify;
mod size;
mod test;
mod util;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use util::{step, Result};

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  build [--skip-app] [--skip-worker]
        install missing tools, `trunk build --release` (app -> dist/),
        `worker-build --release` (worker -> worker/build/), write .wrangler.local.toml
        and .dev.vars; print gzip sizes and fail past the budgets in xtask/src/size.rs
  dev [--skip-app] [--port N]
        build, then `wrangler dev` on http://localhost:8787 (Ctrl-C stops it), pointed at
        the local SFU stand-in unless .dev.vars names a Cloudflare Realtime app
  lint
        `cargo fmt --check`, then clippy with `-D warnings` on the host (all targets) and on
        wasm32 (app and worker)
  test [--skip-app] [-- <cargo test args>]
        build, lint, make sure chromium + chromedriver exist,
        `cargo test --workspace --no-fail-fast`
  bench join [--runs N] [--relay]
        build, then `cargo run --release -p confab-tests --bin bench-join -- <args>`
  bench switch [--runs N] [--warmup N]
        build, then `cargo run --release -p confab-tests --bin bench-switch -- <args>`: four
        in a mesh call, a fifth joins and moves them to the local SFU; each page's longest
        tile freeze and handover
  bench chat [--rate N] [--seconds N] [--seed N]
        build, then `cargo run --release -p confab-tests --bin bench-chat -- <args>`
  fuzz [--cases N]
        the property tests (frames, names, search, tokens, cookies, return_to) with
        PROPTEST_CASES=N (default 100000) in release: a long fuzzing run
  bench load [--rooms N] [--per-room N] [--seconds N] [--rate N]
        build, then `cargo run --release -p confab-tests --bin bench-load -- <args>`
  bench relay
        bench-load with one room of 8 sending 50 signals a second, nothing else: the relay
  keygen [--kid NAME] [--hs256]
        print a fresh JWT_KEYS entry, `kid:ed25519:<base64 seed>` (or an HS256 secret)
";

/// Paths every command needs.
pub struct Ctx {
    /// The workspace root (the parent of xtask/).
    pub root: PathBuf,
    /// `$CARGO_HOME`, default `~/.cargo`; tools are installed into its `bin/`.
    pub cargo_home: PathBuf,
    /// The cargo that runs us (`$CARGO`), so child builds use the same toolchain.
    pub cargo: OsString,
}

impl Ctx {
    fn new() -> Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("xtask has no parent directory")?
            .to_path_buf();
        let cargo_home = match std::env::var_os("CARGO_HOME") {
            Some(home) => PathBuf::from(home),
            None => {
                PathBuf::from(std::env::var_os("HOME").ok_or("HOME is not set")?).join(".cargo")
            }
        };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        Ok(Ctx {
            root,
            cargo_home,
            cargo,
        })
    }

    pub fn cargo_bin(&self) -> PathBuf {
        self.cargo_home.join("bin")
    }

    pub fn node_bin(&self) -> PathBuf {
        self.root.join("node_modules/.bin")
    }
}

fn main() -> ExitCode {
    util::start_clock();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || matches!(args[0].as_str(), "-h" | "--help" | "help") {
        print!("{USAGE}");
        return if args.is_empty() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    let command = args.remove(0);
    match run(&command, args) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1).max(1)),
        Err(msg) => {
            util::error_line(&msg);
            ExitCode::FAILURE
        }
    }
}

fn run(command: &str, mut args: Vec<String>) -> Result<i32> {
    let ctx = Ctx::new()?;
    match command {
        "build" => {
            let opts = build::BuildOpts::take_from(&mut args);
            if let Some(extra) = args.first() {
                return Err(format!("build: unknown argument `{extra}`\n\n{USAGE}"));
            }
            build::build(&ctx, opts)?;
            step(format!("total {:.1}s", util::elapsed_secs()));
            Ok(0)
        }
        "dev" => dev::dev(&ctx, args),
        "lint" => {
            if let Some(extra) = args.first() {
                return Err(format!("lint: unknown argument `{extra}`\n\n{USAGE}"));
            }
            lint::lint(&ctx)?;
            Ok(0)
        }
        "test" => test::test(&ctx, args),
        "bench" => bench::bench(&ctx, args),
        "keygen" => keygen::keygen(args),
        "fuzz" => fuzz::fuzz(&ctx, args),
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}
