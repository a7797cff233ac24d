//! Reactions: one person's reaction shows on their tile for a moment on every screen, stays out
//! of the chat, and a flood is refused by the room with its typed error.

use confab_tests::room_page::{attribute, chat_messages, click, join, unique, wait_for};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::page::{wait_tile, TIMEOUT};
use crate::Env;

/// The reactions shown on the tile of `arguments[0]` (a name; "(me)" for my own tile).
const REACTIONS_JS: &str = r#"
const tile = arguments[0] === '(me)'
  ? document.querySelector('[data-testid=local-tile]')
  : document.querySelector(`[data-testid=video-tile][data-name="${arguments[0]}"]`);
return tile ? [...tile.querySelectorAll('[data-testid=reaction]')].map(r => r.textContent.trim()) : null;
"#;

async fn reactions_on(client: &Client, tile: &str) -> Result<Value, String> {
    client
        .execute(REACTIONS_JS, vec![json!(tile)])
        .await
        .map_err(|e| e.to_string())
}

async fn wait_reactions(
    client: &Client,
    who: &str,
    tile: &str,
    wanted: Value,
) -> Result<(), String> {
    wait_for(
        &format!("{who} to see {wanted} on {tile}'s tile"),
        TIMEOUT,
        || async {
            let seen = reactions_on(client, tile).await?;
            if seen == wanted {
                Ok(Some(()))
            } else {
                Err(format!("(seen: {seen})"))
            }
        },
    )
    .await
}

/// Clicks the reaction button, then the `index`th choice.
async fn react(client: &Client, index: usize) -> Result<(), String> {
    click(client, "reaction-button").await?;
    let options = client
        .find_all(Locator::Css("[data-testid=reaction-option]"))
        .await
        .map_err(|e| e.to_string())?;
    let option = options.get(index).ok_or(format!(
        "{} reaction options, wanted #{index}",
        options.len()
    ))?;
    option.click().await.map_err(|e| e.to_string())
}

/// Ana claps: Ben sees 👏 on her tile and she on her own, then it goes on both; nothing
/// reaches the chat. Ana then sends eight at once: the room refuses the ones over its limit
/// and her page says so.
pub async fn a_reaction_shows_on_every_screen_and_a_flood_is_refused(
    env: &Env,
) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("react");
    env.with_browsers(&["ana", "ben"], async |b: &[Client]| {
        let (ana, ben) = (&b[0], &b[1]);
        join(ana, base, &room, "Ana").await?;
        join(ben, base, &room, "Ben").await?;
        wait_tile(ana, "Ana", "Ben").await?;
        wait_tile(ben, "Ben", "Ana").await?;

        react(ana, 1).await?;
        wait_reactions(ben, "Ben", "Ana", json!(["👏"])).await?;
        wait_reactions(ana, "Ana", "(me)", json!(["👏"])).await?;
        // The picker closed on the choice.
        let expanded = attribute(ana, "[data-testid=reaction-button]", "aria-expanded").await?;
        if expanded != json!("false") {
            return Err(format!("the reaction picker is still open: {expanded}"));
        }
        wait_reactions(ben, "Ben", "Ana", json!([])).await?;
        wait_reactions(ana, "Ana", "(me)", json!([])).await?;
        for (who, client) in [("Ana", ana), ("Ben", ben)] {
            let chat = chat_messages(client).await?;
            if !chat.is_empty() {
                return Err(format!("{who}'s chat got messages from a reaction: {chat:?}"));
            }
        }

        // Eight at once, clicked by script (faster than a person).
        let flood = r#"
            const button = document.querySelector('[data-testid=reaction-button]');
            for (let i = 0; i < 8; i++) {
              button.click();
              document.querySelectorAll('[data-testid=reaction-option]')[0].click();
            }"#;
        ana.execute(flood, vec![]).await.map_err(|e| e.to_string())?;
        wait_for("Ana to be told she sent too many", TIMEOUT, || async {
            let notice = ana
                .execute(
                    "const n = document.querySelector('[data-testid=room-notice]'); return n && n.textContent;",
                    vec![],
                )
                .await
                .map_err(|e| e.to_string())?;
            let told = notice.as_str().is_some_and(|n| n.contains("too many at once"));
            Ok(told.then_some(()))
        })
        .await?;
        wait_reactions(ben, "Ben", "Ana", json!(["👍"])).await
    })
    .await
}
