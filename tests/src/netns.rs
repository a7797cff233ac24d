//! A private network namespace for browser tests, so WebRTC sees only loopback and never the
//! host's real interfaces. The test process moves itself in (before it starts any thread), so
//! everything it spawns afterwards — wrangler, chromedriver, Chromium — lives there too.

use nix::sched::{setns, CloneFlags};
use std::fs::File;
use std::net::{Shutdown, TcpListener, TcpStream};
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
        if !nix::unistd::geteuid().is_root() {
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
        ip_addr(ns, "add", "192.0.2.1", "edge0")?;
        run(&["ip", "-n", ns, "link", "set", "edge0", "up"])?;
        run(&["ip", "-n", ns, "link", "set", "edge1", "up"])?;
        run(&["ip", "-n", ns, "route", "add", "default", "dev", "edge0"])?;
        let file = File::open(format!("/run/netns/{}", netns.name))
            .map_err(|e| format!("cannot open namespace {}: {e}", netns.name))?;
        setns(&file, CloneFlags::CLONE_NEWNET).map_err(|e| format!("setns failed: {e}"))?;
        Ok(netns)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A further namespace `<this one's name>-<suffix>` with `lo` up, not entered: its
    /// processes are started with `ip netns exec` ([`Netns::command`]). Dropped before this one.
    pub fn child(&self, suffix: &str) -> Result<Netns, String> {
        let name = format!("{}-{suffix}", self.name);
        let _ = Command::new("ip")
            .args(["netns", "del", &name])
            .stderr(std::process::Stdio::null())
            .status();
        run(&["ip", "netns", "add", &name])?;
        let netns = Netns { name };
        run(&["ip", "-n", &netns.name, "link", "set", "lo", "up"])?;
        Ok(netns)
    }

    /// `program` to be run inside this namespace.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name, program]);
        command
    }

    /// A TCP connection to `127.0.0.1:port` inside this namespace, made from a short-lived
    /// thread that moves into it (a socket stays in the namespace it was made in, whichever
    /// thread uses it later).
    pub fn connect_loopback(&self, port: u16) -> std::io::Result<TcpStream> {
        connect_loopback_in(format!("/run/netns/{}", self.name), port)
    }

    /// A loopback port in the caller's namespace that leads to `127.0.0.1:port` inside this one:
    /// each connection is forwarded over a socket made inside this namespace (see
    /// [`Netns::connect_loopback`]). So a service bound to this namespace's loopback, like a
    /// WebDriver server, is reachable without any link between the namespaces: cutting those
    /// links in a test never cuts the test's control of the browser. The forwarder lives as
    /// long as the process; it serves nothing once the service has gone.
    pub fn forward_loopback(&self, port: u16) -> std::io::Result<u16> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let local = listener.local_addr()?.port();
        let path = format!("/run/netns/{}", self.name);
        std::thread::spawn(move || {
            for near in listener.incoming() {
                let Ok(near) = near else { continue };
                let Ok(far) = connect_loopback_in(path.clone(), port) else {
                    continue; // dropping `near` tells the client
                };
                let (Ok(near_read), Ok(far_read)) = (near.try_clone(), far.try_clone()) else {
                    continue;
                };
                std::thread::spawn(move || pump(near_read, far));
                std::thread::spawn(move || pump(far_read, near));
            }
        });
        Ok(local)
    }
}

/// Copies one direction of a forwarded connection, then closes the writing side.
fn pump(mut from: TcpStream, mut to: TcpStream) {
    let _ = std::io::copy(&mut from, &mut to);
    let _ = to.shutdown(Shutdown::Write);
}

fn connect_loopback_in(path: String, port: u16) -> std::io::Result<TcpStream> {
    std::thread::spawn(move || {
        let file = File::open(&path)?;
        // setns moves this thread only.
        setns(&file, CloneFlags::CLONE_NEWNET)?;
        TcpStream::connect(("127.0.0.1", port))
    })
    .join()
    .map_err(|_| std::io::Error::other("the connecting thread panicked"))?
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
        // `confab-e2e-<pid>` or a child namespace `confab-e2e-<pid>-<suffix>`.
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|p| p.split('-').next())
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        let alive = crate::process::process_alive(pid);
        if !alive {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

/// `ip -n <ns> addr <op> <address>/24 dev <dev>`: adds (`op` = `add`) or deletes (`del`) an
/// address on a /24 network.
pub fn ip_addr(ns: &str, op: &str, address: &str, dev: &str) -> Result<(), String> {
    let cidr = format!("{address}/24");
    run(&["ip", "-n", ns, "addr", op, &cidr, "dev", dev])
}

/// Runs an `ip` (or other) command; an error names the command.
pub fn run(args: &[&str]) -> Result<(), String> {
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
