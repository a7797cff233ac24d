//! The refresh token's shape: `<base64url(user id)>.<base64url(32 random bytes)>`, and the hash
//! that is stored instead of it.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Random bytes in a refresh token.
pub const SECRET_BYTES: usize = 32;
/// `REFRESH_TOKEN_DAYS` when unset.
pub const DEFAULT_REFRESH_DAYS: u32 = 30;
/// Longest user id a token may carry (routing part), in bytes.
const MAX_USER_ID_BYTES: usize = 200;
/// A presented token longer than this is not ours (no hashing of megabytes).
pub(super) const MAX_TOKEN_CHARS: usize = 512;

pub(super) const B64: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The routing part of a presented refresh token (its shape only; nothing is verified yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRoute {
    pub user_id: String,
}

impl TokenRoute {
    /// The user id a token routes to, or `None` when it is not shaped like one of ours.
    pub fn parse(token: &str) -> Option<TokenRoute> {
        if token.len() > MAX_TOKEN_CHARS {
            return None;
        }
        let (user, secret) = token.split_once('.')?;
        let secret = B64.decode(secret).ok()?;
        if secret.len() != SECRET_BYTES {
            return None;
        }
        let user_id = String::from_utf8(B64.decode(user).ok()?).ok()?;
        if user_id.is_empty()
            || user_id.len() > MAX_USER_ID_BYTES
            || user_id.chars().any(char::is_control)
        {
            return None;
        }
        Some(TokenRoute { user_id })
    }
}

/// A new refresh token for `user_id` from fresh random bytes.
pub fn format_token(user_id: &str, secret: &[u8; SECRET_BYTES]) -> String {
    format!("{}.{}", B64.encode(user_id), B64.encode(secret))
}

/// What is stored instead of the token.
pub fn token_hash(token: &str) -> String {
    B64.encode(Sha256::digest(token.as_bytes()))
}
