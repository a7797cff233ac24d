//! Relay-only (`ICE_TRANSPORT_POLICY=relay`) with the relay unavailable: the worker is set up
//! for Cloudflare TURN with its API unreachable (a closed loopback port), so `/api/ice`
//! answers STUN only with `relay: false`. Under relay-only no call can connect then, and the
//! room must say so (`relay-unavailable`) instead of hanging silently. Real headless Chromium
//! against the real worker in a private network namespace; run by `cargo xtask test`.
//! (Relay-only calls that do connect, relay ↔ relay, are in `e2e_nat`.)

use std::process::ExitCode;
use std::time::Duration;

use confab_tests::room_page::{join, unique, wait_for, with_browsers};
use confab_tests::stage::Stage;
use confab_tests::wrangler::Options;
use fantoccini::Client;

const NOTICE_TIMEOUT: Duration = Duration::from_secs(20);

fn main() -> ExitCode {
    confab_tests::stage_main!(
        "e2e-relay" => Stage::enter_with("e2e-relay", |_| Ok((relay_unavailable(), ()))).map(|(stage, ())| stage);
        relay_only_with_the_relay_unavailable_says_so,
    )
}

/// Cloudflare TURN mode whose API cannot be reached (nothing listens on port 9 in the fresh
/// namespace: the worker's call is refused at once), and the relay-only policy.
fn relay_unavailable() -> Options {
    Options {
        vars: vec![
            ("TURN_KEY_ID".into(), "e2e-relay-key".into()),
            (
                "TURN_KEY_API_TOKEN".into(),
                "e2e-relay-made-up-token".into(),
            ),
            (
                "TURN_API_URL".into(),
                "http://127.0.0.1:9/turn/{key_id}/generate-ice-servers".into(),
            ),
            ("ICE_TRANSPORT_POLICY".into(), "relay".into()),
        ],
        ..Options::default()
    }
}

/// `[relay-unavailable text, relay-off shown, tiles]` of a page in a call.
const NOTES_JS: &str = "
const unavailable = document.querySelector('[data-testid=relay-unavailable]');
return [unavailable ? unavailable.textContent : null,
        !!document.querySelector('[data-testid=relay-off]'),
        document.querySelectorAll('[data-testid=video-tile]').length];";

async fn relay_only_with_the_relay_unavailable_says_so(env: &Stage) -> Result<(), String> {
    let room = unique("e2e-relay");
    let browsers = vec![env.browser("ana").await?, env.browser("ben").await?];
    with_browsers(browsers, async |b: &[Client]| {
        join(&b[0], env.base_url(), &room, "Ana").await?;
        join(&b[1], env.base_url(), &room, "Ben").await?;
        for (client, who) in b.iter().zip(["Ana", "Ben"]) {
            wait_for(
                &format!("{who} to see the relay-unavailable notice next to the other's tile"),
                NOTICE_TIMEOUT,
                || async {
                    let notes = client
                        .execute(NOTES_JS, vec![])
                        .await
                        .map_err(|e| e.to_string())?;
                    let text = notes[0].as_str().unwrap_or_default();
                    let said = text.contains("relay") && text.contains("cannot connect");
                    // The quiet "relay is off" note is for servers without a relay: not this.
                    let ok = said && notes[1] == false && notes[2] == 1;
                    ok.then_some(Some(()))
                        .ok_or_else(|| format!("(last: {notes})"))
                },
            )
            .await?;
        }
        // The browsers got the relay-only policy even without a relay: their addresses stay
        // private rather than falling back to a direct path.
        for (client, who) in b.iter().zip(["Ana", "Ben"]) {
            let policies = client
                .execute(
                    "return [...(window.confabPeers || new Map()).values()]
                        .map(pc => pc.getConfiguration().iceTransportPolicy);",
                    vec![],
                )
                .await
                .map_err(|e| e.to_string())?;
            if policies != serde_json::json!(["relay"]) {
                return Err(format!(
                    "{who}'s peer connection policies are {policies}, expected [\"relay\"]"
                ));
            }
        }
        Ok(())
    })
    .await
}
