//! The lobby in three browsers: Ana, the host, turns it on; Ben and Cid knock and wait on a
//! page with the room's name and nothing of the call; Ana sees both with a notice, lets Ben in
//! (his page becomes the call, on the same socket) and turns Cid away (his page says so).

use confab_tests::room_page::{click, join, script, unique, wait_attribute, wait_script};
use fantoccini::Client;
use serde_json::json;

use crate::page::{try_join, wait_tile, TIMEOUT};
use crate::Env;

/// A waiting page: `true` once it shows `lobby-waiting` with the room's name and nothing of
/// the call (no chat, people or tiles).
fn waiting_js(room: &str) -> String {
    format!(
        "const w = document.querySelector('[data-testid=lobby-waiting]'); \
         if (!w) return null; \
         const call = ['chat-panel', 'participants-panel', 'video-tile', 'chat-list'] \
           .filter(id => document.querySelector(`[data-testid=${{id}}]`)); \
         return call.length ? call : w.textContent.includes('{room}');"
    )
}

async fn wait_waiting(client: &Client, who: &str, room: &str) -> Result<(), String> {
    wait_script(client, who, &waiting_js(room), &json!(true), TIMEOUT).await
}

/// Clicks `test_id` in the lobby row of `name`; returns that row's peer id.
async fn click_in_lobby_row(client: &Client, name: &str, test_id: &str) -> Result<String, String> {
    let clicked = script(
        client,
        &format!(
            "const r = [...document.querySelectorAll('[data-testid=lobby-row]')] \
               .find(r => r.textContent.includes('{name}')); \
             const b = r && r.querySelector('[data-testid={test_id}]'); \
             if (b) b.click(); return b ? r.dataset.peerId : null;"
        ),
    )
    .await?;
    clicked
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no {test_id} in a lobby row of {name}"))
}

const LOBBY_NAMES_JS: &str = "return [...document.querySelectorAll('[data-testid=lobby-row]')] \
     .map(r => r.textContent.includes('Ben') ? 'Ben' : r.textContent.includes('Cid') ? 'Cid' : '?');";

pub async fn the_host_lets_one_in_from_the_lobby_and_turns_one_away(
    env: &Env,
) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("lobby");
    env.with_browsers(&["ana", "ben", "cid"], async |b: &[Client]| {
        let (ana, ben, cid) = (&b[0], &b[1], &b[2]);
        join(ana, base, &room, "Ana").await?;
        click(ana, "participants-button").await?;
        click(ana, "lobby-toggle").await?;
        wait_attribute(
            ana,
            "Ana",
            "[data-testid=lobby-toggle]",
            "aria-pressed",
            "true",
            TIMEOUT,
        )
        .await?;

        // Ben and Cid knock and wait; Ana sees both, in the order they came, and is told.
        try_join(ben, base, &room, "Ben").await?;
        wait_waiting(ben, "Ben", &room).await?;
        wait_script(ana, "Ana", LOBBY_NAMES_JS, &json!(["Ben"]), TIMEOUT).await?;
        try_join(cid, base, &room, "Cid").await?;
        wait_waiting(cid, "Cid", &room).await?;
        wait_script(ana, "Ana", LOBBY_NAMES_JS, &json!(["Ben", "Cid"]), TIMEOUT).await?;
        wait_script(
            ana,
            "Ana",
            "return document.querySelector('[data-testid=announcer]')?.textContent \
               .includes('Cid') ?? false;",
            &json!(true),
            TIMEOUT,
        )
        .await?;
        wait_script(
            ana,
            "Ana",
            "return !!document.querySelector('[data-testid=admit-all-button]');",
            &json!(true),
            TIMEOUT,
        )
        .await?;
        // What each sees now, for people to look at (English, light theme).
        for (client, shot) in [(ben, "lobby-waiting.png"), (ana, "lobby-requests.png")] {
            let png = client.screenshot().await.map_err(|e| e.to_string())?;
            std::fs::write(env.stage().scratch.join(shot), png).map_err(|e| e.to_string())?;
        }

        // Ben is let in: his page becomes the call and media flows both ways.
        let ben_peer = click_in_lobby_row(ana, "Ben", "admit-button").await?;
        let ben_seen = wait_tile(ana, "Ana", "Ben").await?;
        if ben_seen != ben_peer {
            return Err(format!(
                "Ben's tile is {ben_seen}, his lobby row {ben_peer}"
            ));
        }
        wait_tile(ben, "Ben", "Ana").await?;
        wait_script(ana, "Ana", LOBBY_NAMES_JS, &json!(["Cid"]), TIMEOUT).await?;

        // Cid is turned away: his page says so; the list is gone.
        click_in_lobby_row(ana, "Cid", "deny-button").await?;
        wait_script(
            cid,
            "Cid",
            "const e = document.querySelector('section.ended p'); \
             return e ? e.textContent : null;",
            &json!(DENIED_TEXT),
            TIMEOUT,
        )
        .await?;
        wait_script(
            ana,
            "Ana",
            "return !!document.querySelector('[data-testid=lobby-requests]');",
            &json!(false),
            TIMEOUT,
        )
        .await?;
        Ok(())
    })
    .await
}

/// What a turned-away page says (English, the browsers' language here).
const DENIED_TEXT: &str = "A host did not let you in to this room.";
