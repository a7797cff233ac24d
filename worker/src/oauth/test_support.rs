//! Fixtures shared by the sign-in modules' unit tests.

use base64::Engine as _;
use chrono::{DateTime, Utc};

use crate::token::KeyTable;

/// The tests' clock.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

/// A key table with one HS256 key, `k1`: 64 bytes of `byte`.
pub fn keys(byte: u8) -> KeyTable {
    let secret = base64::engine::general_purpose::STANDARD.encode([byte; 64]);
    KeyTable::parse(&format!("k1:{secret}"), "confab", "confab-api").unwrap()
}
