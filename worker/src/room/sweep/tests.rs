use super::*;

const NOW: i64 = 1_700_000_000_000;
const SILENT: i64 = 90_000;

fn seen(token_exp_in_s: i64, heard_ago_ms: i64) -> Seen {
    Seen {
        token_exp: NOW / 1000 + token_exp_in_s,
        heard_ms: NOW - heard_ago_ms,
    }
}

#[test]
fn a_token_is_expired_from_the_second_after_exp_as_a_frame_would_find() {
    let exp = NOW / 1000;
    let at_exp = Seen {
        token_exp: exp,
        heard_ms: NOW,
    };
    assert_eq!(
        judge(at_exp, exp * 1000 + 999, SILENT),
        Fate::Keep {
            until_ms: (exp + 1) * 1000
        }
    );
    assert_eq!(judge(at_exp, (exp + 1) * 1000, SILENT), Fate::Expired);
    // The frame rule the sweep mirrors: expired when now_ms / 1000 > exp.
    assert!((exp + 1) * 1000 / 1000 > exp && (exp * 1000 + 999) / 1000 <= exp);
}

#[test]
fn a_socket_silent_for_the_limit_is_a_ghost_and_one_heard_lately_is_kept() {
    assert_eq!(judge(seen(600, SILENT), NOW, SILENT), Fate::Silent);
    assert_eq!(
        judge(seen(600, SILENT - 1), NOW, SILENT),
        Fate::Keep { until_ms: NOW + 1 }
    );
    assert_eq!(
        judge(seen(600, 25_000), NOW, SILENT),
        Fate::Keep {
            until_ms: NOW + SILENT - 25_000
        }
    );
}

#[test]
fn expiry_wins_over_silence_and_the_earlier_deadline_is_kept() {
    assert_eq!(judge(seen(-1, SILENT * 2), NOW, SILENT), Fate::Expired);
    assert_eq!(
        judge(seen(10, 0), NOW, SILENT),
        Fate::Keep {
            until_ms: NOW + 11_000
        }
    );
}

#[test]
fn the_next_sweep_is_the_earliest_deadline_and_none_when_nobody_is_kept() {
    let fates = [
        Fate::Keep {
            until_ms: NOW + 40_000,
        },
        Fate::Expired,
        Fate::Keep {
            until_ms: NOW + 5_000,
        },
        Fate::Silent,
    ];
    assert_eq!(next_sweep(fates, NOW), Some(NOW + 5_000));
    assert_eq!(next_sweep([Fate::Expired, Fate::Silent], NOW), None);
    assert_eq!(next_sweep([], NOW), None);
    // Deadlines a moment apart are judged by one alarm, never a burst of them.
    assert_eq!(
        next_sweep([Fate::Keep { until_ms: NOW + 10 }], NOW),
        Some(NOW + 1_000)
    );
}

#[test]
fn frames_rewrite_the_last_heard_time_at_most_every_half_minute() {
    assert!(!refresh_heard(NOW - 29_999, NOW));
    assert!(refresh_heard(NOW - 30_000, NOW));
}

#[test]
fn the_silence_limit_is_whole_seconds_within_bounds() {
    assert_eq!(silent_ms(None), Ok(90_000));
    assert_eq!(silent_ms(Some(" ")), Ok(90_000));
    assert_eq!(silent_ms(Some("5")), Ok(5_000));
    assert_eq!(silent_ms(Some("86400")), Ok(86_400_000));
    for bad in ["4", "86401", "-90", "1.5", "ninety"] {
        assert!(silent_ms(Some(bad)).is_err(), "{bad} should be refused");
    }
}
