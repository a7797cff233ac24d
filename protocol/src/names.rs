//! Room names and display names: checked the same way in the app and the worker.

use serde::{Deserialize, Serialize};

use crate::invisible;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("room name must be 1–64 characters of A–Z, a–z, 0–9, '_' or '-'")]
    BadRoom,
    #[error("name must be 1–40 characters with no control or invisible characters")]
    BadDisplayName,
}

/// 1–64 of `[A-Za-z0-9_-]`; used as the Durable Object name, so it is checked before any DO is touched.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoomName(String);

impl RoomName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(RoomName(raw.to_owned()))
        } else {
            Err(NameError::BadRoom)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RoomName {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        RoomName::parse(&value)
    }
}

impl From<RoomName> for String {
    fn from(value: RoomName) -> Self {
        value.0
    }
}

/// A person's display name: trimmed, 1–40 characters, no control characters and nothing
/// invisible (zero-width, bidi overrides, blank fillers: see [`crate::invisible`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 40;

    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        let all: Vec<char> = trimmed.chars().collect();
        let bad = |i: usize| all[i].is_control() || invisible::is_invisible_at(&all, i);
        if chars == 0 || chars > Self::MAX_CHARS || (0..all.len()).any(bad) {
            return Err(NameError::BadDisplayName);
        }
        Ok(DisplayName(trimmed.to_owned()))
    }

    /// A name made from what someone else chose (a sign-in provider's profile): control
    /// characters become spaces, invisible ones go, and it is cut to [`Self::MAX_CHARS`].
    /// `None` when nothing visible is left.
    pub fn cleaned(raw: &str) -> Option<Self> {
        let all: Vec<char> = raw
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let visible: String = (0..all.len())
            .filter(|&i| !invisible::is_invisible_at(&all, i))
            .map(|i| all[i])
            .collect();
        let cut: String = visible.trim().chars().take(Self::MAX_CHARS).collect();
        Self::parse(&cut).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        DisplayName::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(value: DisplayName) -> Self {
        value.0
    }
}
