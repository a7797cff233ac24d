//! The participants panel: everyone in the call with their role, me first; the host's row
//! controls (make or unmake a co-host, hand the room over). The room decides: these buttons
//! only ask, and the room's `role` frames change what shows.

use confab_protocol::{Member, Role};
use leptos::prelude::*;

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
    let i_host = move || {
        model
            .me
            .with(|m| m.as_ref().is_some_and(|m| m.role == Role::Host))
    };
    move || {
        model.people_open.get().then(|| {
            let me = move || model.me.get().map(|me| view! { <PersonRow member=me mine=true host_view=false model/> });
            view! {
                <aside class="people" id="participants-panel" data-testid="participants-panel"
                    aria-label=move || i18n.t().people>
                    <ul>
                        {me}
                        <For each=move || model.participants.get() key=|p| p.peer_id.clone() let:participant>
                            {move || view! {
                                <PersonRow member=participant.member.get() mine=false host_view=i_host() model/>
                            }}
                        </For>
                    </ul>
                </aside>
            }
        })
    }
}

/// One person: name, role, and for the host the controls for someone else.
#[component]
fn PersonRow(member: Member, mine: bool, host_view: bool, model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let Member {
        peer_id,
        name,
        role,
        ..
    } = member;
    let role_label = move || match role {
        Role::Host => Some(i18n.t().role_host),
        Role::Cohost => Some(i18n.t().role_cohost),
        Role::Member => None,
    };
    let controls = (host_view && !mine).then(|| {
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
            {controls}
        </li>
    }
}
