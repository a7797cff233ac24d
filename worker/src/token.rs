//! Access tokens: JWTs signed with jwt-compact, EdDSA (Ed25519) or HS256 (≥ 64-byte secrets).
//!
//! The verifying key, and so the algorithm, is chosen from our own key table by `kid`; the token
//! header never decides: a header `alg` other than the one of the kid's key is refused. `typ`,
//! `iss`, `aud`, `exp`, `nbf` and `iat` are all required and checked. Ed25519 public keys are
//! published as a JWK Set ([`KeyTable::jwks`]). Plain Rust: unit-tested on the host with an
//! explicit clock.

use chrono::{DateTime, Duration, Utc};
use jwt_compact::alg::{Ed25519, Hs256, StrongAlg};
use jwt_compact::{AlgorithmExt, Claims, Header, TimeOptions, Token, UntrustedToken};
use serde::{Deserialize, Serialize};

use keys::{parse_entry, SigningKey};

mod jwks;
mod keys;

pub use jwks::Jwks;

/// `typ` header of access tokens (RFC 9068).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// Access tokens live this long; the app renews them before expiry.
pub const ACCESS_TOKEN_SECONDS: i64 = 600;
/// Clock skew tolerated on `exp`/`nbf`.
const LEEWAY_SECONDS: i64 = 30;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyConfigError {
    #[error("JWT_KEYS is empty")]
    Empty,
    #[error("JWT_KEYS entry {0} is not `kid:base64secret` or `kid:ed25519:base64seed`")]
    Malformed(usize),
    #[error("JWT_KEYS entry {0}: secret must decode to at least 64 bytes")]
    WeakKey(usize),
    #[error("JWT_KEYS entry {0}: an ed25519 seed must decode to exactly 32 bytes")]
    BadEd25519Seed(usize),
    #[error("JWT_KEYS entry {0}: unknown key type `{1}` (use `ed25519` or `hs256`)")]
    UnknownKeyType(usize, String),
    #[error("JWT_KEYS has kid `{0}` twice")]
    DuplicateKid(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("token is malformed")]
    Malformed,
    #[error("token algorithm is not accepted")]
    WrongAlgorithm,
    #[error("token key id is unknown")]
    UnknownKey,
    #[error("token type is not an access token")]
    WrongType,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet")]
    NotYetValid,
    #[error("token issuer or audience is wrong")]
    WrongIssuerOrAudience,
    #[error("token lacks a required claim")]
    MissingClaim,
}

/// Who a verified token speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub user_id: String,
    pub name: String,
    pub guest: bool,
    /// Path of the profile image, when the user has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AccessClaims {
    iss: String,
    aud: String,
    sub: String,
    name: String,
    guest: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    avatar: Option<String>,
}

/// Signing keys by `kid`; the first configured key signs, all verify (rotation).
pub struct KeyTable {
    keys: Vec<(String, SigningKey)>,
    issuer: String,
    audience: String,
}

impl KeyTable {
    /// Parses comma-separated entries `kid:base64secret` (HS256, also `kid:hs256:base64secret`)
    /// or `kid:ed25519:base64seed` (EdDSA); see the `keys` module for the grammar.
    pub fn parse(spec: &str, issuer: &str, audience: &str) -> Result<Self, KeyConfigError> {
        let mut keys: Vec<(String, SigningKey)> = Vec::new();
        for (index, entry) in spec
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .enumerate()
        {
            let (kid, key) = parse_entry(index, entry)?;
            if keys.iter().any(|(k, _)| *k == kid) {
                return Err(KeyConfigError::DuplicateKid(kid));
            }
            keys.push((kid, key));
        }
        if keys.is_empty() {
            return Err(KeyConfigError::Empty);
        }
        Ok(KeyTable {
            keys,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        })
    }

    /// Issues an access token for `who`, valid from `now` for [`ACCESS_TOKEN_SECONDS`].
    pub fn issue(&self, who: &Identity, now: DateTime<Utc>) -> String {
        let (kid, key) = &self.keys[0];
        let options = TimeOptions::new(Duration::seconds(LEEWAY_SECONDS), move || now);
        let claims = Claims::new(AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: who.user_id.clone(),
            name: who.name.clone(),
            guest: who.guest,
            avatar: who.avatar.clone(),
        })
        .set_duration_and_issuance(&options, Duration::seconds(ACCESS_TOKEN_SECONDS))
        .set_not_before(now);
        let header = Header::empty()
            .with_key_id(kid.clone())
            .with_token_type(ACCESS_TOKEN_TYPE);
        // Signing serializable claims has no failure path we can hit (only serialization fails).
        match key {
            SigningKey::Hs256(key) => StrongAlg(Hs256).token(&header, &claims, key),
            SigningKey::Ed25519 { secret, .. } => Ed25519.token(&header, &claims, secret),
        }
        .unwrap_or_default()
    }

    /// Verifies signature, type, time window, issuer and audience.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Identity, TokenError> {
        self.verify_session(token, now)
            .map(|(identity, _)| identity)
    }

    /// Like [`KeyTable::verify`], also returning the token's expiry (unix seconds).
    pub fn verify_session(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(Identity, i64), TokenError> {
        let untrusted = UntrustedToken::new(token).map_err(|_| TokenError::Malformed)?;
        let kid = untrusted
            .header()
            .key_id
            .as_deref()
            .ok_or(TokenError::UnknownKey)?;
        let key = self
            .keys
            .iter()
            .find(|(k, _)| k == kid)
            .map(|(_, key)| key)
            .ok_or(TokenError::UnknownKey)?;
        // Our table fixes the algorithm of each kid; the header may only agree with it.
        if untrusted.algorithm() != key.algorithm() {
            return Err(TokenError::WrongAlgorithm);
        }
        let verified = validate(key, &untrusted).map_err(|e| match e {
            jwt_compact::ValidationError::MalformedClaims(_) => TokenError::MissingClaim,
            _ => TokenError::BadSignature,
        })?;
        if verified.header().token_type.as_deref() != Some(ACCESS_TOKEN_TYPE) {
            return Err(TokenError::WrongType);
        }
        let claims = verified.claims();
        if claims.issued_at.is_none() {
            return Err(TokenError::MissingClaim);
        }
        let options = TimeOptions::new(Duration::seconds(LEEWAY_SECONDS), move || now);
        claims.validate_expiration(&options).map_err(|e| match e {
            jwt_compact::ValidationError::Expired => TokenError::Expired,
            _ => TokenError::MissingClaim,
        })?;
        claims.validate_maturity(&options).map_err(|e| match e {
            jwt_compact::ValidationError::NotMature => TokenError::NotYetValid,
            _ => TokenError::MissingClaim,
        })?;
        let custom = &claims.custom;
        if custom.iss != self.issuer || custom.aud != self.audience {
            return Err(TokenError::WrongIssuerOrAudience);
        }
        let expires_at = claims
            .expiration
            .map(|t| t.timestamp())
            .ok_or(TokenError::MissingClaim)?;
        let identity = Identity {
            user_id: custom.sub.clone(),
            name: custom.name.clone(),
            guest: custom.guest,
            avatar: custom.avatar.clone(),
        };
        Ok((identity, expires_at))
    }
}

/// Checks the signature with `key`'s own algorithm and parses the claims.
fn validate(
    key: &SigningKey,
    untrusted: &UntrustedToken<'_>,
) -> Result<Token<AccessClaims>, jwt_compact::ValidationError> {
    match key {
        SigningKey::Hs256(key) => StrongAlg(Hs256)
            .validator::<AccessClaims>(key)
            .validate(untrusted),
        SigningKey::Ed25519 { public, .. } => Ed25519
            .validator::<AccessClaims>(public)
            .validate(untrusted),
    }
}

#[cfg(test)]
mod tests;
