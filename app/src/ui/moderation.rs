//! What hosts and co-hosts do to run a meeting: on someone's row, ask their app to turn the
//! microphone off, remove them for a while (after a confirmation), or trust them (they skip the
//! waiting room); at the top of the People panel, lock the room, turn its waiting room on, set
//! how many may be in it, choose whose chat history people see, and (the host only) end it for
//! everyone.
//! These only ask: the room checks each frame, and its answers change what shows.

use confab_protocol::{limits, BanPeriod, ClientFrame, HistoryVisibility, PeerId, Role};
use leptos::html::{Button, Select};
use leptos::prelude::*;

use super::room_model::RoomModel;
use crate::i18n::I18n;

/// The controls a viewer gets on one person's row.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct RowControls {
    /// Ask to mute, remove: hosts and co-hosts.
    pub(super) moderate: bool,
    /// Make or unmake a co-host, hand the room over: the host only.
    pub(super) roles: bool,
}

/// What `viewer` may do to someone of role `target`: nothing to themselves (`mine`: this or
/// another place of theirs) nor to the host, whom nobody removes or mutes.
pub(super) fn row_controls(viewer: Role, target: Role, mine: bool) -> RowControls {
    if mine || target == Role::Host {
        return RowControls::default();
    }
    RowControls {
        moderate: viewer.moderates(),
        roles: viewer == Role::Host,
    }
}

/// Whether a viewer with `controls` on someone's row may trust them: signed-in members only
/// (hosts and co-hosts skip the waiting room anyway; a guest has no account to trust).
pub(super) fn may_trust(controls: RowControls, target: Role, guest: bool) -> bool {
    controls.moderate && target == Role::Member && !guest
}

const PERIODS: [BanPeriod; 3] = [BanPeriod::Meeting, BanPeriod::Hour, BanPeriod::Forever];

/// The period menu's value (a [`BanPeriod::as_str`]); the shortest for anything else.
fn ban_period(value: &str) -> BanPeriod {
    PERIODS
        .into_iter()
        .find(|p| p.as_str() == value)
        .unwrap_or(BanPeriod::Meeting)
}

const HISTORIES: [HistoryVisibility; 2] =
    [HistoryVisibility::Everyone, HistoryVisibility::SinceJoined];

/// The chat-history menu's value (a [`HistoryVisibility::as_str`]); everyone's for anything
/// else.
pub(super) fn history_choice(value: &str) -> HistoryVisibility {
    HISTORIES
        .into_iter()
        .find(|h| h.as_str() == value)
        .unwrap_or_default()
}

/// The chat-history menu's choices, each selected while it is `current` (a new room's choice,
/// or the room's setting as it last said).
pub(super) fn history_options(current: Signal<HistoryVisibility>) -> impl IntoView {
    let i18n = I18n::get();
    HISTORIES
        .map(|h| {
            view! {
                <option value=h.as_str() prop:selected=move || current.get() == h>
                    {move || (i18n.t().history_option)(h)}
                </option>
            }
        })
        .into_iter()
        .collect_view()
}

/// Focuses the element `node` gives whenever it appears (a confirmation's first control):
/// the keyboard goes on from there.
fn focus_on_show(node: impl Fn() -> Option<web_sys::HtmlElement> + 'static) {
    Effect::new(move |_| {
        if let Some(element) = node() {
            let _ = element.focus();
        }
    });
}

/// "Turn off mic" on someone's row, while their microphone is on.
#[component]
pub(super) fn MuteRequest(
    model: RoomModel,
    peer: PeerId,
    name: String,
    audio: Signal<bool>,
) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        let (peer, name) = (peer.clone(), name.clone());
        audio.get().then(|| {
            view! {
                <button type="button" data-testid="mute-request-button"
                    aria-label=move || (i18n.t().mute_request_of)(&name)
                    on:click=move |_| model.send(ClientFrame::Mute { peer_id: peer.clone() })>
                    {move || i18n.t().mute_request}
                </button>
            }
        })
    }
}

/// "Trust" on a signed-in member's row (pressed while they are trusted).
#[component]
pub(super) fn TrustToggle(
    model: RoomModel,
    peer: PeerId,
    name: String,
    trusted: Signal<bool>,
) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <button type="button" data-testid="trust-toggle" aria-pressed=move || trusted.get().to_string()
            aria-label=move || (i18n.t().trust_of)(&name)
            on:click=move |_| model.send(ClientFrame::Trust {
                peer_id: peer.clone(),
                trusted: !trusted.get_untracked(),
            })>
            {move || i18n.t().trust}
        </button>
    }
}

/// "Remove" on someone's row: opens, in the row, for how long and a confirm button.
#[component]
pub(super) fn RemovePerson(model: RoomModel, peer: PeerId, name: String) -> impl IntoView {
    let i18n = I18n::get();
    let open = RwSignal::new(false);
    let (button, period) = (NodeRef::<Button>::new(), NodeRef::<Select>::new());
    focus_on_show(move || period.get().map(Into::into));
    let cancel = move || {
        open.set(false);
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    let name = StoredValue::new(name);
    let remove_of = move || name.with_value(|n| (i18n.t().remove_of)(n));
    let confirm = move || {
        let peer = peer.clone();
        view! {
            <span class="confirm" role="group" aria-label=remove_of
                on:keydown=move |ev| if ev.key() == "Escape" { cancel() }>
                <select data-testid="remove-period" node_ref=period aria-label=move || i18n.t().remove_period>
                    <option value="meeting" selected>{move || i18n.t().ban_meeting}</option>
                    <option value="hour">{move || i18n.t().ban_hour}</option>
                    <option value="forever">{move || i18n.t().ban_forever}</option>
                </select>
                <button type="button" class="danger" data-testid="remove-confirm"
                    aria-label=move || name.with_value(|n| (i18n.t().remove_now_of)(n))
                    on:click=move |_| {
                        let ban = period.get_untracked().map_or(BanPeriod::Meeting, |s| ban_period(&s.value()));
                        open.set(false);
                        model.send(ClientFrame::Remove { peer_id: peer.clone(), ban });
                    }>
                    {move || i18n.t().remove_now}
                </button>
                <button type="button" class="quiet" data-testid="remove-cancel" on:click=move |_| cancel()>
                    {move || i18n.t().cancel}
                </button>
            </span>
        }
    };
    view! {
        <button type="button" class="danger" data-testid="remove-button" node_ref=button
            aria-label=remove_of aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)>
            {move || i18n.t().remove}
        </button>
        {move || open.get().then(confirm.clone())}
    }
}

/// Lock, waiting room, room size, chat history and (the host's) end for all, at the top of the
/// People panel, for hosts and co-hosts.
#[component]
pub(super) fn MeetingControls(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let role = move || {
        model
            .me
            .with(|m| m.as_ref().map_or(Role::Member, |m| m.role))
    };
    let locked = move || model.access.with(|a| a.locked);
    let lobby = move || model.access.with(|a| a.lobby);
    let history = Signal::derive(move || model.access.with(|a| a.history));
    let set_access = move |locked, capacity, history, lobby| {
        model.send(ClientFrame::SetAccess {
            locked,
            capacity,
            history,
            lobby,
        })
    };
    // Each option follows the room's capacity (whatever order the menu is built in).
    let sizes = move || {
        let now = model.access.with(|a| a.capacity);
        let sizes = capacity_choices(model.room_limit.get(), now);
        sizes.into_iter().map(|n| view! {
            <option value=n.to_string() prop:selected=move || model.access.with(|a| a.capacity == n)>
                {move || (i18n.t().capacity_option)(n)}
            </option>
        }).collect_view()
    };
    move || {
        role().moderates().then(|| {
            view! {
                <section class="meeting-controls" data-testid="meeting-controls"
                    aria-label=move || i18n.t().meeting_controls>
                    <button type="button" data-testid="lock-toggle" aria-pressed=move || locked().to_string()
                        on:click=move |_| set_access(Some(!model.access.with_untracked(|a| a.locked)), None, None, None)>
                        {move || i18n.t().lock_room}
                    </button>
                    <button type="button" data-testid="lobby-toggle" aria-pressed=move || lobby().to_string()
                        on:click=move |_| set_access(None, None, None, Some(!model.access.with_untracked(|a| a.lobby)))>
                        {move || i18n.t().waiting_room}
                    </button>
                    <select data-testid="capacity-select" aria-label=move || i18n.t().capacity
                        on:change:target=move |ev| if let Ok(n) = ev.target().value().parse() {
                            set_access(None, Some(n), None, None)
                        }>
                        {sizes()}
                    </select>
                    <select data-testid="history-select" aria-label=move || i18n.t().chat_history
                        on:change:target=move |ev| {
                            set_access(None, None, Some(history_choice(&ev.target().value())), None)
                        }>
                        {history_options(history)}
                    </select>
                    {move || (role() == Role::Host).then(|| view! { <EndForAll model/> })}
                </section>
            }
        })
    }
}

/// The host's "end meeting for all", which asks once more.
#[component]
fn EndForAll(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let asking = RwSignal::new(false);
    let confirm = NodeRef::<Button>::new();
    focus_on_show(move || confirm.get().map(Into::into));
    view! {
        <button type="button" class="danger" data-testid="end-for-all-button"
            aria-expanded=move || asking.get().to_string()
            on:click=move |_| asking.update(|a| *a = !*a)>
            {move || i18n.t().end_for_all}
        </button>
        {move || asking.get().then(|| view! {
            <button type="button" class="danger" data-testid="end-for-all-confirm" node_ref=confirm
                on:click=move |_| model.send(ClientFrame::EndForAll {})>
                {move || i18n.t().end_for_all_confirm}
            </button>
            <button type="button" class="quiet" data-testid="end-for-all-cancel"
                on:click=move |_| asking.set(false)>
                {move || i18n.t().cancel}
            </button>
        })}
    }
}

/// Shown to everyone while the room is locked.
#[component]
pub(super) fn LockedBadge(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        model.access.with(|a| a.locked).then(|| {
            view! {
                <span class="room-locked" data-testid="room-locked" role="note"
                    aria-label=move || i18n.t().room_locked_hint>
                    <span aria-hidden="true">"🔒 "</span>{move || i18n.t().room_locked}
                </span>
            }
        })
    }
}

/// Shown to everyone while the room's waiting room is on.
#[component]
pub(super) fn LobbyBadge(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    move || {
        model.access.with(|a| a.lobby).then(|| {
            view! {
                <span class="room-lobby" data-testid="room-lobby" role="note"
                    aria-label=move || i18n.t().room_lobby_hint>
                    <span aria-hidden="true">"🚪 "</span>{move || i18n.t().room_lobby}
                </span>
            }
        })
    }
}

/// The sizes a host may choose for a room that holds at most `limit` people here: each from
/// 2 to the mesh's 8, then every fifth, then `limit` itself, and the room's size `now` if it is
/// none of those (set from another client).
fn capacity_choices(limit: u32, now: u32) -> Vec<u32> {
    let mesh = limits::ROOM_CAPACITY as u32;
    // Built in order rather than sorted: each instance of the standard sort costs the page
    // kilobytes.
    let mut sizes: Vec<u32> = (limits::MIN_ROOM_CAPACITY..=mesh.min(limit)).collect();
    sizes.extend((mesh + 1..limit).filter(|n| n % 5 == 0));
    if sizes.last() != Some(&limit) {
        sizes.push(limit);
    }
    if let Err(at) = sizes.binary_search(&now.min(limit)) {
        sizes.insert(at, now.min(limit));
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mesh_room_offers_two_to_eight_and_an_sfu_room_goes_on_in_fives() {
        assert_eq!(capacity_choices(8, 8), (2..=8).collect::<Vec<_>>());
        assert_eq!(
            capacity_choices(22, 13),
            [2, 3, 4, 5, 6, 7, 8, 10, 13, 15, 20, 22].to_vec()
        );
        let fifty = capacity_choices(50, 50);
        assert_eq!(fifty.len(), 7 + 8 + 1, "{fifty:?}");
        assert_eq!(fifty.last(), Some(&50));
    }

    #[test]
    fn hosts_and_cohosts_moderate_others_but_never_the_host_or_themselves() {
        let none = RowControls::default();
        let both = RowControls {
            moderate: true,
            roles: true,
        };
        let moderate = RowControls {
            moderate: true,
            roles: false,
        };
        assert_eq!(row_controls(Role::Host, Role::Member, false), both);
        assert_eq!(row_controls(Role::Host, Role::Cohost, false), both);
        assert_eq!(row_controls(Role::Cohost, Role::Member, false), moderate);
        assert_eq!(row_controls(Role::Cohost, Role::Cohost, false), moderate);
        for viewer in [Role::Host, Role::Cohost, Role::Member] {
            assert_eq!(row_controls(viewer, Role::Host, false), none, "{viewer:?}");
            for target in [Role::Host, Role::Cohost, Role::Member] {
                assert_eq!(row_controls(viewer, target, true), none, "mine");
            }
        }
        assert_eq!(row_controls(Role::Member, Role::Member, false), none);
        assert_eq!(row_controls(Role::Member, Role::Cohost, false), none);
    }

    #[test]
    fn hosts_and_cohosts_trust_only_signed_in_members_other_than_themselves() {
        for viewer in [Role::Host, Role::Cohost] {
            let controls = row_controls(viewer, Role::Member, false);
            assert!(may_trust(controls, Role::Member, false), "{viewer:?}");
            assert!(!may_trust(controls, Role::Member, true), "a guest");
            for target in [Role::Host, Role::Cohost] {
                let controls = row_controls(viewer, target, false);
                assert!(!may_trust(controls, target, false), "{target:?}");
            }
            let mine = row_controls(viewer, Role::Member, true);
            assert!(!may_trust(mine, Role::Member, false), "myself");
        }
        let member = row_controls(Role::Member, Role::Member, false);
        assert!(!may_trust(member, Role::Member, false));
    }

    #[test]
    fn the_period_menu_values_are_the_protocols() {
        for period in PERIODS {
            assert_eq!(ban_period(period.as_str()), period);
        }
        assert_eq!(ban_period(""), BanPeriod::Meeting);
        assert_eq!(ban_period("week"), BanPeriod::Meeting);
    }

    #[test]
    fn the_history_menu_values_are_the_protocols() {
        for history in HISTORIES {
            assert_eq!(history_choice(history.as_str()), history);
        }
        assert_eq!(
            history_choice("since_joined"),
            HistoryVisibility::SinceJoined
        );
        assert_eq!(history_choice(""), HistoryVisibility::Everyone);
        assert_eq!(history_choice("nobody"), HistoryVisibility::Everyone);
    }
}
