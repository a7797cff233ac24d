//! Who reads a room's chat: a room made with `history: since_joined` shows each person only
//! what was sent after they were first let in (welcome, history pages and search alike), keeps
//! that cut-off across their reconnects, and its host can open it to everyone.

use confab_protocol::{
    ChatMessage, ClientFrame, CreateRoomResponse, ErrorCode, HistoryVisibility, RoomAccess,
    ServerFrame,
};
use confab_tests::http;
use confab_tests::ws_client::{join, Client};
use uuid::Uuid;

use super::{minted_user, open, post_rooms};

async fn say(client: &mut Client, text: &str) -> ChatMessage {
    client
        .send(&ClientFrame::Chat {
            client_id: Uuid::new_v4(),
            text: text.into(),
        })
        .await;
    match client.expect_frame().await {
        ServerFrame::Chat { message } => message,
        other => panic!("{}: expected my chat back, got {other:?}", client.label),
    }
}

async fn heard(client: &mut Client) -> String {
    match client.expect_frame().await {
        ServerFrame::Chat { message } => message.text,
        other => panic!("{}: expected a chat, got {other:?}", client.label),
    }
}

/// What `client` may read: its history page and its search for `q`, as texts.
async fn readable(client: &mut Client, q: &str) -> (Vec<String>, Vec<String>) {
    client
        .send(&ClientFrame::History {
            before_seq: None,
            limit: None,
        })
        .await;
    let page = match client.expect_frame().await {
        ServerFrame::History { messages, .. } => messages,
        other => panic!("{}: expected history, got {other:?}", client.label),
    };
    client
        .send(&ClientFrame::Search {
            q: q.into(),
            limit: None,
        })
        .await;
    let found = match client.expect_frame().await {
        ServerFrame::SearchResults { messages, .. } => messages,
        other => panic!("{}: expected search results, got {other:?}", client.label),
    };
    let texts = |m: Vec<ChatMessage>| m.into_iter().map(|m| m.text).collect();
    (texts(page), texts(found))
}

fn set_history(history: HistoryVisibility) -> ClientFrame {
    ClientFrame::SetAccess {
        locked: None,
        capacity: None,
        history: Some(history),
        lobby: None,
    }
}

pub async fn late_joiners_read_chat_from_their_first_admission_when_the_room_says_so() {
    let w = open();
    let (mina, _) = minted_user(&w, "Mina");
    let reply = post_rooms(&w, Some(&mina), r#"{"history":"since_joined"}"#);
    assert_eq!(reply.status, 201, "{}", reply.body);
    let room = reply.json::<CreateRoomResponse>().room;
    let (mut host, welcome) = join(&w, &room, &mina, "Mina").await;
    // This worker has no SFU: the room holds at most a mesh's worth.
    let since_joined = RoomAccess {
        history: HistoryVisibility::SinceJoined,
        capacity: confab_protocol::limits::ROOM_CAPACITY as u32,
        ..RoomAccess::default()
    };
    assert_eq!(
        welcome.access, since_joined,
        "the room says what it was made with"
    );
    say(&mut host, "회의 전 메모 before Ben").await;

    let ben_token = http::guest(w.base_url(), "Ben").access_token;
    let (mut ben, welcome) = join(&w, &room, &ben_token, "Ben").await;
    assert!(welcome.history.is_empty(), "{:?}", welcome.history);
    host.expect_frame().await; // Ben joined
    assert_eq!(readable(&mut ben, "회의").await, (vec![], vec![]));
    say(&mut host, "회의 시작 after Ben").await;
    assert_eq!(heard(&mut ben).await, "회의 시작 after Ben");

    // Back again later: the cut-off is his first admission, not this one.
    ben.close().await;
    host.expect_frame().await; // Ben left
    say(&mut host, "회의 중 while Ben was out").await;
    let (mut ben, welcome) = join(&w, &room, &ben_token, "Ben again").await;
    host.expect_frame().await; // Ben joined
    let texts: Vec<_> = welcome.history.into_iter().map(|m| m.text).collect();
    assert_eq!(texts, ["회의 시작 after Ben", "회의 중 while Ben was out"]);
    let (page, found) = readable(&mut ben, "회의").await;
    assert_eq!(page, texts);
    assert_eq!(found, ["회의 중 while Ben was out", "회의 시작 after Ben"]);

    // Only a host changes it; the host opens it, and Ben reads everything.
    ben.send(&set_history(HistoryVisibility::Everyone)).await;
    ben.expect_error(ErrorCode::Forbidden).await;
    host.send(&set_history(HistoryVisibility::Everyone)).await;
    for client in [&mut host, &mut ben] {
        match client.expect_frame().await {
            ServerFrame::Access { access } => assert_eq!(
                access,
                RoomAccess {
                    history: HistoryVisibility::Everyone,
                    ..since_joined
                }
            ),
            other => panic!("{}: expected access, got {other:?}", client.label),
        }
    }
    let (page, found) = readable(&mut ben, "회의").await;
    assert_eq!(page.len(), 3, "{page:?}");
    assert_eq!(found.len(), 3, "{found:?}");
}
