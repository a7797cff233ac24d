//! Before joining: the preview plays, the microphone's meter moves with sound and falls to zero
//! when muted, both fake cameras are listed, the one chosen is the one the others see, the
//! muted microphone stays muted on joining, and the choice is remembered on the next visit.
//! The call token and ICE servers are fetched before the click (`data-ready`). In the call,
//! the device settings switch the camera without a new negotiation, and a camera that goes
//! away is replaced by another, with a notice.

use confab_tests::room_page::{self, click, find, join, unique, wait_for};
use fantoccini::Client;
use serde::Deserialize;
use serde_json::json;

use crate::page::{type_into, wait_tile, TIMEOUT};
use crate::Env;

/// The pre-join page as Ben sees it: the preview's time, device and colour, the meter, and
/// each picker's options.
const PREVIEW_JS: &str = r#"
const v = document.querySelector('[data-testid=prejoin-preview]');
const meter = document.querySelector('[data-testid=mic-level]');
const options = id => [...document.querySelectorAll(`[data-testid=${id}] option`)]
  .map(o => ({ value: o.value, label: o.textContent, selected: o.selected }));
const track = v && v.srcObject && v.srcObject.getVideoTracks()[0];
return {
  time: v ? v.currentTime : 0,
  camera: track ? track.label : null,
  green: v ? green(v) : null,
  level: meter ? Number(meter.getAttribute('aria-valuenow')) : null,
  cameras: options('camera-select'),
  mics: options('mic-select'),
  speakers: options('speaker-select'),
  ready: document.querySelector('form.lobby')?.dataset.ready === 'true',
};
"#;

/// `green(video)`: the picture's mean green (0–255), which tells Chromium's fake cameras apart
/// (measured after encoding: `fake_device_0` 143–155, `fake_device_2` 125–128); `null` before
/// the first frame. Shared by the scripts here.
const GREEN_JS: &str = r#"
function green(v) {
  if (!v.videoWidth) return null;
  const c = document.createElement('canvas');
  c.width = 32; c.height = 24;
  const g = c.getContext('2d', { willReadFrequently: true });
  g.drawImage(v, 0, 0, 32, 24);
  const d = g.getImageData(0, 0, 32, 24).data;
  let sum = 0;
  for (let i = 1; i < d.length; i += 4) sum += d[i];
  return sum / (d.length / 4);
}
"#;

/// What Ana sees of Ben: the tile's label and the green of his picture.
const TILE_JS: &str = r#"
const tile = document.querySelector(`[data-testid=video-tile][data-name="${arguments[0]}"]`);
const v = tile && tile.querySelector('video');
return { label: tile ? tile.getAttribute('aria-label') : null, green: v ? green(v) : null,
         time: v ? v.currentTime : 0 };
"#;

/// Counts, in `window.negotiations`, every signaling state change of the page's peer
/// connections from now on (an offer or answer in either direction).
const COUNT_NEGOTIATIONS_JS: &str = r#"
window.negotiations = 0;
for (const pc of window.confabPeers.values()) {
  pc.addEventListener('signalingstatechange', () => window.negotiations++);
}
"#;

/// What the browser does when a camera is unplugged: its track ends.
const UNPLUG_CAMERA_JS: &str = r#"
document.querySelector('[data-testid=local-video]').srcObject.getVideoTracks()[0]
  .dispatchEvent(new Event('ended'));
"#;

#[derive(Debug, Deserialize)]
struct Option_ {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Debug, Deserialize)]
struct Preview {
    time: f64,
    camera: Option<String>,
    green: Option<f64>,
    level: Option<u8>,
    cameras: Vec<Option_>,
    mics: Vec<Option_>,
    speakers: Vec<Option_>,
    ready: bool,
}

#[derive(Debug, Deserialize)]
struct Tile {
    label: Option<String>,
    green: Option<f64>,
    time: f64,
}

/// How far apart the two cameras' mean green must be in the preview for the receiver's picture
/// to tell which one it shows (measured: about 20).
const DISTINCT_GREEN: f64 = 10.0;

async fn preview(client: &Client) -> Result<Preview, String> {
    let value = client
        .execute(&format!("{GREEN_JS}{PREVIEW_JS}"), vec![])
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

async fn tile(client: &Client, name: &str) -> Result<Tile, String> {
    let value = client
        .execute(&format!("{GREEN_JS}{TILE_JS}"), vec![json!(name)])
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Waits until Ben's preview satisfies `test`.
async fn wait_preview(
    ben: &Client,
    what: &str,
    mut test: impl FnMut(&Preview) -> bool,
) -> Result<Preview, String> {
    let test = std::cell::RefCell::new(&mut test);
    wait_for(what, TIMEOUT, || async {
        let seen = preview(ben).await?;
        if (test.borrow_mut())(&seen) {
            Ok(Some(seen))
        } else {
            Err(format!("(seen: {seen:?})"))
        }
    })
    .await
}

/// Ben (three fake cameras) opens the room link: his first camera plays in the preview and the
/// meter moves with the fake microphone's beeps. He picks the third camera (the second,
/// `fake_device_1`, is a depth camera WebRTC cannot send), mutes, and joins when the page is
/// ready: Ana sees the third camera's picture and "microphone off". Back on the room link, the
/// third camera is still the chosen one.
pub async fn the_prejoin_page_previews_and_sends_the_chosen_camera(
    env: &Env,
) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("prejoin");
    let stage = env.stage();
    let browsers = vec![
        stage.browser("ana").await?,
        stage.browser_with_cameras("ben", 3).await?,
    ];
    room_page::with_browsers(browsers, async |b: &[Client]| {
        let (ana, ben) = (&b[0], &b[1]);
        join(ana, base, &room, "Ana").await?;
        let link = format!("{base}/r/{room}");
        ben.goto(&link).await.map_err(|e| e.to_string())?;
        type_into(ben, "name-input", "Ben").await?;

        let first = wait_preview(ben, "Ben's preview to play his first camera", |p| {
            p.time > 0.5 && p.cameras.len() == 3 && p.green.is_some()
        })
        .await?;
        let labels: Vec<&str> = first.cameras.iter().map(|c| c.label.as_str()).collect();
        if labels != ["fake_device_0", "fake_device_1", "fake_device_2"]
            || !first.cameras[0].selected
        {
            return Err(format!(
                "expected the fake cameras, the first chosen: {:?}",
                first.cameras
            ));
        }
        if first.mics.len() < 2 || first.speakers.len() < 2 {
            return Err(format!(
                "expected the fake microphones and speakers listed: {first:?}"
            ));
        }

        // The beeps come and go: the meter must both rise and fall.
        let (mut loudest, mut quietest_after) = (0u8, 100u8);
        wait_preview(
            ben,
            "the mic meter to rise over 30 and fall under 10",
            |p| {
                let level = p.level.unwrap_or(0);
                if loudest >= 30 {
                    quietest_after = quietest_after.min(level);
                }
                loudest = loudest.max(level);
                loudest >= 30 && quietest_after < 10
            },
        )
        .await?;

        let first_green = preview(ben).await?.green.unwrap_or_default();
        let third = first.cameras[2].value.clone();
        find(ben, "camera-select", TIMEOUT)
            .await?
            .select_by_value(&third)
            .await
            .map_err(|e| e.to_string())?;
        let switched = wait_preview(ben, "the preview to show the third camera", |p| {
            p.camera.as_deref() == Some("fake_device_2")
                && p.green
                    .is_some_and(|g| (g - first_green).abs() >= DISTINCT_GREEN)
        })
        .await?;
        let third_green = switched.green.unwrap_or_default();
        // Closer to the third camera's green than to the first's, in several pictures in a row.
        let is_third = |g: f64| (g - third_green).abs() < (g - first_green).abs();

        click(ben, "mic-toggle").await?;
        // Zero in several readings in a row (each 150 ms apart), not one quiet moment.
        let mut zeros = 0;
        wait_preview(ben, "the meter to stay at zero while muted", |p| {
            zeros = if p.level == Some(0) { zeros + 1 } else { 0 };
            zeros >= 8
        })
        .await?;

        wait_preview(ben, "the page to be ready to join", |p| p.ready).await?;
        click(ben, "join-button").await?;
        find(ben, "local-video", TIMEOUT).await?;
        wait_tile(ana, "Ana", "Ben").await?;
        let in_a_row = std::cell::Cell::new(0);
        wait_for(
            "Ana to see Ben's third camera, his microphone off",
            TIMEOUT,
            || async {
                let seen = tile(ana, "Ben").await?;
                let muted = seen.label.as_deref() == Some("Ben, microphone off");
                let third = seen.time > 0.5 && seen.green.is_some_and(is_third);
                in_a_row.set(if third { in_a_row.get() + 1 } else { 0 });
                if muted && in_a_row.get() >= 3 {
                    Ok(Some(()))
                } else {
                    Err(format!(
                        "(seen: {seen:?}; first camera {first_green:.0}, third {third_green:.0})"
                    ))
                }
            },
        )
        .await?;

        click(ben, "leave-button").await?;
        ben.goto(&link).await.map_err(|e| e.to_string())?;
        wait_preview(
            ben,
            "the third camera chosen again on the next visit",
            |p| {
                p.camera.as_deref() == Some("fake_device_2")
                    && p.cameras.iter().any(|c| c.value == third && c.selected)
                    && p.ready
            },
        )
        .await?;
        click(ben, "join-button").await?;
        find(ben, "local-video", TIMEOUT).await?;
        wait_for("Ana to see Ben's third camera again", TIMEOUT, || async {
            let seen = tile(ana, "Ben").await?;
            Ok((seen.time > 0.5 && seen.green.is_some_and(is_third)).then_some(()))
        })
        .await?;

        // In the call: device settings, the first camera. Ana's picture follows, and neither
        // page negotiates again (a swap of tracks on the same transceiver).
        for page in [ana, ben] {
            page.execute(COUNT_NEGOTIATIONS_JS, vec![])
                .await
                .map_err(|e| e.to_string())?;
        }
        click(ben, "device-settings-button").await?;
        find(ben, "camera-select", TIMEOUT)
            .await?
            .select_by_value(&first.cameras[0].value)
            .await
            .map_err(|e| e.to_string())?;
        in_a_row.set(0);
        wait_for(
            "Ana to see Ben's first camera after his switch",
            TIMEOUT,
            || async {
                let seen = tile(ana, "Ben").await?;
                let first = seen.time > 0.5 && seen.green.is_some_and(|g| !is_third(g));
                in_a_row.set(if first { in_a_row.get() + 1 } else { 0 });
                if in_a_row.get() >= 3 {
                    Ok(Some(()))
                } else {
                    Err(format!("(seen: {seen:?})"))
                }
            },
        )
        .await?;
        for (who, page) in [("Ana", ana), ("Ben", ben)] {
            let changes = page
                .execute("return window.negotiations;", vec![])
                .await
                .map_err(|e| e.to_string())?;
            if changes != json!(0) {
                return Err(format!(
                    "{who}'s page negotiated again for a camera swap: {changes}"
                ));
            }
        }

        // The camera goes away (as when unplugged): the page takes another and says so.
        ben.execute(UNPLUG_CAMERA_JS, vec![])
            .await
            .map_err(|e| e.to_string())?;
        wait_for("Ben to be told his camera went", TIMEOUT, || async {
            let notice = room_page::text_of(ben, "[data-testid=room-notice]").await?;
            Ok(notice
                .starts_with("Camera disconnected; now using fake_device_")
                .then_some(()))
        })
        .await?;
        Ok(())
    })
    .await
}
