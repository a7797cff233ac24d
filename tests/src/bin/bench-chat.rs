//! `bench-chat`: chat fan-out, search and history latency against the real worker under
//! `wrangler dev`, over real WebSockets on loopback.
//!
//! 1. Fan-out: 8 members in one room send 50 messages/s in total for 30 s; every member times
//!    every other member's message from send to receipt (one process, one clock) and counts
//!    lost and duplicated deliveries (both must be 0).
//! 2. Search and history: a room seeded with 100,000 messages (half Korean, half English,
//!    generated here and inserted through the worker's bench-only seed route, which exists only
//!    when `ALLOW_BENCH_SEED=true`, as set for this run), then timed `search` and `history`
//!    requests, send to answer.
//!
//! Run by `cargo xtask bench chat`; the last lines are the figures.

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use confab_protocol::{ClientFrame, ServerFrame};
use confab_tests::bench_socket::{next_frame, open, send};
use confab_tests::http;
use confab_tests::wrangler::{Options, Wrangler};
use tokio::sync::Mutex;
use uuid::Uuid;

const MEMBERS: usize = 8;
const DEFAULT_RATE: u32 = 50;
const DEFAULT_SECONDS: u64 = 30;
const DEFAULT_SEED: usize = 100_000;
const QUERIES: usize = 60;
/// Lookups are paced like a busy user, within the room's per-connection lookup budget of 200
/// messages a second (the worker's `ConnGuard::LOOKUP_ROWS_PER_SECOND`): a search of 50 every
/// 260 ms, a history page of 100 every 510 ms.
const SEARCH_PACE: Duration = Duration::from_millis(260);
const HISTORY_PACE: Duration = Duration::from_millis(510);
/// After the last send, how long receivers may still deliver before missing ones count as lost.
const DRAIN: Duration = Duration::from_secs(5);

struct Args {
    rate: u32,
    seconds: u64,
    seed: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rate: DEFAULT_RATE,
        seconds: DEFAULT_SECONDS,
        seed: DEFAULT_SEED,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match flag.as_str() {
            "--rate" => {
                args.rate = value("--rate")?
                    .parse()
                    .map_err(|e| format!("--rate: {e}"))?
            }
            "--seconds" => {
                args.seconds = value("--seconds")?
                    .parse()
                    .map_err(|e| format!("--seconds: {e}"))?
            }
            "--seed" => {
                args.seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?
            }
            other => {
                return Err(format!(
                "unknown argument {other}\nusage: bench-chat [--rate N] [--seconds N] [--seed N]"
            ))
            }
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bench-chat: {message}");
            return ExitCode::from(2);
        }
    };
    let wrangler = match Wrangler::try_start(Options {
        vars: vec![("ALLOW_BENCH_SEED".into(), "true".into())],
        ..Options::default()
    }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("bench-chat: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(async {
        let fanout = fan_out(&wrangler, &args).await?;
        let lookups = search_and_history(&wrangler, &args).await?;
        Ok::<_, String>((fanout, lookups))
    });
    drop(runtime);
    drop(wrangler);
    match result {
        Ok((fanout, lookups)) => {
            println!(
                "fanout_ms p50={:.2} p99={:.2} members={MEMBERS} rate={}/s seconds={} sent={} deliveries={} lost={} duplicated={}",
                fanout.p50, fanout.p99, args.rate, args.seconds, fanout.sent, fanout.deliveries, fanout.lost, fanout.duplicated
            );
            println!(
                "search_ms p50={:.2} p95={:.2} queries={} messages={}",
                lookups.search.0, lookups.search.1, lookups.queries, args.seed
            );
            println!(
                "history_ms p50={:.2} p95={:.2} pages={} messages={}",
                lookups.history.0, lookups.history.1, lookups.queries, args.seed
            );
            if fanout.lost > 0 || fanout.duplicated > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => {
            eprintln!("bench-chat: {message}");
            ExitCode::FAILURE
        }
    }
}

struct FanOut {
    p50: f64,
    p99: f64,
    sent: usize,
    deliveries: usize,
    lost: usize,
    duplicated: usize,
}

async fn fan_out(w: &Wrangler, args: &Args) -> Result<FanOut, String> {
    let room = format!("bench-fanout-{}", Uuid::new_v4().simple());
    let mut sinks = Vec::new();
    let mut readers = Vec::new();
    // Send times by client_id, written by senders and read by receivers (same clock).
    let sent_at: Arc<Mutex<HashMap<Uuid, (usize, Instant)>>> = Arc::default();
    for member in 0..MEMBERS {
        let (sink, stream, _) = open(w, &room, &format!("Member {member}")).await?;
        sinks.push(sink);
        readers.push(stream);
    }
    let deadline_end = Instant::now() + Duration::from_secs(args.seconds);
    let mut receivers = Vec::new();
    for (member, mut stream) in readers.into_iter().enumerate() {
        let sent_at = sent_at.clone();
        receivers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut seen = HashSet::new();
            let mut duplicated = 0usize;
            loop {
                let timeout = (deadline_end + DRAIN).saturating_duration_since(Instant::now());
                let frame =
                    match next_frame(&mut stream, timeout.max(Duration::from_millis(1))).await {
                        Ok(frame) => frame,
                        Err(_) => break,
                    };
                let received = Instant::now();
                match frame {
                    ServerFrame::Chat { message } => {
                        if !seen.insert(message.seq) {
                            duplicated += 1;
                            continue;
                        }
                        if let Some((from, at)) = sent_at.lock().await.get(&message.client_id) {
                            if *from != member {
                                latencies.push(received.duration_since(*at).as_secs_f64() * 1000.0);
                            }
                        }
                    }
                    ServerFrame::Error { code, message, .. } => {
                        return Err(format!("member {member} got error {code:?}: {message}"));
                    }
                    _ => {}
                }
            }
            Ok((latencies, duplicated))
        }));
    }
    // Members take turns so the room as a whole sends `rate` messages per second.
    let interval = Duration::from_secs_f64(1.0 / f64::from(args.rate));
    let total = (u64::from(args.rate) * args.seconds) as usize;
    let started = Instant::now();
    for i in 0..total {
        let at = started + interval * i as u32;
        tokio::time::sleep_until(at.into()).await;
        let member = i % MEMBERS;
        let client_id = Uuid::new_v4();
        sent_at
            .lock()
            .await
            .insert(client_id, (member, Instant::now()));
        let text = format!("fan-out message {i} from member {member} 안녕하세요");
        send(&mut sinks[member], &ClientFrame::Chat { client_id, text }).await?;
    }
    let mut latencies = Vec::new();
    let mut duplicated = 0;
    for receiver in receivers {
        let (mut l, d) = receiver.await.map_err(|e| e.to_string())??;
        latencies.append(&mut l);
        duplicated += d;
    }
    let expected = total * (MEMBERS - 1);
    let deliveries = latencies.len();
    latencies.sort_by(f64::total_cmp);
    Ok(FanOut {
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
        sent: total,
        deliveries,
        lost: expected.saturating_sub(deliveries),
        duplicated,
    })
}

struct Lookups {
    search: (f64, f64),
    history: (f64, f64),
    queries: usize,
}

async fn search_and_history(w: &Wrangler, args: &Args) -> Result<Lookups, String> {
    let room = format!("bench-search-{}", Uuid::new_v4().simple());
    let seeded = Instant::now();
    seed(w, &room, args.seed)?;
    eprintln!(
        "bench-chat: seeded {} messages in {:.1} s",
        args.seed,
        seeded.elapsed().as_secs_f64()
    );
    let (mut sink, mut stream, _) = open(w, &room, "Searcher").await?;
    let queries = [
        "학교",
        "회의 자료",
        "내일",
        "meeting",
        "project update",
        "커피",
        "내일 보고서",
        "보고서",
        "weekend",
        "팀",
    ];
    let mut search = Vec::new();
    for i in 0..QUERIES {
        let q = queries[i % queries.len()].to_owned();
        tokio::time::sleep(SEARCH_PACE).await;
        let started = Instant::now();
        send(&mut sink, &ClientFrame::Search { q, limit: Some(50) }).await?;
        match next_frame(&mut stream, Duration::from_secs(10)).await? {
            ServerFrame::SearchResults { messages, .. } if !messages.is_empty() => {}
            other => return Err(format!("search {i}: unexpected answer {other:?}")),
        }
        search.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut history = Vec::new();
    for i in 0..QUERIES {
        // Spread over the whole room, deterministic.
        let before_seq = 1 + (i as u64 * 7919) % args.seed as u64;
        tokio::time::sleep(HISTORY_PACE).await;
        let started = Instant::now();
        send(
            &mut sink,
            &ClientFrame::History {
                before_seq: Some(before_seq.max(2)),
                limit: Some(100),
            },
        )
        .await?;
        match next_frame(&mut stream, Duration::from_secs(10)).await? {
            ServerFrame::History { messages, .. } if !messages.is_empty() => {}
            other => return Err(format!("history {i}: unexpected answer {other:?}")),
        }
        history.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    search.sort_by(f64::total_cmp);
    history.sort_by(f64::total_cmp);
    Ok(Lookups {
        search: (percentile(&search, 50.0), percentile(&search, 95.0)),
        history: (percentile(&history, 50.0), percentile(&history, 95.0)),
        queries: QUERIES,
    })
}

/// Half Korean, half English chat lines, deterministic, so every run searches the same room.
fn generated_text(i: usize) -> String {
    const KO_SUBJECTS: [&str; 8] = [
        "내일",
        "오늘",
        "주말에",
        "다음 주",
        "회의 전에",
        "점심 후에",
        "아침에",
        "저녁에",
    ];
    const KO_OBJECTS: [&str; 8] = [
        "학교에서",
        "회의 자료를",
        "보고서를",
        "커피를",
        "팀 일정을",
        "마감을",
        "발표를",
        "코드를",
    ];
    const KO_VERBS: [&str; 6] = [
        "보자",
        "확인해 주세요",
        "정리했어요",
        "공유할게요",
        "마셨어요",
        "끝냈습니다",
    ];
    const EN_SUBJECTS: [&str; 8] = [
        "Tomorrow",
        "Today",
        "This weekend",
        "Next week",
        "Before the meeting",
        "After lunch",
        "In the morning",
        "Tonight",
    ];
    const EN_OBJECTS: [&str; 8] = [
        "the project update",
        "the meeting notes",
        "the report",
        "a coffee",
        "the team schedule",
        "the deadline",
        "the slides",
        "the code review",
    ];
    const EN_VERBS: [&str; 6] = [
        "looks good",
        "needs a check",
        "is ready",
        "was shared",
        "moved again",
        "is done",
    ];
    // Even numbers are Korean, odd English; the rest of the number picks the words.
    let j = i / 2;
    let (a, b, c) = (j % 8, (j / 8) % 8, (j / 64) % 6);
    if i.is_multiple_of(2) {
        format!("{} {} {} #{i}", KO_SUBJECTS[a], KO_OBJECTS[b], KO_VERBS[c])
    } else {
        format!("{} {} {} #{i}", EN_SUBJECTS[a], EN_OBJECTS[b], EN_VERBS[c])
    }
}

/// Inserts `count` generated messages through the seed route, in batches.
fn seed(w: &Wrangler, room: &str, count: usize) -> Result<(), String> {
    const BATCH: usize = 2000;
    let token = http::guest(w.base_url(), "Seeder").access_token;
    let url = format!("{}/api/rooms/{room}/seed", w.base_url());
    let mut next = 0;
    while next < count {
        let end = (next + BATCH).min(count);
        let texts: Vec<String> = (next..end).map(generated_text).collect();
        let body = serde_json::json!({ "texts": texts }).to_string();
        let auth = format!("Bearer {token}");
        let reply = http::request(
            "POST",
            &url,
            &[
                ("content-type", "application/json"),
                ("authorization", &auth),
                ("origin", w.origin()),
            ],
            Some(&body),
        );
        if reply.status != 200 {
            return Err(format!(
                "seed batch at {next} failed: HTTP {} {}",
                reply.status, reply.body
            ));
        }
        next = end;
    }
    Ok(())
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&samples, 50.0), 50.0);
        assert_eq!(percentile(&samples, 99.0), 99.0);
        assert_eq!(percentile(&[3.0], 95.0), 3.0);
        assert!(percentile(&[], 50.0).is_nan());
    }

    #[test]
    fn generated_text_is_half_korean_and_findable() {
        assert!(
            generated_text(0).contains("학교에서")
                || (0..64).any(|i| generated_text(i * 2).contains("학교에서"))
        );
        assert!(generated_text(1).is_ascii());
        assert_ne!(generated_text(2), generated_text(4));
    }
}
