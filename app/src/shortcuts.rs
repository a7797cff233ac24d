//! Keyboard shortcuts in a call: one plain key each (as in Jitsi), none while typing in a text
//! field or with Ctrl, Alt or ⌘ held (those belong to the browser and the system). `?` lists
//! them. Pure, tested on the host; the room page listens and acts.

/// What a shortcut does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    Mic,
    Camera,
    Share,
    Hand,
    Chat,
    Layout,
    Help,
}

impl Shortcut {
    /// In the order the list shows them.
    pub const ALL: [Shortcut; 7] = [
        Shortcut::Mic,
        Shortcut::Camera,
        Shortcut::Share,
        Shortcut::Hand,
        Shortcut::Chat,
        Shortcut::Layout,
        Shortcut::Help,
    ];

    /// The key that does it, as the list shows it.
    pub fn key(self) -> &'static str {
        match self {
            Shortcut::Mic => "M",
            Shortcut::Camera => "V",
            Shortcut::Share => "S",
            Shortcut::Hand => "H",
            Shortcut::Chat => "C",
            Shortcut::Layout => "L",
            Shortcut::Help => "?",
        }
    }
}

/// Where a key was pressed and with what held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Press<'a> {
    /// `KeyboardEvent.key`.
    pub key: &'a str,
    pub ctrl: bool,
    pub alt: bool,
    pub meta: bool,
    /// The focused element takes typed text (an input that is not a button or checkbox, a
    /// textarea, a select, anything contenteditable).
    pub in_text_field: bool,
}

/// The shortcut a key press means, if any.
pub fn shortcut_for(press: Press<'_>) -> Option<Shortcut> {
    if press.ctrl || press.alt || press.meta || press.in_text_field {
        return None;
    }
    Shortcut::ALL
        .into_iter()
        .find(|s| s.key().eq_ignore_ascii_case(press.key))
}

/// Whether an element with this tag (any case), `type` attribute and editability takes typed
/// text.
pub fn takes_text(tag: &str, input_type: Option<&str>, editable: bool) -> bool {
    const NOT_TEXT: [&str; 8] = [
        "button", "checkbox", "radio", "range", "color", "file", "submit", "reset",
    ];
    editable
        || match tag.to_ascii_lowercase().as_str() {
            "textarea" | "select" => true,
            "input" => {
                !input_type.is_some_and(|t| NOT_TEXT.contains(&t.to_ascii_lowercase().as_str()))
            }
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: &str) -> Press<'_> {
        Press {
            key,
            ..Press::default()
        }
    }

    #[test]
    fn plain_letters_in_either_case_do_their_thing() {
        assert_eq!(shortcut_for(key("m")), Some(Shortcut::Mic));
        assert_eq!(shortcut_for(key("M")), Some(Shortcut::Mic));
        assert_eq!(shortcut_for(key("v")), Some(Shortcut::Camera));
        assert_eq!(shortcut_for(key("s")), Some(Shortcut::Share));
        assert_eq!(shortcut_for(key("h")), Some(Shortcut::Hand));
        assert_eq!(shortcut_for(key("c")), Some(Shortcut::Chat));
        assert_eq!(shortcut_for(key("l")), Some(Shortcut::Layout));
        assert_eq!(shortcut_for(key("?")), Some(Shortcut::Help));
        assert_eq!(shortcut_for(key("x")), None);
        assert_eq!(shortcut_for(key("Enter")), None);
    }

    #[test]
    fn nothing_fires_while_typing_or_with_a_modifier() {
        let typing = Press {
            in_text_field: true,
            ..key("m")
        };
        assert_eq!(shortcut_for(typing), None);
        for held in [
            Press {
                ctrl: true,
                ..key("m")
            },
            Press {
                alt: true,
                ..key("m")
            },
            Press {
                meta: true,
                ..key("c")
            },
        ] {
            assert_eq!(shortcut_for(held), None, "{held:?}");
        }
    }

    #[test]
    fn text_fields_are_told_from_other_controls() {
        assert!(takes_text("TEXTAREA", None, false));
        assert!(takes_text("input", None, false));
        assert!(takes_text("INPUT", Some("search"), false));
        assert!(takes_text("select", None, false));
        assert!(takes_text("div", None, true));
        assert!(!takes_text("input", Some("checkbox"), false));
        assert!(!takes_text("button", None, false));
        assert!(!takes_text("body", None, false));
    }
}
