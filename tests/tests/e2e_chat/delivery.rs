//! Delivery when things go wrong: a message sent while the socket is down, and messages the
//! server refuses.

use super::*;

use confab_tests::room_page::{CUT_NETWORK_JS, RESTORE_NETWORK_JS};

pub(crate) async fn message_sent_while_the_socket_is_down_is_delivered_once_and_the_call_comes_back(
    env: &Stage,
) -> Result<(), String> {
    let room = unique("chat-offline");
    ana_and_ben_in(env, &room, async |ana, ben| {
        let old_ana = wait_tile(ben, "Ana").await?;
        wait_tile(ana, "Ben").await?;
        send_chat(ben, "before the cut").await?;
        wait_chat_text(ana, "before the cut", CHAT_TIMEOUT).await?;

        script(ana, CUT_NETWORK_JS).await?;
        find(ana, "reconnecting", Duration::from_secs(5)).await?;
        wait_heard(ana, "Ana", "Connection lost. Reconnecting…").await?;
        let text = "typed while the socket was down";
        type_chat(ana, &format!("{text}{ENTER}")).await?;
        let pending = wait_for("the message to show as sending", CHAT_TIMEOUT, || async {
            Ok(chat_messages(ana)
                .await?
                .into_iter()
                .find(|r| r.text == text))
        })
        .await?;
        if pending.seq.is_some() || pending.state.as_deref() != Some("sending") || !pending.mine {
            return Err(format!(
                "expected a pending 'sending' message without seq, got {pending:?}"
            ));
        }
        screenshot(env, ana, "chat-offline-sending.png").await?;
        if count_text(&chat_messages(ben).await?, text) != 0 {
            return Err("Ben saw the message before Ana's socket was back".into());
        }

        let restored = Instant::now();
        script(ana, RESTORE_NETWORK_JS).await?;
        let delivered = wait_chat_text(ana, text, RECONNECT_TIMEOUT).await?;
        if delivered.client_id != pending.client_id || delivered.state.is_some() {
            return Err(format!(
                "the acked copy should keep its client id: {pending:?} → {delivered:?}"
            ));
        }
        eprintln!(
            "e2e-chat: delivered {:?} after the network came back",
            restored.elapsed()
        );
        wait_chat_text(ben, text, CHAT_TIMEOUT).await?;
        wait_for("the reconnecting notice to go", CHAT_TIMEOUT, || async {
            let shown = script(
                ana,
                "return !!document.querySelector('[data-testid=reconnecting]');",
            )
            .await?;
            Ok((shown == serde_json::Value::Bool(false)).then_some(()))
        })
        .await?;
        wait_heard(ana, "Ana", "Reconnected").await?;

        // Exactly once on both sides: a later message proves everything before it has arrived.
        send_chat(ben, "after the reconnect").await?;
        wait_chat_text(ana, "after the reconnect", CHAT_TIMEOUT).await?;
        for (client, who) in [(ana, "Ana"), (ben, "Ben")] {
            let rows = chat_messages(client).await?;
            check_order(who, &rows)?;
            for t in ["before the cut", text, "after the reconnect"] {
                if count_text(&rows, t) != 1 {
                    return Err(format!("{who} should see {t:?} exactly once: {rows:?}"));
                }
            }
        }

        // The call comes back: Ana rejoined under a new peer id and media flows both ways.
        let new_ana = wait_for("Ben to see Ana's new peer id", MEDIA_TIMEOUT, || async {
            Ok(tiles(ben)
                .await?
                .into_iter()
                .find(|t| t.name == "Ana" && t.peer_id != old_ana)
                .map(|t| t.peer_id))
        })
        .await?;
        let ben_id = wait_tile(ana, "Ben").await?;
        wait_live_media_from(ben, &[new_ana], MEDIA_TIMEOUT).await?;
        wait_live_media_from(ana, &[ben_id], MEDIA_TIMEOUT).await?;
        let tiles_at_ben = tiles(ben).await?;
        if tiles_at_ben.len() != 1 {
            return Err(format!(
                "Ben should see one tile for Ana, sees {tiles_at_ben:?}"
            ));
        }
        Ok(())
    })
    .await
}

pub(crate) async fn messages_the_server_refuses_are_marked_failed_and_retry_delivers_them(
    env: &Stage,
) -> Result<(), String> {
    let room = unique("chat-refused");
    ana_and_ben_in(env, &room, async |ana, ben| {
        send_burst(ana).await?;
        // Every message is either stored or refused; none stays "sending".
        let rows = wait_for("every burst message to be stored or refused", CHAT_TIMEOUT, || async {
            let rows = chat_messages(ana).await?;
            let settled = rows.len() == BURST && rows.iter().all(|r| r.state.as_deref() != Some("sending"));
            Ok(settled.then_some(rows))
        })
        .await?;
        let failed: Vec<&ChatRow> = rows.iter().filter(|r| r.state.as_deref() == Some("failed")).collect();
        if failed.is_empty() || failed.iter().any(|r| r.seq.is_some()) {
            return Err(format!("expected some refused (failed, no seq) messages: {rows:?}"));
        }
        eprintln!("e2e-chat: {} of {BURST} refused by the rate limit", failed.len());
        let reason = script(ana, "return document.querySelector('[data-state=failed] .status').textContent;").await?;
        if !reason.as_str().unwrap_or_default().contains("Not sent") {
            return Err(format!("a failed message should say why: {reason}"));
        }
        screenshot(env, ana, "chat-failed-retry.png").await?;

        // Retry each until all are delivered (retrying too fast may be refused again).
        wait_for("all burst messages delivered after retries", CHAT_TIMEOUT, || async {
            let rows = chat_messages(ana).await?;
            if rows.iter().all(|r| r.seq.is_some()) {
                return Ok(Some(()));
            }
            script(ana, "document.querySelectorAll('[data-testid=chat-retry]').forEach(b => b.click());").await?;
            Ok(None)
        })
        .await?;
        let want: Vec<String> = (1..=BURST).map(|i| format!("burst {i}")).collect();
        for (client, who) in [(ana, "Ana"), (ben, "Ben")] {
            let rows = wait_for(&format!("{who} to have all {BURST}"), CHAT_TIMEOUT, || async {
                let rows = chat_messages(client).await?;
                Ok((rows.len() == BURST && rows.iter().all(|r| r.seq.is_some())).then_some(rows))
            })
            .await?;
            check_order(who, &rows)?;
            let mut texts: Vec<String> = rows.into_iter().map(|r| r.text).collect();
            texts.sort_by_key(|t| t.trim_start_matches("burst ").parse::<usize>().unwrap_or(0));
            if texts != want {
                return Err(format!("{who} should have each burst message once: {texts:?}"));
            }
        }
        Ok(())
    })
    .await
}
