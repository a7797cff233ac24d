//! The signaling relay's fast path: a `signal` frame read without building its data, and the
//! relayed frame written with the data's text copied as it came (so it reaches the other peer
//! byte for byte, numbers included). Frames this does not read are decoded in full by
//! [`crate::decode_client_frame`], which says precisely what is wrong with them.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::limits::MAX_SIGNAL_DATA_BYTES;
use crate::PeerId;

/// A well-formed `signal` frame: whom it is for and its data's JSON text.
#[derive(Debug)]
pub struct RawSignal<'a> {
    pub to: PeerId,
    pub data: &'a RawValue,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalIn<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    to: PeerId,
    #[serde(borrow)]
    data: &'a RawValue,
}

#[derive(Serialize)]
struct SignalOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    from: &'a PeerId,
    data: &'a RawValue,
}

/// `text` as a signal, if it plainly is one: exactly `type` ("signal"), a well-formed `to` and
/// `data` within [`MAX_SIGNAL_DATA_BYTES`]. `None` for anything else, valid or not.
pub fn read_signal(text: &str) -> Option<RawSignal<'_>> {
    let frame: SignalIn<'_> = serde_json::from_str(text).ok()?;
    (frame.kind == "signal"
        && frame.to.is_well_formed()
        && frame.data.get().len() <= MAX_SIGNAL_DATA_BYTES)
        .then_some(RawSignal {
            to: frame.to,
            data: frame.data,
        })
}

/// The `signal` frame `to` receives: `from` stamped by the server, `data` as it was sent.
pub fn relayed_signal(from: &PeerId, data: &RawValue) -> String {
    serde_json::to_string(&SignalOut {
        kind: "signal",
        from,
        data,
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode_client_frame, ClientFrame, ServerFrame};
    use serde_json::json;

    const TO: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_signal_is_read_and_relayed_as_the_full_decoder_and_encoder_would() {
        let text = json!({"type": "signal", "to": TO,
            "data": {"sdp": "v=0\r\n", "candidate": null, "n": [1, 2.5, true]}})
        .to_string();
        let signal = read_signal(&text).expect("a signal");
        let Ok(ClientFrame::Signal { to, data }) = decode_client_frame(&text) else {
            panic!("the full decoder reads it too");
        };
        assert_eq!(signal.to, to);
        let from = PeerId("f".repeat(32));
        let relayed: ServerFrame =
            serde_json::from_str(&relayed_signal(&from, signal.data)).expect("a server frame");
        assert_eq!(relayed, ServerFrame::Signal { from, data });
    }

    #[test]
    fn the_data_is_copied_byte_for_byte() {
        let text = format!(
            r#"{{"type":"signal","to":"{TO}","data":{{"x":4.8843664185623195e+218, "s":"\u00e9"}}}}"#
        );
        let signal = read_signal(&text).expect("a signal");
        let relayed = relayed_signal(&PeerId(TO.into()), signal.data);
        assert!(
            relayed.ends_with(r#""data":{"x":4.8843664185623195e+218, "s":"\u00e9"}}"#),
            "{relayed}"
        );
    }

    #[test]
    fn anything_else_is_left_to_the_full_decoder() {
        let data = json!({"a": "x".repeat(MAX_SIGNAL_DATA_BYTES)});
        for text in [
            json!({"type": "chat", "to": TO, "data": {}}).to_string(),
            json!({"type": "signal", "to": "not-a-peer", "data": {}}).to_string(),
            json!({"type": "signal", "to": TO}).to_string(),
            json!({"type": "signal", "to": TO, "data": {}, "extra": 1}).to_string(),
            json!({"type": "signal", "to": TO, "data": data}).to_string(),
            r#"{"type":"sig\u006eal","to":"x","data":{}}"#.to_owned(),
            "[]".to_owned(),
            "not json".to_owned(),
        ] {
            assert!(read_signal(&text).is_none(), "{text}");
        }
    }
}
