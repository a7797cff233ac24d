//! When and how soon to reconnect a lost room socket: pure rules, tested on the host.

use confab_protocol::close_code;

/// First retry after this long; each failure doubles it, up to [`MAX_DELAY_MS`].
pub const BASE_DELAY_MS: u32 = 500;
/// A server back from a restart or a deploy is found within this (±30 %): people are back in
/// their call a few seconds after it, and a room's few sockets retrying this often cost the
/// worker nothing.
pub const MAX_DELAY_MS: u32 = 3_000;
/// ±30 % spread, so a room full of people dropped at once does not return in lockstep.
pub const JITTER: f64 = 0.3;

/// The wait before retry number `attempt` (0 = first). `unit` is a random number in [0, 1).
pub fn backoff_delay_ms(attempt: u32, unit: f64) -> u32 {
    let nominal = BASE_DELAY_MS
        .saturating_mul(1u32 << attempt.min(16))
        .min(MAX_DELAY_MS);
    let factor = 1.0 + JITTER * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
    (f64::from(nominal) * factor).round() as u32
}

/// A close the server meant (refused, removed by a host, the meeting ended for all, the room
/// locked or full, turned away from its lobby, replaced by our own newer socket) is final; anything else is a network or server
/// hiccup worth retrying. An expired token (4401: the tab slept through its renewal, say) is
/// retried too, after renewing the token (see `session::must_renew_first`); only a session that cannot be renewed ends the call.
/// The user's own Leave never gets here (the app detaches from the socket before closing it),
/// so even a plain 1000 from the other end — a proxy or the platform shutting the connection —
/// is retried.
pub fn should_reconnect(code: u16) -> bool {
    !matches!(
        code,
        close_code::FORBIDDEN
            | close_code::ROOM_FULL
            | close_code::REPLACED
            | close_code::SEAT_LIMIT
            | close_code::REMOVED
            | close_code::ENDED
            | close_code::LOCKED
            | close_code::DENIED
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_half_a_second_and_cap_at_three() {
        let nominal: Vec<u32> = (0..8).map(|a| backoff_delay_ms(a, 0.5)).collect();
        assert_eq!(nominal, vec![500, 1000, 2000, 3000, 3000, 3000, 3000, 3000]);
        assert_eq!(backoff_delay_ms(u32::MAX, 0.5), 3000);
    }

    #[test]
    fn jitter_stays_within_thirty_percent() {
        assert_eq!(backoff_delay_ms(0, 0.0), 350);
        assert_eq!(backoff_delay_ms(0, 0.999_999), 650);
        assert_eq!(backoff_delay_ms(10, 0.0), 2100);
        assert_eq!(backoff_delay_ms(10, 1.0), 3900);
        for i in 0..100 {
            let d = backoff_delay_ms(2, f64::from(i) / 100.0);
            assert!((1400..=2600).contains(&d), "{d}");
        }
        // Out-of-range randomness cannot produce a wild delay.
        assert_eq!(backoff_delay_ms(0, -5.0), 350);
        assert_eq!(backoff_delay_ms(0, f64::NAN.max(7.0)), 650);
    }

    #[test]
    fn final_closes_do_not_reconnect() {
        for code in [4403, 4409, 4410, 4411, 4412, 4413, 4423, 4429] {
            assert!(!should_reconnect(code), "{code}");
        }
        for code in [1000, 1001, 1005, 1006, 1008, 1009, 1011, 1012, 4000, 4401] {
            assert!(should_reconnect(code), "{code}");
        }
    }
}
