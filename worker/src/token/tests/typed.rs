//! Tokens of other uses (`sign` / `verify_typed`): each use has its own `typ` and audience, so a
//! token made for one use never passes as another, with the per-kid algorithm rule kept.

use super::*;

const NOTE_TYPE: &str = "confab-note+jwt";
const NOTE_AUD: &str = "confab-note";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Note {
    text: String,
}

fn note() -> Note {
    Note {
        text: "hello".into(),
    }
}

fn sign_note(keys: &KeyTable, at: DateTime<Utc>) -> String {
    keys.sign(NOTE_TYPE, NOTE_AUD, note(), Duration::seconds(600), at)
}

#[test]
fn typed_token_round_trips_with_its_expiry() {
    let keys = table(&format!("k1:{}", secret(1)));
    let token = sign_note(&keys, now());
    assert_eq!(
        keys.verify_typed::<Note>(&token, NOTE_TYPE, NOTE_AUD, now()),
        Ok((note(), now().timestamp() + 600))
    );
}

#[test]
fn access_token_is_not_a_typed_token_and_the_reverse() {
    let keys = table(&format!("k1:{}", secret(1)));
    let access = keys.issue(&mina(), now());
    assert_eq!(
        keys.verify_typed::<Note>(&access, NOTE_TYPE, NOTE_AUD, now()),
        Err(TokenError::WrongType)
    );
    let typed = sign_note(&keys, now());
    assert_eq!(keys.verify(&typed, now()), Err(TokenError::WrongType));
}

#[test]
fn typed_token_with_the_right_type_but_another_audience_is_refused() {
    let keys = table(&format!("k1:{}", secret(1)));
    let token = keys.sign(NOTE_TYPE, AUD, note(), Duration::seconds(600), now());
    assert_eq!(
        keys.verify_typed::<Note>(&token, NOTE_TYPE, NOTE_AUD, now()),
        Err(TokenError::WrongIssuerOrAudience)
    );
    // And an access-typed header over claims for another audience is no access token either.
    let header = serde_json::json!({"alg": "HS256", "kid": "k1", "typ": "at+jwt"});
    let mut claims = good_claims();
    claims["aud"] = NOTE_AUD.into();
    assert_eq!(
        keys.verify(&forge(header, claims, &[1; 64]), now()),
        Err(TokenError::WrongIssuerOrAudience)
    );
}

#[test]
fn typed_token_expires_and_tampering_is_detected() {
    let keys = table(&format!("k1:{}", secret(1)));
    let token = sign_note(&keys, now());
    let late = now() + Duration::seconds(600 + LEEWAY_SECONDS + 1);
    assert_eq!(
        keys.verify_typed::<Note>(&token, NOTE_TYPE, NOTE_AUD, late),
        Err(TokenError::Expired)
    );
    let (head, rest) = token.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let forged_claims = URL_SAFE_NO_PAD.encode(
        serde_json::json!({"iss": ISS, "aud": NOTE_AUD, "text": "evil",
                           "iat": now().timestamp(), "exp": now().timestamp() + 600})
        .to_string(),
    );
    let tampered = format!("{head}.{forged_claims}.{signature}");
    assert_eq!(
        keys.verify_typed::<Note>(&tampered, NOTE_TYPE, NOTE_AUD, now()),
        Err(TokenError::BadSignature)
    );
    // A wrong type with a bad signature reports the signature, not the type.
    let other = table(&format!("k1:{}", secret(2)));
    assert_eq!(
        keys.verify_typed::<Note>(&other.issue(&mina(), now()), NOTE_TYPE, NOTE_AUD, now()),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn typed_tokens_keep_the_algorithm_fixed_by_kid() {
    // k1 is HS256 in our table: an EdDSA header for k1 is refused before anything else.
    let keys = table(&format!("k1:{}", secret(1)));
    let ed = table(&format!("k1:ed25519:{}", STANDARD.encode([7u8; 32])));
    let token = sign_note(&ed, now());
    assert_eq!(
        keys.verify_typed::<Note>(&token, NOTE_TYPE, NOTE_AUD, now()),
        Err(TokenError::WrongAlgorithm)
    );
    assert_eq!(
        ed.verify_typed::<Note>(&token, NOTE_TYPE, NOTE_AUD, now())
            .map(|(n, _)| n),
        Ok(note())
    );
}
