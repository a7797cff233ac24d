//! Headless Firefox ESR driven through geckodriver (WebDriver), for the Chromium ↔ Firefox
//! interop suite. One geckodriver serves one session at a time, so a suite opens one Firefox
//! per trial and closes it before the next.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

use crate::process::{spawn_watchdog, stop_group};

pub const FIREFOX: &str = "/usr/bin/firefox-esr";
/// The geckodriver version `cargo xtask test` installs (`cargo install --locked geckodriver`).
pub const GECKODRIVER_VERSION: &str = "0.37.1";

/// Preferences every test Firefox starts with:
/// - a synthetic camera and microphone instead of real devices;
/// - ICE may use loopback addresses (the test namespace has nothing else that connects);
/// - camera and microphone are allowed without a prompt. Without a *permission* (not just
///   `media.navigator.permission.disabled`) Firefox gathers candidates only on the
///   default-route interface and the call never connects over loopback;
/// - media may autoplay, like Chromium's `--autoplay-policy=no-user-gesture-required`;
/// - the page's console goes to geckodriver's log, next to the browser's own messages.
pub fn prefs() -> serde_json::Map<String, serde_json::Value> {
    let serde_json::Value::Object(prefs) = json!({
        "media.navigator.streams.fake": true,
        "media.peerconnection.ice.loopback": true,
        "permissions.default.camera": 1,
        "permissions.default.microphone": 1,
        "media.navigator.permission.disabled": true,
        "media.autoplay.default": 0,
        "devtools.console.stdout.content": true,
    }) else {
        unreachable!()
    };
    prefs
}

/// geckodriver: `$GECKODRIVER`, else on `PATH`, else in cargo's bin directory (where
/// `cargo install` put it).
pub fn geckodriver_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("GECKODRIVER") {
        return Some(PathBuf::from(path));
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin"));
    on_path
        .chain(cargo_home)
        .map(|dir| dir.join("geckodriver"))
        .find(|bin| bin.is_file())
}

/// Fails with the command to run when Firefox ESR or geckodriver is missing.
pub fn require_firefox() -> Result<PathBuf, String> {
    if !Path::new(FIREFOX).exists() {
        return Err(format!(
            "{FIREFOX} is missing: run `cargo xtask test` (installs it) or `apt-get install -y firefox-esr`"
        ));
    }
    geckodriver_path().ok_or_else(|| {
        format!(
            "geckodriver is missing: run `cargo xtask test` (installs it) or \
             `cargo install --locked geckodriver --version {GECKODRIVER_VERSION}`"
        )
    })
}

/// A running geckodriver; its process group (with every Firefox it started) is killed on drop.
pub struct GeckoDriver {
    child: Child,
    /// Stops the group even if this process dies without dropping us.
    watchdog: Option<(Child, ChildStdin)>,
    url: String,
    /// Marks this driver's browser profiles so cleanup kills only our own Firefox processes.
    tag: String,
}

impl GeckoDriver {
    /// Starts geckodriver on a free loopback port (logs to `log_dir/geckodriver.log`) and waits
    /// until it listens.
    pub fn start(log_dir: &Path) -> Result<GeckoDriver, String> {
        let bin = require_firefox()?;
        let port = free_port();
        let log = std::fs::File::create(log_dir.join("geckodriver.log"))
            .map_err(|e| format!("{}: {e}", log_dir.display()))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .env("MOZ_HEADLESS", "1")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let watchdog = spawn_watchdog(child.id() as i32);
        let mut driver = GeckoDriver {
            child,
            watchdog,
            url: format!("http://127.0.0.1:{port}"),
            tag: format!("confab-ff-{}", uuid::Uuid::new_v4().simple()),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                return Err(format!(
                    "geckodriver exited ({status}); see {}",
                    log_dir.join("geckodriver.log").display()
                ));
            }
            if Instant::now() > deadline {
                return Err("geckodriver did not start listening within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    /// A fresh profile directory under `root` for one browser of this driver.
    pub fn profile_dir(&self, root: &Path, label: &str) -> PathBuf {
        root.join(format!(
            "{}-{label}-{}",
            self.tag,
            uuid::Uuid::new_v4().simple()
        ))
    }

    /// A new headless Firefox ESR on the empty profile `profile_dir`, with [`prefs`]. Close it
    /// (`Client::close`) before asking for the next: geckodriver runs one session at a time.
    pub async fn browser(&self, profile_dir: &Path) -> Result<Client, String> {
        std::fs::create_dir_all(profile_dir)
            .map_err(|e| format!("{}: {e}", profile_dir.display()))?;
        let profile = profile_dir.to_string_lossy();
        let capabilities = json!({
            "browserName": "firefox",
            "moz:firefoxOptions": {
                "binary": FIREFOX,
                "args": ["-headless", "-profile", profile],
                "prefs": prefs(),
            }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .map_err(|e| format!("cannot start a Firefox session: {e}"))?;
        // The same viewport as the Chromium browsers (`--window-size=1280,800`).
        if let Err(e) = client.set_window_size(1280, 800).await {
            let _ = client.close().await;
            return Err(format!("cannot size the Firefox window: {e}"));
        }
        Ok(client)
    }
}

impl Drop for GeckoDriver {
    fn drop(&mut self) {
        stop_group(
            &mut self.child,
            self.watchdog.take(),
            Duration::from_secs(3),
        );
        // Firefox normally dies with the group; sweep any straggler that detached from it
        // (only ours: the tag is in its `-profile` argument).
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", &self.tag])
            .status();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}
