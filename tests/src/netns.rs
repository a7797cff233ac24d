//! A private network namespace for browser tests, so WebRTC sees only loopback and never the
//! host's real interfaces. The test process moves itself in (before it starts any thread), so
//! everything it spawns afterwards — wrangler, chromedriver, Chromium — lives there too.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::process::Command;

/// Name prefix of the namespaces these tests create; stale ones from killed runs are removed.
const PREFIX: &str = "confab-e2e-";

/// Deletes the namespace's name when dropped (the namespace itself ends with its last process).
pub struct Netns {
    name: String,
}

impl Netns {
    /// Creates `confab-e2e-<pid>`, brings `lo` up and moves the calling thread into it.
    /// Call from `main` before any other thread exists: threads started later inherit it.
    pub fn enter_fresh() -> Result<Netns, String> {
        if unsafe { libc::geteuid() } != 0 {
            return Err(
                "browser tests create a network namespace and must run as root \
                        (CI runs as root; locally: sudo -E cargo xtask test)"
                    .into(),
            );
        }
        remove_stale();
        let name = format!("{PREFIX}{}", std::process::id());
        run(&["ip", "netns", "add", &name])?;
        let netns = Netns { name };
        run(&["ip", "-n", &netns.name, "link", "set", "lo", "up"])?;
        // A default route that leads nowhere: a veth pair with both ends in the namespace, on
        // TEST-NET-1. Browsers without camera/mic permission gather candidates only on the
        // default-route interface; with no default route a receive-only person never connects.
        let ns = netns.name.as_str();
        run(&[
            "ip", "-n", ns, "link", "add", "edge0", "type", "veth", "peer", "name", "edge1",
        ])?;
        run(&[
            "ip",
            "-n",
            ns,
            "addr",
            "add",
            "192.0.2.1/24",
            "dev",
            "edge0",
        ])?;
        run(&["ip", "-n", ns, "link", "set", "edge0", "up"])?;
        run(&["ip", "-n", ns, "link", "set", "edge1", "up"])?;
        run(&["ip", "-n", ns, "route", "add", "default", "dev", "edge0"])?;
        let file = File::open(format!("/run/netns/{}", netns.name))
            .map_err(|e| format!("cannot open namespace {}: {e}", netns.name))?;
        if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return Err(format!("setns failed: {}", std::io::Error::last_os_error()));
        }
        Ok(netns)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

/// Namespaces left by runs that were killed before they could clean up.
fn remove_stale() {
    let Ok(output) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or_default();
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        if !alive {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

fn run(args: &[&str]) -> Result<(), String> {
    let status = Command::new(args[0])
        .args(&args[1..])
        .status()
        .map_err(|e| {
            format!(
                "cannot run {}: {e} (is iproute2 installed?)",
                args.join(" ")
            )
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed with {status}", args.join(" ")))
    }
}
