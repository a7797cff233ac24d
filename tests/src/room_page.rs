//! Driving the Confab room page like a person, and reading WebRTC stats from it.

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde::Deserialize;

mod playback;
mod sfu_media;
mod switch;
pub use playback::wait_tiles_playing;
pub use sfu_media::{
    cameras_shown, sent_video_layers, sfu_tile_media, wait_sfu_media_from, wait_sfu_video_from,
    CamerasShown, SfuMedia, TileMedia,
};
pub use switch::{switch_time, watch_switch, SfuCall, Switch};

/// Inbound media from one remote peer, summed over its `inbound-rtp` stats.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct PeerStats {
    pub frames_decoded: u64,
    pub audio_packets: u64,
    /// `RTCPeerConnection.connectionState`, for failure messages.
    pub state: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Tile {
    pub peer_id: String,
    pub name: String,
}

const STATS_JS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const out = {};
  for (const [id, pc] of (window.confabPeers || new Map())) {
    const report = await pc.getStats();
    let frames_decoded = 0, audio_packets = 0;
    report.forEach(r => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') frames_decoded += r.framesDecoded || 0;
      if (r.type === 'inbound-rtp' && r.kind === 'audio') audio_packets += r.packetsReceived || 0;
    });
    out[id] = { frames_decoded, audio_packets, state: pc.connectionState };
  }
  done(out);
})().catch(e => done({ error: String(e) }));
"#;

const TILES_JS: &str = r#"
return [...document.querySelectorAll('[data-testid="video-tile"][data-kind="camera"]')]
  .map(t => ({ peer_id: t.dataset.peerId, name: t.dataset.name }));
"#;

/// Like [`join`], with the microphone turned off on the pre-join page first.
pub async fn join_with_mic_off(
    client: &Client,
    base_url: &str,
    room: &str,
    name: &str,
) -> Result<(), String> {
    type_name(client, base_url, room, name).await?;
    click(client, "mic-toggle").await?;
    click_join(client).await
}

/// Opens `/r/{room}`, types the name and clicks Join; returns once my preview is on screen.
pub async fn join(client: &Client, base_url: &str, room: &str, name: &str) -> Result<(), String> {
    type_name(client, base_url, room, name).await?;
    click_join(client).await
}

/// Every page of a crowd joins at once (the first of `names` for the first page, and so on),
/// as a meeting fills at the hour. One after the other, each page would load and start while
/// the pages before it already take the two cores: ten took 15 s each that way.
pub async fn join_at_once(
    clients: &[Client],
    base_url: &str,
    room: &str,
    names: &[&str],
) -> Result<(), String> {
    let joins = clients
        .iter()
        .zip(names)
        .map(|(client, name)| join(client, base_url, room, name));
    for (joined, name) in futures_util::future::join_all(joins)
        .await
        .into_iter()
        .zip(names)
    {
        joined.map_err(|e| format!("{name} could not join: {e}"))?;
    }
    Ok(())
}

/// Opens the room page and types `name` into the guest name form.
async fn type_name(client: &Client, base_url: &str, room: &str, name: &str) -> Result<(), String> {
    client
        .goto(&format!("{base_url}/r/{room}"))
        .await
        .map_err(|e| e.to_string())?;
    let input = find(client, "name-input", Duration::from_secs(20)).await?;
    input.clear().await.map_err(|e| e.to_string())?;
    input.send_keys(name).await.map_err(|e| e.to_string())
}

/// Clicks Join and waits for my own preview in the call.
async fn click_join(client: &Client) -> Result<(), String> {
    find(client, "join-button", Duration::from_secs(5))
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
    find(client, "local-video", Duration::from_secs(20)).await?;
    Ok(())
}

/// Like [`join`], but as a person who looks at their preview first: the click comes once the
/// page is ready (`data-ready`: devices open, call token and ICE servers fetched, the room
/// socket opened ahead). Returns the URL of the room socket the call then uses.
pub async fn join_when_ready(
    client: &Client,
    base_url: &str,
    room: &str,
    name: &str,
) -> Result<String, String> {
    type_name(client, base_url, room, name).await?;
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("form.lobby[data-ready=true]"))
        .await
        .map_err(|e| format!("{name}'s pre-join page was not ready within 20 s: {e}"))?;
    click_join(client).await?;
    let url = client
        .execute(
            "return window.confabSocket ? window.confabSocket.url : null",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    url.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{name}'s page has no room socket after joining"))
}

/// Waits for an element with `data-testid`.
pub async fn find(
    client: &Client,
    test_id: &str,
    timeout: Duration,
) -> Result<fantoccini::elements::Element, String> {
    let selector = format!("[data-testid=\"{test_id}\"]");
    client
        .wait()
        .at_most(timeout)
        .for_element(Locator::Css(&selector))
        .await
        .map_err(|e| format!("no [data-testid={test_id}] within {timeout:?}: {e}"))
}

/// Makes every new WebSocket of the page fail its handshake, as if the network were gone, and
/// drops the current one the way a lost connection does. The failing sockets go to a path of
/// the page's own origin that the worker does not serve: a foreign address (`ws://127.0.0.1:9`
/// once) breaks the page's Content-Security-Policy, which fails the suite.
pub const CUT_NETWORK_JS: &str = r#"
window.__RealWebSocket = window.__RealWebSocket || window.WebSocket;
const nowhere = location.origin.replace(/^http/, 'ws') + '/network-is-cut';
window.WebSocket = function (url, protocols) {
  return new window.__RealWebSocket(nowhere, protocols);
};
window.confabSocket.dispatchEvent(new CloseEvent('close', { code: 1006, reason: '', wasClean: false }));
return true;
"#;

/// Undoes [`CUT_NETWORK_JS`]: the next reconnect reaches the room.
pub const RESTORE_NETWORK_JS: &str = "window.WebSocket = window.__RealWebSocket; return true;";

pub async fn click(client: &Client, test_id: &str) -> Result<(), String> {
    find(client, test_id, Duration::from_secs(5))
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())
}

/// Waits until `client` shows a remote camera tile named `name`; returns its peer id.
pub async fn wait_tile_named(
    client: &Client,
    name: &str,
    timeout: Duration,
) -> Result<String, String> {
    wait_for(&format!("a tile for {name}"), timeout, || async {
        Ok(tiles(client)
            .await?
            .into_iter()
            .find(|t| t.name == name)
            .map(|t| t.peer_id))
    })
    .await
}

pub async fn tiles(client: &Client) -> Result<Vec<Tile>, String> {
    let value = client
        .execute(TILES_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

pub async fn text_of(client: &Client, selector: &str) -> Result<String, String> {
    let script = format!(
        "return [...document.querySelectorAll('{selector}')].map(e => e.textContent).join('\\n');"
    );
    let value = client
        .execute(&script, vec![])
        .await
        .map_err(|e| e.to_string())?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

/// Inbound stats per remote peer id.
pub async fn peer_stats(client: &Client) -> Result<HashMap<String, PeerStats>, String> {
    let value = client
        .execute_async(STATS_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    if let Some(error) = value.get("error") {
        return Err(format!("getStats failed: {error}"));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// A wait at least this long is reported by [`wait_for`] even when it succeeds.
const SLOW_WAIT: Duration = Duration::from_secs(5);

/// Polls `probe` until it yields a value or `timeout` passes; the error names what we waited for.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, String>>,
{
    let started = Instant::now();
    let deadline = started + timeout;
    let mut last_error = String::new();
    loop {
        match probe().await {
            Ok(Some(value)) => {
                // Slow waits are named, so a trial that times out later in CI shows where its
                // time went before that.
                if started.elapsed() >= SLOW_WAIT {
                    eprintln!("waited {:.1?} for {what} {last_error}", started.elapsed());
                }
                return Ok(value);
            }
            Ok(None) => {}
            Err(error) => last_error = error,
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "timed out after {timeout:?} waiting for {what} {last_error}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Waits until media from `peers` is live: video frames decoded and audio packets received both
/// keep growing (two samples, so a frozen stream fails).
pub async fn wait_live_media_from(
    client: &Client,
    peers: &[String],
    timeout: Duration,
) -> Result<(), String> {
    let first = wait_for("inbound video and audio", timeout, || async {
        let stats = peer_stats(client).await?;
        let ready = peers.iter().all(|p| {
            stats
                .get(p)
                .is_some_and(|s| s.frames_decoded > 0 && s.audio_packets > 0)
        });
        // Not ready: the stats go into the timeout message.
        ready
            .then_some(Some(stats.clone()))
            .ok_or_else(|| format!("(last stats: {stats:?})"))
    })
    .await?;
    wait_for(
        "video frames and audio packets to keep arriving",
        timeout,
        || async {
            let now = peer_stats(client).await?;
            let growing = peers.iter().all(|p| {
                let (before, after) = (&first[p], now.get(p).cloned().unwrap_or_default());
                after.frames_decoded >= before.frames_decoded + 10
                    && after.audio_packets > before.audio_packets
            });
            Ok(growing.then_some(()))
        },
    )
    .await
}

/// One `chat-message` element as the page shows it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ChatRow {
    /// `data-seq`: absent while the server has not acknowledged the message.
    pub seq: Option<u64>,
    pub client_id: String,
    /// `data-state` of a pending message: `sending` or `failed`.
    pub state: Option<String>,
    pub mine: bool,
    /// The text as the DOM holds it (`textContent` of the message body).
    pub text: String,
}

const CHAT_JS: &str = r#"
return [...document.querySelectorAll('[data-testid="chat-message"]')].map(m => ({
  seq: m.dataset.seq ? Number(m.dataset.seq) : null,
  client_id: m.dataset.clientId || '',
  state: m.dataset.state || null,
  mine: m.classList.contains('mine'),
  text: (m.querySelector('.text') || { textContent: '' }).textContent,
}));
"#;

/// Every chat message on the page, in DOM order.
pub async fn chat_messages(client: &Client) -> Result<Vec<ChatRow>, String> {
    let value = client
        .execute(CHAT_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// How many messages [`send_burst`] sends: twice the server's chat burst allowance (20, then
/// 10 a second), so some are refused as rate-limited.
pub const BURST: usize = 40;

const BURST_JS: &str = r#"
const input = document.querySelector('[data-testid=chat-input]');
for (let i = 1; i <= arguments[0]; i++) {
  input.value = 'burst ' + i;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
}
return true;
"#;

/// Sends `burst 1` … `burst {BURST}` at once by pressing Enter in the chat input from a script,
/// far faster than the server's chat rate allows.
pub async fn send_burst(client: &Client) -> Result<(), String> {
    client
        .execute(BURST_JS, vec![serde_json::json!(BURST)])
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Types `text` into the chat input and clicks Send.
pub async fn send_chat(client: &Client, text: &str) -> Result<(), String> {
    type_chat(client, text).await?;
    click(client, "chat-send").await
}

/// Types `keys` into the chat input (WebDriver key codes allowed, e.g. `\u{E007}` for Enter).
pub async fn type_chat(client: &Client, keys: &str) -> Result<(), String> {
    find(client, "chat-input", Duration::from_secs(10))
        .await?
        .send_keys(keys)
        .await
        .map_err(|e| e.to_string())
}

/// Waits until a stored (acknowledged) message with exactly `text` is on the page.
pub async fn wait_chat_text(
    client: &Client,
    text: &str,
    timeout: Duration,
) -> Result<ChatRow, String> {
    wait_for(&format!("chat message {text:?}"), timeout, || async {
        Ok(chat_messages(client)
            .await?
            .into_iter()
            .find(|m| m.text == text && m.seq.is_some()))
    })
    .await
}

/// Waits until the room page's live region (what a screen reader is told, politely) says
/// `wanted`; `who` names the listener for the timeout message.
pub async fn wait_heard(client: &Client, who: &str, wanted: &str) -> Result<(), String> {
    let js = "const e = document.querySelector('[data-testid=announcer]');
              return e ? [e.getAttribute('aria-live'), e.textContent] : null;";
    let expected = serde_json::json!(["polite", wanted]);
    wait_for(
        &format!("{who}'s screen reader to hear {wanted:?}"),
        Duration::from_secs(30),
        || async {
            let seen = script(client, js).await?;
            if seen == expected {
                Ok(Some(()))
            } else {
                Err(format!("(the live region holds {seen})"))
            }
        },
    )
    .await
}

/// The attribute `name` of the first element matching `selector` (`null` when there is none).
pub async fn attribute(
    client: &Client,
    selector: &str,
    name: &str,
) -> Result<serde_json::Value, String> {
    client
        .execute(
            "const e = document.querySelector(arguments[0]); return e && e.getAttribute(arguments[1]);",
            vec![serde_json::json!(selector), serde_json::json!(name)],
        )
        .await
        .map_err(|e| e.to_string())
}

/// Waits until the attribute `name` of `selector` reads `wanted` on `who`'s page.
pub async fn wait_attribute(
    client: &Client,
    who: &str,
    selector: &str,
    name: &str,
    wanted: &str,
    timeout: Duration,
) -> Result<(), String> {
    wait_for(
        &format!("{who} to see {selector} {name}={wanted}"),
        timeout,
        || async {
            let seen = attribute(client, selector, name).await?;
            if seen.as_str() == Some(wanted) {
                Ok(Some(()))
            } else {
                Err(format!("(seen: {seen})"))
            }
        },
    )
    .await
}

/// Runs a script and returns its JSON result.
pub async fn script(client: &Client, js: &str) -> Result<serde_json::Value, String> {
    client.execute(js, vec![]).await.map_err(|e| e.to_string())
}

/// Waits until `js` returns `wanted` on `who`'s page.
pub async fn wait_script(
    client: &Client,
    who: &str,
    js: &str,
    wanted: &serde_json::Value,
    timeout: Duration,
) -> Result<(), String> {
    wait_for(&format!("{who} to see {wanted}"), timeout, || async {
        let seen = script(client, js).await?;
        if &seen == wanted {
            Ok(Some(()))
        } else {
            Err(format!("(seen: {seen})"))
        }
    })
    .await
}

/// `label` and 12 random hex characters: a room, login or text no other run uses.
pub fn unique(label: &str) -> String {
    format!(
        "{label}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// Runs `body` and closes every browser afterwards, whatever the outcome.
pub async fn with_browsers<F>(browsers: Vec<Client>, body: F) -> Result<(), String>
where
    F: AsyncFnOnce(&[Client]) -> Result<(), String>,
{
    let result = body(&browsers).await;
    for browser in browsers {
        let _ = browser.close().await;
    }
    result
}
