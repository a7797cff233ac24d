//! Last-N through the SFU in real browsers: a page pulls everyone's sound but only the cameras
//! of the latest speakers. Headless Chromium pages against the real worker under
//! `wrangler dev` and the local SFU stand-in, in a private network namespace (see
//! `e2e_call.rs`). The deployment pulls two cameras per page (`SFU_LAST_N=2`) instead of
//! nine, so four pages show what eleven would on the default: two cores do not carry eleven
//! Chromiums with every page checked. Every room is on the SFU from its first person.

use std::process::ExitCode;
use std::time::Duration;

use confab_tests::fake_camera::FakeCamera;
use confab_tests::local_sfu::LocalSfu;
use confab_tests::room_page::{
    cameras_shown, click, join, join_with_mic_off, tiles, unique, wait_for, wait_sfu_media_from,
    wait_sfu_video_from, with_browsers, CamerasShown,
};
use confab_tests::stage::StageWith;
use fantoccini::Client;

const MEDIA_TIMEOUT: Duration = Duration::from_secs(60);
/// The cameras each page pulls besides a pinned one, as this stage's worker says.
const LAST_N: usize = 2;
type Env = StageWith<LocalSfu>;

fn main() -> ExitCode {
    confab_tests::stage_main!("e2e-last-n" => start();
        each_page_pulls_the_cameras_of_the_latest_speakers_only,
    )
}

fn start() -> Result<Env, String> {
    LocalSfu::stage_with(
        "e2e-last-n",
        &[("MEDIA_MODE", "sfu"), ("SFU_LAST_N", &LAST_N.to_string())],
    )
}

/// Four people, only Kim's microphone on: every other page shows Kim's camera and the first
/// to arrive of the rest, and the third tile shows the person, with no video section at the
/// SFU for them. On Kim's page nobody has spoken: it shows the first two to arrive. The one
/// it hides then turns their microphone on: their camera comes on every page that hid it, in
/// place of a camera shown only for arriving early (Kim's, shown for speaking, stays).
async fn each_page_pulls_the_cameras_of_the_latest_speakers_only(env: &Env) -> Result<(), String> {
    const NAMES: [&str; 4] = ["Ari", "Bo", "Cy", "Kim"];
    const KIM: usize = 3;
    let room = unique("sfu-last-n");
    let started = std::time::Instant::now();
    let browsers = env.stage.crowd(&NAMES, FakeCamera::small).await?;
    let base = env.stage.base_url();
    with_browsers(browsers, async |b: &[Client]| {
        // One after another: the order of arrival decides who is shown before anyone speaks.
        for (i, (client, name)) in b.iter().zip(NAMES).enumerate() {
            if i == KIM {
                join(client, base, &room, name).await?;
            } else {
                join_with_mic_off(client, base, &room, name).await?;
            }
        }
        let kim = peer_id_of(&b[0], "Kim").await?;
        let checks = b.iter().zip(NAMES).enumerate().map(|(i, (client, me))| {
            let must = (i != KIM).then(|| kim.clone());
            async move {
                let seen = wait_shown(client, must.as_ref()).await?;
                wait_sfu_video_from(client, &seen.shown, MEDIA_TIMEOUT).await?;
                if let Some(kim) = &must {
                    // Kim's sound as well as her camera.
                    wait_sfu_media_from(client, std::slice::from_ref(kim), MEDIA_TIMEOUT).await?;
                }
                eprintln!(
                    "e2e-last-n: {me} plays {LAST_N} cameras after {:?}",
                    started.elapsed()
                );
                Ok::<CamerasShown, String>(seen)
            }
        });
        let seen = all_of(futures_util::future::join_all(checks).await)?;
        // The one Kim's page hides speaks up.
        let hidden = seen[KIM].hidden[0].clone();
        let speaker = tiles(&b[KIM])
            .await?
            .into_iter()
            .find(|t| t.peer_id == hidden)
            .ok_or("the hidden tile went")?
            .name;
        let index = NAMES
            .iter()
            .position(|n| *n == speaker)
            .ok_or_else(|| format!("no page of {speaker}"))?;
        let hid_them: Vec<usize> = (0..NAMES.len())
            .filter(|&i| seen[i].hidden.contains(&hidden))
            .collect();
        click(&b[index], "mic-toggle").await?;
        let checks = hid_them.iter().map(|&i| {
            let (client, me, hidden, kim, speaker) = (&b[i], NAMES[i], &hidden, &kim, &speaker);
            async move {
                let what = format!("{speaker}'s camera on {me}'s page");
                wait_for(&what, MEDIA_TIMEOUT, || async {
                    let now = cameras_shown(client).await?;
                    let settled = now.shown.contains(hidden)
                        && (i == KIM || now.shown.contains(kim))
                        && settles(&now);
                    settled
                        .then_some(Some(()))
                        .ok_or_else(|| format!("(last: {now:?})"))
                })
                .await?;
                wait_sfu_video_from(client, std::slice::from_ref(hidden), MEDIA_TIMEOUT).await?;
                eprintln!(
                    "e2e-last-n: {me} shows {speaker} after {:?}",
                    started.elapsed()
                );
                Ok::<(), String>(())
            }
        });
        all_of(futures_util::future::join_all(checks).await)?;
        Ok(())
    })
    .await
}

/// Whether `now` shows [`LAST_N`] cameras and the third tile as the person, with as many
/// video sections at the SFU (the hidden camera is not pulled).
fn settles(now: &CamerasShown) -> bool {
    now.shown.len() == LAST_N
        && now.hidden.len() == 1
        && now.placeheld == now.hidden
        && now.video_sections == LAST_N
}

/// Waits until `client` shows [`LAST_N`] of its three remote cameras (`must` among them).
async fn wait_shown(client: &Client, must: Option<&String>) -> Result<CamerasShown, String> {
    wait_for(
        "two cameras shown and one not pulled",
        MEDIA_TIMEOUT,
        || async {
            let now = cameras_shown(client).await?;
            let settled = settles(&now) && must.is_none_or(|peer| now.shown.contains(peer));
            settled
                .then_some(Some(now.clone()))
                .ok_or_else(|| format!("(last: {now:?})"))
        },
    )
    .await
}

/// Every result, or all the errors.
fn all_of<T>(results: Vec<Result<T, String>>) -> Result<Vec<T>, String> {
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for result in results {
        match result {
            Ok(value) => ok.push(value),
            Err(e) => failed.push(e),
        }
    }
    if failed.is_empty() {
        Ok(ok)
    } else {
        Err(failed.join("\n"))
    }
}

/// The peer id of the tile named `name` on `client`'s page.
async fn peer_id_of(client: &Client, name: &str) -> Result<String, String> {
    wait_for(&format!("a tile named {name}"), MEDIA_TIMEOUT, || async {
        Ok(tiles(client)
            .await?
            .into_iter()
            .find(|t| t.name == name)
            .map(|t| t.peer_id))
    })
    .await
}
