//! A small internet in network namespaces, for NAT traversal tests: two sides that can reach a
//! router but not each other:
//!
//! ```text
//! side A 198.51.100.2/24 ── veth ── router R 198.51.100.1 | 203.0.113.1 ── veth ── side B 203.0.113.2/24
//! ```
//!
//! R does not forward (`ip_forward=0`): A and B reach R's addresses, where the worker and coturn
//! listen, but never each other — like two people behind NATs that allow no direct path. The
//! test process lives in R. Each side runs its own chromedriver, so its browsers see only that
//! side's interface; the test reaches the driver through a forwarder that never crosses the
//! side's link ([`Netns::forward_loopback`]), so a test can cut a link and keep driving both
//! browsers. Only documentation address ranges are used.

use std::path::PathBuf;

use crate::browser::ChromeDriver;
use crate::coturn::Coturn;
use crate::local_sfu::LocalSfu;
use crate::netns::{ip_addr, run, Netns};
use crate::stage::enter_namespace;
use crate::wrangler::{Options, Wrangler};

mod paths;
pub use paths::{connected_path, paths, the_one_tile, SelectedPath, MEDIA_TIMEOUT};

/// One side of the lab: a namespace with one link to the router, and a chromedriver in it.
pub struct Side {
    pub driver: ChromeDriver,
    /// `a` or `b`.
    pub label: &'static str,
    /// This side's address.
    pub address: &'static str,
    /// The router's address on this side's link: where this side's browsers load the app.
    pub gateway: &'static str,
    /// The side's end of the link (inside its namespace).
    link: &'static str,
    netns: Netns,
}

impl Side {
    fn create(
        router: &Netns,
        label: &'static str,
        address: &'static str,
        gateway: &'static str,
    ) -> Result<(Netns, &'static str), String> {
        let netns = router.child(label)?;
        let (link, router_link) = match label {
            "a" => ("a0", "ra"),
            _ => ("b0", "rb"),
        };
        // Created from R (this process's namespace): the router's end stays here.
        run(&[
            "ip",
            "link",
            "add",
            router_link,
            "type",
            "veth",
            "peer",
            "name",
            link,
            "netns",
            netns.name(),
        ])?;
        run(&[
            "ip",
            "addr",
            "add",
            &format!("{gateway}/24"),
            "dev",
            router_link,
        ])?;
        run(&["ip", "link", "set", router_link, "up"])?;
        let ns = netns.name();
        ip_addr(ns, "add", address, link)?;
        run(&["ip", "-n", ns, "link", "set", link, "up"])?;
        run(&["ip", "-n", ns, "route", "add", "default", "via", gateway])?;
        Ok((netns, link))
    }

    /// A new headless Chromium on this side with a fake camera and microphone.
    pub async fn browser(
        &self,
        scratch: &std::path::Path,
        name: &str,
    ) -> Result<fantoccini::Client, String> {
        let dir = self
            .driver
            .profile_dir(scratch, &format!("{}-{name}", self.label));
        self.driver.browser(&dir, true).await
    }

    /// The app's URL as this side's browsers reach it, for a worker on `port`.
    pub fn origin(&self, port: u16) -> String {
        format!("http://{}:{port}", self.gateway)
    }

    /// Takes this side's link down, as when a laptop loses its network: the side's routes go
    /// with it.
    pub fn cut(&self) -> Result<(), String> {
        run(&[
            "ip",
            "-n",
            self.netns.name(),
            "link",
            "set",
            self.link,
            "down",
        ])
    }

    /// While the link is cut: gives this side another address on its network (as when moving
    /// to another Wi-Fi), so everything bound to the old one is dead.
    pub fn readdress(&self, from: &str, to: &str) -> Result<(), String> {
        let ns = self.netns.name();
        ip_addr(ns, "del", from, self.link)?;
        ip_addr(ns, "add", to, self.link)
    }

    /// Makes this side's uplink poor: at most `kbit` kbit/s with a queue of `queue_ms`, what
    /// does not fit is dropped (a token bucket, `tc tbf`; this kernel has no `netem`).
    pub fn throttle(&self, kbit: u32, queue_ms: u32) -> Result<(), String> {
        run(&[
            "tc",
            "-n",
            self.netns.name(),
            "qdisc",
            "replace",
            "dev",
            self.link,
            "root",
            "tbf",
            "rate",
            &format!("{kbit}kbit"),
            "burst",
            "4kb",
            "latency",
            &format!("{queue_ms}ms"),
        ])
    }

    /// Takes the limit of [`Side::throttle`] off again.
    pub fn unthrottle(&self) -> Result<(), String> {
        run(&[
            "tc",
            "-n",
            self.netns.name(),
            "qdisc",
            "del",
            "dev",
            self.link,
            "root",
        ])
    }

    /// Brings the link back and its default route with it (as DHCP would).
    pub fn restore(&self) -> Result<(), String> {
        let ns = self.netns.name();
        run(&["ip", "-n", ns, "link", "set", self.link, "up"])?;
        run(&[
            "ip",
            "-n",
            ns,
            "route",
            "replace",
            "default",
            "via",
            self.gateway,
        ])
    }
}

/// Which TURN set-up a lab worker has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// coturn's URL and secret: relay candidates when needed.
    On,
    /// coturn, and `ICE_TRANSPORT_POLICY=relay`: relay only.
    RelayOnly,
    /// No TURN at all (STUN from coturn's address only).
    Off,
    /// coturn's URL with another secret: coturn refuses every credential (401).
    WrongSecret,
    /// A TURN URL where no server listens.
    Unreachable,
    /// Relay only, with credentials that live the shortest time the worker allows (60 s).
    ShortLived,
    /// Relay only, and every room on the lab's SFU (`MEDIA_MODE=sfu`).
    SfuRelayOnly,
}

impl Turn {
    pub const ALL: [Turn; 7] = [
        Turn::On,
        Turn::RelayOnly,
        Turn::Off,
        Turn::WrongSecret,
        Turn::Unreachable,
        Turn::ShortLived,
        Turn::SfuRelayOnly,
    ];

    /// The worker's TURN variables for this set-up.
    fn vars(self, coturn: &Coturn, sfu: &LocalSfu, closed_port: u16) -> Vec<(String, String)> {
        let mut vars = vec![("STUN_URLS".to_owned(), coturn.stun_url())];
        let mut turn = |url: String, secret: &str| {
            vars.push(("TURN_URLS".into(), url));
            vars.push(("TURN_SECRET".into(), secret.into()));
        };
        match self {
            Turn::On => turn(coturn.url(), coturn.secret()),
            Turn::RelayOnly => {
                turn(coturn.url(), coturn.secret());
                vars.push(("ICE_TRANSPORT_POLICY".into(), "relay".into()));
            }
            Turn::ShortLived => {
                turn(coturn.url(), coturn.secret());
                vars.push(("ICE_TRANSPORT_POLICY".into(), "relay".into()));
                vars.push(("TURN_TTL".into(), "60".into()));
            }
            Turn::SfuRelayOnly => {
                turn(coturn.url(), coturn.secret());
                vars.push(("ICE_TRANSPORT_POLICY".into(), "relay".into()));
                vars.extend(sfu.worker_vars());
                vars.push(("MEDIA_MODE".into(), "sfu".into()));
            }
            Turn::Off => {}
            Turn::WrongSecret => turn(coturn.url(), "not-the-secret-coturn-was-given"),
            Turn::Unreachable => turn(
                format!("turn:{A_GATEWAY}:{closed_port}?transport=udp"),
                coturn.secret(),
            ),
        }
        vars
    }
}

/// The router namespace with the worker (one per [`Turn`] set-up), coturn and the local SFU
/// (its media on side A's gateway, reached from both sides through coturn), and both sides.
/// Fields drop in declaration order: browsers' drivers and side namespaces, then the workers,
/// coturn, the SFU, the runtime, and the router namespace last.
pub struct Lab {
    pub a: Side,
    pub b: Side,
    workers: Vec<(Turn, Wrangler)>,
    pub coturn: Coturn,
    pub sfu: LocalSfu,
    pub runtime: tokio::runtime::Runtime,
    /// Logs, screenshots and browser profiles: `target/confab-tests/<label>`.
    pub scratch: PathBuf,
    _router: Netns,
}

pub const A_ADDRESS: &str = "198.51.100.2";
pub const A_GATEWAY: &str = "198.51.100.1";
pub const B_ADDRESS: &str = "203.0.113.2";
pub const B_GATEWAY: &str = "203.0.113.1";

impl Lab {
    /// Builds the lab; call from `main` before any other thread exists (this thread moves into
    /// the router namespace, and everything started afterwards inherits it).
    pub fn enter(label: &str) -> Result<Lab, String> {
        let (router, runtime, scratch) = enter_namespace(label, "router")?;
        // R must not route between the sides (a fresh namespace starts with forwarding off;
        // say so anyway, since everything here depends on it).
        std::fs::write("/proc/sys/net/ipv4/ip_forward", "0")
            .map_err(|e| format!("cannot turn forwarding off in the router: {e}"))?;
        let (a_ns, a_link) = Side::create(&router, "a", A_ADDRESS, A_GATEWAY)?;
        let (b_ns, b_link) = Side::create(&router, "b", B_ADDRESS, B_GATEWAY)?;
        let coturn = Coturn::start_on(&scratch.join("coturn"), &[A_GATEWAY, B_GATEWAY])?;
        let sfu = LocalSfu::start_on("127.0.0.1", A_GATEWAY, &scratch.join("local-sfu.log"))?;

        let ports: Vec<u16> = Turn::ALL
            .iter()
            .map(|_| Wrangler::pick_port().map_err(|e| format!("no free port: {e}")))
            .collect::<Result<_, _>>()?;
        let origins: Vec<String> = ports
            .iter()
            .flat_map(|port| [A_GATEWAY, B_GATEWAY].map(|gw| format!("http://{gw}:{port}")))
            .collect();
        let closed_port = Wrangler::pick_port().map_err(|e| format!("no free port: {e}"))?;
        let options = |turn: Turn, port: u16| Options {
            port: Some(port),
            listen_ip: Some("0.0.0.0".into()),
            // The sides load the app from the router's address on their own link.
            allowed_origins: [A_GATEWAY, B_GATEWAY]
                .map(|gw| format!("http://{gw}:{port}"))
                .to_vec(),
            vars: turn.vars(&coturn, &sfu, closed_port),
            ..Options::default()
        };
        // Started side by side: each takes seconds, mostly waiting.
        let workers = std::thread::scope(|scope| {
            let starting: Vec<_> = Turn::ALL
                .into_iter()
                .zip(&ports)
                .map(|(turn, port)| {
                    let options = options(turn, *port);
                    (turn, scope.spawn(move || Wrangler::try_start(options)))
                })
                .collect();
            starting
                .into_iter()
                .map(|(turn, handle)| {
                    let started = handle
                        .join()
                        .map_err(|_| format!("{turn:?}: start panicked"))?;
                    started
                        .map(|w| (turn, w))
                        .map_err(|e| format!("{turn:?}: {e}"))
                })
                .collect::<Result<Vec<_>, String>>()
        })?;

        // Plain http on a non-loopback address is not a secure context (no camera, no
        // WebRTC device access) unless the browser is told to treat these origins as one.
        let insecure = format!(
            "--unsafely-treat-insecure-origin-as-secure={}",
            origins.join(",")
        );
        let side = |netns: Netns, link, label, address, gateway| -> Result<Side, String> {
            let driver = ChromeDriver::start_in(&netns, &scratch, vec![insecure.clone()])?;
            Ok(Side {
                driver,
                label,
                address,
                gateway,
                link,
                netns,
            })
        };
        let a = side(a_ns, a_link, "a", A_ADDRESS, A_GATEWAY)?;
        let b = side(b_ns, b_link, "b", B_ADDRESS, B_GATEWAY)?;
        Ok(Lab {
            a,
            b,
            workers,
            coturn,
            sfu,
            runtime,
            scratch,
            _router: router,
        })
    }

    /// The worker with this TURN set-up.
    pub fn worker(&self, turn: Turn) -> &Wrangler {
        &self
            .workers
            .iter()
            .find(|(t, _)| *t == turn)
            .expect("every set-up has a worker")
            .1
    }
}

impl crate::suite::Runs for Lab {
    fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.runtime
    }
    fn worker_logs(&self) -> Vec<std::path::PathBuf> {
        self.workers
            .iter()
            .map(|(_, w)| w.log_path().to_path_buf())
            .collect()
    }
}
