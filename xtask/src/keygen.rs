//! `cargo xtask keygen`: a fresh `JWT_KEYS` entry, and the dev key `cargo xtask build` writes.
//!
//! An Ed25519 key is just its 32-byte random seed (the worker derives the public key), so std
//! and the OS random source are enough here: no crypto library.

use std::fs;
use std::io::Read;

use crate::util::{self, Context, Result};

/// Bytes from the OS random source.
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("reading /dev/urandom")?;
    Ok(bytes)
}

/// `kid:ed25519:base64(seed)`: an EdDSA signing key (public half at /.well-known/jwks.json).
pub fn ed25519_entry(kid: &str) -> Result<String> {
    Ok(format!(
        "{kid}:ed25519:{}",
        util::base64(&random_bytes::<32>()?)
    ))
}

/// `kid:base64(secret)`: an HS256 key from 64 random bytes (the worker's minimum).
pub fn hs256_entry(kid: &str) -> Result<String> {
    Ok(format!("{kid}:{}", util::base64(&random_bytes::<64>()?)))
}

/// A kid the worker accepts and that cannot break the `JWT_KEYS` list.
fn check_kid(kid: &str) -> Result {
    let ok = !kid.is_empty()
        && kid.len() <= 64
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "keygen: kid `{kid}` must be 1-64 of [A-Za-z0-9._-]"
        ))
    }
}

/// `cargo xtask keygen [--kid NAME] [--hs256]`: prints one entry on stdout (nothing else, so it
/// can be piped into `wrangler secret put JWT_KEYS`) and how to rotate on stderr.
pub fn keygen(mut args: Vec<String>) -> Result<i32> {
    let hs256 = {
        let before = args.len();
        args.retain(|a| a != "--hs256");
        args.len() != before
    };
    let kid = match args.as_slice() {
        [] => format!("k{:08x}", u32::from_le_bytes(random_bytes::<4>()?)),
        [flag, kid] if flag == "--kid" => kid.clone(),
        _ => {
            return Err(format!(
                "keygen: unexpected arguments {args:?}\n\n{}",
                crate::USAGE
            ))
        }
    };
    check_kid(&kid)?;
    let entry = if hs256 {
        hs256_entry(&kid)?
    } else {
        ed25519_entry(&kid)?
    };
    println!("{entry}");
    eprintln!(
        "Rotation: JWT_KEYS=\"<this entry>,<current keys>\" (the first key signs, all verify);\n\
         drop an old key once its last tokens have expired (10 minutes)."
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_len(b64: &str) -> usize {
        let padding = b64.bytes().rev().take_while(|&b| b == b'=').count();
        b64.len() / 4 * 3 - padding
    }

    #[test]
    fn ed25519_entry_is_kid_type_and_a_fresh_32_byte_seed() {
        let a = ed25519_entry("dev").unwrap();
        let b = ed25519_entry("dev").unwrap();
        assert_ne!(a, b, "two keys must differ");
        let parts: Vec<&str> = a.split(':').collect();
        assert_eq!(parts[..2], ["dev", "ed25519"], "{a}");
        assert_eq!(decode_len(parts[2]), 32, "{a}");
    }

    #[test]
    fn hs256_entry_has_64_bytes() {
        let entry = hs256_entry("old").unwrap();
        let (kid, secret) = entry.split_once(':').unwrap();
        assert_eq!(kid, "old");
        assert_eq!(decode_len(secret), 64);
    }

    #[test]
    fn kids_that_would_break_the_list_are_refused() {
        for bad in ["", "a,b", "a:b", "a b", "ключ", &"k".repeat(65)] {
            assert!(check_kid(bad).is_err(), "{bad:?}");
        }
        for good in ["dev", "k2026-05-01", "prod_1.a"] {
            assert!(check_kid(good).is_ok(), "{good:?}");
        }
    }
}
