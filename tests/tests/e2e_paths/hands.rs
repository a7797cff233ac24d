//! Raised hands: a queue kept by the room, in raise order, on every screen, for late joiners
//! too.

use confab_tests::room_page::{click, join, unique, wait_heard, wait_script};
use fantoccini::Client;
use serde_json::{json, Value};

use crate::page::{wait_tile, TIMEOUT};
use crate::Env;

/// Each tile's name and `data-hand` (`null` while the hand is down), mine as "(me)", and the
/// list of raised hands by name.
const HANDS_JS: &str = r#"
const tiles = {};
for (const t of document.querySelectorAll('.tile')) {
  const name = t.classList.contains('local') ? '(me)' : t.dataset.name;
  tiles[name] = t.dataset.hand || null;
}
const list = [...document.querySelectorAll('[data-testid=hand-list] li')].map(li => li.textContent);
return { tiles, list };
"#;

/// Waits until `client`'s page shows the tiles' hands as `tiles` and the list as `list`.
async fn wait_hands(client: &Client, who: &str, tiles: Value, list: &[&str]) -> Result<(), String> {
    let wanted = json!({ "tiles": tiles, "list": list });
    wait_script(client, who, HANDS_JS, &wanted, TIMEOUT).await
}

/// Turns off "Lower my hand when I speak" in `client`'s device settings: the test
/// microphones beep all the time, and these hands must stay up until lowered by hand.
pub async fn keep_hand_up_while_speaking(client: &Client) -> Result<(), String> {
    click(client, "device-settings-button").await?;
    click(client, "auto-lower-hand").await?;
    click(client, "device-settings-button").await
}

/// Ana raises her hand, then Ben (both talking, with their hands set not to lower
/// themselves): both see Ana 1 and Ben 2 (on the tiles and in the list), and Ana hears Ben's. Cho joins later and sees the same queue. Ana lowers hers: Ben is 1
/// everywhere.
pub async fn raised_hands_queue_in_order_for_everyone(env: &Env) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("hands");
    env.with_browsers(&["ana", "ben", "cho"], async |b: &[Client]| {
        let (ana, ben, cho) = (&b[0], &b[1], &b[2]);
        join(ana, base, &room, "Ana").await?;
        join(ben, base, &room, "Ben").await?;
        wait_tile(ana, "Ana", "Ben").await?;
        wait_tile(ben, "Ben", "Ana").await?;
        keep_hand_up_while_speaking(ana).await?;
        keep_hand_up_while_speaking(ben).await?;

        click(ana, "hand-button").await?;
        wait_hands(ana, "Ana", json!({"(me)": "1", "Ben": null}), &["Ana"]).await?;
        click(ben, "hand-button").await?;
        wait_heard(ana, "Ana", "Ben raised their hand").await?;
        wait_hands(ana, "Ana", json!({"(me)": "1", "Ben": "2"}), &["Ana", "Ben"]).await?;
        wait_hands(ben, "Ben", json!({"(me)": "2", "Ana": "1"}), &["Ana", "Ben"]).await?;

        join(cho, base, &room, "Cho").await?;
        wait_tile(cho, "Cho", "Ana").await?;
        wait_tile(cho, "Cho", "Ben").await?;
        let late = json!({"(me)": null, "Ana": "1", "Ben": "2"});
        wait_hands(cho, "Cho (joined later)", late, &["Ana", "Ben"]).await?;

        click(ana, "hand-button").await?;
        let after = [
            (ana, "Ana", json!({"(me)": null, "Ben": "1", "Cho": null})),
            (ben, "Ben", json!({"(me)": "1", "Ana": null, "Cho": null})),
            (cho, "Cho", json!({"(me)": null, "Ana": null, "Ben": "1"})),
        ];
        for (client, who, tiles) in after {
            wait_hands(client, who, tiles, &["Ben"]).await?;
        }
        let pressed = ana
            .execute(
                "return document.querySelector('[data-testid=hand-button]').getAttribute('aria-pressed');",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        if pressed != json!("false") {
            return Err(format!("Ana's hand button is pressed={pressed} after lowering"));
        }
        Ok(())
    })
    .await
}
