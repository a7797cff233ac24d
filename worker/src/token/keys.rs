//! One `JWT_KEYS` entry: a `kid` and a key whose type fixes the algorithm for that `kid`.
//!
//! Grammar of an entry (entries are separated by commas):
//! - `kid:base64secret` or `kid:hs256:base64secret`: HS256 from a shared secret of ≥ 64 bytes;
//! - `kid:ed25519:base64seed`: EdDSA (Ed25519) from the 32-byte private seed; its public half is
//!   published at `/.well-known/jwks.json`.
//!
//! Base64 is standard (RFC 4648 §4), padding optional. Base64 has no `:`, so the forms never
//! overlap.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;
use ed25519_compact::{KeyPair, PublicKey, SecretKey, Seed};
use jwt_compact::alg::{Hs256Key, StrongKey};

use super::KeyConfigError;

/// `alg` header value of HS256 tokens.
pub const HS256: &str = "HS256";
/// `alg` header value of Ed25519 tokens (RFC 8037).
pub const EDDSA: &str = "EdDSA";

/// A signing key; which variant a `kid` has is the only thing that decides its algorithm.
pub enum SigningKey {
    Hs256(StrongKey<Hs256Key>),
    Ed25519 {
        secret: SecretKey,
        public: PublicKey,
    },
}

impl SigningKey {
    /// The JWS `alg` this key signs with, and the only one it verifies.
    pub fn algorithm(&self) -> &'static str {
        match self {
            SigningKey::Hs256(_) => HS256,
            SigningKey::Ed25519 { .. } => EDDSA,
        }
    }

    /// The Ed25519 key from its 32-byte seed (the form `openssl genpkey -algorithm ed25519` keeps).
    pub fn ed25519_from_seed(seed: [u8; Seed::BYTES]) -> Self {
        let pair = KeyPair::from_seed(Seed::new(seed));
        SigningKey::Ed25519 {
            secret: pair.sk,
            public: pair.pk,
        }
    }
}

/// Parses entry number `index` (for error messages) into its kid and key.
pub fn parse_entry(index: usize, entry: &str) -> Result<(String, SigningKey), KeyConfigError> {
    let (kid, rest) = entry
        .split_once(':')
        .ok_or(KeyConfigError::Malformed(index))?;
    let kid = kid.trim();
    if kid.is_empty() {
        return Err(KeyConfigError::Malformed(index));
    }
    let (kind, material) = match rest.split_once(':') {
        Some((kind, material)) => (kind.trim().to_ascii_lowercase(), material),
        None => (String::from("hs256"), rest),
    };
    let bytes = || decode(material).ok_or(KeyConfigError::Malformed(index));
    let key = match kind.as_str() {
        "hs256" => SigningKey::Hs256(
            StrongKey::try_from(Hs256Key::new(bytes()?))
                .map_err(|_| KeyConfigError::WeakKey(index))?,
        ),
        "ed25519" => {
            let seed = <[u8; Seed::BYTES]>::try_from(bytes()?.as_slice())
                .map_err(|_| KeyConfigError::BadEd25519Seed(index))?;
            SigningKey::ed25519_from_seed(seed)
        }
        _ => return Err(KeyConfigError::UnknownKeyType(index, kind)),
    };
    Ok((kid.to_owned(), key))
}

fn decode(material: &str) -> Option<Vec<u8>> {
    let material = material.trim();
    STANDARD
        .decode(material)
        .or_else(|_| STANDARD_NO_PAD.decode(material))
        .ok()
}
