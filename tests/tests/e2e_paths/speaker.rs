//! Who is speaking, seen by everyone: the speaker's tile is ringed (`data-speaking`) and stays
//! so through the pauses between syllables, speaker view shows the active speaker large and
//! follows a change of speaker (so does the picture-in-picture window), a pinned tile stays large whoever speaks, a raised hand lowers
//! itself once its owner talks for a while, and my own preview shrinks to a corner.
//!
//! Only one person's microphone is on at a time (the test microphones beep all the time).

use confab_tests::room_page::{attribute, click, join, unique, wait_for};
use fantoccini::Client;
use serde::Deserialize;
use serde_json::json;

use crate::page::{wait_tile, TIMEOUT};
use crate::Env;

/// Each camera tile by name (mine as "(me)"): speaking, pinned, large or not, and its width;
/// and the stage's layout.
const STAGE_JS: &str = r#"
const tiles = {};
for (const t of document.querySelectorAll('.grid .tile')) {
  const name = t.classList.contains('local') ? '(me)' : t.dataset.name;
  tiles[name] = {
    speaking: t.dataset.speaking === 'true',
    pinned: t.dataset.pinned === 'true',
    width: Math.round(t.getBoundingClientRect().width),
  };
}
const stage = document.querySelector('[data-testid=stage]');
return { layout: stage ? stage.dataset.layout : null, tiles };
"#;

/// Runs [`STAGE_JS`] every 50 ms for `arguments[0]` ms; every reading.
fn samples_js() -> String {
    format!(
        "const probe = () => {{ {STAGE_JS} }};
         const done = arguments[arguments.length - 1];
         const seen = [];
         const timer = setInterval(() => seen.push(probe()), 50);
         setTimeout(() => {{ clearInterval(timer); done(seen); }}, arguments[0]);"
    )
}

#[derive(Debug, Deserialize)]
struct Stage {
    layout: Option<String>,
    tiles: std::collections::HashMap<String, TileSeen>,
}

#[derive(Debug, Deserialize)]
struct TileSeen {
    speaking: bool,
    pinned: bool,
    width: f64,
}

async fn stage(client: &Client) -> Result<Stage, String> {
    let value = client
        .execute(STAGE_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Waits until `check` holds for what `who` sees.
async fn wait_stage(
    client: &Client,
    who: &str,
    what: &str,
    check: impl Fn(&Stage) -> bool,
) -> Result<(), String> {
    wait_for(&format!("{who} to see {what}"), TIMEOUT, || async {
        let seen = stage(client).await?;
        if check(&seen) {
            Ok(Some(()))
        } else {
            Err(format!("(seen: {seen:?})"))
        }
    })
    .await
}

fn speaking(stage: &Stage, name: &str) -> bool {
    stage.tiles.get(name).is_some_and(|t| t.speaking)
}

/// Whether `name`'s tile is the large one: more than twice as wide as every other tile.
fn large(stage: &Stage, name: &str) -> bool {
    let Some(tile) = stage.tiles.get(name) else {
        return false;
    };
    stage.layout.as_deref() == Some("speaker")
        && stage
            .tiles
            .iter()
            .filter(|(other, _)| other.as_str() != name)
            .all(|(_, t)| tile.width > 2.0 * t.width)
}

/// What `client` showed every 50 ms for `ms`.
async fn samples(client: &Client, ms: u64) -> Result<Vec<Stage>, String> {
    let value = client
        .execute_async(&samples_js(), vec![json!(ms)])
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Errors with the first of `ms` of readings where `holds` is false.
async fn steady(
    client: &Client,
    what: &str,
    ms: u64,
    holds: impl Fn(&Stage) -> bool,
) -> Result<(), String> {
    let seen = samples(client, ms).await?;
    if seen.len() < 10 {
        return Err(format!("only {} readings of {what} in {ms} ms", seen.len()));
    }
    match seen.iter().position(|s| !holds(s)) {
        None => Ok(()),
        Some(i) => Err(format!(
            "{what} stopped holding after {} of {} readings: {:?}",
            i,
            seen.len(),
            seen[i]
        )),
    }
}

/// My preview's width as a share of the grid's, and its distance from the grid's right and
/// bottom edges.
const CORNER_JS: &str = r#"
const g = document.querySelector('.grid').getBoundingClientRect();
const t = document.querySelector('[data-testid=local-tile]').getBoundingClientRect();
return { share: t.width / g.width, right: g.right - t.right, bottom: g.bottom - t.bottom };
"#;

/// The picture-in-picture video (Document Picture-in-Picture's window, else the browser's own
/// picture-in-picture element): whose camera it shows (the name on the tile whose video track
/// it carries) and its playback time; `null` while there is none.
const PIP_JS: &str = r#"
const dpip = window.documentPictureInPicture && window.documentPictureInPicture.window;
const video = dpip ? dpip.document.querySelector('[data-testid=pip-video]')
                   : document.pictureInPictureElement;
if (!video || !video.srcObject) return null;
const track = video.srcObject.getVideoTracks()[0];
const tile = [...document.querySelectorAll('[data-testid=video-tile][data-kind=camera]')]
  .find(t => { const v = t.querySelector('video');
               return v && v.srcObject && v.srcObject.getVideoTracks().some(x => track && x.id === track.id); });
return { who: tile ? tile.dataset.name : null, time: video.currentTime, document: !!dpip };
"#;

/// Waits until `client`'s picture-in-picture shows `name`'s camera playing.
async fn wait_pip(client: &Client, name: &str) -> Result<(), String> {
    let last = std::cell::Cell::new(-1.0);
    wait_for(
        &format!("picture-in-picture to play {name}"),
        TIMEOUT,
        || async {
            let seen = client
                .execute(PIP_JS, vec![])
                .await
                .map_err(|e| e.to_string())?;
            let time = seen["time"].as_f64().unwrap_or(-1.0);
            let advancing = time > last.replace(time) && time > 0.0;
            if seen["who"] == json!(name) && advancing {
                Ok(Some(()))
            } else {
                Err(format!("(seen: {seen})"))
            }
        },
    )
    .await
}

/// In a page before its mic toggle is clicked: note when.
const NOTE_MIC_CLICK_JS: &str = r#"
window.micClickAt = null;
document.addEventListener('click', e => {
  if (e.target.closest('[data-testid=mic-toggle]')) window.micClickAt = Date.now();
}, { capture: true, once: true });
"#;

/// In the watcher's page: `Date.now()` when `arguments[0]`'s tile first shows speaking and
/// when `arguments[1]`'s first shows not speaking (either `null` if not within 8 s).
const WATCH_SWITCH_JS: &str = r#"
const [lit, dark] = arguments;
const done = arguments[arguments.length - 1];
const tile = name => document.querySelector(`[data-testid=video-tile][data-name="${name}"]`);
const seen = { lit: null, dark: null };
const poll = setInterval(() => {
  if (seen.lit === null && tile(lit)?.dataset.speaking === 'true') seen.lit = Date.now();
  if (seen.dark === null && tile(dark)?.dataset.speaking === 'false') seen.dark = Date.now();
  if (seen.lit !== null && seen.dark !== null) { clearInterval(poll); done(seen); }
}, 10);
setTimeout(() => { clearInterval(poll); done(seen); }, 8000);
"#;

/// When `client`'s mic toggle was clicked (`Date.now()` in its page).
async fn mic_clicked_at(client: &Client) -> Result<f64, String> {
    let at = client
        .execute("return window.micClickAt;", vec![])
        .await
        .map_err(|e| e.to_string())?;
    at.as_f64()
        .ok_or_else(|| "the mic click was not noted".to_owned())
}

/// How long a steady check watches.
const STEADY_MS: u64 = 3_000;

/// Ana talks (Ben and Cho muted): everyone sees her ringed, and the ring does not flicker.
/// Ben's speaker view shows her large; when Cho talks instead it shows Cho. Ben pins Ana: she
/// stays large while Cho talks. Cho raises a hand while talking: it lowers itself. Ben
/// shrinks his own preview to a corner.
pub async fn the_speaker_is_ringed_and_shown_large(env: &Env) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("speaker");
    env.with_browsers(&["ana", "ben", "cho"], async |b: &[Client]| {
        let (ana, ben, cho) = (&b[0], &b[1], &b[2]);
        join(ana, base, &room, "Ana").await?;
        join(ben, base, &room, "Ben").await?;
        join(cho, base, &room, "Cho").await?;
        for (client, who, others) in [
            (ana, "Ana", ["Ben", "Cho"]),
            (ben, "Ben", ["Ana", "Cho"]),
            (cho, "Cho", ["Ana", "Ben"]),
        ] {
            for other in others {
                wait_tile(client, who, other).await?;
            }
        }
        click(ben, "mic-toggle").await?;
        click(cho, "mic-toggle").await?;

        wait_stage(ben, "Ben", "Ana speaking, Cho not", |s| {
            speaking(s, "Ana") && !speaking(s, "Cho") && !speaking(s, "(me)")
        })
        .await?;
        wait_stage(ana, "Ana", "herself speaking", |s| speaking(s, "(me)")).await?;
        steady(ben, "Ana ringed while she talks", STEADY_MS, |s| {
            speaking(s, "Ana")
        })
        .await?;

        click(ben, "layout-toggle").await?;
        wait_stage(ben, "Ben", "speaker view with Ana large", |s| {
            large(s, "Ana")
        })
        .await?;
        click(ben, "pip-button").await?;
        wait_pip(ben, "Ana").await?;

        // Ana stops and Cho starts at once: Ben sees Cho lit within 1.5 s of her unmuting, and
        // Ana's ring out within 3 s of her muting.
        for client in [ana, cho] {
            client
                .execute(NOTE_MIC_CLICK_JS, vec![])
                .await
                .map_err(|e| e.to_string())?;
        }
        let (switch, ana_click, cho_click) = tokio::join!(
            ben.execute_async(WATCH_SWITCH_JS, vec![json!("Cho"), json!("Ana")]),
            click(ana, "mic-toggle"),
            click(cho, "mic-toggle"),
        );
        ana_click?;
        cho_click?;
        let switch = switch.map_err(|e| e.to_string())?;
        let (ana_off, cho_on) = (mic_clicked_at(ana).await?, mic_clicked_at(cho).await?);
        let lit_after = switch["lit"].as_f64().map(|t| t - cho_on);
        let dark_after = switch["dark"].as_f64().map(|t| t - ana_off);
        eprintln!("e2e-paths: Cho lit {lit_after:?} ms after unmuting, Ana dark {dark_after:?} ms after muting");
        if !lit_after.is_some_and(|ms| ms <= 1_500.0) || !dark_after.is_some_and(|ms| ms <= 3_000.0) {
            return Err(format!(
                "Cho lit {lit_after:?} ms after unmuting (at most 1,500), Ana dark {dark_after:?} ms after muting (at most 3,000)"
            ));
        }
        wait_stage(ben, "Ben", "Cho speaking and large, Ana quiet", |s| {
            speaking(s, "Cho") && !speaking(s, "Ana") && large(s, "Cho")
        })
        .await?;
        // The small window follows the speaker, and closes from its button.
        wait_pip(ben, "Cho").await?;
        click(ben, "pip-button").await?;
        wait_for("picture-in-picture to close", TIMEOUT, || async {
            let seen = ben
                .execute(PIP_JS, vec![])
                .await
                .map_err(|e| e.to_string())?;
            let pressed = attribute(ben, "[data-testid=pip-button]", "aria-pressed").await?;
            Ok((seen.is_null() && pressed == json!("false")).then_some(()))
        })
        .await?;

        let pin_ana = "[data-testid=video-tile][data-name=Ana] [data-testid=pin-button]";
        ben.find(fantoccini::Locator::Css(pin_ana))
            .await
            .map_err(|e| e.to_string())?
            .click()
            .await
            .map_err(|e| e.to_string())?;
        wait_stage(ben, "Ben", "Ana pinned and large", |s| {
            s.tiles.get("Ana").is_some_and(|t| t.pinned) && large(s, "Ana")
        })
        .await?;
        steady(
            ben,
            "Ana large while pinned and Cho talks",
            STEADY_MS,
            |s| large(s, "Ana") && speaking(s, "Cho"),
        )
        .await?;

        click(cho, "hand-button").await?;
        wait_for(
            "Cho's hand to lower itself while she talks",
            TIMEOUT,
            || async {
                let pressed = attribute(cho, "[data-testid=hand-button]", "aria-pressed").await?;
                let on_ben =
                    attribute(ben, "[data-testid=video-tile][data-name=Cho]", "data-hand").await?;
                Ok((pressed == json!("false") && on_ben.is_null()).then_some(()))
            },
        )
        .await?;

        click(ben, "self-view-button").await?;
        wait_for(
            "Ben's preview small in the stage's corner",
            TIMEOUT,
            || async {
                let corner = ben
                    .execute(CORNER_JS, vec![])
                    .await
                    .map_err(|e| e.to_string())?;
                let number = |key: &str| corner[key].as_f64().unwrap_or(f64::NAN);
                let near = |px: f64| (0.0..48.0).contains(&px);
                if number("share") < 0.4 && near(number("right")) && near(number("bottom")) {
                    Ok(Some(()))
                } else {
                    Err(format!("(seen: {corner})"))
                }
            },
        )
        .await?;
        Ok(())
    })
    .await
}
