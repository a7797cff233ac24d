//! **Sign out** on one device: that browser forgets the session for good (a reload does not
//! bring it back), while the same person signed in on another browser stays signed in.

use confab_tests::providers::Provider;
use confab_tests::room_page::{click, find, unique, wait_for};
use confab_tests::signin_page::{account_name, approve_at_provider, count, wait_signed_in_at};
use fantoccini::Client;

use crate::page::TIMEOUT;
use crate::Env;

/// The refresh cookie over plain http (`wrangler dev`); `__Host-confab_rt` over https.
const SESSION_COOKIE: &str = "confab_rt";

/// Opens the home page signed out, signs in with GitHub as `login` and waits until the home
/// page shows the person signed in; returns their name.
pub async fn sign_in_at_home(env: &Env, client: &Client, login: &str) -> Result<String, String> {
    let home = format!("{}/", env.base_url());
    client.goto(&home).await.map_err(|e| e.to_string())?;
    let link = format!("signin-{}", Provider::Github);
    find(client, &link, TIMEOUT).await?;
    click(client, &link).await?;
    approve_at_provider(client, Provider::Github, login).await?;
    let name = Provider::Github.display_name(login);
    wait_signed_in_at(client, &home, &name).await?;
    Ok(name)
}

/// Whether this browser holds the session cookie (WebDriver sees HttpOnly cookies too).
async fn has_session_cookie(client: &Client) -> Result<bool, String> {
    let cookies = client.get_all_cookies().await.map_err(|e| e.to_string())?;
    Ok(cookies.iter().any(|c| c.name() == SESSION_COOKIE))
}

/// Whether the home page shows the signed-out state: the guest name form and the sign-in
/// link, and no account bar or sign-out button. `Err` describes what it shows instead.
async fn signed_out(client: &Client) -> Result<Result<(), String>, String> {
    let mut shown = Vec::new();
    for (test_id, wanted) in [
        ("name-input", 1),
        ("signin-github", 1),
        ("account", 0),
        ("signout-button", 0),
    ] {
        let n = count(client, &format!("[data-testid=\"{test_id}\"]")).await?;
        if n != wanted {
            shown.push(format!("{n} {test_id}"));
        }
    }
    if shown.is_empty() {
        Ok(Ok(()))
    } else {
        let name = account_name(client).await?;
        Ok(Err(format!("{} (account-name {name:?})", shown.join(", "))))
    }
}

/// Waits until the freshly loaded home page has settled on who this is: `Some(name)` when it
/// shows someone signed in, `None` when it shows the signed-out state.
async fn settled_account(client: &Client) -> Result<Option<String>, String> {
    wait_for(
        "the home page to settle on who this is",
        TIMEOUT,
        || async {
            if let Some(name) = account_name(client).await? {
                return Ok(Some(Some(name)));
            }
            match signed_out(client).await? {
                Ok(()) => Ok(Some(None)),
                Err(shown) => Err(format!("(the page shows {shown})")),
            }
        },
    )
    .await
}

/// Sam signs in with GitHub on two browsers (a laptop and a phone). On the laptop he clicks
/// **Sign out**: the page shows the signed-out home page, the session cookie is gone, and a
/// reload stays signed out. The phone, reloaded, is still signed in as Sam and keeps its cookie.
pub async fn signing_out_in_one_browser_leaves_the_other_signed_in(
    env: &Env,
) -> Result<(), String> {
    let login = unique("sam");
    let home = format!("{}/", env.base_url());
    env.with_browsers(&["laptop", "phone"], async |b: &[Client]| {
        let (laptop, phone) = (&b[0], &b[1]);
        let name = sign_in_at_home(env, laptop, &login).await?;
        sign_in_at_home(env, phone, &login).await?;
        for (client, which) in [(laptop, "laptop"), (phone, "phone")] {
            if !has_session_cookie(client).await? {
                return Err(format!(
                    "the {which} has no {SESSION_COOKIE} cookie after sign-in"
                ));
            }
        }

        click(laptop, "signout-button").await?;
        wait_for(
            "the laptop to show the signed-out home page after Sign out",
            TIMEOUT,
            || async {
                match signed_out(laptop).await? {
                    Ok(()) => Ok(Some(())),
                    Err(shown) => Err(format!("(the page shows {shown})")),
                }
            },
        )
        .await?;
        if has_session_cookie(laptop).await? {
            return Err(format!(
                "after Sign out the laptop still holds the {SESSION_COOKIE} cookie"
            ));
        }
        laptop.refresh().await.map_err(|e| e.to_string())?;
        if let Some(back) = settled_account(laptop).await? {
            return Err(format!(
                "a reload after Sign out brought the session back: signed in as {back:?}"
            ));
        }

        phone.refresh().await.map_err(|e| e.to_string())?;
        wait_signed_in_at(phone, &home, &name)
            .await
            .map_err(|e| format!("signing out on the laptop signed the phone out too: {e}"))?;
        if !has_session_cookie(phone).await? {
            return Err(format!(
                "the phone lost its {SESSION_COOKIE} cookie when the laptop signed out"
            ));
        }
        Ok(())
    })
    .await
}
