//! The command line: `--runs N`, `--warmup N`, `--relay`, `--sfu`, `--help`.

const DEFAULT_RUNS: usize = 20;
/// Runs before the measured ones, reported but left out of the numbers: the first call in a
/// browser process also pays for one-time set-up (fake capture device, codecs, WebRTC threads).
const DEFAULT_WARMUP: usize = 1;

pub const USAGE: &str = "\
usage: bench-join [--runs N] [--warmup N] [--relay] [--sfu]

  --runs N     measured runs (default 20)
  --warmup N   runs before them, excluded from the numbers (default 1)
  --relay      media through a TURN relay only (coturn, ICE_TRANSPORT_POLICY=relay); every
               run must show a relay-to-relay candidate pair in both pages
  --sfu        media through the local SFU stand-in (MEDIA_MODE=sfu): one connection each,
               the joiner's camera pushed, the other's pulled

Measures, for two headless Chromium peers on loopback, the time from the second peer clicking
Join to its first decoded remote video frame. Last line: join_ms p50=<n> p95=<n> runs=<n>
(join_relay_ms with --relay, join_sfu_ms with --sfu)";

#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    pub runs: usize,
    pub warmup: usize,
    pub relay: bool,
    pub sfu: bool,
    pub help: bool,
}

pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        runs: DEFAULT_RUNS,
        warmup: DEFAULT_WARMUP,
        relay: false,
        sfu: false,
        help: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        match flag.as_str() {
            "--runs" | "--warmup" => {
                let value = inline
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a number"))?;
                let n: usize = value
                    .parse()
                    .map_err(|_| format!("{flag}: `{value}` is not a number"))?;
                if flag == "--runs" {
                    if n == 0 {
                        return Err("--runs must be at least 1".into());
                    }
                    parsed.runs = n;
                } else {
                    parsed.warmup = n;
                }
            }
            "--relay" if inline.is_none() => parsed.relay = true,
            "--sfu" if inline.is_none() => parsed.sfu = true,
            "-h" | "--help" => parsed.help = true,
            _ => return Err(format!("unknown argument `{arg}`")),
        }
    }
    if parsed.relay && parsed.sfu {
        return Err("--relay and --sfu measure different paths: one at a time".into());
    }
    Ok(parsed)
}
