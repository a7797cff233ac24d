//! A lab with real address translation: each person sits behind a home router that
//! masquerades (nftables), on a small internet where the worker and coturn (which answers STUN
//! too) live:
//!
//! ```text
//! A 198.18.1.2 ─ router 198.18.1.1 | 198.51.100.2 ─ internet 198.51.100.1
//!                                                           203.0.113.1 ─ 203.0.113.2 | 198.18.2.1 router ─ B 198.18.2.2
//! ```
//!
//! The internet namespace (where the test process, the worker and coturn live) forwards between
//! its links, so the two routers' public addresses reach each other; the people's own
//! addresses are private to their homes. Each router's translation ([`Nat`]) and firewall
//! ([`Firewall`]) are set per trial by replacing its nftables ruleset. coturn, with the peer
//! rules README gives deployers, offers TURN over UDP, TCP and TLS (with a self-signed
//! certificate the browsers are told to trust), as Cloudflare's does; one worker gives pages
//! ICE policy `all`, another `relay`. The homes use 198.18.0.0/15 (RFC 2544's range for lab
//! networks), the public links TEST-NET ranges; all of it exists only inside this run's
//! namespaces.

use std::path::{Path, PathBuf};

use crate::browser::ChromeDriver;
use crate::coturn::Coturn;
use crate::lab_cert::TlsCert;
use crate::netns::{run, Netns};
use crate::stage::enter_namespace;
use crate::wrangler::{Options, Wrangler};

pub const NFT: &str = "/usr/sbin/nft";

/// How a home router translates its people's addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nat {
    /// `masquerade`: a socket keeps its port wherever it can, so it has one public address
    /// for every destination (endpoint-independent mapping), and answers come in only from
    /// where it sent to (conntrack: address- and port-dependent filtering). A
    /// port-restricted cone: the STUN-learnt (srflx) address works once both sides send.
    Cone,
    /// `masquerade fully-random`: a new public port for each destination, so the address a
    /// STUN server saw is useless to anyone else. Two such homes meet only through TURN.
    Symmetric,
}

/// What a home router's firewall lets out besides the web.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Firewall {
    /// Everything out (and its answers back in).
    Open,
    /// No UDP at all: TURN must go over TCP.
    NoUdp,
    /// No UDP, and no TCP to TURN's plain port: only TURN over TLS gets out.
    TlsOnly,
}

/// The ICE transport policy a lab worker gives its pages (`ICE_TRANSPORT_POLICY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Every kind of candidate: what deployments use.
    All,
    /// Relay candidates only (a deployment may choose it so that nobody's address is seen).
    Relay,
}

/// One home: a person's namespace behind a router namespace, with a chromedriver for the
/// person's browsers. Fields drop in order: the driver, then the namespaces.
pub struct Home {
    pub driver: ChromeDriver,
    pub label: &'static str,
    /// The person's own (private) address.
    pub address: &'static str,
    /// The router's address on the internet: what everyone else sees of this home.
    pub public: &'static str,
    /// The internet's address on this home's link: where its browsers load the app.
    pub upstream: &'static str,
    /// Held for its `Drop`: the namespace goes with the lab.
    _person: Netns,
    router: Netns,
}

/// A gateway on the namespace's dead-end link (`edge0`, see `netns`) that takes whatever it is
/// sent and passes nothing on.
const VOID: &str = "192.0.2.2";

struct Addresses {
    label: &'static str,
    address: &'static str,
    gateway: &'static str,
    public: &'static str,
    upstream: &'static str,
}

const HOME_A: Addresses = Addresses {
    label: "a",
    address: "198.18.1.2",
    gateway: "198.18.1.1",
    public: "198.51.100.2",
    upstream: "198.51.100.1",
};
const HOME_B: Addresses = Addresses {
    label: "b",
    address: "198.18.2.2",
    gateway: "198.18.2.1",
    public: "203.0.113.2",
    upstream: "203.0.113.1",
};

/// `ip -n <ns> …` (or plain `ip …` in this process's namespace when `ns` is empty).
fn ip(ns: &str, args: &[&str]) -> Result<(), String> {
    let mut all = vec!["ip"];
    if !ns.is_empty() {
        all.extend(["-n", ns]);
    }
    all.extend(args);
    run(&all)
}

impl Home {
    /// The namespaces and links of one home; the internet's end of its uplink stays in this
    /// process's namespace.
    fn build(internet: &Netns, at: &Addresses) -> Result<(Netns, Netns), String> {
        let router = internet.child(&format!("{}-router", at.label))?;
        let person = internet.child(at.label)?;
        let (r, p) = (router.name(), person.name());
        let uplink = format!("up-{}", at.label);
        ip(
            "",
            &[
                "link", "add", &uplink, "type", "veth", "peer", "name", "wan", "netns", r,
            ],
        )?;
        ip(
            "",
            &[
                "addr",
                "add",
                &format!("{}/24", at.upstream),
                "dev",
                &uplink,
            ],
        )?;
        ip("", &["link", "set", &uplink, "up"])?;
        ip(
            r,
            &["addr", "add", &format!("{}/24", at.public), "dev", "wan"],
        )?;
        ip(r, &["link", "set", "wan", "up"])?;
        ip(r, &["route", "add", "default", "via", at.upstream])?;
        ip(
            r,
            &[
                "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", p,
            ],
        )?;
        ip(
            r,
            &["addr", "add", &format!("{}/24", at.gateway), "dev", "lan"],
        )?;
        ip(r, &["link", "set", "lan", "up"])?;
        ip(
            p,
            &["addr", "add", &format!("{}/24", at.address), "dev", "eth0"],
        )?;
        ip(p, &["link", "set", "eth0", "up"])?;
        ip(p, &["route", "add", "default", "via", at.gateway])?;
        run(&[
            "ip",
            "netns",
            "exec",
            r,
            "sh",
            "-c",
            "echo 1 > /proc/sys/net/ipv4/ip_forward",
        ])?;
        Ok((router, person))
    }

    /// The app's URL as this home's browsers reach it, for a worker on `port`.
    pub fn origin(&self, port: u16) -> String {
        format!("http://{}:{port}", self.upstream)
    }

    /// A new headless Chromium in this home with a fake camera and microphone.
    pub async fn browser(&self, scratch: &Path, name: &str) -> Result<fantoccini::Client, String> {
        let dir = self
            .driver
            .profile_dir(scratch, &format!("{}-{name}", self.label));
        self.driver.browser(&dir, true).await
    }

    /// Replaces the router's ruleset: `nat` on the way out, `firewall` on what may leave
    /// (`turn_port` is TURN's plain port, closed by [`Firewall::TlsOnly`]). Unasked traffic
    /// from outside is dropped, as home routers do.
    pub fn configure(
        &self,
        scratch: &Path,
        nat: Nat,
        firewall: Firewall,
        turn_port: u16,
    ) -> Result<(), String> {
        let blocked = match firewall {
            Firewall::Open => String::new(),
            Firewall::NoUdp => "iifname \"lan\" meta l4proto udp drop\n".into(),
            Firewall::TlsOnly => format!(
                "iifname \"lan\" meta l4proto udp drop\n\
                 iifname \"lan\" tcp dport {turn_port} drop\n"
            ),
        };
        let random = match nat {
            Nat::Cone => "",
            Nat::Symmetric => " fully-random",
        };
        let ruleset = format!(
            "flush ruleset\n\
             table ip home {{\n\
             chain postrouting {{\n\
             type nat hook postrouting priority srcnat; policy accept;\n\
             oifname \"wan\" masquerade{random}\n\
             }}\n\
             chain forward {{\n\
             type filter hook forward priority filter; policy drop;\n\
             ct state established,related accept\n\
             {blocked}\
             iifname \"lan\" oifname \"wan\" accept\n\
             }}\n\
             chain input {{\n\
             type filter hook input priority filter; policy drop;\n\
             ct state established,related accept\n\
             iifname {{ \"lo\", \"lan\" }} accept\n\
             }}\n\
             }}\n"
        );
        let file = scratch.join(format!("router-{}.nft", self.label));
        std::fs::write(&file, ruleset).map_err(|e| format!("{}: {e}", file.display()))?;
        let file = file
            .to_str()
            .ok_or_else(|| format!("not UTF-8: {}", file.display()))?;
        run(&["ip", "netns", "exec", self.router.name(), NFT, "-f", file])
            .map_err(|e| format!("{e} (is nftables installed?)"))
    }
}

/// The internet namespace with two workers ([`Policy`]) and coturn (plain, TCP and TLS), and
/// two homes. Fields drop in declaration order: homes (drivers, namespaces), the workers, coturn, the
/// runtime, and the internet namespace last.
pub struct NatLab {
    pub a: Home,
    pub b: Home,
    /// Policy `all`, then `relay`.
    workers: [Wrangler; 2],
    pub coturn: Coturn,
    pub runtime: tokio::runtime::Runtime,
    /// Logs, screenshots and browser profiles: `target/confab-tests/<label>`.
    pub scratch: PathBuf,
    _internet: Netns,
}

impl NatLab {
    /// Builds the lab; call from `main` before any other thread exists (this thread moves into
    /// the internet namespace, and everything started afterwards inherits it).
    pub fn enter(label: &str) -> Result<NatLab, String> {
        if !Path::new(NFT).exists() {
            return Err(format!(
                "{NFT} is missing: `apt-get install -y nftables` (cargo xtask test does it)"
            ));
        }
        let (internet, runtime, scratch) = enter_namespace(label, "internet")?;
        std::fs::write("/proc/sys/net/ipv4/ip_forward", "1")
            .map_err(|e| format!("cannot turn forwarding on in the internet: {e}"))?;
        // Private addresses are not routed on the internet: packets to them vanish without a
        // word, sent to a gateway on the namespace's dead-end link whose hardware address no
        // one has. Not a blackhole route: that fails the sender's `sendto` with EINVAL, and
        // coturn closes a relay's socket on any send error, so a relay that once tried a peer's
        // private candidate went dead for everyone (media stopped after a few frames).
        ip(
            "",
            &[
                "neigh",
                "add",
                VOID,
                "lladdr",
                "02:00:00:00:00:00",
                "dev",
                "edge0",
                "nud",
                "permanent",
            ],
        )?;
        ip(
            "",
            &["route", "add", "198.18.0.0/15", "via", VOID, "dev", "edge0"],
        )?;
        let (a_router, a_person) = Home::build(&internet, &HOME_A)?;
        let (b_router, b_person) = Home::build(&internet, &HOME_B)?;

        let servers = [HOME_A.upstream, HOME_B.upstream];
        let cert = TlsCert::make(&scratch.join("tls"), &servers)?;
        let coturn = Coturn::start_as_deployed_on(&scratch.join("coturn"), &servers, &cert)?;
        let tls_url = coturn.tls_url().ok_or("coturn has no TLS port")?;
        let pick = || Wrangler::pick_port().map_err(|e| format!("no free port: {e}"));
        let ports = [pick()?, pick()?];
        let origins: Vec<String> = ports
            .iter()
            .flat_map(|port| servers.map(|s| format!("http://{s}:{port}")))
            .collect();
        let options = |policy: Policy, port: u16| {
            let mut vars = vec![
                ("STUN_URLS".into(), coturn.stun_url()),
                (
                    "TURN_URLS".into(),
                    [coturn.url(), coturn.tcp_url(), tls_url.clone()].join(","),
                ),
                ("TURN_SECRET".into(), coturn.secret().to_owned()),
            ];
            if policy == Policy::Relay {
                vars.push(("ICE_TRANSPORT_POLICY".into(), "relay".into()));
            }
            Options {
                port: Some(port),
                listen_ip: Some("0.0.0.0".into()),
                allowed_origins: servers.map(|s| format!("http://{s}:{port}")).to_vec(),
                vars,
                ..Options::default()
            }
        };
        // Side by side: each takes seconds, mostly waiting.
        let (all, relay) = std::thread::scope(|scope| {
            let all = scope.spawn(|| Wrangler::try_start(options(Policy::All, ports[0])));
            let relay = scope.spawn(|| Wrangler::try_start(options(Policy::Relay, ports[1])));
            (all.join(), relay.join())
        });
        let started = |w: std::thread::Result<Result<Wrangler, _>>, what: &str| {
            w.map_err(|_| format!("{what} worker: start panicked"))?
                .map_err(|e| format!("{what} worker: {e}"))
        };
        let workers = [started(all, "policy all")?, started(relay, "relay-only")?];

        // Plain http on a non-loopback address is no secure context unless the browser is
        // told to treat these origins as one; and coturn's certificate is self-signed.
        let switches = vec![
            format!(
                "--unsafely-treat-insecure-origin-as-secure={}",
                origins.join(",")
            ),
            cert.chromium_trust(),
        ];
        let home = |at: &Addresses, router: Netns, person: Netns| -> Result<Home, String> {
            Ok(Home {
                driver: ChromeDriver::start_in(&person, &scratch, switches.clone())?,
                label: at.label,
                address: at.address,
                public: at.public,
                upstream: at.upstream,
                _person: person,
                router,
            })
        };
        let a = home(&HOME_A, a_router, a_person)?;
        let b = home(&HOME_B, b_router, b_person)?;
        Ok(NatLab {
            a,
            b,
            workers,
            coturn,
            runtime,
            scratch,
            _internet: internet,
        })
    }

    /// The worker whose pages use ICE transport policy `policy`.
    pub fn worker(&self, policy: Policy) -> &Wrangler {
        match policy {
            Policy::All => &self.workers[0],
            Policy::Relay => &self.workers[1],
        }
    }

    /// Sets both routers: `a` and `b` are (translation, firewall) of each.
    pub fn configure(&self, a: (Nat, Firewall), b: (Nat, Firewall)) -> Result<(), String> {
        let port = self.coturn.port();
        self.a.configure(&self.scratch, a.0, a.1, port)?;
        self.b.configure(&self.scratch, b.0, b.1, port)
    }
}

impl crate::suite::Runs for NatLab {
    fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
    fn worker_logs(&self) -> Vec<PathBuf> {
        self.workers
            .iter()
            .map(|w| w.log_path().to_path_buf())
            .collect()
    }
}
