//! Screen share in a call of three: the others get the sharer's screen as its own tile (at the
//! size it is captured at: text must stay readable), someone joining mid-share sees it too, everyone's camera and
//! microphone keep flowing during and after, and the browser's own "Stop sharing" (the track
//! ending) removes it everywhere.

use std::time::Duration;

use confab_tests::room_page::{
    click, join, unique, wait_attribute, wait_for, wait_live_media_from,
};
use fantoccini::Client;
use serde::Deserialize;
use serde_json::json;

use crate::page::{wait_tile, TIMEOUT};
use crate::Env;

/// `peer`'s screen tile as this page shows it (`null`: none).
const SCREEN_JS: &str = r#"
const v = document.querySelector(
  `[data-testid=video-tile][data-kind=screen][data-peer-id="${arguments[0]}"] video`);
return v ? { time: v.currentTime, width: v.videoWidth, height: v.videoHeight } : null;
"#;

/// What the browser does when the person clicks its "Stop sharing" bar: the track ends.
const STOP_FROM_BROWSER_JS: &str = r#"
window.sharedTrack = document.querySelector('[data-testid=video-tile][data-kind=screen] video')
  .srcObject.getVideoTracks()[0];
window.sharedTrack.dispatchEvent(new Event('ended'));
"#;

#[derive(Debug, Deserialize, PartialEq)]
struct Screen {
    time: f64,
    width: u32,
    height: u32,
}

async fn screen_of(client: &Client, peer: &str) -> Result<Option<Screen>, String> {
    let value = client
        .execute(SCREEN_JS, vec![json!(peer)])
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Waits until `who` sees `peer`'s screen playing at `size`, the size it was captured at.
async fn wait_screen(
    client: &Client,
    who: &str,
    peer: &str,
    size: (u32, u32),
) -> Result<(), String> {
    let last = std::cell::Cell::new(0.0);
    let (width, height) = size;
    wait_for(
        &format!("{who} to see the screen playing at {width}×{height}"),
        TIMEOUT,
        || async {
            let seen = screen_of(client, peer).await?;
            let Some(screen) = seen else {
                return Err("(no screen tile)".into());
            };
            let advancing = screen.time > last.replace(screen.time) && screen.time > 0.5;
            if advancing && (screen.width, screen.height) == size {
                Ok(Some(()))
            } else {
                Err(format!("(seen: {screen:?})"))
            }
        },
    )
    .await
}

async fn wait_no_screen(client: &Client, who: &str, peer: &str) -> Result<(), String> {
    wait_for(
        &format!("{who} to see the screen gone"),
        TIMEOUT,
        || async { Ok(screen_of(client, peer).await?.is_none().then_some(())) },
    )
    .await
}

/// How long each check of flowing media may take.
const MEDIA: Duration = Duration::from_secs(30);

/// Ana and Ben are in a call; Ana shares her screen: Ben sees it. Cho joins mid-share and
/// sees it. Everyone's camera and sound flow. Ana stops from the browser's bar: the screen
/// leaves both screens, and media keeps flowing.
pub async fn a_shared_screen_reaches_everyone_and_stops_everywhere(
    env: &Env,
) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("screen");
    env.with_browsers(&["ana", "ben", "cho"], async |b: &[Client]| {
        let (ana, ben, cho) = (&b[0], &b[1], &b[2]);
        join(ana, base, &room, "Ana").await?;
        join(ben, base, &room, "Ben").await?;
        let ana_id = wait_tile(ben, "Ben", "Ana").await?;
        wait_tile(ana, "Ana", "Ben").await?;

        click(ana, "screen-share-button").await?;
        let captured = wait_for("Ana to see her own screen", TIMEOUT, || async {
            let mine = screen_of(ana, &ana_id).await?;
            Ok(mine.filter(|s| s.width > 0).map(|s| (s.width, s.height)))
        })
        .await?;
        eprintln!("e2e-paths: the fake screen is captured at {captured:?}");
        wait_screen(ben, "Ben", &ana_id, captured).await?;

        join(cho, base, &room, "Cho").await?;
        wait_screen(cho, "Cho (joining mid-share)", &ana_id, captured).await?;
        let ben_id = wait_tile(cho, "Cho", "Ben").await?;
        let cho_id = wait_tile(ben, "Ben", "Cho").await?;
        let flowing = async |when: &str| -> Result<(), String> {
            for (who, client, from) in [
                ("Ana", ana, vec![ben_id.clone(), cho_id.clone()]),
                ("Ben", ben, vec![ana_id.clone(), cho_id.clone()]),
                ("Cho", cho, vec![ana_id.clone(), ben_id.clone()]),
            ] {
                wait_live_media_from(client, &from, MEDIA)
                    .await
                    .map_err(|e| format!("{who}'s camera and sound from the others {when}: {e}"))?;
            }
            Ok(())
        };
        flowing("while Ana shares").await?;

        ana.execute(STOP_FROM_BROWSER_JS, vec![])
            .await
            .map_err(|e| e.to_string())?;
        let share_button = "[data-testid=screen-share-button]";
        wait_attribute(ana, "Ana", share_button, "aria-pressed", "false", TIMEOUT).await?;
        let capture = ana
            .execute("return window.sharedTrack.readyState;", vec![])
            .await
            .map_err(|e| e.to_string())?;
        if capture != json!("ended") {
            return Err(format!("Ana's screen capture still running: {capture}"));
        }
        wait_no_screen(ben, "Ben", &ana_id).await?;
        wait_no_screen(cho, "Cho", &ana_id).await?;
        flowing("after Ana stopped sharing").await
    })
    .await
}
