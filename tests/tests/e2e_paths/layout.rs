//! A phone (360×640) and a laptop (1280×800): nothing scrolls sideways, every control is on
//! the screen (the call's bar, header and chat without scrolling the page), the phone's
//! buttons are big enough for a thumb, and video tiles keep their 16:9 shape and are as large
//! as the stage allows. Screenshots of
//! each are saved for people to look at.

use confab_tests::room_page::{click, find, join, unique, wait_for};
use fantoccini::Client;
use serde::Deserialize;
use serde_json::json;

use crate::page::{emulate_screen, wait_tile, TIMEOUT};
use crate::Env;

/// A video tile's width over its height (`aspect-ratio: 16 / 9` in the CSS).
const TILE_RATIO: f64 = 16.0 / 9.0;
/// How wide tiles must be against the widest that fit (rounding to whole pixels aside).
const MIN_FILL: f64 = 0.97;
/// The smallest side of a call button on a phone, in CSS pixels (a thumb's target).
const THUMB_PX: f64 = 44.0;

#[derive(Debug, Deserialize)]
struct Layout {
    width: f64,
    scroll_width: f64,
    /// Controls not wholly on the screen.
    outside: Vec<String>,
    /// Call buttons smaller than a thumb's target.
    small: Vec<String>,
    tiles: Vec<f64>,
    /// The tiles' width over the widest that would fit the grid (`None`: no call on screen).
    fill: Option<f64>,
}

/// What the page looks like now. Every visible control must lie inside the viewport's width;
/// the controls that must be reachable without scrolling (the call's bar, the page header,
/// the chat's head and composer) inside its height too.
const LAYOUT_JS: &str = r#"
// The screen's size: a phone's browser widens its layout viewport to fit content that
// overflows, so the page's own innerWidth would hide the very overflow we look for.
const [w, h, thumb] = arguments;
const shown = e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
};
const name = e => e.dataset.testid || e.getAttribute('aria-label') || e.tagName.toLowerCase();
const box = r => `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}`;
const fixed = '.controls *, header *, .chat-head *, .composer *';
const outside = [...document.querySelectorAll('button, a[href], input, select, textarea')]
  .filter(shown)
  .filter(e => {
    const r = e.getBoundingClientRect();
    const across = r.left < -0.5 || r.right > w + 0.5;
    const down = e.matches(fixed) && (r.top < -0.5 || r.bottom > h + 0.5);
    return across || down;
  })
  .map(e => `${name(e)} at ${box(e.getBoundingClientRect())}`);
const small = [...document.querySelectorAll('.controls button')].filter(shown)
  .filter(e => { const r = e.getBoundingClientRect(); return r.width < thumb || r.height < thumb; })
  .map(e => `${name(e)} ${box(e.getBoundingClientRect())}`);
const tiles = [...document.querySelectorAll('.tile')].filter(shown)
  .map(t => { const r = t.getBoundingClientRect(); return r.width / r.height; });
const scroll_width = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
// How big the tiles are against the biggest same-size 16:9 tiles that fit the grid (found
// here by trying every column count, independently of the app's own computation).
let fill = null;
const grid = document.querySelector('.stage .grid');
const shownTiles = [...document.querySelectorAll('.stage .tile')].filter(shown);
if (grid && shownTiles.length) {
  const s = getComputedStyle(grid);
  const gap = parseFloat(s.columnGap) || 0;
  const gw = grid.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
  const gh = grid.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
  const n = shownTiles.length;
  let best = 0;
  for (let c = 1; c <= n; c++) {
    const r = Math.ceil(n / c);
    best = Math.max(best, Math.min((gw - gap * (c - 1)) / c, (gh - gap * (r - 1)) / r * 16 / 9));
  }
  fill = shownTiles[0].getBoundingClientRect().width / best;
}
return { width: w, scroll_width, outside, small, tiles, fill };
"#;

/// A screen to check a page on.
#[derive(Clone, Copy)]
struct Screen {
    name: &'static str,
    width: u32,
    height: u32,
    phone: bool,
}

const PHONE: Screen = Screen {
    name: "phone",
    width: 360,
    height: 640,
    phone: true,
};
const LAPTOP: Screen = Screen {
    name: "laptop",
    width: 1280,
    height: 800,
    phone: false,
};

/// Checks what `client` shows on `screen` as `what` (a phone's call buttons must be
/// thumb-sized) and saves a screenshot named after both; returns what is wrong.
async fn check(
    env: &Env,
    client: &Client,
    screen: Screen,
    what: &str,
) -> Result<Vec<String>, String> {
    let thumb = if screen.phone { THUMB_PX } else { 0.0 };
    let args = vec![json!(screen.width), json!(screen.height), json!(thumb)];
    let value = client
        .execute(LAYOUT_JS, args)
        .await
        .map_err(|e| e.to_string())?;
    let layout: Layout = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let png = client.screenshot().await.map_err(|e| e.to_string())?;
    let shot = format!("{}-{}.png", screen.name, what.replace(' ', "-"));
    std::fs::write(env.stage().scratch.join(shot), png).map_err(|e| e.to_string())?;
    let what = format!("{} {what}", screen.name);
    let mut wrong = Vec::new();
    if layout.scroll_width > layout.width + 0.5 {
        wrong.push(format!(
            "{what}: the page is {} px wide on a {} px screen (sideways scrolling)",
            layout.scroll_width, layout.width
        ));
    }
    if !layout.outside.is_empty() {
        wrong.push(format!("{what}: off the screen: {:?}", layout.outside));
    }
    if !layout.small.is_empty() {
        wrong.push(format!(
            "{what}: smaller than {THUMB_PX} px: {:?}",
            layout.small
        ));
    }
    let misshapen: Vec<f64> = (layout.tiles.iter().copied())
        .filter(|r| (r / TILE_RATIO - 1.0).abs() > 0.02)
        .collect();
    if let Some(fill) = layout.fill.filter(|f| *f < MIN_FILL) {
        wrong.push(format!(
            "{what}: tiles are {:.0}% as wide as the grid allows (an empty band beside them)",
            fill * 100.0
        ));
    }
    if !misshapen.is_empty() {
        wrong.push(format!(
            "{what}: tiles not 16:9 (width/height {misshapen:?})"
        ));
    }
    Ok(wrong)
}

/// Waits until `[data-testid=chat-toggle]` says the chat is `open`.
async fn wait_chat(client: &Client, open: bool) -> Result<(), String> {
    let wanted = json!(open.to_string());
    wait_for(&format!("the chat open: {open}"), TIMEOUT, || async {
        let seen = client
            .execute(
                "return document.querySelector('[data-testid=chat-toggle]').getAttribute('aria-pressed');",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok((seen == wanted).then_some(()))
    })
    .await
}

/// Pia on a phone and Lars on a laptop: the home page, the room link before joining, a call of
/// two, and (on the phone) the chat as a sheet over the call, each checked and photographed at its size.
pub async fn phone_and_laptop_screens_fit_without_sideways_scrolling(
    env: &Env,
) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("layout");
    env.with_browsers(&["pia", "lars"], async |b: &[Client]| {
        let (pia, lars) = (&b[0], &b[1]);
        for (client, screen) in [(pia, PHONE), (lars, LAPTOP)] {
            emulate_screen(client, screen.width, screen.height, screen.phone).await?;
        }
        let mut wrong = Vec::new();
        for (client, screen) in [(pia, PHONE), (lars, LAPTOP)] {
            client.goto(base).await.map_err(|e| e.to_string())?;
            find(client, "name-input", TIMEOUT).await?;
            wrong.extend(check(env, client, screen, "home").await?);
        }
        // The room link before joining: preview, meter and the device pickers.
        for (client, screen) in [(pia, PHONE), (lars, LAPTOP)] {
            client
                .goto(&format!("{base}/r/{room}"))
                .await
                .map_err(|e| e.to_string())?;
            wait_for("the camera picker to list the cameras", TIMEOUT, || async {
                let listed = client
                    .execute(
                        "return !!document.querySelector('[data-testid=camera-select] option');",
                        vec![],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                Ok((listed == json!(true)).then_some(()))
            })
            .await?;
            wrong.extend(check(env, client, screen, "before joining").await?);
        }
        join(pia, base, &room, "Pia").await?;
        join(lars, base, &room, "Lars").await?;
        wait_tile(pia, "Pia", "Lars").await?;
        wait_tile(lars, "Lars", "Pia").await?;
        // The phone starts with the chat closed, the laptop with it open beside the call.
        wait_chat(pia, false).await?;
        wait_chat(lars, true).await?;
        wrong.extend(check(env, pia, PHONE, "call").await?);
        wrong.extend(check(env, lars, LAPTOP, "call").await?);
        click(pia, "chat-toggle").await?;
        wait_chat(pia, true).await?;
        find(pia, "chat-input", TIMEOUT).await?;
        wrong.extend(check(env, pia, PHONE, "chat").await?);
        eprintln!(
            "e2e-paths: phone and laptop screenshots saved in {}",
            env.stage().scratch.display()
        );
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(wrong.join("\n"))
        }
    })
    .await
}
