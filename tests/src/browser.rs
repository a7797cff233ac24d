//! Headless Chromium driven through ChromeDriver (WebDriver), one browser per participant.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

use crate::netns::Netns;
use crate::process::{spawn_watchdog, stop_group};
use serde_json::json;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Fails with the command to run when the browser or its driver is missing.
pub fn require_chromium() -> Result<(), String> {
    for path in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(path).exists() {
            return Err(format!(
                "{path} is missing: run `cargo xtask test` (installs it) or `apt-get install -y chromium chromium-driver`"
            ));
        }
    }
    Ok(())
}

/// A running chromedriver; its process group is killed on drop.
pub struct ChromeDriver {
    child: Child,
    /// Stops the group even if this process dies without dropping us.
    watchdog: Option<(Child, ChildStdin)>,
    url: String,
    /// Marks this driver's browser profiles so cleanup kills only our own Chromium processes.
    tag: String,
    /// More Chromium switches for every browser of this driver.
    extra_args: Vec<String>,
    /// `--allow-loopback-in-peer-connection`: WebRTC over loopback (a namespace with only `lo`).
    loopback_candidates: bool,
}

impl ChromeDriver {
    /// A chromedriver in this process's namespace; its browsers may use loopback for WebRTC.
    pub fn start(log_dir: &Path) -> Result<ChromeDriver, String> {
        let port = free_port();
        let log =
            std::fs::File::create(log_dir.join("chromedriver.log")).map_err(|e| e.to_string())?;
        let child = Command::new(CHROMEDRIVER);
        let (mut driver, port) = Self::launch(child, port, log, |port| {
            TcpStream::connect(("127.0.0.1", port)).map(drop)
        })?;
        driver.url = format!("http://127.0.0.1:{port}");
        Ok(driver)
    }

    /// A chromedriver (and so its browsers) inside `netns`, reached through a forwarder (see
    /// [`Netns::forward_loopback`]); its browsers get `extra_args` and use only the namespace's
    /// real interfaces for WebRTC.
    pub fn start_in(
        netns: &Netns,
        log_dir: &Path,
        extra_args: Vec<String>,
    ) -> Result<ChromeDriver, String> {
        let port = free_port();
        let log = std::fs::File::create(log_dir.join(format!("chromedriver-{}.log", netns.name())))
            .map_err(|e| e.to_string())?;
        let (mut driver, port) = Self::launch(netns.command(CHROMEDRIVER), port, log, |port| {
            netns.connect_loopback(port).map(drop)
        })?;
        let local = netns
            .forward_loopback(port)
            .map_err(|e| format!("cannot forward to chromedriver in {}: {e}", netns.name()))?;
        driver.url = format!("http://127.0.0.1:{local}");
        driver.extra_args = extra_args;
        driver.loopback_candidates = false;
        Ok(driver)
    }

    fn launch(
        mut command: Command,
        port: u16,
        log: std::fs::File,
        probe: impl Fn(u16) -> std::io::Result<()>,
    ) -> Result<(ChromeDriver, u16), String> {
        let child = command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start chromedriver: {e}"))?;
        let tag = format!("confab-e2e-{}", uuid::Uuid::new_v4().simple());
        let watchdog = spawn_watchdog(child.id() as i32);
        let driver = ChromeDriver {
            child,
            watchdog,
            url: String::new(),
            tag,
            extra_args: Vec::new(),
            loopback_candidates: true,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while probe(port).is_err() {
            if Instant::now() > deadline {
                return Err("chromedriver did not start listening within 20 s".into());
            }
            // Poll interval of a deadline-bounded readiness check.
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok((driver, port))
    }

    /// A new browser. `fake_media`: a synthetic camera and microphone; without it the browser
    /// has no devices at all (the "no camera/mic" case).
    pub async fn browser(&self, profile_dir: &Path, fake_media: bool) -> Result<Client, String> {
        self.browser_with(profile_dir, fake_media, &[]).await
    }

    /// Like [`ChromeDriver::browser`], with more Chromium switches for this browser only (e.g.
    /// `--use-file-for-fake-video-capture=<file>.y4m`, see [`crate::fake_camera`]).
    pub async fn browser_with(
        &self,
        profile_dir: &Path,
        fake_media: bool,
        extra_args: &[String],
    ) -> Result<Client, String> {
        std::fs::create_dir_all(profile_dir).map_err(|e| e.to_string())?;
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--autoplay-policy=no-user-gesture-required".into(),
            "--window-size=1280,800".into(),
            format!("--user-data-dir={}", profile_dir.display()),
        ];
        if self.loopback_candidates {
            args.push("--allow-loopback-in-peer-connection".into());
        }
        args.extend(self.extra_args.iter().cloned());
        args.extend(extra_args.iter().cloned());
        if std::env::var_os("CONFAB_BROWSER_LOG").is_some() {
            // For debugging a trial: the pages' console, in chrome_debug.log in each profile.
            args.extend(["--enable-logging".into(), "--v=0".into()]);
        }
        if fake_media {
            let microphone = profile_dir.join("microphone.wav");
            crate::fake_microphone::write_beeps(&microphone)?;
            // Unless this browser's own switches already set it (e.g. `=device-count=2`):
            // Chromium takes the last of a repeated switch.
            const FAKE_DEVICES: &str = "--use-fake-device-for-media-stream";
            if !args.iter().any(|a| a.starts_with(FAKE_DEVICES)) {
                args.push(FAKE_DEVICES.into());
            }
            args.push("--use-fake-ui-for-media-stream".into());
            args.push(format!(
                "--use-file-for-fake-audio-capture={}",
                microphone.display()
            ));
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .map_err(|e| format!("cannot start a browser session: {e}"))
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        stop_group(
            &mut self.child,
            self.watchdog.take(),
            Duration::from_secs(3),
        );
        // Chromium normally dies with the group; sweep any straggler that detached from it.
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", &self.tag])
            .status();
    }
}

impl ChromeDriver {
    /// A fresh profile directory for one browser of this driver.
    pub fn profile_dir(&self, root: &Path, label: &str) -> PathBuf {
        let dir = root.join(format!(
            "{}-{label}-{}",
            self.tag,
            uuid::Uuid::new_v4().simple()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}
