//! `cargo xtask dev`: build once, then `wrangler dev` on the prebuilt output.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Child;
use std::time::{Duration, Instant};

use crate::build::{build, BuildOpts, LOCAL_CONFIG};
use crate::util::{cmd, describe, step, Result};
use crate::Ctx;

const DEFAULT_PORT: u16 = 8787;
/// wrangler starts in ~2.5 s on a prebuilt worker; the first start also unpacks workerd.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

pub fn dev(ctx: &Ctx, mut args: Vec<String>) -> Result<i32> {
    let opts = BuildOpts::take_from(&mut args);
    let port = take_port(&mut args)?;
    if let Some(extra) = args.first() {
        return Err(format!("dev: unknown argument `{extra}`"));
    }
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    // Otherwise the health check below could be answered by somebody else's server.
    if TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok() {
        return Err(format!(
            "port {port} is already in use on 127.0.0.1 (another wrangler dev?); \
             stop it or pass --port N"
        ));
    }
    build(ctx, opts)?;
    // Dropped (stopped) when this function returns, after wrangler.
    let sfu = crate::local_sfu::start_unless_configured(ctx)?;

    let port_s = port.to_string();
    let mut wrangler = cmd(
        "wrangler",
        &[
            "dev",
            "-c",
            LOCAL_CONFIG,
            "--local",
            "--ip",
            "127.0.0.1",
            "--port",
            &port_s,
            "--persist-to",
            ".wrangler/state",
        ],
    );
    for (name, value) in sfu.iter().flat_map(|s| &s.vars) {
        wrangler.arg("--var").arg(format!("{name}:{value}"));
    }
    wrangler.current_dir(&ctx.root);
    // The command line is printed without the local SFU's token.
    let shown = describe(&wrangler);
    let shown = match sfu
        .as_ref()
        .and_then(|s| s.vars.iter().find(|(n, _)| n == "SFU_APP_TOKEN"))
    {
        Some((_, token)) => shown.replace(token.as_str(), "(local token)"),
        None => shown,
    };
    step(format!("starting {shown}"));
    let mut child = wrangler
        .spawn()
        .map_err(|e| format!("could not start wrangler: {e}"))?;

    // Ctrl-C reaches wrangler directly (same process group), so it shuts down with us.
    match wait_healthy(&addr, &mut child, READY_TIMEOUT) {
        Ok(()) => {
            step("wrangler is up: /api/health answers");
            println!("Open http://localhost:{port}");
        }
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for wrangler: {e}"))?;
    step(format!("wrangler exited ({status})"));
    Ok(status.code().unwrap_or(1))
}

fn take_port(args: &mut Vec<String>) -> Result<u16> {
    let Some(i) = args.iter().position(|a| a == "--port") else {
        return Ok(DEFAULT_PORT);
    };
    let value = args
        .get(i + 1)
        .ok_or("--port needs a value")?
        .parse()
        .map_err(|e| format!("--port: {e}"))?;
    args.drain(i..i + 2);
    Ok(value)
}

/// Polls `GET /api/health` until it answers 200, wrangler exits, or the deadline passes.
fn wait_healthy(addr: &SocketAddr, child: &mut Child, timeout: Duration) -> Result {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| format!("checking on wrangler: {e}"))?
        {
            return Err(format!(
                "wrangler exited before /api/health answered ({status})"
            ));
        }
        if health_ok(addr) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "http://{addr}/api/health did not answer 200 within {}s",
                timeout.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// One raw HTTP/1.1 GET; true on a 200 status line.
pub fn health_ok(addr: &SocketAddr) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let mut s = TcpStream::connect_timeout(addr, Duration::from_millis(500))?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        s.set_write_timeout(Some(Duration::from_secs(5)))?;
        // One write: `write!` on a bare socket sends each formatted piece separately, and a
        // server that answers after the first piece and closes makes the next write fail.
        let request = format!(
            "GET /api/health HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
            addr.port()
        );
        s.write_all(request.as_bytes())?;
        let mut head = [0u8; 64];
        let mut n = 0;
        while n < head.len() {
            match s.read(&mut head[n..])? {
                0 => break,
                k => n += k,
            }
            if head[..n].contains(&b'\n') {
                break;
            }
        }
        Ok(is_200(&head[..n]))
    };
    attempt().unwrap_or(false)
}

fn is_200(head: &[u8]) -> bool {
    let line = String::from_utf8_lossy(head);
    let mut parts = line.split_whitespace();
    matches!(
        (parts.next(), parts.next()),
        (Some(v), Some("200")) if v.starts_with("HTTP/")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn status_line() {
        assert!(is_200(b"HTTP/1.1 200 OK\r\n"));
        assert!(!is_200(b"HTTP/1.1 404 Not Found\r\n"));
        assert!(!is_200(b"HTTP/1.1 2000\r\n"));
        assert!(!is_200(b""));
    }

    #[test]
    fn health_check_against_a_local_server() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            // The whole request head, however the bytes arrive.
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.ends_with(b"\r\n\r\n") {
                let n = s.read(&mut buf).unwrap();
                assert!(n > 0, "the request ended early: {request:?}");
                request.extend_from_slice(&buf[..n]);
            }
            assert!(request.starts_with(b"GET /api/health HTTP/1.1\r\n"));
            s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                .unwrap();
        });
        assert!(health_ok(&addr));
        server.join().unwrap();
    }

    #[test]
    fn port_flag() {
        let mut args = vec!["--port".to_string(), "9000".into()];
        assert_eq!(take_port(&mut args).unwrap(), 9000);
        assert!(args.is_empty());
        assert_eq!(take_port(&mut vec![]).unwrap(), DEFAULT_PORT);
        assert!(take_port(&mut vec!["--port".into()]).is_err());
    }
}
