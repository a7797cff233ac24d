//! What the lab's pages say about their connections: the selected ICE candidate pair of each
//! peer connection, and waits on tiles and paths.

use std::time::Duration;

use crate::room_page::{tiles, wait_for};

/// What the selected ICE candidate pair of one peer connection is, from `getStats`.
#[derive(Debug, Clone, Default, serde::Deserialize, PartialEq)]
pub struct SelectedPath {
    /// `RTCPeerConnection.connectionState`.
    pub state: String,
    /// `candidateType` of the local and remote candidates of the selected pair (host, srflx,
    /// prflx, relay), absent before a pair is selected.
    pub local: Option<String>,
    pub remote: Option<String>,
    pub local_address: Option<String>,
    pub remote_address: Option<String>,
    /// How the local end reaches its TURN server when it is a relay candidate: `udp`, `tcp`
    /// or `tls`.
    pub relay_protocol: Option<String>,
    /// Inbound video frames decoded so far.
    pub frames_decoded: u64,
}

impl SelectedPath {
    /// Either end is a TURN relay candidate.
    pub fn relayed(&self) -> bool {
        self.local.as_deref() == Some("relay") || self.remote.as_deref() == Some("relay")
    }

    /// The candidate types of the pair, local first.
    pub fn types(&self) -> (String, String) {
        (
            self.local.clone().unwrap_or_default(),
            self.remote.clone().unwrap_or_default(),
        )
    }
}

/// How long the lab suites wait for media, a tile or a path.
pub const MEDIA_TIMEOUT: Duration = Duration::from_secs(30);

/// Waits until `client` has one tile, named `name`; returns its peer id.
pub async fn the_one_tile(client: &fantoccini::Client, name: &str) -> Result<String, String> {
    wait_for(
        &format!("exactly one tile, {name}"),
        MEDIA_TIMEOUT,
        || async {
            let tiles = tiles(client).await?;
            Ok(match tiles.as_slice() {
                [only] if only.name == name => Some(only.peer_id.clone()),
                _ => None,
            })
        },
    )
    .await
}

/// Waits until the page's link to `peer` is connected with a selected pair, and returns it.
pub async fn connected_path(
    client: &fantoccini::Client,
    peer: &str,
) -> Result<SelectedPath, String> {
    wait_for(
        &format!("a connected path to {peer}"),
        MEDIA_TIMEOUT,
        || async {
            let mut all = paths(client).await?;
            let path = all.remove(peer).unwrap_or_default();
            if path.state == "connected" && path.local.is_some() && path.remote.is_some() {
                Ok(Some(path))
            } else {
                Err(format!("(last: {path:?})"))
            }
        },
    )
    .await
}

const PATHS_JS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const out = {};
  for (const [id, pc] of (window.confabPeers || new Map())) {
    const report = await pc.getStats();
    const byId = new Map();
    report.forEach(r => byId.set(r.id, r));
    let pair = null, frames = 0;
    report.forEach(r => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = byId.get(r.selectedCandidatePairId);
      if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0;
    });
    const local = pair && byId.get(pair.localCandidateId);
    const remote = pair && byId.get(pair.remoteCandidateId);
    out[id] = {
      state: pc.connectionState,
      local: local ? local.candidateType : null,
      remote: remote ? remote.candidateType : null,
      local_address: local ? (local.address || local.ip || null) : null,
      remote_address: remote ? (remote.address || remote.ip || null) : null,
      relay_protocol: local ? (local.relayProtocol || null) : null,
      frames_decoded: frames,
    };
  }
  done(out);
})().catch(e => done({ error: String(e) }));
"#;

/// The selected path of each peer connection of the page, by remote peer id.
pub async fn paths(
    client: &fantoccini::Client,
) -> Result<std::collections::HashMap<String, SelectedPath>, String> {
    let value = client
        .execute_async(PATHS_JS, vec![])
        .await
        .map_err(|e| e.to_string())?;
    if let Some(error) = value.get("error") {
        return Err(format!("getStats failed: {error}"));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}
