//! `bench-load`: many rooms at once against the real worker under `wrangler dev`, over real
//! WebSockets on loopback. 100 rooms of 5 (500 sockets, each its own guest) for 60 s; in every
//! room the members take turns sending chat (2 a second per room) and signaling to the next
//! member (2 a second per room). Every socket checks what it receives: every chat message of
//! its room exactly once, in the room's order (`seq` rising, the same order for everyone), and
//! each sender's signals in the order sent with none missing. Prints send-to-receipt latency
//! (one process, one clock) and the errors; fails on any loss, duplicate, reordering or error.
//!
//! Run by `cargo xtask bench load [--rooms N] [--per-room N] [--seconds N] [--rate N]`, and by
//! `cargo xtask bench relay` as one room of 8 sending 50 signals a second (`--signals-only`):
//! the signaling relay alone.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use confab_protocol::{ClientFrame, PeerId, ServerFrame};
use confab_tests::bench_socket::{next_frame, open, send, Sink, Stream};
use confab_tests::percentile::percentile;
use confab_tests::wrangler::{Options, Wrangler};
use serde_json::json;
use tokio::sync::{Mutex, Semaphore};
use uuid::Uuid;

/// After the last send, how long receivers wait for what is still on its way.
const DRAIN: Duration = Duration::from_secs(5);
/// Sockets opened at once while the rooms fill.
const OPENING_AT_ONCE: usize = 16;

struct Args {
    rooms: usize,
    per_room: usize,
    seconds: u64,
    /// Chat messages, and signals, per room per second.
    rate: u32,
    /// Signaling only (`--signals-only`): the relay alone, as `cargo xtask bench relay` runs it.
    signals_only: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rooms: 100,
        per_room: 5,
        seconds: 60,
        rate: 2,
        signals_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--signals-only" {
            args.signals_only = true;
            continue;
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = |max: u64| {
            value
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or(format!("{flag}: a number from 1 to {max}, not {value:?}"))
        };
        match flag.as_str() {
            "--rooms" => args.rooms = number(200)? as usize,
            "--per-room" => args.per_room = number(8)? as usize,
            "--seconds" => args.seconds = number(600)?,
            "--rate" => args.rate = number(100)? as u32,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.per_room < 2 {
        return Err("--per-room must be at least 2 (signals go to another member)".into());
    }
    Ok(args)
}

/// One member's socket, before the run.
struct Member {
    peer_id: PeerId,
    sink: Sink,
    stream: Stream,
}

/// What one member saw, checked as it arrived.
#[derive(Default)]
struct Seen {
    /// Chat `client_id`s in the order received.
    chats: Vec<Uuid>,
    duplicated: usize,
    reordered: usize,
    /// Signals that skipped one or more of their sender's earlier ones.
    gaps: usize,
    errors: Vec<String>,
    chat_ms: Vec<u64>,
    signal_ms: Vec<u64>,
    signals: usize,
}

/// Send times by chat `client_id` or signal number (one process, one clock).
type SentAt = Arc<Mutex<HashMap<String, Instant>>>;

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bench-load: {message}");
            return ExitCode::from(2);
        }
    };
    let wrangler = match Wrangler::try_start(Options::default()) {
        Ok(w) => Arc::new(w),
        Err(e) => {
            eprintln!("bench-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(run(wrangler.clone(), &args));
    drop(runtime);
    drop(wrangler);
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("bench-load: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(w: Arc<Wrangler>, args: &Args) -> Result<bool, String> {
    let opened = Instant::now();
    let rooms = fill_rooms(&w, args).await?;
    eprintln!(
        "bench-load: {} sockets in {} rooms opened in {:.1} s",
        args.rooms * args.per_room,
        args.rooms,
        opened.elapsed().as_secs_f64()
    );
    let sent_at: SentAt = Arc::default();
    let end = Instant::now() + Duration::from_secs(args.seconds);
    let mut rooms_running = Vec::new();
    for (room, members) in rooms.into_iter().enumerate() {
        rooms_running.push(tokio::spawn(run_room(
            room,
            members,
            args.rate,
            !args.signals_only,
            end,
            sent_at.clone(),
        )));
    }
    let (mut chat_sent, mut signals_sent, mut seen) = (0, 0, Vec::new());
    for room in rooms_running {
        let (chats, signals, members): RoomRun = room.await.map_err(|e| e.to_string())??;
        chat_sent += chats;
        signals_sent += signals;
        seen.push((chats, members));
    }
    Ok(report(args, chat_sent, signals_sent, &seen))
}

/// Opens every member of every room (a few sockets at a time); each room's members have heard
/// of one another before it returns, so every socket's next frames are the run's.
async fn fill_rooms(w: &Arc<Wrangler>, args: &Args) -> Result<Vec<Vec<Member>>, String> {
    let gate = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    let mut opening = Vec::new();
    for room in 0..args.rooms {
        let name = format!("load-{room}-{}", &Uuid::new_v4().simple().to_string()[..8]);
        let (gate, w) = (gate.clone(), w.clone());
        let per_room = args.per_room;
        opening.push(tokio::spawn(async move {
            let mut members = Vec::new();
            for member in 0..per_room {
                let permit = gate.acquire().await.map_err(|e| e.to_string())?;
                let (sink, stream, peer_id) = open(&w, &name, &format!("Load {member}")).await?;
                drop(permit);
                members.push(Member {
                    peer_id,
                    sink,
                    stream,
                });
            }
            // Member i hears of every later one.
            for (i, member) in members.iter_mut().enumerate() {
                for _ in i + 1..per_room {
                    match next_frame(&mut member.stream, Duration::from_secs(10)).await? {
                        ServerFrame::PeerJoined { .. } => {}
                        other => return Err(format!("expected peer_joined, got {other:?}")),
                    }
                }
            }
            Ok::<_, String>(members)
        }));
    }
    let mut rooms = Vec::new();
    for room in opening {
        rooms.push(room.await.map_err(|e| e.to_string())??);
    }
    Ok(rooms)
}

/// What one room sent and what each of its members saw.
type RoomRun = (usize, usize, Vec<Seen>);

/// Runs one room until `end`: member `k % n` sends chat message `k` and signal `k` to the next
/// member, `rate` of each a second; every member's socket is read throughout.
async fn run_room(
    room: usize,
    members: Vec<Member>,
    rate: u32,
    chat: bool,
    end: Instant,
    sent_at: SentAt,
) -> Result<RoomRun, String> {
    let count = members.len();
    let ids: Vec<PeerId> = members.iter().map(|m| m.peer_id.clone()).collect();
    let mut sinks = Vec::new();
    let mut readers = Vec::new();
    for (index, member) in members.into_iter().enumerate() {
        sinks.push(member.sink);
        readers.push(tokio::spawn(read_member(
            room,
            index,
            ids.clone(),
            member.stream,
            end,
            sent_at.clone(),
        )));
    }
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let started = Instant::now();
    let mut k = 0usize;
    while started + interval * k as u32 <= end {
        tokio::time::sleep_until((started + interval * k as u32).into()).await;
        let from = k % count;
        let to = ids[(k + 1) % count].clone();
        let client_id = Uuid::new_v4();
        {
            let mut sent = sent_at.lock().await;
            sent.insert(client_id.to_string(), Instant::now());
            sent.insert(signal_key(room, k), Instant::now());
        }
        if chat {
            let text = format!("load {room}/{k} 안녕하세요");
            send(&mut sinks[from], &ClientFrame::Chat { client_id, text }).await?;
        }
        let data = json!({ "n": k });
        send(&mut sinks[from], &ClientFrame::Signal { to, data }).await?;
        k += 1;
    }
    let mut seen = Vec::new();
    for reader in readers {
        seen.push(reader.await.map_err(|e| e.to_string())?);
    }
    drop(sinks);
    Ok((if chat { k } else { 0 }, k, seen))
}

fn signal_key(room: usize, n: usize) -> String {
    format!("signal {room}/{n}")
}

/// Reads member `index`'s socket until the run and its drain are over, checking each frame.
async fn read_member(
    room: usize,
    index: usize,
    ids: Vec<PeerId>,
    mut stream: Stream,
    end: Instant,
    sent_at: SentAt,
) -> Seen {
    let count = ids.len();
    let mut seen = Seen::default();
    let mut last_seq = 0u64;
    let mut chats = std::collections::HashSet::new();
    // The next signal number expected from each member (only the previous one sends to us).
    let mut next_signal: Vec<usize> = (0..count).collect();
    loop {
        let left = (end + DRAIN).saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let frame = match next_frame(&mut stream, left).await {
            Ok(frame) => frame,
            Err(e) if e.starts_with("no frame") => break,
            Err(e) => {
                seen.errors.push(e);
                break;
            }
        };
        let received = Instant::now();
        match frame {
            ServerFrame::Chat { message } => {
                if !chats.insert(message.client_id) {
                    seen.duplicated += 1;
                    continue;
                }
                if message.seq <= last_seq {
                    seen.reordered += 1;
                }
                last_seq = message.seq;
                seen.chats.push(message.client_id);
                if let Some(at) = sent_at.lock().await.get(&message.client_id.to_string()) {
                    seen.chat_ms
                        .push(received.duration_since(*at).as_micros() as u64);
                }
            }
            ServerFrame::Signal { from, data } => {
                let sender = ids.iter().position(|id| *id == from);
                let n = data["n"].as_u64().map(|n| n as usize);
                let (Some(sender), Some(n)) = (sender, n) else {
                    seen.errors
                        .push(format!("a signal from a stranger: {from} {data}"));
                    continue;
                };
                match n.cmp(&next_signal[sender]) {
                    std::cmp::Ordering::Less => seen.reordered += 1,
                    std::cmp::Ordering::Greater => seen.gaps += 1,
                    std::cmp::Ordering::Equal => {}
                }
                next_signal[sender] = n + count;
                seen.signals += 1;
                if let Some(at) = sent_at.lock().await.get(&signal_key(room, n)) {
                    seen.signal_ms
                        .push(received.duration_since(*at).as_micros() as u64);
                }
            }
            ServerFrame::Error { code, message, .. } => {
                seen.errors
                    .push(format!("member {index}: {code:?} {message}"));
            }
            other => seen
                .errors
                .push(format!("member {index}: unexpected {other:?}")),
        }
    }
    seen
}

/// Prints the figures; `true` when nothing was lost, duplicated, reordered or refused.
fn report(
    args: &Args,
    chat_sent: usize,
    signals_sent: usize,
    rooms: &[(usize, Vec<Seen>)],
) -> bool {
    let (mut lost, mut duplicated, mut reordered, mut errors) = (0, 0, 0, Vec::new());
    let (mut chat_ms, mut signal_ms) = (Vec::new(), Vec::new());
    let mut signals_received = 0;
    for (sent, members) in rooms {
        for member in members {
            // Every member gets every chat message of its room, its own included.
            lost += sent.saturating_sub(member.chats.len()) + member.gaps;
            duplicated += member.duplicated;
            reordered += member.reordered;
            errors.extend(member.errors.iter().cloned());
            chat_ms.extend(&member.chat_ms);
            signal_ms.extend(&member.signal_ms);
            signals_received += member.signals;
        }
    }
    lost += signals_sent.saturating_sub(signals_received);
    let ms = |samples: &[u64], p| percentile(samples, p).map_or(f64::NAN, |us| us as f64 / 1000.0);
    println!(
        "load rooms={} per_room={} sockets={} seconds={} chat_sent={chat_sent} chat_deliveries={} signals_sent={signals_sent} signals_received={signals_received} lost={lost} duplicated={duplicated} reordered={reordered} errors={}",
        args.rooms,
        args.per_room,
        args.rooms * args.per_room,
        args.seconds,
        chat_ms.len(),
        errors.len(),
    );
    println!(
        "chat_ms p50={:.2} p99={:.2}  signal_ms p50={:.2} p99={:.2}",
        ms(&chat_ms, 50),
        ms(&chat_ms, 99),
        ms(&signal_ms, 50),
        ms(&signal_ms, 99),
    );
    for error in errors.iter().take(10) {
        eprintln!("bench-load: {error}");
    }
    lost == 0 && duplicated == 0 && reordered == 0 && errors.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Args {
        Args {
            rooms: 1,
            per_room: 2,
            seconds: 1,
            rate: 1,
            signals_only: false,
        }
    }

    fn member(chats: usize, signals: usize) -> Seen {
        Seen {
            chats: (0..chats).map(|_| Uuid::new_v4()).collect(),
            signals,
            ..Seen::default()
        }
    }

    #[test]
    fn a_run_passes_only_when_everyone_got_everything_once_in_order() {
        let whole = vec![(2, vec![member(2, 1), member(2, 1)])];
        assert!(report(&args(), 2, 2, &whole));
        let lost_chat = vec![(2, vec![member(1, 1), member(2, 1)])];
        assert!(!report(&args(), 2, 2, &lost_chat));
        let lost_signal = vec![(2, vec![member(2, 1), member(2, 0)])];
        assert!(!report(&args(), 2, 2, &lost_signal));
        let mut twice = member(2, 1);
        twice.duplicated = 1;
        assert!(!report(&args(), 2, 2, &[(2, vec![twice, member(2, 1)])]));
        let mut late = member(2, 1);
        late.reordered = 1;
        assert!(!report(&args(), 2, 2, &[(2, vec![late, member(2, 1)])]));
        let mut refused = member(2, 1);
        refused.errors.push("rate_limited".into());
        assert!(!report(&args(), 2, 2, &[(2, vec![refused, member(2, 1)])]));
    }
}
