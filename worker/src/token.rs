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
use serde::de::DeserializeOwned;
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
        let claims = AccessClaims {
            sub: who.user_id.clone(),
            name: who.name.clone(),
            guest: who.guest,
            avatar: who.avatar.clone(),
        };
        self.sign(
            ACCESS_TOKEN_TYPE,
            &self.audience,
            claims,
            Duration::seconds(ACCESS_TOKEN_SECONDS),
            now,
        )
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
        let (claims, expires_at) =
            self.verify_typed::<AccessClaims>(token, ACCESS_TOKEN_TYPE, &self.audience, now)?;
        let identity = Identity {
            user_id: claims.sub,
            name: claims.name,
            guest: claims.guest,
            avatar: claims.avatar,
        };
        Ok((identity, expires_at))
    }

    /// Signs `claims` with the first key as a JWT of type `typ` for `audience` (our issuer),
    /// valid from `now` for `lifetime`. Each use of the key table (access tokens, the sign-in
    /// cookie) has its own `typ` and audience, so no token of one use passes as another.
    pub fn sign<T: Serialize>(
        &self,
        typ: &str,
        audience: &str,
        claims: T,
        lifetime: Duration,
        now: DateTime<Utc>,
    ) -> String {
        let (kid, key) = &self.keys[0];
        let options = TimeOptions::new(Duration::seconds(LEEWAY_SECONDS), move || now);
        let claims = Claims::new(Scoped {
            iss: self.issuer.clone(),
            aud: audience.to_owned(),
            claims,
        })
        .set_duration_and_issuance(&options, lifetime)
        .set_not_before(now);
        let header = Header::empty()
            .with_key_id(kid.clone())
            .with_token_type(typ);
        // Signing serializable claims has no failure path we can hit (only serialization fails).
        match key {
            SigningKey::Hs256(key) => StrongAlg(Hs256).token(&header, &claims, key),
            SigningKey::Ed25519 { secret, .. } => Ed25519.token(&header, &claims, secret),
        }
        .unwrap_or_default()
    }

    /// Verifies a token made by [`KeyTable::sign`]: the key (and so the algorithm) by `kid`
    /// from our table, the signature, `typ`, `iat`, `exp`/`nbf` (with leeway), our issuer and
    /// `audience`. Returns the claims and the expiry (unix seconds).
    pub fn verify_typed<T: DeserializeOwned>(
        &self,
        token: &str,
        typ: &str,
        audience: &str,
        now: DateTime<Utc>,
    ) -> Result<(T, i64), TokenError> {
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
        // The type is in the signed header, so checking it before the claims is safe and
        // keeps a token of another use from being reported as "missing claims".
        if untrusted.header().token_type.as_deref() != Some(typ) {
            validate::<serde_json::Value>(key, &untrusted).map_err(|_| TokenError::BadSignature)?;
            return Err(TokenError::WrongType);
        }
        let verified = validate::<Scoped<T>>(key, &untrusted).map_err(|e| match e {
            jwt_compact::ValidationError::MalformedClaims(_) => TokenError::MissingClaim,
            _ => TokenError::BadSignature,
        })?;
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
        if claims.custom.iss != self.issuer || claims.custom.aud != audience {
            return Err(TokenError::WrongIssuerOrAudience);
        }
        let expires_at = claims
            .expiration
            .map(|t| t.timestamp())
            .ok_or(TokenError::MissingClaim)?;
        let (_, claims) = verified.into_parts();
        Ok((claims.custom.claims, expires_at))
    }
}

/// Custom claims with the issuer and audience every token of ours carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Scoped<T> {
    iss: String,
    aud: String,
    #[serde(flatten)]
    claims: T,
}

/// Checks the signature with `key`'s own algorithm and parses the claims.
fn validate<T: DeserializeOwned>(
    key: &SigningKey,
    untrusted: &UntrustedToken<'_>,
) -> Result<Token<T>, jwt_compact::ValidationError> {
    match key {
        SigningKey::Hs256(key) => StrongAlg(Hs256).validator::<T>(key).validate(untrusted),
        SigningKey::Ed25519 { public, .. } => Ed25519.validator::<T>(public).validate(untrusted),
    }
}

#[cfg(test)]
mod tests;
