//! Everything a browser test or benchmark stands on: a private network namespace, a tokio
//! runtime, the real worker under `wrangler dev` and a chromedriver — set up in the right order
//! and torn down in the reverse order, even when the run failed.

use std::path::PathBuf;

use crate::browser::{require_chromium, ChromeDriver};
use crate::netns::Netns;
use crate::wrangler::{scratch_root, Options, Wrangler};

/// What every browser suite's environment starts from, in this order: Chromium is there, this
/// thread moved into a fresh network namespace (`role` names it in the log: what the test
/// process plays there), a multi-threaded runtime, and the scratch directory
/// `target/confab-tests/<label>` (created). Call from `main` before any other thread exists:
/// everything started afterwards inherits the namespace.
pub fn enter_namespace(
    label: &str,
    role: &str,
) -> Result<(Netns, tokio::runtime::Runtime, PathBuf), String> {
    require_chromium()?;
    let netns = Netns::enter_fresh()?;
    eprintln!("{label}: {role} namespace {}", netns.name());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    let scratch = scratch_root().join(label);
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    Ok((netns, runtime, scratch))
}

/// Fields drop in declaration order: browsers' driver, worker, runtime, then the namespace.
pub struct Stage {
    pub driver: ChromeDriver,
    pub wrangler: Wrangler,
    pub runtime: tokio::runtime::Runtime,
    /// Screenshots, logs and browser profiles: `target/confab-tests/<label>`.
    pub scratch: PathBuf,
    /// Held for its `Drop`: the namespace's name is removed last.
    _netns: Netns,
}

impl Stage {
    /// Call from `main` before any other thread exists (the namespace is per thread; everything
    /// started afterwards inherits it).
    pub fn enter(label: &str) -> Result<Stage, String> {
        Self::enter_with(label, |_| Ok((Options::default(), ()))).map(|(stage, ())| stage)
    }

    /// Like [`Stage::enter`], with the worker's options from `prepare`, which runs inside the
    /// namespace before the worker starts (so what it starts, e.g. sign-in provider stand-ins,
    /// lives there too) and gets the scratch directory. What else it returns comes back with
    /// the stage; drop it after the stage.
    pub fn enter_with<T>(
        label: &str,
        prepare: impl FnOnce(&std::path::Path) -> Result<(Options, T), String>,
    ) -> Result<(Stage, T), String> {
        let (netns, runtime, scratch) = enter_namespace(label, "the test's")?;
        let (options, extra) = prepare(&scratch)?;
        let wrangler = Wrangler::try_start(options).map_err(|e| e.to_string())?;
        let driver = ChromeDriver::start(&scratch)?;
        let stage = Stage {
            driver,
            wrangler,
            runtime,
            scratch,
            _netns: netns,
        };
        Ok((stage, extra))
    }

    pub fn base_url(&self) -> &str {
        self.wrangler.base_url()
    }

    /// A new headless Chromium with a fake camera and microphone.
    pub async fn browser(&self, label: &str) -> Result<fantoccini::Client, String> {
        self.driver
            .browser(&self.driver.profile_dir(&self.scratch, label), true)
            .await
    }

    /// A new headless Chromium with a fake microphone and, as its camera, the Y4M video
    /// `camera` (looped; see [`crate::fake_camera`]).
    pub async fn browser_with_camera(
        &self,
        label: &str,
        camera: &std::path::Path,
    ) -> Result<fantoccini::Client, String> {
        let file = format!("--use-file-for-fake-video-capture={}", camera.display());
        self.browser_with_switches(label, &[file]).await
    }

    /// One headless Chromium per name, each with a small camera of its own tint (a crowd on two
    /// cores) as `camera` makes it; none left open if one fails to start.
    pub async fn crowd(
        &self,
        names: &[&str],
        camera: fn((u8, u8)) -> crate::fake_camera::FakeCamera,
    ) -> Result<Vec<fantoccini::Client>, String> {
        let mut browsers = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let tint = (60 + (i as u8 % 5) * 30, 200 - (i as u8 % 4) * 35);
            let path = self.scratch.join(format!("camera-{name}.y4m"));
            let opened = match camera(tint).write(&path) {
                Ok(()) => self.browser_with_camera(name, &path).await,
                Err(e) => Err(e),
            };
            match opened {
                Ok(client) => browsers.push(client),
                Err(e) => {
                    for client in browsers {
                        let _ = client.close().await;
                    }
                    return Err(e);
                }
            }
        }
        Ok(browsers)
    }

    /// A new headless Chromium with a fake camera and microphone and these extra command-line
    /// switches (a switch given twice: Chromium takes the last).
    pub async fn browser_with_switches(
        &self,
        label: &str,
        switches: &[String],
    ) -> Result<fantoccini::Client, String> {
        self.driver
            .browser_with(
                &self.driver.profile_dir(&self.scratch, label),
                true,
                switches,
            )
            .await
    }

    /// A new headless Chromium with `cameras` fake cameras (`fake_device_0`, …; each draws its
    /// own picture; the second, `fake_device_1`, is a depth camera that WebRTC cannot send) and the fake microphone.
    pub async fn browser_with_cameras(
        &self,
        label: &str,
        cameras: u32,
    ) -> Result<fantoccini::Client, String> {
        let devices = format!("--use-fake-device-for-media-stream=device-count={cameras}");
        self.browser_with_switches(label, &[devices]).await
    }

    /// A new headless Chromium (fake camera and microphone) whose languages are `languages`
    /// (`navigator.languages`, e.g. `"ko-KR,ko"`), as a browser set up in that language.
    pub async fn browser_in_language(
        &self,
        label: &str,
        languages: &str,
    ) -> Result<fantoccini::Client, String> {
        let primary = languages.split(',').next().unwrap_or(languages);
        self.driver
            .browser_with(
                &self.driver.profile_dir(&self.scratch, label),
                true,
                &[
                    format!("--lang={primary}"),
                    format!("--accept-lang={languages}"),
                ],
            )
            .await
    }

    /// A new headless Chromium with no camera or microphone at all.
    pub async fn browser_without_devices(&self, label: &str) -> Result<fantoccini::Client, String> {
        self.driver
            .browser(&self.driver.profile_dir(&self.scratch, label), false)
            .await
    }
}

/// A stage with something running beside its worker in its namespace (sign-in stand-ins, an
/// SFU) that must stop after the browsers and the worker: fields drop in declaration order.
pub struct StageWith<T> {
    pub stage: Stage,
    /// Held for its `Drop`.
    pub beside: T,
}

/// What runs beside a stage's worker, and where it logs.
pub trait Beside {
    fn logs(&self) -> Vec<PathBuf> {
        Vec::new()
    }
}

impl<T: Beside> crate::suite::Runs for StageWith<T> {
    fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.stage.runtime
    }
    fn worker_logs(&self) -> Vec<PathBuf> {
        crate::suite::Runs::worker_logs(&self.stage)
    }
    fn all_logs(&self) -> Vec<PathBuf> {
        let mut logs = self.worker_logs();
        logs.extend(self.beside.logs());
        logs
    }
}
