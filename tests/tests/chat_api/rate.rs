//! The chat rate limit: a burst over it is partly refused and the room keeps working.

use std::collections::HashSet;

use confab_protocol::{ErrorCode, ServerFrame};
use uuid::Uuid;

use super::{expect_chat, new_room, open, say, send_chat, seqs, with_ben, CHAT_BURST};

pub async fn burst_of_30_is_partly_rate_limited_and_the_room_keeps_working() {
    let w = open();
    let room = new_room();
    let (mut a, mut b, _) = with_ben(&w, &room, "Flooder").await;
    let ids: Vec<Uuid> = (0..30).map(|_| Uuid::new_v4()).collect();
    for (i, id) in ids.iter().enumerate() {
        send_chat(&mut a, *id, &format!("burst {i}")).await;
    }
    let mut delivered = Vec::new();
    let mut limited = Vec::new();
    for _ in 0..ids.len() {
        match a.expect_frame().await {
            ServerFrame::Chat { message } => delivered.push(message),
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                client_id,
                ..
            } => limited.push(client_id.expect("rate_limited names the client_id")),
            other => panic!("expected chat or rate_limited, got {other:?}"),
        }
    }
    assert!(
        delivered.len() >= CHAT_BURST,
        "{} delivered",
        delivered.len()
    );
    assert!(
        !limited.is_empty(),
        "30 at once must exceed the burst of 20"
    );
    let answered: HashSet<Uuid> = delivered
        .iter()
        .map(|m| m.client_id)
        .chain(limited.iter().copied())
        .collect();
    assert_eq!(
        answered,
        ids.iter().copied().collect(),
        "each message answered once"
    );
    assert_eq!(answered.len(), 30);
    // The delivered ones are numbered without gaps; the others used no seq.
    assert_eq!(
        seqs(&delivered),
        (1..=delivered.len() as u64).collect::<Vec<_>>()
    );
    // The other member got exactly the delivered ones.
    for expected in &delivered {
        assert_eq!(&expect_chat(&mut b).await, expected);
    }
    b.barrier().await;
    // The room keeps working for everyone else.
    let from_b = say(&mut b, "still here").await;
    assert_eq!(from_b.seq, delivered.len() as u64 + 1);
    assert_eq!(expect_chat(&mut a).await, from_b);
    a.ping().await;
    a.close().await;
    b.close().await;
}
