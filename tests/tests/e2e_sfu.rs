//! Calls through the SFU in real browsers: headless Chromium pages against the real worker
//! under `wrangler dev` and the local SFU stand-in (`confab-local-sfu`), all inside a private
//! network namespace (see `e2e_call.rs`). The worker runs as a deployment with an SFU does by
//! default: `MEDIA_MODE=auto`, the fifth person moving a room to the SFU. Two trials: a call
//! of four that grows to six, moves to the SFU and shares a screen there; and ten people at
//! once, beyond the mesh's eight, each playing the nine others.

use std::process::ExitCode;
use std::time::Duration;

use confab_tests::fake_camera::FakeCamera;
use confab_tests::local_sfu::LocalSfu;
use confab_tests::room_page::{
    click, join, join_at_once, sent_video_layers, switch_time, tiles, unique, wait_for,
    wait_live_media_from, wait_sfu_media_from, watch_switch, with_browsers,
};
use confab_tests::stage::StageWith;
use fantoccini::Client;

const MEDIA_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a page may wait for Ana's screen through the SFU. Against the local stand-in her
/// browser's bandwidth estimate for the SFU connection stays near 170 kbit/s, and the screen
/// gets the encoder's minimum (30 kbit/s), so each keyframe of it takes seconds; with six
/// browsers on two cores the click to share then took up to 37 s to reach the SFU, and the
/// first page waited 9-41 s for a picture (CI once 26.6 s, once over 60 s before the stand-in
/// stopped dropping datagrams).
const SCREEN_TIMEOUT: Duration = Duration::from_secs(120);
/// The stage and the SFU its worker calls, which stops after the browsers and the worker.
type Env = StageWith<LocalSfu>;

fn main() -> ExitCode {
    confab_tests::stage_main!("e2e-sfu" => start();
        a_call_of_four_moves_to_the_sfu_at_five_and_screens_are_shared_there,
        ten_people_see_and_hear_each_other_through_the_sfu,
    )
}

fn start() -> Result<Env, String> {
    LocalSfu::stage("e2e-sfu")
}

/// The peer ids of `client`'s remote camera tiles once it shows `count` of them.
async fn wait_tile_count(client: &Client, count: usize) -> Result<Vec<String>, String> {
    wait_for(&format!("{count} remote tiles"), MEDIA_TIMEOUT, || async {
        let tiles = tiles(client).await?;
        Ok((tiles.len() == count).then(|| tiles.into_iter().map(|t| t.peer_id).collect()))
    })
    .await
}

async fn a_call_of_four_moves_to_the_sfu_at_five_and_screens_are_shared_there(
    env: &Env,
) -> Result<(), String> {
    const NAMES: [&str; 6] = ["Ana", "Ben", "Cho", "Dev", "Eli", "Fay"];
    let room = unique("sfu-switch");
    let browsers = env.stage.crowd(&NAMES, FakeCamera::small).await?;
    let base = env.stage.base_url();
    with_browsers(browsers, async |b: &[Client]| {
        // Four on the mesh: a peer connection to each of the three others.
        for (client, name) in b.iter().zip(NAMES).take(4) {
            join(client, base, &room, name).await?;
        }
        for client in &b[..4] {
            let peers = wait_tile_count(client, 3).await?;
            wait_live_media_from(client, &peers, MEDIA_TIMEOUT).await?;
        }
        // The fifth moves the room; nobody leaves. The issue's promise is that media continues
        // within 3 s meanwhile (no tile goes longer without a new frame). That is a number for
        // `cargo xtask bench switch`, not a bound here: on two cores with six browsers and
        // `wrangler dev` the same move has measured from 0.9 s to 17 s (before the first pull
        // waited for everyone's push) from run to run. This trial asserts
        // the move itself (every tile back through the SFU within `MEDIA_TIMEOUT`) and prints
        // what each page measured and which calls it made.
        for client in &b[..4] {
            watch_switch(client, 4).await?;
        }
        eprintln!(
            "e2e-sfu: the fifth joins at {} on the SFU log's clock",
            env.beside.log_time()
        );
        join(&b[4], base, &room, NAMES[4]).await?;
        let mut seen = Vec::new();
        for client in &b[..4] {
            seen.push(switch_time(client, MEDIA_TIMEOUT).await?);
        }
        for (switch, me) in seen.iter().zip(NAMES) {
            let calls: Vec<_> = switch.calls.iter().map(|c| c.brief()).collect();
            eprintln!(
                "e2e-sfu: {me} moved to the SFU in {:?}, longest freeze {:?}; calls: {}",
                switch.handover,
                switch.freeze,
                calls.join(", ")
            );
        }
        // The sixth joins a room already on the SFU; everyone plays everyone.
        join(&b[5], base, &room, NAMES[5]).await?;
        for (client, me) in b.iter().zip(NAMES) {
            let peers = wait_tile_count(client, 5).await?;
            wait_sfu_media_from(client, &peers, MEDIA_TIMEOUT)
                .await
                .map_err(|e| format!("{me}: {e}"))?;
        }
        // Simulcast sends no layer under 90 lines: these 160×120 cameras go up as one plain
        // stream. (Sent in three layers, 160×120, 80×60 and 40×30, the browsers' bandwidth
        // estimate towards the stand-in on two cores, about 170 kbit/s, paid for the quarter
        // layer alone: every tile showed 40×30.)
        for (client, me) in b.iter().zip(NAMES) {
            let sent = sent_video_layers(client).await?;
            let plain = sent
                .as_array()
                .is_some_and(|s| s.len() == 1 && s[0]["rid"].is_null());
            if !plain {
                return Err(format!("{me}'s camera should go up as one stream: {sent}"));
            }
        }
        // Nothing of the mesh is left: one connection, the SFU's.
        for (client, me) in b.iter().zip(NAMES) {
            let kept = client
                .execute(
                    "return [...(window.confabPeers || new Map()).keys()];",
                    vec![],
                )
                .await
                .map_err(|e| e.to_string())?;
            if kept != serde_json::json!(["sfu"]) {
                return Err(format!("{me} still holds connections {kept}"));
            }
        }
        // Every tile shows how that person's media reaches me, as on the mesh: Fay's were
        // never on the mesh, so hers come from the SFU's connection alone.
        for (client, me) in b.iter().zip(NAMES) {
            wait_for(
                &format!("{me}'s five tiles to show a connection quality"),
                MEDIA_TIMEOUT,
                || async {
                    let levels = client
                        .execute(QUALITY_JS, vec![])
                        .await
                        .map_err(|e| e.to_string())?;
                    let shown = levels.as_array().is_some_and(|levels| {
                        levels.len() == 5 && levels.iter().all(|l| l.as_str().is_some())
                    });
                    shown
                        .then_some(Some(()))
                        .ok_or_else(|| format!("(levels: {levels})"))
                },
            )
            .await?;
        }
        // Ana shares her screen: it reaches everyone through the SFU, and goes when she stops.
        let ana = ana_id(&b[1]).await?;
        eprintln!(
            "e2e-sfu: Ana shares at {} on the SFU log's clock",
            env.beside.log_time()
        );
        click(&b[0], "screen-share-button").await?;
        for (client, me) in b.iter().zip(NAMES).skip(1) {
            let waited = wait_screen_via_sfu(client, &ana).await;
            let sent = b[0]
                .execute_async(SCREEN_SENT_JS, vec![])
                .await
                .map_err(|e| e.to_string())?;
            eprintln!("e2e-sfu: Ana's screen sender by then: {sent}");
            waited.map_err(|e| format!("{me}: {e}; Ana's sender {sent}"))?;
        }
        let png = b[1].screenshot().await.map_err(|e| e.to_string())?;
        std::fs::write(env.stage.scratch.join("sfu-six-sharing.png"), png)
            .map_err(|e| e.to_string())?;
        click(&b[0], "screen-share-button").await?;
        for (client, me) in b.iter().zip(NAMES).skip(1) {
            wait_for(
                &format!("{me} to see Ana's screen gone"),
                MEDIA_TIMEOUT,
                || async {
                    let left = client
                        .execute(SCREEN_JS, vec![serde_json::json!(ana)])
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok(left.is_null().then_some(()))
                },
            )
            .await?;
        }
        // Fay leaves: everyone closes what they pulled of hers (tracks/close with an offer
        // whose transceivers for her are off), and the four others keep playing.
        let fay = peer_id_of(&b[0], "Fay").await?;
        let before: Vec<usize> = {
            let mut counts = Vec::new();
            for client in &b[..5] {
                counts.push(pulled_sections(client).await?);
            }
            counts
        };
        click(&b[5], "leave-button").await?;
        for ((client, me), before) in b.iter().zip(NAMES).take(5).zip(before) {
            let peers = wait_tile_count(client, 4).await?;
            if peers.contains(&fay) {
                return Err(format!("{me} still shows Fay's tile"));
            }
            wait_for(
                &format!("{me} to close the two tracks pulled of Fay"),
                MEDIA_TIMEOUT,
                || async {
                    let now = pulled_sections(client).await?;
                    Ok((now + 2 == before).then_some(()))
                },
            )
            .await
            .map_err(|e| format!("{e} (from {before} media sections)"))?;
            wait_sfu_media_from(client, &peers, MEDIA_TIMEOUT)
                .await
                .map_err(|e| format!("{me} after Fay left: {e}"))?;
        }
        // She comes back: the connections that closed her old tracks pull her new ones.
        join(&b[5], base, &room, NAMES[5]).await?;
        for (client, me) in b.iter().zip(NAMES) {
            let peers = wait_tile_count(client, 5).await?;
            wait_sfu_media_from(client, &peers, MEDIA_TIMEOUT)
                .await
                .map_err(|e| format!("{me} after Fay came back: {e}"))?;
        }
        Ok(())
    })
    .await
}

/// Ten browsers in one room, beyond the mesh's eight: each page pulls nine cameras and nine
/// microphones through the SFU and plays them all. Ten Chromiums on two cores: the cameras
/// are 96×72 at 10 frames per second.
async fn ten_people_see_and_hear_each_other_through_the_sfu(env: &Env) -> Result<(), String> {
    const NAMES: [&str; 10] = [
        "Ari", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo",
    ];
    let room = unique("sfu-ten");
    let started = std::time::Instant::now();
    let browsers = env.stage.crowd(&NAMES, FakeCamera::tiny).await?;
    let base = env.stage.base_url();
    eprintln!("e2e-sfu: ten browsers open after {:?}", started.elapsed());
    with_browsers(browsers, async |b: &[Client]| {
        join_at_once(b, base, &room, &NAMES).await?;
        eprintln!("e2e-sfu: ten joined after {:?}", started.elapsed());
        let checks = b.iter().zip(NAMES).map(|(client, me)| async move {
            let peers = wait_tile_count(client, 9).await?;
            wait_sfu_media_from(client, &peers, MEDIA_TIMEOUT).await?;
            eprintln!("e2e-sfu: {me} plays nine after {:?}", started.elapsed());
            Ok::<(), String>(())
        });
        let failed: Vec<String> = futures_util::future::join_all(checks)
            .await
            .into_iter()
            .zip(NAMES)
            .filter_map(|(checked, me)| checked.err().map(|e| format!("{me}: {e}")))
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed.join("\n"))
        }
    })
    .await
}

/// How many media sections `client`'s SFU connection still receives on.
async fn pulled_sections(client: &Client) -> Result<usize, String> {
    let count = client
        .execute(PULLED_SECTIONS_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    count
        .as_u64()
        .map(|n| n as usize)
        .ok_or_else(|| format!("no SFU connection to count sections on: {count}"))
}

const PULLED_SECTIONS_JS: &str = r#"
const sfu = (window.confabPeers || new Map()).get('sfu');
if (!sfu) return null;
return sfu.getTransceivers()
  .filter(t => t.direction === 'recvonly' && t.currentDirection === 'recvonly')
  .length;
"#;

/// The peer id of the tile named `name` on `client`'s page.
async fn peer_id_of(client: &Client, name: &str) -> Result<String, String> {
    tiles(client)
        .await?
        .into_iter()
        .find(|t| t.name == name)
        .map(|t| t.peer_id)
        .ok_or_else(|| format!("no tile named {name}"))
}

/// Each remote camera tile's shown quality level (`null` until it has one).
const QUALITY_JS: &str = r#"
return [...document.querySelectorAll('[data-testid=video-tile][data-kind=camera]')]
  .map(t => t.dataset.quality || null);
"#;

/// `peer`'s screen tile: its time, width and whether its video track arrives from the SFU.
const SCREEN_JS: &str = r#"
const v = document.querySelector(
  `[data-testid=video-tile][data-kind=screen][data-peer-id="${arguments[0]}"] video`);
if (!v) return null;
const sfu = (window.confabPeers || new Map()).get('sfu');
const tracks = sfu ? sfu.getReceivers().map(r => r.track) : [];
const video = v.srcObject && v.srcObject.getVideoTracks()[0];
return { time: v.currentTime, width: v.videoWidth, via_sfu: !!video && tracks.includes(video) };
"#;

/// The SFU receiver's counters for `peer`'s screen video, for reading a slow or failed wait:
/// frames received and decoded, keyframes decoded, keyframe requests sent, frames per second.
const SCREEN_STATS_JS: &str = r#"
const done = arguments[arguments.length - 1];
const v = document.querySelector(
  `[data-testid=video-tile][data-kind=screen][data-peer-id="${arguments[0]}"] video`);
const sfu = (window.confabPeers || new Map()).get('sfu');
const track = v && v.srcObject && v.srcObject.getVideoTracks()[0];
const receiver = sfu && track && sfu.getReceivers().find(r => r.track === track);
if (!receiver) { done(null); return; }
receiver.getStats().then(report => {
  const rtp = [...report.values()].find(s => s.type === 'inbound-rtp');
  done(rtp ? { received: rtp.framesReceived, decoded: rtp.framesDecoded,
    keyframes: rtp.keyFramesDecoded, plis: rtp.pliCount, fps: rtp.framesPerSecond } : null);
}, () => done(null));
"#;

/// What my own screen's sender to the SFU has sent (the screen's track is the one marked
/// `detail`): frames encoded and sent, keyframes, keyframe requests received, why the
/// encoder held back, its size and target bitrate, and the connection's bandwidth estimate.
const SCREEN_SENT_JS: &str = r#"
const done = arguments[arguments.length - 1];
const sfu = (window.confabPeers || new Map()).get('sfu');
const sender = sfu && sfu.getSenders().find(s => s.track && s.track.contentHint === 'detail');
if (!sender) { done(null); return; }
Promise.all([sender.getStats(), sfu.getStats()]).then(([report, all]) => {
  const rtp = [...report.values()].find(s => s.type === 'outbound-rtp');
  const pair = [...all.values()].find(s => s.type === 'candidate-pair' && s.nominated);
  const estimate = pair && pair.availableOutgoingBitrate;
  done(rtp ? { estimate, encoded: rtp.framesEncoded, sent: rtp.framesSent, keyframes: rtp.keyFramesEncoded,
    plis: rtp.pliCount, limited: rtp.qualityLimitationReason, width: rtp.frameWidth,
    height: rtp.frameHeight, target: rtp.targetBitrate, fps: rtp.framesPerSecond,
    packets: rtp.packetsSent } : null);
}, () => done(null));
"#;

/// Ana's peer id, from `client`'s tile named Ana.
async fn ana_id(client: &Client) -> Result<String, String> {
    let all = tiles(client).await?;
    all.into_iter()
        .find(|t| t.name == "Ana")
        .map(|t| t.peer_id)
        .ok_or_else(|| "no tile named Ana".to_owned())
}

/// Waits until `client` plays `peer`'s screen from the SFU (time advancing, a picture).
async fn wait_screen_via_sfu(client: &Client, peer: &str) -> Result<(), String> {
    let last = std::cell::Cell::new(0.0);
    let started = std::time::Instant::now();
    let waited = wait_for(
        "the screen playing through the SFU",
        SCREEN_TIMEOUT,
        || async {
            let seen = client
                .execute(SCREEN_JS, vec![serde_json::json!(peer)])
                .await
                .map_err(|e| e.to_string())?;
            let time = seen["time"].as_f64().unwrap_or(0.0);
            let advancing = time > last.replace(time) && time > 0.5;
            let ok = advancing && seen["width"].as_u64() > Some(0) && seen["via_sfu"] == true;
            ok.then_some(Some(()))
                .ok_or_else(|| format!("(seen: {seen})"))
        },
    )
    .await;
    let stats = client
        .execute_async(SCREEN_STATS_JS, vec![serde_json::json!(peer)])
        .await
        .map_err(|e| e.to_string())?;
    let took = started.elapsed();
    eprintln!("e2e-sfu: the screen through the SFU after {took:.1?}: receiver {stats}");
    waited.map_err(|e| format!("{e}; receiver {stats}"))
}
