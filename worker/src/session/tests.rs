//! Session logic against a real SQLite (in memory): the same SQL the `Sessions` Durable Object
//! runs, with an explicit clock and explicit random values.

use super::refresh_token::B64;
use super::*;
use crate::sql::host_db::HostDb;
use crate::token::Identity;
use base64::Engine as _;

const T0: i64 = 1_800_000_000_000;
const DAY_MS: i64 = 24 * 3600 * 1000;
const LIFETIME: i64 = 30 * DAY_MS;

fn mina() -> Identity {
    Identity {
        user_id: "guest:0123456789abcdef".into(),
        name: "Mina".into(),
        guest: true,
        avatar: None,
    }
}

fn secret(n: u8) -> [u8; SECRET_BYTES] {
    [n; SECRET_BYTES]
}

fn migrated() -> HostDb {
    let db = HostDb::new();
    SessionStore::new(&db).migrate().expect("migrations apply");
    db
}

fn issue(db: &HostDb, family: &str, n: u8) -> String {
    SessionStore::new(db)
        .issue(&mina(), family, &secret(n), T0, LIFETIME)
        .expect("issue")
}

fn rotate(db: &HostDb, token: &str, n: u8, now: i64) -> Rotation {
    SessionStore::new(db)
        .rotate(token, &secret(n), None, now, LIFETIME)
        .expect("rotate")
}

fn rotated(db: &HostDb, token: &str, n: u8, now: i64) -> String {
    match rotate(db, token, n, now) {
        Rotation::Rotated { identity, token } => {
            assert_eq!(identity, mina());
            token
        }
        Rotation::Refused(refusal) => panic!("refused: {refusal:?}"),
    }
}

#[test]
fn migrate_is_idempotent() {
    let db = migrated();
    assert_eq!(SessionStore::new(&db).migrate(), Ok(2));
    assert_eq!(db.count("SELECT COUNT(*) FROM session_schema"), 1);
}

#[test]
fn token_routes_to_its_user_and_carries_32_random_bytes() {
    let token = format_token("guest:abc", &secret(7));
    assert_eq!(
        TokenRoute::parse(&token),
        Some(TokenRoute {
            user_id: "guest:abc".into()
        })
    );
    let (_, random) = token.split_once('.').unwrap();
    assert_eq!(B64.decode(random).unwrap(), secret(7));
    assert!(token
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
}

#[test]
fn malformed_tokens_do_not_route() {
    let good_secret = B64.encode(secret(1));
    for bad in [
        String::new(),
        "nodot".into(),
        format!(".{good_secret}"),
        format!("{}.{}", B64.encode("u"), B64.encode([1u8; 16])),
        format!("{}.{good_secret}", B64.encode("a\u{0}b")),
        format!("{}.{good_secret}", B64.encode([0xff, 0xfe])),
        format!("{}.{good_secret}", "x".repeat(600)),
        format!("!!!.{good_secret}"),
    ] {
        assert_eq!(TokenRoute::parse(&bad), None, "{bad:?}");
    }
}

#[test]
fn only_the_hash_is_stored() {
    let db = migrated();
    let token = issue(&db, "fam-1", 1);
    assert_eq!(
        db.count(&format!(
            "SELECT COUNT(*) FROM refresh_tokens WHERE hash = '{}'",
            token_hash(&token)
        )),
        1
    );
    let (_, random) = token.split_once('.').unwrap();
    let dump_rows = db.count(&format!(
        "SELECT COUNT(*) FROM refresh_tokens WHERE hash LIKE '%{random}%' OR family LIKE '%{random}%'"
    ));
    assert_eq!(dump_rows, 0);
    assert_ne!(token_hash(&token), token);
    assert_eq!(token_hash(&token).len(), 43, "base64url of 32 bytes");
}

#[test]
fn rotation_issues_a_new_token_in_the_same_family_and_keeps_identity() {
    let db = migrated();
    let first = issue(&db, "fam-1", 1);
    let second = rotated(&db, &first, 2, T0 + 1000);
    assert_ne!(first, second);
    let third = rotated(&db, &second, 3, T0 + 2000);
    assert_ne!(second, third);
    assert_eq!(
        db.count("SELECT COUNT(DISTINCT family) FROM refresh_tokens"),
        1
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM refresh_tokens WHERE rotated_ms IS NOT NULL"),
        2
    );
}

#[test]
fn reuse_of_a_rotated_token_revokes_the_whole_family() {
    let db = migrated();
    let first = issue(&db, "fam-1", 1);
    let other_device = issue(&db, "fam-2", 9);
    let second = rotated(&db, &first, 2, T0 + 1000);
    assert_eq!(
        rotate(&db, &first, 3, T0 + 2000),
        Rotation::Refused(Refusal::Reused {
            family: "fam-1".into()
        })
    );
    // The thief's (or the legitimate holder's) newer token is dead too.
    assert_eq!(
        rotate(&db, &second, 4, T0 + 3000),
        Rotation::Refused(Refusal::Revoked)
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM session_families WHERE revoked_reason = 'reuse'"),
        1
    );
    // Another device's family is untouched.
    rotated(&db, &other_device, 5, T0 + 4000);
}

#[test]
fn unknown_and_expired_tokens_are_refused() {
    let db = migrated();
    let token = issue(&db, "fam-1", 1);
    let stranger = format_token(&mina().user_id, &secret(42));
    assert_eq!(
        rotate(&db, &stranger, 2, T0),
        Rotation::Refused(Refusal::Unknown)
    );
    assert_eq!(
        rotate(&db, &token, 2, T0 + LIFETIME),
        Rotation::Refused(Refusal::Expired)
    );
    assert_eq!(
        rotate(&db, "not a token", 2, T0),
        Rotation::Refused(Refusal::Unknown)
    );
}

#[test]
fn expiry_slides_with_each_rotation() {
    let db = migrated();
    let mut token = issue(&db, "fam-1", 1);
    // Used every 20 days, the session outlives the 30-day lifetime of its first token.
    for (i, day) in [20, 40, 60].into_iter().enumerate() {
        token = rotated(&db, &token, 10 + i as u8, T0 + day * DAY_MS);
    }
    // Idle for 30 days, it ends.
    assert_eq!(
        rotate(&db, &token, 20, T0 + 90 * DAY_MS),
        Rotation::Refused(Refusal::Expired)
    );
}

#[test]
fn expired_rows_are_purged_on_later_writes() {
    let db = migrated();
    issue(&db, "old", 1);
    SessionStore::new(&db)
        .issue(&mina(), "new", &secret(2), T0 + LIFETIME + 1, LIFETIME)
        .unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM refresh_tokens"), 1);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM session_families WHERE family = 'old'"),
        0
    );
}

#[test]
fn logout_ends_only_this_family() {
    let db = migrated();
    let here = issue(&db, "fam-1", 1);
    let there = issue(&db, "fam-2", 2);
    let store = SessionStore::new(&db);
    assert_eq!(store.logout(&here, T0 + 1), Ok(true));
    assert_eq!(
        rotate(&db, &here, 3, T0 + 2),
        Rotation::Refused(Refusal::Revoked)
    );
    rotated(&db, &there, 4, T0 + 3);
    assert_eq!(store.logout("garbage", T0 + 4), Ok(false));
}

#[test]
fn logout_all_ends_every_family_but_needs_a_live_token() {
    let db = migrated();
    let a = issue(&db, "fam-1", 1);
    let b = issue(&db, "fam-2", 2);
    let c = issue(&db, "fam-3", 3);
    let store = SessionStore::new(&db);
    let stranger = format_token(&mina().user_id, &secret(99));
    assert_eq!(store.logout_all(&stranger, T0), Ok(Err(Refusal::Unknown)));
    let a2 = rotated(&db, &a, 4, T0 + 1);
    // A reused token cannot end the others' sessions; it ends its own family.
    assert_eq!(
        store.logout_all(&a, T0 + 2),
        Ok(Err(Refusal::Reused {
            family: "fam-1".into()
        }))
    );
    assert_eq!(
        rotate(&db, &a2, 5, T0 + 3),
        Rotation::Refused(Refusal::Revoked)
    );
    assert_eq!(store.logout_all(&b, T0 + 4), Ok(Ok(2)));
    for token in [&b, &c] {
        assert_eq!(
            rotate(&db, token, 6, T0 + 5),
            Rotation::Refused(Refusal::Revoked)
        );
    }
}

#[test]
fn a_guest_may_rename_on_refresh_and_keeps_the_id() {
    let db = migrated();
    let token = issue(&db, "fam-1", 1);
    let Rotation::Rotated { identity, token } = SessionStore::new(&db)
        .rotate(&token, &secret(2), Some("Minji"), T0 + 1, LIFETIME)
        .unwrap()
    else {
        panic!("refused")
    };
    assert_eq!(identity.user_id, mina().user_id);
    assert_eq!(identity.name, "Minji");
    let again = rotated_identity(&db, &token);
    assert_eq!(again.name, "Minji");
}

fn rotated_identity(db: &HostDb, token: &str) -> Identity {
    match rotate(db, token, 77, T0 + 10) {
        Rotation::Rotated { identity, .. } => identity,
        Rotation::Refused(r) => panic!("{r:?}"),
    }
}

#[test]
fn a_failed_write_rolls_back_the_rotation() {
    let db = migrated();
    let token = issue(&db, "fam-1", 1);
    db.fail_statements_containing(Some("INSERT INTO refresh_tokens"));
    assert!(SessionStore::new(&db)
        .rotate(&token, &secret(2), None, T0 + 1, LIFETIME)
        .is_err());
    db.fail_statements_containing(None);
    // The old token was not marked rotated: it still works (no false reuse alarm).
    rotated(&db, &token, 3, T0 + 2);
}

#[test]
fn handle_maps_calls_to_replies() {
    let db = migrated();
    let store = SessionStore::new(&db);
    let call = |op| SessionCall {
        op,
        now_ms: T0,
        lifetime_ms: LIFETIME,
    };
    let SessionReply::Issued { refresh_token, .. } = handle(
        &store,
        &call(SessionOp::Issue { identity: mina() }),
        &secret(1),
        "fam-1",
    )
    .unwrap() else {
        panic!("not issued")
    };
    let SessionReply::Issued {
        refresh_token: next,
        identity,
    } = handle(
        &store,
        &call(SessionOp::Rotate {
            token: refresh_token.clone(),
            name: None,
        }),
        &secret(2),
        "unused",
    )
    .unwrap()
    else {
        panic!("not rotated")
    };
    assert_eq!(identity, mina());
    let reply = handle(
        &store,
        &call(SessionOp::Rotate {
            token: refresh_token,
            name: None,
        }),
        &secret(3),
        "unused",
    )
    .unwrap();
    assert!(
        matches!(&reply, SessionReply::Refused { reused_family: Some(f), .. } if f == "fam-1"),
        "{reply:?}"
    );
    let reply = handle(
        &store,
        &call(SessionOp::LogoutAll { token: next }),
        &secret(4),
        "unused",
    )
    .unwrap();
    assert!(
        matches!(
            reply,
            SessionReply::Refused {
                reused_family: None,
                ..
            }
        ),
        "{reply:?}"
    );
}

fn jun_from_provider(name: &str) -> Identity {
    Identity {
        user_id: "user:00000000000000000000000000000001".into(),
        name: name.into(),
        guest: false,
        avatar: None,
    }
}

#[test]
fn sign_in_records_the_provider_name_until_the_user_chooses_one() {
    let db = migrated();
    let store = SessionStore::new(&db);
    let (first, token) = store
        .sign_in(&jun_from_provider("Jun"), "f1", &secret(1), T0, LIFETIME)
        .expect("sign in");
    assert_eq!(first.name, "Jun");
    assert!(!first.guest);
    assert_eq!(rotated_identity(&db, &token).name, "Jun");
    // The provider renamed the account: a new sign-in follows it.
    let (second, _) = store
        .sign_in(&jun_from_provider("Jun K"), "f2", &secret(2), T0, LIFETIME)
        .expect("sign in");
    assert_eq!(second.name, "Jun K");
    // Once the user picked a name, sign-ins keep it.
    let edited = store.set_profile(Some("준"), None, false).expect("edit");
    assert_eq!(edited.map(|i| i.name).as_deref(), Some("준"));
    let (third, _) = store
        .sign_in(&jun_from_provider("Jun K"), "f3", &secret(3), T0, LIFETIME)
        .expect("sign in");
    assert_eq!(third.name, "준");
    assert_eq!(
        store.identity().expect("read").map(|i| i.name).as_deref(),
        Some("준")
    );
}

#[test]
fn the_provider_picture_never_replaces_an_uploaded_one() {
    let db = migrated();
    let store = SessionStore::new(&db);
    store
        .sign_in(&jun_from_provider("Jun"), "f1", &secret(1), T0, LIFETIME)
        .expect("sign in");
    let first = store
        .set_profile(None, Some("/api/avatars/a?v=1"), true)
        .expect("set")
        .expect("user");
    assert_eq!(first.avatar.as_deref(), Some("/api/avatars/a?v=1"));
    let kept = store
        .set_profile(None, Some("/api/avatars/a?v=2"), true)
        .expect("set")
        .expect("user");
    assert_eq!(kept.avatar.as_deref(), Some("/api/avatars/a?v=1"));
    let uploaded = store
        .set_profile(None, Some("/api/avatars/a?v=3"), false)
        .expect("set")
        .expect("user");
    assert_eq!(uploaded.avatar.as_deref(), Some("/api/avatars/a?v=3"));
}

#[test]
fn a_profile_edit_without_a_user_changes_nothing() {
    let db = migrated();
    let store = SessionStore::new(&db);
    assert_eq!(
        store.set_profile(Some("X"), None, false).expect("edit"),
        None
    );
    assert_eq!(store.identity().expect("read"), None);
}

#[test]
fn an_object_nobody_signed_into_answers_without_creating_storage() {
    let db = HostDb::new();
    let store = SessionStore::new(&db);
    let token = format!("{}.{}", mina().user_id, B64.encode([7u8; SECRET_BYTES]));
    let tables = "SELECT COUNT(*) FROM sqlite_master";
    for op in [
        SessionOp::Rotate {
            token: token.clone(),
            name: None,
        },
        SessionOp::LogoutAll {
            token: token.clone(),
        },
    ] {
        let reply = answer_unopened(&store, &op).unwrap();
        assert!(
            matches!(reply, Some(SessionReply::Refused { .. })),
            "{op:?}: {reply:?}"
        );
    }
    let reply = answer_unopened(&store, &SessionOp::Logout { token }).unwrap();
    assert!(matches!(reply, Some(SessionReply::Ended { families: 0 })));
    let profile = SessionOp::SetProfile {
        name: Some("Mina".into()),
        avatar: None,
        avatar_if_unset: false,
    };
    assert!(matches!(
        answer_unopened(&store, &profile).unwrap(),
        Some(SessionReply::Profile { identity: None })
    ));
    assert_eq!(db.count(tables), 0, "nothing was written");
    // Starting a session needs the schema: the object goes on to migrate and answer.
    let issue = SessionOp::Issue { identity: mina() };
    assert!(answer_unopened(&store, &issue).unwrap().is_none());
    store.migrate().unwrap();
    assert!(db.count(tables) > 0);
    // Once opened, every operation is answered by the store itself.
    let rotate = SessionOp::Rotate {
        token: "x".into(),
        name: None,
    };
    assert!(answer_unopened(&store, &rotate).unwrap().is_none());
}
