//! A signed-in person's sessions, one per device (each sign-in starts one): signing out ends
//! this device's only, signing out everywhere ends them all. (A guest has exactly one session,
//! its browser's: nothing renews a guest but its refresh cookie.)

use confab_tests::http::Reply;
use confab_tests::oauth_flow::{refresh, Browser};
use confab_tests::providers::Provider;
use libtest_mimic::Trial;

use crate::flows::signed_in;
use crate::{account, full};

pub fn trials() -> Vec<Trial> {
    confab_tests::sync_trials![
        logout_ends_this_session_only,
        logout_all_ends_every_session_of_the_user,
    ]
}

/// `POST {path}` from the worker's own page, with whatever session cookie `browser` holds.
fn post(browser: &mut Browser, base_url: &str, path: &str) -> Reply {
    browser.send(
        "POST",
        &format!("{base_url}{path}"),
        &[("origin", base_url), ("content-type", "application/json")],
        Some("{}"),
    )
}

fn expect_refused(browser: &mut Browser, base_url: &str, label: &str) {
    match refresh(browser, base_url) {
        Err(reply) => assert_eq!(reply.status, 401, "{label}: {}", reply.body),
        Ok(fresh) => panic!("{label}: the session should have ended, got {fresh:?}"),
    }
}

fn logout_ends_this_session_only() {
    let (w, p) = full();
    let login = account("two-devices");
    let (mut here, me) = signed_in(w.base_url(), &p, Provider::Github, &login, "/");
    let (mut there, same) = signed_in(w.base_url(), &p, Provider::Github, &login, "/");
    assert_eq!(same.refreshed.user.id, me.refreshed.user.id);
    let reply = post(&mut here, w.base_url(), "/auth/logout");
    assert_eq!(reply.status, 204, "{}", reply.body);
    expect_refused(&mut here, w.base_url(), "logged out");
    let still = refresh(&mut there, w.base_url()).expect("the other device's session goes on");
    assert_eq!(still.user.id, me.refreshed.user.id);
    // Logging out again, or with no cookie, is fine.
    assert_eq!(post(&mut here, w.base_url(), "/auth/logout").status, 204);
    assert_eq!(
        post(&mut Browser::new(), w.base_url(), "/auth/logout").status,
        204
    );
}

fn logout_all_ends_every_session_of_the_user() {
    let (w, p) = full();
    let login = account("three-devices");
    let (mut laptop, _) = signed_in(w.base_url(), &p, Provider::Github, &login, "/");
    let (mut phone, _) = signed_in(w.base_url(), &p, Provider::Github, &login, "/");
    let (mut tablet, _) = signed_in(w.base_url(), &p, Provider::Github, &login, "/");
    refresh(&mut tablet, w.base_url()).expect("a rotated session is ended too");
    let (mut someone_else, _) =
        signed_in(w.base_url(), &p, Provider::Github, &account("other"), "/");
    let nobody = post(&mut Browser::new(), w.base_url(), "/auth/logout-all");
    assert_eq!(nobody.status, 401, "no cookie: {}", nobody.body);
    let reply = post(&mut phone, w.base_url(), "/auth/logout-all");
    assert_eq!(reply.status, 204, "{}", reply.body);
    for (label, device) in [
        ("laptop", &mut laptop),
        ("phone", &mut phone),
        ("tablet", &mut tablet),
    ] {
        expect_refused(device, w.base_url(), label);
    }
    refresh(&mut someone_else, w.base_url()).expect("another person's session goes on");
}
