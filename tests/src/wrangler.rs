//! Runs the real worker under `wrangler dev` (workerd, local SQLite) for tests.
//!
//! [`Wrangler::start`] spawns `wrangler dev` in its own process group on free ports, with a fresh
//! persistence directory and a JWT signing key the caller can read back (to mint or forge
//! tokens), waits for `GET /api/health`, and kills the whole process tree (node, esbuild,
//! workerd) on drop. A small watchdog process kills the group too if the test process dies
//! without dropping (a panic in `main`, Ctrl-C, SIGKILL), so no workerd outlives a test run.
//!
//! Each instance runs from a private copy of the worker bundle, the assets (dist/) and
//! wrangler.toml (less its `[build]` table) in a fresh directory under `target/confab-tests/`,
//! so a rebuild beside the tests cannot hot-reload the worker under them. Configuration is
//! isolated from the developer's own too: the key goes in through an env file of our own
//! (`--env-file`), and the repository's `.dev.vars` is never read.
//!
//! [`Wrangler::restart`] stops an instance and starts it again on the same state (Durable
//! Object storage survives, as it does across a developer's restarts of `wrangler dev`).
//!
//! [`Shared`] holds one lazily started instance for a whole test binary.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;

use crate::process::{process_alive, spawn_watchdog, stop_group};

/// The repository root (the workspace that holds `wrangler.toml`).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Where tests keep their scratch files: `<target>/confab-tests`.
pub fn scratch_root() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                repo_root().join(dir)
            }
        })
        .unwrap_or_else(|| repo_root().join("target"));
    target.join("confab-tests")
}

/// The algorithm a `JWT_KEYS` entry fixes for its kid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JwtAlg {
    /// `kid:base64(secret)`, a shared secret of ≥ 64 bytes.
    #[default]
    Hs256,
    /// `kid:ed25519:base64(seed)`, published at `/.well-known/jwks.json`.
    Ed25519,
}

/// One signing key, as the worker's `JWT_KEYS` secret names it.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtKey {
    pub kid: String,
    /// HS256: the shared secret. Ed25519: the 32-byte private seed.
    pub secret: Vec<u8>,
    pub alg: JwtAlg,
}

impl JwtKey {
    /// A fresh HS256 key with a 64-byte random secret (the worker's minimum).
    pub fn random(kid: &str) -> Self {
        Self::random_with(kid, JwtAlg::Hs256, 64)
    }

    /// A fresh Ed25519 key (a random 32-byte seed).
    pub fn random_ed25519(kid: &str) -> Self {
        Self::random_with(kid, JwtAlg::Ed25519, 32)
    }

    fn random_with(kid: &str, alg: JwtAlg, len: usize) -> Self {
        let mut secret = vec![0u8; len];
        getrandom::fill(&mut secret).expect("the OS random source works");
        JwtKey {
            kid: kid.to_owned(),
            secret,
            alg,
        }
    }

    /// The Ed25519 public key (what the JWKS publishes as `x`); `None` for HS256.
    pub fn public_key(&self) -> Option<[u8; 32]> {
        let seed = <[u8; 32]>::try_from(self.secret.as_slice()).ok()?;
        (self.alg == JwtAlg::Ed25519)
            .then(|| *ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(seed)).pk)
    }

    /// The `JWT_KEYS` entry for this key.
    pub fn to_spec(&self) -> String {
        let secret = base64::engine::general_purpose::STANDARD.encode(&self.secret);
        match self.alg {
            JwtAlg::Hs256 => format!("{}:{secret}", self.kid),
            JwtAlg::Ed25519 => format!("{}:ed25519:{secret}", self.kid),
        }
    }
}

impl fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// How to start the worker.
#[derive(Debug, Clone)]
pub struct Options {
    /// Signing key given to the worker as `JWT_KEYS` (HS256 unless set otherwise).
    pub jwt_key: JwtKey,
    /// Keys that verify but no longer sign (rotation): listed after `jwt_key` in `JWT_KEYS`.
    pub older_keys: Vec<JwtKey>,
    /// `ALLOW_GUESTS`.
    pub allow_guests: bool,
    /// `ALLOWED_ORIGINS`; empty keeps the worker's default (its own origin and `trunk serve`).
    pub allowed_origins: Vec<String>,
    /// More `--var NAME:value` pairs.
    pub vars: Vec<(String, String)>,
    /// Listen on this port instead of a free one (a restart that browsers must find again at the
    /// same origin).
    pub port: Option<u16>,
    /// Listen on this address instead of 127.0.0.1 (say `0.0.0.0`, for browsers in other network
    /// namespaces that reach the worker through a router namespace). Tests still talk to it at
    /// 127.0.0.1.
    pub listen_ip: Option<String>,
    /// How long start-up may take before it counts as failed.
    pub start_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            jwt_key: JwtKey::random("test"),
            older_keys: Vec::new(),
            allow_guests: true,
            allowed_origins: Vec::new(),
            vars: Vec::new(),
            port: None,
            listen_ip: None,
            start_timeout: Duration::from_secs(60),
        }
    }
}

/// Why the worker could not be started; the message includes the tail of wrangler's log.
#[derive(Debug, Clone)]
pub struct StartError(pub String);

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// A running `wrangler dev`; stopped (whole process group) on drop.
pub struct Wrangler {
    base_url: String,
    port: u16,
    jwt_key: JwtKey,
    run_dir: PathBuf,
    log_path: PathBuf,
    child: Child,
    watchdog: Option<(Child, ChildStdin)>,
    stopped: bool,
    /// What it was started with, for [`Wrangler::restart`].
    opts: Options,
    /// Whether dropping it clears its run directory (not when a restarted instance took it over).
    owns_run_dir: bool,
}

impl Wrangler {
    /// Starts the worker; panics with wrangler's log tail if it does not come up.
    pub fn start(opts: Options) -> Wrangler {
        Self::try_start(opts).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts the worker and waits until `GET /api/health` answers.
    pub fn try_start(opts: Options) -> Result<Wrangler, StartError> {
        check_prerequisites()?;
        let run_dir =
            new_run_dir().map_err(|e| StartError(format!("cannot create a scratch dir: {e}")))?;
        Self::launch_with_retries(&opts, &run_dir).inspect_err(|_| clear_run_dir(&run_dir))
    }

    /// Stops this instance and starts a new one with the same options and the same Durable
    /// Object state (run directory and persistence directory), on fresh ports: use
    /// [`Wrangler::base_url`] and [`Wrangler::room_ws_url`] again afterwards. Tokens signed with
    /// [`Wrangler::jwt_key`] stay valid. The log is appended to.
    pub fn restart(&mut self) -> Result<(), StartError> {
        self.stop();
        let fresh = Self::launch_with_retries(&self.opts, &self.run_dir)?;
        let mut old = std::mem::replace(self, fresh);
        old.owns_run_dir = false;
        Ok(())
    }

    /// Like [`Wrangler::restart`], with other options (say, a new signing key and the old one
    /// dropped). With [`Options::port`] set, the new instance listens where the old one did.
    pub fn restart_with(&mut self, opts: Options) -> Result<(), StartError> {
        self.opts = opts;
        self.restart()
    }

    /// A free loopback port for [`Options::port`].
    pub fn pick_port() -> std::io::Result<u16> {
        free_port()
    }

    fn launch_with_retries(opts: &Options, run_dir: &Path) -> Result<Wrangler, StartError> {
        // A port picked free can be taken before wrangler binds it: try a few times.
        let mut last = None;
        for _ in 0..3 {
            match Self::launch(opts, run_dir) {
                Ok(wrangler) => return Ok(wrangler),
                Err((error, retry)) => {
                    last = Some(error);
                    if !retry {
                        break;
                    }
                }
            }
        }
        Err(last.unwrap_or_else(|| StartError("wrangler did not start".into())))
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The worker's own origin, which its default allow-list accepts.
    pub fn origin(&self) -> &str {
        &self.base_url
    }

    /// `ws://127.0.0.1:<port><path>`.
    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }

    /// The socket URL of a room (the name is not checked or escaped: tests send bad ones).
    pub fn room_ws_url(&self, room: &str) -> String {
        self.ws_url(&format!("/api/rooms/{room}/ws"))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The key the worker signs and verifies access tokens with.
    pub fn jwt_key(&self) -> &JwtKey {
        &self.jwt_key
    }

    /// The keys it only verifies with ([`Options::older_keys`]).
    pub fn older_keys(&self) -> &[JwtKey] {
        &self.opts.older_keys
    }

    /// wrangler's combined stdout and stderr.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last `lines` lines of wrangler's log.
    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(&self.log_path, lines)
    }

    fn launch(opts: &Options, run_dir: &Path) -> Result<Wrangler, (StartError, bool)> {
        let fail = |message: String| (StartError(message), false);
        let run_dir = run_dir.to_path_buf();
        let log_path = run_dir.join("wrangler.log");
        let env_file = run_dir.join("test.env");
        // Our own env file: wrangler then ignores the developer's `.dev.vars`.
        let keys: Vec<String> = std::iter::once(&opts.jwt_key)
            .chain(&opts.older_keys)
            .map(JwtKey::to_spec)
            .collect();
        fs::write(&env_file, format!("JWT_KEYS=\"{}\"\n", keys.join(",")))
            .map_err(|e| fail(format!("cannot write {}: {e}", env_file.display())))?;
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| fail(format!("cannot create the log: {e}")))?;
        let log_err = log
            .try_clone()
            .map_err(|e| fail(format!("cannot share the log: {e}")))?;
        let config = snapshot(&run_dir).map_err(fail)?;
        let port = match opts.port {
            Some(port) => port,
            None => free_port().map_err(|e| fail(format!("no free port: {e}")))?,
        };
        let inspector_port = free_port().map_err(|e| fail(format!("no free port: {e}")))?;

        let root = repo_root();
        let mut command = Command::new(root.join("node_modules/.bin/wrangler"));
        command
            .current_dir(&run_dir)
            .arg("dev")
            .arg("-c")
            .arg(&config)
            .args(["--local", "--ip"])
            .arg(opts.listen_ip.as_deref().unwrap_or("127.0.0.1"))
            .arg("--port")
            .arg(port.to_string())
            .arg("--inspector-port")
            .arg(inspector_port.to_string())
            .arg("--persist-to")
            .arg(run_dir.join("state"))
            .arg("--env-file")
            .arg(&env_file)
            .arg("--show-interactive-dev-session=false")
            .arg("--var")
            .arg(format!("ALLOW_GUESTS:{}", opts.allow_guests))
            .arg("--var")
            .arg(format!(
                "ALLOWED_ORIGINS:{}",
                opts.allowed_origins.join(",")
            ));
        for (name, value) in &opts.vars {
            command.arg("--var").arg(format!("{name}:{value}"));
        }
        command
            .env("WRANGLER_SEND_METRICS", "false")
            .env("WRANGLER_SEND_ERROR_REPORTS", "false")
            .env("CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV", "true")
            .env_remove("CLOUDFLARE_INCLUDE_PROCESS_ENV")
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            // Its own process group, so node, esbuild and workerd can be signalled together.
            .process_group(0);
        let child = command.spawn().map_err(|e| {
            fail(format!(
                "cannot run {}: {e} (run `npm ci` at the repo root)",
                root.join("node_modules/.bin/wrangler").display()
            ))
        })?;
        let pgid = child.id() as i32;
        let watchdog = spawn_watchdog(pgid);
        let mut wrangler = Wrangler {
            base_url: format!("http://127.0.0.1:{port}"),
            port,
            jwt_key: opts.jwt_key.clone(),
            run_dir,
            log_path,
            child,
            watchdog,
            stopped: false,
            opts: opts.clone(),
            owns_run_dir: true,
        };
        match wrangler.wait_ready(opts.start_timeout) {
            Ok(()) => Ok(wrangler),
            Err(reason) => {
                wrangler.stop();
                // A failed launch leaves the run directory (and any state) to its caller.
                wrangler.owns_run_dir = false;
                let tail = wrangler.log_tail(60);
                let retry = tail.contains("EADDRINUSE") || tail.contains("Address already in use");
                let message = format!(
                    "wrangler dev did not start: {reason}\n--- last lines of {} ---\n{tail}",
                    wrangler.log_path.display()
                );
                Err((StartError(message), retry))
            }
        }
    }

    fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(2)))
            .build()
            .into();
        let url = format!("{}/api/health", self.base_url);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("wrangler exited early ({status})"));
            }
            let last = match agent.get(&url).call() {
                Ok(mut response) if response.status() == 200 => {
                    let body = response.body_mut().read_to_string().unwrap_or_default();
                    if body.contains("\"ok\":true") {
                        return Ok(());
                    }
                    format!("health answered {body}")
                }
                Ok(response) => format!("health answered HTTP {}", response.status()),
                Err(error) => format!("health: {error}"),
            };
            if Instant::now() >= deadline {
                return Err(format!("no healthy answer within {timeout:?} ({last})"));
            }
            // Poll interval of a deadline-bounded readiness check.
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the whole process group: SIGTERM, a grace period, then SIGKILL.
    fn stop(&mut self) {
        // Never signal the group twice: its id may belong to someone else by then.
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        stop_group(
            &mut self.child,
            self.watchdog.take(),
            Duration::from_secs(5),
        );
    }
}

impl Drop for Wrangler {
    fn drop(&mut self) {
        self.stop();
        if self.owns_run_dir {
            clear_run_dir(&self.run_dir);
        }
    }
}

/// Empties a run directory but for wrangler's log (useful after a failure); the rest is clutter.
fn clear_run_dir(run_dir: &Path) {
    let log_path = run_dir.join("wrangler.log");
    if let Ok(entries) = fs::read_dir(run_dir) {
        for entry in entries.flatten() {
            if entry.path() != log_path {
                let path = entry.path();
                let _ = if path.is_dir() {
                    fs::remove_dir_all(&path)
                } else {
                    fs::remove_file(&path)
                };
            }
        }
    }
}

/// One `wrangler dev` shared by every test of a binary, started on first use.
///
/// Call [`Shared::stop`] after the tests have run (a `static`'s destructor never runs); if the
/// process dies first, the watchdog stops wrangler anyway.
pub struct Shared {
    slot: Mutex<Slot>,
}

enum Slot {
    NotStarted,
    Running(Arc<Wrangler>),
    Failed(StartError),
    Stopped,
}

impl Shared {
    pub const fn new() -> Self {
        Shared {
            slot: Mutex::new(Slot::NotStarted),
        }
    }

    /// The running instance, starting it with `opts()` on first use. A failed start is
    /// remembered, so every later caller fails at once with the same message.
    pub fn get(&self, opts: impl FnOnce() -> Options) -> Result<Arc<Wrangler>, StartError> {
        let mut slot = self
            .slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &*slot {
            Slot::Running(wrangler) => return Ok(wrangler.clone()),
            Slot::Failed(error) => return Err(error.clone()),
            Slot::Stopped => {
                return Err(StartError("the shared wrangler was already stopped".into()))
            }
            Slot::NotStarted => {}
        }
        match Wrangler::try_start(opts()) {
            Ok(wrangler) => {
                let wrangler = Arc::new(wrangler);
                *slot = Slot::Running(wrangler.clone());
                Ok(wrangler)
            }
            Err(error) => {
                *slot = Slot::Failed(error.clone());
                Err(error)
            }
        }
    }

    /// The running instance's log, if it was started.
    pub fn log_path(&self) -> Option<PathBuf> {
        match &*self
            .slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
        {
            Slot::Running(wrangler) => Some(wrangler.log_path().to_path_buf()),
            _ => None,
        }
    }

    /// Drops the shared instance (it stops once no test holds it any more).
    pub fn stop(&self) {
        let previous = {
            let mut slot = self
                .slot
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            std::mem::replace(&mut *slot, Slot::Stopped)
        };
        drop(previous);
    }
}

/// Stops several shared instances at once (each takes a second or two to wind down).
pub fn stop_all(instances: &[&Shared]) {
    std::thread::scope(|scope| {
        for shared in instances {
            scope.spawn(move || shared.stop());
        }
    });
}

impl Default for Shared {
    fn default() -> Self {
        Self::new()
    }
}

fn check_prerequisites() -> Result<(), StartError> {
    let root = repo_root();
    let needed = [
        ("wrangler.toml", "the wrangler config"),
        (
            "node_modules/.bin/wrangler",
            "wrangler (run `npm ci` at the repo root)",
        ),
        ("worker/build/index.js", "the worker build"),
        ("dist", "the app build (dist/)"),
    ];
    for (path, what) in needed {
        if !root.join(path).exists() {
            return Err(StartError(format!(
                "{what} is missing at {}: run `cargo xtask build` first",
                root.join(path).display()
            )));
        }
    }
    Ok(())
}

/// Copies the worker bundle and the assets into `run_dir` (same relative paths) and writes
/// `run_dir/wrangler.toml`: the repository's config without its `[build]` table. wrangler
/// watches its config, script and assets and reloads (dropping every socket) when they
/// change; a private copy keeps a rebuild running beside the tests from disturbing them.
fn snapshot(run_dir: &Path) -> Result<PathBuf, String> {
    let root = repo_root();
    let source = fs::read_to_string(root.join("wrangler.toml"))
        .map_err(|e| format!("cannot read wrangler.toml: {e}"))?;
    let plan = LocalConfig::from_toml(&source)?;
    for dir in [&plan.script_dir, &plan.assets_dir] {
        copy_tree(&root.join(dir), &run_dir.join(dir))
            .map_err(|e| format!("cannot copy {dir}/: {e}"))?;
    }
    let config = run_dir.join("wrangler.toml");
    fs::write(&config, plan.text).map_err(|e| format!("cannot write {}: {e}", config.display()))?;
    Ok(config)
}

/// wrangler.toml made fit for the tests, and what it refers to.
struct LocalConfig {
    /// The config without the `[build]` table (wrangler would run the build itself).
    text: String,
    /// Relative directory holding `main` (the whole worker bundle).
    script_dir: String,
    /// Relative `[assets] directory`.
    assets_dir: String,
}

impl LocalConfig {
    /// A line-oriented reading that is enough for our own wrangler.toml.
    fn from_toml(source: &str) -> Result<Self, String> {
        let mut text = String::new();
        let mut table = String::new();
        let mut main = None;
        let mut assets = None;
        for line in source.lines() {
            let trimmed = line.trim();
            if trimmed.starts_with('[') {
                table = trimmed
                    .trim_matches(|c| c == '[' || c == ']')
                    .trim()
                    .to_owned();
            }
            if table == "build" {
                continue;
            }
            if let Some((key, value)) = trimmed
                .split_once('=')
                .filter(|_| !trimmed.starts_with('#'))
            {
                let value = value.trim().trim_matches('"').to_owned();
                match (table.as_str(), key.trim()) {
                    ("", "main") => main = Some(value),
                    ("assets", "directory") => assets = Some(value),
                    _ => {}
                }
            }
            text.push_str(line);
            text.push('\n');
        }
        let main = main.ok_or("wrangler.toml has no top-level `main`")?;
        let script_dir = Path::new(&main)
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .filter(|p| !p.is_empty())
            .ok_or_else(|| format!("`main = {main:?}` is not inside a build directory"))?;
        let assets_dir = assets.ok_or("wrangler.toml has no `[assets] directory`")?;
        for dir in [&script_dir, &assets_dir] {
            if Path::new(dir).is_absolute() || dir.split('/').any(|part| part == "..") {
                return Err(format!("`{dir}` must be a path inside the repository"));
            }
        }
        Ok(LocalConfig {
            text,
            script_dir,
            assets_dir,
        })
    }
}

/// Recursive copy; files that vanish meanwhile (a build replacing them) are skipped.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = match entry.file_type() {
            Ok(kind) => kind,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let copied = if kind.is_dir() {
            copy_tree(&entry.path(), &target)
        } else {
            fs::copy(entry.path(), &target).map(|_| ())
        };
        match copied {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

/// A fresh `<scratch>/run-<pid>-<n>` directory; removes those left by processes that are gone.
fn new_run_dir() -> std::io::Result<PathBuf> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let scratch = scratch_root();
    fs::create_dir_all(&scratch)?;
    let me = std::process::id();
    if let Ok(entries) = fs::read_dir(&scratch) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix("run-")
                .and_then(|rest| rest.split('-').next())
            else {
                continue;
            };
            let Ok(pid) = pid.parse::<i32>() else {
                continue;
            };
            if pid as u32 != me && !process_alive(pid) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = scratch.join(format!("run-{me}-{}", NEXT.fetch_add(1, Ordering::Relaxed)));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn log_tail(path: &Path, lines: usize) -> String {
    let Ok(mut file) = File::open(path) else {
        return format!("(no log at {})", path.display());
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
