//! Whole sign-ins that should work: each provider end to end, account linking, the provider's
//! picture, each provider's quirks (read back from the stand-in's request log), declining,
//! and what happens to a guest session.

use confab_tests::http::{self, media_type};
use confab_tests::oauth_flow::{
    assert_plain_http_cookie, consent, get_bytes, jwt_parts, location, query, refresh, s256,
    set_cookie, sign_in, start_login, string_claims, Browser, Decision, SignedIn, LOGIN_COOKIE,
    SESSION_COOKIE,
};
use confab_tests::providers::{Provider, Providers};
use libtest_mimic::Trial;
use serde_json::Value;

use crate::{account, full, remember, room_path};

pub fn trials() -> Vec<Trial> {
    confab_tests::sync_trials![
        providers_are_listed_in_order_with_guests,
        each_provider_signs_in_and_lands_on_return_to,
        same_account_is_the_same_user_and_others_are_not,
        first_sign_in_copies_the_provider_picture,
        github_quirks_are_honoured,
        kakao_token_call_is_a_form_post_with_pkce_and_its_number_id_links,
        naver_token_call_carries_the_state_and_no_pkce,
        google_is_openid_with_nonce_and_userinfo,
        declining_at_the_provider_returns_without_signing_in,
        signing_in_ends_the_guest_session_of_the_browser,
        missing_return_to_lands_on_the_home_page,
    ]
}

/// A whole sign-in in a fresh browser; its tokens are remembered for the log check.
pub fn signed_in(
    base_url: &str,
    p: &Providers,
    provider: Provider,
    login: &str,
    return_to: &str,
) -> (Browser, SignedIn) {
    let mut browser = Browser::new();
    let done = sign_in(&mut browser, base_url, p, provider, login, return_to);
    remember(&done.session);
    remember(&done.login_cookie);
    remember(&done.refreshed.access_token);
    (browser, done)
}

/// The log entries of `provider`'s stand-in for one endpoint.
fn entries(p: &Providers, provider: Provider, endpoint: &str) -> Vec<Value> {
    p.log(provider)
        .into_iter()
        .filter(|e| e["endpoint"] == endpoint)
        .collect()
}

/// The token request that redeemed `code`, and the access token it gave out.
fn token_call(p: &Providers, provider: Provider, code: &str) -> (Value, String) {
    let entry = entries(p, provider, "token")
        .into_iter()
        .find(|e| e["params"]["code"] == code && e["status"] == 200 && e["issued"][0].is_string())
        .unwrap_or_else(|| panic!("{provider}: no successful token call for the code"));
    let token = entry["issued"][0].as_str().unwrap_or_default().to_owned();
    (entry, token)
}

/// The authorize request that carried `state`.
fn authorize_call(p: &Providers, provider: Provider, state: &str) -> Value {
    let endpoint = if provider == Provider::Google {
        "authorization"
    } else {
        "authorize"
    };
    entries(p, provider, endpoint)
        .into_iter()
        .find(|e| e["query"]["state"] == state)
        .unwrap_or_else(|| panic!("{provider}: no authorize request with our state"))
}

/// The API calls made with `token` (`Authorization: Bearer <token>`).
fn calls_with(p: &Providers, provider: Provider, token: &str) -> Vec<Value> {
    p.log(provider)
        .into_iter()
        .filter(|e| {
            e["headers"]["authorization"]
                .as_str()
                .is_some_and(|a| a.ends_with(token))
        })
        .collect()
}

fn state_of(done: &SignedIn) -> String {
    query(&done.callback_url)
        .get("state")
        .cloned()
        .expect("the callback carries the state")
}

fn header_str<'a>(entry: &'a Value, name: &str) -> &'a str {
    entry["headers"][name].as_str().unwrap_or_default()
}

// ---- tests ------------------------------------------------------------------------------------

fn providers_are_listed_in_order_with_guests() {
    let (w, _) = full();
    let reply = http::get(&format!("{}/auth/providers", w.base_url()), &[]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(media_type(&reply.content_type), "application/json");
    let body: Value = reply.json();
    let want: Vec<Value> = Provider::ALL
        .iter()
        .map(|p| serde_json::json!({ "id": p.id(), "name": p.name() }))
        .collect();
    assert_eq!(body["providers"], Value::Array(want), "{}", reply.body);
    assert_eq!(body["guests"], true);
}

fn each_provider_signs_in_and_lands_on_return_to() {
    let (w, p) = full();
    for provider in Provider::ALL {
        let room = room_path();
        let login = account("mina");
        let (_, done) = signed_in(w.base_url(), &p, provider, &login, &room);
        assert_eq!(
            done.location, room,
            "{provider}: back where the person started"
        );
        let user = &done.refreshed.user;
        assert!(!user.guest, "{provider}: {user:?}");
        assert_eq!(
            user.name,
            provider.display_name(&login),
            "{provider}: the provider's name"
        );
        let hex = user
            .id
            .strip_prefix("user:")
            .unwrap_or_else(|| panic!("{user:?}"));
        assert!(
            hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            "{provider}: internal user id, not the provider's: {}",
            user.id
        );
        // The callback: no-store, the session cookie as for guests, the login cookie cleared.
        let reply = &done.callback;
        assert!(
            reply
                .header("cache-control")
                .is_some_and(|c| c.contains("no-store")),
            "{provider}: {reply:?}"
        );
        let session = set_cookie(reply, SESSION_COOKIE).expect("a session cookie");
        assert_plain_http_cookie(
            session,
            &["httponly", "samesite=strict", "path=/", "max-age=2592000"],
            &provider.to_string(),
        );
        let login_cookie = set_cookie(reply, LOGIN_COOKIE).expect("the login cookie is cleared");
        assert!(
            confab_tests::oauth_flow::clears(login_cookie),
            "{login_cookie}"
        );
        // The access token works.
        let ice = http::get(
            &format!("{}/api/ice", w.base_url()),
            &[(
                "authorization",
                &format!("Bearer {}", done.refreshed.access_token),
            )],
        );
        assert_eq!(ice.status, 200, "{provider}: {}", ice.body);
    }
}

fn same_account_is_the_same_user_and_others_are_not() {
    let (w, p) = full();
    let mut first_ids = Vec::new();
    // The same login text at every provider: four different people.
    let login = account("same");
    for provider in Provider::ALL {
        let (_, one) = signed_in(w.base_url(), &p, provider, &login, "/");
        let (_, again) = signed_in(w.base_url(), &p, provider, &login, "/");
        assert_eq!(
            one.refreshed.user.id, again.refreshed.user.id,
            "{provider}: the same account signs in as the same user"
        );
        let (_, other) = signed_in(w.base_url(), &p, provider, &account("other"), "/");
        assert_ne!(one.refreshed.user.id, other.refreshed.user.id, "{provider}");
        first_ids.push(one.refreshed.user.id);
    }
    let mut unique = first_ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        4,
        "one user per provider account: {first_ids:?}"
    );
}

fn first_sign_in_copies_the_provider_picture() {
    let (w, p) = full();
    for provider in Provider::ALL {
        let login = account("pic");
        let (_, done) = signed_in(w.base_url(), &p, provider, &login, "/");
        let avatar = done.refreshed.user.avatar.clone().unwrap_or_else(|| {
            panic!(
                "{provider}: the provider's picture becomes the avatar: {:?}",
                done.refreshed
            )
        });
        assert!(avatar.starts_with("/api/avatars/"), "{provider}: {avatar}");
        let (status, content_type, ours) = get_bytes(&format!("{}{avatar}", w.base_url()));
        assert_eq!(status, 200, "{provider}: {avatar}");
        // The same bytes the provider serves, now from our origin.
        let picture = match provider {
            Provider::Google => format!("{}/pictures/{login}.png", p.origin(provider)),
            Provider::Kakao => format!("{}/kakao/pictures/{login}.jpg", p.origin(provider)),
            _ => format!(
                "{}/{}/pictures/{login}.png",
                p.origin(provider),
                provider.id()
            ),
        };
        let (_, theirs_type, theirs) = get_bytes(&picture);
        assert_eq!(ours, theirs, "{provider}: the copied image");
        assert_eq!(
            media_type(&content_type),
            media_type(&theirs_type),
            "{provider}"
        );
    }
    // No picture at the provider: no avatar.
    let (_, done) = signed_in(w.base_url(), &p, Provider::Google, &account("nopic"), "/");
    assert_eq!(done.refreshed.user.avatar, None);
}

fn github_quirks_are_honoured() {
    let (w, p) = full();
    let github = Provider::Github;
    let client = p.client(github);
    let (_, done) = signed_in(w.base_url(), &p, github, &account("mona-lisa"), "/");
    let (token_entry, token) = token_call(&p, github, &done.code);
    assert_eq!(token_entry["method"], "POST");
    assert!(
        header_str(&token_entry, "accept").contains("application/json"),
        "{token_entry}"
    );
    assert!(
        header_str(&token_entry, "content-type").starts_with("application/x-www-form-urlencoded")
    );
    assert_eq!(
        token_entry["params"]["client_id"],
        client.client_id.as_str()
    );
    assert_eq!(
        token_entry["params"]["client_secret"],
        client.client_secret.as_str()
    );
    let auth = authorize_call(&p, github, &state_of(&done));
    assert_eq!(auth["query"]["scope"], "read:user user:email");
    assert_eq!(auth["query"]["code_challenge_method"], "S256");
    let verifier = token_entry["params"]["code_verifier"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        auth["query"]["code_challenge"],
        s256(verifier).as_str(),
        "PKCE S256"
    );
    // The API calls: a User-Agent (GitHub refuses without one) and GitHub's media type.
    let calls = calls_with(&p, github, &token);
    for endpoint in ["user", "emails"] {
        let call = calls
            .iter()
            .find(|c| c["endpoint"] == endpoint)
            .unwrap_or_else(|| panic!("no /{endpoint} call with the token: {calls:?}"));
        assert_eq!(call["status"], 200, "{call}");
        assert!(!header_str(call, "user-agent").is_empty(), "{call}");
        assert_eq!(
            header_str(call, "accept"),
            "application/vnd.github+json",
            "{call}"
        );
    }
    // A GitHub account without a name goes by its login.
    let login = account("noname");
    let (_, done) = signed_in(w.base_url(), &p, github, &login, "/");
    assert_eq!(done.refreshed.user.name, login);
}

fn kakao_token_call_is_a_form_post_with_pkce_and_its_number_id_links() {
    let (w, p) = full();
    let kakao = Provider::Kakao;
    // Korean nickname, numeric id above 2^32.
    let login = account("김민지");
    let (_, done) = signed_in(w.base_url(), &p, kakao, &login, "/");
    assert_eq!(done.refreshed.user.name, kakao.display_name(&login));
    let (entry, token) = token_call(&p, kakao, &done.code);
    assert_eq!(entry["method"], "POST");
    assert!(header_str(&entry, "content-type").starts_with("application/x-www-form-urlencoded"));
    assert_eq!(
        entry["params"]["redirect_uri"],
        format!("{}/auth/kakao/callback", w.base_url()).as_str()
    );
    assert_eq!(
        entry["params"]["client_secret"],
        p.client(kakao).client_secret.as_str()
    );
    let verifier = entry["params"]["code_verifier"]
        .as_str()
        .unwrap_or_default();
    let auth = authorize_call(&p, kakao, &state_of(&done));
    assert_eq!(auth["query"]["code_challenge"], s256(verifier).as_str());
    let me = calls_with(&p, kakao, &token);
    assert!(
        me.iter()
            .any(|c| c["endpoint"] == "me" && c["status"] == 200),
        "{me:?}"
    );
    let (_, again) = signed_in(w.base_url(), &p, kakao, &login, "/");
    assert_eq!(
        again.refreshed.user.id, done.refreshed.user.id,
        "linked by the numeric id"
    );
}

fn naver_token_call_carries_the_state_and_no_pkce() {
    let (w, p) = full();
    let naver = Provider::Naver;
    let (_, done) = signed_in(w.base_url(), &p, naver, &account("naver-user"), "/");
    let state = state_of(&done);
    let (entry, token) = token_call(&p, naver, &done.code);
    assert_eq!(
        entry["params"]["state"],
        state.as_str(),
        "Naver wants the state again"
    );
    assert_eq!(
        entry["params"]["client_secret"],
        p.client(naver).client_secret.as_str()
    );
    assert!(entry["params"].get("code_verifier").is_none(), "{entry}");
    let auth = authorize_call(&p, naver, &state);
    assert!(auth["query"].get("code_challenge").is_none(), "{auth}");
    assert_eq!(auth["query"]["response_type"], "code");
    let me = calls_with(&p, naver, &token);
    assert!(
        me.iter()
            .any(|c| c["endpoint"] == "me" && c["status"] == 200),
        "{me:?}"
    );
}

fn google_is_openid_with_nonce_and_userinfo() {
    let (w, p) = full();
    let google = Provider::Google;
    let (_, done) = signed_in(w.base_url(), &p, google, &account("g-user"), "/");
    let auth = authorize_call(&p, google, &state_of(&done));
    let scope = auth["query"]["scope"].as_str().unwrap_or_default();
    for want in ["openid", "email", "profile"] {
        assert!(scope.split(' ').any(|s| s == want), "scope {scope:?}");
    }
    assert_eq!(auth["query"]["code_challenge_method"], "S256");
    let nonce = auth["query"]["nonce"].as_str().expect("a nonce");
    let (_, claims) = jwt_parts(&done.login_cookie).expect("the login cookie is a JWT");
    assert!(
        string_claims(&claims).iter().any(|v| v == nonce),
        "the cookie keeps the nonce"
    );
    let (entry, token) = token_call(&p, google, &done.code);
    assert_eq!(
        entry["params"]["client_secret"],
        p.client(google).client_secret.as_str()
    );
    assert!(entry["params"]["code_verifier"].is_string(), "{entry}");
    let userinfo = calls_with(&p, google, &token);
    assert!(
        userinfo
            .iter()
            .any(|c| c["endpoint"] == "userinfo" && c["status"] == 200),
        "the name and picture come from userinfo: {userinfo:?}"
    );
}

fn declining_at_the_provider_returns_without_signing_in() {
    let (w, p) = full();
    for provider in Provider::ALL {
        let mut b = Browser::new();
        let room = room_path();
        let start = start_login(&mut b, w.base_url(), provider.id(), Some(&room));
        let authorize = location(w.base_url(), &start).expect("a redirect");
        remember(&b.cookie(w.base_url(), LOGIN_COOKIE).unwrap_or_default());
        let callback = consent(&mut b, &p, provider, &authorize, "declines", Decision::Deny)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            query(&callback).get("error").map(String::as_str),
            Some("access_denied")
        );
        let reply = b.get(&callback);
        assert_eq!(reply.status, 302, "{provider}: {reply:?}");
        assert_eq!(reply.header("location"), Some(room.as_str()), "{provider}");
        assert!(
            set_cookie(&reply, SESSION_COOKIE).is_none(),
            "{provider}: {reply:?}"
        );
        assert!(b.cookie(w.base_url(), SESSION_COOKIE).is_none());
        let refused = refresh(&mut b, w.base_url()).expect_err("not signed in");
        assert_eq!(refused.status, 401, "{provider}");
    }
}

fn signing_in_ends_the_guest_session_of_the_browser() {
    let (w, p) = full();
    let mut b = Browser::new();
    let guest = b.send(
        "POST",
        &format!("{}/auth/guest", w.base_url()),
        &[("content-type", "application/json")],
        Some(r#"{"name":"Guest"}"#),
    );
    assert_eq!(guest.status, 200, "{}", guest.body);
    let guest_cookie = b
        .cookie(w.base_url(), SESSION_COOKIE)
        .expect("a guest session");
    remember(&guest_cookie);
    let done = sign_in(
        &mut b,
        w.base_url(),
        &p,
        Provider::Github,
        &account("was-guest"),
        "/",
    );
    remember(&done.session);
    remember(&done.refreshed.access_token);
    assert_ne!(done.session, guest_cookie);
    assert!(!done.refreshed.user.guest);
    let mut old = Browser::new();
    old.set_cookie(w.base_url(), SESSION_COOKIE, Some(&guest_cookie));
    let refused = refresh(&mut old, w.base_url()).expect_err("the guest session has ended");
    assert_eq!(refused.status, 401);
}

fn missing_return_to_lands_on_the_home_page() {
    let (w, p) = full();
    let mut b = Browser::new();
    let start = start_login(&mut b, w.base_url(), "naver", None);
    assert_eq!(start.status, 302, "{start:?}");
    let authorize = location(w.base_url(), &start).expect("a redirect");
    let callback = consent(
        &mut b,
        &p,
        Provider::Naver,
        &authorize,
        "home",
        Decision::Approve,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let reply = b.get(&callback);
    assert_eq!(
        (reply.status, reply.header("location")),
        (302, Some("/")),
        "{reply:?}"
    );
    remember(&b.cookie(w.base_url(), SESSION_COOKIE).unwrap_or_default());
}
