//! History, search, dedupe and numbering survive a restart of the worker.

use confab_tests::wrangler::{Options, Wrangler};
use confab_tests::ws_client::join;
use uuid::Uuid;

use super::{all_history, expect_chat, join_as, new_room, say, search_texts, send_chat};

pub async fn history_and_search_survive_a_restart() {
    let mut w = Wrangler::try_start(Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let room = new_room();
    let (mut a, _, token) = join_as(&w, &room, "Ann").await;
    let first_id = Uuid::new_v4();
    send_chat(&mut a, first_id, "내일 학교에서 보자").await;
    let first = expect_chat(&mut a).await;
    let mut before = vec![first.clone()];
    before.push(say(&mut a, "Meeting notes <b>draft</b>\nline 2").await);
    before.push(say(&mut a, "🎉 세 번째").await);
    a.drop_connection();

    w.restart().unwrap_or_else(|e| panic!("{e}"));

    let (mut a, welcome) = join(&w, &room, &token, "Ann after restart").await;
    assert_eq!(welcome.history, before);
    assert_eq!(all_history(&mut a).await, before);
    assert_eq!(search_texts(&mut a, "학교").await, ["내일 학교에서 보자"]);
    assert_eq!(
        search_texts(&mut a, "meet").await,
        ["Meeting notes <b>draft</b>\nline 2"]
    );
    // Dedupe and numbering carry on from storage.
    send_chat(&mut a, first_id, "내일 학교에서 보자").await;
    assert_eq!(expect_chat(&mut a).await, first);
    assert_eq!(say(&mut a, "after restart").await.seq, 4);
    a.close().await;
}
