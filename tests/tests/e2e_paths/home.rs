//! Getting into a call: a room named on the home page, and a room link that remembers who you
//! were.

use confab_tests::room_page::{click, find, join, unique, wait_for};
use fantoccini::Client;

use crate::page::{type_into, value_of, wait_tile, TIMEOUT};
use crate::Env;

/// On the home page Hana types her name and a room's name and clicks **Join**: she is in that
/// room's call at `/r/<room>`, and Ben, who opens the same room, sees her (and she him).
pub async fn room_typed_on_the_home_page_is_joined_and_seen(env: &Env) -> Result<(), String> {
    let room = unique("home-typed");
    let base = env.base_url();
    env.with_browsers(&["hana", "ben"], async |b: &[Client]| {
        let (hana, ben) = (&b[0], &b[1]);
        hana.goto(base).await.map_err(|e| e.to_string())?;
        type_into(hana, "name-input", "Hana").await?;
        // The app is up, so the page's "loading" placeholder is gone.
        let boot = (hana
            .execute("return !!document.getElementById('boot');", vec![])
            .await)
            .map_err(|e| e.to_string())?;
        if boot != serde_json::Value::Bool(false) {
            return Err("the loading placeholder stayed after the app started".into());
        }
        type_into(hana, "room-input", &room).await?;
        click(hana, "join-button").await?;
        find(hana, "local-video", TIMEOUT)
            .await
            .map_err(|e| format!("Join on the home page did not start the call: {e}"))?;
        let here = hana.current_url().await.map_err(|e| e.to_string())?;
        let wanted = format!("{base}/r/{room}");
        if here.as_str() != wanted {
            return Err(format!(
                "Join on the home page with room {room:?} went to {here}, not {wanted}"
            ));
        }
        join(ben, base, &room, "Ben").await?;
        wait_tile(ben, "Ben (who opened the typed room)", "Hana").await?;
        wait_tile(hana, "Hana", "Ben").await?;
        Ok(())
    })
    .await
}

/// Mina joins one room under her name; later, in the same browser, a link to another room
/// shows her name ready in the form, and one click on **Join** puts her in that call, where
/// Ben sees her as Mina.
pub async fn remembered_name_fills_the_room_link_and_one_click_joins(
    env: &Env,
) -> Result<(), String> {
    let (first, second) = (unique("name-first"), unique("name-second"));
    let base = env.base_url();
    env.with_browsers(&["mina", "ben"], async |b: &[Client]| {
        let (mina, ben) = (&b[0], &b[1]);
        join(mina, base, &first, "Mina").await?;

        mina.goto(&format!("{base}/r/{second}"))
            .await
            .map_err(|e| e.to_string())?;
        find(mina, "name-input", TIMEOUT).await?;
        wait_for(
            "the room link's name-input to show the remembered \"Mina\"",
            TIMEOUT,
            || async {
                match value_of(mina, "name-input").await? {
                    Some(name) if name == "Mina" => Ok(Some(())),
                    seen => Err(format!("(name-input holds {seen:?})")),
                }
            },
        )
        .await?;
        click(mina, "join-button").await?;
        find(mina, "local-video", TIMEOUT)
            .await
            .map_err(|e| format!("one click on Join with the remembered name did not join: {e}"))?;
        join(ben, base, &second, "Ben").await?;
        wait_tile(ben, "Ben", "Mina").await?;
        Ok(())
    })
    .await
}
