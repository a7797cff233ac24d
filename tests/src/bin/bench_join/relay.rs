//! With `--relay`: the selected candidate pairs of both pages must be relay ↔ relay.

use confab_tests::room_page::wait_for;
use fantoccini::Client;
use serde::Deserialize;

use crate::STATS_TIMEOUT;

/// The selected candidate pair of every peer connection in a page (getStats: the transport's
/// `selectedCandidatePairId`, else a nominated, succeeded pair), with the types of both ends
/// and the policy the page's peer connection runs with.
const PAIRS_JS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const out = [];
  for (const [peer, pc] of (window.confabPeers || new Map())) {
    const report = await pc.getStats();
    let pair = null;
    report.forEach(r => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = report.get(r.selectedCandidatePairId) || pair;
    });
    if (!pair) report.forEach(r => {
      if (!pair && r.type === 'candidate-pair' && (r.selected || (r.nominated && r.state === 'succeeded'))) pair = r;
    });
    const end = id => {
      const c = id && report.get(id);
      return c ? { candidate_type: c.candidateType, protocol: c.protocol, relay_protocol: c.relayProtocol || null } : null;
    };
    out.push({
      peer,
      policy: pc.getConfiguration().iceTransportPolicy || null,
      state: pair ? pair.state : null,
      local: end(pair && pair.localCandidateId),
      remote: end(pair && pair.remoteCandidateId),
    });
  }
  done(out);
})().catch(e => done([{ peer: '', error: String(e) }]));
"#;

/// One end of a selected candidate pair.
#[derive(Debug, Clone, Deserialize)]
pub struct PairEnd {
    pub candidate_type: Option<String>,
    pub protocol: Option<String>,
    pub relay_protocol: Option<String>,
}

/// A page's selected candidate pair to one peer ([`PAIRS_JS`]).
#[derive(Debug, Clone, Deserialize)]
pub struct SelectedPair {
    pub peer: String,
    pub policy: Option<String>,
    pub state: Option<String>,
    pub local: Option<PairEnd>,
    pub remote: Option<PairEnd>,
    pub error: Option<String>,
}

/// What a page's pairs say about relaying: `Ok(Some(description))` relay on both ends of every
/// pair under the relay policy, `Ok(None)` no pair selected yet, `Err` anything else (a direct
/// pair is a failure, not a wait).
pub fn relayed(pairs: &[SelectedPair]) -> Result<Option<String>, String> {
    if pairs.is_empty() {
        return Err("no peer connection on the page".into());
    }
    for pair in pairs {
        if let Some(error) = &pair.error {
            return Err(format!("getStats failed: {error}"));
        }
        if pair.policy.as_deref() != Some("relay") {
            return Err(format!(
                "the peer connection to {} runs with iceTransportPolicy {:?}, not relay",
                pair.peer, pair.policy
            ));
        }
        let (Some(local), Some(remote)) = (&pair.local, &pair.remote) else {
            return Ok(None);
        };
        let kind = |end: &PairEnd| end.candidate_type.clone().unwrap_or_default();
        if kind(local) != "relay" || kind(remote) != "relay" {
            return Err(format!(
                "the selected pair to {} is {} ↔ {}, not relay ↔ relay: {pair:?}",
                pair.peer,
                kind(local),
                kind(remote)
            ));
        }
    }
    let end = |end: &PairEnd| {
        let protocol = end.protocol.as_deref().unwrap_or("?");
        match &end.relay_protocol {
            Some(to_relay) => format!("relay({protocol}, {to_relay} to the relay)"),
            None => format!("relay({protocol})"),
        }
    };
    let described: Vec<String> = pairs
        .iter()
        .filter_map(|p| {
            let (local, remote) = (p.local.as_ref()?, p.remote.as_ref()?);
            let state = p.state.as_deref().unwrap_or("?");
            Some(format!("{} ↔ {} {state}", end(local), end(remote)))
        })
        .collect();
    Ok(Some(described.join("; ")))
}

/// Both pages' selected pairs are relay ↔ relay (waiting, up to [`STATS_TIMEOUT`], only for a
/// pair to be selected); returns what they are.
pub async fn relayed_in_both(a: &Client, b: &Client) -> Result<String, String> {
    let mut seen = Vec::new();
    for (who, client) in [("A", a), ("B", b)] {
        let what = format!("{who}'s selected candidate pair");
        let pairs = wait_for(&what, STATS_TIMEOUT, || async {
            let value = client
                .execute_async(PAIRS_JS, vec![])
                .await
                .map_err(|e| format!("(stats script failed: {e})"))?;
            let pairs: Vec<SelectedPair> = serde_json::from_value(value.clone())
                .map_err(|e| format!("(unexpected stats {value}: {e})"))?;
            match relayed(&pairs) {
                Ok(Some(pairs)) => Ok(Some(Ok(pairs))),
                Ok(None) => Err(format!("(no pair selected yet: {pairs:?})")),
                // Not worth waiting for: a direct pair stays direct.
                Err(error) => Ok(Some(Err(format!("{who}: {error}")))),
            }
        })
        .await??;
        seen.push(format!("{who} {pairs}"));
    }
    Ok(seen.join(", "))
}
