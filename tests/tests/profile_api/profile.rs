//! `PATCH /api/me`: a chosen name outlives refresh and the next sign-in; bad bodies are refused.

use confab_protocol::UserInfo;
use confab_tests::ws_client::join;

use super::{minted_user, open, patch_me, refreshed, sign_in, signed_in_again, with_sign_in};

pub async fn a_new_name_is_kept_across_refresh_and_sign_in() {
    let (w, p) = with_sign_in();
    let mut account = sign_in(&w, &p);
    let provider_name = account.user.name.clone();
    let reply = patch_me(
        &w,
        Some(&account.token),
        Some("application/json"),
        r#"{"name":"  민지 Kim "}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let user: UserInfo = reply.json();
    assert_eq!(
        user,
        UserInfo {
            name: "민지 Kim".into(),
            ..account.user.clone()
        }
    );
    // The app refreshes to get a token with the new name.
    assert_eq!(refreshed(&w, &mut account).name, "민지 Kim");
    // A chosen name outlives the next sign-in with the provider.
    let again = signed_in_again(&w, &p, &account);
    assert_eq!(again.name, "민지 Kim", "not {provider_name:?} again");
    // And the socket stamps it.
    let room = format!("p-{}", uuid::Uuid::new_v4().simple());
    let (client, welcome) = join(&w, &room, &account.token, "Minji").await;
    assert_eq!(welcome.you.name, "민지 Kim");
    assert!(!welcome.you.guest);
    client.close().await;
}

pub async fn bad_json_and_bad_names_are_400() {
    let w = open();
    let (token, _) = minted_user(&w, "Mina");
    let json = Some("application/json");
    for body in [
        "",
        "not json",
        "[]",
        "{}",
        r#"{"name":5}"#,
        r#"{"name":""}"#,
        r#"{"name":"   "}"#,
        r#"{"name":"a\u0007b"}"#,
        &format!(r#"{{"name":"{}"}}"#, "x".repeat(41)),
    ] {
        patch_me(&w, Some(&token), json, body).expect_problem(400);
    }
    let huge = format!(r#"{{"name":"{}"}}"#, "x".repeat(64 * 1024));
    patch_me(&w, Some(&token), json, &huge).expect_problem(413);
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        patch_me(&w, Some(&token), content_type, r#"{"name":"Mina"}"#).expect_problem(415);
    }
}

pub async fn an_unknown_user_has_no_profile_to_change() {
    let w = open();
    let (token, _) = minted_user(&w, "Mina");
    let problem = patch_me(
        &w,
        Some(&token),
        Some("application/json"),
        r#"{"name":"Minji"}"#,
    )
    .expect_problem(401);
    assert!(problem.detail.contains("sign in"), "{}", problem.detail);
}
