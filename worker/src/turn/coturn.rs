//! coturn's shared-secret credentials ("TURN REST API", coturn's `use-auth-secret`):
//! username `<expiry unix seconds>:<user>`, password base64(HMAC-SHA1(secret, username)).
//!
//! What coturn does with the username (coturn 4.6, `userdb.c`), and why [`turn_user`] encodes
//! the user id:
//! - It takes the expiry from the digits before the *first* `:` and refuses the credential
//!   once that time has passed; then it recomputes the HMAC over the whole username with its
//!   secret. So nobody can extend an expiry or swap a user without the secret.
//! - If the part before the first `:` is not all digits it reads the number *after* it
//!   instead (the older `user:expiry` order). A user part that carried its own `:` could
//!   therefore only ever sit after our digits; encoding it keeps exactly one separator anyway.
//! - The part after the first `:` is the "real user name" its `user-quota` counts allocations
//!   by, so one Confab user's credentials share one quota.
//! - It handles the username as a C string (a NUL would cut the HMAC input short) and writes
//!   it into its log (`user <...>`): a control character could forge log lines.
//!
//! Hence the user part is the user id percent-encoded down to RFC 3986 unreserved characters
//! (`guest:1f…` becomes `guest%3A1f…`): printable ASCII, no `:`, no control characters, and
//! still one-to-one, so two users never share a name (or a quota).

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use confab_protocol::IceServer;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The relay settings of the coturn mode (see [`super::config`]).
#[derive(Clone, PartialEq, Eq)]
pub struct CoturnSecret {
    /// `turn:` / `turns:` URLs of the coturn.
    pub urls: Vec<String>,
    /// coturn's `static-auth-secret`.
    pub secret: String,
    /// Seconds a credential lasts.
    pub ttl: u32,
}

impl fmt::Debug for CoturnSecret {
    // The secret never reaches a log line through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoturnSecret")
            .field("urls", &self.urls)
            .field("secret", &"(redacted)")
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// One user's relay credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub server: IceServer,
    /// Unix seconds; the number in the username.
    pub expires_at: i64,
}

impl CoturnSecret {
    /// The credential `user_id` gets at unix time `now`.
    pub fn credential(&self, user_id: &str, now: i64) -> Credential {
        let expires_at = now + i64::from(self.ttl);
        let username = username(expires_at, user_id);
        let credential = password(&self.secret, &username);
        Credential {
            server: IceServer {
                urls: self.urls.clone(),
                username: Some(username),
                credential: Some(credential),
            },
            expires_at,
        }
    }
}

/// `<expiry>:<user>`.
pub fn username(expires_at: i64, user_id: &str) -> String {
    format!("{expires_at}:{}", turn_user(user_id))
}

/// base64(HMAC-SHA1(secret, username)), what coturn recomputes.
pub fn password(secret: &str, username: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(username.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// RFC 3986 unreserved characters stay; everything else (`:`, `%`, spaces, controls,
/// non-ASCII) is percent-encoded.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Longest user part kept readable; STUN caps the whole username at 513 bytes.
pub const MAX_USER_CHARS: usize = 128;

/// The user part of the username: the user id percent-encoded (module docs); an id that
/// would encode longer than [`MAX_USER_CHARS`] becomes `%sha256-<first 32 hex digits>` of it
/// (a `%` not followed by two hex digits: no encoded id looks like that).
pub fn turn_user(user_id: &str) -> String {
    let encoded = utf8_percent_encode(user_id, NOT_UNRESERVED).to_string();
    if encoded.len() <= MAX_USER_CHARS {
        return encoded;
    }
    let digest = Sha256::digest(user_id.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("%sha256-{hex}")
}
