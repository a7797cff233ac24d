//! Browser end-to-end tests of sessions: real headless Chromium against the real worker under
//! `wrangler dev`, in a private network namespace (see `e2e_call.rs`).

use std::process::ExitCode;
use std::time::Duration;

use confab_tests::room_page::{find, join, script, tiles, unique, wait_for, wait_live_media_from};
use confab_tests::stage::Stage;
use confab_tests::suite::CSP_PROBE_HOST;
use confab_tests::wrangler::{JwtKey, Options, Wrangler};
use fantoccini::Client;

const TIMEOUT: Duration = Duration::from_secs(30);

fn main() -> ExitCode {
    confab_tests::stage_main!(
        "e2e-session",
        the_page_runs_under_its_policy_and_violations_are_reported,
        two_tabs_joining_at_once_keep_one_session,
        access_tokens_the_server_stops_accepting_are_renewed_silently
    )
}

/// `POST /auth/refresh` from the page (the way the app does it, outside its lock): the user id
/// the session speaks for, or the HTTP status when it is refused.
async fn session_user(client: &Client) -> Result<Result<String, u64>, String> {
    let value = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            fetch('/auth/refresh', {method: 'POST', headers: {'content-type': 'application/json'},
                                    body: '{}'})
              .then(async r => done(r.ok ? {id: (await r.json()).user.id} : {status: r.status}))
              .catch(e => done({status: 0, error: String(e)}));"#,
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    match value.get("id").and_then(|v| v.as_str()) {
        Some(id) => Ok(Ok(id.to_owned())),
        None => Ok(Err(value
            .get("status")
            .and_then(|s| s.as_u64())
            .unwrap_or(0))),
    }
}

/// Arms the page: a message on the `go` broadcast channel clicks Join.
const ARM_JOIN: &str = r#"
window.__go = new BroadcastChannel('confab-test-go');
window.__go.onmessage = () => document.querySelector('[data-testid="join-button"]').click();
return true;
"#;

/// Opens the room's pre-join page and arms its Join button (see [`ARM_JOIN`]).
async fn open_armed(client: &Client, room_url: &str) -> Result<(), String> {
    client.goto(room_url).await.map_err(|e| e.to_string())?;
    find(client, "join-button", TIMEOUT).await?;
    script(client, ARM_JOIN).await?;
    Ok(())
}

/// The room page starts under its Content-Security-Policy (its inline scripts are allowed by
/// hash, the WebAssembly compiles), and what the policy refuses is reported to the worker and
/// logged: an image from another site, which the page never loads, is blocked and its report
/// arrives. (Every browser trial fails on any other report: `stage_main!`.)
async fn the_page_runs_under_its_policy_and_violations_are_reported(
    env: &Stage,
) -> Result<(), String> {
    let client = env.browser("csp").await?;
    let result = async {
        let room_url = format!("{}/r/{}", env.base_url(), unique("e2e-csp"));
        client.goto(&room_url).await.map_err(|e| e.to_string())?;
        find(&client, "join-button", TIMEOUT).await?;
        let probe = format!("https://{CSP_PROBE_HOST}/probe.png");
        let loaded = client
            .execute_async(
                r#"const [src, done] = arguments;
                const image = new Image();
                image.onload = () => done('loaded');
                image.onerror = () => done('blocked');
                image.src = src;"#,
                vec![probe.clone().into()],
            )
            .await
            .map_err(|e| e.to_string())?;
        if loaded != "blocked" {
            return Err(format!("the probe image was {loaded}"));
        }
        let wanted = format!("csp violation: img-src blocked {probe}");
        wait_for(
            "the probe's report in the worker's log",
            TIMEOUT,
            || async {
                let log = std::fs::read_to_string(env.wrangler.log_path()).unwrap_or_default();
                Ok(log.contains(&wanted).then_some(()))
            },
        )
        .await
    }
    .await;
    let _ = client.close().await;
    result
}

/// Two tabs of one browser share the session cookie. Joining refreshes the session, which
/// rotates the cookie; if both tabs presented the same cookie at once, the second would look
/// like a stolen token and end the session. Both tabs are started by one broadcast message so
/// their refreshes really overlap; afterwards both are in the call as the same user, and the
/// session still works.
async fn two_tabs_joining_at_once_keep_one_session(env: &Stage) -> Result<(), String> {
    let room = unique("e2e-tabs");
    let client = env.browser("tabs").await?;
    let result = async {
        join(&client, env.base_url(), &room, "Tabby").await?;
        let before = session_user(&client)
            .await?
            .map_err(|status| format!("the first session was refused ({status})"))?;
        // Back to the pre-join page in this tab (the name is remembered), and a second tab.
        let room_url = format!("{}/r/{room}", env.base_url());
        let first = client.window().await.map_err(|e| e.to_string())?;
        open_armed(&client, &room_url).await?;
        let second = client.new_window(true).await.map_err(|e| e.to_string())?;
        client
            .switch_to_window(second.handle.clone())
            .await
            .map_err(|e| e.to_string())?;
        open_armed(&client, &room_url).await?;
        // One message reaches both tabs' listeners in the same turn of their event loops.
        script(
            &client,
            "new BroadcastChannel('confab-test-go').postMessage('go'); return true;",
        )
        .await?;
        for (label, window) in [("second", second.handle.clone()), ("first", first)] {
            client
                .switch_to_window(window)
                .await
                .map_err(|e| e.to_string())?;
            find(&client, "local-video", TIMEOUT).await?;
            wait_for(
                &format!("the {label} tab to see the other"),
                TIMEOUT,
                || async { Ok((tiles(&client).await?.len() == 1).then_some(())) },
            )
            .await?;
        }
        let after = session_user(&client).await?;
        if after != Ok(before.clone()) {
            return Err(format!(
                "after two tabs joined at once the session gave {after:?}, not user {before}"
            ));
        }
        Ok(())
    }
    .await;
    let _ = client.close().await;
    result
}

/// The peer id of the one remote tile, once there is exactly one and it is not `old`.
async fn wait_single_peer(
    client: &Client,
    old: Option<&str>,
    what: &str,
) -> Result<String, String> {
    wait_for(what, TIMEOUT, || async {
        let tiles = tiles(client).await?;
        Ok(match tiles.as_slice() {
            [only] if Some(only.peer_id.as_str()) != old => Some(only.peer_id.clone()),
            _ => None,
        })
    })
    .await
}

/// A call in progress when every access token the app holds stops being accepted — here the
/// worker restarts with a new signing key and the old one dropped, which the app sees exactly
/// as an expired token: its reconnect is refused with 401. The app must refresh its session
/// (the refresh cookie does not depend on signing keys) and come back on its own, as the same
/// user, with media flowing again, and without asking anyone to sign in.
async fn access_tokens_the_server_stops_accepting_are_renewed_silently(
    env: &Stage,
) -> Result<(), String> {
    let port = Wrangler::pick_port().map_err(|e| e.to_string())?;
    let options = |key: JwtKey| Options {
        jwt_key: key,
        port: Some(port),
        ..Options::default()
    };
    let mut worker =
        Wrangler::try_start(options(JwtKey::random("before"))).map_err(|e| e.to_string())?;
    let base = worker.base_url().to_owned();
    let room = unique("e2e-rekey");
    let browsers = [env.browser("ana").await?, env.browser("ben").await?];
    let result = async {
        join(&browsers[0], &base, &room, "Ana").await?;
        join(&browsers[1], &base, &room, "Ben").await?;
        let mut peers = Vec::new();
        for (i, browser) in browsers.iter().enumerate() {
            let peer = wait_single_peer(browser, None, "the other person's tile").await?;
            wait_live_media_from(browser, std::slice::from_ref(&peer), TIMEOUT)
                .await
                .map_err(|e| format!("browser {i} before the restart: {e}"))?;
            peers.push(peer);
        }
        let before = session_user(&browsers[0]).await?;
        worker
            .restart_with(options(JwtKey::random("after")))
            .map_err(|e| e.to_string())?;
        // The old peer connections may well survive (media is peer to peer); only a new socket
        // gives new peer ids, so wait for a new tile and media from it.
        for (i, (browser, old)) in browsers.iter().zip(&peers).enumerate() {
            let peer = wait_single_peer(browser, Some(old), "the other person back").await?;
            wait_live_media_from(browser, std::slice::from_ref(&peer), TIMEOUT)
                .await
                .map_err(|e| format!("browser {i} after the restart: {e}"))?;
        }
        let after = session_user(&browsers[0]).await?;
        if after != before {
            return Err(format!("the session changed from {before:?} to {after:?}"));
        }
        Ok(())
    }
    .await;
    for browser in browsers {
        let _ = browser.close().await;
    }
    drop(worker);
    result
}
