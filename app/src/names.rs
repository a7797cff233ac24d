//! Home-page input rules, shared with the server through `confab_protocol`.

use confab_protocol::{DisplayName, RoomName};

/// An unguessable room name (128 random bits as 32 hex characters).
pub fn new_room_name() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Checks the home form; the error is what the user sees.
pub fn check_join_form(name: &str, room: &str) -> Result<(DisplayName, RoomName), String> {
    let name = DisplayName::parse(name).map_err(|e| e.to_string())?;
    let room = RoomName::parse(room.trim()).map_err(|e| e.to_string())?;
    Ok((name, room))
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
        assert!(check_join_form("", "standup").is_err());
        assert!(check_join_form("Mina", "no spaces allowed").is_err());
    }
}
