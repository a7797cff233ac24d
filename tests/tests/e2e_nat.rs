//! Calls across networks (issue 5's NAT matrix), with real headless Chromium in network
//! namespaces, the real worker under `wrangler dev` and a real coturn in the router namespace
//! between them (see `confab_tests::nat`). Each set-up asserts what `getStats` says about the
//! selected candidate pair and that decoded video frames keep growing.
//!
//! 1. Same network: a direct host ↔ host path.
//! 2. `ICE_TRANSPORT_POLICY=relay`: even on the same network, relay ↔ relay.
//! 3. Two networks that reach only the router: connected through TURN.
//! 4. The same without TURN: the tiles say the connection failed, and why.
//! 5. A relay with the wrong secret, or none listening: a message within seconds.
//! 8. One side's uplink throttled: the other side's tile of them leaves "good", and comes back
//!    once the limit is lifted.
//! 9. One side moves to another address (its socket dies with the old one): it rejoins by
//!    itself, replacing its old self, and the other side sees one tile of it with live media.
//! 7. Relay-only with 60 s TURN credentials: the app renews them before they expire, so a
//!    newcomer after the first ones expired still connects through the relay.
//! 6. In set-up 3, one side loses its link for a few seconds: the call comes back by itself.
//! 10. Relay-only with every room on the SFU: both sides reach it through TURN.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use confab_tests::nat::{
    connected_path, paths, the_one_tile, Lab, SelectedPath, Side, Turn, MEDIA_TIMEOUT,
};
use confab_tests::room_page::{
    chat_messages, join, join_when_ready, send_chat, text_of, tiles, unique, wait_chat_text,
    wait_for, wait_live_media_from, with_browsers,
};
use fantoccini::Client;

#[path = "e2e_nat/network_changes.rs"]
mod network_changes;
#[path = "e2e_nat/sfu.rs"]
mod sfu;
use network_changes::{
    a_lost_network_comes_back_by_itself, a_poor_uplink_shows_on_the_tile_and_clears,
    moving_to_another_network_rejoins_without_a_ghost,
};
use sfu::relay_only_reaches_the_sfu_through_turn;

/// The issue's promise after a network comes back.
const RECOVERY_DEADLINE: Duration = Duration::from_secs(10);
/// How long the link stays cut: past the app's 3 s grace for `disconnected`, so the tiles
/// show "reconnecting…" and an ICE restart is due.
const CUT_FOR: Duration = Duration::from_secs(8);

fn main() -> ExitCode {
    confab_tests::stage_main!(
        "e2e_nat" => Lab::enter("e2e_nat");
        same_network_connects_directly,
        relay_policy_sends_media_through_turn_even_on_one_network,
        separate_networks_connect_through_turn,
        separate_networks_without_turn_show_the_failure,
        a_relay_that_refuses_or_cannot_be_reached_is_named_within_seconds,
        a_lost_network_comes_back_by_itself,
        relay_credentials_are_renewed_before_they_expire,
        a_poor_uplink_shows_on_the_tile_and_clears,
        moving_to_another_network_rejoins_without_a_ghost,
        relay_only_reaches_the_sfu_through_turn,
    )
}

/// Joins `who` (a side and a browser on it, with a name) into a fresh room on `turn`'s worker;
/// returns the room.
async fn join_all(
    lab: &Lab,
    turn: Turn,
    people: &[(&Side, &Client, &str)],
) -> Result<String, String> {
    let room = unique(&format!("nat-{turn:?}").to_lowercase());
    let port = lab.worker(turn).port();
    for (side, client, name) in people {
        join(client, &side.origin(port), &room, name).await?;
    }
    Ok(room)
}

/// The tile's `data-*` state, as `[connection, relayed]`.
async fn tile_state(client: &Client) -> Result<serde_json::Value, String> {
    client
        .execute(
            "const t = document.querySelector('[data-testid=video-tile]');
             return t ? [t.dataset.connection || '', t.dataset.relayed || ''] : null;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())
}

/// Waits until the tile reads `connection` (and, once stats are in, `relayed`).
async fn wait_tile(client: &Client, connection: &str, relayed: &str) -> Result<(), String> {
    let want = serde_json::json!([connection, relayed]);
    wait_for(&format!("tile {want}"), MEDIA_TIMEOUT, || async {
        let state = tile_state(client).await?;
        Ok((state == want).then_some(()))
    })
    .await
}

/// Two people, each seeing the other's live media over a connected path; returns the paths
/// (first person's view, second's) after checking both tiles.
async fn call_of_two(
    a: &Client,
    b: &Client,
    names: [&str; 2],
    relayed: &str,
) -> Result<[SelectedPath; 2], String> {
    let b_id = the_one_tile(a, names[1]).await?;
    let a_id = the_one_tile(b, names[0]).await?;
    wait_live_media_from(a, std::slice::from_ref(&b_id), MEDIA_TIMEOUT).await?;
    wait_live_media_from(b, std::slice::from_ref(&a_id), MEDIA_TIMEOUT).await?;
    let paths = [
        connected_path(a, &b_id).await?,
        connected_path(b, &a_id).await?,
    ];
    wait_tile(a, "connected", relayed).await?;
    wait_tile(b, "connected", relayed).await?;
    Ok(paths)
}

/// A browser on each side: Ana on A, Ben on B.
async fn ana_and_ben(lab: &Lab) -> Result<Vec<Client>, String> {
    Ok(vec![
        lab.a.browser(&lab.scratch, "ana").await?,
        lab.b.browser(&lab.scratch, "ben").await?,
    ])
}

/// Ana on side A and `other` (Ben on side B, or Ari beside Ana on A): a browser each, both
/// joined to a fresh room on `turn`'s worker; then `body` with the browsers (Ana's first),
/// which are closed afterwards.
async fn in_a_room(
    lab: &Lab,
    turn: Turn,
    other: (&Side, &str),
    body: impl AsyncFnOnce(&[Client]) -> Result<(), String>,
) -> Result<(), String> {
    let (side, name) = other;
    let browsers = vec![
        lab.a.browser(&lab.scratch, "ana").await?,
        side.browser(&lab.scratch, &name.to_lowercase()).await?,
    ];
    with_browsers(browsers, async |b: &[Client]| {
        join_all(lab, turn, &[(&lab.a, &b[0], "Ana"), (side, &b[1], name)]).await?;
        body(b).await
    })
    .await
}

/// [`in_a_room`], once the two are in a call ([`call_of_two`], tiles saying `relayed`): `body`
/// gets the browsers and the paths (Ana's view first).
async fn in_a_call(
    lab: &Lab,
    turn: Turn,
    other: (&Side, &str),
    relayed: &str,
    body: impl AsyncFnOnce(&[Client], [SelectedPath; 2]) -> Result<(), String>,
) -> Result<(), String> {
    in_a_room(lab, turn, other, async |b: &[Client]| {
        let paths = call_of_two(&b[0], &b[1], ["Ana", other.1], relayed).await?;
        body(b, paths).await
    })
    .await
}

async fn same_network_connects_directly(lab: &Lab) -> Result<(), String> {
    in_a_call(lab, Turn::On, (&lab.a, "Ari"), "false", async |_, paths| {
        for path in &paths {
            if path.types() != ("host".into(), "host".into()) {
                return Err(format!("expected a direct host ↔ host path, got {path:?}"));
            }
        }
        eprintln!(
            "e2e_nat: same network: {:?}",
            paths.each_ref().map(SelectedPath::types)
        );
        Ok(())
    })
    .await
}

async fn relay_policy_sends_media_through_turn_even_on_one_network(
    lab: &Lab,
) -> Result<(), String> {
    in_a_call(
        lab,
        Turn::RelayOnly,
        (&lab.a, "Ari"),
        "true",
        async |_, paths| {
            for path in &paths {
                if path.types() != ("relay".into(), "relay".into()) {
                    return Err(format!(
                        "relay-only policy must give relay ↔ relay, got {path:?}"
                    ));
                }
            }
            eprintln!(
                "e2e_nat: relay policy: {:?}",
                paths.each_ref().map(SelectedPath::types)
            );
            Ok(())
        },
    )
    .await
}

async fn separate_networks_connect_through_turn(lab: &Lab) -> Result<(), String> {
    in_a_call(lab, Turn::On, (&lab.b, "Ben"), "true", async |_, paths| {
        for path in &paths {
            if !path.relayed() {
                return Err(format!(
                    "separate networks can only meet through TURN, got {path:?}"
                ));
            }
        }
        eprintln!(
            "e2e_nat: separate networks: {:?}",
            paths.each_ref().map(SelectedPath::types)
        );
        Ok(())
    })
    .await
}

async fn separate_networks_without_turn_show_the_failure(lab: &Lab) -> Result<(), String> {
    in_a_room(lab, Turn::Off, (&lab.b, "Ben"), async |b: &[Client]| {
        let started = Instant::now();
        let ben = the_one_tile(&b[0], "Ben").await?;
        let ana = the_one_tile(&b[1], "Ana").await?;
        // Chromium gives up on ICE after about 15 s without a working pair.
        let deadline = Duration::from_secs(60);
        for (client, who) in [(&b[0], "Ana"), (&b[1], "Ben")] {
            wait_for(
                &format!("{who}'s tile to say the connection failed"),
                deadline,
                || async {
                    let shown = client
                        .execute(
                            "const t = document.querySelector('[data-testid=video-tile]');
                         const f = t && t.querySelector('[data-testid=tile-failed]');
                         return [t && t.dataset.connection, f ? f.textContent : null,
                                 !!document.querySelector('[data-testid=relay-off]')];",
                            vec![],
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    let failed = shown[0] == "failed"
                        && shown[1]
                            .as_str()
                            .is_some_and(|t| t.contains("no relay (TURN)"))
                        && shown[2] == true;
                    Ok(failed.then_some(()))
                },
            )
            .await?;
        }
        eprintln!(
            "e2e_nat: without TURN, failure shown after {:?}",
            started.elapsed()
        );
        // Nothing got through: no frames either way.
        for (client, peer) in [(&b[0], &ben), (&b[1], &ana)] {
            let path = paths(client).await?.remove(peer).unwrap_or_default();
            if path.frames_decoded > 0 || path.state == "connected" {
                return Err(format!("no path exists, yet the page reports {path:?}"));
            }
        }
        Ok(())
    })
    .await
}

/// The issue's promise for wrong TURN credentials or an unreachable TURN server.
const RELAY_PROBLEM_DEADLINE: Duration = Duration::from_secs(10);

async fn a_relay_that_refuses_or_cannot_be_reached_is_named_within_seconds(
    lab: &Lab,
) -> Result<(), String> {
    for (turn, says) in [
        (Turn::WrongSecret, "The relay refused our credentials (401)"),
        (Turn::Unreachable, "Could not reach the relay server (TURN)"),
    ] {
        let browsers = ana_and_ben(lab).await?;
        with_browsers(browsers, async |b: &[Client]| {
            let room = join_all(lab, turn, &[(&lab.a, &b[0], "Ana")]).await?;
            record_notices(&b[0]).await?;
            // Ana is alone until Ben joins: the relay is first needed when he does. Ben looks
            // at his preview first, so the peer connection his page makes ahead has met the
            // relay's answer before his call takes it (a 401 then was once told as
            // "could not reach").
            let port = lab.worker(turn).port();
            join_when_ready(&b[1], &lab.b.origin(port), &room, "Ben").await?;
            let joined = Instant::now();
            record_notices(&b[1]).await?;
            for (client, who) in [(&b[0], "Ana"), (&b[1], "Ben")] {
                let told = wait_for(
                    &format!("{who} to be told {says:?}"),
                    RELAY_PROBLEM_DEADLINE.saturating_sub(joined.elapsed()),
                    || async {
                        let seen = notices_seen(client).await?;
                        if seen.iter().any(|notice| notice.contains(says)) {
                            return Ok(Some(seen));
                        }
                        Err(format!("(notices so far: {seen:?})"))
                    },
                )
                .await?;
                eprintln!("e2e_nat: {turn:?}: {who}'s notices: {told:?}");
            }
            eprintln!(
                "e2e_nat: {turn:?}: both told within {:?} of the second join",
                joined.elapsed()
            );
            Ok(())
        })
        .await?;
    }
    Ok(())
}

/// Records in the page every notice it shows, in order (each text once when it appears), so a
/// notice that a later one replaces still counts as told, and the record says what followed;
/// with each peer connection's ICE errors and gathering states, timed, for reading a failure.
const RECORD_NOTICES_JS: &str = r#"
const seen = window.confabNoticesSeen = [];
const start = Date.now();
const watched = new Set();
let shown = '';
const look = () => {
  const text = [...document.querySelectorAll('.notice')].map(e => e.textContent).join('\n');
  if (text && shown !== text) { shown = text; seen.push(text); }
  // For reading a failure: each connection's ICE errors and gathering states, by time.
  for (const pc of (window.confabPeers || new Map()).values()) {
    if (watched.has(pc)) continue;
    watched.add(pc);
    const n = watched.size;
    seen.push(`@${Date.now() - start} ms: connection ${n} watched (${pc.iceGatheringState})`);
    pc.addEventListener('icecandidateerror', e =>
      seen.push(`@${Date.now() - start} ms: connection ${n}: ICE error ${e.errorCode} ${e.url}`));
    pc.addEventListener('icegatheringstatechange', () =>
      seen.push(`@${Date.now() - start} ms: connection ${n}: gathering ${pc.iceGatheringState}`));
  }
};
look();
setInterval(look, 50);
"#;

async fn record_notices(client: &Client) -> Result<(), String> {
    client
        .execute(RECORD_NOTICES_JS, vec![])
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

async fn notices_seen(client: &Client) -> Result<Vec<String>, String> {
    let seen = client
        .execute("return window.confabNoticesSeen || [];", vec![])
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(seen).map_err(|e| e.to_string())
}

/// The TURN usernames (`<expiry>:<user>`) a page's first peer connection is configured with.
async fn turn_expiries(client: &Client) -> Result<Vec<u64>, String> {
    let value = client
        .execute(
            "const pc = [...(window.confabPeers || new Map()).values()][0];
             return pc ? pc.getConfiguration().iceServers
                 .filter(s => s.username).map(s => s.username) : [];",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let names: Vec<String> = serde_json::from_value(value).map_err(|e| e.to_string())?;
    names
        .iter()
        .map(|n| {
            n.split(':')
                .next()
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| format!("not a TURN REST username: {n:?}"))
        })
        .collect()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

async fn relay_credentials_are_renewed_before_they_expire(lab: &Lab) -> Result<(), String> {
    in_a_call(
        lab,
        Turn::ShortLived,
        (&lab.b, "Ben"),
        "true",
        async |b, _| {
            let first = turn_expiries(&b[0]).await?;
            let Some(&expiry) = first.iter().max() else {
                return Err("Ana's peer connection has no TURN credentials".into());
            };
            // Renewed at 80 % of their life: about 48 s in.
            let renewed = wait_for(
                "Ana's TURN credentials to be renewed",
                Duration::from_secs(75),
                || async {
                    let now = turn_expiries(&b[0]).await?;
                    Ok((!now.is_empty() && now.iter().all(|e| *e > expiry)).then_some(now))
                },
            )
            .await?;
            eprintln!(
                "e2e_nat: credentials expiring at {expiry} renewed {}s before, now {renewed:?}",
                expiry.saturating_sub(unix_now())
            );
            // Past the first credentials' expiry, coturn refuses them: an ICE restart now only
            // gets a relay with the renewed ones.
            wait_for(
                "the first credentials to expire",
                Duration::from_secs(75),
                || async { Ok((unix_now() > expiry + 1).then_some(())) },
            )
            .await?;
            // Cho joins now. Ana's new peer connection for him must allocate a relay with the
            // renewed credentials (existing allocations outlive the credentials they were made
            // with, so only a new one shows which credentials the page holds).
            let cho = lab.b.browser(&lab.scratch, "cho").await?;
            let result = async {
                let port = lab.worker(Turn::ShortLived).port();
                let room = room_of(&b[0]).await?;
                join(&cho, &lab.b.origin(port), &room, "Cho").await?;
                let on_ana = wait_tiles(&b[0], &["Ben", "Cho"]).await?;
                let cho_id = on_ana
                    .iter()
                    .find(|(_, name)| name == "Cho")
                    .map(|(id, _)| id.clone())
                    .ok_or("no tile of Cho")?;
                wait_live_media_from(&b[0], std::slice::from_ref(&cho_id), MEDIA_TIMEOUT)
                    .await
                    .map_err(|e| format!("Ana from Cho: {e}"))?;
                let path = connected_path(&b[0], &cho_id).await?;
                if path.types() != ("relay".into(), "relay".into()) {
                    return Err(format!("relay-only, yet Ana ↔ Cho is {path:?}"));
                }
                eprintln!(
                "e2e_nat: after the first credentials expired, a newcomer connected relay ↔ relay"
            );
                Ok(())
            }
            .await;
            let _ = cho.close().await;
            result
        },
    )
    .await
}

/// The room a page is in, from its URL (`/r/<room>`).
async fn room_of(client: &Client) -> Result<String, String> {
    let url = client.current_url().await.map_err(|e| e.to_string())?;
    url.path()
        .strip_prefix("/r/")
        .map(str::to_owned)
        .ok_or_else(|| format!("not a room URL: {url}"))
}

/// Waits until `client` shows exactly the tiles named `names`; returns (peer id, name) pairs.
async fn wait_tiles(client: &Client, names: &[&str]) -> Result<Vec<(String, String)>, String> {
    let mut wanted: Vec<&str> = names.to_vec();
    wanted.sort();
    wait_for(&format!("tiles {wanted:?}"), MEDIA_TIMEOUT, || async {
        let tiles = tiles(client).await?;
        let mut seen: Vec<&str> = tiles.iter().map(|t| t.name.as_str()).collect();
        seen.sort();
        Ok((seen == wanted).then(|| {
            tiles
                .iter()
                .map(|t| (t.peer_id.clone(), t.name.clone()))
                .collect()
        }))
    })
    .await
}
