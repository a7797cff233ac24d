//! Chat paths: closing the panel, throwing away a message the server refused, and a message
//! too long to send.

use std::time::Duration;

use confab_protocol::limits::MAX_CHAT_CHARS;
use confab_tests::room_page::{
    chat_messages, click, find, join, script, send_burst, send_chat, type_chat, unique,
    wait_chat_text, wait_for, ChatRow, BURST, CUT_NETWORK_JS, RESTORE_NETWORK_JS,
};
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::page::{displayed, value_of};
use crate::Env;

const CHAT_TIMEOUT: Duration = Duration::from_secs(15);
/// Worst case of the app's backoff after a few failures (4 s + 30 %), plus the reconnect.
const RECONNECT_TIMEOUT: Duration = Duration::from_secs(20);
const ENTER: &str = "\u{E007}";
const BACKSPACE: &str = "\u{E003}";

/// Both join `room`; returns once each is in the call.
async fn join_both(env: &Env, b: &[Client], room: &str) -> Result<(), String> {
    join(&b[0], env.base_url(), room, "Ana").await?;
    join(&b[1], env.base_url(), room, "Ben").await
}

/// The number on the Chat button (`None` when it shows none).
async fn unread(client: &Client) -> Result<Option<String>, String> {
    let value = script(
        client,
        "const u = document.querySelector('[data-testid=chat-unread]'); return u ? u.textContent : null;",
    )
    .await?;
    Ok(value.as_str().map(str::to_owned))
}

async fn wait_unread(client: &Client, wanted: &str) -> Result<(), String> {
    wait_for(
        &format!("the Chat button to count {wanted}"),
        CHAT_TIMEOUT,
        || async {
            match unread(client).await? {
                Some(n) if n == wanted => Ok(Some(())),
                seen => Err(format!("(chat-unread shows {seen:?})")),
            }
        },
    )
    .await
}

/// Waits until the chat panel is shown (`true`) or hidden.
async fn wait_panel(client: &Client, shown: bool, what: &str) -> Result<(), String> {
    wait_for(what, CHAT_TIMEOUT, || async {
        let input = displayed(client, "chat-input").await?;
        let search = displayed(client, "chat-search").await?;
        if input == shown && search == shown {
            Ok(Some(()))
        } else {
            Err(format!(
                "(chat-input displayed: {input}, chat-search displayed: {search})"
            ))
        }
    })
    .await
}

/// Ben closes the chat with **Chat** (and later with ✕): the panel is hidden, and what Ana
/// sends meanwhile is counted on the Chat button until he opens it again.
pub async fn closed_chat_is_hidden_and_counts_what_arrives(env: &Env) -> Result<(), String> {
    let room = unique("paths-chat-close");
    env.with_browsers(&["ana", "ben"], async |b: &[Client]| {
        let (ana, ben) = (&b[0], &b[1]);
        join_both(env, b, &room).await?;
        send_chat(ana, "before closing").await?;
        wait_chat_text(ben, "before closing", CHAT_TIMEOUT).await?;
        wait_panel(ben, true, "the chat panel to be open on a wide screen").await?;

        click(ben, "chat-toggle").await?;
        wait_panel(ben, false, "the chat panel to hide after clicking Chat").await?;
        let pressed = script(
            ben,
            "return document.querySelector('[data-testid=chat-toggle]').getAttribute('aria-pressed');",
        )
        .await?;
        if pressed != json!("false") {
            return Err(format!("the closed Chat button has aria-pressed={pressed}"));
        }
        if let Some(n) = unread(ben).await? {
            return Err(format!("nothing new yet, but the Chat button counts {n:?}"));
        }
        send_chat(ana, "while closed").await?;
        wait_unread(ben, "1").await?;

        click(ben, "chat-toggle").await?;
        wait_panel(ben, true, "the chat panel to show again after clicking Chat").await?;
        wait_chat_text(ben, "while closed", CHAT_TIMEOUT).await?;
        if let Some(n) = unread(ben).await? {
            return Err(format!("the open panel still counts {n:?} unread"));
        }

        // The panel's own close button does the same.
        click(ben, "chat-close").await?;
        wait_panel(ben, false, "the chat panel to hide after clicking ✕").await?;
        send_chat(ana, "after the close button").await?;
        wait_unread(ben, "1").await?;
        Ok(())
    })
    .await
}

fn failed(rows: &[ChatRow]) -> Vec<&ChatRow> {
    rows.iter()
        .filter(|r| r.state.as_deref() == Some("failed"))
        .collect()
}

/// Ana sends faster than the server allows, so some messages are refused (marked failed). She
/// discards one: it leaves her page at once, the other failed ones stay. She retries the rest
/// until they are delivered, and her connection drops and comes back: Ben gets every message
/// but the discarded one, and it is on neither page afterwards.
pub async fn discarded_message_leaves_the_page_and_is_never_delivered(
    env: &Env,
) -> Result<(), String> {
    let room = unique("paths-chat-discard");
    env.with_browsers(&["ana", "ben"], async |b: &[Client]| {
        let (ana, ben) = (&b[0], &b[1]);
        join_both(env, b, &room).await?;
        send_burst(ana).await?;
        let rows = wait_for(
            "every burst message stored or refused",
            CHAT_TIMEOUT,
            || async {
                let rows = chat_messages(ana).await?;
                let settled = rows.len() == BURST
                    && rows.iter().all(|r| r.state.as_deref() != Some("sending"));
                Ok(settled.then_some(rows))
            },
        )
        .await?;
        let refused = failed(&rows);
        if refused.len() < 2 {
            return Err(format!("expected at least two refused messages: {rows:?}"));
        }
        let victim = refused[0].clone();
        let kept = refused.len() - 1;

        let discard = format!(
            "[data-testid=\"chat-message\"][data-client-id=\"{}\"] [data-testid=\"chat-discard\"]",
            victim.client_id
        );
        ana.find(Locator::Css(&discard))
            .await
            .map_err(|e| format!("no Discard on the failed message {:?}: {e}", victim.text))?
            .click()
            .await
            .map_err(|e| e.to_string())?;
        wait_for(
            "the discarded message to leave the page",
            CHAT_TIMEOUT,
            || async {
                let rows = chat_messages(ana).await?;
                match rows.iter().find(|r| r.client_id == victim.client_id) {
                    None => Ok(Some(())),
                    Some(row) => Err(format!("(still shown after Discard: {row:?})")),
                }
            },
        )
        .await?;
        let left = failed(&chat_messages(ana).await?).len();
        if left != kept {
            return Err(format!(
                "Discard on one message left {left} failed messages, not the other {kept}"
            ));
        }

        wait_for(
            "the other failed messages delivered by Retry",
            CHAT_TIMEOUT,
            || async {
                let rows = chat_messages(ana).await?;
                if rows.len() == BURST - 1 && rows.iter().all(|r| r.seq.is_some()) {
                    return Ok(Some(()));
                }
                script(
                ana,
                "document.querySelectorAll('[data-testid=chat-retry]').forEach(b => b.click());",
            )
            .await?;
                Err(format!("(Ana's messages: {rows:?})"))
            },
        )
        .await?;

        // A reconnect resends what is still waiting; the discarded message must not be in it.
        script(ana, CUT_NETWORK_JS).await?;
        find(ana, "reconnecting", Duration::from_secs(5)).await?;
        script(ana, RESTORE_NETWORK_JS).await?;
        wait_for("Ana's reconnect", RECONNECT_TIMEOUT, || async {
            let down = script(
                ana,
                "return !!document.querySelector('[data-testid=reconnecting]');",
            )
            .await?;
            Ok((down == json!(false)).then_some(()))
        })
        .await?;
        let marker = unique("after the reconnect");
        send_chat(ana, &marker).await?;
        wait_chat_text(ben, &marker, CHAT_TIMEOUT).await?;

        let want: Vec<String> = (1..=BURST)
            .map(|i| format!("burst {i}"))
            .filter(|t| *t != victim.text)
            .chain([marker.clone()])
            .collect();
        for (client, who) in [(ana, "Ana"), (ben, "Ben")] {
            wait_chat_text(client, &marker, CHAT_TIMEOUT).await?;
            let rows = chat_messages(client).await?;
            if rows.iter().any(|r| r.text == victim.text) {
                return Err(format!(
                    "{who} has the discarded message {:?}: {rows:?}",
                    victim.text
                ));
            }
            let mut texts: Vec<String> = rows.iter().map(|r| r.text.clone()).collect();
            let mut sorted_want = want.clone();
            texts.sort();
            sorted_want.sort();
            if texts != sorted_want || rows.iter().any(|r| r.seq.is_none()) {
                return Err(format!(
                    "{who} should have every message but the discarded one, once: {rows:?}"
                ));
            }
        }
        Ok(())
    })
    .await
}

/// Pastes `text` into the chat input, the way a paste reaches the page (one input event).
const PASTE_JS: &str = r#"
const input = document.querySelector('[data-testid=chat-input]');
input.focus();
input.value = arguments[0];
input.dispatchEvent(new Event('input', { bubbles: true }));
return true;
"#;

/// What the composer says about the draft (`chat-compose-error`), if anything.
async fn compose_error(client: &Client) -> Result<Option<String>, String> {
    let value = script(
        client,
        "const e = document.querySelector('[data-testid=chat-compose-error]');
         return e ? e.textContent : null;",
    )
    .await?;
    Ok(value.as_str().map(str::to_owned))
}

/// Ana pastes a message one character over the limit and presses Enter: the page refuses it
/// with the reason, keeps her text to shorten, and sends nothing. With one character deleted
/// it goes, and Ben receives only that one.
pub async fn over_long_message_is_refused_in_the_page_and_not_sent(
    env: &Env,
) -> Result<(), String> {
    let room = unique("paths-chat-long");
    let head = unique("long");
    let too_long = format!("{head} {}", "x".repeat(MAX_CHAT_CHARS - head.len()));
    let fits: String = too_long.chars().take(MAX_CHAT_CHARS).collect();
    env.with_browsers(&["ana", "ben"], async |b: &[Client]| {
        let (ana, ben) = (&b[0], &b[1]);
        join_both(env, b, &room).await?;
        ana.execute(PASTE_JS, vec![json!(too_long)])
            .await
            .map_err(|e| e.to_string())?;
        type_chat(ana, ENTER).await?;
        let reason = wait_for(
            "the page to refuse the over-long message",
            CHAT_TIMEOUT,
            || async {
                if let Some(row) = chat_messages(ana)
                    .await?
                    .into_iter()
                    .find(|r| r.text == too_long)
                {
                    // Fails at once: it went into the chat instead of being refused.
                    return Ok(Some(Err(format!(
                        "a {}-character message went into the chat (state {:?}, seq {:?}) \
                     instead of being refused in the page",
                        too_long.chars().count(),
                        row.state,
                        row.seq
                    ))));
                }
                Ok(compose_error(ana).await?.map(Ok))
            },
        )
        .await??;
        if !reason.contains(&MAX_CHAT_CHARS.to_string()) {
            return Err(format!("the refusal does not give the limit: {reason:?}"));
        }
        if value_of(ana, "chat-input").await?.as_deref() != Some(too_long.as_str()) {
            return Err("the refused text is no longer in the input to shorten".into());
        }

        // One character fewer is within the limit: it is sent, and the reason goes away.
        type_chat(ana, &format!("{BACKSPACE}{ENTER}")).await?;
        wait_chat_text(ben, &fits, CHAT_TIMEOUT).await?;
        wait_chat_text(ana, &fits, CHAT_TIMEOUT).await?;
        if let Some(still) = compose_error(ana).await? {
            return Err(format!("after sending, the composer still says {still:?}"));
        }
        for (client, who) in [(ana, "Ana"), (ben, "Ben")] {
            let rows = chat_messages(client).await?;
            if rows.len() != 1 {
                return Err(format!(
                    "{who} should have only the message that fits: {} messages",
                    rows.len()
                ));
            }
        }
        Ok(())
    })
    .await
}
