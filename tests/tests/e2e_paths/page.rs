//! What this suite's trials share: typing into a field, waiting for a tile, reading a field's
//! value, and browser permissions set over WebDriver.

use std::time::Duration;

use confab_tests::room_page::{click, find, tiles, wait_for};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::Client;
use serde_json::json;

/// How long a page may take to show what a step waits for.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Replaces what the field `[data-testid=test_id]` holds with `text`, typed.
pub async fn type_into(client: &Client, test_id: &str, text: &str) -> Result<(), String> {
    let input = find(client, test_id, TIMEOUT).await?;
    input.clear().await.map_err(|e| e.to_string())?;
    input
        .send_keys(text)
        .await
        .map_err(|e| format!("typing into {test_id}: {e}"))
}

/// The current `value` of the first `[data-testid=test_id]` (`None` when there is none).
pub async fn value_of(client: &Client, test_id: &str) -> Result<Option<String>, String> {
    let value = client
        .execute(
            "const e = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
             return e ? e.value : null;",
            vec![json!(test_id)],
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(value.as_str().map(str::to_owned))
}

/// Waits until `client` shows a video tile named `name`; returns its peer id. `who` names the
/// person looking, for the timeout message.
pub async fn wait_tile(client: &Client, who: &str, name: &str) -> Result<String, String> {
    wait_for(
        &format!("{who} to see a tile named {name:?}"),
        TIMEOUT,
        || async {
            let seen = tiles(client).await?;
            match seen.iter().find(|t| t.name == name) {
                Some(tile) => Ok(Some(tile.peer_id.clone())),
                None => Err(format!("(tiles seen: {seen:?})")),
            }
        },
    )
    .await
}

/// Whether `[data-testid=test_id]` is on the page and displayed (WebDriver's "is displayed":
/// not hidden by itself or an ancestor).
pub async fn displayed(client: &Client, test_id: &str) -> Result<bool, String> {
    find(client, test_id, TIMEOUT)
        .await?
        .is_displayed()
        .await
        .map_err(|e| e.to_string())
}

/// A `POST /session/{id}/<path>` with a JSON body, for WebDriver commands fantoccini has no
/// method for: W3C "Set Permission", and Chrome DevTools commands through chromedriver.
#[derive(Debug)]
struct SessionPost {
    path: &'static str,
    body: serde_json::Value,
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// Sets permission `name` (`clipboard-read`, `clipboard-write`, ...) to `state` (`granted`,
/// `denied`, `prompt`) for the origin of the page `client` is on.
pub async fn set_permission(
    client: &Client,
    name: &'static str,
    state: &'static str,
) -> Result<(), String> {
    client
        .issue_cmd(SessionPost {
            path: "permissions",
            body: json!({ "descriptor": { "name": name }, "state": state }),
        })
        .await
        .map(drop)
        .map_err(|e| format!("setting permission {name} to {state}: {e}"))
}

/// What the page reads from the clipboard (`navigator.clipboard.readText()`); an error names
/// the browser's refusal.
pub async fn read_clipboard(client: &Client) -> Result<String, String> {
    clipboard(client, "navigator.clipboard.readText()").await
}

/// Puts `text` in the clipboard from the page.
pub async fn write_clipboard(client: &Client, text: &str) -> Result<(), String> {
    let call = format!(
        "navigator.clipboard.writeText({}).then(() => '')",
        json!(text)
    );
    clipboard(client, &call).await.map(drop)
}

async fn clipboard(client: &Client, call: &str) -> Result<String, String> {
    let js = format!(
        "const done = arguments[arguments.length - 1];
         {call}.then(text => done({{ text }}), e => done({{ error: String(e) }}));"
    );
    let value = client
        .execute_async(&js, vec![])
        .await
        .map_err(|e| e.to_string())?;
    match (value.get("text"), value.get("error")) {
        (Some(text), _) if text.is_string() => Ok(text.as_str().unwrap_or_default().to_owned()),
        (_, Some(error)) => Err(format!("the clipboard refused ({error})")),
        _ => Err(format!("unexpected answer from the clipboard: {value}")),
    }
}

/// A Chrome DevTools command through chromedriver (`goog/cdp/execute`), for what WebDriver
/// cannot set: the system's colour scheme, a phone's screen, refused URLs.
async fn cdp(client: &Client, cmd: &'static str, params: serde_json::Value) -> Result<(), String> {
    client
        .issue_cmd(SessionPost {
            path: "goog/cdp/execute",
            body: json!({ "cmd": cmd, "params": params }),
        })
        .await
        .map(drop)
        .map_err(|e| format!("{cmd}: {e}"))
}

/// Sets the system colour scheme the page sees (`light` or `dark`), as `prefers-color-scheme`.
pub async fn emulate_color_scheme(client: &Client, scheme: &'static str) -> Result<(), String> {
    let features = json!([{ "name": "prefers-color-scheme", "value": scheme }]);
    cdp(
        client,
        "Emulation.setEmulatedMedia",
        json!({ "features": features }),
    )
    .await
}

/// Makes the page's viewport `width`×`height` CSS pixels; `mobile` also emulates a phone
/// (the viewport meta tag applies, scrollbars overlay).
pub async fn emulate_screen(
    client: &Client,
    width: u32,
    height: u32,
    mobile: bool,
) -> Result<(), String> {
    let params = json!({
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile,
    });
    cdp(client, "Emulation.setDeviceMetricsOverride", params).await
}

/// Makes the browser refuse requests whose URL matches one of `patterns` (`*` wildcards; none:
/// refuse nothing again), as if they never arrived.
pub async fn block_urls(client: &Client, patterns: &[&str]) -> Result<(), String> {
    cdp(client, "Network.enable", json!({})).await?;
    cdp(
        client,
        "Network.setBlockedURLs",
        json!({ "urls": patterns }),
    )
    .await
}

/// Opens the room, types the name and clicks Join, without waiting to be in the call.
pub async fn try_join(client: &Client, base: &str, room: &str, name: &str) -> Result<(), String> {
    client
        .goto(&format!("{base}/r/{room}"))
        .await
        .map_err(|e| e.to_string())?;
    type_into(client, "name-input", name).await?;
    click(client, "join-button").await
}
