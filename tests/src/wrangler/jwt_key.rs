//! The worker's signing keys as tests hold them: what `JWT_KEYS` is made of.

use std::fmt;

use base64::Engine as _;

/// The algorithm a `JWT_KEYS` entry fixes for its kid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JwtAlg {
    /// `kid:base64(secret)`, a shared secret of ≥ 64 bytes.
    #[default]
    Hs256,
    /// `kid:ed25519:base64(seed)`, published at `/.well-known/jwks.json`.
    Ed25519,
}

/// One signing key, as the worker's `JWT_KEYS` secret names it.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtKey {
    pub kid: String,
    /// HS256: the shared secret. Ed25519: the 32-byte private seed.
    pub secret: Vec<u8>,
    pub alg: JwtAlg,
}

impl JwtKey {
    /// A fresh HS256 key with a 64-byte random secret (the worker's minimum).
    pub fn random(kid: &str) -> Self {
        Self::random_with(kid, JwtAlg::Hs256, 64)
    }

    /// A fresh Ed25519 key (a random 32-byte seed).
    pub fn random_ed25519(kid: &str) -> Self {
        Self::random_with(kid, JwtAlg::Ed25519, 32)
    }

    fn random_with(kid: &str, alg: JwtAlg, len: usize) -> Self {
        let mut secret = vec![0u8; len];
        getrandom::fill(&mut secret).expect("the OS random source works");
        JwtKey {
            kid: kid.to_owned(),
            secret,
            alg,
        }
    }

    /// The Ed25519 public key (what the JWKS publishes as `x`); `None` for HS256.
    pub fn public_key(&self) -> Option<[u8; 32]> {
        let seed = <[u8; 32]>::try_from(self.secret.as_slice()).ok()?;
        (self.alg == JwtAlg::Ed25519)
            .then(|| *ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(seed)).pk)
    }

    /// The `JWT_KEYS` entry for this key.
    pub fn to_spec(&self) -> String {
        let secret = base64::engine::general_purpose::STANDARD.encode(&self.secret);
        match self.alg {
            JwtAlg::Hs256 => format!("{}:{secret}", self.kid),
            JwtAlg::Ed25519 => format!("{}:ed25519:{secret}", self.kid),
        }
    }
}

impl fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}
