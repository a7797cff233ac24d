//! The public verification keys as a JWK Set (RFC 7517 §5, RFC 8037 for Ed25519), served at
//! `/.well-known/jwks.json` so anyone can verify our access tokens without our code.
//!
//! Only Ed25519 public keys appear: an HS256 secret can never be published, and the private
//! seed of an Ed25519 key never leaves the table.

use jwt_compact::jwk::JsonWebKey;
use serde::Serialize;

use super::keys::SigningKey;
use super::KeyTable;

/// `{"keys":[...]}`.
#[derive(Serialize)]
pub struct Jwks<'a> {
    pub keys: Vec<PublicJwk<'a>>,
}

/// `{"kty":"OKP","crv":"Ed25519","x":..,"kid":..,"alg":"EdDSA","use":"sig"}`.
#[derive(Serialize)]
pub struct PublicJwk<'a> {
    /// `kty`, `crv` and `x` (base64url of the 32-byte public key), from jwt-compact.
    #[serde(flatten)]
    key: JsonWebKey<'a>,
    kid: &'a str,
    alg: &'static str,
    #[serde(rename = "use")]
    usage: &'static str,
}

impl KeyTable {
    /// Every Ed25519 key's public half, in table order (the signing key first).
    pub fn jwks(&self) -> Jwks<'_> {
        let keys = self
            .keys
            .iter()
            .filter_map(|(kid, key)| match key {
                SigningKey::Ed25519 { public, .. } => Some(PublicJwk {
                    key: JsonWebKey::from(public),
                    kid,
                    alg: key.algorithm(),
                    usage: "sig",
                }),
                SigningKey::Hs256(_) => None,
            })
            .collect();
        Jwks { keys }
    }
}
