//! The worker restarted under a running call (a deploy, a crash): real headless Chromium
//! against the real worker under `wrangler dev`, in a private network namespace (see
//! `e2e_call.rs`). The worker is stopped mid-call and started again on the same port with the
//! same Durable Object storage; both people are back in the call within 5 s of it answering
//! again, each sees the other once (no tile left from before), the chat is all there once,
//! and media flows again.

use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use confab_tests::room_page::{
    chat_messages, join, send_chat, tiles, unique, wait_chat_text, wait_for, wait_live_media_from,
    with_browsers,
};
use confab_tests::stage::Stage;
use confab_tests::wrangler::{Options, Wrangler};
use fantoccini::Client;

const CHAT_TIMEOUT: Duration = Duration::from_secs(15);
const MEDIA_TIMEOUT: Duration = Duration::from_secs(30);
/// From the restarted worker answering to both people back in the call.
const BACK_WITHIN: Duration = Duration::from_secs(5);

/// The stage, and a worker of the test's own on a fixed port, which it restarts.
struct Env {
    /// Declared first: stops before the stage's namespace goes.
    worker: Mutex<Wrangler>,
    base_url: String,
    stage: Stage,
}

impl confab_tests::suite::Runs for Env {
    fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.stage.runtime
    }
    fn worker_logs(&self) -> Vec<std::path::PathBuf> {
        let worker = self.worker.lock().unwrap_or_else(|e| e.into_inner());
        vec![worker.log_path().to_path_buf()]
    }
}

fn start() -> Result<Env, String> {
    let stage = Stage::enter("e2e-restart")?;
    let port = Wrangler::pick_port().map_err(|e| e.to_string())?;
    let worker = Wrangler::try_start(Options {
        port: Some(port),
        ..Options::default()
    })
    .map_err(|e| e.to_string())?;
    Ok(Env {
        base_url: worker.base_url().to_owned(),
        worker: Mutex::new(worker),
        stage,
    })
}

fn main() -> ExitCode {
    confab_tests::stage_main!("e2e-restart" => start();
        a_call_comes_back_after_the_worker_restarts,
    )
}

/// The peer id of `name`'s tile at `client`, once there is exactly one tile of theirs and it
/// is not `old` (the tile from before the restart is gone, the new one is there).
async fn wait_new_tile(
    client: &Client,
    name: &str,
    old: &str,
    within: Duration,
) -> Result<String, String> {
    wait_for(&format!("one new tile for {name}"), within, || async {
        let theirs: Vec<_> = tiles(client)
            .await?
            .into_iter()
            .filter(|t| t.name == name)
            .collect();
        Ok(match theirs.as_slice() {
            [one] if one.peer_id != old => Some(one.peer_id.clone()),
            _ => None,
        })
    })
    .await
}

async fn a_call_comes_back_after_the_worker_restarts(env: &Env) -> Result<(), String> {
    let room = unique("restart");
    let browsers = vec![
        env.stage.browser("ana").await?,
        env.stage.browser("ben").await?,
    ];
    with_browsers(browsers, async |b: &[Client]| {
        let (ana, ben) = (&b[0], &b[1]);
        join(ana, &env.base_url, &room, "Ana").await?;
        join(ben, &env.base_url, &room, "Ben").await?;
        let old_ana = wait_new_tile(ben, "Ana", "", MEDIA_TIMEOUT).await?;
        let old_ben = wait_new_tile(ana, "Ben", "", MEDIA_TIMEOUT).await?;
        wait_live_media_from(ben, std::slice::from_ref(&old_ana), MEDIA_TIMEOUT).await?;
        send_chat(ana, "before the restart").await?;
        wait_chat_text(ben, "before the restart", CHAT_TIMEOUT).await?;

        let stopped = Instant::now();
        tokio::task::block_in_place(|| {
            let mut worker = env.worker.lock().unwrap_or_else(|e| e.into_inner());
            worker.restart().map_err(|e| e.to_string())
        })?;
        let answering = Instant::now();
        eprintln!(
            "e2e-restart: the worker answered again {:.1} s after it was stopped",
            answering.duration_since(stopped).as_secs_f64()
        );
        let new_ana = wait_new_tile(ben, "Ana", &old_ana, BACK_WITHIN).await?;
        let new_ben = wait_new_tile(ana, "Ben", &old_ben, BACK_WITHIN).await?;
        eprintln!(
            "e2e-restart: both back in the call {:.1} s after the worker answered",
            answering.elapsed().as_secs_f64()
        );
        wait_live_media_from(ben, &[new_ana], MEDIA_TIMEOUT).await?;
        wait_live_media_from(ana, &[new_ben], MEDIA_TIMEOUT).await?;

        send_chat(ben, "after the restart").await?;
        wait_chat_text(ana, "after the restart", CHAT_TIMEOUT).await?;
        for (client, who) in [(ana, "Ana"), (ben, "Ben")] {
            let rows = chat_messages(client).await?;
            for text in ["before the restart", "after the restart"] {
                let seen = rows.iter().filter(|r| r.text == text).count();
                if seen != 1 {
                    return Err(format!(
                        "{who} should see {text:?} once, sees it {seen} times: {rows:?}"
                    ));
                }
            }
        }
        Ok(())
    })
    .await
}
