//! SFU calls that fail on the way are sent again. Every call goes through the worker, and a
//! proxy, the worker's own deadline or the SFU itself may drop one under load (a 503, a
//! timeout, a lost connection) while the same request moments later succeeds. A request the
//! server refused as wrong (4xx) is not sent again: it would be refused again.

use super::ApiError;

/// How long to wait before each new attempt, in ms: four attempts in all, over about 4 s.
pub const DELAYS_MS: [u32; 3] = [250, 1_000, 3_000];

/// The wait before attempt `failed + 1`, after `failed` attempts ended in `error`; `None`:
/// give up with it.
pub fn next_delay(failed: usize, error: &ApiError) -> Option<u32> {
    if !error.is_transient() {
        return None;
    }
    DELAYS_MS.get(failed.checked_sub(1)?).copied()
}

/// What a call reports when it ends in `last` after `lost`, the error of an earlier attempt
/// that failed on the way. A refusal then may be the server refusing what the lost attempt
/// already did (the SFU holds the offer of a pull whose answer never came, and takes no other
/// change until it is answered): the session's state is unknown, so the call counts as lost.
pub fn outcome(lost: Option<ApiError>, last: ApiError) -> ApiError {
    match lost {
        Some(lost) if !last.is_transient() => lost,
        _ => last,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(status: u16) -> ApiError {
        ApiError::Server {
            status,
            detail: String::new(),
        }
    }

    #[test]
    fn failures_on_the_way_are_tried_four_times_in_all() {
        let lost = ApiError::Network("connection lost".into());
        let waits: Vec<_> = (1..=5).map(|failed| next_delay(failed, &lost)).collect();
        assert_eq!(waits, [Some(250), Some(1_000), Some(3_000), None, None]);
        for status in [500, 502, 503, 504, 429] {
            assert_eq!(next_delay(1, &server(status)), Some(250), "{status}");
        }
    }

    #[test]
    fn refusals_and_garbled_answers_are_not_sent_again() {
        for status in [400, 401, 403, 404, 409, 413] {
            assert_eq!(next_delay(1, &server(status)), None, "{status}");
        }
        assert_eq!(next_delay(1, &ApiError::Decode("not json".into())), None);
    }

    #[test]
    fn a_refusal_after_a_lost_attempt_counts_as_lost() {
        let lost = || ApiError::Network("connection lost".into());
        assert!(outcome(Some(lost()), server(406)).is_transient());
        assert!(outcome(Some(lost()), ApiError::Decode("x".into())).is_transient());
        assert!(matches!(
            outcome(Some(lost()), server(503)),
            ApiError::Server { status: 503, .. }
        ));
        assert!(!outcome(None, server(406)).is_transient());
    }

    #[test]
    fn no_attempt_is_no_failure() {
        assert_eq!(next_delay(0, &server(503)), None);
    }
}
