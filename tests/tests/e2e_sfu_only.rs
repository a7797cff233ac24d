//! Rooms on the SFU from their first person (`MEDIA_MODE=sfu`), in real browsers: headless
//! Chromium pages against the real worker under `wrangler dev` and the local SFU stand-in, in
//! a private network namespace (see `e2e_call.rs`). Four trials:
//! - last-N: a page pulls everyone's sound but only the cameras of the latest speakers. The
//!   deployment pulls two cameras per page (`SFU_LAST_N=2`) instead of nine, so four pages
//!   show what eleven would on the default: two cores do not carry eleven Chromiums with every
//!   page checked. A camera dropped for a speaker and pinned comes back even when the SFU's
//!   offer for it is one the browser refuses (a new session).
//! - the connection to the SFU cut for some seconds (UDP to its port dropped by nftables):
//!   each page restarts ICE in its session, and media comes back without a new session.
//! - the SFU restarted (its sessions forgotten): the first call refused for it (410 from the
//!   worker) makes each page start a new session, push and pull again, and media comes back.
//! - simulcast: a camera comes in the layer its tile needs, up for a large tile and down for
//!   a small one (`tracks/update`).

use std::process::ExitCode;
use std::time::Duration;

use confab_tests::fake_camera::FakeCamera;
use confab_tests::local_sfu::LocalSfu;
use confab_tests::nat_routers::NFT;
use confab_tests::room_page::{
    cameras_shown, click, join, join_with_mic_off, sent_video_layers, tiles, unique, wait_for,
    wait_sfu_media_from, wait_sfu_video_from, wait_tile_named, with_browsers, CamerasShown,
};
use confab_tests::stage::StageWith;
use fantoccini::Client;

const MEDIA_TIMEOUT: Duration = Duration::from_secs(60);
/// The cameras each page pulls besides a pinned one, as this stage's worker says.
const LAST_N: usize = 2;
type Env = StageWith<LocalSfu>;

fn main() -> ExitCode {
    confab_tests::stage_main!("e2e-sfu-only" => start();
        each_page_pulls_the_cameras_of_the_latest_speakers_only,
        a_cut_connection_to_the_sfu_comes_back_by_an_ice_restart_in_the_same_session,
        a_restarted_sfu_is_joined_again_in_a_new_session,
        a_camera_comes_in_the_simulcast_layer_its_tile_needs,
    )
}

fn start() -> Result<Env, String> {
    LocalSfu::stage_with(
        "e2e-sfu-only",
        &[("MEDIA_MODE", "sfu"), ("SFU_LAST_N", &LAST_N.to_string())],
    )
}

/// Four people, only Kim's microphone on: every other page shows Kim's camera and the first
/// to arrive of the rest, and the third tile shows the person, with no video section at the
/// SFU for them. On Kim's page nobody has spoken: it shows the first two to arrive. The one
/// it hides then turns their microphone on: their camera comes on every page that hid it, in
/// place of a camera shown only for arriving early (Kim's, shown for speaking, stays).
async fn each_page_pulls_the_cameras_of_the_latest_speakers_only(env: &Env) -> Result<(), String> {
    const NAMES: [&str; 4] = ["Ari", "Bo", "Cy", "Kim"];
    const KIM: usize = 3;
    let room = unique("sfu-last-n");
    let started = std::time::Instant::now();
    let browsers = env.stage.crowd(&NAMES, FakeCamera::small).await?;
    let base = env.stage.base_url();
    env.beside.restart_with(&["--repeat-track-ids"])?;
    let outcome = with_browsers(browsers, async |b: &[Client]| {
        // One after another: the order of arrival decides who is shown before anyone speaks.
        for (i, (client, name)) in b.iter().zip(NAMES).enumerate() {
            if i == KIM {
                join(client, base, &room, name).await?;
            } else {
                join_with_mic_off(client, base, &room, name).await?;
            }
        }
        let kim = peer_id_of(&b[0], "Kim").await?;
        let checks = b.iter().zip(NAMES).enumerate().map(|(i, (client, me))| {
            let must = (i != KIM).then(|| kim.clone());
            async move {
                let seen = wait_shown(client, must.as_ref()).await?;
                wait_sfu_video_from(client, &seen.shown, MEDIA_TIMEOUT).await?;
                if let Some(kim) = &must {
                    // Kim's sound as well as her camera.
                    wait_sfu_media_from(client, std::slice::from_ref(kim), MEDIA_TIMEOUT).await?;
                }
                eprintln!(
                    "e2e-sfu-only: {me} plays {LAST_N} cameras after {:?}",
                    started.elapsed()
                );
                Ok::<CamerasShown, String>(seen)
            }
        });
        let seen = all_of(futures_util::future::join_all(checks).await)?;
        // The one Kim's page hides speaks up.
        let hidden = seen[KIM].hidden[0].clone();
        let speaker = tiles(&b[KIM])
            .await?
            .into_iter()
            .find(|t| t.peer_id == hidden)
            .ok_or("the hidden tile went")?
            .name;
        let index = NAMES
            .iter()
            .position(|n| *n == speaker)
            .ok_or_else(|| format!("no page of {speaker}"))?;
        let hid_them: Vec<usize> = (0..NAMES.len())
            .filter(|&i| seen[i].hidden.contains(&hidden))
            .collect();
        click(&b[index], "mic-toggle").await?;
        let checks = hid_them.iter().map(|&i| {
            let (client, me, hidden, kim, speaker) = (&b[i], NAMES[i], &hidden, &kim, &speaker);
            async move {
                let what = format!("{speaker}'s camera on {me}'s page");
                wait_for(&what, MEDIA_TIMEOUT, || async {
                    let now = cameras_shown(client).await?;
                    let settled = now.shown.contains(hidden)
                        && (i == KIM || now.shown.contains(kim))
                        && settles(&now);
                    settled
                        .then_some(Some(()))
                        .ok_or_else(|| format!("(last: {now:?})"))
                })
                .await?;
                wait_sfu_video_from(client, std::slice::from_ref(hidden), MEDIA_TIMEOUT).await?;
                eprintln!(
                    "e2e-sfu-only: {me} shows {speaker} after {:?}",
                    started.elapsed()
                );
                Ok::<(), String>(())
            }
        });
        all_of(futures_util::future::join_all(checks).await)?;
        let others: Vec<usize> = hid_them.into_iter().filter(|&i| i != KIM).collect();
        pin_a_camera_twice(b, &others, &started).await
    })
    .await;
    // The next trial's SFU gives each pull a track id of its own again.
    env.beside.restart().and(outcome)
}

/// The SFU of [`each_page_pulls_the_cameras_of_the_latest_speakers_only`] repeats a closed
/// section's `a=msid` when a camera is pulled again (`--repeat-track-ids`), as Cloudflare may:
/// Chromium refuses that offer. A page pins a camera it does not show, unpins it (closed at
/// the SFU) and pins it again: the page cannot apply the SFU's offer for it, and only a new
/// session (a new connection) brings the camera back, which it must.
async fn pin_a_camera_twice(
    b: &[Client],
    pages: &[usize],
    started: &std::time::Instant,
) -> Result<(), String> {
    let page = *pages
        .first()
        .ok_or("no page other than Kim's hid the speaker")?;
    let client = &b[page];
    let now = cameras_shown(client).await?;
    let camera = now
        .hidden
        .first()
        .ok_or_else(|| format!("no camera hidden: {now:?}"))?
        .clone();
    let pin =
        format!("[data-testid=video-tile][data-peer-id=\"{camera}\"] [data-testid=pin-button]");
    click_css(client, &pin).await?;
    wait_sfu_video_from(client, std::slice::from_ref(&camera), MEDIA_TIMEOUT).await?;
    click_css(client, &pin).await?;
    wait_for("the unpinned camera closed", MEDIA_TIMEOUT, || async {
        let now = cameras_shown(client).await?;
        let closed = now.hidden.contains(&camera) && settles(&now);
        closed
            .then_some(Some(()))
            .ok_or_else(|| format!("(last: {now:?})"))
    })
    .await?;
    let marked = client
        .execute(MARK_SFU_CONNECTION_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    if marked != serde_json::json!(true) {
        return Err(format!("no closed camera section to pull again: {marked}"));
    }
    click_css(client, &pin).await?;
    wait_sfu_video_from(client, std::slice::from_ref(&camera), MEDIA_TIMEOUT).await?;
    let same = client
        .execute(
            "return !!(window.confabPeers.get('sfu') || {}).confabMarked;",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    if same != serde_json::json!(false) {
        return Err("the camera came back on the same connection: was no offer refused?".into());
    }
    eprintln!(
        "e2e-sfu-only: a camera pinned again plays, on a new connection, after {:?}",
        started.elapsed()
    );
    Ok(())
}

/// Marks the page's SFU connection (a new session comes with a new one) if it has a closed
/// camera section, which the next pull of that camera repeats.
const MARK_SFU_CONNECTION_JS: &str = r#"
const sfu = window.confabPeers.get('sfu');
const closed = sfu && sfu.getTransceivers().some(t =>
  t.receiver.track.kind === 'video' && t.currentDirection === 'inactive');
if (closed) sfu.confabMarked = true;
return !!closed;
"#;

async fn click_css(client: &Client, css: &str) -> Result<(), String> {
    client
        .find(fantoccini::Locator::Css(css))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| e.to_string())
}

/// Whether `now` shows [`LAST_N`] cameras and the third tile as the person, with as many
/// video sections at the SFU (the hidden camera is not pulled).
fn settles(now: &CamerasShown) -> bool {
    now.shown.len() == LAST_N
        && now.hidden.len() == 1
        && now.placeheld == now.hidden
        && now.video_sections == LAST_N
}

/// Waits until `client` shows [`LAST_N`] of its three remote cameras (`must` among them).
async fn wait_shown(client: &Client, must: Option<&String>) -> Result<CamerasShown, String> {
    wait_for(
        "two cameras shown and one not pulled",
        MEDIA_TIMEOUT,
        || async {
            let now = cameras_shown(client).await?;
            let settled = settles(&now) && must.is_none_or(|peer| now.shown.contains(peer));
            settled
                .then_some(Some(now.clone()))
                .ok_or_else(|| format!("(last: {now:?})"))
        },
    )
    .await
}

/// Every result, or all the errors.
fn all_of<T>(results: Vec<Result<T, String>>) -> Result<Vec<T>, String> {
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for result in results {
        match result {
            Ok(value) => ok.push(value),
            Err(e) => failed.push(e),
        }
    }
    if failed.is_empty() {
        Ok(ok)
    } else {
        Err(failed.join("\n"))
    }
}

/// The peer id of the tile named `name` on `client`'s page.
async fn peer_id_of(client: &Client, name: &str) -> Result<String, String> {
    wait_tile_named(client, name, MEDIA_TIMEOUT).await
}

/// Both pages join `room` as `names`, and each plays the other through the SFU; the other's
/// peer id on each page.
async fn two_playing(
    b: &[Client],
    base: &str,
    room: &str,
    names: [&str; 2],
) -> Result<Vec<String>, String> {
    for (client, name) in b.iter().zip(names) {
        join(client, base, room, name).await?;
    }
    let mut others = Vec::new();
    for (i, client) in b.iter().enumerate() {
        let other = peer_id_of(client, names[1 - i]).await?;
        wait_sfu_media_from(client, std::slice::from_ref(&other), MEDIA_TIMEOUT).await?;
        others.push(other);
    }
    Ok(others)
}

/// Ana and Ben on the SFU; then every datagram to or from the SFU's port is dropped until both
/// pages have restarted ICE (their SFU connection has new ICE credentials from the SFU), and
/// let through again: each page's media comes back, and nobody made a new SFU session.
async fn a_cut_connection_to_the_sfu_comes_back_by_an_ice_restart_in_the_same_session(
    env: &Env,
) -> Result<(), String> {
    const NAMES: [&str; 2] = ["Ana", "Ben"];
    let room = unique("sfu-ice-restart");
    let browsers = env.stage.crowd(&NAMES, FakeCamera::small).await?;
    let base = env.stage.base_url();
    let port = env
        .beside
        .udp
        .rsplit(':')
        .next()
        .ok_or("the SFU's address has no port")?
        .to_owned();
    let sessions_made = || env.beside.log_count("/sessions/new 201");
    with_browsers(browsers, async |b: &[Client]| {
        two_playing(b, base, &room, NAMES).await?;
        let mut before = Vec::new();
        for client in b {
            before.push(sfu_link(client).await?.ufrag);
        }
        let sessions = sessions_made()?;
        let cut = Cut::start(&port)?;
        for (client, before) in b.iter().zip(&before) {
            wait_for("an ICE restart with the SFU", MEDIA_TIMEOUT, || async {
                let now = sfu_link(client).await?;
                if now.ufrag != *before {
                    Ok(Some(()))
                } else {
                    Err(format!(
                        "(last: {}, ICE username {:?})",
                        now.state, now.ufrag
                    ))
                }
            })
            .await?;
        }
        drop(cut);
        for (i, client) in b.iter().enumerate() {
            let other = peer_id_of(client, NAMES[1 - i]).await?;
            wait_sfu_media_from(client, std::slice::from_ref(&other), MEDIA_TIMEOUT).await?;
        }
        let made = sessions_made()? - sessions;
        if made > 0 {
            return Err(format!(
                "{made} new SFU session(s): the restart did not keep the session"
            ));
        }
        Ok(())
    })
    .await
}

/// Ana and Ben on the SFU; then the SFU restarts and forgets both sessions. Each page's
/// connection drops, its ICE restart is refused (no such session), and it starts a new
/// session, pushes and pulls again: each page's media comes back, through two new sessions.
async fn a_restarted_sfu_is_joined_again_in_a_new_session(env: &Env) -> Result<(), String> {
    const NAMES: [&str; 2] = ["Ana", "Ben"];
    let room = unique("sfu-restarted");
    let browsers = env.stage.crowd(&NAMES, FakeCamera::small).await?;
    let base = env.stage.base_url();
    let sessions_made = || env.beside.log_count("/sessions/new 201");
    with_browsers(browsers, async |b: &[Client]| {
        let others = two_playing(b, base, &room, NAMES).await?;
        let sessions = sessions_made()?;
        let restarted = std::time::Instant::now();
        env.beside.restart()?;
        wait_for(
            "a new SFU session from each page",
            MEDIA_TIMEOUT,
            || async {
                let made = sessions_made()? - sessions;
                if made >= NAMES.len() {
                    Ok(Some(()))
                } else {
                    Err(format!("({made} made)"))
                }
            },
        )
        .await?;
        eprintln!(
            "e2e-sfu-only: both pages made new sessions {:.1?} after the SFU restarted",
            restarted.elapsed()
        );
        for (client, other) in b.iter().zip(&others) {
            wait_sfu_media_from(client, std::slice::from_ref(other), MEDIA_TIMEOUT).await?;
        }
        // Each page learned it from a call the SFU refused (an ICE restart, a layer update),
        // which the worker answered 410: the session is gone, a new one at once.
        if env.beside.log_count(" 404 no session")? == 0 {
            return Err("the new sessions came without a call the SFU refused first".into());
        }
        let worker_log = std::fs::read_to_string(env.stage.wrangler.log_path())
            .map_err(|e| format!("the worker's log: {e}"))?;
        let gone = worker_log
            .lines()
            .filter(|line| line.contains("/sfu/sessions/") && line.contains(" 410 "))
            .count();
        if gone == 0 {
            return Err("the worker never answered 410 for a session the SFU forgot".into());
        }
        Ok(())
    })
    .await
}

/// Datagrams to and from one UDP port dropped (this namespace's loopback), until dropped.
struct Cut;

impl Cut {
    fn start(port: &str) -> Result<Cut, String> {
        let rules = format!(
            "table inet confab_cut {{\n  chain out {{\n    type filter hook output priority 0;\n    \
             udp dport {port} drop\n    udp sport {port} drop\n  }}\n}}\n"
        );
        nft(&["-f", "-"], Some(&rules))?;
        Ok(Cut)
    }
}

impl Drop for Cut {
    fn drop(&mut self) {
        if let Err(e) = nft(&["delete", "table", "inet", "confab_cut"], None) {
            eprintln!("e2e-sfu-only: could not lift the cut: {e}");
        }
    }
}

fn nft(args: &[&str], input: Option<&str>) -> Result<(), String> {
    use std::io::Write as _;
    let mut child = std::process::Command::new(NFT)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{NFT}: {e}"))?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("nft {args:?}: {status}"))
}

/// The page's SFU connection: its state and the SFU's ICE username in its answer.
#[derive(Debug, serde::Deserialize)]
struct SfuLinkState {
    state: String,
    ufrag: Option<String>,
}

async fn sfu_link(client: &Client) -> Result<SfuLinkState, String> {
    let value = client
        .execute(
            r#"
const sfu = (window.confabPeers || new Map()).get('sfu');
if (!sfu) return null;
const sdp = sfu.remoteDescription ? sfu.remoteDescription.sdp : '';
const ufrag = sdp.match(/a=ice-ufrag:(\S+)/);
return { state: sfu.connectionState, ufrag: ufrag ? ufrag[1] : null };
"#,
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| format!("no SFU connection: {e}"))
}

/// Ana's 640×480 camera goes to the SFU in two layers (480 and 240 lines: as many as Chromium
/// sends of that size). Ben's page
/// pulls it in the middle one first and then asks (`tracks/update`) for the layer its tile
/// needs: the full picture in a large tile (about 250 device pixels: 240 lines would be blown
/// up); when his window shrinks, the half-size one.
async fn a_camera_comes_in_the_simulcast_layer_its_tile_needs(env: &Env) -> Result<(), String> {
    const NAMES: [&str; 2] = ["Ana", "Ben"];
    let room = unique("sfu-layers");
    let browsers = env.stage.crowd(&NAMES, FakeCamera::vga).await?;
    let base = env.stage.base_url();
    let updates = || env.beside.log_count("/tracks/update 200");
    let updates_before = updates()?;
    with_browsers(browsers, async |b: &[Client]| {
        for (client, name) in b.iter().zip(NAMES) {
            join(client, base, &room, name).await?;
        }
        let ana = peer_id_of(&b[1], "Ana").await?;
        wait_sfu_video_from(&b[1], std::slice::from_ref(&ana), MEDIA_TIMEOUT).await?;
        let sent = wait_for("Ana's two layers", MEDIA_TIMEOUT, || async {
            let layers = sent_video_layers(&b[0]).await?;
            let heights: Vec<u64> = layers
                .as_array()
                .map(|l| l.iter().filter_map(|s| s["height"].as_u64()).collect())
                .unwrap_or_default();
            let two = heights.len() == 2 && heights.contains(&480) && heights.contains(&240);
            two.then_some(Some(heights.clone()))
                .ok_or_else(|| format!("(last: {layers})"))
        })
        .await?;
        eprintln!("e2e-sfu-only: Ana sends layers of {sent:?} lines");
        let large = wait_for(
            "the full picture in Ben's large tile",
            MEDIA_TIMEOUT,
            || async {
                let now = tile_picture(&b[1], &ana).await?;
                (now.video >= 480.0)
                    .then_some(Some(now.clone()))
                    .ok_or_else(|| format!("(last: {now:?})"))
            },
        )
        .await?;
        eprintln!("e2e-sfu-only: Ben's tile of Ana {large:?}");
        // Pulled in the half-size layer, then asked for the full one.
        let stepped_up = updates()?;
        if stepped_up == updates_before {
            return Err("the full picture came without a tracks/update".into());
        }
        // 1000×560: the tile about 170 device pixels tall, which half the picture still fills.
        b[1].set_window_size(1000, 560)
            .await
            .map_err(|e| e.to_string())?;
        let small = wait_for(
            "a smaller layer in Ben's small tile",
            MEDIA_TIMEOUT,
            || async {
                let now = tile_picture(&b[1], &ana).await?;
                (now.video > 0.0 && now.video <= 240.0 && now.tile < large.tile)
                    .then_some(Some(now.clone()))
                    .ok_or_else(|| format!("(last: {now:?})"))
            },
        )
        .await?;
        eprintln!("e2e-sfu-only: Ben's tile of Ana, window shrunk: {small:?}");
        if updates()? == stepped_up {
            return Err("the smaller layer came without a tracks/update".into());
        }
        Ok(())
    })
    .await
}

/// A tile's height in device pixels and the height of the picture playing in it.
#[derive(Debug, Clone, serde::Deserialize)]
struct TilePicture {
    tile: f64,
    video: f64,
}

async fn tile_picture(client: &Client, peer: &str) -> Result<TilePicture, String> {
    let value = client
        .execute(
            r#"
const tile = document.querySelector(`[data-testid="video-tile"][data-kind="camera"][data-peer-id="${arguments[0]}"]`);
const video = tile && tile.querySelector('video');
if (!video) return null;
return { tile: video.getBoundingClientRect().height * devicePixelRatio, video: video.videoHeight };
"#,
            vec![serde_json::json!(peer)],
        )
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| format!("no tile of {peer}: {e}"))
}
