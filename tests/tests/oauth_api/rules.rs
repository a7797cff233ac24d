//! The rules around a sign-in: the login cookie, the one-time state, PKCE, and failures at the
//! provider.

use confab_tests::http;
use confab_tests::oauth_flow::{
    assert_plain_http_cookie, b64url_json, consent, jwt_parts, location, query, resign, s256, send,
    set_cookie, start_login, string_claims, Browser, Decision, LOGIN_COOKIE, SESSION_COOKIE,
};
use confab_tests::providers::{Provider, Providers};
use confab_tests::token::unix_now;
use libtest_mimic::Trial;
use serde_json::Value;

use crate::flows::signed_in;
use crate::{account, full, remember, room_path};

pub fn trials() -> Vec<Trial> {
    confab_tests::sync_trials![
        login_sets_a_short_lived_lax_cookie_and_redirects_with_the_right_parameters,
        callback_without_the_right_state_is_400,
        callback_without_a_good_login_cookie_is_400,
        a_completed_callback_cannot_be_replayed,
        login_cookie_and_access_token_are_not_interchangeable,
        pkce_code_is_useless_without_the_verifier,
        provider_failures_are_502_without_the_code,
    ]
}

/// A login started in `b` and consented to: the callback URL, not yet visited.
pub fn consented(
    b: &mut Browser,
    base: &str,
    p: &Providers,
    provider: Provider,
    room: &str,
) -> String {
    let start = start_login(b, base, provider.id(), Some(room));
    assert_eq!(start.status, 302, "{provider}: {start:?}");
    remember(&b.cookie(base, LOGIN_COOKIE).unwrap_or_default());
    let authorize = location(base, &start).expect("a redirect");
    consent(
        b,
        p,
        provider,
        &authorize,
        &account("rules"),
        Decision::Approve,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// `url` with query parameter `name` replaced (or removed with `None`).
fn with_param(url: &str, name: &str, value: Option<&str>) -> String {
    let mut parsed = url::Url::parse(url).expect("a URL");
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != name)
        .collect();
    {
        let mut pairs = parsed.query_pairs_mut();
        pairs.clear();
        for (k, v) in &kept {
            pairs.append_pair(k, v);
        }
        if let Some(value) = value {
            pairs.append_pair(name, value);
        }
    }
    parsed.into()
}

/// A 400 problem that signs nobody in.
fn refused(reply: &http::Reply, what: &str) {
    reply.expect_problem(400);
    assert!(
        set_cookie(reply, SESSION_COOKIE).is_none(),
        "{what}: {reply:?}"
    );
    assert!(reply.header("location").is_none(), "{what}: {reply:?}");
}

/// The callback in `b` succeeds (302 and a session).
fn succeeds(b: &mut Browser, base: &str, callback: &str, what: &str) {
    let reply = b.get(callback);
    assert_eq!(reply.status, 302, "{what}: {reply:?}");
    let session = b
        .cookie(base, SESSION_COOKIE)
        .unwrap_or_else(|| panic!("{what}: no session"));
    remember(&session);
}

// ---- tests ------------------------------------------------------------------------------------

fn login_sets_a_short_lived_lax_cookie_and_redirects_with_the_right_parameters() {
    let (w, p) = full();
    for provider in Provider::ALL {
        let client = p.client(provider);
        let room = room_path();
        let mut b = Browser::new();
        let reply = start_login(&mut b, w.base_url(), provider.id(), Some(&room));
        assert_eq!(reply.status, 302, "{provider}: {reply:?}");
        let to = location(w.base_url(), &reply).expect("a Location");
        let (authorize, _, _) = p.endpoints(provider);
        assert!(to.starts_with(&format!("{authorize}?")), "{provider}: {to}");
        assert!(
            !to.contains(&client.client_secret),
            "{provider}: the secret is in the URL"
        );
        let q = query(&to);
        let redirect = format!("{}/auth/{provider}/callback", w.base_url());
        assert_eq!(
            q.get("response_type").map(String::as_str),
            Some("code"),
            "{to}"
        );
        assert_eq!(q.get("client_id"), Some(&client.client_id), "{to}");
        assert_eq!(q.get("redirect_uri"), Some(&redirect), "{to}");
        let state = q.get("state").expect("a state");
        assert_eq!(state.len(), 43, "32 random bytes, base64url: {state}");
        // The login cookie.
        let header = set_cookie(&reply, LOGIN_COOKIE).expect("the login cookie");
        assert_plain_http_cookie(
            header,
            &["httponly", "samesite=lax", "path=/", "max-age=600"],
            &provider.to_string(),
        );
        let cookie = b.cookie(w.base_url(), LOGIN_COOKIE).expect("kept");
        remember(&cookie);
        let (jwt_header, claims) = jwt_parts(&cookie).expect("a JWT");
        assert_eq!(jwt_header["typ"], "confab-login+jwt", "{jwt_header}");
        let aud_ok = claims["aud"] == "confab-login"
            || claims["aud"]
                .as_array()
                .is_some_and(|a| a.iter().any(|v| v == "confab-login"));
        assert!(aud_ok, "{claims}");
        let lifetime = claims["exp"].as_i64().unwrap_or_default() - unix_now();
        assert!((590..=605).contains(&lifetime), "ten minutes: {lifetime}");
        let values = string_claims(&claims);
        assert!(
            values.contains(state),
            "the cookie binds the state: {claims}"
        );
        assert!(values.contains(&room), "and the return path: {claims}");
        if provider.pkce() {
            assert_eq!(
                q.get("code_challenge_method").map(String::as_str),
                Some("S256")
            );
            let challenge = q.get("code_challenge").expect("PKCE");
            let verifier = values.iter().find(|v| s256(v) == *challenge);
            let verifier = verifier.expect("the cookie holds the PKCE verifier");
            remember(verifier);
            assert!((43..=128).contains(&verifier.len()), "RFC 7636 length");
        } else {
            assert!(!q.contains_key("code_challenge"), "{to}");
        }
        if provider == Provider::Google {
            let nonce = q.get("nonce").expect("a nonce");
            assert!(values.contains(nonce), "{claims}");
        } else {
            assert!(!q.contains_key("nonce"), "{to}");
        }
        // Every login is a new state and verifier.
        let again = start_login(
            &mut Browser::new(),
            w.base_url(),
            provider.id(),
            Some(&room),
        );
        let q2 = query(&location(w.base_url(), &again).expect("a Location"));
        assert_ne!(q2.get("state"), Some(state));
        if provider.pkce() {
            assert_ne!(q2.get("code_challenge"), q.get("code_challenge"));
        }
    }
}

fn callback_without_the_right_state_is_400() {
    let (w, p) = full();
    for provider in Provider::ALL {
        let mut b = Browser::new();
        let callback = consented(&mut b, w.base_url(), &p, provider, "/");
        let state = query(&callback).get("state").cloned().expect("a state");
        refused(&b.get(&with_param(&callback, "state", None)), "no state");
        refused(
            &b.get(&with_param(&callback, "state", Some(""))),
            "empty state",
        );
        let last = if state.ends_with('A') { 'B' } else { 'A' };
        let other = format!("{}{last}", &state[..state.len() - 1]);
        refused(
            &b.get(&with_param(&callback, "state", Some(&other))),
            "other state",
        );
        // None of that used the sign-in up.
        succeeds(
            &mut b,
            w.base_url(),
            &callback,
            &format!("{provider} genuine"),
        );
    }
}

fn callback_without_a_good_login_cookie_is_400() {
    let (w, p) = full();
    let key = w.jwt_key().clone();
    for provider in Provider::ALL {
        let base = w.base_url();
        let mut b = Browser::new();
        let callback = consented(&mut b, base, &p, provider, "/");
        let cookie = b.cookie(base, LOGIN_COOKIE).expect("a login cookie");
        let mut attempt = |value: Option<&str>, what: &str| {
            b.set_cookie(base, LOGIN_COOKIE, value);
            refused(&b.get(&callback), &format!("{provider}: {what}"));
        };
        attempt(None, "no cookie");
        attempt(Some("garbage"), "garbage");
        let (signing_input, signature) = cookie.rsplit_once('.').expect("a JWT");
        let flipped = if signature.starts_with('A') { "B" } else { "A" };
        attempt(
            Some(&format!("{signing_input}.{flipped}{}", &signature[1..])),
            "bad signature",
        );
        let (head, _) = signing_input.split_once('.').expect("a JWT");
        let (_, mut claims) = jwt_parts(&cookie).expect("a JWT");
        claims["return_to"] = "/elsewhere".into();
        let forged = format!("{head}.{}.{signature}", b64url_json(&claims));
        attempt(Some(&forged), "claims changed under the old signature");
        // Five minutes past expiry: beyond any clock-skew leeway.
        let expired = resign(&key, &cookie, |c| {
            let now = unix_now();
            for (name, value) in [("exp", now - 300), ("iat", now - 900), ("nbf", now - 900)] {
                if c.get(name).is_some() || name == "exp" {
                    c[name] = value.into();
                }
            }
        });
        attempt(Some(&expired), "expired");
        // A valid cookie of a sign-in with another provider, with its own state.
        let other =
            Provider::ALL[(Provider::ALL.iter().position(|x| *x == provider).unwrap() + 1) % 4];
        let mut b2 = Browser::new();
        let start = start_login(&mut b2, base, other.id(), Some("/"));
        let other_state = query(&location(base, &start).expect("a redirect"))["state"].clone();
        let other_cookie = b2.cookie(base, LOGIN_COOKIE).expect("a login cookie");
        remember(&other_cookie);
        b.set_cookie(base, LOGIN_COOKIE, Some(&other_cookie));
        refused(
            &b.get(&with_param(&callback, "state", Some(&other_state))),
            &format!("{provider}: a {other} cookie"),
        );
        b.set_cookie(base, LOGIN_COOKIE, Some(&cookie));
        succeeds(&mut b, base, &callback, &format!("{provider} genuine"));
    }
}

fn a_completed_callback_cannot_be_replayed() {
    let (w, p) = full();
    for provider in Provider::ALL {
        let base = w.base_url();
        let (mut b, done) = signed_in(base, &p, provider, &account("replay"), "/");
        // The login cookie was cleared; someone who kept it and the callback URL tries again.
        b.set_cookie(base, LOGIN_COOKIE, Some(&done.login_cookie));
        refused(
            &b.get(&done.callback_url),
            &format!("{provider}: replay, same browser"),
        );
        let mut thief = Browser::new();
        thief.set_cookie(base, LOGIN_COOKIE, Some(&done.login_cookie));
        refused(
            &thief.get(&done.callback_url),
            &format!("{provider}: replay elsewhere"),
        );
    }
}

fn login_cookie_and_access_token_are_not_interchangeable() {
    let (w, p) = full();
    let base = w.base_url();
    let guest = http::guest(base, "Mina");
    remember(&guest.access_token);
    let mut b = Browser::new();
    let callback = consented(&mut b, base, &p, Provider::Github, "/");
    let cookie = b.cookie(base, LOGIN_COOKIE).expect("a login cookie");
    b.set_cookie(base, LOGIN_COOKIE, Some(&guest.access_token));
    refused(&b.get(&callback), "an access token as the login cookie");
    let ice = http::get(
        &format!("{base}/api/ice"),
        &[("authorization", &format!("Bearer {cookie}"))],
    );
    ice.expect_problem(401);
}

fn pkce_code_is_useless_without_the_verifier() {
    let (w, p) = full();
    for provider in [Provider::Google, Provider::Github, Provider::Kakao] {
        let base = w.base_url();
        let client = p.client(provider);
        let mut b = Browser::new();
        let callback = consented(&mut b, base, &p, provider, "/");
        let code = query(&callback)["code"].clone();
        let (_, claims) = jwt_parts(&b.cookie(base, LOGIN_COOKIE).expect("cookie")).expect("JWT");
        let (_, token_url, _) = p.endpoints(provider);
        let redirect = format!("{base}/auth/{provider}/callback");
        let redeem = |verifier: Option<&str>| {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "authorization_code")
                .append_pair("code", &code)
                .append_pair("redirect_uri", &redirect)
                .append_pair("client_id", &client.client_id)
                .append_pair("client_secret", &client.client_secret);
            if let Some(v) = verifier {
                form.append_pair("code_verifier", v);
            }
            let reply = send(
                "POST",
                &token_url,
                &[
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("accept", "application/json"),
                ],
                Some(&form.finish()),
            );
            let body: Value = serde_json::from_str(&reply.body).unwrap_or_default();
            (reply.status, body)
        };
        let wrong = "w".repeat(43);
        for (what, verifier) in [
            ("a wrong verifier", Some(wrong.as_str())),
            ("no verifier", None),
        ] {
            let (status, body) = redeem(verifier);
            assert!(
                body["error"].is_string() && body.get("access_token").is_none(),
                "{provider}: the code with {what} must fail at the provider: {status} {body}"
            );
        }
        // The worker holds the right verifier: the sign-in still completes...
        succeeds(&mut b, base, &callback, &format!("{provider} genuine"));
        // ...and the code is spent, even with the right verifier.
        let challenge = authorize_challenge(&p, provider, &query(&callback)["state"]);
        let verifier = string_claims(&claims)
            .into_iter()
            .find(|v| s256(v) == challenge);
        let (_, body) = redeem(verifier.as_deref());
        assert!(
            body.get("access_token").is_none(),
            "{provider}: a code works once: {body}"
        );
    }
}

fn authorize_challenge(p: &Providers, provider: Provider, state: &str) -> String {
    p.log(provider)
        .into_iter()
        .find(|e| e["query"]["state"] == state && e["query"]["code_challenge"].is_string())
        .and_then(|e| e["query"]["code_challenge"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn provider_failures_are_502_without_the_code() {
    let (w, p) = full();
    for provider in Provider::ALL {
        let base = w.base_url();
        let (mut b, done) = signed_in(base, &p, provider, &account("spent"), "/");
        // A new sign-in in the same browser, whose callback brings the spent code instead.
        let callback = consented(&mut b, base, &p, provider, "/");
        let reply = b.get(&with_param(&callback, "code", Some(&done.code)));
        let problem = reply.expect_problem(502);
        let want = format!("sign-in with {} failed", provider.name().to_lowercase());
        assert!(
            problem.detail.to_lowercase().contains(&want),
            "{provider}: {problem:?}"
        );
        assert!(
            !reply.body.contains(&done.code),
            "{provider}: the code is in the answer"
        );
        assert!(set_cookie(&reply, SESSION_COOKIE).is_none(), "{reply:?}");
    }
}
