//! Profile images: type and size checks, storage, the bytes and safe headers served back, paths.

use confab_protocol::{Problem, UserInfo};
use confab_tests::wrangler::Wrangler;

use super::{
    bearer, get_avatar, jpeg, minted_user, open, put_avatar, refreshed, send, sign_in,
    signed_in_again, with_sign_in, Account, MIB2, PNG, WEBP,
};

pub async fn hostile_and_unsupported_images_are_415_and_nothing_is_stored() {
    let w = open();
    let (token, user_id) = minted_user(&w, "Mina");
    let mut png_truncated = PNG.to_vec();
    png_truncated.truncate(6);
    let mut webp_truncated = WEBP.to_vec();
    webp_truncated.truncate(20); // the RIFF size promises 34 bytes
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec()),
        ("svg", br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec()),
        ("xml", br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>"#.to_vec()),
        ("html after whitespace", b" \r\n\t <!DOCTYPE html><script>alert(1)</script>".to_vec()),
        ("truncated png signature", png_truncated),
        ("truncated webp", webp_truncated),
        ("jpeg missing its third byte", vec![0xFF, 0xD8]),
    ];
    for (what, body) in cases {
        let problem: Problem = put_avatar(&w, Some(&token), &body).expect_problem(415);
        assert!(
            problem.detail.contains("PNG"),
            "{what}: the detail names what is accepted: {}",
            problem.detail
        );
    }
    get_avatar(&w, &format!("/api/avatars/{user_id}"))
        .0
        .expect_problem(404);
}

pub async fn one_byte_over_two_mib_is_413_declared_or_streamed() {
    let w = open();
    let (token, user_id) = minted_user(&w, "Mina");
    let mut over = PNG.to_vec();
    over.resize(MIB2 + 1, 0);
    let auth = bearer(&token);
    let url = format!("{}/api/me/avatar", w.base_url());
    for chunked in [false, true] {
        let (reply, _) = send(
            "PUT",
            &url,
            &[("authorization", &auth)],
            Some(&over),
            chunked,
        );
        reply.expect_problem(413);
    }
    // Exactly 2 MiB passes the size and type checks; this user was never signed in, so
    // the profile change itself is refused (401), and nothing is left in storage.
    let mut exact = PNG.to_vec();
    exact.resize(MIB2, 0);
    for chunked in [false, true] {
        let (reply, _) = send(
            "PUT",
            &url,
            &[("authorization", &auth)],
            Some(&exact),
            chunked,
        );
        reply.expect_problem(401);
    }
    get_avatar(&w, &format!("/api/avatars/{user_id}"))
        .0
        .expect_problem(404);
}

/// Uploads `body` as `account`; the new image path.
fn upload(w: &Wrangler, account: &Account, body: &[u8]) -> String {
    let reply = put_avatar(w, Some(&account.token), body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let user: UserInfo = reply.json();
    assert_eq!(
        (user.id.as_str(), user.guest),
        (account.user.id.as_str(), false)
    );
    let path = user.avatar.expect("an avatar path");
    let prefix = format!("/api/avatars/{}?v=", account.user.id);
    assert!(path.starts_with(&prefix), "{path}");
    path
}

/// GET of an image path: it must be the stored bytes with the safe headers.
fn served(w: &Wrangler, path: &str, content_type: &str) -> Vec<u8> {
    let (reply, bytes) = get_avatar(w, path);
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    assert_eq!(reply.content_type, content_type, "{path}");
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("content-security-policy", "default-src 'none'; sandbox"),
        ("cache-control", "public, max-age=300"),
    ] {
        assert_eq!(reply.header(name), Some(value), "{path}: {name}");
    }
    assert!(reply.header("set-cookie").is_none(), "{path}");
    bytes
}

pub async fn png_jpeg_and_webp_are_served_back_byte_for_byte_with_safe_headers() {
    let (w, p) = with_sign_in();
    let mut account = sign_in(&w, &p);
    for (body, content_type) in [
        (PNG.to_vec(), "image/png"),
        (jpeg(), "image/jpeg"),
        (WEBP.to_vec(), "image/webp"),
    ] {
        let path = upload(&w, &account, &body);
        assert_eq!(served(&w, &path, content_type), body, "{content_type}");
        // The public path without the version, and with `:` escaped, serve it too.
        let bare = format!("/api/avatars/{}", account.user.id);
        assert_eq!(served(&w, &bare, content_type), body);
        let escaped = bare.replace(':', "%3A");
        assert_eq!(served(&w, &escaped, content_type), body);
        // A refresh hands out a token whose user carries the new path.
        assert_eq!(
            refreshed(&w, &mut account).avatar.as_deref(),
            Some(path.as_str())
        );
    }
}

pub async fn a_png_header_followed_by_html_is_served_as_an_inert_png() {
    let (w, p) = with_sign_in();
    let account = sign_in(&w, &p);
    let mut body = PNG[..8].to_vec();
    body.extend_from_slice(b"<html><script>document.title='pwned'</script></html>");
    let path = upload(&w, &account, &body);
    // Never text/html: the type is the PNG's, and nosniff + a sandboxing CSP keep a
    // browser from treating it as a page.
    assert_eq!(served(&w, &path, "image/png"), body);
}

pub async fn every_upload_changes_the_path_and_a_new_sign_in_keeps_it() {
    let (w, p) = with_sign_in();
    let mut account = sign_in(&w, &p);
    let adopted = account
        .user
        .avatar
        .clone()
        .expect("GitHub's picture was copied at first sign-in");
    let mut paths = vec![adopted];
    for _ in 0..3 {
        paths.push(upload(&w, &account, PNG));
    }
    let mut unique = paths.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        paths.len(),
        "every upload is a new path: {paths:?}"
    );
    let last = paths.last().expect("paths").clone();
    assert_eq!(served(&w, &last, "image/png"), PNG);
    // Signing in again does not bring the provider's picture back over the chosen one.
    let again = signed_in_again(&w, &p, &account);
    assert_eq!(again.avatar.as_deref(), Some(last.as_str()));
    assert_eq!(served(&w, &last, "image/png"), PNG);
    assert_eq!(
        refreshed(&w, &mut account).avatar.as_deref(),
        Some(last.as_str())
    );
}

pub async fn exactly_two_mib_is_stored() {
    let (w, p) = with_sign_in();
    let account = sign_in(&w, &p);
    let mut exact = PNG.to_vec();
    exact.resize(MIB2, 7);
    let path = upload(&w, &account, &exact);
    assert_eq!(served(&w, &path, "image/png"), exact);
}

pub async fn unknown_avatars_are_404_problems() {
    let w = open();
    for path in [
        "/api/avatars/user:00000000000000000000000000000000",
        "/api/avatars/user%3A00000000000000000000000000000000?v=1",
        "/api/avatars/nobody",
        "/api/avatars/%3Cscript%3E",
        "/api/avatars/..",
    ] {
        let (reply, _) = get_avatar(&w, path);
        reply.expect_problem(404);
    }
}

pub async fn an_unknown_user_cannot_store_an_image() {
    let w = open();
    let (token, user_id) = minted_user(&w, "Mina");
    for body in [PNG.to_vec(), jpeg(), WEBP.to_vec()] {
        put_avatar(&w, Some(&token), &body).expect_problem(401);
    }
    get_avatar(&w, &format!("/api/avatars/{user_id}"))
        .0
        .expect_problem(404);
}
