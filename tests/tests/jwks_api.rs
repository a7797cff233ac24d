//! Access tokens checked from outside the project: the worker signs with Ed25519 and publishes
//! its public keys at `/.well-known/jwks.json`; the npm `jose` library (tests/js/verify-jwt.mjs,
//! run with node, none of Confab's code) verifies real tokens against that JWK Set and refuses
//! forged ones, and so does the worker itself (`GET /api/ice` and the room socket upgrade
//! answer 401).
//!
//! The worker runs as in the middle of a key rotation: `ed-new` (Ed25519) signs; `ed-old`
//! (Ed25519) and `hs-legacy` (HS256, from before the switch to Ed25519) only verify. A second
//! worker with the default HS256-only key starts only for the test that needs it.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use confab_protocol::GuestResponse;
use confab_tests::http::{self, media_type, Reply};
use confab_tests::suite::run_with_workers;
use confab_tests::token::{self, unix_now, Claims, TYPE};
use confab_tests::wrangler::{repo_root, JwtKey, Options, Shared, Wrangler};
use confab_tests::ws_client::{attempt_upgrade, connect, protocols_for};
use serde_json::{json, Value};

/// Ed25519 signing key first, then an older Ed25519 key and a legacy HS256 key.
static ROTATING: Shared = Shared::new();
/// The default test configuration: one HS256 key.
static HS_ONLY: Shared = Shared::new();

const TEST_TIMEOUT: Duration = Duration::from_secs(90);

fn main() {
    let trials = confab_tests::async_trials![TEST_TIMEOUT;
        jwks::publishes_every_ed25519_public_key_and_nothing_secret,
        jwks::is_cached_for_minutes_and_read_only,
        jwks::hs256_only_worker_publishes_an_empty_set,
        independent::guest_token_verifies_with_jose,
        independent::older_keys_still_verify_after_rotation,
        forged::control_token_from_the_real_key_is_accepted,
        forged::alg_none,
        forged::other_ed25519_key_under_the_real_kid,
        forged::tampered_claims,
        forged::wrong_audience,
        forged::wrong_issuer,
        forged::wrong_type,
        forged::unknown_kid,
        forged::expired,
        forged::hs256_keyed_with_the_public_key,
    ];
    run_with_workers(trials, &[&ROTATING, &HS_ONLY]).exit();
}

// ---- fixtures ---------------------------------------------------------------------------------

fn rotating() -> Arc<Wrangler> {
    ROTATING
        .get(|| Options {
            jwt_key: JwtKey::random_ed25519("ed-new"),
            older_keys: vec![
                JwtKey::random_ed25519("ed-old"),
                JwtKey::random("hs-legacy"),
            ],
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("{e}"))
}

fn hs_only() -> Arc<Wrangler> {
    HS_ONLY
        .get(Options::default)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn older_key<'a>(w: &'a Wrangler, kid: &str) -> &'a JwtKey {
    w.older_keys()
        .iter()
        .find(|k| k.kid == kid)
        .unwrap_or_else(|| panic!("no older key {kid}"))
}

fn url(w: &Wrangler, path: &str) -> String {
    format!("{}{path}", w.base_url())
}

/// The JWK `x` of an Ed25519 key: base64url of its public key.
fn jwk_x(key: &JwtKey) -> String {
    URL_SAFE_NO_PAD.encode(key.public_key().expect("an Ed25519 key"))
}

fn header_of(token: &str) -> Value {
    let part = token.split('.').next().unwrap_or_default();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url header"))
        .expect("JSON header")
}

/// What `jose` said about a token.
#[derive(Debug)]
enum Jose {
    Verified {
        header: Value,
        payload: Value,
    },
    Refused {
        code: String,
        claim: Option<String>,
        message: String,
    },
}

/// Runs `node tests/js/verify-jwt.mjs <base_url> <token>`: jose with the worker's JWKS.
fn jose(w: &Wrangler, token: &str) -> Jose {
    let root = repo_root();
    let output = Command::new("node")
        .arg(root.join("tests/js/verify-jwt.mjs"))
        .arg(w.base_url())
        .arg(token)
        .current_dir(&root)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node (needed as for wrangler): {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !matches!(output.status.code(), Some(0 | 1)) {
        panic!(
            "verify-jwt.mjs gave no verdict ({}); is `jose` installed (npm ci)?\n\
             stdout: {stdout}\nstderr: {stderr}",
            output.status
        );
    }
    let verdict: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("verify-jwt.mjs printed no JSON ({e}): {stdout} {stderr}"));
    let text = |field: &str| verdict[field].as_str().map(str::to_owned);
    match (output.status.code(), verdict["ok"].as_bool()) {
        (Some(0), Some(true)) => Jose::Verified {
            header: verdict["header"].clone(),
            payload: verdict["payload"].clone(),
        },
        (Some(1), Some(false)) => Jose::Refused {
            code: text("code").unwrap_or_default(),
            claim: text("claim"),
            message: text("message").unwrap_or_default(),
        },
        _ => panic!("verify-jwt.mjs: exit status and verdict disagree: {stdout}"),
    }
}

fn jose_verifies(w: &Wrangler, token: &str) -> (Value, Value) {
    match jose(w, token) {
        Jose::Verified { header, payload } => (header, payload),
        refused => panic!("jose refused a token Confab must accept: {refused:?}"),
    }
}

/// `GET /api/ice` with the token.
fn ice(w: &Wrangler, token: &str) -> Reply {
    http::get(
        &url(w, "/api/ice"),
        &[("authorization", &format!("Bearer {token}"))],
    )
}

/// The worker accepts the token over HTTP and for a room socket; returns the name it saw.
async fn worker_accepts(w: &Wrangler, token: &str) -> String {
    let reply = ice(w, token);
    assert_eq!(reply.status, 200, "/api/ice refused: {}", reply.body);
    let room = format!("t-{}", uuid::Uuid::new_v4().simple());
    let mut client = connect(
        &w.room_ws_url(&room),
        Some(w.origin()),
        Some(&protocols_for(token)),
    )
    .await
    .unwrap_or_else(|e| panic!("socket upgrade refused: {e:?}"));
    let welcome = client.expect_welcome().await;
    client.close().await;
    welcome.you.name
}

/// The worker answers 401 problem+json both on `GET /api/ice` and on the socket upgrade.
async fn worker_refuses(w: &Wrangler, token: &str, what: &str) {
    let reply = ice(w, token);
    assert_eq!(
        reply.status, 401,
        "{what}: /api/ice answered {}",
        reply.body
    );
    reply.expect_problem(401);
    let room = format!("t-{}", uuid::Uuid::new_v4().simple());
    let reply = attempt_upgrade(
        &w.room_ws_url(&room),
        Some(w.origin()),
        Some(&protocols_for(token)),
    )
    .await;
    assert_eq!(reply.status, 401, "{what}: upgrade answered {}", reply.body);
    reply.expect_problem(401);
}

/// jose refuses with this error code (and claim, for claim checks): refused for the reason the
/// test forged, not for another (an unreachable JWKS, say).
fn jose_refuses(w: &Wrangler, token: &str, want_code: &str, want_claim: Option<&str>) {
    match jose(w, token) {
        Jose::Refused {
            code,
            claim,
            message,
        } => {
            assert_eq!(
                code, want_code,
                "jose refused for another reason: {message}"
            );
            if want_claim.is_some() {
                assert_eq!(claim.as_deref(), want_claim, "jose: {message}");
            }
        }
        verified => panic!("jose accepted a forged token: {verified:?}"),
    }
}

// ---- GET /.well-known/jwks.json ---------------------------------------------------------------

mod jwks {
    use super::*;

    pub async fn publishes_every_ed25519_public_key_and_nothing_secret() {
        let w = rotating();
        let reply = http::get(&url(&w, "/.well-known/jwks.json"), &[]);
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(media_type(&reply.content_type), "application/json");
        let old = older_key(&w, "ed-old");
        let want = json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "x": jwk_x(w.jwt_key()), "kid": "ed-new",
             "alg": "EdDSA", "use": "sig"},
            {"kty": "OKP", "crv": "Ed25519", "x": jwk_x(old), "kid": "ed-old",
             "alg": "EdDSA", "use": "sig"},
        ]});
        assert_eq!(reply.json::<Value>(), want, "{}", reply.body);
        let legacy = older_key(&w, "hs-legacy");
        for secret in [&w.jwt_key().secret, &old.secret, &legacy.secret] {
            for encoded in [STANDARD.encode(secret), URL_SAFE_NO_PAD.encode(secret)] {
                assert!(
                    !reply.body.contains(&encoded[..20]),
                    "secret material in the JWKS: {}",
                    reply.body
                );
            }
        }
        assert!(!reply.body.contains("hs-legacy"), "{}", reply.body);
    }

    pub async fn is_cached_for_minutes_and_read_only() {
        let w = rotating();
        let reply = http::get(&url(&w, "/.well-known/jwks.json"), &[]);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let cache = reply.header("cache-control").unwrap_or_default();
        let max_age: u64 = cache
            .split(',')
            .find_map(|d| d.trim().strip_prefix("max-age="))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no max-age in cache-control {cache:?}"));
        assert!(
            (60..=900).contains(&max_age),
            "max-age {max_age}s: a rotation must show within minutes"
        );
        assert!(
            !cache.contains("private") && !cache.contains("no-store"),
            "{cache}"
        );
        for method in ["POST", "PUT", "DELETE"] {
            http::request(method, &url(&w, "/.well-known/jwks.json"), &[], Some("{}"))
                .expect_problem(405);
        }
        // The worker answers all of /.well-known/ (not the app's index.html).
        http::get(&url(&w, "/.well-known/openid-configuration-nope"), &[]).expect_problem(404);
    }

    pub async fn hs256_only_worker_publishes_an_empty_set() {
        let w = hs_only();
        let reply = http::get(&url(&w, "/.well-known/jwks.json"), &[]);
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.json::<Value>(), json!({"keys": []}));
        let secret = &w.jwt_key().secret;
        assert!(!reply.body.contains(&STANDARD.encode(secret)[..20]));
        // And its tokens are HS256, which no outsider can verify.
        let token = http::guest(w.base_url(), "Mina").access_token;
        assert_eq!(header_of(&token)["alg"], "HS256");
    }
}

// ---- Real tokens, verified by jose ------------------------------------------------------------

mod independent {
    use super::*;

    pub async fn guest_token_verifies_with_jose() {
        let w = rotating();
        let guest = http::guest(w.base_url(), "Mina");
        let (header, payload) = jose_verifies(&w, &guest.access_token);
        assert_eq!(
            header,
            json!({"alg": "EdDSA", "kid": "ed-new", "typ": TYPE}),
            "{payload}"
        );
        assert_eq!(payload["sub"], guest.user.id.as_str(), "{payload}");
        assert!(guest.user.id.starts_with("guest:"), "{}", guest.user.id);
        assert_eq!(payload["name"], "Mina", "{payload}");
        assert_eq!(payload["guest"], true, "{payload}");
        assert_eq!(payload["iss"], token::ISSUER);
        assert_eq!(payload["aud"], token::AUDIENCE);
        let iat = payload["iat"].as_i64().expect("iat");
        assert_eq!(payload["exp"].as_i64(), Some(iat + 600), "{payload}");
        assert!((iat - unix_now()).abs() < 120, "iat {iat} is not now");
        assert_eq!(worker_accepts(&w, &guest.access_token).await, "Mina");
    }

    /// Tokens from keys that no longer sign verify until they expire; a session renewed after
    /// the rotation gets its token from the signing key. (An old token renews nothing itself:
    /// `Authorization` on `/auth/guest` is ignored.)
    pub async fn older_keys_still_verify_after_rotation() {
        let w = rotating();
        let old = older_key(&w, "ed-old");
        let claims = Claims::guest("Old");
        let from_old = token::mint(old, &claims);
        let (header, payload) = jose_verifies(&w, &from_old);
        assert_eq!(header["kid"], "ed-old");
        assert_eq!(payload["sub"], claims.sub.as_str());
        assert_eq!(worker_accepts(&w, &from_old).await, "Old");

        // HS256 from before the switch: the worker still takes it; outsiders never could.
        let legacy = token::mint(older_key(&w, "hs-legacy"), &Claims::guest("Legacy"));
        assert_eq!(worker_accepts(&w, &legacy).await, "Legacy");
        jose_refuses(&w, &legacy, "ERR_JOSE_ALG_NOT_ALLOWED", None);

        let reply = http::request(
            "POST",
            &url(&w, "/auth/guest"),
            &[
                ("content-type", "application/json"),
                ("authorization", &format!("Bearer {from_old}")),
            ],
            Some(r#"{"name":"Old"}"#),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        let fresh: GuestResponse = reply.json();
        assert_ne!(fresh.user.id, claims.sub, "an old token renews nothing");
        let cookie = http::set_cookies(&reply)
            .into_iter()
            .find_map(|c| {
                c.strip_prefix("confab_rt=")
                    .map(|v| v.split(';').next().unwrap_or("").to_owned())
            })
            .expect("a session cookie");
        let refreshed = http::request(
            "POST",
            &url(&w, "/auth/refresh"),
            &[
                ("origin", w.origin()),
                ("content-type", "application/json"),
                ("cookie", &format!("confab_rt={cookie}")),
            ],
            Some("{}"),
        );
        assert_eq!(refreshed.status, 200, "{}", refreshed.body);
        let renewed: GuestResponse = refreshed.json();
        assert_eq!(
            renewed.user.id, fresh.user.id,
            "the session keeps its guest"
        );
        let (header, _) = jose_verifies(&w, &renewed.access_token);
        assert_eq!(
            header["kid"], "ed-new",
            "renewed tokens come from the signing key"
        );
    }
}

// ---- Forged tokens: refused by the worker and by jose -----------------------------------------

mod forged {
    use super::*;

    fn header(alg: &str, kid: &str, typ: &str) -> Value {
        json!({"alg": alg, "kid": kid, "typ": typ})
    }

    /// Signed by the real signing key with this header and these claims.
    fn signed(w: &Wrangler, header: &Value, claims: &Claims) -> String {
        token::sign_ed25519(&w.jwt_key().secret, header, &claims.to_json())
    }

    /// The forgeries below differ from this token in one thing only; it must pass everywhere.
    pub async fn control_token_from_the_real_key_is_accepted() {
        let w = rotating();
        let token = signed(&w, &header("EdDSA", "ed-new", TYPE), &Claims::guest("Real"));
        let (_, payload) = jose_verifies(&w, &token);
        assert_eq!(payload["name"], "Real");
        assert_eq!(worker_accepts(&w, &token).await, "Real");
    }

    pub async fn alg_none() {
        let w = rotating();
        let token = token::unsigned("ed-new", &Claims::guest("None"));
        worker_refuses(&w, &token, "alg none").await;
        jose_refuses(&w, &token, "ERR_JOSE_ALG_NOT_ALLOWED", None);
    }

    pub async fn other_ed25519_key_under_the_real_kid() {
        let w = rotating();
        let impostor = JwtKey::random_ed25519("ed-new");
        let token = token::mint(&impostor, &Claims::guest("Mallory"));
        worker_refuses(&w, &token, "another Ed25519 key").await;
        jose_refuses(&w, &token, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", None);
    }

    pub async fn tampered_claims() {
        let w = rotating();
        let token = http::guest(w.base_url(), "Mina").access_token;
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).expect("base64url"))
                .expect("JSON claims");
        payload["name"] = "Admin".into();
        payload["guest"] = false.into();
        parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());
        let token = parts.join(".");
        worker_refuses(&w, &token, "tampered claims").await;
        jose_refuses(&w, &token, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", None);
    }

    pub async fn wrong_audience() {
        let w = rotating();
        let claims = Claims {
            aud: "someone-else".into(),
            ..Claims::guest("Aud")
        };
        let token = signed(&w, &header("EdDSA", "ed-new", TYPE), &claims);
        worker_refuses(&w, &token, "wrong aud").await;
        jose_refuses(&w, &token, "ERR_JWT_CLAIM_VALIDATION_FAILED", Some("aud"));
    }

    pub async fn wrong_issuer() {
        let w = rotating();
        let claims = Claims {
            iss: "someone-else".into(),
            ..Claims::guest("Iss")
        };
        let token = signed(&w, &header("EdDSA", "ed-new", TYPE), &claims);
        worker_refuses(&w, &token, "wrong iss").await;
        jose_refuses(&w, &token, "ERR_JWT_CLAIM_VALIDATION_FAILED", Some("iss"));
    }

    pub async fn wrong_type() {
        let w = rotating();
        for typ in ["JWT", "id+jwt"] {
            let token = signed(&w, &header("EdDSA", "ed-new", typ), &Claims::guest("Typ"));
            worker_refuses(&w, &token, typ).await;
            jose_refuses(&w, &token, "ERR_JWT_CLAIM_VALIDATION_FAILED", Some("typ"));
        }
    }

    pub async fn unknown_kid() {
        let w = rotating();
        let token = signed(&w, &header("EdDSA", "ed-gone", TYPE), &Claims::guest("Kid"));
        worker_refuses(&w, &token, "unknown kid").await;
        jose_refuses(&w, &token, "ERR_JWKS_NO_MATCHING_KEY", None);
    }

    pub async fn expired() {
        let w = rotating();
        let claims = Claims::expired_guest("Old");
        let token = signed(&w, &header("EdDSA", "ed-new", TYPE), &claims);
        worker_refuses(&w, &token, "expired").await;
        jose_refuses(&w, &token, "ERR_JWT_EXPIRED", Some("exp"));
    }

    /// Algorithm confusion: HS256 keyed with the Ed25519 public key, which the JWKS hands to
    /// anyone, under the Ed25519 kid (raw key bytes, and the key as the JWKS spells it).
    pub async fn hs256_keyed_with_the_public_key() {
        let w = rotating();
        let public = w.jwt_key().public_key().expect("Ed25519");
        let x = jwk_x(w.jwt_key());
        for (what, secret) in [("raw public key", &public[..]), ("JWK x", x.as_bytes())] {
            let token = token::sign(
                secret,
                &header("HS256", "ed-new", TYPE),
                &Claims::guest("Confused").to_json(),
            );
            worker_refuses(&w, &token, what).await;
            jose_refuses(&w, &token, "ERR_JOSE_ALG_NOT_ALLOWED", None);
        }
    }
}
