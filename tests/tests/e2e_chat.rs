//! Browser end-to-end tests of chat: real headless Chromium (WebDriver) against the real worker
//! under `wrangler dev`, in a private network namespace (see `e2e_call.rs`). Run by
//! `cargo xtask test` (root is needed for the namespace).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use confab_protocol::{ClientFrame, ServerFrame};
use confab_tests::room_page::{
    chat_messages, click, find, join, script, send_burst, send_chat, tiles, type_chat, unique,
    wait_chat_text, wait_for, wait_heard, wait_live_media_from, with_browsers, ChatRow, BURST,
};
use confab_tests::stage::Stage;
use confab_tests::{http, ws_client};
use fantoccini::Client;

#[path = "e2e_chat/delivery.rs"]
mod delivery;
use delivery::{
    message_sent_while_the_socket_is_down_is_delivered_once_and_the_call_comes_back,
    messages_the_server_refuses_are_marked_failed_and_retry_delivers_them,
};

const CHAT_TIMEOUT: Duration = Duration::from_secs(15);
const MEDIA_TIMEOUT: Duration = Duration::from_secs(30);
/// Worst case of the app's backoff after a few failures (4 s + 30 %), plus the reconnect.
const RECONNECT_TIMEOUT: Duration = Duration::from_secs(20);
const ENTER: &str = "\u{E007}";
const SHIFT: &str = "\u{E008}";
/// Releases held modifier keys.
const RELEASE: &str = "\u{E000}";
/// More than the welcome page holds, so paging is needed to see them all.
const SEEDED: usize = 70;
const KOREAN: &str = "내일 학교에서 보자";

fn main() -> ExitCode {
    confab_tests::stage_main!(
        "e2e-chat",
        two_people_chat_in_seq_order_with_their_own_messages_marked,
        history_is_there_after_a_reload_and_pages_back_to_the_first_message,
        message_sent_while_the_socket_is_down_is_delivered_once_and_the_call_comes_back,
        markup_and_script_urls_in_messages_render_as_plain_text,
        closed_panel_counts_unread_and_shows_a_divider_when_opened,
        search_finds_a_korean_word_highlighted_and_jumps_to_it,
        messages_the_server_refuses_are_marked_failed_and_retry_delivers_them,
    )
}

async fn screenshot(env: &Stage, client: &Client, name: &str) -> Result<(), String> {
    let png = client.screenshot().await.map_err(|e| e.to_string())?;
    let path = env.scratch.join(name);
    std::fs::write(&path, png).map_err(|e| e.to_string())?;
    eprintln!("e2e-chat: screenshot saved to {}", path.display());
    Ok(())
}

/// Stored messages must be in strictly increasing seq order, pending ones after them.
fn check_order(who: &str, rows: &[ChatRow]) -> Result<(), String> {
    let seqs: Vec<u64> = rows.iter().filter_map(|r| r.seq).collect();
    if seqs.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!("{who}: messages out of seq order: {seqs:?}"));
    }
    let first_pending = rows.iter().position(|r| r.seq.is_none());
    if first_pending.is_some_and(|p| rows[p..].iter().any(|r| r.seq.is_some())) {
        return Err(format!(
            "{who}: a pending message sits above stored ones: {rows:?}"
        ));
    }
    Ok(())
}

fn count_text(rows: &[ChatRow], text: &str) -> usize {
    rows.iter().filter(|r| r.text == text).count()
}

/// Ana and then Ben, each in a new browser, join `room`; then `body` with their pages, which
/// are closed afterwards.
async fn ana_and_ben_in(
    env: &Stage,
    room: &str,
    body: impl AsyncFnOnce(&Client, &Client) -> Result<(), String>,
) -> Result<(), String> {
    let browsers = vec![env.browser("ana").await?, env.browser("ben").await?];
    with_browsers(browsers, async |b: &[Client]| {
        let (ana, ben) = (&b[0], &b[1]);
        join(ana, env.base_url(), room, "Ana").await?;
        join(ben, env.base_url(), room, "Ben").await?;
        body(ana, ben).await
    })
    .await
}

/// Waits until `client` shows a video tile named `name`; returns its peer id.
async fn wait_tile(client: &Client, name: &str) -> Result<String, String> {
    confab_tests::room_page::wait_tile_named(client, name, MEDIA_TIMEOUT).await
}

async fn two_people_chat_in_seq_order_with_their_own_messages_marked(
    env: &Stage,
) -> Result<(), String> {
    let room = unique("chat-two");
    ana_and_ben_in(env, &room, async |ana, ben| {
        // Enter sends; Shift+Enter is a new line; the Send button sends too.
        type_chat(ana, &format!("Hello from Ana{ENTER}")).await?;
        wait_chat_text(ben, "Hello from Ana", CHAT_TIMEOUT).await?;
        send_chat(ben, "Hi Ana, Ben here").await?;
        type_chat(
            ana,
            &format!("line one{SHIFT}{ENTER}{RELEASE}line two{ENTER}"),
        )
        .await?;
        // An emoji from the picker (WebDriver cannot type characters outside the BMP).
        type_chat(ben, "thanks ").await?;
        click(ben, "emoji-button").await?;
        find(ben, "emoji-option", Duration::from_secs(5))
            .await?
            .click()
            .await
            .map_err(|e| e.to_string())?;
        click(ben, "chat-send").await?;

        let expected = [
            "Hello from Ana",
            "Hi Ana, Ben here",
            "line one\nline two",
            "thanks 😀",
        ];
        let authors = ["Ana", "Ben", "Ana", "Ben"];
        for (client, me) in [(ana, "Ana"), (ben, "Ben")] {
            let rows = wait_for(
                &format!("{me} to see all four messages"),
                CHAT_TIMEOUT,
                || async {
                    let rows = chat_messages(client).await?;
                    let stored = rows.iter().filter(|r| r.seq.is_some()).count();
                    Ok((stored == expected.len()).then_some(rows))
                },
            )
            .await?;
            check_order(me, &rows)?;
            let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
            if texts != expected {
                return Err(format!("{me} sees {texts:?}, expected {expected:?}"));
            }
            let mine: Vec<bool> = rows.iter().map(|r| r.mine).collect();
            let want: Vec<bool> = authors.iter().map(|a| *a == me).collect();
            if mine != want {
                return Err(format!(
                    "{me}: own-message marks {mine:?}, expected {want:?}"
                ));
            }
        }
        // Both see the same seqs and client ids.
        let (a, b) = (chat_messages(ana).await?, chat_messages(ben).await?);
        let ids = |rows: &[ChatRow]| -> Vec<(Option<u64>, String)> {
            rows.iter().map(|r| (r.seq, r.client_id.clone())).collect()
        };
        if ids(&a) != ids(&b) {
            return Err(format!("Ana and Ben disagree: {a:?} vs {b:?}"));
        }
        screenshot(env, ana, "chat-two-people.png").await?;

        // Ben reloads: the conversation is there at once.
        join(ben, env.base_url(), &room, "Ben").await?;
        let rows = wait_for("history after reload", CHAT_TIMEOUT, || async {
            let rows = chat_messages(ben).await?;
            Ok((rows.len() == expected.len()).then_some(rows))
        })
        .await?;
        let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        if texts != expected || ids(&rows) != ids(&a) {
            return Err(format!("after reload Ben sees {rows:?}"));
        }
        // The session cookie kept Ben's identity: his messages are still marked as his.
        let mine: Vec<bool> = rows.iter().map(|r| r.mine).collect();
        let want: Vec<bool> = authors.iter().map(|a| *a == "Ben").collect();
        if mine != want {
            return Err(format!(
                "after reload Ben's marks are {mine:?}, expected {want:?}"
            ));
        }
        Ok(())
    })
    .await
}

/// Posts `SEEDED` messages through bot sockets (each within its own chat burst allowance);
/// message number `korean_at` (1-based) is the Korean sentence.
async fn seed_room(env: &Stage, room: &str, korean_at: usize) -> Result<(), String> {
    let per_bot = 14;
    let mut sent = 0;
    for bot in 0..SEEDED.div_ceil(per_bot) {
        let token = http::guest(env.base_url(), &format!("Bot {bot}")).access_token;
        let (mut client, _) = ws_client::join(&env.wrangler, room, &token, "bot").await;
        for _ in 0..per_bot.min(SEEDED - sent) {
            sent += 1;
            let text = if sent == korean_at {
                KOREAN.to_owned()
            } else {
                format!("seeded message {sent}")
            };
            bot_say(&mut client, text).await?;
        }
        client.close().await;
    }
    Ok(())
}

/// Sends one chat message from a bot socket and waits for its ack.
async fn bot_say(client: &mut ws_client::Client, text: String) -> Result<(), String> {
    let client_id = uuid::Uuid::new_v4();
    client.send(&ClientFrame::Chat { client_id, text }).await;
    loop {
        match client.expect_frame().await {
            ServerFrame::Chat { message } if message.client_id == client_id => return Ok(()),
            ServerFrame::Error { code, message, .. } => {
                return Err(format!("bot message refused: {code:?} {message}"));
            }
            _ => {}
        }
    }
}

const AT_BOTTOM_JS: &str = "const l = document.querySelector('.chat-list:not(.search)');
    return l.scrollHeight - l.scrollTop - l.clientHeight <= 40;";

async fn wait_at_bottom(client: &Client, wanted: bool, what: &str) -> Result<(), String> {
    wait_for(what, CHAT_TIMEOUT, || async {
        let at_bottom = script(client, AT_BOTTOM_JS).await?;
        Ok((at_bottom == serde_json::Value::Bool(wanted)).then_some(()))
    })
    .await
}

async fn history_is_there_after_a_reload_and_pages_back_to_the_first_message(
    env: &Stage,
) -> Result<(), String> {
    let room = unique("chat-history");
    seed_room(env, &room, 3).await?;
    let browsers = vec![env.browser("cho").await?];
    with_browsers(browsers, async |b: &[Client]| {
        let cho = &b[0];
        join(cho, env.base_url(), &room, "Cho").await?;
        let first_page = wait_for("the latest page", CHAT_TIMEOUT, || async {
            let rows = chat_messages(cho).await?;
            Ok((!rows.is_empty()).then_some(rows))
        })
        .await?;
        check_order("Cho", &first_page)?;
        wait_at_bottom(cho, true, "the list to open at the newest message").await?;
        let last = first_page.last().and_then(|r| r.seq);
        if last != Some(SEEDED as u64) || first_page.len() >= SEEDED {
            return Err(format!(
                "expected the latest page ending at {SEEDED} (fewer than all), got {} ending at {last:?}",
                first_page.len()
            ));
        }
        // Page back until everything is there.
        let all = wait_for("all seeded messages after paging", CHAT_TIMEOUT, || async {
            let rows = chat_messages(cho).await?;
            if rows.len() == SEEDED {
                return Ok(Some(rows));
            }
            script(
                cho,
                "const b = document.querySelector('[data-testid=chat-load-earlier]');
                 if (b && !b.disabled) { b.click(); }",
            )
            .await?;
            Ok(None)
        })
        .await?;
        check_order("Cho", &all)?;
        let seqs: Vec<u64> = all.iter().filter_map(|r| r.seq).collect();
        if seqs != (1..=SEEDED as u64).collect::<Vec<_>>() {
            return Err(format!("expected seqs 1..={SEEDED} after paging, got {seqs:?}"));
        }
        let gone = script(cho, "return !document.querySelector('[data-testid=chat-load-earlier]');").await?;
        if gone != serde_json::Value::Bool(true) {
            return Err("'load earlier' should disappear at the first message".into());
        }
        // Reading old messages: a new one does not yank the list down, a button offers it.
        script(cho, "document.querySelector('.chat-list:not(.search)').scrollTop = 0;").await?;
        wait_at_bottom(cho, false, "the list to scroll up").await?;
        let token = http::guest(env.base_url(), "Eve").access_token;
        let (mut eve, _) = ws_client::join(&env.wrangler, &room, &token, "eve").await;
        bot_say(&mut eve, "posted while Cho reads old messages".into()).await?;
        wait_chat_text(cho, "posted while Cho reads old messages", CHAT_TIMEOUT).await?;
        click(cho, "chat-to-latest").await?;
        wait_at_bottom(cho, true, "the list to go to the newest message").await?;
        bot_say(&mut eve, "followed at the bottom".into()).await?;
        wait_chat_text(cho, "followed at the bottom", CHAT_TIMEOUT).await?;
        wait_at_bottom(cho, true, "the list to follow a new message").await?;
        eve.close().await;
        let total = SEEDED as u64 + 2;

        // A reload shows the latest page again, at once.
        join(cho, env.base_url(), &room, "Cho").await?;
        wait_for("the latest page after reload", CHAT_TIMEOUT, || async {
            let rows = chat_messages(cho).await?;
            Ok(rows
                .last()
                .is_some_and(|r| r.seq == Some(total))
                .then_some(()))
        })
        .await?;
        Ok(())
    })
    .await
}

async fn markup_and_script_urls_in_messages_render_as_plain_text(
    env: &Stage,
) -> Result<(), String> {
    let room = unique("chat-xss");
    let payloads = [
        r#"<img src=x onerror="window.__xss=1">"#,
        "<script>window.__xss=2</script>",
        "javascript:alert(1)",
        r#"<a href="javascript:alert(3)">click me</a>"#,
        "<b>bold?</b> &amp; &lt;",
    ];
    let link = "docs at https://example.com/a?b=1&c=<2>";
    ana_and_ben_in(env, &room, async |ana, ben| {
        for payload in payloads.iter().chain([&link]) {
            send_chat(ana, payload).await?;
            wait_chat_text(ben, payload, CHAT_TIMEOUT).await?;
        }
        for (client, who) in [(ana, "Ana"), (ben, "Ben")] {
            wait_chat_text(client, link, CHAT_TIMEOUT).await?;
            let rows = chat_messages(client).await?;
            let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
            let want: Vec<&str> = payloads.iter().copied().chain([link]).collect();
            if texts != want {
                return Err(format!("{who}: DOM text differs from what was typed: {texts:?}"));
            }
            let report = script(
                client,
                r#"const msgs = [...document.querySelectorAll('[data-testid=chat-message]')];
                   const links = msgs.flatMap(m => [...m.querySelectorAll('a')]);
                   return {
                     injected: msgs.reduce((n, m) => n + m.querySelectorAll('img, script, b, iframe').length, 0),
                     xss: typeof window.__xss,
                     links: links.map(a => ({ href: a.getAttribute('href'), target: a.target, rel: a.rel, text: a.textContent })),
                   };"#,
            )
            .await?;
            let expected = serde_json::json!({
                "injected": 0,
                "xss": "undefined",
                "links": [{
                    "href": "https://example.com/a?b=1&c=",
                    "target": "_blank",
                    "rel": "noopener noreferrer",
                    "text": "https://example.com/a?b=1&c=",
                }],
            });
            if report != expected {
                return Err(format!("{who}: unsafe rendering: {report}"));
            }
            if let Ok(text) = client.get_alert_text().await {
                return Err(format!("{who}: an alert opened: {text:?}"));
            }
        }
        Ok(())
    })
    .await
}

async fn closed_panel_counts_unread_and_shows_a_divider_when_opened(
    env: &Stage,
) -> Result<(), String> {
    let room = unique("chat-unread");
    ana_and_ben_in(env, &room, async |ana, ben| {
        send_chat(ana, "seen by Ben").await?;
        wait_chat_text(ben, "seen by Ben", CHAT_TIMEOUT).await?;

        click(ben, "chat-toggle").await?;
        send_chat(ana, "first while closed").await?;
        send_chat(ana, "second while closed").await?;
        // The badge and the tab title both count them.
        let counted = serde_json::json!(["2", format!("(2) {room} · Confab")]);
        wait_for("Ben's unread count of 2", CHAT_TIMEOUT, || async {
            let count = script(
                ben,
                "const u = document.querySelector('[data-testid=chat-unread]');
                 return [u ? u.textContent : null, document.title];",
            )
            .await?;
            Ok((count == counted).then_some(()))
        })
        .await?;
        click(ben, "chat-toggle").await?;
        let state = script(
            ben,
            r#"const d = document.querySelector('[data-testid=chat-divider]');
               const next = d && d.nextElementSibling;
               return {
                 divider_before: next ? next.querySelector('.text').textContent : null,
                 unread_badge: !!document.querySelector('[data-testid=chat-unread]'),
                 title: document.title,
               };"#,
        )
        .await?;
        let expected = serde_json::json!({
            "divider_before": "first while closed",
            "unread_badge": false,
            "title": format!("{room} · Confab"),
        });
        if state != expected {
            return Err(format!("after opening the panel: {state}"));
        }
        // On a narrow screen the panel opens over the video.
        ben.set_window_size(420, 800)
            .await
            .map_err(|e| e.to_string())?;
        screenshot(env, ben, "chat-narrow.png").await?;
        Ok(())
    })
    .await
}

async fn search_finds_a_korean_word_highlighted_and_jumps_to_it(env: &Stage) -> Result<(), String> {
    let room = unique("chat-search");
    seed_room(env, &room, 2).await?;
    let browsers = vec![env.browser("dan").await?];
    with_browsers(browsers, async |b: &[Client]| {
        let dan = &b[0];
        join(dan, env.base_url(), &room, "Dan").await?;
        wait_chat_text(dan, &format!("seeded message {SEEDED}"), CHAT_TIMEOUT).await?;
        if chat_messages(dan).await?.iter().any(|r| r.text == KOREAN) {
            return Err("the Korean message should not be in the latest page".into());
        }
        // Initial consonants (초성) find and mark the same word.
        let expected = serde_json::json!([{ "seq": 2, "text": KOREAN, "marks": ["학교"] }]);
        for query in ["ㅎㄱ", "학교"] {
            let search_box = find(dan, "chat-search", Duration::from_secs(5)).await?;
            search_box.clear().await.map_err(|e| e.to_string())?;
            search_box.send_keys(query).await.map_err(|e| e.to_string())?;
            wait_for(&format!("search results for {query}"), CHAT_TIMEOUT, || async {
                let value = script(
                    dan,
                    r#"return [...document.querySelectorAll('[data-testid=chat-search-result]')].map(r => ({
                         seq: Number(r.dataset.seq),
                         text: r.querySelector('.text').textContent,
                         marks: [...r.querySelectorAll('mark')].map(m => m.textContent),
                       }));"#,
                )
                .await?;
                if value == expected {
                    Ok(Some(()))
                } else {
                    Err(format!("(last results: {value})"))
                }
            })
            .await?;
        }
        screenshot(env, dan, "chat-search.png").await?;

        // Clicking the result pages back through history and scrolls to the message. The
        // results are drawn anew when the chat changes, so a result found a moment before the
        // click may be gone by then ("stale element" in CI once): find it again and click.
        wait_for("a click on the search result", CHAT_TIMEOUT, || async {
            click(dan, "chat-search-result").await.map(Some)
        })
        .await?;
        wait_for("the list to scroll to the found message", CHAT_TIMEOUT, || async {
            let seen = script(
                dan,
                r#"const m = document.querySelector('[data-testid=chat-message][data-seq="2"]');
                   if (!m) return false;
                   const list = m.closest('.chat-list').getBoundingClientRect();
                   const r = m.getBoundingClientRect();
                   return m.classList.contains('flash') && r.top >= list.top && r.bottom <= list.bottom;"#,
            )
            .await?;
            Ok((seen == serde_json::Value::Bool(true)).then_some(()))
        })
        .await?;
        screenshot(env, dan, "chat-search-jump.png").await?;
        let rows = chat_messages(dan).await?;
        check_order("Dan", &rows)?;
        let seqs: Vec<u64> = rows.iter().filter_map(|r| r.seq).collect();
        if seqs.first() > Some(&2) || seqs.windows(2).any(|w| w[1] != w[0] + 1) {
            return Err(format!("paging to the result left a gap: {seqs:?}"));
        }
        Ok(())
    })
    .await
}
