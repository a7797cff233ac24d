//! The keyboard alone, and what a screen reader is told: from the home page into a call,
//! microphone and camera, chat, the emoji menu (WAI-ARIA menu keys), search and leaving, every
//! step by key presses on whatever has focus, each focus showing a ring; and the room's live
//! region and tile labels saying what others do.

use confab_tests::room_page::{click, find, join, unique, wait_chat_text, wait_for, wait_heard};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Client;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::page::{value_of, wait_tile, TIMEOUT};
use crate::Env;

/// Tab presses a control may be away before we call it unreachable.
const MAX_TABS: usize = 40;

/// The first emoji of the picker (`app/src/chat/text.rs`), which Enter on the first item
/// inserts.
const FIRST_EMOJI: &str = "😀";

/// Presses and releases each key in turn, on whatever has focus.
async fn press(client: &Client, keys: &[Key]) -> Result<(), String> {
    let mut actions = KeyActions::new("keyboard".into());
    for &key in keys {
        actions = actions
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
    }
    client
        .perform_actions(actions)
        .await
        .map_err(|e| format!("pressing {keys:?}: {e}"))
}

/// Shift+Tab.
async fn press_shift_tab(client: &Client) -> Result<(), String> {
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down {
            value: Key::Shift.into(),
        })
        .then(KeyAction::Down {
            value: Key::Tab.into(),
        })
        .then(KeyAction::Up {
            value: Key::Tab.into(),
        })
        .then(KeyAction::Up {
            value: Key::Shift.into(),
        });
    client
        .perform_actions(actions)
        .await
        .map_err(|e| format!("pressing Shift+Tab: {e}"))
}

/// Types `text` into the element that has focus (it must be a text field).
async fn type_here(client: &Client, text: &str) -> Result<(), String> {
    client
        .active_element()
        .await
        .map_err(|e| e.to_string())?
        .send_keys(text)
        .await
        .map_err(|e| format!("typing {text:?}: {e}"))
}

/// What has focus: its `data-testid` (else its tag), and whether it shows a focus ring
/// (`:focus-visible` with an outline at least 2px wide).
#[derive(Debug, Deserialize)]
struct Focus {
    id: String,
    ring: bool,
}

const FOCUS_JS: &str = r#"
const e = document.activeElement;
if (!e || e === document.body) return null;
const s = getComputedStyle(e);
return {
  id: e.dataset.testid || e.tagName.toLowerCase(),
  ring: e.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
};
"#;

async fn focused(client: &Client) -> Result<Option<Focus>, String> {
    let value = client
        .execute(FOCUS_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

async fn wait_focus(client: &Client, test_id: &str) -> Result<(), String> {
    wait_for(&format!("focus on {test_id}"), TIMEOUT, || async {
        match focused(client).await? {
            Some(focus) if focus.id == test_id => Ok(Some(())),
            other => Err(format!("(focus on {other:?})")),
        }
    })
    .await
}

/// Tabs (Shift+Tab when `backwards`) until `test_id` has focus; every stop on the way must
/// show a focus ring. Returns the stops, in order.
async fn tab_to(client: &Client, test_id: &str, backwards: bool) -> Result<Vec<String>, String> {
    let mut stops = Vec::new();
    for _ in 0..MAX_TABS {
        if backwards {
            press_shift_tab(client).await?;
        } else {
            press(client, &[Key::Tab]).await?;
        }
        let Some(focus) = focused(client).await? else {
            stops.push("(page)".to_owned());
            continue;
        };
        if !focus.ring {
            return Err(format!("focus on {} shows no focus ring", focus.id));
        }
        stops.push(focus.id.clone());
        if focus.id == test_id {
            return Ok(stops);
        }
    }
    Err(format!(
        "{test_id} not reached in {MAX_TABS} Tab presses (stops: {stops:?})"
    ))
}

/// Waits until `[data-testid=test_id]`'s attribute `name` is `wanted`.
async fn wait_attribute(
    client: &Client,
    test_id: &str,
    name: &str,
    wanted: &str,
) -> Result<(), String> {
    let js = "const e = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
              return e ? e.getAttribute(arguments[1]) : null;";
    wait_for(&format!("{test_id} {name}={wanted:?}"), TIMEOUT, || async {
        let seen = client
            .execute(js, vec![json!(test_id), json!(name)])
            .await
            .map_err(|e| e.to_string())?;
        if seen == json!(wanted) {
            Ok(Some(()))
        } else {
            Err(format!("(last seen: {seen})"))
        }
    })
    .await
}

/// Waits until the page is in `lang` (`<html lang>`).
async fn wait_lang(client: &Client, lang: &str) -> Result<(), String> {
    wait_for(&format!("the page in {lang}"), TIMEOUT, || async {
        let seen = client
            .execute("return document.documentElement.lang;", vec![])
            .await
            .map_err(|e| e.to_string())?;
        Ok((seen == json!(lang)).then_some(()))
    })
    .await
}

/// The label a screen reader gives `name`'s tile on `client`'s page.
async fn tile_label(client: &Client, name: &str) -> Result<Value, String> {
    client
        .execute(
            "const t = [...document.querySelectorAll('[data-testid=video-tile]')]
               .find(t => t.dataset.name === arguments[0]);
             return t ? t.getAttribute('aria-label') : null;",
            vec![json!(name)],
        )
        .await
        .map_err(|e| e.to_string())
}

async fn wait_tile_label(client: &Client, name: &str, wanted: &str) -> Result<(), String> {
    wait_for(
        &format!("{name}'s tile labelled {wanted:?}"),
        TIMEOUT,
        || async {
            let seen = tile_label(client, name).await?;
            if seen == json!(wanted) {
                Ok(Some(()))
            } else {
                Err(format!("(label: {seen})"))
            }
        },
    )
    .await
}

/// The controls whose order the Tab key must follow, in the order a person sees them: the
/// page's menus, the chat beside the call (search, close, emoji, message), then the bar
/// under the call from left to right.
const CALL_ORDER: [&str; 11] = [
    "theme-toggle",
    "language-select",
    "chat-search",
    "chat-close",
    "emoji-button",
    "chat-input",
    "mic-toggle",
    "cam-toggle",
    "chat-toggle",
    "invite-button",
    "leave-button",
];

/// Ana uses no mouse. On the home page she switches the language to Korean and back with the
/// arrow keys, types her name and a room and presses Enter. In the call she mutes and unmutes
/// her microphone with Space and stops her camera with Enter (Ben's page labels her tile so),
/// hears Ben join, mute and write (a burst as one count), writes back, picks an emoji from
/// the menu with the arrow keys (Escape closes it and gives focus back to its button, Tab
/// leaves it for the message box), searches the chat and jumps to a result, and leaves. Every
/// stop of the Tab key shows a focus ring, and Tab goes through the call's controls in the
/// order they are seen.
pub async fn the_whole_path_works_with_the_keyboard_alone(env: &Env) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("keys");
    let ana = env.stage().browser_in_language("ana", "en-US,en").await?;
    let ben = env.stage().browser_in_language("ben", "en-US,en").await?;
    confab_tests::room_page::with_browsers(vec![ana, ben], async |b: &[Client]| {
        let (ana, ben) = (&b[0], &b[1]);
        ana.goto(base).await.map_err(|e| e.to_string())?;
        find(ana, "name-input", TIMEOUT).await?;
        // The language menu (a native select): arrow keys change it at once.
        tab_to(ana, "language-select", false).await?;
        press(ana, &[Key::Up]).await?;
        wait_lang(ana, "ko").await?;
        press(ana, &[Key::Down]).await?;
        wait_lang(ana, "en").await?;
        tab_to(ana, "name-input", false).await?;
        type_here(ana, "Ana").await?;
        tab_to(ana, "room-input", false).await?;
        type_here(ana, &room).await?;
        press(ana, &[Key::Enter]).await?;
        find(ana, "local-video", TIMEOUT)
            .await
            .map_err(|e| format!("Enter on the home page did not start the call: {e}"))?;

        // Tab order through the call, from the top of the page.
        let stops = tab_to(ana, "leave-button", false).await?;
        let seen: Vec<&str> = stops
            .iter()
            .map(String::as_str)
            .filter(|s| CALL_ORDER.contains(s))
            .collect();
        if seen != CALL_ORDER {
            return Err(format!(
                "Tab went through the call as {seen:?}, not {CALL_ORDER:?} (all stops: {stops:?})"
            ));
        }

        join(ben, base, &room, "Ben").await?;
        wait_heard(ana, "Ana", "Ben joined").await?;
        wait_tile(ben, "Ben", "Ana").await?;
        wait_tile_label(ben, "Ana", "Ana").await?;

        // Microphone: Space, twice; camera: Enter. Ben's page says what is off.
        tab_to(ana, "mic-toggle", true).await?;
        press(ana, &[Key::Space]).await?;
        wait_attribute(ana, "mic-toggle", "aria-pressed", "false").await?;
        wait_tile_label(ben, "Ana", "Ana, microphone off").await?;
        press(ana, &[Key::Space]).await?;
        wait_attribute(ana, "mic-toggle", "aria-pressed", "true").await?;
        tab_to(ana, "cam-toggle", false).await?;
        press(ana, &[Key::Enter]).await?;
        wait_attribute(ana, "cam-toggle", "aria-pressed", "false").await?;
        wait_tile_label(ben, "Ana", "Ana, camera off").await?;

        // What Ana hears Ben do.
        click(ben, "mic-toggle").await?;
        wait_heard(ana, "Ana", "Ben muted their microphone").await?;
        wait_tile_label(ana, "Ben", "Ben, microphone off").await?;
        let hello = unique("hello");
        confab_tests::room_page::send_chat(ben, &hello).await?;
        wait_heard(ana, "Ana", &format!("Ben: {hello}")).await?;
        // Two more right after: heard once, as a count, when the burst's window closes.
        confab_tests::room_page::send_chat(ben, "one").await?;
        confab_tests::room_page::send_chat(ben, "two").await?;
        wait_heard(ana, "Ana", "2 more messages").await?;

        // Chat: write and send with Enter.
        tab_to(ana, "chat-input", true).await?;
        let reply = unique("안녕 모두");
        type_here(ana, &reply).await?;
        press(ana, &[Key::Enter]).await?;
        wait_chat_text(ana, &reply, TIMEOUT).await?;

        // The emoji menu: Enter opens it on its first item; arrows move; Escape closes it
        // and focus returns to its button; ArrowDown opens it again, Tab leaves it for the
        // message box; back on the button ArrowDown opens it, Enter picks.
        tab_to(ana, "emoji-button", true).await?;
        press(ana, &[Key::Enter]).await?;
        wait_attribute(ana, "emoji-button", "aria-expanded", "true").await?;
        let item = "const e = document.activeElement;
                    return e && e.getAttribute('role') === 'menuitem'
                      ? [...e.parentElement.children].indexOf(e) : null;";
        let wait_item = |index: u64| async move {
            wait_for(&format!("focus on emoji {index}"), TIMEOUT, || async {
                let seen = ana.execute(item, vec![]).await.map_err(|e| e.to_string())?;
                if seen == json!(index) {
                    Ok(Some(()))
                } else {
                    Err(format!("(focus on item {seen})"))
                }
            })
            .await
        };
        wait_item(0).await?;
        press(ana, &[Key::Right]).await?;
        wait_item(1).await?;
        press(ana, &[Key::Down]).await?;
        wait_item(7).await?;
        press(ana, &[Key::Left]).await?;
        wait_item(6).await?;
        press(ana, &[Key::Escape]).await?;
        wait_attribute(ana, "emoji-button", "aria-expanded", "false").await?;
        wait_focus(ana, "emoji-button").await?;
        // Tab leaves the open menu for the message box, closing it.
        press(ana, &[Key::Down]).await?;
        wait_item(0).await?;
        press(ana, &[Key::Tab]).await?;
        wait_focus(ana, "chat-input").await?;
        wait_attribute(ana, "emoji-button", "aria-expanded", "false").await?;
        press_shift_tab(ana).await?;
        wait_focus(ana, "emoji-button").await?;
        press(ana, &[Key::Down]).await?;
        wait_item(0).await?;
        press(ana, &[Key::Enter]).await?;
        wait_focus(ana, "chat-input").await?;
        let draft = value_of(ana, "chat-input").await?;
        if draft.as_deref() != Some(FIRST_EMOJI) {
            return Err(format!("the picked emoji made the message {draft:?}"));
        }
        press(ana, &[Key::Enter]).await?;
        wait_chat_text(ana, FIRST_EMOJI, TIMEOUT).await?;

        // Search, and Enter on a result jumps to the message.
        tab_to(ana, "chat-search", true).await?;
        type_here(ana, &hello).await?;
        press(ana, &[Key::Enter]).await?;
        find(ana, "chat-search-result", TIMEOUT).await?;
        tab_to(ana, "chat-search-result", false).await?;
        press(ana, &[Key::Enter]).await?;
        wait_for(
            "the found message to flash in the list",
            TIMEOUT,
            || async {
                let seen = ana
                    .execute(
                        "return !!document.querySelector('[data-testid=chat-message].flash');",
                        vec![],
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                Ok((seen == json!(true)).then_some(()))
            },
        )
        .await?;

        tab_to(ana, "leave-button", false).await?;
        press(ana, &[Key::Enter]).await?;
        find(ana, "join-button", TIMEOUT)
            .await
            .map_err(|e| format!("Enter on Leave did not leave: {e}"))?;
        wait_heard(ben, "Ben", "Ana left").await?;
        Ok(())
    })
    .await
}
