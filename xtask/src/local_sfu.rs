//! The local SFU stand-in (`tests/local-sfu`) for `cargo xtask dev`: Cloudflare's SFU is on the
//! internet, so a fresh machine gets one on loopback, with a fresh app token, and `wrangler
//! dev` is pointed at it. Skipped when `.dev.vars` names a Cloudflare Realtime app
//! (`SFU_APP_ID`); stopped when `cargo xtask dev` ends.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::keygen::random_bytes;
use crate::util::{step, Context, Result};
use crate::Ctx;

const APP_ID: &str = "confab-local";

/// The running stand-in and the worker variables that point at it.
pub struct LocalSfu {
    child: Child,
    pub vars: Vec<(String, String)>,
}

impl Drop for LocalSfu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds and starts the stand-in, unless `.dev.vars` configures a Cloudflare app.
pub fn start_unless_configured(ctx: &Ctx) -> Result<Option<LocalSfu>> {
    let dev_vars = std::fs::read_to_string(ctx.root.join(".dev.vars")).unwrap_or_default();
    if dev_vars
        .lines()
        .any(|l| l.trim_start().starts_with("SFU_APP_ID="))
    {
        step(".dev.vars names an SFU app (SFU_APP_ID): no local SFU");
        return Ok(None);
    }
    step("building the local SFU (cargo build --release -p confab-local-sfu)");
    let status = Command::new(&ctx.cargo)
        .args(["build", "--release", "-q", "-p", "confab-local-sfu"])
        .current_dir(&ctx.root)
        .status()
        .context("running cargo build")?;
    if !status.success() {
        return Err(format!("building confab-local-sfu failed ({status})"));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                ctx.root.join(dir)
            }
        })
        .unwrap_or_else(|| ctx.root.join("target"));
    let binary = target.join("release").join("confab-local-sfu");
    let token = hex(&random_bytes::<24>()?);
    let mut child = Command::new(&binary)
        .args([
            "--http",
            "127.0.0.1:0",
            "--udp",
            "127.0.0.1:0",
            "--app-id",
            APP_ID,
        ])
        .env("SFU_APP_TOKEN", &token)
        .stdout(Stdio::piped())
        .spawn()
        .context(format!("starting {}", binary.display()))?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("the local SFU has no stdout")?;
    BufReader::new(stdout)
        .read_line(&mut line)
        .context("reading where the local SFU listens")?;
    let http = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http="))
        .ok_or_else(|| format!("the local SFU did not say where it listens: {line:?}"))?;
    step(format!("local SFU up: {}", line.trim()));
    Ok(Some(LocalSfu {
        vars: vec![
            ("SFU_APP_ID".into(), APP_ID.into()),
            ("SFU_APP_TOKEN".into(), token),
            ("SFU_API_URL".into(), format!("http://{http}/v1")),
        ],
        child,
    }))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
