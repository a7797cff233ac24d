//! Properties of what the worker accepts from anyone, over generated input (proptest): search
//! queries never make an SQL error and find what was said, tokens refuse any change, cookies
//! are read whatever surrounds them, and `return_to` only ever accepts a path on our own site.
//! 256 cases each by default; `PROPTEST_CASES` (as `cargo xtask fuzz` sets it) runs more.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use url::Url;
use uuid::Uuid;

use crate::chat::{Author, ChatStore, Posted, Retention};
use crate::oauth::return_to;
use crate::session::cookie;
use crate::sql::host_db::HostDb;
use crate::token::{Identity, KeyTable};

/// What people type into a search box, hostile FTS5 syntax included.
fn search_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "\"",
        "*",
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "NEAR(",
        "(",
        ")",
        ":",
        "^",
        "-",
        "+",
        "'",
        "{",
        "}",
        "안녕",
        "하세요",
        "ㅎㅇ",
        "ᄒᆞᆫ",
        "é",
        "🙂",
        "a",
        "bc",
        " ",
        "  ",
        "\u{200B}",
        "\u{0}",
        "col:",
        "chat_search",
    ]);
    prop_oneof![
        prop::collection::vec(pieces, 0..12).prop_map(|p| p.concat()),
        ".{0,60}",
    ]
}

fn migrated() -> HostDb {
    let db = HostDb::new();
    ChatStore::new(&db).migrate().expect("migrations apply");
    db
}

fn say(db: &HostDb, text: &str) {
    let author = Author {
        user_id: "guest:ann".into(),
        name: "Ann".into(),
    };
    let keep = Retention {
        max_messages: None,
        max_age_days: None,
    };
    match ChatStore::new(db).post(&author, Uuid::new_v4(), text, 1_800_000_000_000, &keep) {
        Ok(Posted::New(_)) => {}
        other => panic!("posting {text:?}: {other:?}"),
    }
}

fn keys() -> KeyTable {
    use base64::Engine as _;
    let secret = base64::engine::general_purpose::STANDARD.encode([7u8; 64]);
    KeyTable::parse(&format!("k1:{secret}"), "confab", "confab-api").expect("a key table")
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).expect("a time")
}

proptest! {
    #[test]
    fn no_search_query_is_an_sql_error(query in search_text()) {
        let db = migrated();
        say(&db, "안녕하세요 hello \"quoted\" NEAR(a b) *star*");
        let found = ChatStore::new(&db).search(&query, 20);
        prop_assert!(found.is_ok(), "{:?}: {:?}", query, found);
    }

    #[test]
    fn a_word_that_was_said_is_found(
        word in "[a-z]{2,10}|[가-힣]{2,6}",
        before in "[a-z ]{0,20}",
        after in "[a-z ]{0,20}",
    ) {
        let db = migrated();
        say(&db, "nothing to see here");
        say(&db, &format!("{before} {word} {after}"));
        let found = ChatStore::new(&db).search(&word, 20).expect("a search");
        prop_assert!(
            found.iter().any(|m| m.text.contains(&word)),
            "{:?} not found in {:?}", word, found
        );
    }

    #[test]
    fn any_text_is_refused_as_a_token(text in ".{0,200}") {
        prop_assert!(keys().verify(&text, now()).is_err());
    }

    #[test]
    fn a_token_changed_before_its_signature_is_refused(
        at in any::<prop::sample::Index>(),
        with in "[A-Za-z0-9_.-]",
    ) {
        let keys = keys();
        let who = Identity {
            user_id: "guest:1".into(),
            name: "Mina".into(),
            guest: true,
            avatar: None,
        };
        let token = keys.issue(&who, now());
        prop_assert_eq!(keys.verify(&token, now()), Ok(who));
        let signed_part = token.rfind('.').expect("three parts");
        let i = at.index(signed_part);
        let mut changed = token.clone();
        changed.replace_range(i..i + 1, &with);
        if changed != token {
            prop_assert!(keys.verify(&changed, now()).is_err(), "{:?} accepted", changed);
        }
    }

    #[test]
    fn our_cookie_is_read_whatever_surrounds_it(
        token in "[A-Za-z0-9:._-]{1,80}",
        before in prop::collection::vec("[a-z_]{1,8}=[A-Za-z0-9]{0,8}", 0..4),
        after in prop::collection::vec("[a-z_]{1,8}=[A-Za-z0-9]{0,8}", 0..4),
        secure in any::<bool>(),
    ) {
        let mut pairs = before;
        pairs.push(format!("{}={token}", cookie::name(secure)));
        pairs.extend(after.into_iter().filter(|p| !p.starts_with(cookie::name(secure))));
        let header = pairs.join("; ");
        prop_assert_eq!(cookie::read(Some(&header), secure), Some(token.as_str()));
    }

    #[test]
    fn reading_any_cookie_header_never_panics(header in ".{0,200}", secure in any::<bool>()) {
        let _ = cookie::read(Some(&header), secure);
    }

    #[test]
    fn return_to_only_accepts_paths_on_our_own_site_and_keeps_them(
        raw in "[/\\\\%.:@a-z0-9?#&= ]{0,40}|.{0,40}",
    ) {
        let own = Url::parse("https://meet.example").expect("a URL");
        if let Ok(path) = return_to::validate(Some(&raw), &own) {
            prop_assert!(path.starts_with('/') && !path.starts_with("//"), "{:?}", path);
            prop_assert!(!path.contains('\\'), "{:?}", path);
            let target = own.join(&path).expect("resolves");
            prop_assert_eq!(target.origin(), own.origin());
            prop_assert_eq!(return_to::validate(Some(&path), &own), Ok(path.clone()));
        }
    }
}
