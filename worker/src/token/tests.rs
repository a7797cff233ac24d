use super::*;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine as _;

mod eddsa;
mod typed;

const ISS: &str = "confab";
const AUD: &str = "confab-api";

fn secret(byte: u8) -> String {
    STANDARD.encode([byte; 64])
}

fn table(spec: &str) -> KeyTable {
    KeyTable::parse(spec, ISS, AUD).expect("valid key table")
}

fn mina() -> Identity {
    Identity {
        user_id: "guest:1".into(),
        name: "Mina".into(),
        guest: true,
        avatar: None,
    }
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

/// Signs arbitrary header/claims JSON with an HMAC key, to forge tokens the issuer never made.
fn forge(header: serde_json::Value, claims: serde_json::Value, key: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn good_claims() -> serde_json::Value {
    let t = now().timestamp();
    serde_json::json!({"iss": ISS, "aud": AUD, "sub": "guest:1", "name": "Mina", "guest": true,
                       "iat": t, "nbf": t, "exp": t + 600})
}

#[test]
fn issued_token_verifies_and_names_the_user() {
    let keys = table(&format!("k1:{}", secret(1)));
    let token = keys.issue(&mina(), now());
    assert_eq!(keys.verify(&token, now()), Ok(mina()));
}

#[test]
fn hand_forged_token_with_the_right_key_verifies_so_the_forgery_tests_mean_something() {
    let header = serde_json::json!({"alg": "HS256", "kid": "k1", "typ": "at+jwt"});
    let token = forge(header, good_claims(), &[1; 64]);
    assert_eq!(
        table(&format!("k1:{}", secret(1))).verify(&token, now()),
        Ok(mina())
    );
}

#[test]
fn token_expires_after_ten_minutes_plus_leeway() {
    let keys = table(&format!("k1:{}", secret(1)));
    let token = keys.issue(&mina(), now());
    let edge = ACCESS_TOKEN_SECONDS + LEEWAY_SECONDS;
    assert!(keys
        .verify(&token, now() + Duration::seconds(edge - 1))
        .is_ok());
    assert_eq!(
        keys.verify(&token, now() + Duration::seconds(edge + 1)),
        Err(TokenError::Expired)
    );
}

#[test]
fn token_from_the_future_is_not_yet_valid() {
    let keys = table(&format!("k1:{}", secret(1)));
    let token = keys.issue(&mina(), now() + Duration::seconds(120));
    assert_eq!(keys.verify(&token, now()), Err(TokenError::NotYetValid));
}

#[test]
fn wrong_key_unknown_kid_missing_kid_and_alg_none_are_refused() {
    let keys = table(&format!("k1:{}", secret(1)));
    let other = table(&format!("k1:{}", secret(2)));
    assert_eq!(
        keys.verify(&other.issue(&mina(), now()), now()),
        Err(TokenError::BadSignature)
    );

    let unknown = table(&format!("k9:{}", secret(1)));
    assert_eq!(
        keys.verify(&unknown.issue(&mina(), now()), now()),
        Err(TokenError::UnknownKey)
    );

    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1","typ":"at+jwt"}"#);
    let body = URL_SAFE_NO_PAD.encode(good_claims().to_string());
    assert_eq!(
        keys.verify(&format!("{none_header}.{body}."), now()),
        Err(TokenError::WrongAlgorithm)
    );

    let no_kid = forge(
        serde_json::json!({"alg": "HS256", "typ": "at+jwt"}),
        good_claims(),
        &[1; 64],
    );
    assert_eq!(keys.verify(&no_kid, now()), Err(TokenError::UnknownKey));
    assert_eq!(
        keys.verify("not-a-token", now()),
        Err(TokenError::Malformed)
    );
}

#[test]
fn wrong_type_issuer_audience_or_missing_claims_are_refused() {
    let keys = table(&format!("k1:{}", secret(1)));
    let header = |typ: &str| serde_json::json!({"alg": "HS256", "kid": "k1", "typ": typ});
    let with = |field: &str, value: serde_json::Value| {
        let mut c = good_claims();
        c[field] = value;
        c
    };
    let without = |field: &str| {
        let mut c = good_claims();
        c.as_object_mut().unwrap().remove(field);
        c
    };
    let check = |h, c| keys.verify(&forge(h, c, &[1; 64]), now());
    assert_eq!(
        check(header("JWT"), good_claims()),
        Err(TokenError::WrongType)
    );
    assert_eq!(
        check(header("at+jwt"), with("iss", "evil".into())),
        Err(TokenError::WrongIssuerOrAudience)
    );
    assert_eq!(
        check(header("at+jwt"), with("aud", "other".into())),
        Err(TokenError::WrongIssuerOrAudience)
    );
    for claim in ["exp", "nbf", "iat", "sub", "iss", "aud", "guest"] {
        assert!(
            check(header("at+jwt"), without(claim)).is_err(),
            "missing {claim} must be refused"
        );
    }
}

#[test]
fn rotated_keys_still_verify_but_new_tokens_use_the_first_key() {
    let old = table(&format!("old:{}", secret(1)));
    let rotated = table(&format!("new:{},old:{}", secret(2), secret(1)));
    assert_eq!(
        rotated.verify(&old.issue(&mina(), now()), now()),
        Ok(mina())
    );
    let fresh = rotated.issue(&mina(), now());
    assert_eq!(old.verify(&fresh, now()), Err(TokenError::UnknownKey));
}

#[test]
fn key_table_refuses_weak_or_malformed_keys() {
    assert!(matches!(
        KeyTable::parse("", ISS, AUD),
        Err(KeyConfigError::Empty)
    ));
    assert!(matches!(
        KeyTable::parse("nokid", ISS, AUD),
        Err(KeyConfigError::Malformed(0))
    ));
    let short = STANDARD.encode([1u8; 32]);
    assert!(matches!(
        KeyTable::parse(&format!("k:{short}"), ISS, AUD),
        Err(KeyConfigError::WeakKey(0))
    ));
    let dup = format!("k:{},k:{}", secret(1), secret(2));
    assert!(matches!(
        KeyTable::parse(&dup, ISS, AUD),
        Err(KeyConfigError::DuplicateKid(_))
    ));
}
