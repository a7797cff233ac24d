//! Retention (by count and by age, in batches) and the benchmark seed.

use super::*;

#[test]
fn retention_by_count_prunes_oldest_messages_and_their_search_rows() {
    let db = migrated();
    let keep = Retention {
        max_messages: Some(5),
        max_age_days: None,
    };
    let store = ChatStore::new(&db);
    for i in 1..=(2 * PRUNE_EVERY) {
        store
            .post(
                &ann(),
                Uuid::new_v4(),
                &format!("word{i} common"),
                T0,
                &keep,
            )
            .unwrap();
    }
    let kept: Vec<u64> = store
        .history(None, 100)
        .unwrap()
        .messages
        .iter()
        .map(|m| m.seq)
        .collect();
    let last = 2 * PRUNE_EVERY as u64;
    assert_eq!(kept, ((last - 4)..=last).collect::<Vec<_>>());
    assert_eq!(
        search(&db, "word1").len(),
        0,
        "pruned messages leave the index"
    );
    assert_eq!(search(&db, "common").len(), 5);
    assert_eq!(db.count("SELECT COUNT(*) FROM chat_search_docsize"), 5);
}

#[test]
fn retention_by_age_prunes_old_messages_and_seq_never_goes_back() {
    let db = migrated();
    let store = ChatStore::new(&db);
    let week = Retention {
        max_messages: None,
        max_age_days: Some(7),
    };
    let day = 24 * 60 * 60 * 1000;
    for i in 0..PRUNE_EVERY - 1 {
        store
            .post(&ann(), Uuid::new_v4(), &format!("old {i}"), T0, &week)
            .unwrap();
    }
    // Eight days later the next insert (a multiple of PRUNE_EVERY) prunes all the old ones.
    let Ok(Posted::New(fresh)) = store.post(&ann(), Uuid::new_v4(), "fresh", T0 + 8 * day, &week)
    else {
        panic!("post")
    };
    assert_eq!(fresh.seq, PRUNE_EVERY as u64);
    let texts: Vec<String> = store
        .history(None, 100)
        .unwrap()
        .messages
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts, ["fresh"]);
    assert_eq!(search(&db, "old"), Vec::<String>::new());
    // Everything may expire; numbering still continues.
    assert_eq!(store.prune(&week, fresh.seq as i64, T0 + 30 * day), Ok(1));
    assert_eq!(db.count("SELECT COUNT(*) FROM chat_messages"), 0);
    assert_eq!(post(&db, "after").seq, PRUNE_EVERY as u64 + 1);
}

#[test]
fn one_prune_removes_at_most_a_batch() {
    let db = migrated();
    let store = ChatStore::new(&db);
    let n = PRUNE_BATCH + 10;
    for i in 0..n {
        post(&db, &format!("m{i}"));
    }
    let keep_one = Retention {
        max_messages: Some(1),
        max_age_days: None,
    };
    assert_eq!(store.prune(&keep_one, n, T0), Ok(PRUNE_BATCH as usize));
    assert_eq!(store.prune(&keep_one, n, T0), Ok(9));
    assert_eq!(store.prune(&keep_one, n, T0), Ok(0));
}

#[test]
fn retention_rule() {
    let keep_all = Retention::default();
    assert!(!keep_all.is_limited());
    assert!(!keep_all.expired(1, 0, 1_000_000, i64::MAX));
    let three = Retention {
        max_messages: Some(3),
        max_age_days: None,
    };
    // last_seq 10 keeps 8, 9, 10.
    assert!(three.expired(7, T0, 10, T0));
    assert!(!three.expired(8, T0, 10, T0));
    let day = Retention {
        max_messages: None,
        max_age_days: Some(1),
    };
    assert!(day.expired(1, T0, 1, T0 + DAY_MS + 1));
    assert!(!day.expired(1, T0, 1, T0 + DAY_MS));
    let huge = Retention {
        max_messages: Some(u64::MAX),
        max_age_days: Some(u32::MAX),
    };
    assert!(!huge.expired(1, T0, i64::MAX, T0 + 365 * DAY_MS));
}

#[test]
fn seeding_posts_through_the_normal_path_and_refuses_bad_batches() {
    let db = migrated();
    let store = ChatStore::new(&db);
    let texts = vec![
        "내일 학교에서 보자".to_owned(),
        "project meeting".to_owned(),
    ];
    assert_eq!(seed(&store, &ann(), &texts, T0, &KEEP_ALL).unwrap(), 2);
    assert_eq!(search(&db, "학교").len(), 1);
    assert_eq!(store.history(None, 10).unwrap().messages.len(), 2);
    let bad = vec!["ok".to_owned(), "   ".to_owned()];
    assert!(matches!(
        seed(&store, &ann(), &bad, T0, &KEEP_ALL),
        Err(SeedError::BadText(1))
    ));
    let too_many = vec!["x".to_owned(); MAX_SEED_BATCH + 1];
    assert!(matches!(
        seed(&store, &ann(), &too_many, T0, &KEEP_ALL),
        Err(SeedError::TooMany)
    ));
    assert_eq!(
        store.history(None, 10).unwrap().messages.len(),
        2,
        "refused batches add nothing"
    );
}
