//! History paging with `before_seq`, and the limits of history and search requests.

use confab_protocol::{limits, ClientFrame, ErrorCode};

use super::{all_history, history, join_as, new_room, open, post_many, search, seqs};

pub async fn paging_over_250_messages_returns_each_once() {
    let w = open();
    let room = new_room();
    let texts: Vec<String> = (1..=250).map(|i| format!("numbered message {i}")).collect();
    let acks = post_many(&w, &room, &texts).await;
    assert_eq!(seqs(&acks), (1..=250).collect::<Vec<u64>>());

    let (mut reader, welcome, _) = join_as(&w, &room, "Reader").await;
    assert_eq!(
        seqs(&welcome.history),
        (201..=250).collect::<Vec<u64>>(),
        "welcome holds the latest page, ascending"
    );

    // Default limit: the newest 50.
    let (page, has_more) = history(&mut reader, None, None).await;
    assert_eq!(seqs(&page), (201..=250).collect::<Vec<u64>>());
    assert!(has_more);

    let mut pages = Vec::new();
    let mut before = None;
    loop {
        let (page, has_more) = history(&mut reader, before, Some(100)).await;
        pages.push((seqs(&page), has_more));
        match page.first() {
            Some(first) if has_more => before = Some(first.seq),
            _ => break,
        }
    }
    assert_eq!(
        pages,
        vec![
            ((151..=250).collect::<Vec<u64>>(), true),
            ((51..=150).collect(), true),
            ((1..=50).collect(), false),
        ]
    );
    let walked = all_history(&mut reader).await;
    assert_eq!(walked, acks, "every message once, oldest first, as acked");

    // Exactly at the end: before 51 with limit 50 is all that is left.
    let (page, has_more) = history(&mut reader, Some(51), Some(50)).await;
    assert_eq!((seqs(&page), has_more), ((1..=50).collect(), false));
    let (page, has_more) = history(&mut reader, Some(1), None).await;
    assert!(page.is_empty() && !has_more);
    let (page, _) = history(&mut reader, Some(u64::MAX), Some(3)).await;
    assert_eq!(seqs(&page), [248, 249, 250]);
    reader.close().await;
}

pub async fn limits_are_enforced() {
    let w = open();
    let room = new_room();
    let texts: Vec<String> = (1..=120).map(|i| format!("m{i}")).collect();
    post_many(&w, &room, &texts).await;
    let (mut a, _, _) = join_as(&w, &room, "Ann").await;
    let (page, has_more) = history(&mut a, None, Some(limits::MAX_HISTORY_LIMIT)).await;
    assert_eq!((page.len(), has_more), (100, true));
    for frame in [
        ClientFrame::History {
            before_seq: None,
            limit: Some(limits::MAX_HISTORY_LIMIT + 1),
        },
        ClientFrame::History {
            before_seq: None,
            limit: Some(0),
        },
        ClientFrame::Search {
            q: "m1".into(),
            limit: Some(limits::MAX_SEARCH_LIMIT + 1),
        },
        ClientFrame::Search {
            q: "x".repeat(limits::MAX_SEARCH_CHARS + 1),
            limit: None,
        },
    ] {
        a.send(&frame).await;
        a.expect_error(ErrorCode::InvalidField).await;
    }
    let found = search(&mut a, "m1", Some(limits::MAX_SEARCH_LIMIT)).await;
    // m1, m10..m19, m100..m120: 32 of them, all returned under the limit of 50.
    assert_eq!(found.len(), 32);
    a.close().await;
}
