//! A person signing in in a real browser: the provider stand-ins' pages
//! ([`crate::providers`]) clicked through with WebDriver, and what the app shows afterwards.

use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

use crate::providers::Provider;
use crate::room_page::{script, wait_for};

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
