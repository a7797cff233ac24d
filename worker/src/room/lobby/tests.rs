use confab_protocol::{
    limits, BanPeriod, ClientFrame, ErrorCode, HistoryVisibility, PeerId, Reaction, Role,
    RoomAccess, ServerFrame,
};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::chat::ChatStore;
use crate::room::admission::{decide, Gate, Knock, Outcome};
use crate::room::moderation::{AccessChange, ModerationStore};
use crate::room::test_support::{alice, member, ALICE, BOB, GONE, NOW_MS, TOKEN_EXP};
use crate::room::{on_text, Action, ConnGuard, Incoming};
use crate::sql::host_db::HostDb;
use crate::token::Identity;

const NEW: &str = "dddddddddddddddddddddddddddddddd";
const NOW_S: i64 = NOW_MS / 1000;

fn waiter(peer: &str, since_ms: i64) -> Attachment {
    Attachment {
        member: member(peer),
        waiting: Some(Waiting {
            since_ms,
            room: "standup".into(),
        }),
        ..alice()
    }
}

fn peers(ids: &[&str]) -> Vec<PeerId> {
    ids.iter().map(|id| PeerId((*id).into())).collect()
}

#[test]
fn hosts_see_who_waits_oldest_first_and_nobody_who_left_or_is_in() {
    let mut closed = waiter(GONE, 1);
    closed.closing = true;
    let list = waiting_list([
        waiter(BOB, 5),
        alice(),
        closed,
        waiter(NEW, 5),
        waiter(ALICE, 9),
    ]);
    let order: Vec<&str> = list.iter().map(|w| w.peer_id.as_str()).collect();
    assert_eq!(order, [BOB, NEW, ALICE], "oldest first, ties by peer id");
    assert_eq!(list[0].name, "B");
    assert!(list[0].guest);
}

#[test]
fn only_hosts_and_cohosts_let_people_in() {
    let mut actor = member(ALICE);
    assert_eq!(may_let_in(&actor).unwrap_err().code, ErrorCode::Forbidden);
    for role in [Role::Host, Role::Cohost] {
        actor.role = role;
        assert_eq!(may_let_in(&actor), Ok(()));
    }
}

#[test]
fn admitting_takes_those_asked_who_still_wait_as_far_as_the_room_has_room() {
    let waiting = [waiter(BOB, 1), waiter(GONE, 2), waiter(NEW, 3)];
    // Asked order is kept; a repeat and someone no longer waiting are skipped.
    let (chosen, left) = admittable(&peers(&[NEW, BOB, NEW, ALICE]), &waiting, 2, 8, NOW_S);
    let ids: Vec<&str> = chosen.iter().map(|a| a.member.peer_id.as_str()).collect();
    assert_eq!((ids, left), (vec![NEW, BOB], 0));
    // Room for one: the first asked comes in, the other keeps waiting.
    let (chosen, left) = admittable(&peers(&[GONE, BOB]), &waiting, 7, 8, NOW_S);
    assert_eq!(chosen.len(), 1);
    assert_eq!(chosen[0].member.peer_id.as_str(), GONE);
    assert_eq!(left, 1);
    // A full room (a host lowered its size below who is in) lets nobody in.
    let (chosen, left) = admittable(&peers(&[GONE]), &waiting, 5, 4, NOW_S);
    assert!(chosen.is_empty());
    assert_eq!(left, 1);
    // A waiter whose token ran out while they waited is nobody to let in.
    let (chosen, left) = admittable(&peers(&[BOB]), &waiting, 0, 8, TOKEN_EXP + 1);
    assert!(chosen.is_empty() && left == 0);
    // Let in: a member from now on.
    assert_eq!(let_in(waiter(BOB, 1)).waiting, None);
}

/// One frame of every type a client can send.
fn every_client_frame() -> Vec<ClientFrame> {
    let bob = PeerId(BOB.into());
    vec![
        ClientFrame::Signal {
            to: bob.clone(),
            data: json!({"sdp": "x"}),
        },
        ClientFrame::Chat {
            client_id: Uuid::nil(),
            text: "hi".into(),
        },
        ClientFrame::History {
            before_seq: None,
            limit: None,
        },
        ClientFrame::Search {
            q: "hi".into(),
            limit: None,
        },
        ClientFrame::Media {
            audio: true,
            video: true,
            screen: false,
        },
        ClientFrame::Hand { raised: true },
        ClientFrame::React {
            reaction: Reaction::ThumbsUp,
        },
        ClientFrame::SetRole {
            peer_id: bob.clone(),
            role: Role::Cohost,
        },
        ClientFrame::Remove {
            peer_id: bob.clone(),
            ban: BanPeriod::Hour,
        },
        ClientFrame::Mute {
            peer_id: bob.clone(),
        },
        ClientFrame::SetAccess {
            locked: Some(true),
            capacity: None,
            history: Some(HistoryVisibility::Everyone),
            lobby: None,
        },
        ClientFrame::Admit {
            peer_ids: vec![bob.clone()],
        },
        ClientFrame::Deny {
            peer_ids: vec![bob.clone()],
        },
        ClientFrame::Trust {
            peer_id: bob,
            trusted: true,
        },
        ClientFrame::EndForAll {},
    ]
}

fn run(sender: &Attachment, guard: &mut ConnGuard, frame: &ClientFrame) -> Vec<Action> {
    let present = |p: &PeerId| match p.as_str() {
        ALICE | BOB => Some(member(p.as_str())),
        _ => None,
    };
    let incoming = Incoming {
        hidden_through: &|| panic!("a waiting socket reads no history"),
        sender,
        member_of: &present,
        now_ms: NOW_MS,
    };
    on_text(&incoming, guard, &frame.to_json())
}

#[test]
fn a_waiting_socket_may_only_ping_and_renew_its_token() {
    // Even a host's role cannot act from the lobby (a waiting socket is nobody yet).
    let mut sender = waiter(ALICE, 1);
    sender.member.role = Role::Host;
    let mut guard = ConnGuard::new(NOW_MS);
    for frame in every_client_frame() {
        let actions = run(&sender, &mut guard, &frame);
        let [Action::Reply(ServerFrame::Error { code, .. })] = actions.as_slice() else {
            panic!("{frame:?} from the lobby gave {actions:?}");
        };
        assert_eq!(*code, ErrorCode::Forbidden, "{frame:?}");
    }
    assert_eq!(
        run(&sender, &mut guard, &ClientFrame::Ping {}),
        [Action::Reply(ServerFrame::Pong {})]
    );
    assert_eq!(
        run(
            &sender,
            &mut guard,
            &ClientFrame::Auth { token: "t".into() }
        ),
        [Action::VerifyToken("t".into())]
    );
    assert!(!guard.strike(), "refusals in the lobby are not strikes");
}

#[test]
fn lobby_frames_from_hosts_become_actions_and_from_members_are_forbidden() {
    let mut guard = ConnGuard::new(NOW_MS);
    let mut cohost = alice();
    cohost.member.role = Role::Cohost;
    let both = peers(&[BOB, NEW]);
    assert_eq!(
        run(
            &cohost,
            &mut guard,
            &ClientFrame::Admit {
                peer_ids: both.clone()
            }
        ),
        [Action::Admit(both.clone())]
    );
    assert_eq!(
        run(
            &cohost,
            &mut guard,
            &ClientFrame::Deny {
                peer_ids: both.clone()
            }
        ),
        [Action::Deny(both.clone())]
    );
    let lobby_on = ClientFrame::SetAccess {
        locked: None,
        capacity: None,
        history: None,
        lobby: Some(true),
    };
    assert_eq!(
        run(&cohost, &mut guard, &lobby_on),
        [Action::ChangeAccess(AccessChange {
            lobby: Some(true),
            ..AccessChange::default()
        })]
    );
    // Bob here is a guest: a guest is someone new each time, so cannot be trusted.
    let trust_bob = ClientFrame::Trust {
        peer_id: PeerId(BOB.into()),
        trusted: true,
    };
    let refused = run(&cohost, &mut guard, &trust_bob);
    assert!(
        matches!(
            refused.as_slice(),
            [Action::Reply(ServerFrame::Error {
                code: ErrorCode::InvalidField,
                ..
            })]
        ),
        "{refused:?}"
    );
    for frame in [
        ClientFrame::Admit {
            peer_ids: both.clone(),
        },
        ClientFrame::Deny { peer_ids: both },
        lobby_on,
        trust_bob,
    ] {
        let actions = run(&alice(), &mut guard, &frame);
        assert!(
            matches!(
                actions.as_slice(),
                [Action::Reply(ServerFrame::Error {
                    code: ErrorCode::Forbidden,
                    ..
                })]
            ),
            "{frame:?} from a member gave {actions:?}"
        );
    }
}

#[test]
fn a_host_trusts_a_signed_in_member_by_user_id() {
    let mut guard = ConnGuard::new(NOW_MS);
    let mut host = alice();
    host.member.role = Role::Host;
    let signed_in = |p: &PeerId| {
        (p.as_str() == BOB).then(|| Member {
            user_id: "user:ben".into(),
            guest: false,
            ..member(BOB)
        })
    };
    let incoming = Incoming {
        hidden_through: &|| 0,
        sender: &host,
        member_of: &signed_in,
        now_ms: NOW_MS,
    };
    let frame = ClientFrame::Trust {
        peer_id: PeerId(BOB.into()),
        trusted: true,
    };
    assert_eq!(
        on_text(&incoming, &mut guard, &frame.to_json()),
        [Action::Trust {
            user_id: "user:ben".into(),
            trusted: true
        }]
    );
}

fn knock(gate: Gate, present: Vec<Attachment>, waiting: Vec<Attachment>) -> Knock<'static> {
    Knock {
        identity: Identity {
            user_id: "user:mina".into(),
            name: "Mina".into(),
            guest: false,
            avatar: None,
        },
        token_exp: TOKEN_EXP,
        replaces: None,
        room: "standup",
        now_ms: NOW_MS,
        present,
        waiting,
        capacity: limits::ROOM_CAPACITY,
        peer_id: PeerId(NEW.into()),
        stored_role: None,
        room_has_host: true,
        gate,
    }
}

fn lobby() -> Gate {
    Gate {
        lobby: true,
        ..Gate::default()
    }
}

fn waits(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Wait { .. })
}

#[test]
fn with_the_lobby_on_a_newcomer_waits_and_is_nobody_yet() {
    let decision = decide(knock(lobby(), vec![alice()], Vec::new()), || Ok(None));
    let Outcome::Wait { waiter } = decision.outcome else {
        panic!("not held: {decision:?}");
    };
    assert_eq!(
        waiter.waiting,
        Some(Waiting {
            since_ms: NOW_MS,
            room: "standup".into()
        })
    );
    assert_eq!(waiter.member.peer_id.as_str(), NEW);
    // Without the lobby the same person comes straight in.
    let open = decide(knock(Gate::default(), vec![alice()], Vec::new()), || {
        Ok(None)
    });
    assert!(matches!(open.outcome, Outcome::Admit { .. }));
}

#[test]
fn hosts_cohosts_trusted_people_and_those_already_in_skip_the_lobby() {
    for role in [Role::Host, Role::Cohost] {
        let k = Knock {
            stored_role: Some(role),
            ..knock(lobby(), Vec::new(), Vec::new())
        };
        assert!(!waits(&decide(k, || Ok(None)).outcome), "{role:?}");
    }
    for gate in [
        Gate {
            trusted: true,
            ..lobby()
        },
        Gate {
            been_in: true,
            ..lobby()
        },
    ] {
        let decision = decide(knock(gate.clone(), Vec::new(), Vec::new()), || Ok(None));
        let Outcome::Admit { newcomer, .. } = decision.outcome else {
            panic!("{gate:?} waited");
        };
        assert_eq!(newcomer.member.trusted, gate.trusted);
    }
    // The first in a room nobody owns becomes its host, so nobody is left to let them in.
    let first = Knock {
        room_has_host: false,
        ..knock(lobby(), Vec::new(), Vec::new())
    };
    assert!(!waits(&decide(first, || Ok(None)).outcome));
    // A guest marked trusted (it cannot be: guests are new each time) still waits.
    let mut guest = knock(
        Gate {
            trusted: true,
            ..lobby()
        },
        Vec::new(),
        Vec::new(),
    );
    guest.identity.guest = true;
    assert!(waits(&decide(guest, || Ok(None)).outcome));
}

#[test]
fn the_lobby_holds_at_most_its_capacity_and_waiting_places_count_as_seats() {
    let crowd: Vec<Attachment> = (0..limits::LOBBY_CAPACITY)
        .map(|i| waiter(&format!("{i:032x}"), 1))
        .collect();
    let full = decide(knock(lobby(), Vec::new(), crowd), || Ok(None));
    let Outcome::Refuse(refusal) = full.outcome else {
        panic!("a full lobby held one more");
    };
    assert_eq!(refusal.error().code, ErrorCode::RoomFull);
    // Mina already waits in two tabs: a third is refused like a third seat.
    let mine = |peer: &str| Attachment {
        member: Member {
            user_id: "user:mina".into(),
            ..member(peer)
        },
        ..waiter(peer, 1)
    };
    let third = decide(
        knock(lobby(), Vec::new(), vec![mine(BOB), mine(GONE)]),
        || Ok(None),
    );
    assert!(matches!(third.outcome, Outcome::Refuse(_)), "{third:?}");
    // A reconnect while waiting replaces its own waiting ghost and waits again.
    let own = PeerId(BOB.into());
    let again = Knock {
        replaces: Some(&own),
        ..knock(lobby(), Vec::new(), vec![mine(BOB), mine(GONE)])
    };
    let again = decide(again, || Ok(None));
    assert_eq!(again.replaced, Some(own));
    let Outcome::Wait { waiter } = again.outcome else {
        panic!("the reconnect did not wait: {again:?}");
    };
    assert_eq!(
        waiter.waiting.map(|w| w.since_ms),
        Some(1),
        "it keeps its place in the queue"
    );
}

#[test]
fn the_room_keeps_its_lobby_and_trusted_people() {
    let db = HostDb::new();
    ChatStore::new(&db).migrate().unwrap();
    let store = ModerationStore::new(&db);
    let mut state = store.meeting().unwrap();
    assert!(!state.access.lobby, "rooms start without a lobby");
    state.access = RoomAccess {
        lobby: true,
        ..state.access
    };
    store.set_meeting(&state).unwrap();
    let kept = store.meeting().unwrap();
    assert!(kept.access.lobby);
    // The lobby is the room's rule, not the meeting's: the next meeting keeps it.
    assert!(kept.next_meeting().access.lobby);
    assert!(!store.trusted("user:ben").unwrap());
    store.set_trusted("user:ben", true).unwrap();
    store.set_trusted("user:ben", true).unwrap();
    assert!(store.trusted("user:ben").unwrap());
    store.set_trusted("user:ben", false).unwrap();
    assert!(!store.trusted("user:ben").unwrap());
}
