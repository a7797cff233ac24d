//! Access tokens made by the tests themselves: valid ones (signed with the worker's key, to
//! test without `/auth/guest`) and hostile ones (other key, `alg: none`, expired, ...).
//!
//! The shape follows the worker's tokens: header `{alg: HS256 | EdDSA, kid, typ: "at+jwt"}`,
//! claims `iss`, `aud`, `sub`, `name`, `guest`, `iat`, `nbf`, `exp` (unix seconds).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::wrangler::{JwtAlg, JwtKey};

pub const ISSUER: &str = "confab";
pub const AUDIENCE: &str = "confab-api";
pub const TYPE: &str = "at+jwt";

/// The claims of an access token.
#[derive(Debug, Clone)]
pub struct Claims {
    pub sub: String,
    pub name: String,
    pub guest: bool,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

impl Claims {
    /// A guest valid from now for ten minutes.
    pub fn guest(name: &str) -> Self {
        let now = unix_now();
        Claims {
            sub: format!("guest:{}", uuid::Uuid::new_v4().simple()),
            name: name.to_owned(),
            guest: true,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            nbf: now,
            exp: now + 600,
        }
    }

    /// A guest whose token was issued two hours ago and expired an hour ago.
    pub fn expired_guest(name: &str) -> Self {
        let now = unix_now();
        Claims {
            iat: now - 7200,
            nbf: now - 7200,
            exp: now - 3600,
            ..Claims::guest(name)
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "iss": self.iss, "aud": self.aud, "sub": self.sub, "name": self.name,
            "guest": self.guest, "iat": self.iat, "nbf": self.nbf, "exp": self.exp,
        })
    }
}

/// A token signed with `key` (HS256 or EdDSA, as its kind says), as the worker issues them.
pub fn mint(key: &JwtKey, claims: &Claims) -> String {
    match key.alg {
        JwtAlg::Hs256 => {
            let header = json!({ "alg": "HS256", "kid": key.kid, "typ": TYPE });
            sign(&key.secret, &header, &claims.to_json())
        }
        JwtAlg::Ed25519 => {
            let header = json!({ "alg": "EdDSA", "kid": key.kid, "typ": TYPE });
            sign_ed25519(&key.secret, &header, &claims.to_json())
        }
    }
}

/// `header.claims` signed with Ed25519 under the 32-byte `seed`, whatever the header says.
pub fn sign_ed25519(seed: &[u8], header: &Value, claims: &Value) -> String {
    let seed = <[u8; 32]>::try_from(seed).expect("an Ed25519 seed is 32 bytes");
    let signing_input = format!("{}.{}", b64(header), b64(claims));
    let pair = ed25519_compact::KeyPair::from_seed(ed25519_compact::Seed::new(seed));
    let signature = pair.sk.sign(signing_input.as_bytes(), None);
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(*signature))
}

/// `header.claims` signed with HMAC-SHA256 under `secret`, whatever the header says.
pub fn sign(secret: &[u8], header: &Value, claims: &Value) -> String {
    let signing_input = format!("{}.{}", b64(header), b64(claims));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// An unsigned token (`alg: none`, empty signature) with the right `kid`.
pub fn unsigned(kid: &str, claims: &Claims) -> String {
    let header = json!({ "alg": "none", "kid": kid, "typ": TYPE });
    format!("{}.{}.", b64(&header), b64(&claims.to_json()))
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}
