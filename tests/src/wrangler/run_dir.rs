//! Each worker instance runs from a private directory: a snapshot of the bundle, the assets
//! and the config, so a rebuild beside the tests cannot reload the worker under them.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{repo_root, scratch_root};
use crate::process::process_alive;

/// Copies the worker bundle and the assets into `run_dir` (same relative paths) and writes
/// `run_dir/wrangler.toml`: the repository's config without its `[build]` table. wrangler
/// watches its config, script and assets and reloads (dropping every socket) when they
/// change; a private copy keeps a rebuild running beside the tests from disturbing them.
pub(super) fn snapshot(run_dir: &Path) -> Result<PathBuf, String> {
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
pub(super) fn new_run_dir() -> std::io::Result<PathBuf> {
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
