//! The /api/ice answer with a user's Cloudflare answer kept ([`super::super::cache`]).

use super::*;

#[test]
fn a_users_cloudflare_answer_is_reused_while_young_and_failures_are_not_kept() {
    let cache = RefCell::new(RelayCache::default());
    let relay = cloudflare_relay("3600");
    let api = FakeApi::answering(201, documented_answer());
    let ask = |user: &str, now: i64| {
        run(cached_ice_response(
            &cache,
            &stun_urls(),
            &relay,
            ALL,
            user,
            now,
            &api,
        ))
    };
    let first = ask("user:b", NOW);
    assert!(first.response.relay);
    let again = ask("user:b", NOW + 600);
    assert_eq!(again.response, first.response, "the same credential, kept");
    assert_eq!(api.calls.borrow().len(), 1);
    ask("user:c", NOW + 600);
    assert_eq!(api.calls.borrow().len(), 2, "another user gets their own");
    let late = ask("user:b", NOW + 3000);
    assert_eq!(
        late.response.expires_at,
        NOW + 3000 + 3600,
        "renewed near its end"
    );
    assert_eq!(api.calls.borrow().len(), 3);

    let failing = FakeApi::with(Err(ApiFailure::Unreachable));
    let empty = RefCell::new(RelayCache::default());
    let stun_only = run(cached_ice_response(
        &empty,
        &stun_urls(),
        &relay,
        ALL,
        "user:d",
        NOW,
        &failing,
    ));
    assert!(!stun_only.response.relay);
    assert!(empty.borrow().is_empty(), "a STUN-only answer is not kept");
}
