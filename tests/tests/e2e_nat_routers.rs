//! Calls between two homes behind real address translation (nftables masquerade in each home's
//! router, see `confab_tests::nat_routers`), with real headless Chromium, the real worker under
//! `wrangler dev` and a real coturn (STUN, and TURN over UDP, TCP and TLS) on the internet
//! between them. Each trial asserts the selected candidate pair from `getStats` and that video
//! and audio keep arriving both ways.
//!
//! 1. Two cone NATs: the server-reflexive (STUN) addresses connect directly, srflx ↔ srflx,
//!    though a relay is on offer.
//! 2. Two symmetric NATs (policy `all`): no direct path exists, so at least one end is the
//!    relay; Chromium pairs one side's relay with the other's translated address.
//! 3. Two symmetric NATs with the relay-only policy: relay ↔ relay over UDP, each relay
//!    allocated through a mapping the other side's NAT never saw.
//! 4. A firewall that lets no UDP out (relay-only): Ana's end is a relay reached over TCP.
//! 5. A firewall that lets out only TLS to TURN (policy `all`): Ana's end is a relay reached
//!    over TLS, the browser told to trust the lab's self-signed certificate, and Ben's end his
//!    router's public address.
//!
//! Trials 2 and 5 once stalled after a few frames: the lab's internet dropped private
//! addresses with a blackhole route, whose EINVAL made coturn close the relay that had tried a
//! private candidate (see `nat_routers`). Now private addresses vanish silently, as on the
//! internet, and coturn runs with the deployed peer rules, which refuse them.

use std::process::ExitCode;

use confab_tests::nat::{connected_path, paths, the_one_tile, SelectedPath, MEDIA_TIMEOUT};
use confab_tests::nat_routers::{Firewall, Nat, NatLab, Policy};
use confab_tests::room_page::{join, unique, wait_live_media_from, with_browsers};
use fantoccini::Client;

fn main() -> ExitCode {
    confab_tests::stage_main!(
        "e2e_nat_routers" => NatLab::enter("e2e_nat_routers");
        cone_nats_connect_through_their_public_addresses,
        symmetric_nats_connect_through_the_relay,
        symmetric_nats_connect_relay_to_relay,
        a_firewall_without_udp_gets_turn_over_tcp,
        a_firewall_open_only_to_tls_gets_turn_over_tls,
    )
}

/// Ana at home A and Ben at home B, with the routers set to `a` and `b`, in a call on the
/// worker with `policy`: returns the selected paths once media flows both ways (Ana's view
/// first).
async fn call(
    lab: &NatLab,
    policy: Policy,
    a: (Nat, Firewall),
    b: (Nat, Firewall),
) -> Result<[SelectedPath; 2], String> {
    lab.configure(a, b)?;
    let browsers = vec![
        lab.a.browser(&lab.scratch, "ana").await?,
        lab.b.browser(&lab.scratch, "ben").await?,
    ];
    let mut found = None;
    with_browsers(browsers, async |p: &[Client]| {
        let room = unique("routers");
        let port = lab.worker(policy).port();
        join(&p[0], &lab.a.origin(port), &room, "Ana").await?;
        join(&p[1], &lab.b.origin(port), &room, "Ben").await?;
        let ben = the_one_tile(&p[0], "Ben").await?;
        let ana = the_one_tile(&p[1], "Ana").await?;
        for (page, from, who) in [(&p[0], &ben, "Ana from Ben"), (&p[1], &ana, "Ben from Ana")] {
            if let Err(e) =
                wait_live_media_from(page, std::slice::from_ref(from), MEDIA_TIMEOUT).await
            {
                // Where the media should have come along says most about why it did not.
                let path = paths(page).await.map(|mut all| all.remove(from));
                return Err(format!("{who}: {e}; path: {path:?}"));
            }
        }
        let paths = [
            connected_path(&p[0], &ben).await?,
            connected_path(&p[1], &ana).await?,
        ];
        eprintln!("e2e_nat_routers: {a:?} / {b:?}: {paths:?}");
        found = Some(paths);
        Ok(())
    })
    .await?;
    found.ok_or_else(|| "the call ended without paths".into())
}

async fn cone_nats_connect_through_their_public_addresses(lab: &NatLab) -> Result<(), String> {
    let open = (Nat::Cone, Firewall::Open);
    let [ana, ben] = call(lab, Policy::All, open, open).await?;
    let srflx = ("srflx".to_owned(), "srflx".to_owned());
    // Each end is its router's public address: translated, and not through the relay.
    for (path, own, other) in [
        (&ana, lab.a.public, lab.b.public),
        (&ben, lab.b.public, lab.a.public),
    ] {
        let addresses = (
            path.local_address.as_deref(),
            path.remote_address.as_deref(),
        );
        if path.types() != srflx || addresses != (Some(own), Some(other)) {
            return Err(format!(
                "two cone NATs must connect srflx ↔ srflx between {own} and {other}, got {path:?}"
            ));
        }
    }
    Ok(())
}

async fn symmetric_nats_connect_through_the_relay(lab: &NatLab) -> Result<(), String> {
    let symmetric = (Nat::Symmetric, Firewall::Open);
    let paths = call(lab, Policy::All, symmetric, symmetric).await?;
    for path in &paths {
        let (local, remote) = path.types();
        if local != "relay" && remote != "relay" {
            return Err(format!(
                "two symmetric NATs cannot connect without the relay, got {path:?}"
            ));
        }
    }
    Ok(())
}

async fn symmetric_nats_connect_relay_to_relay(lab: &NatLab) -> Result<(), String> {
    let paths = call(
        lab,
        Policy::Relay,
        (Nat::Symmetric, Firewall::Open),
        (Nat::Symmetric, Firewall::Open),
    )
    .await?;
    let relay = ("relay".to_owned(), "relay".to_owned());
    for path in &paths {
        if path.types() != relay || path.relay_protocol.as_deref() != Some("udp") {
            return Err(format!(
                "behind two symmetric NATs the relay policy must give relay ↔ relay over UDP, \
                 got {path:?}"
            ));
        }
    }
    Ok(())
}

/// Ana's router set to `firewall`, Ben's open, on the worker with `policy`: Ana's end of the
/// path must be a relay she reaches over `protocol`. Returns Ben's view.
async fn relayed_over(
    lab: &NatLab,
    policy: Policy,
    firewall: Firewall,
    protocol: &str,
) -> Result<SelectedPath, String> {
    let [ana, ben] = call(
        lab,
        policy,
        (Nat::Cone, firewall),
        (Nat::Cone, Firewall::Open),
    )
    .await?;
    if ana.local.as_deref() != Some("relay") || ana.relay_protocol.as_deref() != Some(protocol) {
        return Err(format!(
            "behind {firewall:?} Ana's end must be a relay over {protocol}, got {ana:?}"
        ));
    }
    Ok(ben)
}

async fn a_firewall_without_udp_gets_turn_over_tcp(lab: &NatLab) -> Result<(), String> {
    relayed_over(lab, Policy::Relay, Firewall::NoUdp, "tcp").await?;
    Ok(())
}

/// Under policy `all`: Ana's relay meets Ben's router's public address (the pair of a relay and
/// a translated address that once stalled here).
async fn a_firewall_open_only_to_tls_gets_turn_over_tls(lab: &NatLab) -> Result<(), String> {
    let ben = relayed_over(lab, Policy::All, Firewall::TlsOnly, "tls").await?;
    let expected = (Some("srflx"), Some(lab.b.public));
    if (ben.local.as_deref(), ben.local_address.as_deref()) != expected {
        return Err(format!(
            "Ben's open cone NAT needs no relay of his own: his end must be srflx at {}, got {ben:?}",
            lab.b.public
        ));
    }
    Ok(())
}
