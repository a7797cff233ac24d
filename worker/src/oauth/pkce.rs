//! The per-sign-in secrets: `state`, the PKCE code verifier (RFC 7636) and the OpenID nonce,
//! each 32 random bytes in base64url without padding (43 characters). The caller supplies the
//! random bytes, so these functions are plain and testable.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Random bytes behind each value.
pub const RANDOM_BYTES: usize = 32;

/// A `state`, verifier or nonce from fresh random bytes: 43 characters of `[A-Za-z0-9_-]`, which
/// is within RFC 7636's verifier alphabet and length (43–128).
pub fn encode_random(bytes: &[u8; RANDOM_BYTES]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The S256 code challenge: `BASE64URL-NO-PAD(SHA-256(ASCII(verifier)))`.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B: the octets, the verifier they encode to, and its S256 challenge.
    const RFC7636_OCTETS: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    const RFC7636_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC7636_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn matches_the_rfc7636_appendix_b_example() {
        assert_eq!(encode_random(&RFC7636_OCTETS), RFC7636_VERIFIER);
        assert_eq!(s256_challenge(RFC7636_VERIFIER), RFC7636_CHALLENGE);
    }

    #[test]
    fn verifier_is_43_unreserved_characters() {
        for byte in [0u8, 0xff, 0x3e, 0x3f] {
            let value = encode_random(&[byte; RANDOM_BYTES]);
            assert_eq!(value.len(), 43, "{value}");
            assert!(
                value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{value}"
            );
        }
    }
}
