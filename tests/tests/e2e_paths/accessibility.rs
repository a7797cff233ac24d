//! axe-core on every page a person passes through, in Korean and English, light and dark: no
//! `serious` or `critical` finding (contrast, names of controls, landmarks, ARIA misuse, ...),
//! and no word left in the other language.

use confab_tests::axe::serious_violations;
use confab_tests::room_page::{click, find, join, unique, wait_for};
use fantoccini::Client;
use serde_json::json;

use crate::page::{type_into, wait_tile, TIMEOUT};
use crate::signout::sign_in_at_home;
use crate::words::nothing_left_untranslated;
use crate::Env;

const LANGUAGES: [&str; 2] = ["ko", "en"];
const THEMES: [&str; 2] = ["light", "dark"];

/// Sets the page's language and theme through its menus (the `change` a pick fires) and waits
/// until the page shows them.
async fn set_look(client: &Client, lang: &str, theme: &str) -> Result<(), String> {
    let js = r#"
const pick = (id, value) => {
  const menu = document.querySelector(`[data-testid="${id}"]`);
  if (!menu) return false;
  menu.value = value;
  menu.dispatchEvent(new Event('change', { bubbles: true }));
  return true;
};
return pick('language-select', arguments[0]) && pick('theme-toggle', arguments[1]);
"#;
    let picked = client
        .execute(js, vec![json!(lang), json!(theme)])
        .await
        .map_err(|e| e.to_string())?;
    if picked != json!(true) {
        return Err("the page has no language or theme menu".into());
    }
    let wanted = json!([lang, theme]);
    wait_for(&format!("the page in {lang}, {theme}"), TIMEOUT, || async {
        let seen = client
            .execute(SETTLED_LOOK_JS, vec![])
            .await
            .map_err(|e| e.to_string())?;
        if seen == wanted {
            Ok(Some(()))
        } else {
            Err(format!("(last seen: {seen})"))
        }
    })
    .await
}

/// The page's language and theme, once no colour is still changing (a transition measured
/// half-way would report a contrast nobody sees); `null` while one is.
const SETTLED_LOOK_JS: &str = r#"
const moving = document.getAnimations()
  .some(a => a.playState === 'running' && a.effect.getTiming().iterations !== Infinity);
const h = document.documentElement;
return moving ? null : [h.lang, h.dataset.theme || null];
"#;

/// What axe found, page by page, and words left in the other language.
#[derive(Default)]
struct Findings {
    found: Vec<String>,
    /// Words in Latin letters that are names here (people's, rooms').
    names: Vec<String>,
}

impl Findings {
    /// Runs axe on what `client` shows now, in each language and theme, and looks for words
    /// of the other language.
    async fn audit(&mut self, client: &Client, page: &str) -> Result<(), String> {
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        for lang in LANGUAGES {
            for theme in THEMES {
                set_look(client, lang, theme).await?;
                for violation in serious_violations(client).await? {
                    self.found
                        .push(format!("{page} ({lang}, {theme}): {violation}"));
                }
            }
            if let Err(left) = nothing_left_untranslated(client, page, lang, &names).await {
                self.found.push(left);
            }
        }
        eprintln!("e2e-paths: axe checked {page}");
        Ok(())
    }

    fn verdict(self) -> Result<(), String> {
        if self.found.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} findings (axe-core's serious or critical violations, untranslated words):\n  {}",
                self.found.len(),
                self.found.join("\n  ")
            ))
        }
    }
}

/// Hana (signed in with GitHub) and Ben (a guest) pass through every page: home, profile, a
/// call of two with chat open and a search answered, a room link before joining, and the page
/// that turns a guest away from a room for signed-in people. axe runs on each in both
/// languages and both themes.
pub async fn axe_finds_nothing_serious_on_any_page(env: &Env) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("axe");
    env.with_browsers(&["hana", "ben"], async |b: &[Client]| {
        let (hana, ben) = (&b[0], &b[1]);
        let mut findings = Findings::default();
        let hana_name = sign_in_at_home(env, hana, &unique("hana")).await?;
        findings.names = vec![hana_name, "Ben".into(), room.clone()];
        findings.audit(hana, "home, signed in").await?;
        ben.goto(base).await.map_err(|e| e.to_string())?;
        find(ben, "name-input", TIMEOUT).await?;
        findings.audit(ben, "home, signed out").await?;

        click(hana, "profile-link").await?;
        find(hana, "profile-name-input", TIMEOUT).await?;
        findings.audit(hana, "profile").await?;

        ben.goto(&format!("{base}/r/{room}"))
            .await
            .map_err(|e| e.to_string())?;
        find(ben, "name-input", TIMEOUT).await?;
        findings.audit(ben, "room link before joining").await?;

        hana.goto(&format!("{base}/r/{room}"))
            .await
            .map_err(|e| e.to_string())?;
        click_when_there(hana, "join-button").await?;
        find(hana, "local-video", TIMEOUT).await?;
        join(ben, base, &room, "Ben").await?;
        wait_tile(hana, "Hana", "Ben").await?;
        // Hana's hand is up: the queue and the tiles' hand badges are on the page too.
        click_when_there(hana, "hand-button").await?;
        find(hana, "hand-list", TIMEOUT).await?;
        // Wide screens open the chat beside the call.
        findings.audit(hana, "in a call of two, chat open").await?;
        click_when_there(hana, "chat-toggle").await?;
        findings
            .audit(hana, "in a call of two, chat closed")
            .await?;
        click_when_there(hana, "chat-toggle").await?;
        type_into(hana, "chat-input", "내일 학교에서 봐요").await?;
        click_when_there(hana, "chat-send").await?;
        find(hana, "chat-message", TIMEOUT).await?;
        findings.audit(hana, "chat with a message").await?;
        type_into(hana, "chat-search", "ㅎㄱ").await?;
        find(hana, "chat-search-result", TIMEOUT).await?;
        findings.audit(hana, "search results").await?;

        // A room for signed-in people turns the guest away.
        hana.goto(base).await.map_err(|e| e.to_string())?;
        click_when_there(hana, "require-signin-toggle").await?;
        click(hana, "new-room-button").await?;
        find(hana, "local-video", TIMEOUT).await?;
        let members_only = hana.current_url().await.map_err(|e| e.to_string())?;
        let new_room = members_only.path().trim_start_matches("/r/").to_owned();
        findings.names.push(new_room);
        ben.goto(members_only.as_str())
            .await
            .map_err(|e| e.to_string())?;
        type_into(ben, "name-input", "Ben").await?;
        click(ben, "join-button").await?;
        find(ben, "room-signin-required", TIMEOUT).await?;
        findings.audit(ben, "sign-in required").await?;
        findings.verdict()
    })
    .await
}

async fn click_when_there(client: &Client, test_id: &str) -> Result<(), String> {
    find(client, test_id, TIMEOUT)
        .await?
        .click()
        .await
        .map_err(|e| format!("clicking {test_id}: {e}"))
}
