use std::cell::{Cell, RefCell};

use confab_protocol::UserInfo;
use futures::executor::block_on;

use super::*;

fn token(name: &str, guest: bool) -> GuestResponse {
    GuestResponse {
        access_token: format!("token-of-{name}"),
        token_type: "Bearer".into(),
        expires_in: 600,
        user: UserInfo {
            id: format!("user:{name}"),
            name: name.into(),
            guest,
            avatar: None,
        },
    }
}

fn refused() -> ApiError {
    ApiError::Server {
        status: 401,
        detail: "expired".into(),
    }
}

#[test]
fn renewals_and_reuse_stay_inside_the_token_lifetime() {
    assert_eq!(TIMING.lifetime_ms, 600_000.0);
    assert_eq!(TIMING.call_renew_ms, 420_000);
    assert_eq!(TIMING.reuse_for_api_ms, 300_000.0);
    assert_eq!(TIMING.reuse_for_call_ms, 60_000.0);
    // (That they fit inside the lifetime is checked when compiling, next to `TIMING`.)
}

#[test]
fn a_kept_token_is_reused_only_while_young_enough() {
    assert!(TIMING.reusable(59_999.0, Use::Call));
    assert!(!TIMING.reusable(60_000.0, Use::Call));
    assert!(TIMING.reusable(299_999.0, Use::Api));
    assert!(!TIMING.reusable(300_000.0, Use::Api));
}

#[test]
fn a_reconnect_renews_first_once_the_token_is_older_than_the_renewal_period() {
    assert!(!TIMING.renewal_due(420_000.0));
    assert!(TIMING.renewal_due(420_001.0));
    let held = Held {
        access: "a".into(),
        got_at: 1_000.0,
    };
    assert!(!held.renewal_due(421_000.0));
    assert!(held.renewal_due(421_001.0));
}

#[test]
fn an_expired_or_refused_token_is_renewed_before_reconnecting() {
    assert!(must_renew_first(4401, true));
    assert!(must_renew_first(1006, false));
    assert!(!must_renew_first(1006, true));
    assert!(!must_renew_first(1001, true));
}

#[test]
fn without_a_session_joiners_become_guests_and_calls_end() {
    assert_eq!(Renewal::Join.without_session(), NoSession::NewGuest);
    // A guest's call is no exception: only its session renews it.
    assert_eq!(Renewal::Call.without_session(), NoSession::Ended);
}

#[test]
fn only_a_refused_renewal_ends_the_session() {
    assert!(ends_session(&refused()));
    assert!(!ends_session(&ApiError::Network("offline".into())));
    assert!(!ends_session(&ApiError::Server {
        status: 503,
        detail: "busy".into()
    }));
}

/// Runs [`retry_once_on_401`] against canned answers; returns its result, the tokens the
/// request was made with, and how many renewals were asked for.
fn retry(
    answers: Vec<Result<u32, ApiError>>,
    renewal: Result<String, ApiError>,
) -> (Result<(String, u32), ApiError>, Vec<String>, u32) {
    let answers = RefCell::new(answers.into_iter());
    let used = RefCell::new(Vec::new());
    let renewals = Cell::new(0);
    let result = block_on(retry_once_on_401(
        "old".to_owned(),
        |token| {
            used.borrow_mut().push(token);
            let answer = answers.borrow_mut().next().expect("an answer per request");
            async move { answer }
        },
        || {
            renewals.set(renewals.get() + 1);
            async move { renewal }
        },
    ));
    (result, used.into_inner(), renewals.get())
}

#[test]
fn an_accepted_token_is_not_renewed() {
    let (result, used, renewals) = retry(vec![Ok(7)], Ok("fresh".into()));
    assert_eq!(result.unwrap(), ("old".to_owned(), 7));
    assert_eq!((used, renewals), (vec!["old".to_owned()], 0));
}

#[test]
fn a_refused_token_is_renewed_once_and_the_request_repeated_with_the_fresh_one() {
    let (result, used, renewals) = retry(vec![Err(refused()), Ok(7)], Ok("fresh".into()));
    assert_eq!(result.unwrap(), ("fresh".to_owned(), 7));
    assert_eq!(used, ["old", "fresh"]);
    assert_eq!(renewals, 1);
}

#[test]
fn a_second_refusal_is_final() {
    let (result, used, renewals) = retry(vec![Err(refused()), Err(refused())], Ok("fresh".into()));
    assert!(result.unwrap_err().is_unauthorized());
    assert_eq!((used.len(), renewals), (2, 1));
}

#[test]
fn other_errors_and_failed_renewals_are_the_callers() {
    let offline = ApiError::Network("offline".into());
    let (result, used, renewals) = retry(vec![Err(offline)], Ok("fresh".into()));
    assert!(matches!(result, Err(ApiError::Network(_))));
    assert_eq!((used.len(), renewals), (1, 0));

    let (result, used, renewals) = retry(
        vec![Err(refused())],
        Err(ApiError::Network("offline".into())),
    );
    assert!(matches!(result, Err(ApiError::Network(_))));
    assert_eq!((used.len(), renewals), (1, 1));
}

#[test]
fn a_cached_token_serves_joins_of_the_same_person_only() {
    let mut cache = TokenCache::default();
    assert_eq!(cache.for_join("Ana", 0.0), None);
    cache.learned(&token("Ana", true), 1_000.0);
    assert_eq!(cache.for_join("Ana", 2_000.0), Some(&token("Ana", true)));
    // Another name is another guest.
    assert_eq!(cache.for_join("Ben", 2_000.0), None);
    // Too old to start a call with, still young enough for the APIs.
    assert_eq!(cache.for_join("Ana", 61_000.0), None);
    assert_eq!(
        cache.reusable(Use::Api, 61_000.0),
        Some(&token("Ana", true))
    );
    assert_eq!(cache.reusable(Use::Api, 301_000.0), None);
    // A signed-in person joins under their account name, whatever was typed.
    cache.learned(&token("Mina", false), 1_000.0);
    assert_eq!(
        cache.for_join("anything", 2_000.0),
        Some(&token("Mina", false))
    );
    cache.forget();
    assert_eq!(cache.reusable(Use::Api, 2_000.0), None);
}

#[test]
fn a_renewed_call_token_replaces_the_old_one_and_restarts_its_clock() {
    let mut held = Held {
        access: "old".into(),
        got_at: 0.0,
    };
    held.renewed("fresh".into(), 500_000.0);
    assert_eq!(held.access, "fresh");
    assert!(!held.renewal_due(900_000.0));
    assert!(held.renewal_due(920_001.0));
}
