//! The participants panel: everyone in the call with their role (and whether a host trusts
//! them), me first; for hosts and co-hosts the meeting's controls above and each row's
//! (`moderation`), for the host also making or unmaking a co-host and handing the room over.
//! The room decides: these buttons only ask, and the room's frames change what shows.

use confab_protocol::{Member, Role};
use leptos::prelude::*;

use super::moderation::{
    may_trust, row_controls, MeetingControls, MuteRequest, RemovePerson, RowControls, TrustToggle,
};
use super::room_model::RoomModel;
use crate::i18n::I18n;

/// The button in the call's controls that opens and closes the panel.
#[component]
pub(super) fn PeopleButton(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let count = move || model.participants.get().len() + 1;
    view! {
        <button type="button" data-testid="participants-button"
            aria-pressed=move || model.people_open.get().to_string()
            aria-expanded=move || model.people_open.get().to_string()
            aria-controls="participants-panel"
            on:click=move |_| model.people_open.update(|open| *open = !*open)>
            {move || i18n.t().people} " " <span class="count">{count}</span>
        </button>
    }
}

/// The panel, while open.
#[component]
pub(super) fn PeoplePanel(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    // My role, and who I am: a place of mine in another tab is me too.
    let viewer = move || {
        model.me.with(|m| {
            m.as_ref().map_or((Role::Member, String::new()), |m| {
                (m.role, m.user_id.clone())
            })
        })
    };
    move || {
        model.people_open.get().then(|| {
            let me = move || model.me.get().map(|me| {
                let trusted = Signal::stored(me.trusted);
                view! {
                    <PersonRow member=me mine=true controls=RowControls::default() audio=Signal::stored(false)
                        trusted model/>
                }
            });
            view! {
                <aside class="people" id="participants-panel" data-testid="participants-panel"
                    aria-label=move || i18n.t().people>
                    <MeetingControls model/>
                    <ul>
                        {me}
                        <For each=move || model.participants.get() key=|p| p.peer_id.clone() let:participant>
                            {
                                // Trusting someone changes their button and marker, not the row
                                // (which would take the keyboard off the button).
                                let record = participant.member;
                                let member = Memo::new(move |_| {
                                    record.with(|m| Member { trusted: false, ..m.clone() })
                                });
                                let trusted = Signal::derive(move || record.with(|m| m.trusted));
                                move || {
                                    let member = member.get();
                                    let (role, user_id) = viewer();
                                    let controls = row_controls(role, member.role, member.user_id == user_id);
                                    let media = participant.media;
                                    let audio = Signal::derive(move || media.with(|m| m.audio));
                                    view! { <PersonRow member mine=false controls audio trusted model/> }
                                }
                            }
                        </For>
                    </ul>
                </aside>
            }
        })
    }
}

/// One person: name, role, trusted, and the viewer's `controls` for them (`audio`: their
/// microphone is on).
#[component]
fn PersonRow(
    member: Member,
    mine: bool,
    controls: RowControls,
    audio: Signal<bool>,
    trusted: Signal<bool>,
    model: RoomModel,
) -> impl IntoView {
    let i18n = I18n::get();
    let Member {
        peer_id,
        name,
        role,
        guest,
        ..
    } = member;
    let role_label = move || match role {
        Role::Host => Some(i18n.t().role_host),
        Role::Cohost => Some(i18n.t().role_cohost),
        Role::Member => None,
    };
    let trust = may_trust(controls, role, guest)
        .then(|| view! { <TrustToggle model peer=peer_id.clone() name=name.clone() trusted/> });
    let moderation = controls.moderate.then(|| {
        view! {
            <MuteRequest model peer=peer_id.clone() name=name.clone() audio/>
            <RemovePerson model peer=peer_id.clone() name=name.clone()/>
        }
    });
    let roles = controls.roles.then(|| {
        let (peer, who) = (peer_id.clone(), name.clone());
        let cohost_toggle = {
            let (peer, who) = (peer.clone(), who.clone());
            let next = if role == Role::Cohost {
                Role::Member
            } else {
                Role::Cohost
            };
            view! {
                <button type="button" data-testid="cohost-button"
                    aria-label=move || if next == Role::Member {
                        (i18n.t().remove_cohost_of)(&who)
                    } else {
                        (i18n.t().make_cohost_of)(&who)
                    }
                    on:click=move |_| model.set_role(peer.clone(), next)>
                    {move || if next == Role::Member { i18n.t().remove_cohost } else { i18n.t().make_cohost }}
                </button>
            }
        };
        view! {
            {cohost_toggle}
            <button type="button" data-testid="make-host-button"
                aria-label=move || (i18n.t().make_host_of)(&who)
                on:click=move |_| model.set_role(peer.clone(), Role::Host)>
                {move || i18n.t().make_host}
            </button>
        }
    });
    view! {
        <li data-testid="participant-row" data-peer-id=peer_id.0.clone() data-role=role.as_str()>
            <span class="name" dir="auto">{name}</span>
            {mine.then_some(move || i18n.t().you_suffix)}
            {move || role_label().map(|label| view! { <span class="role">{label}</span> })}
            {move || trusted.get().then(|| view! {
                <span class="role trusted" data-testid="trusted-marker">{move || i18n.t().trusted}</span>
            })}
            {roles}
            {trust}
            {moderation}
        </li>
    }
}
