//! Korean and English: a browser set up in Korean sees Korean on its first visit, the language
//! menu switches every label at once (in a call too, without leaving it), and the choice is
//! remembered by this browser.

use confab_tests::room_page::{find, join, send_chat, unique, wait_chat_text, wait_for};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};

use crate::page::TIMEOUT;
use crate::words::nothing_left_untranslated;
use crate::Env;

/// The page's language and the words on the controls that must follow it.
const LABELS_JS: &str = r#"
const text = id => { const e = document.querySelector(`[data-testid="${id}"]`); return e ? e.textContent.trim() : null; };
return {
  lang: document.documentElement.lang,
  menu: (document.querySelector('[data-testid=language-select]') || {}).value || null,
  labels: arguments[0].map(text),
};
"#;

async fn labels(client: &Client, ids: &[&str]) -> Result<Value, String> {
    client
        .execute(LABELS_JS, vec![json!(ids)])
        .await
        .map_err(|e| e.to_string())
}

/// Waits until the page is in `lang` and the controls `ids` read `wanted`.
async fn wait_labels(
    client: &Client,
    lang: &str,
    ids: &[&str],
    wanted: &[&str],
) -> Result<(), String> {
    let expected = json!({ "lang": lang, "menu": lang, "labels": wanted });
    wait_for(&format!("the page in {lang:?}"), TIMEOUT, || async {
        let seen = labels(client, ids).await?;
        if seen == expected {
            Ok(Some(()))
        } else {
            Err(format!("(last seen: {seen})"))
        }
    })
    .await
}

/// Picks `lang` in the language menu, as a person does (click the menu, click the option).
async fn choose(client: &Client, lang: &str) -> Result<(), String> {
    let menu = find(client, "language-select", TIMEOUT).await?;
    menu.click().await.map_err(|e| e.to_string())?;
    menu.find(Locator::Css(&format!("option[value={lang}]")))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| format!("choosing {lang}: {e}"))
}

/// Sets the page's clock (`new Date()`, `Date.now()`) to a day after the message with text
/// `arguments[0]` was stored (its `<time datetime>`), running on from there: that calendar
/// day is "yesterday" whenever the test runs.
const A_DAY_AFTER_JS: &str = r#"
const m = [...document.querySelectorAll('[data-testid=chat-message]')]
  .find(m => m.querySelector('.text')?.textContent === arguments[0]);
const sent = Date.parse(m.querySelector('time').getAttribute('datetime'));
const RealDate = Date;
const offset = sent + 24 * 60 * 60 * 1000 - RealDate.now();
window.Date = class extends RealDate {
  constructor(...args) { if (args.length === 0) super(RealDate.now() + offset); else super(...args); }
  static now() { return RealDate.now() + offset; }
};
return true;
"#;

/// Waits until the time shown by the message `text` starts with `prefix`.
async fn wait_message_time(client: &Client, text: &str, prefix: &str) -> Result<(), String> {
    let js = "const m = [...document.querySelectorAll('[data-testid=chat-message]')]
                .find(m => m.querySelector('.text')?.textContent === arguments[0]);
              return m ? m.querySelector('time').textContent : null;";
    wait_for(
        &format!("the message's time to start with {prefix:?}"),
        TIMEOUT,
        || async {
            let seen = client
                .execute(js, vec![json!(text)])
                .await
                .map_err(|e| e.to_string())?;
            match seen.as_str() {
                Some(time) if time.starts_with(prefix) => Ok(Some(())),
                _ => Err(format!("(time shown: {seen})")),
            }
        },
    )
    .await
}

const HOME: [&str; 2] = ["join-button", "new-room-button"];
const CALL: [&str; 5] = [
    "mic-toggle",
    "cam-toggle",
    "chat-toggle",
    "invite-button",
    "leave-button",
];

/// 민아's browser speaks Korean: Confab greets her in Korean. She switches to English (the
/// page relabels at once and remembers it after a reload), joins a call in English, and
/// switches back to Korean in the call: every control relabels and the call goes on. In
/// either language no word of the other is left on the page (beyond names and the words
/// each keeps). A day later her message's time says "yesterday" in each language.
pub async fn a_korean_browser_sees_korean_and_the_menu_switches_at_once(
    env: &Env,
) -> Result<(), String> {
    let base = env.base_url();
    let room = unique("language");
    let mina = env.stage().browser_in_language("mina", "ko-KR,ko").await?;
    confab_tests::room_page::with_browsers(vec![mina], async |b: &[Client]| {
        let mina = &b[0];
        mina.goto(base).await.map_err(|e| e.to_string())?;
        wait_labels(mina, "ko", &HOME, &["참여", "새 방"]).await?;
        nothing_left_untranslated(mina, "the home page", "ko", &[]).await?;
        let png = mina.screenshot().await.map_err(|e| e.to_string())?;
        std::fs::write(env.stage().scratch.join("home-korean.png"), png)
            .map_err(|e| e.to_string())?;

        choose(mina, "en").await?;
        wait_labels(mina, "en", &HOME, &["Join", "New room"]).await?;
        nothing_left_untranslated(mina, "the home page", "en", &[]).await?;
        mina.refresh().await.map_err(|e| e.to_string())?;
        wait_labels(mina, "en", &HOME, &["Join", "New room"])
            .await
            .map_err(|e| format!("after a reload: {e}"))?;

        join(mina, base, &room, "민아").await?;
        let english = ["Mute", "Stop video", "Chat", "Copy invite link", "Leave"];
        wait_labels(mina, "en", &CALL, &english).await?;
        nothing_left_untranslated(mina, "the call", "en", &["민아"]).await?;
        choose(mina, "ko").await?;
        let korean = ["음소거", "비디오 끄기", "채팅", "초대 링크 복사", "나가기"];
        wait_labels(mina, "ko", &CALL, &korean).await?;
        // Still in the call: switching relabels, it does not rebuild the room.
        find(mina, "local-video", TIMEOUT).await?;
        // Not only those five: nothing on the page is left in English.
        nothing_left_untranslated(mina, "the call", "ko", &[room.as_str()]).await?;
        let png = mina.screenshot().await.map_err(|e| e.to_string())?;
        let path = env.stage().scratch.join("call-korean.png");
        std::fs::write(&path, png).map_err(|e| e.to_string())?;
        eprintln!("e2e-paths: screenshot saved to {}", path.display());
        let title = mina.title().await.map_err(|e| e.to_string())?;
        if title != format!("{room} · Confab") {
            return Err(format!("the tab title is {title:?}"));
        }

        // A message's time, a day later, says "yesterday" in the page's language.
        let text = unique("어제");
        send_chat(mina, &text).await?;
        wait_chat_text(mina, &text, TIMEOUT).await?;
        mina.execute(A_DAY_AFTER_JS, vec![json!(text)])
            .await
            .map_err(|e| e.to_string())?;
        choose(mina, "en").await?;
        wait_message_time(mina, &text, "yesterday ").await?;
        choose(mina, "ko").await?;
        wait_message_time(mina, &text, "어제 ").await?;
        Ok(())
    })
    .await
}
