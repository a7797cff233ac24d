//! **Copy invite link**: the room's link in the clipboard, or — when the browser will not let
//! the page write there — a notice that says it couldn't copy, with the link to copy by hand.

use confab_tests::room_page::{click, join, script, text_of, unique, wait_for};
use fantoccini::Client;

use crate::page::{read_clipboard, set_permission, write_clipboard, TIMEOUT};
use crate::Env;

const BUTTON: &str = "[data-testid=\"invite-button\"]";

/// Opens the site's home page (permissions are per origin) and sets `clipboard-write`.
async fn allow_clipboard_write(
    env: &Env,
    client: &Client,
    state: &'static str,
) -> Result<(), String> {
    client
        .goto(env.base_url())
        .await
        .map_err(|e| e.to_string())?;
    set_permission(client, "clipboard-write", state).await
}

/// Ivy, in a call, clicks **Copy invite link**: the button says the link was copied, and the
/// clipboard holds exactly `<origin>/r/<room>` (not what was there before).
pub async fn invite_link_lands_in_the_clipboard(env: &Env) -> Result<(), String> {
    let room = unique("invite-ok");
    let link = format!("{}/r/{room}", env.base_url());
    env.with_browsers(&["ivy"], async |b: &[Client]| {
        let ivy = &b[0];
        allow_clipboard_write(env, ivy, "granted").await?;
        set_permission(ivy, "clipboard-read", "granted").await?;
        join(ivy, env.base_url(), &room, "Ivy").await?;
        let stale = unique("not the invite link");
        write_clipboard(ivy, &stale).await?;

        click(ivy, "invite-button").await?;
        wait_for("the button to say \"Link copied\"", TIMEOUT, || async {
            let label = text_of(ivy, BUTTON).await?;
            if label.trim() == "Link copied" {
                Ok(Some(()))
            } else {
                Err(format!("(invite-button says {label:?})"))
            }
        })
        .await?;
        let copied = read_clipboard(ivy).await?;
        if copied != link {
            return Err(format!(
                "after \"Link copied\" the clipboard holds {copied:?}, not the room link {link:?}"
            ));
        }
        if let Some(notice) = room_notice(ivy).await? {
            return Err(format!(
                "a copy that worked also shows a notice: {notice:?}"
            ));
        }
        Ok(())
    })
    .await
}

/// What the room's notice (`room-notice`) says, if it shows.
async fn room_notice(client: &Client) -> Result<Option<String>, String> {
    let value = script(
        client,
        "const n = document.querySelector('[data-testid=\"room-notice\"]');
         return n ? n.textContent : null;",
    )
    .await?;
    Ok(value.as_str().map(str::to_owned))
}

/// The browser refuses the page clipboard writes (permission denied): clicking **Copy invite
/// link** must not claim the link was copied; the room's notice says it could not copy and
/// shows the link itself, so it can still be shared. Once writes are allowed, a click copies
/// it and the notice goes.
pub async fn failed_clipboard_write_says_so_and_shows_the_link(env: &Env) -> Result<(), String> {
    let room = unique("invite-denied");
    let link = format!("{}/r/{room}", env.base_url());
    env.with_browsers(&["ivo"], async |b: &[Client]| {
        let ivo = &b[0];
        allow_clipboard_write(env, ivo, "denied").await?;
        join(ivo, env.base_url(), &room, "Ivo").await?;

        click(ivo, "invite-button").await?;
        let notice = wait_for(
            "the page to say the link was not copied",
            TIMEOUT,
            || async {
                let label = text_of(ivo, BUTTON).await?;
                if label.contains("copied") {
                    // Fails at once: the page claims a copy that did not happen.
                    return Ok(Some(Err(format!(
                        "the clipboard write was refused but invite-button says {label:?}"
                    ))));
                }
                match room_notice(ivo).await? {
                    Some(notice) => Ok(Some(Ok(notice))),
                    None => Err(format!("(no room-notice; invite-button says {label:?})")),
                }
            },
        )
        .await??;
        if !notice.contains("Couldn't copy") || !notice.contains(&link) {
            return Err(format!(
                "room-notice should say it couldn't copy and show {link:?}: {notice:?}"
            ));
        }

        set_permission(ivo, "clipboard-write", "granted").await?;
        click(ivo, "invite-button").await?;
        wait_for("\"Link copied\" and the notice gone", TIMEOUT, || async {
            let label = text_of(ivo, BUTTON).await?;
            let notice = room_notice(ivo).await?;
            if label.trim() == "Link copied" && notice.is_none() {
                Ok(Some(()))
            } else {
                Err(format!(
                    "(invite-button says {label:?}, room-notice {notice:?})"
                ))
            }
        })
        .await
    })
    .await
}
