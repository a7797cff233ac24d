//! A person signing in in a real browser: the provider stand-ins' pages
//! ([`crate::providers`]) clicked through with WebDriver, what the app shows afterwards, and
//! the `/profile` page (name, picture).

use std::path::Path;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde::Deserialize;
use serde_json::json;

use crate::providers::Provider;
use crate::room_page::{click, find, script, text_of, wait_for};

const PAGE_TIMEOUT: Duration = Duration::from_secs(20);

/// Waits for the first element matching `css`.
pub async fn wait_css(client: &Client, css: &str) -> Result<Element, String> {
    client
        .wait()
        .at_most(PAGE_TIMEOUT)
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("no {css} within {PAGE_TIMEOUT:?}: {e}"))
}

async fn type_into(client: &Client, css: &str, text: &str) -> Result<(), String> {
    let input = wait_css(client, css).await?;
    input.clear().await.map_err(|e| e.to_string())?;
    input.send_keys(text).await.map_err(|e| e.to_string())
}

async fn click_css(client: &Client, css: &str) -> Result<(), String> {
    wait_css(client, css)
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())
}

/// On the provider's pages (the browser was just sent there): signs in as `login` and agrees.
/// Google is oidc-provider's login page (any password) and then its consent page; GitHub, Kakao
/// and Naver are one consent page with the account name.
pub async fn approve_at_provider(
    client: &Client,
    provider: Provider,
    login: &str,
) -> Result<(), String> {
    match provider {
        Provider::Google => {
            type_into(client, "input[name=login]", login).await?;
            type_into(client, "input[name=password]", "any password").await?;
            click_css(client, "button[type=submit]").await?;
            wait_css(client, "input[name=prompt][value=consent]").await?;
            click_css(client, "button[type=submit]").await
        }
        _ => {
            type_into(client, "#login", login).await?;
            click_css(client, "#approve").await
        }
    }
}

/// The text of the first `[data-testid=account-name]`, if one is on the page.
pub async fn account_name(client: &Client) -> Result<Option<String>, String> {
    let value = script(
        client,
        "const e = document.querySelector('[data-testid=\"account-name\"]');
         return e ? e.textContent.trim() : null;",
    )
    .await?;
    Ok(value.as_str().map(str::to_owned))
}

/// Waits until the page is `url` (exactly: no query, no fragment) and shows `name` signed in.
pub async fn wait_signed_in_at(client: &Client, url: &str, name: &str) -> Result<(), String> {
    wait_for(
        &format!("{url} signed in as {name:?}"),
        Duration::from_secs(30),
        || async {
            let here = client.current_url().await.map_err(|e| e.to_string())?;
            let shown = account_name(client).await?;
            if here.as_str() == url && shown.as_deref() == Some(name) {
                Ok(Some(()))
            } else {
                // Keeps polling; the last state goes into the timeout message.
                Err(format!("(at {here}, account-name {shown:?})"))
            }
        },
    )
    .await
}

/// URLs of every resource this document loaded (images, scripts, fetches).
pub async fn loaded_resources(client: &Client) -> Result<Vec<String>, String> {
    let value = script(
        client,
        "return performance.getEntriesByType('resource').map(e => e.name);",
    )
    .await?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// An 8×8 RGB PNG, a magenta and cyan checkerboard in 2×2 squares (made once with Python's
/// `zlib`; `file` reads it as "PNG image data, 8 x 8, 8-bit/color RGB"): plainly not one of the
/// stand-ins' 16×16 single-colour pictures.
pub const CHECKER_PNG: [u8; 89] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x08, 0x02, 0x00, 0x00, 0x00, 0x4B, 0x6D, 0x29,
    0xDC, 0x00, 0x00, 0x00, 0x20, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x78, 0xA6, 0xB1, 0x00,
    0x88, 0x44, 0x4E, 0xDC, 0x01, 0x22, 0x64, 0x36, 0x03, 0x4E, 0x09, 0x4C, 0x21, 0x08, 0x1B, 0xB7,
    0x04, 0x1D, 0xEC, 0x00, 0x00, 0x6D, 0xFE, 0x6C, 0xC1, 0xE0, 0x42, 0x42, 0x25, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// The width of [`CHECKER_PNG`] (the stand-ins' PNG pictures are 16 wide, their JPEG 32).
pub const CHECKER_PNG_WIDTH: u64 = 8;

/// An `<img>` as the page has it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Image {
    /// The resolved (absolute) URL.
    pub src: String,
    pub complete: bool,
    /// `naturalWidth`: 0 until the image is decoded, and for a broken one.
    pub width: u64,
}

impl Image {
    pub fn loaded(&self) -> bool {
        self.complete && self.width > 0
    }
}

/// The first `<img>` matching `css`, if there is one.
pub async fn image(client: &Client, css: &str) -> Result<Option<Image>, String> {
    let value = client
        .execute(
            "const i = document.querySelector(arguments[0]);
             return i ? { src: i.src, complete: i.complete, width: i.naturalWidth } : null;",
            vec![json!(css)],
        )
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// Waits until the first `<img>` matching `css` has loaded and `accept`s it; `what` (and the
/// image last seen) goes into the timeout message.
pub async fn wait_loaded_image(
    client: &Client,
    css: &str,
    what: &str,
    accept: impl Fn(&Image) -> bool,
) -> Result<Image, String> {
    wait_for(what, PAGE_TIMEOUT, || async {
        match image(client, css).await? {
            Some(img) if img.loaded() && accept(&img) => Ok(Some(img)),
            seen => Err(format!("(last seen {css}: {seen:?})")),
        }
    })
    .await
}

/// How many elements match `css`.
pub async fn count(client: &Client, css: &str) -> Result<u64, String> {
    let value = client
        .execute(
            "return document.querySelectorAll(arguments[0]).length;",
            vec![json!(css)],
        )
        .await
        .map_err(|e| e.to_string())?;
    value
        .as_u64()
        .ok_or_else(|| format!("counting {css} gave {value}"))
}

/// On `/profile`: saves `name` as the display name and waits until the page says so.
pub async fn save_profile_name(client: &Client, name: &str) -> Result<(), String> {
    let input = find(client, "profile-name-input", PAGE_TIMEOUT).await?;
    input.clear().await.map_err(|e| e.to_string())?;
    input.send_keys(name).await.map_err(|e| e.to_string())?;
    click(client, "profile-name-save").await?;
    wait_profile_status(client, "Name saved.").await
}

/// On `/profile`: chooses `file` (an absolute path) in the picture's file input, which uploads
/// it, and waits until the page says it was saved.
pub async fn upload_avatar(client: &Client, file: &Path) -> Result<(), String> {
    let path = file
        .to_str()
        .ok_or_else(|| format!("not a UTF-8 path: {}", file.display()))?;
    find(client, "avatar-input", PAGE_TIMEOUT)
        .await?
        .send_keys(path)
        .await
        .map_err(|e| format!("choosing {path} in avatar-input: {e}"))?;
    wait_profile_status(client, "Picture saved.").await
}

async fn wait_profile_status(client: &Client, expected: &str) -> Result<(), String> {
    wait_for(
        &format!("profile-status {expected:?}"),
        PAGE_TIMEOUT,
        || async {
            let text = text_of(client, "[data-testid=\"profile-status\"]").await?;
            if text.trim() == expected {
                Ok(Some(()))
            } else {
                Err(format!("(profile-status says {text:?})"))
            }
        },
    )
    .await
}
