//! The local SFU stand-in (`tests/local-sfu`, binary `confab-local-sfu`) as a child process
//! for the tests: built if missing, started on free ports with a fresh app token, stopped (its
//! whole process group) on drop, and restartable in place ([`LocalSfu::restart`]: same
//! addresses and token, every session forgotten). [`LocalSfu::worker_vars`] point a worker at
//! it.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::process::{spawn_watchdog, stop_group};
use crate::wrangler::{repo_root, scratch_root};

pub const APP_ID: &str = "confab-local";

pub struct LocalSfu {
    /// `SFU_API_URL`: `http://<ip>:<port>/v1`.
    pub api_url: String,
    /// The secret the worker signs in with.
    pub token: String,
    /// Where browsers send media.
    pub udp: String,
    log: PathBuf,
    running: Mutex<Running>,
}

/// The stand-in's process, replaced by a restart.
struct Running {
    child: Child,
    watchdog: Option<(Child, ChildStdin)>,
    /// About when its log's clock started (it counts seconds from its own start).
    started: Instant,
}

impl LocalSfu {
    /// A test's stage (see [`crate::stage::Stage::enter`]) whose worker calls a local SFU
    /// started inside its namespace, beside the worker, on its loopback, with the worker's
    /// default `MEDIA_MODE` for a deployment with an SFU (`auto`). Call from `main` before any
    /// other thread exists.
    pub fn stage(label: &str) -> Result<crate::stage::StageWith<LocalSfu>, String> {
        Self::stage_with(label, &[])
    }

    /// Like [`LocalSfu::stage`], with more worker variables (`MEDIA_MODE`, `SFU_LAST_N`, ...).
    pub fn stage_with(
        label: &str,
        more_vars: &[(&str, &str)],
    ) -> Result<crate::stage::StageWith<LocalSfu>, String> {
        let (stage, sfu) = crate::stage::Stage::enter_with(label, |scratch| {
            let sfu = LocalSfu::start("127.0.0.1", &scratch.join("local-sfu.log"))?;
            let mut vars = sfu.worker_vars();
            vars.extend(
                more_vars
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string())),
            );
            let options = crate::wrangler::Options {
                vars,
                ..crate::wrangler::Options::default()
            };
            Ok((options, sfu))
        })?;
        Ok(crate::stage::StageWith { stage, beside: sfu })
    }

    /// Starts the stand-in with its API and media on `ip` (a loopback address, or one browsers
    /// in other namespaces reach); its log goes to `log`.
    pub fn start(ip: &str, log: &Path) -> Result<LocalSfu, String> {
        Self::start_on(ip, ip, log)
    }

    /// Starts the stand-in with its API on `http_ip` (loopback: the worker calls plain http
    /// only there) and its media on `udp_ip` (where browsers, or their relays, reach it).
    pub fn start_on(http_ip: &str, udp_ip: &str, log: &Path) -> Result<LocalSfu, String> {
        let mut secret = [0u8; 24];
        getrandom::fill(&mut secret).map_err(|e| format!("no randomness: {e}"))?;
        let token = URL_SAFE_NO_PAD.encode(secret);
        let log_file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let (running, line) = spawn(
            &format!("{http_ip}:0"),
            &format!("{udp_ip}:0"),
            &token,
            log_file,
            &[],
        )?;
        let field = |name: &str| {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(name))
                .map(str::to_owned)
                .ok_or_else(|| format!("no {name} in {line:?} (see {})", log.display()))
        };
        Ok(LocalSfu {
            api_url: format!("http://{}/v1", field("http=")?),
            udp: field("udp=")?,
            token,
            log: log.to_path_buf(),
            running: Mutex::new(running),
        })
    }

    /// Stops the stand-in and starts it again on the same addresses with the same token, as
    /// an SFU node that restarted: every session and track is forgotten, and browsers find
    /// theirs gone. Its log goes on in the same file.
    pub fn restart(&self) -> Result<(), String> {
        self.restart_with(&[])
    }

    /// [`LocalSfu::restart`] with these switches of the stand-in's (e.g. `--repeat-track-ids`)
    /// until the next restart.
    pub fn restart_with(&self, switches: &[&str]) -> Result<(), String> {
        let mut running = self.running();
        stop(&mut running);
        let http = self
            .api_url
            .strip_prefix("http://")
            .and_then(|rest| rest.strip_suffix("/v1"))
            .ok_or_else(|| format!("no address in {}", self.api_url))?;
        let log_file = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("{}: {e}", self.log.display()))?;
        let (again, _) = spawn(http, &self.udp, &self.token, log_file, switches)?;
        *running = again;
        Ok(())
    }

    fn running(&self) -> MutexGuard<'_, Running> {
        // A test that panicked while holding it left nothing half-done: the process is either
        // running or stopped.
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many lines of its log so far contain `text` (e.g. `/sessions/new 201`: sessions
    /// made).
    pub fn log_count(&self, text: &str) -> Result<usize, String> {
        std::fs::read_to_string(&self.log)
            .map(|log| log.lines().filter(|l| l.contains(text)).count())
            .map_err(|e| format!("{}: {e}", self.log.display()))
    }

    /// Now on the clock of its log's lines, for reading the test's output beside the log.
    pub fn log_time(&self) -> String {
        format!("{:.3}", self.running().started.elapsed().as_secs_f64())
    }

    /// The worker's variables for this SFU (`MEDIA_MODE` left to its default, `auto`).
    pub fn worker_vars(&self) -> Vec<(String, String)> {
        vec![
            ("SFU_APP_ID".into(), APP_ID.into()),
            ("SFU_APP_TOKEN".into(), self.token.clone()),
            ("SFU_API_URL".into(), self.api_url.clone()),
        ]
    }
}

impl LocalSfu {
    /// CPU time the stand-in has used so far (user and system, all threads), from
    /// `/proc/<pid>/stat` (clock ticks of 1/100 s, Linux's fixed `USER_HZ`).
    pub fn cpu_seconds(&self) -> Result<f64, String> {
        let path = format!("/proc/{}/stat", self.running().child.id());
        let stat = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        // The command name (field 2) is in parentheses and may hold spaces: count after it.
        let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the whole line: 12th and 13th after the name.
        let ticks = |i: usize| -> Result<u64, String> {
            fields
                .get(i)
                .and_then(|f| f.parse().ok())
                .ok_or_else(|| format!("{path}: no field {} in {stat:?}", i + 3))
        };
        Ok((ticks(11)? + ticks(12)?) as f64 / 100.0)
    }
}

impl crate::stage::Beside for LocalSfu {
    fn logs(&self) -> Vec<PathBuf> {
        vec![self.log.clone()]
    }
}

impl Drop for LocalSfu {
    fn drop(&mut self) {
        stop(&mut self.running());
    }
}

fn stop(running: &mut Running) {
    stop_group(
        &mut running.child,
        running.watchdog.take(),
        Duration::from_secs(2),
    );
}

/// Runs the binary with its API on `http` and its media on `udp` (`ip:port`, port 0 for any)
/// and waits for its first line, which says where it listens.
fn spawn(
    http: &str,
    udp: &str,
    token: &str,
    log: std::fs::File,
    switches: &[&str],
) -> Result<(Running, String), String> {
    let binary = binary()?;
    // Ahead of the browsers for the CPU, as an SFU on its own machine would be: on two
    // cores shared with six or more Chromiums it otherwise falls behind their media, its
    // socket overflows, and the late arrival times it reports collapse their bandwidth
    // estimates. (`nice` runs it as is where raising its priority is not allowed.)
    let started = Instant::now();
    let mut child = Command::new("nice")
        .args(["-n", SFU_NICENESS])
        .arg(&binary)
        .args(["--http", http])
        .args(["--udp", udp])
        .args(["--app-id", APP_ID])
        .args(switches)
        .env("SFU_APP_TOKEN", token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let watchdog = spawn_watchdog(child.id() as i32);
    let stdout = child.stdout.take().ok_or("no stdout")?;
    // The first line comes at once or the binary failed.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let mut running = Running {
        child,
        watchdog,
        started,
    };
    match receiver.recv_timeout(Duration::from_secs(10)) {
        Ok(line) if !line.is_empty() => Ok((running, line)),
        _ => {
            stop(&mut running);
            Err(format!("{} did not say where it listens", binary.display()))
        }
    }
}

/// The local SFU's niceness: ahead of the browsers (0).
const SFU_NICENESS: &str = "-10";

/// The binary next to the tests' own build, brought up to date first (a no-op when it is).
fn binary() -> Result<PathBuf, String> {
    let target = scratch_root()
        .parent()
        .map(Path::to_path_buf)
        .ok_or("no target directory")?;
    let path = target.join("debug").join("confab-local-sfu");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "-q", "-p", "confab-local-sfu"])
        .current_dir(repo_root())
        .status()
        .map_err(|e| format!("cannot build confab-local-sfu: {e}"))?;
    if !status.success() || !path.exists() {
        return Err(format!("building confab-local-sfu failed ({status})"));
    }
    Ok(path)
}
