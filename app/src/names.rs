//! Home-page input rules, shared with the server through `confab_protocol`.

use confab_protocol::{DisplayName, NameError, RoomName};

use crate::i18n::Texts;

/// An unguessable room name (128 random bits as 32 hex characters).
pub fn new_room_name() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Checks the home form ([`name_error`] words a refusal).
pub fn check_join_form(name: &str, room: &str) -> Result<(DisplayName, RoomName), NameError> {
    let name = DisplayName::parse(name)?;
    let room = RoomName::parse(room.trim())?;
    Ok((name, room))
}

/// A refused room or display name, in the language of `t`.
pub fn name_error(t: &Texts, error: &NameError) -> &'static str {
    match error {
        NameError::BadRoom => t.bad_room_name,
        NameError::BadDisplayName => t.bad_display_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_room_names_are_valid_and_distinct() {
        let (a, b) = (new_room_name(), new_room_name());
        assert!(RoomName::parse(&a).is_ok());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn join_form_trims_and_validates() {
        let (name, room) = check_join_form("  Mina ", " standup ").unwrap();
        assert_eq!((name.as_str(), room.as_str()), ("Mina", "standup"));
        assert_eq!(
            check_join_form("", "standup").unwrap_err(),
            NameError::BadDisplayName
        );
        assert_eq!(
            check_join_form("Mina", "no spaces allowed").unwrap_err(),
            NameError::BadRoom
        );
    }
}
