//! Child process groups that never outlive the test process.

use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};

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

pub fn signal_group(pgid: i32, signal: i32) {
    if pgid > 1 {
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

pub fn group_alive(pgid: i32) -> bool {
    // SAFETY: signal 0 only checks whether the group exists.
    pgid > 1 && unsafe { libc::kill(-pgid, 0) } == 0
}
