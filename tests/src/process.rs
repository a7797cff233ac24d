//! Child process groups that never outlive the test process.

use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

/// Stops a child that leads its own process group, and its watchdog: SIGTERM to the group, up
/// to `grace` for the leader to exit and the group to empty, then SIGKILL.
pub fn stop_group(child: &mut Child, watchdog: Option<(Child, ChildStdin)>, grace: Duration) {
    // The watchdog goes first so that it can never signal a process group id reused later.
    if let Some((mut watchdog, stdin)) = watchdog {
        let _ = watchdog.kill();
        let _ = watchdog.wait();
        drop(stdin);
    }
    let pgid = child.id() as i32;
    signal_group(pgid, Signal::SIGTERM);
    let deadline = Instant::now() + grace;
    let mut exited = false;
    while Instant::now() < deadline {
        if !exited {
            exited = matches!(child.try_wait(), Ok(Some(_)));
        }
        // Done when the leader is reaped and nothing else is left in the group.
        if exited && !group_alive(pgid) {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    signal_group(pgid, Signal::SIGKILL);
    let _ = child.wait();
}

/// A shell in its own process group that waits for its stdin to close (this process has
/// exited, however it exited) and then stops wrangler's group. It ignores terminal signals
/// so that Ctrl-C on the test run cannot take it down before it has done its job.
pub fn spawn_watchdog(pgid: i32) -> Option<(Child, ChildStdin)> {
    let script = format!(
        "trap '' INT TERM HUP; read _ignored; kill -TERM -{pgid} 2>/dev/null; sleep 5; kill -KILL -{pgid} 2>/dev/null"
    );
    let mut child = Command::new("/bin/sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .ok()?;
    let stdin = child.stdin.take()?;
    Some((child, stdin))
}

pub fn signal_group(pgid: i32, signal: Signal) {
    if pgid > 1 {
        let _ = killpg(Pid::from_raw(pgid), signal);
    }
}

/// Whether any process is left in the group (signal 0 only checks).
pub fn group_alive(pgid: i32) -> bool {
    pgid > 1 && killpg(Pid::from_raw(pgid), None).is_ok()
}

/// Whether a process with this id exists (signal 0 only checks).
pub fn process_alive(pid: i32) -> bool {
    pid > 1 && kill(Pid::from_raw(pid), None).is_ok()
}
