//! What a host does to run a meeting, in three browsers: asks Ben to mute (his own page turns
//! the mic off, says who, and the host hears silence until Ben unmutes), locks the room (Cid is
//! told it is locked), removes Cid for an hour (his page says so, and he cannot come back), and
//! ends the meeting for everyone.

use confab_tests::media_probe::wait_sound;
use confab_tests::room_page::{click, join, script, unique, wait_attribute, wait_script};
use fantoccini::Client;
use serde_json::json;

use crate::page::{try_join, wait_tile, TIMEOUT};
use crate::Env;

/// What the page says when the call is over (`null` while it is not).
const ENDED_JS: &str = "const e = document.querySelector('section.ended p'); \
                        return e ? e.textContent : null;";

async fn wait_ended(client: &Client, who: &str, says: &str) -> Result<(), String> {
    wait_script(client, who, ENDED_JS, &json!(says), TIMEOUT).await
}

/// Clicks `test_id` in the participants panel's row of `peer`.
async fn click_in_row(client: &Client, peer: &str, test_id: &str) -> Result<(), String> {
    let clicked = script(
        client,
        &format!(
            "const b = document.querySelector('[data-testid=participant-row][data-peer-id=\"{peer}\"] \
             [data-testid={test_id}]'); if (b) b.click(); return !!b;"
        ),
    )
    .await?;
    if clicked != json!(true) {
        return Err(format!("no {test_id} in the row of {peer}"));
    }
    Ok(())
}

pub async fn the_host_mutes_locks_removes_and_ends_for_everyone(env: &Env) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("moderation");
    env.with_browsers(&["ana", "ben", "cid"], async |b: &[Client]| {
        let (ana, ben, cid) = (&b[0], &b[1], &b[2]);
        join(ana, base, &room, "Ana").await?;
        join(ben, base, &room, "Ben").await?;
        let ben_peer = wait_tile(ana, "Ana", "Ben").await?;
        wait_tile(ben, "Ben", "Ana").await?;
        click(ana, "participants-button").await?;

        // Ask to mute: Ben's own page turns his mic off and says who; Ana hears silence.
        let from_ben = [ben_peer.clone()];
        wait_sound(ana, &from_ben, true, TIMEOUT).await?;
        click_in_row(ana, &ben_peer, "mute-request-button").await?;
        wait_attribute(
            ben,
            "Ben",
            "[data-testid=mic-toggle]",
            "aria-pressed",
            "false",
            TIMEOUT,
        )
        .await?;
        wait_script(
            ben,
            "Ben",
            "return document.querySelector('[data-testid=room-notice]')?.textContent ?? null;",
            &json!("Ana turned your microphone off"),
            TIMEOUT,
        )
        .await?;
        wait_sound(ana, &from_ben, false, TIMEOUT).await?;
        // He may unmute himself, and is heard again.
        click(ben, "mic-toggle").await?;
        wait_sound(ana, &from_ben, true, TIMEOUT).await?;

        // Locked: everyone sees it; Cid, new, is told.
        click(ana, "lock-toggle").await?;
        wait_attribute(
            ana,
            "Ana",
            "[data-testid=lock-toggle]",
            "aria-pressed",
            "true",
            TIMEOUT,
        )
        .await?;
        wait_script(
            ben,
            "Ben",
            "return !!document.querySelector('[data-testid=room-locked]');",
            &json!(true),
            TIMEOUT,
        )
        .await?;
        try_join(cid, base, &room, "Cid").await?;
        wait_ended(
            cid,
            "Cid",
            "This room is locked; a host has to unlock it before you can join.",
        )
        .await?;

        // Unlocked, Cid gets in; Ana removes him for an hour.
        click(ana, "lock-toggle").await?;
        wait_attribute(
            ana,
            "Ana",
            "[data-testid=lock-toggle]",
            "aria-pressed",
            "false",
            TIMEOUT,
        )
        .await?;
        join(cid, base, &room, "Cid").await?;
        let cid_peer = wait_tile(ana, "Ana", "Cid").await?;
        click_in_row(ana, &cid_peer, "remove-button").await?;
        script(
            ana,
            "const s = document.querySelector('[data-testid=remove-period]'); \
             s.value = 'hour'; s.dispatchEvent(new Event('change')); return null;",
        )
        .await?;
        click(ana, "remove-confirm").await?;
        wait_ended(cid, "Cid", "A host removed you from this room.").await?;
        let rows = "return [...document.querySelectorAll('[data-testid=participant-row]')] \
                    .map(r => r.querySelector('.name').textContent).sort();";
        wait_script(ana, "Ana", rows, &json!(["Ana", "Ben"]), TIMEOUT).await?;
        // He cannot come back: a fresh page, the same guest, still removed.
        try_join(cid, base, &room, "Cid").await?;
        wait_ended(cid, "Cid again", "A host removed you from this room.").await?;

        // The host ends the meeting: both pages say so.
        click(ana, "end-for-all-button").await?;
        click(ana, "end-for-all-confirm").await?;
        for (client, who) in [(ana, "Ana"), (ben, "Ben")] {
            wait_ended(client, who, "The host ended the meeting for everyone.").await?;
        }
        Ok(())
    })
    .await
}
