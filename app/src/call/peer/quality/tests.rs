use super::*;

fn sample(at_s: f64, rtt_ms: f64, received: f64, lost: f64) -> Sample {
    Sample {
        at_ms: at_s * 1000.0,
        connected: true,
        rtt_s: Some(rtt_ms / 1000.0),
        packets_received: received,
        packets_lost: lost,
        bytes_received: received * 1000.0,
        relayed: false,
    }
}

fn entry(id: &str, kind: &str) -> StatEntry {
    StatEntry {
        id: id.into(),
        kind: kind.into(),
        ..StatEntry::default()
    }
}

#[test]
fn measures_rtt_loss_and_bitrate_over_the_interval() {
    let m = measure(
        &sample(0.0, 10.0, 100.0, 0.0),
        &sample(2.0, 40.0, 290.0, 10.0),
    );
    assert_eq!(m.rtt_ms, Some(40.0));
    assert!((m.loss_pct - 5.0).abs() < 1e-9);
    // 190 packets · 1000 bytes · 8 bits over 2 s = 760 kbit/s
    assert!((m.kbps - 760.0).abs() < 1e-9);
    assert_eq!(m.packets, 190.0);
}

#[test]
fn no_packets_means_no_loss_and_counters_going_back_count_as_zero() {
    let m = measure(
        &sample(0.0, 10.0, 100.0, 5.0),
        &sample(2.0, 10.0, 50.0, 1.0),
    );
    assert_eq!(m.loss_pct, 0.0);
    assert_eq!(m.kbps, 0.0);
}

#[test]
fn classifies_by_the_documented_thresholds() {
    let m = |rtt: f64, loss: f64| Measurement {
        rtt_ms: Some(rtt),
        loss_pct: loss,
        kbps: 500.0,
        packets: 100.0,
        relayed: false,
    };
    assert_eq!(classify(&m(12.0, 0.0), false), Level::Good);
    assert_eq!(classify(&m(249.0, 1.9), false), Level::Good);
    assert_eq!(classify(&m(250.0, 0.0), false), Level::Weak);
    assert_eq!(classify(&m(100.0, 2.0), false), Level::Weak);
    assert_eq!(classify(&m(600.0, 10.0), false), Level::Weak);
    assert_eq!(classify(&m(601.0, 0.0), false), Level::Bad);
    assert_eq!(classify(&m(20.0, 10.5), false), Level::Bad);
    assert_eq!(classify(&m(20.0, 0.0), true), Level::Bad);
    let unknown_rtt = Measurement {
        rtt_ms: None,
        ..m(0.0, 0.0)
    };
    assert_eq!(classify(&unknown_rtt, false), Level::Good);
}

#[test]
fn first_level_shows_at_once_and_changes_need_two_samples() {
    let mut t = QualityTracker::new();
    assert_eq!(
        t.observe(sample(0.0, 10.0, 0.0, 0.0)),
        None,
        "baseline only"
    );
    let first = t.observe(sample(2.0, 10.0, 100.0, 0.0)).unwrap();
    assert_eq!(first.level, Level::Good);
    assert_eq!(first.rtt_ms, Some(10));
    // Same figures: nothing to report.
    assert_eq!(t.observe(sample(4.0, 12.0, 200.0, 0.0)), None);
    // One bad sample (RTT 700 ms) is not enough…
    let one = t.observe(sample(6.0, 700.0, 300.0, 0.0)).unwrap();
    assert_eq!(one.level, Level::Good, "figures change, level held");
    // …a second one is.
    let two = t.observe(sample(8.0, 700.0, 400.0, 0.0)).unwrap();
    assert_eq!(two.level, Level::Bad);
    // A single good sample in between resets the count.
    t.observe(sample(10.0, 10.0, 500.0, 0.0));
    let held = t.observe(sample(12.0, 700.0, 600.0, 0.0));
    assert_eq!(held.map(|r| r.level), Some(Level::Bad));
    let good = t.observe(sample(14.0, 10.0, 700.0, 0.0));
    assert_eq!(
        good.map(|r| r.level),
        Some(Level::Bad),
        "flip-flop held at bad"
    );
}

#[test]
fn media_that_stops_is_bad_but_a_silent_peer_is_not() {
    let mut silent = QualityTracker::new();
    silent.observe(sample(0.0, 10.0, 0.0, 0.0));
    let report = silent.observe(sample(2.0, 10.0, 0.0, 0.0)).unwrap();
    assert_eq!(report.level, Level::Good, "receive-only peer sends nothing");

    let mut stalled = QualityTracker::new();
    stalled.observe(sample(0.0, 10.0, 0.0, 0.0));
    stalled.observe(sample(2.0, 10.0, 100.0, 0.0));
    assert_eq!(stalled.observe(sample(4.0, 10.0, 100.0, 0.0)), None);
    let bad = stalled.observe(sample(6.0, 10.0, 100.0, 0.0)).unwrap();
    assert_eq!(bad.level, Level::Bad);
}

#[test]
fn a_link_that_is_not_connected_is_not_judged_and_restarts_its_interval() {
    let mut t = QualityTracker::new();
    t.observe(sample(0.0, 10.0, 0.0, 0.0));
    let down = Sample {
        connected: false,
        ..sample(2.0, 10.0, 100.0, 0.0)
    };
    assert_eq!(t.observe(down), None);
    assert_eq!(
        t.observe(sample(4.0, 10.0, 200.0, 0.0)),
        None,
        "new baseline"
    );
    assert!(t.observe(sample(6.0, 10.0, 300.0, 0.0)).is_some());
}

#[test]
fn relay_change_is_reported_at_once() {
    let mut t = QualityTracker::new();
    t.observe(sample(0.0, 10.0, 0.0, 0.0));
    t.observe(sample(2.0, 10.0, 100.0, 0.0)).unwrap();
    let relayed = Sample {
        relayed: true,
        ..sample(4.0, 10.0, 200.0, 0.0)
    };
    let report = t.observe(relayed).unwrap();
    assert!(report.relayed);
    assert_eq!(
        report.label(crate::i18n::Lang::En.texts()),
        "Connection: good (RTT 10 ms, loss 0 %, 400 kbit/s, relayed)"
    );
}

#[test]
fn reads_the_selected_pair_and_sums_inbound_rtp() {
    let transport = StatEntry {
        selected_candidate_pair_id: Some("P2".into()),
        ..entry("T", "transport")
    };
    let pair = |id: &str, local: &str, rtt: f64| StatEntry {
        local_candidate_id: Some(local.into()),
        remote_candidate_id: Some("R".into()),
        current_round_trip_time: Some(rtt),
        state: Some("succeeded".into()),
        nominated: true,
        ..entry(id, "candidate-pair")
    };
    let candidate = |id: &str, kind: &str, ty: &str| StatEntry {
        candidate_type: Some(ty.into()),
        ..entry(id, kind)
    };
    let inbound = |id: &str, received: f64, lost: f64| StatEntry {
        packets_received: Some(received),
        packets_lost: Some(lost),
        bytes_received: Some(received * 100.0),
        ..entry(id, "inbound-rtp")
    };
    let mut entries = vec![
        transport,
        pair("P1", "L1", 0.5),
        pair("P2", "L2", 0.012),
        candidate("L1", "local-candidate", "host"),
        candidate("L2", "local-candidate", "relay"),
        candidate("R", "remote-candidate", "host"),
        inbound("A", 50.0, 1.0),
        inbound("V", 150.0, 2.0),
    ];
    let s = Sample::from_entries(&entries, 1000.0, true);
    assert_eq!(s.rtt_s, Some(0.012));
    assert!(s.relayed);
    assert_eq!(
        (s.packets_received, s.packets_lost, s.bytes_received),
        (200.0, 3.0, 20_000.0)
    );

    // Firefox: no transport entry, the pair says `selected`.
    entries.remove(0);
    entries[0].selected = true;
    let s = Sample::from_entries(&entries, 1000.0, true);
    assert_eq!(s.rtt_s, Some(0.5));
    assert!(!s.relayed);

    // Firefox 153 may report 0 on the pair: RTCP's round trip stands in.
    entries[0].current_round_trip_time = Some(0.0);
    assert_eq!(Sample::from_entries(&entries, 1000.0, true).rtt_s, None);
    let remote = |id: &str, rtt: f64| StatEntry {
        round_trip_time: Some(rtt),
        ..entry(id, "remote-inbound-rtp")
    };
    entries.extend([remote("RA", 0.03), remote("RV", 0.041), remote("RZ", 0.0)]);
    assert_eq!(
        Sample::from_entries(&entries, 1000.0, true).rtt_s,
        Some(0.041)
    );
    entries[0].current_round_trip_time = Some(0.02);
    assert_eq!(
        Sample::from_entries(&entries, 1000.0, true).rtt_s,
        Some(0.02)
    );
}

#[test]
fn one_person_s_share_of_a_shared_connection_counts_only_their_mids() {
    let pair = StatEntry {
        current_round_trip_time: Some(0.03),
        selected: true,
        ..entry("P", "candidate-pair")
    };
    let inbound = |id: &str, mid: &str, received: f64, lost: f64| StatEntry {
        packets_received: Some(received),
        packets_lost: Some(lost),
        bytes_received: Some(received * 100.0),
        mid: Some(mid.into()),
        ..entry(id, "inbound-rtp")
    };
    let entries = vec![
        pair,
        inbound("A1", "1", 100.0, 0.0),
        inbound("V1", "2", 300.0, 0.0),
        inbound("A2", "3", 80.0, 20.0),
    ];
    let first = Sample::from_entries_on(&entries, Some(&["1", "2"]), 0.0, true);
    assert_eq!((first.packets_received, first.packets_lost), (400.0, 0.0));
    assert_eq!(first.rtt_s, Some(0.03));
    let second = Sample::from_entries_on(&entries, Some(&["3"]), 0.0, true);
    assert_eq!((second.packets_received, second.packets_lost), (80.0, 20.0));
    let nobody = Sample::from_entries_on(&entries, Some(&[]), 0.0, true);
    assert_eq!(nobody.packets_received, 0.0);
    let all = Sample::from_entries(&entries, 0.0, true);
    assert_eq!(all.packets_received, 480.0);
}
