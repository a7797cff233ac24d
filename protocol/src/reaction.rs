//! Reactions: an emoji a person sends to the room, shown for a moment on their tile for
//! everyone and never stored. Only these six exist; on the wire each is its emoji.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Reaction {
    #[serde(rename = "👍")]
    ThumbsUp,
    #[serde(rename = "👏")]
    Clap,
    #[serde(rename = "😂")]
    Laugh,
    #[serde(rename = "❤️")]
    Heart,
    #[serde(rename = "🎉")]
    Party,
    #[serde(rename = "😮")]
    Wow,
}

impl Reaction {
    /// In the order the picker shows them.
    pub const ALL: [Reaction; 6] = [
        Reaction::ThumbsUp,
        Reaction::Clap,
        Reaction::Laugh,
        Reaction::Heart,
        Reaction::Party,
        Reaction::Wow,
    ];

    pub fn emoji(self) -> &'static str {
        match self {
            Reaction::ThumbsUp => "👍",
            Reaction::Clap => "👏",
            Reaction::Laugh => "😂",
            Reaction::Heart => "❤️",
            Reaction::Party => "🎉",
            Reaction::Wow => "😮",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Reaction;

    #[test]
    fn each_reaction_is_its_emoji_on_the_wire() {
        for reaction in Reaction::ALL {
            let wire = serde_json::to_string(&reaction).unwrap();
            assert_eq!(wire, format!("\"{}\"", reaction.emoji()));
            assert_eq!(serde_json::from_str::<Reaction>(&wire).unwrap(), reaction);
        }
        assert!(serde_json::from_str::<Reaction>("\"💩\"").is_err());
    }
}
