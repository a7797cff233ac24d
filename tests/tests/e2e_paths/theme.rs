//! Light and dark: the page follows the system's colour scheme, and the theme menu overrides
//! it (remembered by this browser).

use confab_tests::room_page::{find, wait_for};
use fantoccini::{Client, Locator};

use crate::page::{block_urls, emulate_color_scheme, TIMEOUT};
use crate::Env;

/// The page background as the browser computed it.
async fn background(client: &Client) -> Result<String, String> {
    let value = (client
        .execute(
            "return getComputedStyle(document.documentElement).backgroundColor;",
            vec![],
        )
        .await)
        .map_err(|e| e.to_string())?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

async fn wait_background(client: &Client, what: &str, wanted: &str) -> Result<(), String> {
    wait_for(what, TIMEOUT, || async {
        let seen = background(client).await?;
        if seen == wanted {
            Ok(Some(()))
        } else {
            Err(format!("(background: {seen})"))
        }
    })
    .await
}

/// The page's two backgrounds (the CSS `--bg` pair).
const LIGHT_BG: &str = "rgb(248, 250, 252)";
const DARK_BG: &str = "rgb(15, 23, 42)";

/// A light system shows the light theme and a dark one the dark theme; choosing "dark" in the
/// theme menu wins over a light system, also after a reload and before the app has started,
/// and "system" follows it again.
pub async fn the_theme_follows_the_system_and_the_menu_overrides_it(
    env: &Env,
) -> Result<(), String> {
    env.with_browsers(&["theo"], async |b: &[Client]| {
        let theo = &b[0];
        theo.goto(env.base_url()).await.map_err(|e| e.to_string())?;
        find(theo, "theme-toggle", TIMEOUT).await?;
        emulate_color_scheme(theo, "light").await?;
        wait_background(theo, "the light theme on a light system", LIGHT_BG).await?;
        emulate_color_scheme(theo, "dark").await?;
        wait_background(theo, "the dark theme on a dark system", DARK_BG).await?;

        emulate_color_scheme(theo, "light").await?;
        choose_theme(theo, "dark").await?;
        wait_background(theo, "the chosen dark theme on a light system", DARK_BG).await?;
        theo.refresh().await.map_err(|e| e.to_string())?;
        find(theo, "theme-toggle", TIMEOUT).await?;
        emulate_color_scheme(theo, "light").await?;
        wait_background(theo, "the chosen dark theme after a reload", DARK_BG).await?;
        // Before the app starts (its WebAssembly refused here, so it never does), the loading
        // page is already in the chosen theme: no light flash on a light system.
        block_urls(theo, &["*.wasm"]).await?;
        theo.refresh().await.map_err(|e| e.to_string())?;
        emulate_color_scheme(theo, "light").await?;
        let booting = theo
            .execute("return !!document.getElementById('boot');", vec![])
            .await
            .map_err(|e| e.to_string())?;
        if booting != serde_json::json!(true) {
            return Err("the app started although its WebAssembly was refused".into());
        }
        wait_background(theo, "the chosen dark theme before the app starts", DARK_BG).await?;
        let still_booting = theo
            .execute("return !!document.getElementById('boot');", vec![])
            .await
            .map_err(|e| e.to_string())?;
        if still_booting != serde_json::json!(true) {
            return Err("the app started although its WebAssembly was refused".into());
        }
        block_urls(theo, &[]).await?;
        theo.refresh().await.map_err(|e| e.to_string())?;
        find(theo, "theme-toggle", TIMEOUT).await?;
        choose_theme(theo, "system").await?;
        wait_background(theo, "the system's light theme again", LIGHT_BG).await
    })
    .await
}

async fn choose_theme(client: &Client, theme: &str) -> Result<(), String> {
    let menu = find(client, "theme-toggle", TIMEOUT).await?;
    menu.click().await.map_err(|e| e.to_string())?;
    menu.find(Locator::Css(&format!("option[value={theme}]")))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| format!("choosing the {theme} theme: {e}"))
}
