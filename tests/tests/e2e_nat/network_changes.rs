//! Networks that change under a call: a link lost for a while, an uplink throttled, a move to
//! another address (trials 6, 8 and 9 of the suite).

use super::*;

/// Ana (`b[0]`, on side A) loses her link for [`CUT_FOR`] in a call with Ben (`b[1]`, side
/// B): Ben's tile of her must say "reconnecting…", and once the link is back, media must flow
/// both ways again through one tile each within [`RECOVERY_DEADLINE`]. Returns how long that
/// took after the link came back.
async fn outage(lab: &Lab, b: &[Client]) -> Result<Duration, String> {
    lab.a.cut()?;
    let cut_at = Instant::now();
    // Ben sees Ana's tile go "reconnecting…" while she is away.
    let seen = std::sync::Mutex::new(Vec::new());
    let shown = wait_for("Ben's tile of Ana to say reconnecting", CUT_FOR, || async {
        let state = tile_state(&b[1]).await?;
        let mut seen = seen.lock().map_err(|e| e.to_string())?;
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        Ok((state[0] == "reconnecting").then_some(()))
    })
    .await
    .map_err(|e| {
        format!(
            "{e} (tile states seen: {:?})",
            seen.lock().map(|s| s.clone())
        )
    });
    let remaining = CUT_FOR.saturating_sub(cut_at.elapsed());
    tokio::time::sleep(remaining).await;
    lab.a.restore()?;
    let restored = Instant::now();
    shown?;
    eprintln!("e2e_nat: link cut for {:?}", restored - cut_at);

    // Media again both ways, through one tile each.
    let ben = the_one_tile(&b[0], "Ben").await?;
    let ana = the_one_tile(&b[1], "Ana").await?;
    let (first, second) = (
        wait_live_media_from(&b[0], std::slice::from_ref(&ben), RECOVERY_DEADLINE),
        wait_live_media_from(&b[1], std::slice::from_ref(&ana), RECOVERY_DEADLINE),
    );
    first.await.map_err(|e| format!("Ana after the cut: {e}"))?;
    second
        .await
        .map_err(|e| format!("Ben after the cut: {e}"))?;
    let recovered = restored.elapsed();
    if recovered > RECOVERY_DEADLINE {
        return Err(format!("media took {recovered:?} to come back"));
    }
    wait_tile(&b[0], "connected", "true").await?;
    wait_tile(&b[1], "connected", "true").await?;
    Ok(recovered)
}

pub(crate) async fn a_lost_network_comes_back_by_itself(lab: &Lab) -> Result<(), String> {
    in_a_call(lab, Turn::On, (&lab.b, "Ben"), "true", async |b, _| {
        send_chat(&b[0], "before the cut").await?;
        wait_chat_text(&b[1], "before the cut", MEDIA_TIMEOUT).await?;

        let recovered = outage(lab, b).await?;
        eprintln!("e2e_nat: media flowing both ways {recovered:?} after the link came back");

        // Chat both ways, and nothing doubled.
        send_chat(&b[0], "after the cut").await?;
        wait_chat_text(&b[1], "after the cut", MEDIA_TIMEOUT).await?;
        send_chat(&b[1], "welcome back").await?;
        wait_chat_text(&b[0], "welcome back", MEDIA_TIMEOUT).await?;
        for client in b {
            let mut counts: HashMap<String, usize> = HashMap::new();
            for message in chat_messages(client).await? {
                *counts.entry(message.text).or_default() += 1;
            }
            if counts.values().any(|n| *n != 1) || counts.len() != 3 {
                return Err(format!("each message once, got {counts:?}"));
            }
        }
        for (client, other) in [(&b[0], "Ben"), (&b[1], "Ana")] {
            let tiles = tiles(client).await?;
            if tiles.len() != 1 || tiles[0].name != other {
                return Err(format!("expected one tile ({other}), got {tiles:?}"));
            }
            // The relay worked all along: an outage on one side is no reason to blame it.
            let notices = text_of(client, ".notice").await?;
            if notices.contains("relay") {
                return Err(format!(
                    "a stale relay notice after the outage: {notices:?}"
                ));
            }
        }
        Ok(())
    })
    .await
}

/// `data-quality` of the page's (only) tile, and its bars' label.
async fn quality(client: &Client) -> Result<(String, String), String> {
    let value = client
        .execute(
            "const t = document.querySelector('[data-testid=video-tile]');
             const q = t && t.querySelector('[data-testid=tile-quality]');
             return [t && t.dataset.quality || '', q && q.getAttribute('aria-label') || ''];",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

pub(crate) async fn a_poor_uplink_shows_on_the_tile_and_clears(lab: &Lab) -> Result<(), String> {
    in_a_call(lab, Turn::On, (&lab.b, "Ben"), "true", async |b, _| {
        let good = wait_for("Ben to rate Ana's link good", MEDIA_TIMEOUT, || async {
            let (level, label) = quality(&b[1]).await?;
            Ok((level == "good").then_some(label))
        })
        .await?;
        // 64 kbit/s with up to 400 ms of queue: far below what the call sends, so packets
        // are queued (round trip up) and dropped (loss up) until the sender backs off.
        lab.a.throttle(64, 400)?;
        let throttled = Instant::now();
        let poor = wait_for("Ben's tile of Ana to leave good", MEDIA_TIMEOUT, || async {
            let (level, label) = quality(&b[1]).await?;
            Ok(matches!(level.as_str(), "weak" | "bad").then_some(label))
        })
        .await;
        lab.a.unthrottle()?;
        let poor = poor?;
        eprintln!(
            "e2e_nat: throttled after {:?}: {poor} (was {good})",
            throttled.elapsed()
        );
        let lifted = Instant::now();
        wait_for(
            "Ben's tile of Ana to be good again",
            Duration::from_secs(45),
            || async { Ok((quality(&b[1]).await?.0 == "good").then_some(())) },
        )
        .await?;
        eprintln!(
            "e2e_nat: good again {:?} after the limit was lifted",
            lifted.elapsed()
        );
        Ok(())
    })
    .await
}

pub(crate) async fn moving_to_another_network_rejoins_without_a_ghost(
    lab: &Lab,
) -> Result<(), String> {
    let moved = "198.51.100.3";
    let result = in_a_call(lab, Turn::On, (&lab.b, "Ben"), "true", async |b, _| {
        let old_ana = the_one_tile(&b[1], "Ana").await?;

        lab.a.cut()?;
        lab.a.readdress(lab.a.address, moved)?;
        // Off the network for a moment, as when walking between access points.
        tokio::time::sleep(Duration::from_secs(3)).await;
        lab.a.restore()?;
        let restored = Instant::now();

        // Ben: one tile of Ana, a new connection (peer id), live media from it.
        let new_ana = wait_for(
            "Ben to see Ana rejoin as one tile",
            MEDIA_TIMEOUT,
            || async {
                let tiles = tiles(&b[1]).await?;
                Ok(match tiles.as_slice() {
                    [only] if only.name == "Ana" && only.peer_id != old_ana => {
                        Some(only.peer_id.clone())
                    }
                    _ => None,
                })
            },
        )
        .await?;
        let ben = the_one_tile(&b[0], "Ben").await?;
        wait_live_media_from(&b[1], std::slice::from_ref(&new_ana), MEDIA_TIMEOUT)
            .await
            .map_err(|e| format!("Ben from Ana after the move: {e}"))?;
        wait_live_media_from(&b[0], std::slice::from_ref(&ben), MEDIA_TIMEOUT)
            .await
            .map_err(|e| format!("Ana from Ben after the move: {e}"))?;
        let recovered = restored.elapsed();
        eprintln!(
            "e2e_nat: moved to {moved}: media both ways {recovered:?} after the network came back"
        );
        if recovered > RECOVERY_DEADLINE {
            return Err(format!(
                "media took {recovered:?} to come back after the move"
            ));
        }
        send_chat(&b[0], "new network").await?;
        wait_chat_text(&b[1], "new network", MEDIA_TIMEOUT).await?;
        send_chat(&b[1], "seen").await?;
        wait_chat_text(&b[0], "seen", MEDIA_TIMEOUT).await?;
        Ok(())
    })
    .await;
    // Back to the address the other trials expect, whatever happened.
    lab.a.cut()?;
    lab.a.readdress(moved, lab.a.address)?;
    lab.a.restore()?;
    result
}
