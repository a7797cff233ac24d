//! The chat store against a real SQLite (in memory, with FTS5): the same SQL the Durable Object
//! runs, so schema, dedupe, paging, search and retention are checked on the host.

use uuid::Uuid;

use super::store::{MIGRATIONS, PRUNE_BATCH, PRUNE_EVERY};
use super::*;
use crate::sql::host_db::HostDb;
use crate::sql::{SqlValue, StoreError};
use confab_protocol::ChatMessage;

const T0: i64 = 1_800_000_000_000;
const KEEP_ALL: Retention = Retention {
    max_messages: None,
    max_age_days: None,
};

fn ann() -> Author {
    Author {
        user_id: "guest:ann".into(),
        name: "Ann".into(),
    }
}

fn migrated() -> HostDb {
    let db = HostDb::new();
    ChatStore::new(&db).migrate().expect("migrations apply");
    db
}

fn post(db: &HostDb, text: &str) -> ChatMessage {
    match ChatStore::new(db)
        .post(&ann(), Uuid::new_v4(), text, T0, &KEEP_ALL)
        .expect("post")
    {
        Posted::New(message) => message,
        Posted::Duplicate(message) => {
            panic!("fresh client_id came back as a duplicate: {message:?}")
        }
    }
}

fn search(db: &HostDb, query: &str) -> Vec<String> {
    ChatStore::new(db)
        .search(query, 50)
        .unwrap_or_else(|e| panic!("search {query:?} failed: {e}"))
        .into_iter()
        .map(|m| m.text)
        .collect()
}

// ---- migrations ------------------------------------------------------------------------------

#[test]
fn migration_versions_start_at_one_and_go_up_by_one() {
    for (i, migration) in MIGRATIONS.iter().enumerate() {
        assert_eq!(migration.version, i as i64 + 1);
        assert!(!migration.statements.is_empty());
        for statement in migration.statements {
            assert!(
                statement.contains("IF NOT EXISTS") || statement.contains("OR IGNORE"),
                "statement must be harmless if repeated: {statement}"
            );
        }
    }
    assert_eq!(store::latest_version(), MIGRATIONS.len() as i64);
}

#[test]
fn migrating_twice_is_a_no_op_and_keeps_data() {
    let db = HostDb::new();
    let store = ChatStore::new(&db);
    assert_eq!(store.schema_version().ok(), None, "no table yet");
    assert_eq!(store.migrate(), Ok(store::latest_version()));
    post(&db, "kept");
    let before = db.statements.get();
    assert_eq!(store.migrate(), Ok(store::latest_version()));
    assert_eq!(
        db.statements.get() - before,
        4,
        "an up-to-date schema and index cost one create-if-missing and one read each"
    );
    assert_eq!(search(&db, "kept"), ["kept"]);
    assert_eq!(db.count("SELECT COUNT(*) FROM schema_version"), 1);
}

#[test]
fn a_failed_migration_is_rolled_back_and_retried_later() {
    let db = HostDb::new();
    db.fail_statements_containing(Some("fts5"));
    assert!(ChatStore::new(&db).migrate().is_err());
    assert_eq!(ChatStore::new(&db).schema_version(), Ok(0));
    db.fail_statements_containing(None);
    assert_eq!(ChatStore::new(&db).migrate(), Ok(store::latest_version()));
}

// ---- search index rules -----------------------------------------------------------------------

/// A room as it was before 초성 terms: its index holds only the old terms, and no version.
fn room_from_before_initials() -> HostDb {
    let db = migrated();
    post(&db, "내일 학교에서 보자");
    post(&db, "hello world");
    db.exec_ok("INSERT INTO chat_search (chat_search) VALUES ('delete-all')");
    db.exec_ok(
        "INSERT INTO chat_search (rowid, terms) VALUES (1, '내일 일 학교 교에 에서 서 보자 자')",
    );
    db.exec_ok("INSERT INTO chat_search (rowid, terms) VALUES (2, 'hello world')");
    db.exec_ok("DROP TABLE search_terms_version");
    db
}

#[test]
fn an_index_built_by_older_rules_is_rebuilt_once_on_migrate() {
    let db = room_from_before_initials();
    assert!(
        search(&db, "ㅎㄱ").is_empty(),
        "the old index has no initials"
    );
    assert_eq!(search(&db, "학교"), ["내일 학교에서 보자"]);

    assert_eq!(ChatStore::new(&db).migrate(), Ok(store::latest_version()));
    assert_eq!(search(&db, "ㅎㄱ"), ["내일 학교에서 보자"]);
    assert_eq!(search(&db, "ㅎㄱㅇㅅ 내일"), ["내일 학교에서 보자"]);
    assert_eq!(search(&db, "학교"), ["내일 학교에서 보자"]);
    assert_eq!(search(&db, "hello"), ["hello world"]);
    assert_eq!(ChatStore::new(&db).refresh_search_index(), Ok(None), "once");
}

#[test]
fn a_rebuild_reads_the_messages_in_batches_and_indexes_every_one() {
    let db = migrated();
    for i in 0..1_201 {
        post(&db, &format!("message{i} 회의"));
    }
    db.exec_ok("DROP TABLE search_terms_version");
    assert_eq!(ChatStore::new(&db).refresh_search_index(), Ok(Some(1_201)));
    assert_eq!(search(&db, "message0"), ["message0 회의"]);
    assert_eq!(search(&db, "message1200 ㅎㅇ"), ["message1200 회의"]);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM chat_search WHERE chat_search MATCH '\"ㅎㅇ\"'"),
        1_201
    );
}

#[test]
fn a_failed_rebuild_keeps_the_old_index_and_is_tried_again() {
    let db = room_from_before_initials();
    db.fail_statements_containing(Some("INSERT INTO chat_search (rowid"));
    assert!(ChatStore::new(&db).migrate().is_err());
    db.fail_statements_containing(None);
    assert_eq!(
        search(&db, "학교"),
        ["내일 학교에서 보자"],
        "old index whole"
    );
    assert!(search(&db, "ㅎㄱ").is_empty());
    assert_eq!(ChatStore::new(&db).refresh_search_index(), Ok(Some(2)));
    assert_eq!(search(&db, "ㅎㄱ"), ["내일 학교에서 보자"]);
}

// ---- posting ----------------------------------------------------------------------------------

#[test]
fn seq_starts_at_one_and_goes_up_by_one() {
    let db = migrated();
    let seqs: Vec<u64> = (0..5).map(|i| post(&db, &format!("m{i}")).seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
}

#[test]
fn resending_a_client_id_returns_the_original_and_adds_nothing() {
    let db = migrated();
    let store = ChatStore::new(&db);
    let id = Uuid::new_v4();
    let Ok(Posted::New(original)) = store.post(&ann(), id, "first", T0, &KEEP_ALL) else {
        panic!("first post")
    };
    post(&db, "other");
    let bob = Author {
        user_id: "guest:bob".into(),
        name: "Bob".into(),
    };
    // Even with other text, later, from another identity (a guest whose token lapsed).
    let again = store.post(&bob, id, "second try", T0 + 5000, &KEEP_ALL);
    assert_eq!(again, Ok(Posted::Duplicate(original.clone())));
    assert_eq!(db.count("SELECT COUNT(*) FROM chat_messages"), 2);
    assert_eq!(post(&db, "next").seq, 3, "a duplicate uses no seq");
    assert_eq!(search(&db, "second"), Vec::<String>::new());
}

#[test]
fn text_is_stored_verbatim() {
    let db = migrated();
    let texts = [
        "<script>alert(1)</script> &amp; <b>",
        "'); DROP TABLE chat_messages; --",
        "🎉👩‍👩‍👧 emoji",
        "line one\nline two\r\n\ttabbed  ",
        "zero\u{200B}width\u{FEFF}",
        "עברית RTL \u{202E}override",
        "  padded  ",
    ];
    for text in texts {
        post(&db, text);
    }
    let page = ChatStore::new(&db).history(None, 100).unwrap();
    let stored: Vec<&str> = page.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(stored, texts);
}

#[test]
fn a_failed_search_row_rolls_the_message_back() {
    let db = migrated();
    post(&db, "one");
    db.fail_statements_containing(Some("INSERT INTO chat_search"));
    let failed = ChatStore::new(&db).post(&ann(), Uuid::new_v4(), "two", T0, &KEEP_ALL);
    assert!(matches!(failed, Err(StoreError::Sql(_))), "{failed:?}");
    db.fail_statements_containing(None);
    assert_eq!(db.count("SELECT COUNT(*) FROM chat_messages"), 1);
    assert_eq!(post(&db, "three").seq, 2, "the failed post used no seq");
}

#[test]
fn messages_with_nothing_searchable_are_stored_without_search_terms() {
    let db = migrated();
    assert_eq!(post(&db, "🎉🎉").seq, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM chat_messages"), 1);
    assert_eq!(search(&db, "🎉"), Vec::<String>::new());
}

// ---- history ----------------------------------------------------------------------------------

#[test]
fn history_pages_walk_back_over_every_message_exactly_once() {
    let db = migrated();
    for i in 1..=250 {
        post(&db, &format!("message {i}"));
    }
    let store = ChatStore::new(&db);
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store.history(before, 100).unwrap();
        let seqs: Vec<u64> = page.messages.iter().map(|m| m.seq).collect();
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
        seen.splice(0..0, seqs.iter().copied());
        match seqs.first() {
            Some(&first) if page.has_more => before = Some(first),
            _ => {
                assert!(!page.has_more);
                break;
            }
        }
    }
    assert_eq!(seen, (1..=250).collect::<Vec<u64>>());
}

#[test]
fn history_has_more_is_exact_at_the_boundaries() {
    let db = migrated();
    for i in 1..=10 {
        post(&db, &format!("m{i}"));
    }
    let store = ChatStore::new(&db);
    let page = store.history(None, 10).unwrap();
    assert_eq!((page.messages.len(), page.has_more), (10, false));
    let page = store.history(None, 9).unwrap();
    assert_eq!((page.messages[0].seq, page.has_more), (2, true));
    let page = store.history(Some(3), 50).unwrap();
    assert_eq!(
        page.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(!page.has_more);
    for before in [0, 1] {
        let page = store.history(Some(before), 50).unwrap();
        assert!(
            page.messages.is_empty() && !page.has_more,
            "before {before}"
        );
    }
    let page = store.history(Some(u64::MAX), 50).unwrap();
    assert_eq!(page.messages.len(), 10);
}

#[test]
fn a_page_of_huge_messages_is_cut_to_the_byte_budget_and_says_has_more() {
    let db = migrated();
    // Control characters escape to six bytes each in JSON.
    let heavy = "\u{1}".repeat(confab_protocol::limits::MAX_CHAT_CHARS);
    for _ in 0..60 {
        post(&db, &heavy);
    }
    let page = ChatStore::new(&db).history(None, 100).unwrap();
    let bytes: usize = page
        .messages
        .iter()
        .map(|m| serde_json::to_string(m).unwrap().len())
        .sum();
    assert!(bytes <= store::MAX_PAGE_BYTES, "{bytes}");
    assert!(page.messages.len() < 60 && page.has_more);
    assert_eq!(page.messages.last().map(|m| m.seq), Some(60), "newest kept");
}

#[test]
fn an_unexpected_row_is_an_error_not_a_panic() {
    let bad_rows = [
        vec![],
        vec![SqlValue::Null; 6],
        vec![
            SqlValue::Integer(1),
            SqlValue::Text("not-a-uuid".into()),
            SqlValue::Text("u".into()),
            SqlValue::Text("n".into()),
            SqlValue::Text("t".into()),
            SqlValue::Integer(0),
        ],
    ];
    for row in bad_rows {
        assert!(matches!(
            store::message_from_row(row),
            Err(StoreError::Corrupt(_))
        ));
    }
}

// ---- search -----------------------------------------------------------------------------------

fn searchable() -> HostDb {
    let db = migrated();
    for text in [
        "내일 학교에서 보자",
        "학교 끝나고 도서관 갈래?",
        "오늘 회의는 취소",
        "Meeting moved to 3PM",
        "let's meet at the café",
        "COVID19 백신 예약했어",
        "zoom 회의 링크 보내줘",
        "나",
        "ORDER (AND) \"quoted\" a:b NEAR(x)",
    ] {
        post(&db, text);
    }
    db
}

#[test]
fn korean_finds_words_with_attached_particles() {
    let db = searchable();
    assert_eq!(
        search(&db, "학교"),
        ["학교 끝나고 도서관 갈래?", "내일 학교에서 보자"]
    );
    assert_eq!(search(&db, "학교에서"), ["내일 학교에서 보자"]);
    assert_eq!(search(&db, "교에"), ["내일 학교에서 보자"]);
    assert_eq!(search(&db, "도서관"), ["학교 끝나고 도서관 갈래?"]);
    assert_eq!(search(&db, "나"), ["나", "학교 끝나고 도서관 갈래?"]);
    assert_eq!(
        search(&db, "서"),
        ["학교 끝나고 도서관 갈래?", "내일 학교에서 보자"]
    );
    assert_eq!(
        search(&db, "학교에서보자"),
        Vec::<String>::new(),
        "no space-spanning"
    );
    assert_eq!(search(&db, "대학교"), Vec::<String>::new());
}

#[test]
fn all_terms_must_match() {
    let db = searchable();
    assert_eq!(search(&db, "학교 내일"), ["내일 학교에서 보자"]);
    assert_eq!(search(&db, "학교 회의"), Vec::<String>::new());
    assert_eq!(search(&db, "meet 3pm"), ["Meeting moved to 3PM"]);
}

#[test]
fn english_is_case_insensitive_and_matches_word_prefixes() {
    let db = searchable();
    assert_eq!(
        search(&db, "meet"),
        ["let's meet at the café", "Meeting moved to 3PM"]
    );
    assert_eq!(search(&db, "MEETING"), ["Meeting moved to 3PM"]);
    assert_eq!(search(&db, "caf"), ["let's meet at the café"]);
    assert_eq!(
        search(&db, "eting"),
        Vec::<String>::new(),
        "prefix, not infix"
    );
}

#[test]
fn mixed_korean_and_english_queries() {
    let db = searchable();
    assert_eq!(search(&db, "zoom 회의"), ["zoom 회의 링크 보내줘"]);
    assert_eq!(search(&db, "covid19백신"), ["COVID19 백신 예약했어"]);
    assert_eq!(
        search(&db, "회의"),
        ["zoom 회의 링크 보내줘", "오늘 회의는 취소"]
    );
}

#[test]
fn hostile_queries_never_fail() {
    let db = searchable();
    let hostile = [
        "\"",
        "*",
        "NEAR(",
        "-",
        "OR",
        "AND",
        "NOT",
        "a:b",
        "(",
        ")",
        "\"quoted",
        "학교 OR",
        "x AND",
        "a-b",
        "^",
        "{terms}: x",
        "terms:학교",
        "!!!???",
        "🎉",
        "''",
        ";--",
    ];
    for query in hostile {
        assert!(
            ChatStore::new(&db).search(query, 50).is_ok(),
            "{query:?} failed"
        );
    }
    let long: String = "가나다라 abc \"* ".repeat(20).chars().take(200).collect();
    assert!(ChatStore::new(&db).search(&long, 50).is_ok());
    // Operators are just words.
    assert_eq!(search(&db, "AND"), ["ORDER (AND) \"quoted\" a:b NEAR(x)"]);
    assert_eq!(search(&db, "OR"), ["ORDER (AND) \"quoted\" a:b NEAR(x)"]);
    assert_eq!(search(&db, "a:b"), ["ORDER (AND) \"quoted\" a:b NEAR(x)"]);
    assert_eq!(
        search(&db, "\"quoted\""),
        ["ORDER (AND) \"quoted\" a:b NEAR(x)"]
    );
    assert_eq!(search(&db, "?!"), Vec::<String>::new());
}

#[test]
fn search_is_newest_first_and_limited() {
    let db = migrated();
    for i in 1..=30 {
        post(&db, &format!("ping {i}"));
    }
    let found = ChatStore::new(&db).search("ping", 5).unwrap();
    let seqs: Vec<u64> = found.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [30, 29, 28, 27, 26]);
}

mod retention;
