use confab_protocol::{limits, BanPeriod, MediaState, Role};

use super::*;
use crate::room::test_support::{alice, member, ALICE, BOB, GONE, NOW_MS, TOKEN_EXP};

const NEW: &str = "dddddddddddddddddddddddddddddddd";

fn present(peer: &str) -> Attachment {
    Attachment {
        member: member(peer),
        ..alice()
    }
}

/// `n` members, none of them Alice.
fn strangers(n: usize) -> Vec<Attachment> {
    (0..n).map(|i| present(&format!("{i:032x}"))).collect()
}

/// Alice's page, asking again (as a guest: her user id is `guest:<ALICE>`).
fn alice_knocks<'a>(replaces: Option<&'a PeerId>, present: Vec<Attachment>) -> Knock<'a> {
    Knock {
        identity: Identity {
            user_id: alice().member.user_id,
            name: "A".into(),
            guest: true,
            avatar: None,
        },
        token_exp: TOKEN_EXP,
        replaces,
        room: "standup",
        now_ms: NOW_MS,
        present,
        waiting: Vec::new(),
        capacity: limits::ROOM_CAPACITY,
        peer_id: PeerId(NEW.into()),
        stored_role: None,
        room_has_host: true,
        gate: Gate::default(),
    }
}

fn signed_in(knock: Knock<'_>) -> Knock<'_> {
    Knock {
        identity: Identity {
            user_id: "user:mina".into(),
            name: "Mina".into(),
            guest: false,
            avatar: Some("/api/avatars/user:mina?v=1".into()),
        },
        ..knock
    }
}

fn requires_sign_in() -> Result<Option<RoomSettings>, StoreError> {
    Ok(Some(RoomSettings {
        creator: "user:mina".into(),
        require_sign_in: true,
        created_ms: 0,
    }))
}

fn open_room() -> Result<Option<RoomSettings>, StoreError> {
    Ok(None)
}

fn not_read() -> Result<Option<RoomSettings>, StoreError> {
    panic!("the settings are read only for a guest")
}

fn admitted(decision: &Decision) -> (&Attachment, Vec<&str>) {
    match &decision.outcome {
        Outcome::Admit {
            newcomer, others, ..
        } => (
            newcomer,
            others.iter().map(|m| m.peer_id.as_str()).collect(),
        ),
        Outcome::Refuse(refusal) => panic!("refused: {refusal:?}"),
        Outcome::Wait { .. } => panic!("held in the lobby"),
    }
}

fn refusal(decision: &Decision) -> &Refusal {
    match &decision.outcome {
        Outcome::Refuse(refusal) => refusal,
        Outcome::Admit { .. } => panic!("admitted"),
        Outcome::Wait { .. } => panic!("held in the lobby"),
    }
}

#[test]
fn a_guest_is_refused_in_a_room_that_requires_sign_in_with_4403() {
    let decision = decide(alice_knocks(None, vec![present(BOB)]), requires_sign_in);
    let refused = refusal(&decision);
    assert_eq!(
        (refused.close_code(), refused.close_reason()),
        (close_code::FORBIDDEN, "sign in")
    );
    assert_eq!(
        refused.error().to_frame().to_json(),
        r#"{"type":"error","code":"sign_in_required","message":"This room is only for signed-in people. Sign in to join."}"#
    );
    assert_eq!(refused.log(), None);
    assert_eq!(decision.replaced, None);
}

#[test]
fn a_refused_guest_replaces_nobody_even_naming_its_own_ghost() {
    let own = PeerId(ALICE.into());
    let decision = decide(alice_knocks(Some(&own), vec![alice()]), requires_sign_in);
    assert!(matches!(refusal(&decision), Refusal::SignInRequired(_)));
    assert_eq!(
        decision.replaced, None,
        "the ghost stays until a join succeeds"
    );
}

#[test]
fn sign_in_is_checked_before_capacity() {
    let full = strangers(limits::ROOM_CAPACITY);
    let decision = decide(alice_knocks(None, full), requires_sign_in);
    assert!(matches!(refusal(&decision), Refusal::SignInRequired(_)));
}

#[test]
fn guests_join_rooms_made_by_joining_or_open_to_guests() {
    let decision = decide(alice_knocks(None, vec![present(BOB)]), open_room);
    let (newcomer, others) = admitted(&decision);
    assert!(newcomer.member.guest);
    assert_eq!(others, [BOB]);
    let open = || {
        Ok(Some(RoomSettings {
            require_sign_in: false,
            ..requires_sign_in().unwrap().unwrap()
        }))
    };
    admitted(&decide(alice_knocks(None, Vec::new()), open));
}

#[test]
fn a_signed_in_person_joins_without_the_settings_being_read() {
    let decision = decide(signed_in(alice_knocks(None, vec![present(BOB)])), not_read);
    let (newcomer, others) = admitted(&decision);
    assert_eq!(newcomer.member.user_id, "user:mina");
    assert_eq!(others, [BOB]);
}

#[test]
fn unreadable_settings_refuse_a_guest_with_1011_and_are_logged() {
    let broken = || Err(StoreError::Sql("disk on fire".into()));
    let decision = decide(alice_knocks(None, Vec::new()), broken);
    let refused = refusal(&decision);
    assert_eq!(
        (refused.close_code(), refused.close_reason()),
        (1011, "try again")
    );
    let error = refused.error();
    assert_eq!(error.code, ErrorCode::Internal);
    assert!(!error.message.contains("disk"), "details stay in the log");
    assert_eq!(
        refused.log().as_deref(),
        Some("reading settings: SQL error: disk on fire")
    );
    // A signed-in person does not depend on them.
    admitted(&decide(signed_in(alice_knocks(None, Vec::new())), broken));
}

#[test]
fn the_newcomer_gets_an_attachment_with_its_identity_and_new_peer_id() {
    let decision = decide(signed_in(alice_knocks(None, Vec::new())), not_read);
    let (newcomer, others) = admitted(&decision);
    assert_eq!(
        newcomer,
        &Attachment {
            member: Member {
                peer_id: PeerId(NEW.into()),
                user_id: "user:mina".into(),
                name: "Mina".into(),
                guest: false,
                avatar: Some("/api/avatars/user:mina?v=1".into()),
                media: MediaState::default(),
                hand: None,
                role: Role::Member,
                trusted: false,
                sfu: None,
            },
            token_exp: TOKEN_EXP,
            heard_ms: NOW_MS,
            closing: false,
            waiting: None,
        }
    );
    assert!(others.is_empty());
    assert_eq!(decision.replaced, None);
}

#[test]
fn replaces_of_its_own_ghost_closes_it_and_takes_its_place() {
    let own = PeerId(ALICE.into());
    let decision = decide(
        alice_knocks(Some(&own), vec![alice(), present(BOB)]),
        open_room,
    );
    assert_eq!(decision.replaced, Some(own));
    let (newcomer, others) = admitted(&decision);
    assert_eq!(newcomer.member.peer_id.as_str(), NEW);
    assert_eq!(others, [BOB], "the ghost is not among the others");
}

#[test]
fn replaces_of_another_users_peer_is_ignored() {
    let bob = PeerId(BOB.into());
    let decision = decide(
        alice_knocks(Some(&bob), vec![alice(), present(BOB)]),
        open_room,
    );
    assert_eq!(decision.replaced, None);
    let (_, others) = admitted(&decision);
    assert_eq!(others, [ALICE, BOB], "nobody is evicted");
}

#[test]
fn replaces_of_an_unknown_or_closing_peer_is_ignored() {
    let gone = PeerId(GONE.into());
    let decision = decide(alice_knocks(Some(&gone), vec![present(BOB)]), open_room);
    assert_eq!(decision.replaced, None);
    assert_eq!(admitted(&decision).1, [BOB]);
    let own = PeerId(ALICE.into());
    let closing = Attachment {
        closing: true,
        ..alice()
    };
    let decision = decide(alice_knocks(Some(&own), vec![closing]), open_room);
    assert_eq!(decision.replaced, None);
}

#[test]
fn a_full_room_is_refused_with_4409() {
    let decision = decide(
        alice_knocks(None, strangers(limits::ROOM_CAPACITY)),
        open_room,
    );
    let refused = refusal(&decision);
    assert_eq!(
        (refused.close_code(), refused.close_reason()),
        (close_code::ROOM_FULL, "room is full")
    );
    let error = refused.error();
    assert_eq!(error.code, ErrorCode::RoomFull);
    assert_eq!(error.message, "room is full (8 people is the limit)");
    assert_eq!(refused.log(), None);
    assert_eq!(decision.replaced, None);
}

#[test]
fn a_full_room_admits_a_members_own_reconnect() {
    let own = PeerId(ALICE.into());
    let mut full = strangers(limits::ROOM_CAPACITY - 1);
    full.push(alice());
    let decision = decide(alice_knocks(Some(&own), full), open_room);
    assert_eq!(decision.replaced, Some(own));
    let (newcomer, others) = admitted(&decision);
    assert_eq!(newcomer.member.peer_id.as_str(), NEW);
    assert_eq!(others.len(), limits::ROOM_CAPACITY - 1, "and it stays full");
}

#[test]
fn a_full_room_refuses_a_reconnect_naming_someone_elses_peer() {
    let mut full = strangers(limits::ROOM_CAPACITY - 1);
    full.push(present(BOB));
    let bob = PeerId(BOB.into());
    let decision = decide(alice_knocks(Some(&bob), full), open_room);
    assert_eq!(decision.replaced, None);
    assert!(matches!(refusal(&decision), Refusal::Full(_)));
}

#[test]
fn a_ghost_is_still_closed_when_the_room_stays_full_without_it() {
    // More members than the capacity (a lower capacity than when they joined): closing the
    // ghost frees one place, not enough.
    let own = PeerId(ALICE.into());
    let mut crowd = strangers(3);
    crowd.push(alice());
    let knock = Knock {
        capacity: 2,
        ..alice_knocks(Some(&own), crowd)
    };
    let decision = decide(knock, open_room);
    assert_eq!(decision.replaced, Some(own));
    assert_eq!(
        refusal(&decision).error().message,
        "room is full (2 people is the limit)"
    );
}

#[test]
fn ninth_person_is_refused_with_room_full() {
    for present in 0..limits::ROOM_CAPACITY {
        assert!(
            fits(present, limits::ROOM_CAPACITY).is_ok(),
            "{present} present"
        );
    }
    let refused = fits(limits::ROOM_CAPACITY, limits::ROOM_CAPACITY).unwrap_err();
    assert_eq!(refused.code, ErrorCode::RoomFull);
}

#[test]
fn a_reconnect_replaces_only_its_own_present_peer() {
    let bob = Attachment {
        member: member(BOB),
        ..alice()
    };
    let present = vec![alice(), bob];
    let alice_id = PeerId(ALICE.into());
    let alice_user = alice().member.user_id;
    assert_eq!(
        ghost(&present, Some(&alice_id), &alice_user),
        Some(alice_id.clone())
    );
    // No parameter: a first join replaces nobody.
    assert_eq!(ghost(&present, None, &alice_user), None);
    // Another user's peer is never evicted.
    assert_eq!(ghost(&present, Some(&alice_id), "guest:someone-else"), None);
    assert_eq!(
        ghost(&present, Some(&PeerId(BOB.into())), &alice_user),
        None
    );
    // Unknown or already gone: ignored.
    assert_eq!(
        ghost(&present, Some(&PeerId(GONE.into())), &alice_user),
        None
    );
    assert_eq!(ghost(&[], Some(&alice_id), &alice_user), None);
    // A socket the server is already closing is not a member any more.
    let closing = Attachment {
        closing: true,
        ..alice()
    };
    assert_eq!(ghost(&[closing], Some(&alice_id), &alice_user), None);
}

#[test]
fn one_person_holds_at_most_two_places() {
    // Alice is here once (another tab): a second place is fine.
    let once = vec![alice(), present(BOB)];
    admitted(&decide(alice_knocks(None, once), open_room));
    // Twice: the third is refused with its own code, whatever room is left.
    let twice = vec![
        alice(),
        Attachment {
            member: Member {
                peer_id: PeerId(GONE.into()),
                ..alice().member
            },
            ..alice()
        },
    ];
    let decision = decide(alice_knocks(None, twice.clone()), open_room);
    let refused = refusal(&decision);
    assert_eq!(refused.error().code, ErrorCode::SeatLimit);
    assert_eq!(refused.close_code(), close_code::SEAT_LIMIT);
    assert_eq!(refused.log(), None);
    // Her reconnect past one of her own ghosts takes that place.
    let ghost = PeerId(GONE.into());
    let decision = decide(alice_knocks(Some(&ghost), twice), open_room);
    assert_eq!(decision.replaced, Some(ghost.clone()));
    admitted(&decision);
}

#[test]
fn the_first_in_a_room_nobody_owns_claims_it_and_a_kept_role_comes_back() {
    let nobody_owns = Knock {
        room_has_host: false,
        ..alice_knocks(None, Vec::new())
    };
    let decision = decide(nobody_owns, open_room);
    assert!(matches!(
        &decision.outcome,
        Outcome::Admit { newcomer, claims_host: true, .. } if newcomer.member.role == Role::Host
    ));
    let owned = decide(alice_knocks(None, Vec::new()), open_room);
    assert!(matches!(
        &owned.outcome,
        Outcome::Admit { newcomer, claims_host: false, .. } if newcomer.member.role == Role::Member
    ));
    let cohost = Knock {
        stored_role: Some(Role::Cohost),
        ..alice_knocks(None, Vec::new())
    };
    assert_eq!(
        admitted(&decide(cohost, open_room)).0.member.role,
        Role::Cohost
    );
}

#[test]
fn a_removed_person_is_refused_while_the_ban_holds_with_4411() {
    let ban = Ban::new(&alice().member.user_id, BanPeriod::Hour, 1, NOW_MS);
    let knock = Knock {
        gate: Gate {
            ban: Some(ban),
            ..Gate::default()
        },
        ..alice_knocks(None, vec![present(BOB)])
    };
    let decision = decide(knock, open_room);
    let refused = refusal(&decision);
    assert_eq!(refused.close_code(), close_code::REMOVED);
    assert_eq!(refused.error().code, ErrorCode::Removed);
    assert_eq!(
        refused.error().message,
        "a host removed you from this room for an hour"
    );
}

#[test]
fn a_locked_room_lets_in_only_hosts_and_people_already_in_this_meeting() {
    let locked = |gate: Gate, stored_role, replaces| Knock {
        gate: Gate {
            locked: true,
            ..gate
        },
        stored_role,
        ..alice_knocks(replaces, vec![present(BOB), alice()])
    };
    let newcomer = decide(locked(Gate::default(), None, None), open_room);
    let refused = refusal(&newcomer);
    assert_eq!(refused.close_code(), close_code::LOCKED);
    assert_eq!(refused.error().code, ErrorCode::Locked);
    // Co-hosts and hosts always get in; so does anyone let in earlier in this meeting, and a
    // reconnect past its own ghost.
    for role in [Role::Cohost, Role::Host] {
        admitted(&decide(
            locked(Gate::default(), Some(role), None),
            open_room,
        ));
    }
    let been_in = Gate {
        been_in: true,
        ..Gate::default()
    };
    admitted(&decide(locked(been_in, None, None), open_room));
    let own = PeerId(ALICE.into());
    let back = decide(locked(Gate::default(), None, Some(&own)), open_room);
    assert_eq!(back.replaced, Some(own.clone()));
    admitted(&back);
    // A ban outranks having been in.
    let banned = Gate {
        been_in: true,
        ban: Some(Ban::new(
            &alice().member.user_id,
            BanPeriod::Forever,
            1,
            NOW_MS,
        )),
        ..Gate::default()
    };
    assert_eq!(
        refusal(&decide(locked(banned, None, None), open_room)).close_code(),
        close_code::REMOVED
    );
}

#[test]
fn a_room_is_full_at_its_own_size() {
    let at = |capacity, present: usize| Knock {
        capacity,
        ..alice_knocks(None, strangers(present))
    };
    admitted(&decide(at(3, 2), open_room));
    assert_eq!(
        refusal(&decide(at(3, 3), open_room)).close_code(),
        close_code::ROOM_FULL
    );
    // The size the room object gives (already within the deployment's limit) is the size.
    admitted(&decide(at(50, limits::ROOM_CAPACITY), open_room));
    assert_eq!(
        refusal(&decide(at(50, 50), open_room)).close_code(),
        close_code::ROOM_FULL
    );
}
