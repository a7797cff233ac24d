//! Hosts and roles: the first person in a room is its host on every screen; the host makes
//! someone a co-host, then hands the room over; only the host has the controls; a role
//! outlasts a reconnect (the room keeps it by user id).

use confab_tests::room_page::{click, join, unique, wait_script};
use fantoccini::Client;
use serde_json::{json, Value};

use crate::page::{wait_tile, TIMEOUT};
use crate::Env;

/// The participants panel as `{roles: {name: role}, controls: <cohost buttons>}`.
const PEOPLE_JS: &str = r#"
const roles = {};
for (const row of document.querySelectorAll('[data-testid=participant-row]')) {
  roles[row.querySelector('.name').textContent] = row.dataset.role;
}
const controls = document.querySelectorAll('[data-testid=cohost-button]').length;
return { roles, controls };
"#;

async fn wait_people(client: &Client, who: &str, wanted: Value) -> Result<(), String> {
    wait_script(client, who, PEOPLE_JS, &wanted, TIMEOUT).await
}

pub async fn the_host_makes_a_cohost_and_hands_the_room_over(env: &Env) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("hosts");
    env.with_browsers(&["ana", "ben"], async |b: &[Client]| {
        let (ana, ben) = (&b[0], &b[1]);
        join(ana, base, &room, "Ana").await?;
        join(ben, base, &room, "Ben").await?;
        wait_tile(ana, "Ana", "Ben").await?;
        wait_tile(ben, "Ben", "Ana").await?;
        click(ana, "participants-button").await?;
        click(ben, "participants-button").await?;

        // Ana came first: she is host; only she has controls (for Ben's row).
        let roles = json!({"Ana": "host", "Ben": "member"});
        wait_people(ana, "Ana", json!({"roles": roles, "controls": 1})).await?;
        wait_people(ben, "Ben", json!({"roles": roles, "controls": 0})).await?;

        click(ana, "cohost-button").await?;
        let roles = json!({"Ana": "host", "Ben": "cohost"});
        wait_people(ana, "Ana", json!({"roles": roles, "controls": 1})).await?;
        wait_people(ben, "Ben", json!({"roles": roles, "controls": 0})).await?;

        click(ana, "make-host-button").await?;
        let roles = json!({"Ana": "cohost", "Ben": "host"});
        wait_people(ana, "Ana", json!({"roles": roles, "controls": 0})).await?;
        wait_people(ben, "Ben", json!({"roles": roles, "controls": 1})).await?;

        // Ben leaves and comes back (a new socket, a new peer id): still the host.
        click(ben, "leave-button").await?;
        join(ben, base, &room, "Ben").await?;
        wait_tile(ben, "Ben", "Ana").await?;
        click(ben, "participants-button").await?;
        wait_people(ben, "Ben again", json!({"roles": roles, "controls": 1})).await?;
        wait_people(ana, "Ana", json!({"roles": roles, "controls": 0})).await
    })
    .await
}
