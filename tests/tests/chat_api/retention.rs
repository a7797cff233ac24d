//! Retention (`CHAT_RETENTION_MESSAGES`): the oldest messages leave history and search.

use super::{
    all_history, join_as, new_room, post_many, retaining, say, search, search_texts, seqs, RETAINED,
};

pub async fn oldest_messages_are_pruned_from_history_and_search() {
    let w = retaining();
    let room = new_room();
    let texts: Vec<String> = (1..=40).map(|i| format!("keepsake{i} common")).collect();
    post_many(&w, &room, &texts).await;
    let (mut a, _, _) = join_as(&w, &room, "Ann").await;
    let kept = all_history(&mut a).await;
    let kept_seqs = seqs(&kept);
    assert!(
        kept_seqs.len() as u64 >= RETAINED && kept_seqs.len() < 40,
        "kept {kept_seqs:?}"
    );
    assert_eq!(
        kept_seqs,
        (41 - kept_seqs.len() as u64..=40).collect::<Vec<_>>(),
        "the newest are kept, contiguous"
    );
    assert!(!kept_seqs.contains(&1));
    assert_eq!(
        search_texts(&mut a, "keepsake1").await,
        Vec::<String>::new()
    );
    assert_eq!(
        search_texts(&mut a, "keepsake40").await,
        ["keepsake40 common"]
    );
    assert_eq!(search(&mut a, "common", Some(50)).await.len(), kept.len());
    assert_eq!(say(&mut a, "next").await.seq, 41, "seq never goes back");
    a.close().await;
}
