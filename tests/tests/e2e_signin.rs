//! Sign-in in a real browser: headless Chromium (WebDriver) against the real worker under
//! `wrangler dev`, with the provider stand-ins (`tests/js/`) on their own loopback addresses,
//! all inside a network namespace this test creates. For each provider a person opens a room
//! signed out, clicks "Sign in with …", goes through the provider's pages, lands back in the
//! room signed in under the provider's name, joins the call, stays signed in across a reload,
//! and "Sign out everywhere" ends it. Run by `cargo xtask test` (root is needed).

use std::process::ExitCode;
use std::time::Duration;

use confab_tests::providers::{Provider, Providers};
use confab_tests::room_page::{click, find, script, tiles, wait_for};
use confab_tests::signin_page::{
    account_name, approve_at_provider, loaded_resources, wait_signed_in_at,
};
use confab_tests::stage::Stage;
use confab_tests::wrangler::Options;
use fantoccini::Client;

const TIMEOUT: Duration = Duration::from_secs(30);

/// Dropped in field order: browsers' driver and the worker first, then the stand-ins.
struct Env {
    stage: Stage,
    /// Held for its `Drop`: the stand-ins stop after the worker.
    _providers: Providers,
}

impl confab_tests::suite::Runs for Env {
    fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.stage.runtime
    }
}

fn main() -> ExitCode {
    confab_tests::stage_main!("e2e-signin" => start();
        google_sign_in_lands_in_the_room_and_joins,
        github_sign_in_lands_in_the_room_and_joins,
        kakao_sign_in_lands_in_the_room_and_joins,
        naver_sign_in_lands_in_the_room_and_joins,
        a_guest_sees_the_signed_in_person_by_the_provider_name,
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
            _providers: providers,
        })
    })
}

fn unique(label: &str) -> String {
    format!(
        "{label}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
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

/// Opens the room signed out, signs in with `provider` as `login` and waits until the room
/// shows the person signed in, at the room's own URL.
async fn sign_in_from_room(
    env: &Env,
    client: &Client,
    provider: Provider,
    room: &str,
    login: &str,
) -> Result<String, String> {
    let base = env.stage.base_url();
    let room_url = format!("{base}/r/{room}");
    client.goto(&room_url).await.map_err(|e| e.to_string())?;
    click_when_there(client, &format!("signin-{provider}")).await?;
    approve_at_provider(client, provider, login).await?;
    let name = provider.display_name(login);
    wait_signed_in_at(client, &room_url, &name).await?;
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
    let member = env.stage.browser("member").await?;
    let guest = env.stage.browser("guest").await?;
    let result = async {
        let name = sign_in_from_room(env, &member, Provider::Kakao, &room, &login).await?;
        click(&member, "join-button").await?;
        find(&member, "local-video", TIMEOUT).await?;
        confab_tests::room_page::join(&guest, &base, &room, "Guest Ben").await?;
        wait_for(&format!("the guest to see {name:?}"), TIMEOUT, || async {
            let seen = tiles(&guest).await?;
            Ok(seen.iter().any(|t| t.name == name).then_some(()))
        })
        .await?;
        wait_for("the member to see the guest", TIMEOUT, || async {
            let seen = tiles(&member).await?;
            Ok(seen.iter().any(|t| t.name == "Guest Ben").then_some(()))
        })
        .await
    }
    .await;
    let _ = member.close().await;
    let _ = guest.close().await;
    result
}
