//! Unit tests of the pure parts: what counts as relayed, the arguments, and how a page's
//! offer and answer are told.

use crate::args::parse_args;
use crate::measure::Signals;
use crate::relay::{relayed, PairEnd, SelectedPair};

fn pair(policy: &str, local: Option<&str>, remote: Option<&str>) -> SelectedPair {
    let end = |kind: Option<&str>| {
        kind.map(|kind| PairEnd {
            candidate_type: Some(kind.into()),
            protocol: Some("udp".into()),
            relay_protocol: (kind == "relay").then(|| "udp".into()),
        })
    };
    SelectedPair {
        peer: "p1".into(),
        policy: Some(policy.into()),
        state: Some("succeeded".into()),
        local: end(local),
        remote: end(remote),
        error: None,
    }
}

#[test]
fn only_relay_to_relay_pairs_under_the_relay_policy_count_as_relayed() {
    let both = relayed(&[pair("relay", Some("relay"), Some("relay"))]).unwrap();
    assert_eq!(
        both.as_deref(),
        Some("relay(udp, udp to the relay) ↔ relay(udp, udp to the relay) succeeded")
    );
    // Not selected yet: wait.
    assert_eq!(relayed(&[pair("relay", None, None)]), Ok(None));
    // Anything direct is a failed run at once.
    for (local, remote) in [("host", "relay"), ("relay", "srflx"), ("host", "host")] {
        let error = relayed(&[pair("relay", Some(local), Some(remote))]).unwrap_err();
        assert!(error.contains("not relay ↔ relay"), "{error}");
    }
    // The app must have set the policy, whatever the pair.
    assert!(relayed(&[pair("all", Some("relay"), Some("relay"))]).is_err());
    assert!(relayed(&[]).is_err());
    let mut failed = pair("relay", None, None);
    failed.error = Some("boom".into());
    assert!(relayed(&[failed]).is_err());
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[test]
fn arguments() {
    let default = parse_args(strings(&[])).unwrap();
    assert_eq!(
        (default.runs, default.warmup, default.relay),
        (20, 1, false)
    );
    let a = parse_args(strings(&["--runs", "5", "--warmup=0", "--relay"])).unwrap();
    assert_eq!((a.runs, a.warmup, a.relay), (5, 0, true));
    assert_eq!(parse_args(strings(&["--runs=7"])).unwrap().runs, 7);
    assert!(parse_args(strings(&["--runs"])).is_err());
    assert!(parse_args(strings(&["--runs", "0"])).is_err());
    assert!(parse_args(strings(&["--runs", "x"])).is_err());
    assert!(parse_args(strings(&["--fast"])).is_err());
    assert!(parse_args(strings(&["--sfu"])).unwrap().sfu);
    assert!(parse_args(strings(&["--sfu", "--relay"])).is_err());
}

#[test]
fn a_page_s_offer_and_answer_are_told_in_time_order_whichever_side_offered() {
    let newcomer_offers = Signals {
        offer_out: Some(36.4),
        answer_in: Some(87.0),
        ..Signals::default()
    };
    assert_eq!(newcomer_offers.describe(), "offer out 36/answer in 87 ms");
    let member_offers = Signals {
        offer_in: Some(33.0),
        answer_out: Some(59.0),
        ..Signals::default()
    };
    assert_eq!(member_offers.describe(), "offer in 33/answer out 59 ms");
    // Offers that crossed: the time order, not the order of the fields.
    let crossed = Signals {
        offer_out: Some(36.0),
        offer_in: Some(40.0),
        answer_out: Some(50.0),
        answer_in: Some(45.0),
    };
    assert_eq!(
        crossed.describe(),
        "offer out 36/offer in 40/answer in 45/answer out 50 ms"
    );
    // A page that saw neither (the script timed out first) says so plainly.
    assert_eq!(Signals::default().describe(), "no offer or answer");
}
