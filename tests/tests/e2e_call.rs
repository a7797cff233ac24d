//! Browser end-to-end tests: real headless Chromium (WebDriver) against the real worker under
//! `wrangler dev`, all inside a network namespace this test creates, so WebRTC runs over
//! loopback only. Run by `cargo xtask test` (root is needed for the namespace).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use confab_tests::fake_camera::FakeCamera;
use confab_tests::media_probe::{wait_picture, wait_sound};
use confab_tests::room_page::{
    click, find, join, join_when_ready, text_of, tiles, unique, wait_for, wait_live_media_from,
    wait_tiles_playing, with_browsers,
};
use confab_tests::stage::Stage;
use fantoccini::Client;

const MEDIA_TIMEOUT: Duration = Duration::from_secs(30);
/// Five browsers on two cores connect and start decoding more slowly.
const CROWD_TIMEOUT: Duration = Duration::from_secs(90);
/// The promise: a leaver's tile disappears within 2 s.
const LEAVE_DEADLINE: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    confab_tests::stage_main!(
        "e2e",
        two_people_see_and_hear_each_other,
        three_people_all_receive_two_live_streams,
        five_people_each_see_and_hear_the_four_others,
        leaving_or_closing_the_tab_removes_the_tile_within_2s,
        person_without_camera_or_mic_joins_receive_only_with_a_message,
        ninth_person_is_told_the_room_is_full,
        new_room_from_home_page_joins_in_one_click,
    )
}

/// Waits until `client` shows exactly the tiles named `names` (in any order); returns peer ids.
async fn wait_tiles(client: &Client, names: &[&str]) -> Result<Vec<String>, String> {
    let mut wanted: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    wanted.sort();
    wait_for(&format!("tiles {wanted:?}"), MEDIA_TIMEOUT, || async {
        let tiles = tiles(client).await?;
        let mut seen: Vec<String> = tiles.iter().map(|t| t.name.clone()).collect();
        seen.sort();
        Ok((seen == wanted).then(|| tiles.into_iter().map(|t| t.peer_id).collect()))
    })
    .await
}

async fn two_people_see_and_hear_each_other(env: &Stage) -> Result<(), String> {
    let room = unique("e2e-two");
    let browsers = vec![env.browser("ana").await?, env.browser("ben").await?];
    with_browsers(browsers, async |b: &[Client]| {
        join(&b[0], env.base_url(), &room, "Ana").await?;
        // Ben looks at his preview first: the page opens the room socket ahead, and the
        // click only joins on it.
        let socket = join_when_ready(&b[1], env.base_url(), &room, "Ben").await?;
        if !socket.contains("?standby=1") {
            return Err(format!("Ben's call does not use the socket opened ahead: {socket}"));
        }
        let ben = wait_tiles(&b[0], &["Ben"]).await?;
        let ana = wait_tiles(&b[1], &["Ana"]).await?;
        wait_live_media_from(&b[0], &ben, MEDIA_TIMEOUT).await?;
        wait_live_media_from(&b[1], &ana, MEDIA_TIMEOUT).await?;

        // The e2e stage has no TURN: both rooms say the relay is off, and each tile reports a
        // connected link (no "reconnecting…" label).
        for (client, who) in b.iter().zip(["Ana", "Ben"]) {
            wait_for(&format!("{who} to see connected tile and relay-off note"), MEDIA_TIMEOUT, || async {
                let state = client
                    .execute(
                        "const t = document.querySelector('[data-testid=video-tile]');
                         return [t && t.dataset.connection,
                                 !!document.querySelector('[data-testid=relay-off]'),
                                 !!document.querySelector('[data-testid=tile-reconnecting]')];",
                        vec![],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                Ok((state == serde_json::json!(["connected", true, false])).then_some(()))
            })
            .await?;
        }
        // Loopback without TURN: after a stats interval or two each tile rates the link good
        // and not relayed, with the indicator's label naming the figures.
        for (client, who) in b.iter().zip(["Ana", "Ben"]) {
            wait_for(&format!("{who} to see a good, direct link"), MEDIA_TIMEOUT, || async {
                let state = client
                    .execute(
                        "const t = document.querySelector('[data-testid=video-tile]');
                         const q = t && t.querySelector('[data-testid=tile-quality]');
                         return [t && t.dataset.quality, t && t.dataset.relayed,
                                 !!q && q.getAttribute('aria-label').startsWith('Connection: good (RTT ')];",
                        vec![],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                Ok((state == serde_json::json!(["good", "false", true])).then_some(()))
            })
            .await?;
        }
        let note = text_of(&b[0], "[data-testid=relay-off]").await?;
        if !note.contains("Relay (TURN) is off") {
            return Err(format!("relay-off note reads {note:?}"));
        }

        wait_tiles_playing(&b[0], &ben, MEDIA_TIMEOUT).await?;
        wait_tiles_playing(&b[1], &ana, MEDIA_TIMEOUT).await?;
        toggles_reach_the_other_side(b, &ana[0]).await
    })
    .await
}

/// What `client` sends: its local tracks as `kind:enabled`, sorted.
async fn sending(client: &Client) -> Result<String, String> {
    let value = client
        .execute(
            "const s = document.querySelector('[data-testid=local-video]').srcObject;
             return s.getTracks().map(t => t.kind + ':' + t.enabled).sort().join(',');",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

/// Waits until Ben's tile of Ana shows (or not) the "mic off" badge and the camera-off look.
async fn wait_tile_marks(
    ben: &Client,
    ana: &str,
    mic_off: bool,
    camera_off: bool,
) -> Result<(), String> {
    let what = format!("Ben's tile of Ana to show mic off: {mic_off}, camera off: {camera_off}");
    wait_for(&what, MEDIA_TIMEOUT, || async {
        let marks = ben
            .execute(
                "const t = document.querySelector(`[data-testid=video-tile][data-peer-id=\"${arguments[0]}\"]`);
                 return t && [[...t.querySelectorAll('.badge')].some(b => b.textContent === 'mic off'),
                              t.classList.contains('camera-off')];",
                vec![serde_json::json!(ana)],
            )
            .await
            .map_err(|e| e.to_string())?;
        if marks == serde_json::json!([mic_off, camera_off]) {
            Ok(Some(()))
        } else {
            Err(format!("(last [mic off, camera off]: {marks})"))
        }
    })
    .await
}

/// Ana (`b[0]`) mutes, unmutes, turns her camera off and on again; each time Ben (`b[1]`, whose
/// peer id for Ana is `ana`) must hear and see exactly that, and his tile of her say so.
async fn toggles_reach_the_other_side(b: &[Client], ana: &str) -> Result<(), String> {
    let ana_only = [ana.to_owned()];
    let at_ben = |step: &'static str| move |e: String| format!("at Ben, {step}: {e}");
    wait_sound(&b[1], &ana_only, true, MEDIA_TIMEOUT)
        .await
        .map_err(at_ben("before any toggle"))?;
    wait_picture(&b[1], ana, true, MEDIA_TIMEOUT)
        .await
        .map_err(at_ben("before any toggle"))?;

    click(&b[0], "mic-toggle").await?;
    let sent = sending(&b[0]).await?;
    if sent != "audio:false,video:true" {
        return Err(format!(
            "a muted mic's track must be disabled (and only it), got {sent}"
        ));
    }
    wait_tile_marks(&b[1], ana, true, false).await?;
    wait_sound(&b[1], &ana_only, false, MEDIA_TIMEOUT)
        .await
        .map_err(at_ben("after Ana muted"))?;
    wait_picture(&b[1], ana, true, MEDIA_TIMEOUT)
        .await
        .map_err(at_ben("after Ana muted (her camera is still on)"))?;

    click(&b[0], "mic-toggle").await?;
    wait_tile_marks(&b[1], ana, false, false).await?;
    wait_sound(&b[1], &ana_only, true, MEDIA_TIMEOUT)
        .await
        .map_err(at_ben("after Ana unmuted"))?;

    click(&b[0], "cam-toggle").await?;
    let sent = sending(&b[0]).await?;
    if sent != "audio:true,video:false" {
        return Err(format!(
            "a camera turned off must have its track disabled (and only it), got {sent}"
        ));
    }
    wait_tile_marks(&b[1], ana, false, true).await?;
    wait_picture(&b[1], ana, false, MEDIA_TIMEOUT)
        .await
        .map_err(at_ben("after Ana turned her camera off"))?;
    wait_sound(&b[1], &ana_only, true, MEDIA_TIMEOUT)
        .await
        .map_err(at_ben(
            "after Ana turned her camera off (her mic is still on)",
        ))?;

    click(&b[0], "cam-toggle").await?;
    wait_tile_marks(&b[1], ana, false, false).await?;
    wait_picture(&b[1], ana, true, MEDIA_TIMEOUT)
        .await
        .map_err(at_ben("after Ana turned her camera back on"))?;
    wait_tiles_playing(&b[1], &ana_only, MEDIA_TIMEOUT)
        .await
        .map_err(at_ben("after Ana turned her camera back on"))
}

async fn join_three(env: &Stage, b: &[Client], room: &str) -> Result<(), String> {
    for (client, name) in b.iter().zip(["Ana", "Ben", "Cho"]) {
        join(client, env.base_url(), room, name).await?;
    }
    Ok(())
}

async fn three_people_all_receive_two_live_streams(env: &Stage) -> Result<(), String> {
    let room = unique("e2e-three");
    let browsers = vec![
        env.browser("ana").await?,
        env.browser("ben").await?,
        env.browser("cho").await?,
    ];
    with_browsers(browsers, async |b: &[Client]| {
        join_three(env, b, &room).await?;
        let all = ["Ana", "Ben", "Cho"];
        for (i, client) in b.iter().enumerate() {
            let others: Vec<&str> = all
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, n)| *n)
                .collect();
            let peers = wait_tiles(client, &others).await?;
            wait_live_media_from(client, &peers, MEDIA_TIMEOUT)
                .await
                .map_err(|e| format!("{}: {e}", all[i]))?;
            wait_tiles_playing(client, &peers, MEDIA_TIMEOUT)
                .await
                .map_err(|e| format!("{}: {e}", all[i]))?;
        }
        let png = b[0].screenshot().await.map_err(|e| e.to_string())?;
        let path = env.scratch.join("room-three-participants.png");
        std::fs::write(&path, png).map_err(|e| e.to_string())?;
        eprintln!("e2e: screenshot saved to {}", path.display());
        Ok(())
    })
    .await
}

/// Five people, each with a small looping camera file (two cores encode and decode twenty
/// streams): every page shows the four others, each tile playing its own peer's video, with
/// audio that carries sound.
async fn five_people_each_see_and_hear_the_four_others(env: &Stage) -> Result<(), String> {
    const NAMES: [&str; 5] = ["Ana", "Ben", "Cho", "Dev", "Eli"];
    const TINTS: [(u8, u8); 5] = [(90, 160), (160, 90), (90, 90), (160, 160), (128, 200)];
    let room = unique("e2e-five");
    let mut browsers = Vec::new();
    for (name, tint) in NAMES.iter().zip(TINTS) {
        let camera = env.scratch.join(format!("camera-{name}.y4m"));
        let opened = match FakeCamera::small(tint).write(&camera) {
            Ok(()) => env.browser_with_camera(name, &camera).await,
            Err(e) => Err(e),
        };
        match opened {
            Ok(client) => browsers.push(client),
            Err(e) => return with_browsers(browsers, async |_: &[Client]| Err(e)).await,
        }
    }
    with_browsers(browsers, async |b: &[Client]| {
        let started = Instant::now();
        for (client, name) in b.iter().zip(NAMES) {
            join(client, env.base_url(), &room, name).await?;
        }
        eprintln!("e2e: five joined in {:?}", started.elapsed());
        let checks = b.iter().zip(NAMES).map(|(client, me)| async move {
            let others: Vec<&str> = NAMES.into_iter().filter(|n| *n != me).collect();
            let peers = wait_tiles(client, &others).await?;
            wait_live_media_from(client, &peers, CROWD_TIMEOUT).await?;
            wait_tiles_playing(client, &peers, CROWD_TIMEOUT).await?;
            wait_sound(client, &peers, true, CROWD_TIMEOUT).await
        });
        let results = futures_util::future::join_all(checks).await;
        let failures: Vec<String> = (NAMES.iter().zip(results))
            .filter_map(|(me, result)| result.err().map(|e| format!("{me}: {e}")))
            .collect();
        eprintln!("e2e: five pages checked in {:?}", started.elapsed());
        let png = b[0].screenshot().await.map_err(|e| e.to_string())?;
        let path = env.scratch.join("room-five-participants.png");
        std::fs::write(&path, png).map_err(|e| e.to_string())?;
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures.join("\n"))
        }
    })
    .await
}

async fn leaving_or_closing_the_tab_removes_the_tile_within_2s(env: &Stage) -> Result<(), String> {
    let room = unique("e2e-leave");
    let browsers = vec![env.browser("ana").await?, env.browser("ben").await?];
    let cho = env.browser("cho").await?;
    with_browsers(browsers, async |b: &[Client]| {
        join(&b[0], env.base_url(), &room, "Ana").await?;
        join(&b[1], env.base_url(), &room, "Ben").await?;
        join(&cho, env.base_url(), &room, "Cho").await?;
        wait_tiles(&b[0], &["Ben", "Cho"]).await?;
        wait_tiles(&b[1], &["Ana", "Cho"]).await?;

        for client in b {
            watch_tile_removal(client, "Cho").await?;
        }
        // From the click itself, as Cho's page sees it (WebDriver's own round trip to deliver
        // the click is not the app's time).
        cho.execute(
            "window.confabLeaveClickedAt = null;
             document.addEventListener('click', e => {
                 if (e.target.closest('[data-testid=leave-button]')) window.confabLeaveClickedAt = Date.now();
             }, { capture: true });",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
        click(&cho, "leave-button").await?;
        let clicked = (cho.execute("return window.confabLeaveClickedAt;", vec![]).await)
            .map_err(|e| e.to_string())?
            .as_f64()
            .ok_or("Cho's page saw no click on Leave")?;
        for (client, who) in b.iter().zip(["Ana", "Ben"]) {
            let gone = tile_removed_at(client, &format!("Cho's tile to go at {who}")).await?;
            within_leave_deadline(
                &format!("leave button → Cho's tile gone at {who}"),
                gone - clicked,
            )?;
        }
        let ended = text_of(&cho, ".ended").await?;
        if !ended.contains("You left") {
            return Err(format!("leaver should see that they left, saw {ended:?}"));
        }

        // Closing the browser (tab) without clicking anything.
        cho.close().await.map_err(|e| e.to_string())?;
        watch_tile_removal(&b[0], "Ben").await?;
        let closed = page_clock(&b[0]).await?;
        b[1].close_window().await.map_err(|e| e.to_string())?;
        let gone = tile_removed_at(&b[0], "Ben's tile to go after his tab closed").await?;
        within_leave_deadline("tab closed → Ben's tile gone at Ana", gone - closed)
    })
    .await
}

/// The page's wall clock in milliseconds (pages of one machine share it, so times read in
/// different browsers compare).
async fn page_clock(client: &Client) -> Result<f64, String> {
    let now = (client.execute("return Date.now();", vec![]).await).map_err(|e| e.to_string())?;
    now.as_f64().ok_or_else(|| format!("Date.now() gave {now}"))
}

/// From now on the page notes, on its own clock, the moment `name`'s tile leaves it, so the
/// time measured is when a person would see it go, not when a poll got round to looking.
async fn watch_tile_removal(client: &Client, name: &str) -> Result<(), String> {
    client
        .execute(
            "const name = arguments[0];
             const present = () => !!document.querySelector(
                 `[data-testid=video-tile][data-name=\"${name}\"]`);
             if (!present()) { return 'no tile of ' + name; }
             window.confabTileGoneAt = null;
             const watch = new MutationObserver(() => {
                 if (!present()) { window.confabTileGoneAt = Date.now(); watch.disconnect(); }
             });
             watch.observe(document.body, { childList: true, subtree: true });
             return null;",
            vec![serde_json::json!(name)],
        )
        .await
        .map_err(|e| e.to_string())?
        .as_str()
        .map_or(Ok(()), |problem| Err(problem.to_owned()))
}

/// When the watched tile left the page ([`watch_tile_removal`]), on the page's clock.
async fn tile_removed_at(client: &Client, what: &str) -> Result<f64, String> {
    wait_for(what, MEDIA_TIMEOUT, || async {
        let at = (client
            .execute("return window.confabTileGoneAt;", vec![])
            .await)
            .map_err(|e| e.to_string())?;
        Ok(at.as_f64())
    })
    .await
}

fn within_leave_deadline(what: &str, took_ms: f64) -> Result<(), String> {
    eprintln!("e2e: {what} in {took_ms:.0} ms");
    if took_ms > LEAVE_DEADLINE.as_millis() as f64 {
        return Err(format!(
            "{what} took {took_ms:.0} ms (at most {LEAVE_DEADLINE:?})"
        ));
    }
    Ok(())
}

async fn person_without_camera_or_mic_joins_receive_only_with_a_message(
    env: &Stage,
) -> Result<(), String> {
    let room = unique("e2e-nodev");
    let browsers = vec![
        env.browser("ana").await?,
        env.browser_without_devices("ben").await?,
    ];
    with_browsers(browsers, async |b: &[Client]| {
        join(&b[0], env.base_url(), &room, "Ana").await?;
        // Before joining, the page says what is missing and how to fix it.
        b[1].goto(&format!("{}/r/{room}", env.base_url()))
            .await
            .map_err(|e| e.to_string())?;
        let help = find(&b[1], "device-help", MEDIA_TIMEOUT)
            .await?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        if !help.contains("Connect a camera or microphone") {
            return Err(format!("expected help to connect a device, saw {help:?}"));
        }
        join(&b[1], env.base_url(), &room, "Ben").await?;
        let notice = text_of(&b[1], ".call .notice").await?;
        if !notice.contains("receive-only") {
            return Err(format!("expected a receive-only notice, saw {notice:?}"));
        }
        let ana = wait_tiles(&b[1], &["Ana"]).await?;
        wait_tiles(&b[0], &["Ben"]).await?;
        wait_live_media_from(&b[1], &ana, MEDIA_TIMEOUT).await?;
        Ok(())
    })
    .await
}

async fn ninth_person_is_told_the_room_is_full(env: &Stage) -> Result<(), String> {
    use confab_tests::{http, ws_client};
    let room = unique("e2e-full");
    let mut members = Vec::new();
    for i in 0..confab_protocol::limits::ROOM_CAPACITY {
        let token = http::guest(env.base_url(), &format!("Bot {i}")).access_token;
        members.push(ws_client::join(&env.wrangler, &room, &token, "bot").await);
    }
    let browsers = vec![env.browser("ninth").await?];
    with_browsers(browsers, async |b: &[Client]| {
        b[0].goto(&format!("{}/r/{room}", env.base_url()))
            .await
            .map_err(|e| e.to_string())?;
        find(&b[0], "name-input", MEDIA_TIMEOUT)
            .await?
            .send_keys("Nina")
            .await
            .map_err(|e| e.to_string())?;
        click(&b[0], "join-button").await?;
        wait_for("the room-full message", MEDIA_TIMEOUT, || async {
            Ok(text_of(&b[0], ".ended")
                .await?
                .contains("room is full")
                .then_some(()))
        })
        .await?;
        Ok(())
    })
    .await?;
    drop(members);
    Ok(())
}

async fn new_room_from_home_page_joins_in_one_click(env: &Stage) -> Result<(), String> {
    let browsers = vec![env.browser("home").await?];
    with_browsers(browsers, async |b: &[Client]| {
        b[0].goto(env.base_url()).await.map_err(|e| e.to_string())?;
        find(&b[0], "name-input", MEDIA_TIMEOUT)
            .await?
            .send_keys("Hana")
            .await
            .map_err(|e| e.to_string())?;
        click(&b[0], "new-room-button").await?;
        find(&b[0], "local-video", MEDIA_TIMEOUT).await?;
        let url = b[0].current_url().await.map_err(|e| e.to_string())?;
        let room = url
            .path()
            .strip_prefix("/r/")
            .unwrap_or_default()
            .to_owned();
        if room.len() != 32 || !room.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!(
                "expected an unguessable room in the URL, got {url}"
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "the room URL must carry nothing else (no tokens): {url}"
            ));
        }
        Ok(())
    })
    .await
}
