//! Ed25519 keys: signing, the algorithm fixed per kid (no alg confusion), rotation across
//! algorithms, and the published JWK Set.

use super::*;
use ed25519_compact::{KeyPair, Seed};

/// RFC 8037 Appendix A.1: an Ed25519 private seed (`d`) and its public key (`x`), base64url.
const RFC8037_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

fn seed(byte: u8) -> [u8; 32] {
    [byte; 32]
}

fn ed_spec(kid: &str, seed: [u8; 32]) -> String {
    format!("{kid}:ed25519:{}", STANDARD.encode(seed))
}

fn public_key(seed: [u8; 32]) -> [u8; 32] {
    *KeyPair::from_seed(Seed::new(seed)).pk
}

/// Signs arbitrary header/claims JSON with an Ed25519 seed (deterministic RFC 8032 signature).
fn forge_ed(header: serde_json::Value, claims: serde_json::Value, seed: [u8; 32]) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = KeyPair::from_seed(Seed::new(seed))
        .sk
        .sign(signing_input.as_bytes(), None);
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(*signature))
}

fn header_of(token: &str) -> serde_json::Value {
    let part = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn ed_header(kid: &str) -> serde_json::Value {
    serde_json::json!({"alg": "EdDSA", "kid": kid, "typ": "at+jwt"})
}

#[test]
fn test_signer_matches_the_rfc8037_signature_vector() {
    // RFC 8037 A.4: the JWS of "Example of Ed25519 signing" under the A.1 key.
    let seed: [u8; 32] = URL_SAFE_NO_PAD
        .decode(RFC8037_D)
        .unwrap()
        .try_into()
        .unwrap();
    let input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    let signature = KeyPair::from_seed(Seed::new(seed)).sk.sign(input, None);
    assert_eq!(
        URL_SAFE_NO_PAD.encode(*signature),
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    );
}

#[test]
fn ed25519_token_verifies_and_says_eddsa_with_its_kid() {
    let keys = table(&ed_spec("ed1", seed(7)));
    let token = keys.issue(&mina(), now());
    assert_eq!(
        header_of(&token),
        serde_json::json!({"alg": "EdDSA", "kid": "ed1", "typ": "at+jwt"})
    );
    assert_eq!(keys.verify(&token, now()), Ok(mina()));
    // A hand-signed token with the same seed verifies too, so the forgeries below mean something.
    let hand = forge_ed(ed_header("ed1"), good_claims(), seed(7));
    assert_eq!(keys.verify(&hand, now()), Ok(mina()));
}

#[test]
fn ed25519_token_from_another_key_or_tampered_is_refused() {
    let keys = table(&ed_spec("ed1", seed(7)));
    let other = forge_ed(ed_header("ed1"), good_claims(), seed(8));
    assert_eq!(keys.verify(&other, now()), Err(TokenError::BadSignature));

    let token = keys.issue(&mina(), now());
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut claims = good_claims();
    claims["name"] = "Mallory".into();
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    assert_eq!(
        keys.verify(&parts.join("."), now()),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn header_alg_must_be_the_kids_algorithm() {
    let keys = table(&format!("{},hs:{}", ed_spec("ed1", seed(7)), secret(1)));
    let public = public_key(seed(7));
    let hs_header = serde_json::json!({"alg": "HS256", "kid": "ed1", "typ": "at+jwt"});
    // The classic confusion: HMAC keyed with the public key, which anyone can fetch.
    let confused = forge(hs_header.clone(), good_claims(), &public);
    assert_eq!(
        keys.verify(&confused, now()),
        Err(TokenError::WrongAlgorithm)
    );
    // ... or keyed with the public key as the JWKS spells it.
    let x = URL_SAFE_NO_PAD.encode(public);
    let confused = forge(hs_header, good_claims(), x.as_bytes());
    assert_eq!(
        keys.verify(&confused, now()),
        Err(TokenError::WrongAlgorithm)
    );
    // The other way round: an EdDSA header under the HS256 kid.
    let eddsa_under_hs = forge_ed(ed_header("hs"), good_claims(), seed(7));
    assert_eq!(
        keys.verify(&eddsa_under_hs, now()),
        Err(TokenError::WrongAlgorithm)
    );
    for alg in ["none", "Ed25519", "ES256", "RS256", "eddsa"] {
        let header = URL_SAFE_NO_PAD
            .encode(serde_json::json!({"alg": alg, "kid": "ed1", "typ": "at+jwt"}).to_string());
        let body = URL_SAFE_NO_PAD.encode(good_claims().to_string());
        let sig = URL_SAFE_NO_PAD.encode([0u8; 64]);
        for token in [
            format!("{header}.{body}."),
            format!("{header}.{body}.{sig}"),
        ] {
            assert_eq!(
                keys.verify(&token, now()),
                Err(TokenError::WrongAlgorithm),
                "alg {alg}"
            );
        }
    }
    // Both kids still verify their own tokens.
    let hs_token = forge(
        serde_json::json!({"alg": "HS256", "kid": "hs", "typ": "at+jwt"}),
        good_claims(),
        &[1; 64],
    );
    assert_eq!(keys.verify(&hs_token, now()), Ok(mina()));
    assert_eq!(keys.verify(&keys.issue(&mina(), now()), now()), Ok(mina()));
}

#[test]
fn ed25519_wrong_type_issuer_audience_kid_or_time_are_refused() {
    let keys = table(&ed_spec("ed1", seed(7)));
    let with = |field: &str, value: serde_json::Value| {
        let mut c = good_claims();
        c[field] = value;
        c
    };
    let check = |h, c| keys.verify(&forge_ed(h, c, seed(7)), now());
    let typ = serde_json::json!({"alg": "EdDSA", "kid": "ed1", "typ": "JWT"});
    assert_eq!(check(typ, good_claims()), Err(TokenError::WrongType));
    assert_eq!(
        check(ed_header("ed1"), with("iss", "evil".into())),
        Err(TokenError::WrongIssuerOrAudience)
    );
    assert_eq!(
        check(ed_header("ed1"), with("aud", "other".into())),
        Err(TokenError::WrongIssuerOrAudience)
    );
    assert_eq!(
        check(ed_header("ed9"), good_claims()),
        Err(TokenError::UnknownKey)
    );
    let t = now().timestamp();
    assert_eq!(
        check(ed_header("ed1"), with("exp", (t - 3600).into())),
        Err(TokenError::Expired)
    );
    assert_eq!(
        check(ed_header("ed1"), with("nbf", (t + 3600).into())),
        Err(TokenError::NotYetValid)
    );
}

#[test]
fn rotation_by_kid_works_across_keys_and_algorithms() {
    let hs_old = table(&format!("hs-old:{}", secret(1)));
    let ed_old = table(&ed_spec("ed-old", seed(2)));
    let rotated = table(&format!(
        "{},{},hs-old:{}",
        ed_spec("ed-new", seed(3)),
        ed_spec("ed-old", seed(2)),
        secret(1)
    ));
    for old in [&hs_old, &ed_old] {
        assert_eq!(
            rotated.verify(&old.issue(&mina(), now()), now()),
            Ok(mina())
        );
    }
    let fresh = rotated.issue(&mina(), now());
    assert_eq!(header_of(&fresh)["kid"], "ed-new");
    assert_eq!(header_of(&fresh)["alg"], "EdDSA");
    assert_eq!(ed_old.verify(&fresh, now()), Err(TokenError::UnknownKey));
}

#[test]
fn jwks_lists_every_ed25519_public_key_and_nothing_secret() {
    let d = URL_SAFE_NO_PAD.decode(RFC8037_D).unwrap();
    let spec = format!(
        "new:ed25519:{},legacy:{},old:ed25519:{}",
        STANDARD.encode(&d),
        secret(1),
        STANDARD.encode(seed(2))
    );
    let jwks = serde_json::to_value(table(&spec).jwks()).unwrap();
    let old_x = URL_SAFE_NO_PAD.encode(public_key(seed(2)));
    assert_eq!(
        jwks,
        serde_json::json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": "new", "alg": "EdDSA", "use": "sig"},
            {"kty": "OKP", "crv": "Ed25519", "x": old_x, "kid": "old", "alg": "EdDSA", "use": "sig"},
        ]})
    );
    let text = jwks.to_string();
    assert!(!text.contains(RFC8037_D), "private seed leaked: {text}");
    assert!(
        !text.contains(&URL_SAFE_NO_PAD.encode([1u8; 64])),
        "HS256 secret leaked"
    );
    assert!(!text.contains("\"d\""), "{text}");
}

#[test]
fn jwks_of_a_shared_secret_table_is_empty() {
    let jwks = serde_json::to_value(table(&format!("k1:{}", secret(1))).jwks()).unwrap();
    assert_eq!(jwks, serde_json::json!({"keys": []}));
}

#[test]
fn key_entries_name_their_type_and_ed25519_seeds_are_32_bytes() {
    let explicit = table(&format!("k1:hs256:{}", secret(1)));
    let implicit = table(&format!("k1:{}", secret(1)));
    assert_eq!(
        explicit.verify(&implicit.issue(&mina(), now()), now()),
        Ok(mina())
    );
    let upper = table(&format!("ed1:Ed25519:{}", STANDARD.encode(seed(7))));
    let lower = table(&ed_spec("ed1", seed(7)));
    assert_eq!(
        lower.verify(&upper.issue(&mina(), now()), now()),
        Ok(mina())
    );
    let unpadded = STANDARD_NO_PAD.encode(seed(7));
    assert!(KeyTable::parse(&format!("ed1:ed25519:{unpadded}"), ISS, AUD).is_ok());
    for bad in [
        format!("ed1:ed25519:{}", STANDARD.encode([7u8; 31])),
        format!("ed1:ed25519:{}", STANDARD.encode([7u8; 64])),
    ] {
        assert!(
            matches!(
                KeyTable::parse(&bad, ISS, AUD),
                Err(KeyConfigError::BadEd25519Seed(0))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        KeyTable::parse(&format!("k:rsa:{}", secret(1)), ISS, AUD),
        Err(KeyConfigError::UnknownKeyType(0, kind)) if kind == "rsa"
    ));
    assert!(matches!(
        KeyTable::parse("k:ed25519:not base64!", ISS, AUD),
        Err(KeyConfigError::Malformed(0))
    ));
    assert!(matches!(
        KeyTable::parse(&format!("{},{}", ed_spec("k", seed(1)), ed_spec("k", seed(2))), ISS, AUD),
        Err(KeyConfigError::DuplicateKid(kid)) if kid == "k"
    ));
    // A 32-byte secret is too weak for HS256 even if it would be a fine Ed25519 seed.
    assert!(matches!(
        KeyTable::parse(&format!("k:hs256:{}", STANDARD.encode(seed(1))), ISS, AUD),
        Err(KeyConfigError::WeakKey(0))
    ));
}
