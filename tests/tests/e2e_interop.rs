//! Browser interop: headless Chromium and headless Firefox ESR in one call, against the real
//! worker under `wrangler dev`, inside a private network namespace (see `e2e_call.rs`). Each
//! order of joining is a trial, because the one who joins second makes the offer: both
//! browsers must work as offerer and as answerer. Run by `cargo xtask test` (root is needed for
//! the namespace; it installs Firefox ESR and geckodriver). A third trial covers the meeting
//! features across the two: a screen shared from Chromium (Firefox's own screen capture needs
//! its picker, which automation cannot answer), who is speaking, reactions, and a hand raised
//! by keyboard shortcut in Firefox.

use std::process::ExitCode;
use std::time::Duration;

use confab_tests::firefox::GeckoDriver;
use confab_tests::room_page::{
    attribute, join, send_chat, tiles, unique, wait_attribute, wait_chat_text, wait_for,
    wait_live_media_from, wait_tiles_playing, with_browsers,
};
use confab_tests::stage::Stage;
use confab_tests::wrangler::Options;
use fantoccini::Client;

const MEDIA_TIMEOUT: Duration = Duration::from_secs(30);
const CHAT_TIMEOUT: Duration = Duration::from_secs(15);

/// Fields drop in declaration order: geckodriver (and its Firefox) before the stage's worker
/// and namespace.
struct Env {
    gecko: GeckoDriver,
    stage: Stage,
}

impl confab_tests::suite::Runs for Env {
    fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.stage.runtime
    }
    fn worker_logs(&self) -> Vec<std::path::PathBuf> {
        confab_tests::suite::Runs::worker_logs(&self.stage)
    }
}

fn main() -> ExitCode {
    confab_tests::stage_main!("e2e-interop" => start();
        chromium_joins_first_then_firefox,
        firefox_joins_first_then_chromium,
        meeting_features_work_between_chromium_and_firefox,
    )
}

fn start() -> Result<Env, String> {
    // geckodriver starts inside the namespace, so the Firefox it launches lives there too.
    let (stage, gecko) = Stage::enter_with("e2e-interop", |scratch| {
        Ok((Options::default(), GeckoDriver::start(scratch)?))
    })?;
    Ok(Env { gecko, stage })
}

#[derive(Clone, Copy)]
enum Browser {
    Chromium,
    Firefox,
}

impl Browser {
    fn name(self) -> &'static str {
        match self {
            Browser::Chromium => "Chromium",
            Browser::Firefox => "Firefox",
        }
    }
}

impl Env {
    async fn open(&self, browser: Browser) -> Result<Client, String> {
        match browser {
            Browser::Chromium => self.stage.browser("chromium").await,
            Browser::Firefox => {
                let profile = self.gecko.profile_dir(&self.stage.scratch, "firefox");
                self.gecko.browser(&profile).await
            }
        }
    }

    /// Opens both browsers (closing the first if the second fails to start), runs the call with
    /// `order[0]` joining first, and closes them whatever the outcome.
    async fn call(&self, order: [Browser; 2], room: &str) -> Result<(), String> {
        let first = self.open(order[0]).await?;
        let second = match self.open(order[1]).await {
            Ok(client) => client,
            Err(e) => {
                let _ = first.close().await;
                return Err(e);
            }
        };
        with_browsers(vec![first, second], async |b: &[Client]| {
            call_between(self, b, order.map(Browser::name), &unique(room)).await
        })
        .await
    }
}

/// Waits until `client` shows a tile named `name` whose link reports `connected`; returns the
/// peer id.
async fn wait_connected_tile(client: &Client, who: &str, name: &str) -> Result<String, String> {
    wait_for(
        &format!("{who} to see a connected tile for {name}"),
        MEDIA_TIMEOUT,
        || async {
            let tiles = tiles(client).await?;
            let Some(tile) = tiles.iter().find(|t| t.name == name) else {
                return Ok(None);
            };
            let selector = format!(
                "[data-testid=\"video-tile\"][data-peer-id=\"{}\"]",
                tile.peer_id
            );
            let connection = client
                .execute(
                    "const t = document.querySelector(arguments[0]);
                     return t ? t.dataset.connection || null : null;",
                    vec![serde_json::Value::String(selector)],
                )
                .await
                .map_err(|e| e.to_string())?;
            Ok((connection.as_str() == Some("connected")).then(|| tile.peer_id.clone()))
        },
    )
    .await
}

/// Waits until the tile for `peer` on `client` rates its link `good` and not relayed.
async fn wait_good_direct_link(client: &Client, who: &str, peer: &str) -> Result<(), String> {
    let selector = format!("[data-testid=\"video-tile\"][data-peer-id=\"{peer}\"]");
    wait_for(
        &format!("{who} to rate the link good and direct"),
        MEDIA_TIMEOUT,
        || {
            let selector = selector.clone();
            async move {
                let state = client
                    .execute(
                        "const t = document.querySelector(arguments[0]);
                         return t ? [t.dataset.quality || null, t.dataset.relayed || null] : null;",
                        vec![serde_json::Value::String(selector)],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                if state == serde_json::json!(["good", "false"]) {
                    Ok(Some(()))
                } else {
                    Err(format!("(last [quality, relayed]: {state})"))
                }
            }
        },
    )
    .await
}

/// `b[0]` joins, then `b[1]` (named `names`): each must see the other's tile connected, receive
/// live video and audio, play them on that tile, rate the link good and direct, and read the other's chat message.
async fn call_between(env: &Env, b: &[Client], names: [&str; 2], room: &str) -> Result<(), String> {
    let base = env.stage.base_url();
    join(&b[0], base, room, names[0])
        .await
        .map_err(|e| format!("{} joining: {e}", names[0]))?;
    join(&b[1], base, room, names[1])
        .await
        .map_err(|e| format!("{} joining: {e}", names[1]))?;
    let mut peers = Vec::new();
    for (i, client) in b.iter().enumerate() {
        let (me, other) = (names[i], names[1 - i]);
        peers.push(wait_connected_tile(client, me, other).await?);
    }
    for (i, client) in b.iter().enumerate() {
        wait_live_media_from(client, &peers[i..=i], MEDIA_TIMEOUT)
            .await
            .map_err(|e| format!("{} receiving from {}: {e}", names[i], names[1 - i]))?;
        wait_tiles_playing(client, &peers[i..=i], MEDIA_TIMEOUT)
            .await
            .map_err(|e| format!("{} showing {}: {e}", names[i], names[1 - i]))?;
    }
    // Each side's stats (Chromium's and Firefox's getStats differ) rate the loopback link
    // good and direct.
    for (i, client) in b.iter().enumerate() {
        wait_good_direct_link(client, names[i], &peers[i]).await?;
    }
    for (i, client) in b.iter().enumerate() {
        let text = unique(&format!("hello from {}", names[i]));
        send_chat(client, &text).await?;
        wait_chat_text(&b[1 - i], &text, CHAT_TIMEOUT)
            .await
            .map_err(|e| format!("{} reading {}'s chat: {e}", names[1 - i], names[i]))?;
    }
    Ok(())
}

async fn chromium_joins_first_then_firefox(env: &Env) -> Result<(), String> {
    env.call([Browser::Chromium, Browser::Firefox], "interop-cf")
        .await
}

async fn firefox_joins_first_then_chromium(env: &Env) -> Result<(), String> {
    env.call([Browser::Firefox, Browser::Chromium], "interop-fc")
        .await
}

/// Ana (Chromium) and Fox (Firefox) in a call: each sees the other ringed as speaking (both
/// fake microphones make sound; Firefox reads levels with its own getSynchronizationSources);
/// Ana shares her screen and Fox gets it as a playing screen tile; Fox reacts and Ana sees it
/// on Fox's tile; Fox presses M (muted: her hand would lower itself while she talks) and H, and
/// Ana sees Fox's mic off and her hand first in the queue.
async fn meeting_features_work_between_chromium_and_firefox(env: &Env) -> Result<(), String> {
    let ana = env.open(Browser::Chromium).await?;
    let fox = match env.open(Browser::Firefox).await {
        Ok(fox) => fox,
        Err(e) => {
            let _ = ana.close().await;
            return Err(e);
        }
    };
    let base = env.stage.base_url().to_owned();
    let room = unique("interop-meet");
    with_browsers(vec![ana, fox], async |b: &[Client]| {
        let (ana, fox) = (&b[0], &b[1]);
        join(ana, &base, &room, "Ana").await?;
        join(fox, &base, &room, "Fox").await?;
        let fox_id = wait_connected_tile(ana, "Ana", "Fox").await?;
        let ana_id = wait_connected_tile(fox, "Fox", "Ana").await?;
        let tile = |peer: &str| format!("[data-testid=video-tile][data-kind=camera][data-peer-id=\"{peer}\"]");
        wait_attribute(fox, "Fox (Firefox)", &tile(&ana_id), "data-speaking", "true", MEDIA_TIMEOUT).await?;
        wait_attribute(ana, "Ana (Chromium)", &tile(&fox_id), "data-speaking", "true", MEDIA_TIMEOUT).await?;

        confab_tests::room_page::click(ana, "screen-share-button").await?;
        let screen = format!("[data-testid=video-tile][data-kind=screen][data-peer-id=\"{ana_id}\"] video");
        let last = std::cell::Cell::new(0.0);
        wait_for("Fox (Firefox) to see Ana's screen playing", MEDIA_TIMEOUT, || async {
            let seen = fox
                .execute(
                    "const v = document.querySelector(arguments[0]); return v && [v.currentTime, v.videoWidth];",
                    vec![serde_json::json!(screen)],
                )
                .await
                .map_err(|e| e.to_string())?;
            let time = seen[0].as_f64().unwrap_or(0.0);
            let advancing = time > last.replace(time) && time > 0.5;
            let sized = seen[1].as_u64().is_some_and(|w| w > 0);
            if advancing && sized {
                Ok(Some(()))
            } else {
                Err(format!("(seen [time, width]: {seen})"))
            }
        })
        .await?;

        confab_tests::room_page::click(fox, "reaction-button").await?;
        fox.find(fantoccini::Locator::Css("[data-testid=reaction-option]"))
            .await
            .map_err(|e| e.to_string())?
            .click()
            .await
            .map_err(|e| e.to_string())?;
        let reaction = format!("{} [data-testid=reaction]", tile(&fox_id));
        wait_for("Ana to see Fox's 👍", MEDIA_TIMEOUT, || async {
            let text = ana
                .execute(
                    "const r = document.querySelector(arguments[0]); return r && r.textContent.trim();",
                    vec![serde_json::json!(reaction)],
                )
                .await
                .map_err(|e| e.to_string())?;
            Ok((text == serde_json::json!("👍")).then_some(()))
        })
        .await?;

        fox.execute("document.activeElement.blur();", vec![])
            .await
            .map_err(|e| e.to_string())?;
        fox.find(fantoccini::Locator::Css("body"))
            .await
            .map_err(|e| e.to_string())?
            .send_keys("mh")
            .await
            .map_err(|e| e.to_string())?;
        wait_attribute(ana, "Ana", &tile(&fox_id), "data-hand", "1", MEDIA_TIMEOUT).await?;
        let label = attribute(ana, &tile(&fox_id), "aria-label").await?;
        if !label.as_str().is_some_and(|l| l.contains("microphone off")) {
            return Err(format!("Fox pressed M, but Ana's tile for her says {label}"));
        }
        Ok(())
    })
    .await
}
