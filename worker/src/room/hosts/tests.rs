use confab_protocol::{ErrorCode, Role};

use super::*;
use crate::chat::ChatStore;
use crate::room::test_support::{member, ALICE, BOB, GONE};
use crate::sql::host_db::HostDb;

fn with_role(peer: &str, role: Role) -> Member {
    Member {
        role,
        ..member(peer)
    }
}

fn change(peer: &str, role: Role) -> RoleChange {
    RoleChange {
        user_id: member(peer).user_id,
        role,
    }
}

#[test]
fn the_first_to_join_a_room_nobody_owns_becomes_its_host() {
    assert_eq!(role_on_join(None, false), (Role::Host, true));
    assert_eq!(role_on_join(None, true), (Role::Member, false));
    // A kept role comes back, whoever else is host.
    assert_eq!(
        role_on_join(Some(Role::Cohost), true),
        (Role::Cohost, false)
    );
    assert_eq!(role_on_join(Some(Role::Host), true), (Role::Host, false));
}

#[test]
fn only_the_host_changes_roles() {
    let host = with_role(ALICE, Role::Host);
    let bob = member(BOB);
    for actor in [member(GONE), with_role(GONE, Role::Cohost)] {
        for role in [Role::Host, Role::Cohost, Role::Member] {
            let refused = set_role(&actor, &bob, role).unwrap_err();
            assert_eq!(refused.code, ErrorCode::Forbidden, "{actor:?} → {role:?}");
        }
    }
    assert_eq!(
        set_role(&host, &bob, Role::Cohost).unwrap(),
        vec![change(BOB, Role::Cohost)]
    );
    let cohost = with_role(BOB, Role::Cohost);
    assert_eq!(
        set_role(&host, &cohost, Role::Member).unwrap(),
        vec![change(BOB, Role::Member)]
    );
}

#[test]
fn handing_over_makes_the_old_host_a_cohost() {
    let host = with_role(ALICE, Role::Host);
    assert_eq!(
        set_role(&host, &member(BOB), Role::Host).unwrap(),
        vec![change(BOB, Role::Host), change(ALICE, Role::Cohost)]
    );
}

#[test]
fn the_host_cannot_change_themselves_and_a_role_already_held_changes_nothing() {
    let host = with_role(ALICE, Role::Host);
    // Their own other tab is still them.
    let other_tab = Member {
        peer_id: member(BOB).peer_id,
        ..host.clone()
    };
    for role in [Role::Host, Role::Cohost, Role::Member] {
        assert_eq!(
            set_role(&host, &other_tab, role).unwrap_err().code,
            ErrorCode::InvalidField
        );
    }
    let cohost = with_role(BOB, Role::Cohost);
    assert_eq!(set_role(&host, &cohost, Role::Cohost).unwrap(), vec![]);
}

fn migrated() -> HostDb {
    let db = HostDb::new();
    ChatStore::new(&db).migrate().expect("migrate");
    db
}

#[test]
fn roles_are_kept_by_user_id_and_members_have_no_row() {
    let db = migrated();
    let store = RoleStore::new(&db);
    assert!(!store.has_host().unwrap());
    store
        .apply(&[change(ALICE, Role::Host), change(BOB, Role::Cohost)])
        .unwrap();
    assert!(store.has_host().unwrap());
    assert_eq!(store.get(&member(ALICE).user_id).unwrap(), Some(Role::Host));
    assert_eq!(store.get(&member(BOB).user_id).unwrap(), Some(Role::Cohost));
    assert_eq!(store.get(&member(GONE).user_id).unwrap(), None);
    // A hand-over rewrites both rows; back to member deletes the row.
    store
        .apply(&[change(BOB, Role::Host), change(ALICE, Role::Cohost)])
        .unwrap();
    assert_eq!(store.get(&member(BOB).user_id).unwrap(), Some(Role::Host));
    store.apply(&[change(ALICE, Role::Member)]).unwrap();
    assert_eq!(store.get(&member(ALICE).user_id).unwrap(), None);
    assert_eq!(db.count("SELECT COUNT(*) FROM room_roles"), 1);
}

#[test]
fn a_failed_hand_over_changes_neither_row() {
    let db = migrated();
    let store = RoleStore::new(&db);
    store.apply(&[change(ALICE, Role::Host)]).unwrap();
    db.fail_statements_containing(Some("DO UPDATE"));
    assert!(store
        .apply(&[change(BOB, Role::Host), change(ALICE, Role::Cohost)])
        .is_err());
    db.fail_statements_containing(None);
    assert_eq!(store.get(&member(ALICE).user_id).unwrap(), Some(Role::Host));
    assert_eq!(store.get(&member(BOB).user_id).unwrap(), None);
}

#[test]
fn a_room_made_before_roles_is_owned_by_its_creator() {
    let db = HostDb::new();
    let before_roles = &crate::chat::store::MIGRATIONS[..2];
    crate::sql::apply_migrations(&db, "schema_version", before_roles).unwrap();
    db.exec_ok(
        "INSERT INTO room_settings (id, creator, require_sign_in, created_ms)
         VALUES (1, 'google:ana', 0, 1)",
    );
    ChatStore::new(&db).migrate().unwrap();
    let store = RoleStore::new(&db);
    assert_eq!(store.get("google:ana").unwrap(), Some(Role::Host));
}

/// `text` from `sender`, in a room where Bob is a member and nobody else is present.
fn frame_from(sender: &crate::room::Attachment, text: &str) -> Vec<crate::room::Action> {
    use crate::room::test_support::NOW_MS;
    use crate::room::{on_text, ConnGuard, Incoming};
    let others = |p: &confab_protocol::PeerId| (p.as_str() == BOB).then(|| member(BOB));
    let mut guard = ConnGuard::new(NOW_MS);
    on_text(
        &Incoming {
            hidden_through: &|| 0,
            sender,
            member_of: &others,
            now_ms: NOW_MS,
        },
        &mut guard,
        text,
    )
}

#[test]
fn a_set_role_frame_is_carried_out_only_for_the_host() {
    use crate::room::test_support::alice;
    use crate::room::Action;
    use confab_protocol::ServerFrame;
    let make_cohost = format!(r#"{{"type":"set_role","peer_id":"{BOB}","role":"cohost"}}"#);
    // A member asking gets `forbidden`, and nothing is stored or announced.
    let refused = frame_from(&alice(), &make_cohost);
    assert!(
        matches!(
            refused.as_slice(),
            [Action::Reply(ServerFrame::Error {
                code: ErrorCode::Forbidden,
                ..
            })]
        ),
        "{refused:?}"
    );
    let mut host = alice();
    host.member.role = Role::Host;
    assert_eq!(
        frame_from(&host, &make_cohost),
        vec![Action::SetRoles(vec![change(BOB, Role::Cohost)])]
    );
    // Someone not in the room (or gone) is an unknown peer.
    let stranger = format!(r#"{{"type":"set_role","peer_id":"{GONE}","role":"cohost"}}"#);
    assert!(matches!(
        frame_from(&host, &stranger).as_slice(),
        [Action::Reply(ServerFrame::Error {
            code: ErrorCode::UnknownPeer,
            ..
        })]
    ));
    // Bob is a member already: nothing to do, nothing sent.
    let same = format!(r#"{{"type":"set_role","peer_id":"{BOB}","role":"member"}}"#);
    assert_eq!(frame_from(&host, &same), vec![]);
}
