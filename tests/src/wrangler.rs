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
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::process::{spawn_watchdog, stop_group};

mod jwt_key;
mod options;
mod run_dir;

pub use jwt_key::{JwtAlg, JwtKey};
pub use options::{Options, TRUNK_SERVE_ORIGINS};
use run_dir::{new_run_dir, snapshot};

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

    /// A port for [`Options::port`]: free now on every address, below the kernel's range of
    /// ephemeral ports, and not handed out before by this process. A port picked from that
    /// range (`127.0.0.1:0`) can be taken before wrangler binds it by any process's outgoing
    /// connection or `:0` bind, and for good: in CI the NAT lab's worker found its port held
    /// by then (another wrangler starting beside it, most likely), and every retry clashed.
    pub fn pick_port() -> std::io::Result<u16> {
        static HANDED_OUT: Mutex<Vec<u16>> = Mutex::new(Vec::new());
        let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
        let below = ephemeral_ports_start().unwrap_or(32_768);
        let span = u64::from(below.saturating_sub(PICKED_PORTS_FROM).max(1));
        let seed = uuid::Uuid::new_v4().as_u64_pair().0;
        for attempt in 0..256u64 {
            let offset = seed.wrapping_add(attempt.wrapping_mul(7_919)) % span;
            let port = PICKED_PORTS_FROM + offset as u16;
            if !handed_out.contains(&port) && TcpListener::bind(("0.0.0.0", port)).is_ok() {
                handed_out.push(port);
                return Ok(port);
            }
        }
        free_port()
    }

    fn launch_with_retries(opts: &Options, run_dir: &Path) -> Result<Wrangler, StartError> {
        // A port picked free can be taken before wrangler binds it, and wrangler has died at
        // start for no reason of ours: try a few times.
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
        let env = format!(
            "JWT_KEYS=\"{}\"\nDEV_ORIGINS=\"{}\"\n",
            keys.join(","),
            opts.dev_origins.join(",")
        );
        fs::write(&env_file, env)
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
                // The whole log: when wrangler dies, its esbuild child's goroutine dump can fill
                // the tail and hide the port clash that killed it.
                let log = fs::read_to_string(&wrangler.log_path).unwrap_or_default();
                // A port clash, or wrangler dying at start for no reason of ours (once in CI:
                // its esbuild child's goroutine dump and nothing else; the next start worked).
                let retry = log.contains("EADDRINUSE")
                    || log.contains("Address already in use")
                    || reason.starts_with("wrangler exited early");
                let said: Vec<&str> = log
                    .lines()
                    .filter(|l| l.contains("ERROR") || l.contains("Error") || l.contains('✘'))
                    .take(10)
                    .collect();
                let message = format!(
                    "wrangler dev did not start: {reason}\n--- its errors ---\n{}\n--- last lines \
                     of {} ---\n{tail}",
                    said.join("\n"),
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

/// Where [`Wrangler::pick_port`] starts: above the well-known and most registered ports.
const PICKED_PORTS_FROM: u16 = 20_000;

/// The first port the kernel hands out for `:0` binds and outgoing connections.
fn ephemeral_ports_start() -> Option<u16> {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    range.split_whitespace().next()?.parse().ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picked_ports_are_free_distinct_and_below_the_ephemeral_range() {
        let below = ephemeral_ports_start().unwrap_or(32_768);
        let ports: Vec<u16> = (0..20).map(|_| Wrangler::pick_port().unwrap()).collect();
        for port in &ports {
            assert!((PICKED_PORTS_FROM..below).contains(port), "{port}");
            assert_eq!(ports.iter().filter(|p| *p == port).count(), 1, "{ports:?}");
            TcpListener::bind(("0.0.0.0", *port)).unwrap();
        }
    }
}
