//! The report after the runs: failures, a summary, and the last line with nearest-rank percentiles.

use std::process::ExitCode;
use std::time::Duration;

use confab_tests::percentile::percentile;

use crate::args::Args;
use crate::measure::Sample;
use crate::run::Outcome;

pub fn report(outcome: Result<Outcome, String>, args: &Args, wall: Duration) -> ExitCode {
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => {
            println!("bench-join: FAILED before measuring: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ok: Vec<&Sample> = outcome
        .runs
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .collect();
    let failed = outcome.runs.len() - ok.len();
    let warm_failed = outcome.warmups.iter().filter(|r| r.is_err()).count();
    let join: Vec<u64> = ok.iter().map(|s| s.join_ms()).collect();
    println!(
        "wall time {:.1} s for {} warm-up + {} measured runs ({} warm-up run(s) excluded from the numbers)",
        wall.as_secs_f64(),
        args.warmup,
        args.runs,
        args.warmup
    );
    if failed > 0 || warm_failed > 0 {
        println!(
            "FAILED: {failed} of {} measured runs, {warm_failed} of {} warm-up runs",
            outcome.runs.len(),
            outcome.warmups.len()
        );
    }
    let (Some(p50), Some(p95)) = (percentile(&join, 50), percentile(&join, 95)) else {
        println!("no successful runs: no numbers");
        return ExitCode::FAILURE;
    };
    let mean = join.iter().sum::<u64>() as f64 / join.len() as f64;
    let (min, max) = (join.iter().copied().min(), join.iter().copied().max());
    let metric = if args.relay {
        "join_relay_ms"
    } else if args.sfu {
        "join_sfu_ms"
    } else {
        "join_ms"
    };
    println!(
        "{metric} min={} mean={mean:.0} max={} (click → first presented remote frame, measured in the page)",
        min.unwrap_or_default(),
        max.unwrap_or_default()
    );
    let median_of = |pick: fn(&Sample) -> Option<f64>| {
        let values: Vec<u64> = ok
            .iter()
            .filter_map(|s| pick(s))
            .map(|v| v.round().max(0.0) as u64)
            .collect();
        percentile(&values, 50).map_or("-".to_owned(), |v| v.to_string())
    };
    println!(
        "median milestones after the click: socket open {} ms, welcome {} ms, peer connection {} ms, \
         B's offer out {} / in {} ms, B's answer out {} / in {} ms, in-call {} ms, \
         peer connected {} ms, first frame {p50} ms",
        median_of(|s| s.socket_open),
        median_of(|s| s.welcome),
        median_of(|s| s.peer),
        median_of(|s| s.signals.offer_out),
        median_of(|s| s.signals.offer_in),
        median_of(|s| s.signals.answer_out),
        median_of(|s| s.signals.answer_in),
        median_of(|s| s.in_call),
        median_of(|s| s.connected),
    );
    let mut methods: Vec<&str> = ok.iter().map(|s| s.method.as_str()).collect();
    methods.sort_unstable();
    methods.dedup();
    println!("frame detected by: {}", methods.join(", "));
    println!("{metric} p50={p50} p95={p95} runs={}", join.len());
    if failed > 0 || warm_failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
