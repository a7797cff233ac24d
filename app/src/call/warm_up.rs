//! The frames a join handles first, decoded and encoded once before the click. The browser
//! compiles each WebAssembly function the first time it runs: a join's first welcome, offer
//! and answer otherwise compile their decoders and encoders on the join's path, in both pages
//! (Chromium traces of `cargo xtask bench join`).

use confab_protocol::{ClientFrame, ServerFrame};

use super::peer::negotiation::SignalData;

/// A member as the room describes one.
macro_rules! member {
    () => {
        r#"{"peer_id":"0123456789abcdef0123456789abcdef","user_id":"guest:a","name":"a","guest":true,"media":{"audio":true,"video":true,"screen":false}}"#
    };
}

/// One of each kind: the welcome into a room with someone in it, that someone joining, and a
/// description and a candidate from them.
const SAMPLES: [&str; 4] = [
    concat!(
        r#"{"type":"welcome","peer_id":"fedcba9876543210fedcba9876543210","room":"r","you":"#,
        member!(),
        r#","peers":["#,
        member!(),
        r#"],"history":[]}"#
    ),
    concat!(r#"{"type":"peer_joined","peer":"#, member!(), "}"),
    r#"{"type":"signal","from":"0123456789abcdef0123456789abcdef","data":{"description":{"type":"offer","sdp":"v=0"}}}"#,
    r#"{"type":"signal","from":"0123456789abcdef0123456789abcdef","data":{"candidate":null}}"#,
];

/// Decodes the samples as the room socket does, and each signal in them as a peer does, and
/// encodes it back to send.
pub fn warm_up_frames() {
    for text in SAMPLES {
        let Ok(ServerFrame::Signal { from, data }) = serde_json::from_str::<ServerFrame>(text)
        else {
            continue;
        };
        let Ok(signal) = serde_json::from_value::<SignalData>(data) else {
            continue;
        };
        if let Ok(data) = serde_json::to_value(&signal) {
            let _ = ClientFrame::Signal { to: from, data }.to_json();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sample the room would not send warms nothing: each must decode, and its signal too.
    #[test]
    fn every_sample_decodes_as_the_room_would_send_it() {
        let kinds: Vec<String> = SAMPLES
            .iter()
            .map(
                |text| match serde_json::from_str::<ServerFrame>(text).unwrap() {
                    ServerFrame::Welcome { peers, .. } => format!("welcome {}", peers.len()),
                    ServerFrame::PeerJoined { .. } => "peer_joined".into(),
                    ServerFrame::Signal { data, .. } => {
                        match serde_json::from_value::<SignalData>(data).unwrap() {
                            SignalData::Description { .. } => "description".into(),
                            SignalData::Candidate { .. } => "candidate".into(),
                        }
                    }
                    other => format!("{other:?}"),
                },
            )
            .collect();
        assert_eq!(
            kinds,
            ["welcome 1", "peer_joined", "description", "candidate"]
        );
    }
}
