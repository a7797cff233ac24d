//! Keyboard shortcuts in a call: each letter presses its button, `?` lists them in a dialog
//! that Escape closes, and nothing fires while typing in the chat.

use confab_tests::room_page::{attribute, join, unique, wait_attribute, wait_for};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::page::{value_of, TIMEOUT};
use crate::Env;

/// Presses and releases each key in turn, on whatever has focus.
async fn press(client: &Client, keys: &[char]) -> Result<(), String> {
    let mut actions = KeyActions::new("keyboard".into());
    for &key in keys {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    client
        .perform_actions(actions)
        .await
        .map_err(|e| format!("pressing {keys:?}: {e}"))
}

/// Presses `key` and waits until `test_id`'s `name` attribute reads `wanted`.
async fn press_and_see(
    client: &Client,
    key: char,
    test_id: &str,
    name: &str,
    wanted: &str,
) -> Result<(), String> {
    press(client, &[key]).await?;
    let selector = format!("[data-testid={test_id}]");
    wait_attribute(
        client,
        &format!("{key:?} pressed"),
        &selector,
        name,
        wanted,
        TIMEOUT,
    )
    .await
}

/// Ana, alone in a call with nothing focused, presses M, V, H, L and C: microphone and camera
/// go off, her hand up, speaker view on, the chat closes. `?` opens the list (seven keys, focus
/// on Close), Escape shuts it. With the chat open and the message box focused, M is typed,
/// not obeyed.
pub async fn shortcuts_press_their_buttons_but_not_while_typing(env: &Env) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("keys");
    env.with_browsers(&["ana"], async |b: &[Client]| {
        let ana = &b[0];
        join(ana, base, &room, "Ana").await?;
        ana.execute("document.activeElement.blur();", vec![])
            .await
            .map_err(|e| e.to_string())?;
        press_and_see(ana, 'm', "mic-toggle", "aria-pressed", "false").await?;
        press_and_see(ana, 'v', "cam-toggle", "aria-pressed", "false").await?;
        press_and_see(ana, 'h', "hand-button", "aria-pressed", "true").await?;
        press_and_see(ana, 'l', "stage", "data-layout", "speaker").await?;
        press_and_see(ana, 'c', "chat-toggle", "aria-pressed", "false").await?;

        press(ana, &['?']).await?;
        let listed = wait_for(
            "the shortcuts list with focus on Close",
            TIMEOUT,
            || async {
                let seen = ana
                    .execute(
                        "const d = document.querySelector('[data-testid=shortcuts-dialog]');
                     return d && { keys: d.querySelectorAll('kbd').length,
                                   focus: document.activeElement.dataset.testid || null };",
                        vec![],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                if seen["focus"] == json!("shortcuts-close") {
                    Ok(Some(seen))
                } else {
                    Err(format!("(seen: {seen})"))
                }
            },
        )
        .await?;
        if listed["keys"] != json!(7) {
            return Err(format!("the list shows {} keys, not 7", listed["keys"]));
        }
        let escape = KeyActions::new("keyboard".into())
            .then(KeyAction::Down {
                value: Key::Escape.into(),
            })
            .then(KeyAction::Up {
                value: Key::Escape.into(),
            });
        ana.perform_actions(escape)
            .await
            .map_err(|e| e.to_string())?;
        wait_for("Escape to close the list", TIMEOUT, || async {
            let open = ana
                .execute(
                    "return !!document.querySelector('[data-testid=shortcuts-dialog]');",
                    vec![],
                )
                .await
                .map_err(|e| e.to_string())?;
            Ok((open == json!(false)).then_some(()))
        })
        .await?;

        press_and_see(ana, 'c', "chat-toggle", "aria-pressed", "true").await?;
        ana.find(Locator::Css("[data-testid=chat-input]"))
            .await
            .map_err(|e| e.to_string())?
            .click()
            .await
            .map_err(|e| e.to_string())?;
        press(ana, &['m', 'l']).await?;
        let typed = value_of(ana, "chat-input").await?;
        if typed.as_deref() != Some("ml") {
            return Err(format!("the message box holds {typed:?}, not \"ml\""));
        }
        for (test_id, name, wanted) in [
            ("mic-toggle", "aria-pressed", "false"),
            ("stage", "data-layout", "speaker"),
        ] {
            let seen = attribute(ana, &format!("[data-testid={test_id}]"), name).await?;
            if seen != json!(wanted) {
                return Err(format!(
                    "typing in the chat changed {test_id}: {name}={seen}"
                ));
            }
        }
        Ok(())
    })
    .await
}
