use confab_protocol::{
    BanPeriod, ClientFrame, ErrorCode, HistoryVisibility, PeerId, Role, RoomAccess, ServerFrame,
};

use super::*;
use crate::chat::ChatStore;
use crate::room::test_support::{alice, member, ALICE, BOB, GONE, NOW_MS};
use crate::room::{on_text, Action, Attachment, ConnGuard, Incoming};
use crate::sql::host_db::HostDb;

fn with_role(peer: &str, role: Role) -> Member {
    Member {
        role,
        ..member(peer)
    }
}

#[test]
fn hosts_and_cohosts_moderate_anyone_but_themselves_and_the_host() {
    let bob = member(BOB);
    for actor in [with_role(ALICE, Role::Host), with_role(ALICE, Role::Cohost)] {
        assert_eq!(may_moderate(&actor, &bob), Ok(()));
        assert_eq!(may_moderate(&actor, &with_role(BOB, Role::Cohost)), Ok(()));
        // Their own other tab is themselves too.
        let own_tab = Member {
            user_id: actor.user_id.clone(),
            ..member(GONE)
        };
        assert_eq!(
            may_moderate(&actor, &own_tab).unwrap_err().code,
            ErrorCode::InvalidField
        );
    }
    let cohost = with_role(ALICE, Role::Cohost);
    assert_eq!(
        may_moderate(&cohost, &with_role(BOB, Role::Host))
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        may_moderate(&member(ALICE), &bob).unwrap_err().code,
        ErrorCode::Forbidden
    );
    // Access: hosts and co-hosts; ending: the host alone.
    assert!(may_change_access(&cohost).is_ok());
    assert!(may_change_access(&member(ALICE)).is_err());
    assert!(may_end(&with_role(ALICE, Role::Host)).is_ok());
    for actor in [cohost, member(ALICE)] {
        assert_eq!(may_end(&actor).unwrap_err().code, ErrorCode::Forbidden);
    }
}

#[test]
fn access_changes_only_what_is_sent_and_nothing_is_no_change() {
    let open = RoomAccess {
        capacity: 8,
        ..RoomAccess::default()
    };
    let locked = RoomAccess {
        locked: true,
        ..open
    };
    let lock = AccessChange {
        locked: Some(true),
        ..AccessChange::default()
    };
    let size = |n| AccessChange {
        capacity: Some(n),
        ..AccessChange::default()
    };
    assert_eq!(changed_access(open, lock, 8), Some(locked));
    assert_eq!(changed_access(locked, lock, 8), None);
    assert_eq!(changed_access(open, size(8), 8), None);
    assert_eq!(
        changed_access(locked, size(3), 8),
        Some(RoomAccess {
            capacity: 3,
            ..locked
        })
    );
    // Above the deployment's limit: the limit (here, no change).
    assert_eq!(changed_access(open, size(99), 8), None);
    assert_eq!(
        changed_access(open, size(99), 50),
        Some(RoomAccess {
            capacity: 50,
            ..open
        })
    );
    let since_joined = AccessChange {
        history: Some(HistoryVisibility::SinceJoined),
        ..AccessChange::default()
    };
    assert_eq!(
        changed_access(locked, since_joined, 8),
        Some(RoomAccess {
            history: HistoryVisibility::SinceJoined,
            ..locked
        })
    );
}

#[test]
fn late_joiners_see_history_from_their_first_admission_when_the_room_says_so() {
    assert_eq!(hidden_through(HistoryVisibility::Everyone, Some(40)), 0);
    assert_eq!(hidden_through(HistoryVisibility::Everyone, None), 0);
    assert_eq!(hidden_through(HistoryVisibility::SinceJoined, Some(40)), 40);
    assert_eq!(
        hidden_through(HistoryVisibility::SinceJoined, None),
        u64::MAX
    );
}

#[test]
fn bans_end_with_their_meeting_after_an_hour_or_never() {
    let meeting = Ban::new("guest:x", BanPeriod::Meeting, 4, NOW_MS);
    assert!(meeting.holds(4, NOW_MS + 10 * HOUR_MS));
    assert!(!meeting.holds(5, NOW_MS));
    let hour = Ban::new("guest:x", BanPeriod::Hour, 4, NOW_MS);
    assert!(hour.holds(9, NOW_MS + HOUR_MS - 1));
    assert!(!hour.holds(4, NOW_MS + HOUR_MS));
    let forever = Ban::new("guest:x", BanPeriod::Forever, 4, NOW_MS);
    assert!(forever.holds(1_000, i64::MAX));
    assert_eq!(forever.refusal().code, ErrorCode::Removed);
    assert_eq!(
        meeting.refusal().message,
        "a host removed you from this room until this meeting ends"
    );
}

#[test]
fn a_meeting_ends_when_the_room_stood_empty_long_enough_or_is_ended() {
    let locked = MeetingState {
        access: RoomAccess {
            locked: true,
            capacity: 4,
            ..RoomAccess::default()
        },
        meeting: 3,
        emptied_ms: Some(NOW_MS),
    };
    // Someone is still in, or it emptied a moment ago (a reload): the same meeting.
    assert_eq!(locked.at_knock(false, NOW_MS + MEETING_GRACE_MS), locked);
    assert_eq!(locked.at_knock(true, NOW_MS + MEETING_GRACE_MS - 1), locked);
    // Empty for the grace: a new meeting, open, the same size.
    let next = locked.at_knock(true, NOW_MS + MEETING_GRACE_MS);
    assert_eq!(
        next,
        MeetingState {
            access: RoomAccess {
                locked: false,
                ..locked.access
            },
            meeting: 4,
            emptied_ms: None,
        }
    );
    // Sockets that vanished without leaving (a restart) do not end it.
    let restarted = MeetingState {
        emptied_ms: None,
        ..locked
    };
    assert_eq!(restarted.at_knock(true, NOW_MS + 100 * HOUR_MS), restarted);
    assert_eq!(locked.next_meeting().meeting, 4);
}

#[test]
fn the_store_keeps_meetings_bans_and_admissions() {
    let db = HostDb::new();
    ChatStore::new(&db).migrate().unwrap();
    let store = ModerationStore::new(&db);
    assert_eq!(store.meeting(), Ok(MeetingState::default()));
    let state = MeetingState {
        access: RoomAccess {
            locked: true,
            capacity: 3,
            ..RoomAccess::default()
        },
        meeting: 7,
        emptied_ms: Some(NOW_MS),
    };
    store.set_meeting(&state).unwrap();
    assert_eq!(store.meeting(), Ok(state));
    let state = MeetingState {
        access: RoomAccess {
            history: HistoryVisibility::SinceJoined,
            ..state.access
        },
        ..state
    };
    store.set_meeting(&state).unwrap();
    assert_eq!(store.meeting(), Ok(state));
    let reopened = state.next_meeting();
    store.set_meeting(&reopened).unwrap();
    assert_eq!(store.meeting(), Ok(reopened));

    assert_eq!(store.ban("guest:x"), Ok(None));
    for period in [BanPeriod::Meeting, BanPeriod::Hour, BanPeriod::Forever] {
        let ban = Ban::new("guest:x", period, 7, NOW_MS);
        store.put_ban(&ban).unwrap();
        assert_eq!(store.ban("guest:x"), Ok(Some(ban)));
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM room_bans"), 1);

    assert_eq!(store.admitted_in("guest:x", 7), Ok(false));
    assert_eq!(store.first_seq("guest:x"), Ok(None));
    db.exec_ok("UPDATE chat_seq SET last_seq = 12");
    store.admit("guest:x", 7, NOW_MS).unwrap();
    db.exec_ok("UPDATE chat_seq SET last_seq = 30");
    store.admit("guest:x", 8, NOW_MS + 5).unwrap();
    assert_eq!(store.admitted_in("guest:x", 7), Ok(false));
    assert_eq!(store.admitted_in("guest:x", 8), Ok(true));
    assert_eq!(
        store.first_seq("guest:x"),
        Ok(Some(12)),
        "the first admission's"
    );
    assert_eq!(
        db.count("SELECT first_ms FROM room_admissions WHERE user_id = 'guest:x'"),
        NOW_MS
    );
}

/// Runs one frame from `sender` in a room where Alice, Bob and the host (GONE's peer) are.
fn run(sender: &Attachment, guard: &mut ConnGuard, frame: ClientFrame) -> Vec<Action> {
    let present = |p: &PeerId| match p.as_str() {
        ALICE | BOB => Some(member(p.as_str())),
        GONE => Some(with_role(GONE, Role::Host)),
        _ => None,
    };
    let incoming = Incoming {
        hidden_through: &|| 0,
        sender,
        member_of: &present,
        now_ms: NOW_MS,
    };
    on_text(&incoming, guard, &frame.to_json())
}

fn as_role(role: Role) -> Attachment {
    let mut sender = alice();
    sender.member.role = role;
    sender
}

fn refused_with(actions: &[Action]) -> Option<ErrorCode> {
    match actions {
        [Action::Reply(ServerFrame::Error { code, .. })] => Some(*code),
        _ => None,
    }
}

#[test]
fn host_frames_become_actions_for_the_room() {
    let mut guard = ConnGuard::new(NOW_MS);
    let cohost = as_role(Role::Cohost);
    let bob = PeerId(BOB.into());
    let remove = ClientFrame::Remove {
        peer_id: bob.clone(),
        ban: BanPeriod::Hour,
    };
    assert_eq!(
        run(&cohost, &mut guard, remove),
        vec![Action::Remove {
            user_id: member(BOB).user_id,
            period: BanPeriod::Hour
        }]
    );
    assert_eq!(
        run(&cohost, &mut guard, ClientFrame::Mute { peer_id: bob }),
        vec![Action::SendTo(
            PeerId(BOB.into()),
            ServerFrame::Muted {
                by: PeerId(ALICE.into())
            }
        )]
    );
    let lock = ClientFrame::SetAccess {
        locked: Some(true),
        capacity: None,
        history: None,
        lobby: None,
    };
    assert_eq!(
        run(&cohost, &mut guard, lock),
        vec![Action::ChangeAccess(AccessChange {
            locked: Some(true),
            ..AccessChange::default()
        })]
    );
    assert_eq!(
        run(&as_role(Role::Host), &mut guard, ClientFrame::EndForAll {}),
        vec![Action::EndForAll]
    );
}

#[test]
fn hostile_host_frames_change_nothing() {
    let mut guard = ConnGuard::new(NOW_MS);
    let remove = |peer: &str| ClientFrame::Remove {
        peer_id: PeerId(peer.into()),
        ban: BanPeriod::Forever,
    };
    let member_sender = alice();
    // A member: forbidden for every host action.
    for frame in [
        remove(BOB),
        ClientFrame::Mute {
            peer_id: PeerId(BOB.into()),
        },
        ClientFrame::SetAccess {
            locked: Some(true),
            capacity: None,
            history: None,
            lobby: None,
        },
        ClientFrame::EndForAll {},
    ] {
        assert_eq!(
            refused_with(&run(&member_sender, &mut guard, frame)),
            Some(ErrorCode::Forbidden)
        );
    }
    let cohost = as_role(Role::Cohost);
    assert_eq!(
        refused_with(&run(&cohost, &mut guard, remove(GONE))),
        Some(ErrorCode::Forbidden),
        "the host"
    );
    assert_eq!(
        refused_with(&run(&cohost, &mut guard, remove(ALICE))),
        Some(ErrorCode::InvalidField),
        "themselves"
    );
    assert_eq!(
        refused_with(&run(&cohost, &mut guard, remove(&"d".repeat(32)))),
        Some(ErrorCode::UnknownPeer),
        "nobody"
    );
    // A flood: the burst goes through, then one a second.
    let mut guard = ConnGuard::new(NOW_MS);
    let mute = || ClientFrame::Mute {
        peer_id: PeerId(BOB.into()),
    };
    for _ in 0..ConnGuard::MODERATION_BURST {
        assert_eq!(refused_with(&run(&cohost, &mut guard, mute())), None);
    }
    assert_eq!(
        refused_with(&run(&cohost, &mut guard, mute())),
        Some(ErrorCode::RateLimited)
    );
}

#[test]
fn history_and_search_after_a_cutoff_leave_out_what_came_before() {
    use crate::chat::{Author, Posted, Retention};
    let db = HostDb::new();
    let chat = ChatStore::new(&db);
    chat.migrate().unwrap();
    let author = Author {
        user_id: "guest:ann".into(),
        name: "Ann".into(),
    };
    let keep_all = Retention::default();
    for text in ["회의 전 메모", "회의 시작", "회의 끝"] {
        let posted = chat.post(&author, uuid::Uuid::new_v4(), text, NOW_MS, &keep_all);
        assert!(matches!(posted, Ok(Posted::New(_))));
    }
    let texts = |messages: Vec<confab_protocol::ChatMessage>| -> Vec<String> {
        messages.into_iter().map(|m| m.text).collect()
    };
    let page = chat.history_after(1, None, 100).unwrap();
    assert_eq!(texts(page.messages), ["회의 시작", "회의 끝"]);
    assert!(!page.has_more, "nothing more that this reader may see");
    assert_eq!(
        texts(chat.history_after(1, Some(3), 100).unwrap().messages),
        ["회의 시작"]
    );
    assert_eq!(
        texts(chat.search_after(1, "회의", 50).unwrap()),
        ["회의 끝", "회의 시작"]
    );
    assert_eq!(chat.search("회의", 50).unwrap().len(), 3, "no cutoff: all");
    assert!(chat
        .history_after(u64::MAX, None, 100)
        .unwrap()
        .messages
        .is_empty());
    assert!(chat.search_after(u64::MAX, "회의", 50).unwrap().is_empty());
}
