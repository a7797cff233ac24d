//! A real coturn (Debian's `coturn`, `/usr/bin/turnserver`) for tests, in shared-secret mode
//! ("TURN REST API": `use-auth-secret`), and its own independent client `turnutils_uclient`.
//!
//! [`Coturn::start`] writes a config file (the secret stays out of the command line) into a
//! scratch directory, starts turnserver on a free loopback port in its own process group with a
//! watchdog (like `wrangler dev`, see [`crate::process`]), and waits until it answers a STUN
//! Binding request on that port. Dropping it stops the group. [`Coturn::allocate`] runs
//! `turnutils_uclient` with a username and credential: two clients allocate relays and send
//! each other a few packets through them, which works only if coturn accepted the credential.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::net::{TcpListener, UdpSocket};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::lab_cert::TlsCert;
use crate::process::{spawn_watchdog, stop_group};

pub const TURNSERVER: &str = "/usr/bin/turnserver";
pub const UCLIENT: &str = "/usr/bin/turnutils_uclient";
/// The realm coturn runs with.
pub const REALM: &str = "confab.test";
/// How long one `turnutils_uclient` run may take (a good one takes about 4 s).
const UCLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// A running turnserver; stopped (whole process group) on drop.
pub struct Coturn {
    port: u16,
    /// TURN over TLS, when started with a certificate ([`Coturn::start_as_deployed_on`]).
    tls_port: Option<u16>,
    /// The addresses it listens on; the first is also where it relays from.
    listen: Vec<String>,
    secret: String,
    log_path: PathBuf,
    child: Child,
    watchdog: Option<(Child, ChildStdin)>,
}

impl fmt::Debug for Coturn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coturn")
            .field("port", &self.port)
            .field("log_path", &self.log_path)
            .finish_non_exhaustive()
    }
}

/// What `turnutils_uclient` made of a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allocation {
    /// Relays allocated and packets went through them.
    Relayed,
    /// The allocation failed; coturn's log line about this username, if it wrote one.
    Refused { server_said: Option<String> },
}

/// Whom the relay may send to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Peers {
    /// Anyone, loopback included: the tests' browsers and clients are on loopback.
    Loopback,
    /// As README tells deployers: `deploy/coturn-peers.conf` (no private, loopback,
    /// link-local or multicast peers).
    AsDeployed,
}

/// What a relay to one peer address came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerRelay {
    /// A packet went out of the relay towards the peer.
    Sent,
    /// coturn refused the peer: `403 (Forbidden IP)`.
    Forbidden,
}

impl Coturn {
    /// Starts turnserver on 127.0.0.1 with a fresh random secret; files go in `dir` (created,
    /// emptied).
    pub fn start(dir: &Path) -> Result<Coturn, String> {
        Self::start_on(dir, &["127.0.0.1"])
    }

    /// Like [`Coturn::start`], with the peer restrictions README gives deployers
    /// (`deploy/coturn-peers.conf`) instead of allowing loopback peers.
    pub fn start_as_deployed(dir: &Path) -> Result<Coturn, String> {
        Self::start_with(dir, &["127.0.0.1"], Peers::AsDeployed, None)
    }

    /// Like [`Coturn::start`], listening on each of `listen` (addresses this namespace owns)
    /// and relaying from the first.
    pub fn start_on(dir: &Path, listen: &[&str]) -> Result<Coturn, String> {
        Self::start_with(dir, listen, Peers::Loopback, None)
    }

    /// Like [`Coturn::start_on`], configured as README tells deployers to: their peer
    /// restrictions, and TURN over TLS with `cert` (see [`Coturn::tls_url`]).
    pub fn start_as_deployed_on(
        dir: &Path,
        listen: &[&str],
        cert: &TlsCert,
    ) -> Result<Coturn, String> {
        Self::start_with(dir, listen, Peers::AsDeployed, Some(cert))
    }

    fn start_with(
        dir: &Path,
        listen: &[&str],
        peers: Peers,
        tls: Option<&TlsCert>,
    ) -> Result<Coturn, String> {
        let peers = match peers {
            Peers::Loopback => "allow-loopback-peers\n".to_owned(),
            Peers::AsDeployed => {
                let path = crate::wrangler::repo_root().join("deploy/coturn-peers.conf");
                fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?
            }
        };
        let listen: Vec<String> = listen.iter().map(|a| a.to_string()).collect();
        if listen.is_empty() {
            return Err("coturn needs an address to listen on".into());
        }
        for path in [TURNSERVER, UCLIENT] {
            if !Path::new(path).exists() {
                return Err(format!(
                    "{path} is missing: `apt-get install -y coturn` (cargo xtask test does it)"
                ));
            }
        }
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| format!("no randomness: {e}"))?;
        let secret = URL_SAFE_NO_PAD.encode(secret);
        // A port picked free can be taken before turnserver binds it: try a few.
        let mut last = String::new();
        for attempt in 0..3 {
            match Self::launch(dir, &secret, &listen, &peers, tls, attempt) {
                Ok(coturn) => return Ok(coturn),
                Err(error) => last = error,
            }
        }
        Err(last)
    }

    fn launch(
        dir: &Path,
        secret: &str,
        listen: &[String],
        peers: &str,
        tls: Option<&TlsCert>,
        attempt: usize,
    ) -> Result<Coturn, String> {
        let port = free_udp_and_tcp_port().map_err(|e| format!("no free port: {e}"))?;
        let (tls_port, tls_lines) = match tls {
            Some(cert) => {
                let tls_port = free_udp_and_tcp_port().map_err(|e| format!("no free port: {e}"))?;
                let lines = format!(
                    "tls-listening-port={tls_port}\ncert={}\npkey={}\n",
                    cert.cert.display(),
                    cert.key.display()
                );
                (Some(tls_port), lines)
            }
            None => (None, "no-tls\n".to_owned()),
        };
        let config = dir.join(format!("turnserver-{attempt}.conf"));
        let log_path = dir.join("turnserver.log");
        let listening: String = listen
            .iter()
            .map(|ip| format!("listening-ip={ip}\n"))
            .collect();
        fs::write(
            &config,
            format!(
                "{listening}\
                 relay-ip={relay}\n\
                 listening-port={port}\n\
                 use-auth-secret\n\
                 static-auth-secret={secret}\n\
                 realm={REALM}\n\
                 fingerprint\n\
                 {tls_lines}\
                 no-dtls\n\
                 no-cli\n\
                 {peers}\n\
                 userdb={userdb}\n\
                 pidfile={pidfile}\n\
                 log-file=stdout\n\
                 simple-log\n",
                userdb = dir.join("turndb").display(),
                pidfile = dir.join("turnserver.pid").display(),
                relay = listen[0],
            ),
        )
        .map_err(|e| format!("{}: {e}", config.display()))?;
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| format!("{}: {e}", log_path.display()))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let child = Command::new(TURNSERVER)
            .arg("-c")
            .arg(&config)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot run {TURNSERVER}: {e}"))?;
        let watchdog = spawn_watchdog(child.id() as i32);
        let mut coturn = Coturn {
            port,
            tls_port,
            listen: listen.to_vec(),
            secret: secret.to_owned(),
            log_path,
            child,
            watchdog,
        };
        coturn.wait_ready(Duration::from_secs(15))?;
        Ok(coturn)
    }

    /// Until a STUN Binding request on the port gets its answer.
    fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let socket = UdpSocket::bind("0.0.0.0:0").map_err(|e| e.to_string())?;
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .map_err(|e| e.to_string())?;
        let mut request = [0u8; 20];
        request[..2].copy_from_slice(&0x0001u16.to_be_bytes()); // Binding request
        request[4..8].copy_from_slice(&0x2112_A442u32.to_be_bytes()); // magic cookie
        getrandom::fill(&mut request[8..]).map_err(|e| e.to_string())?;
        let mut answer = [0u8; 512];
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "turnserver exited at start ({status}); see {}",
                    self.log_path.display()
                ));
            }
            let _ = socket.send_to(&request, (self.listen[0].as_str(), self.port));
            // The read timeout paces the probes.
            if let Ok((n, _)) = socket.recv_from(&mut answer) {
                if n >= 20 && answer[..2] == [0x01, 0x01] && answer[8..20] == request[8..] {
                    return Ok(());
                }
            }
        }
        Err(format!(
            "turnserver did not answer STUN on {}:{} within {timeout:?}; see {}",
            self.listen[0],
            self.port,
            self.log_path.display()
        ))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The `static-auth-secret` (what the worker gets as `TURN_SECRET`).
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The URL browsers (and the worker's `TURN_URLS`) use: its first address.
    pub fn url(&self) -> String {
        format!("turn:{}:{}?transport=udp", self.listen[0], self.port)
    }

    /// TURN over TCP to the same server (its first address).
    pub fn tcp_url(&self) -> String {
        format!("turn:{}:{}?transport=tcp", self.listen[0], self.port)
    }

    /// TURN over TLS, when started with a certificate: `turns:` to its first address.
    pub fn tls_url(&self) -> Option<String> {
        let port = self.tls_port?;
        Some(format!("turns:{}:{port}?transport=tcp", self.listen[0]))
    }

    /// The worker variables that point it at this server: `TURN_URLS` and `TURN_SECRET`.
    pub fn worker_vars(&self) -> Vec<(String, String)> {
        vec![
            ("TURN_URLS".into(), self.url()),
            ("TURN_SECRET".into(), self.secret().to_owned()),
        ]
    }

    /// A STUN URL for the same server (coturn answers Binding requests).
    pub fn stun_url(&self) -> String {
        format!("stun:{}:{}", self.listen[0], self.port)
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// A credential for `username` made with this server's secret, as the worker makes them:
    /// base64(HMAC-SHA1(secret, username)).
    pub fn credential_for(&self, username: &str) -> String {
        credential(&self.secret, username)
    }

    /// Runs `turnutils_uclient` with this username and credential against the server.
    pub fn allocate(&self, username: &str, credential: &str) -> Result<Allocation, String> {
        let mut child = Command::new(UCLIENT)
            .args(["-u", username, "-w", credential])
            .args(["-p", &self.port.to_string()])
            // Two clients relaying to each other (-y), no RTCP pair (-c), one message each.
            .args(["-y", "-c", "-n", "1", "-m", "1", &self.listen[0]])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {UCLIENT}: {e}"))?;
        let deadline = Instant::now() + UCLIENT_TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{UCLIENT} did not finish within {UCLIENT_TIMEOUT:?}"
                ));
            }
            // Poll interval of a deadline-bounded wait for the client to exit.
            std::thread::sleep(Duration::from_millis(25));
        };
        let output = child.wait_with_output().map_err(|e| e.to_string())?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if status.success() {
            // "start_mclient: tot_send_msgs=2, tot_recv_msgs=2": packets came back through
            // the relays.
            let received = text
                .lines()
                .filter_map(|l| l.split("tot_recv_msgs=").nth(1))
                .filter_map(|n| n.trim().parse::<u64>().ok())
                .max()
                .unwrap_or(0);
            if received > 0 {
                return Ok(Allocation::Relayed);
            }
            return Err(format!("{UCLIENT} succeeded but relayed nothing:\n{text}"));
        }
        if !text.contains("Cannot complete Allocation") {
            return Err(format!(
                "{UCLIENT} failed ({status}) for another reason:\n{text}"
            ));
        }
        Ok(Allocation::Refused {
            server_said: self.log_line_about(username),
        })
    }

    /// Relays one packet from a fresh allocation to `peer` (an IPv4 address, port 3480) with
    /// `turnutils_uclient`: whether coturn let it out. A relay that is let out waits for an
    /// answer that never comes; it counts as sent once the packet went (within 10 s).
    pub fn relay_to(&self, peer: &str) -> Result<PeerRelay, String> {
        const WAIT: Duration = Duration::from_secs(10);
        let expiry = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs()
            + 600;
        let username = format!("{expiry}:probe");
        let log = self.log_path.with_file_name(format!("uclient-{peer}.log"));
        let out = fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let mut child = Command::new(UCLIENT)
            .args(["-u", &username, "-w", &self.credential_for(&username)])
            .args(["-p", &self.port.to_string(), "-e", peer, "-r", "3480"])
            .args(["-n", "1", "-m", "1", "-c", &self.listen[0]])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot run {UCLIENT}: {e}"))?;
        let deadline = Instant::now() + WAIT;
        let text = loop {
            let text = fs::read_to_string(&log).unwrap_or_default();
            let exited = child.try_wait().map_err(|e| e.to_string())?.is_some();
            if exited || text.contains("tot_send_msgs=1") || Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                break fs::read_to_string(&log).unwrap_or_default();
            }
            // Poll interval of a deadline-bounded wait for the client's verdict.
            std::thread::sleep(Duration::from_millis(25));
        };
        if text.contains("403 (Forbidden IP)") {
            Ok(PeerRelay::Forbidden)
        } else if text.contains("tot_send_msgs=1") {
            Ok(PeerRelay::Sent)
        } else {
            Err(format!(
                "{UCLIENT} to {peer}: neither sent nor refused:\n{text}"
            ))
        }
    }

    /// The last line of coturn's log that names `username`, once it is written (the log is
    /// a file coturn writes on its own schedule: waited for up to two seconds).
    fn log_line_about(&self, username: &str) -> Option<String> {
        let needle = format!("<{username}>");
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let log = fs::read_to_string(&self.log_path).unwrap_or_default();
            if let Some(line) = log.lines().rev().find(|l| l.contains(&needle)) {
                return Some(line.to_owned());
            }
            if Instant::now() >= deadline {
                return None;
            }
            // Poll interval of a deadline-bounded wait for a log line.
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        stop_group(
            &mut self.child,
            self.watchdog.take(),
            Duration::from_secs(3),
        );
    }
}

/// base64(HMAC-SHA1(secret, username)): coturn's TURN REST API password.
pub fn credential(secret: &str, username: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(username.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// A loopback port free for both UDP and TCP (coturn listens on both).
fn free_udp_and_tcp_port() -> std::io::Result<u16> {
    let mut last = None;
    for _ in 0..20 {
        let udp = UdpSocket::bind("127.0.0.1:0")?;
        let port = udp.local_addr()?.port();
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(_) => return Ok(port),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port free for UDP and TCP")))
}
