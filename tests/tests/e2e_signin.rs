//! Sign-in in a real browser: headless Chromium (WebDriver) against the real worker under
//! `wrangler dev`, with the provider stand-ins (`tests/js/`) on their own loopback addresses,
//! all inside a network namespace this test creates. For each provider a person opens a room
//! signed out, clicks "Sign in with …", goes through the provider's pages, lands back in the
//! room signed in under the provider's name, joins the call, stays signed in across a reload,
//! and "Sign out everywhere" ends it. A new profile name and picture show in the call and the
//! chat; a room for signed-in people turns a guest away until they sign in. Run by
//! `cargo xtask test` (root is needed).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use confab_tests::providers::{Provider, Providers};
use confab_tests::room_page::{
    self, click, find, script, send_chat, tiles, unique, wait_chat_text, wait_for, Tile,
};
use confab_tests::signin_page::{
    account_name, approve_at_provider, count, loaded_resources, save_profile_name, upload_avatar,
    wait_css, wait_loaded_image, wait_signed_in_at, CHECKER_PNG, CHECKER_PNG_WIDTH,
};
use confab_tests::stage::{Stage, StageWith};
use confab_tests::wrangler::Options;
use fantoccini::Client;

const TIMEOUT: Duration = Duration::from_secs(30);

/// The stage and the sign-in stand-ins, which stop after the worker.
type Env = StageWith<Providers>;

fn main() -> ExitCode {
    confab_tests::stage_main!("e2e-signin" => start();
        google_sign_in_lands_in_the_room_and_joins,
        github_sign_in_lands_in_the_room_and_joins,
        kakao_sign_in_lands_in_the_room_and_joins,
        naver_sign_in_lands_in_the_room_and_joins,
        a_guest_sees_the_signed_in_person_by_the_provider_name,
        profile_name_and_picture_show_in_the_call_and_chat,
        a_room_for_signed_in_people_turns_guests_away,
    )
}

/// The stage with every provider's stand-in running inside its namespace and registered.
fn start() -> Result<Env, String> {
    Stage::enter_with("e2e-signin", |scratch| {
        let providers = Providers::start(&scratch.join("providers"))?;
        let options = Options {
            vars: providers.vars(&Provider::ALL),
            ..Options::default()
        };
        Ok((options, providers))
    })
    .and_then(|(stage, providers)| {
        providers.register(stage.base_url())?;
        Ok(Env {
            stage,
            beside: providers,
        })
    })
}

/// Runs `body` with a new browser and closes it afterwards, whatever the outcome.
async fn with_browser<F>(env: &Env, label: &str, body: F) -> Result<(), String>
where
    F: AsyncFnOnce(&Client) -> Result<(), String>,
{
    let client = env.stage.browser(label).await?;
    let result = body(&client).await;
    let _ = client.close().await;
    result
}

/// Runs `body` with two new browsers and closes both afterwards, whatever the outcome.
async fn with_two_browsers<F>(env: &Env, labels: [&str; 2], body: F) -> Result<(), String>
where
    F: AsyncFnOnce(&Client, &Client) -> Result<(), String>,
{
    let first = env.stage.browser(labels[0]).await?;
    let result = match env.stage.browser(labels[1]).await {
        Ok(second) => {
            let result = body(&first, &second).await;
            let _ = second.close().await;
            result
        }
        Err(error) => Err(error),
    };
    let _ = first.close().await;
    result
}

/// Opens the room signed out, signs in with `provider` as `login` and waits until the room
/// shows the person signed in, at the room's own URL.
async fn sign_in_from_room(
    env: &Env,
    client: &Client,
    provider: Provider,
    room: &str,
    login: &str,
) -> Result<String, String> {
    sign_in_at(env, client, provider, &format!("/r/{room}"), login).await
}

/// Opens `path` (a page with sign-in links) signed out, signs in with `provider` as `login`
/// and waits until `path` shows the person signed in; returns their name.
async fn sign_in_at(
    env: &Env,
    client: &Client,
    provider: Provider,
    path: &str,
    login: &str,
) -> Result<String, String> {
    let url = format!("{}{path}", env.stage.base_url());
    client.goto(&url).await.map_err(|e| e.to_string())?;
    click_when_there(client, &format!("signin-{provider}")).await?;
    approve_at_provider(client, provider, login).await?;
    let name = provider.display_name(login);
    wait_signed_in_at(client, &url, &name).await?;
    Ok(name)
}

async fn click_when_there(client: &Client, test_id: &str) -> Result<(), String> {
    find(client, test_id, TIMEOUT).await?;
    click(client, test_id).await
}

async fn sign_in_lands_in_the_room_and_joins(env: &Env, provider: Provider) -> Result<(), String> {
    let room = unique(&format!("signin-{provider}"));
    let login = unique("mina");
    let base = env.stage.base_url().to_owned();
    with_browser(env, provider.id(), async |c: &Client| {
        let name = sign_in_from_room(env, c, provider, &room, &login).await?;
        click(c, "join-button").await?;
        find(c, "local-video", TIMEOUT).await?;

        // A reload keeps the person signed in.
        c.refresh().await.map_err(|e| e.to_string())?;
        wait_signed_in_at(c, &format!("{base}/r/{room}"), &name).await?;

        // The home page shows the account with the provider's picture, copied to our origin;
        // nothing is loaded from the provider's.
        c.goto(&format!("{base}/"))
            .await
            .map_err(|e| e.to_string())?;
        find(c, "account-avatar", TIMEOUT).await?;
        let avatar = wait_for("the avatar image to load", TIMEOUT, || async {
            let img = script(
                c,
                "const i = document.querySelector('[data-testid=\"account-avatar\"]');
                 return i && i.complete && i.naturalWidth > 0 ? i.src : null;",
            )
            .await?;
            Ok(img.as_str().map(str::to_owned))
        })
        .await?;
        if !avatar.starts_with(&format!("{base}/api/avatars/")) {
            return Err(format!("the avatar is not our copy: {avatar}"));
        }
        let foreign: Vec<String> = loaded_resources(c)
            .await?
            .into_iter()
            .filter(|url| !url.starts_with(&base))
            .collect();
        if !foreign.is_empty() {
            return Err(format!("the app loaded third-party resources: {foreign:?}"));
        }

        // Sign out everywhere, and a reload stays signed out.
        click_when_there(c, "signout-everywhere-button").await?;
        find(c, &format!("signin-{provider}"), TIMEOUT).await?;
        c.refresh().await.map_err(|e| e.to_string())?;
        find(c, &format!("signin-{provider}"), TIMEOUT).await?;
        if let Some(still) = account_name(c).await? {
            return Err(format!("still signed in as {still:?} after signing out"));
        }
        Ok(())
    })
    .await
}

async fn google_sign_in_lands_in_the_room_and_joins(env: &Env) -> Result<(), String> {
    sign_in_lands_in_the_room_and_joins(env, Provider::Google).await
}

async fn github_sign_in_lands_in_the_room_and_joins(env: &Env) -> Result<(), String> {
    sign_in_lands_in_the_room_and_joins(env, Provider::Github).await
}

async fn kakao_sign_in_lands_in_the_room_and_joins(env: &Env) -> Result<(), String> {
    sign_in_lands_in_the_room_and_joins(env, Provider::Kakao).await
}

async fn naver_sign_in_lands_in_the_room_and_joins(env: &Env) -> Result<(), String> {
    sign_in_lands_in_the_room_and_joins(env, Provider::Naver).await
}

async fn a_guest_sees_the_signed_in_person_by_the_provider_name(env: &Env) -> Result<(), String> {
    let room = unique("signin-mixed");
    let login = unique("김민지");
    let base = env.stage.base_url().to_owned();
    with_two_browsers(env, ["member", "guest"], async |member, guest| {
        let name = sign_in_from_room(env, member, Provider::Kakao, &room, &login).await?;
        click(member, "join-button").await?;
        find(member, "local-video", TIMEOUT).await?;
        room_page::join(guest, &base, &room, "Guest Ben").await?;
        wait_tile(guest, "the guest", &name).await?;
        wait_tile(member, "the member", "Guest Ben").await?;
        Ok(())
    })
    .await
}

/// Waits until `client`'s page (`who`'s) shows a video tile named `name`.
async fn wait_tile(client: &Client, who: &str, name: &str) -> Result<Tile, String> {
    wait_for(
        &format!("{who} to see a tile named {name:?}"),
        TIMEOUT,
        || async {
            let seen = tiles(client).await?;
            match seen.iter().find(|t| t.name == name) {
                Some(tile) => Ok(Some(tile.clone())),
                None => Err(format!("(tiles seen: {seen:?})")),
            }
        },
    )
    .await
}

/// CSS for `what` inside the video tile of `peer`.
fn in_tile(peer: &str, what: &str) -> String {
    format!("[data-testid=\"video-tile\"][data-peer-id=\"{peer}\"] {what}")
}

async fn profile_name_and_picture_show_in_the_call_and_chat(env: &Env) -> Result<(), String> {
    let room = unique("signin-profile");
    let new_name = unique("Ada 러브레이스");
    let base = env.stage.base_url().to_owned();
    let avatars = format!("{base}/api/avatars/");
    let png = env.stage.scratch.join(format!("{}.png", unique("checker")));
    std::fs::write(&png, CHECKER_PNG).map_err(|e| format!("{}: {e}", png.display()))?;
    with_two_browsers(env, ["ada", "gil"], async |ada, gil| {
        sign_in_at(env, ada, Provider::Github, "/", &unique("ada")).await?;
        click(ada, "profile-link").await?;
        let shown = "img[data-testid=\"avatar-image\"]";
        let before =
            wait_loaded_image(ada, shown, "the provider's picture on /profile", |_| true).await?;
        save_profile_name(ada, &new_name).await?;
        upload_avatar(ada, &png).await?;
        let after = wait_loaded_image(ada, shown, "the uploaded picture on /profile", |img| {
            img.src.starts_with(&avatars) && img.src != before.src && img.width == CHECKER_PNG_WIDTH
        })
        .await?;

        // In the call under the new name; with the camera off the tile shows the new picture.
        let room_url = format!("{base}/r/{room}");
        ada.goto(&room_url).await.map_err(|e| e.to_string())?;
        wait_signed_in_at(ada, &room_url, &new_name).await?;
        click_when_there(ada, "join-button").await?;
        find(ada, "local-video", TIMEOUT).await?;
        room_page::join(gil, &base, &room, "Guest Gil").await?;
        let ada_tile = wait_tile(gil, "the guest", &new_name).await?;
        click(ada, "cam-toggle").await?;
        let tile_avatar = in_tile(&ada_tile.peer_id, "img[data-testid=\"tile-avatar\"]");
        wait_loaded_image(gil, &tile_avatar, "Ada's new picture in her tile", |img| {
            img.src == after.src
        })
        .await?;
        if count(
            gil,
            &in_tile(&ada_tile.peer_id, "[data-testid=\"guest-badge\"]"),
        )
        .await?
            != 0
        {
            return Err("the signed-in person's tile carries a guest badge".into());
        }

        // The guest's tile on Ada's page is marked as a guest.
        let gil_tile = wait_tile(ada, "Ada", "Guest Gil").await?;
        let badge = in_tile(&gil_tile.peer_id, "[data-testid=\"guest-badge\"]");
        wait_for("a guest-badge on the guest's tile", TIMEOUT, || async {
            match count(ada, &badge).await? {
                1 => Ok(Some(())),
                n => Err(format!("({n} seen)")),
            }
        })
        .await?;

        // Her chat message carries her new picture.
        let text = unique("hello from Ada");
        send_chat(ada, &text).await?;
        let message = wait_chat_text(gil, &text, TIMEOUT).await?;
        let seq = message.seq.unwrap_or_default();
        let chat_avatar = format!(
            "[data-testid=\"chat-message\"][data-seq=\"{seq}\"] img[data-testid=\"chat-avatar\"]"
        );
        wait_loaded_image(gil, &chat_avatar, "Ada's picture by her message", |img| {
            img.src == after.src
        })
        .await?;
        Ok(())
    })
    .await
}

async fn a_room_for_signed_in_people_turns_guests_away(env: &Env) -> Result<(), String> {
    let base = env.stage.base_url().to_owned();
    with_two_browsers(env, ["host", "visitor"], async |host, visitor| {
        sign_in_at(env, host, Provider::Naver, "/", &unique("hana")).await?;
        find(host, "require-signin-toggle", TIMEOUT)
            .await?
            .click()
            .await
            .map_err(|e| e.to_string())?;
        click(host, "new-room-button").await?;
        let rooms = format!("{base}/r/");
        let room_url = wait_for("the new room's page", TIMEOUT, || async {
            let here = host.current_url().await.map_err(|e| e.to_string())?;
            let room = here.as_str().strip_prefix(&rooms).unwrap_or_default();
            if room.is_empty() {
                Err(format!("(at {here})"))
            } else {
                Ok(Some(here.to_string()))
            }
        })
        .await?;
        find(host, "local-video", TIMEOUT)
            .await
            .map_err(|e| format!("the host did not join the new room at once: {e}"))?;

        // A guest is turned away with the ways to sign in, and never joins the call.
        visitor.goto(&room_url).await.map_err(|e| e.to_string())?;
        find(visitor, "name-input", TIMEOUT)
            .await?
            .send_keys("Guest Gus")
            .await
            .map_err(|e| e.to_string())?;
        click(visitor, "join-button").await?;
        find(visitor, "room-signin-required", TIMEOUT)
            .await
            .map_err(|e| format!("the guest was not turned away: {e}"))?;
        let links = "[data-testid=\"room-signin-required\"] [data-testid^=\"signin-\"]";
        let offered = count(visitor, links).await?;
        if offered == 0 {
            return Err("the refusal offers no sign-in links".into());
        }
        host_sees_nobody_for(host, Duration::from_secs(3)).await?;

        // Signed in, the same person comes back to the room and joins.
        let login = unique("gus");
        wait_css(
            visitor,
            "[data-testid=\"room-signin-required\"] [data-testid=\"signin-kakao\"]",
        )
        .await?
        .click()
        .await
        .map_err(|e| e.to_string())?;
        approve_at_provider(visitor, Provider::Kakao, &login).await?;
        let name = Provider::Kakao.display_name(&login);
        wait_signed_in_at(visitor, &room_url, &name).await?;
        click_when_there(visitor, "join-button").await?;
        find(visitor, "local-video", TIMEOUT).await?;
        wait_tile(host, "the host", &name).await?;
        Ok(())
    })
    .await
}

/// Polls the host's tiles until `period` has passed; fails at once if anyone shows up.
async fn host_sees_nobody_for(host: &Client, period: Duration) -> Result<(), String> {
    let deadline = Instant::now() + period;
    let mut polls = 0;
    while Instant::now() < deadline {
        let seen = tiles(host).await?;
        if !seen.is_empty() {
            return Err(format!("the refused guest is in the host's call: {seen:?}"));
        }
        polls += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if polls < 5 {
        return Err(format!(
            "only {polls} looks at the host's tiles in {period:?}"
        ));
    }
    Ok(())
}
