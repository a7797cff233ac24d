//! The "perfect negotiation" decisions, as a pure state machine so glare handling is tested on
//! the host. `PeerSession` feeds it browser events and carries out what it says.
//! See <https://w3c.github.io/webrtc-pc/#perfect-negotiation-example>.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What travels inside `signal.data` between two peers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SignalData {
    Description {
        description: SessionDescription,
    },
    /// `null` marks end of candidates; kept as raw JSON so browser fields pass through untouched.
    /// Not an `Option`: serde would accept a frame without the field at all.
    Candidate {
        candidate: Value,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDescription {
    #[serde(rename = "type")]
    pub kind: SdpKind,
    #[serde(default)]
    pub sdp: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SdpKind {
    Offer,
    Answer,
    Pranswer,
    Rollback,
}

/// Exactly one side of each pair is polite; both sides compute the same answer.
pub fn is_polite(me: &str, them: &str) -> bool {
    me < them
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDescription {
    /// Impolite side in a collision: drop the remote offer, ours wins.
    Ignore,
    /// Apply the remote description; if it was an offer, answer it afterwards.
    Apply { answer: bool },
}

#[derive(Debug, Clone)]
pub struct Negotiator {
    polite: bool,
    making_offer: bool,
    ignore_offer: bool,
    /// Their answer is being applied: the state is not `stable` yet, but it will be before
    /// anything that comes after it (the connection queues its operations), so an offer that
    /// arrives now is no collision (perfect negotiation's `isSettingRemoteAnswerPending`).
    answer_pending: bool,
}

impl Negotiator {
    pub fn new(polite: bool) -> Self {
        Negotiator {
            polite,
            making_offer: false,
            ignore_offer: false,
            answer_pending: false,
        }
    }

    pub fn begin_offer(&mut self) {
        self.making_offer = true;
    }

    pub fn end_offer(&mut self) {
        self.making_offer = false;
    }

    /// A remote description arrived while our signaling state is (or is not) `stable`. An
    /// answer that is applied must be followed by [`Negotiator::answer_applied`].
    pub fn on_description(&mut self, kind: SdpKind, signaling_stable: bool) -> OnDescription {
        let ready_for_offer = !self.making_offer && (signaling_stable || self.answer_pending);
        let collision = kind == SdpKind::Offer && !ready_for_offer;
        self.ignore_offer = !self.polite && collision;
        if self.ignore_offer {
            OnDescription::Ignore
        } else {
            self.answer_pending = kind == SdpKind::Answer;
            OnDescription::Apply {
                answer: kind == SdpKind::Offer,
            }
        }
    }

    /// Their answer has been applied (or failed to).
    pub fn answer_applied(&mut self) {
        self.answer_pending = false;
    }

    /// Candidates for an offer we ignored fail to apply; that failure is expected, not an error.
    pub fn candidate_error_matters(&self) -> bool {
        !self.ignore_offer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exactly_one_side_is_polite() {
        let (a, b) = ("0a", "ff");
        assert_ne!(is_polite(a, b), is_polite(b, a));
    }

    #[test]
    fn impolite_side_ignores_a_colliding_offer_and_polite_side_yields() {
        let mut impolite = Negotiator::new(false);
        impolite.begin_offer();
        assert_eq!(
            impolite.on_description(SdpKind::Offer, true),
            OnDescription::Ignore
        );
        assert!(!impolite.candidate_error_matters());

        let mut polite = Negotiator::new(true);
        polite.begin_offer();
        assert_eq!(
            polite.on_description(SdpKind::Offer, false),
            OnDescription::Apply { answer: true }
        );
        assert!(polite.candidate_error_matters());
    }

    #[test]
    fn offer_in_non_stable_state_is_a_collision_even_when_not_making_an_offer() {
        let mut impolite = Negotiator::new(false);
        assert_eq!(
            impolite.on_description(SdpKind::Offer, false),
            OnDescription::Ignore
        );
    }

    #[test]
    fn an_offer_right_behind_their_answer_is_no_collision() {
        // Their answer is being applied (not `stable` yet) when their next offer comes: the
        // impolite side must take it, or that offer (a screen shared just after joining) is lost.
        let mut impolite = Negotiator::new(false);
        impolite.begin_offer();
        impolite.end_offer();
        assert_eq!(
            impolite.on_description(SdpKind::Answer, false),
            OnDescription::Apply { answer: false }
        );
        assert_eq!(
            impolite.on_description(SdpKind::Offer, false),
            OnDescription::Apply { answer: true }
        );
        // Once applied, a non-stable state means a real collision again.
        impolite.answer_applied();
        impolite.begin_offer();
        assert_eq!(
            impolite.on_description(SdpKind::Offer, false),
            OnDescription::Ignore
        );
    }

    #[test]
    fn answers_are_always_applied_and_never_answered() {
        let mut impolite = Negotiator::new(false);
        impolite.begin_offer();
        assert_eq!(
            impolite.on_description(SdpKind::Answer, false),
            OnDescription::Apply { answer: false }
        );
    }

    #[test]
    fn ignore_flag_clears_on_the_next_clean_offer() {
        let mut impolite = Negotiator::new(false);
        impolite.begin_offer();
        impolite.on_description(SdpKind::Offer, true);
        impolite.end_offer();
        assert_eq!(
            impolite.on_description(SdpKind::Offer, true),
            OnDescription::Apply { answer: true }
        );
        assert!(impolite.candidate_error_matters());
    }

    #[test]
    fn signal_data_wire_shapes() {
        let offer: SignalData =
            serde_json::from_value(json!({"description": {"type": "offer", "sdp": "v=0"}}))
                .unwrap();
        assert_eq!(
            offer,
            SignalData::Description {
                description: SessionDescription {
                    kind: SdpKind::Offer,
                    sdp: "v=0".into()
                }
            }
        );
        let end: SignalData = serde_json::from_value(json!({"candidate": null})).unwrap();
        assert_eq!(
            end,
            SignalData::Candidate {
                candidate: Value::Null
            }
        );
        // Firefox's empty end-of-candidates marker passes through untouched.
        let firefox = json!({"candidate": {"candidate": "", "sdpMid": "0", "sdpMLineIndex": 0}});
        let parsed: SignalData = serde_json::from_value(firefox.clone()).unwrap();
        assert_eq!(serde_json::to_value(parsed).unwrap(), firefox);
        assert!(serde_json::from_value::<SignalData>(json!({"nonsense": 1})).is_err());
    }
}
