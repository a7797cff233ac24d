//! The lobby as hosts and co-hosts see it: who waits to come in (the room's `waiting` list,
//! oldest first) in a panel of its own on the call's page, where it shows during the call (not
//! inside the People panel), with Admit and Deny on each row and Admit all while more than one
//! waits. Someone new in the list is heard: a short chime, and their name from the announcer.
//! The buttons only ask; the room's next list shows what happened. Also who is trusted (they
//! skip the lobby), as the room's `trusted` frames say.

use confab_protocol::{ClientFrame, Member, PeerId, Waiter};
use leptos::html::Section;
use leptos::prelude::*;

use super::account::AvatarImg;
use super::announcer::News;
use super::room_model::RoomModel;
use crate::account::avatar_src;
use crate::i18n::I18n;
use crate::media::chime;

/// Who waits in the lobby, as the room last said (empty: nobody, or I do not run the meeting).
#[derive(Clone, Copy)]
pub(super) struct WaitingList {
    list: RwSignal<Vec<Waiter>>,
}

impl WaitingList {
    pub(super) fn new() -> Self {
        WaitingList {
            list: RwSignal::new(Vec::new()),
        }
    }

    /// Everyone waiting (tracked).
    pub(super) fn get(self) -> Vec<Waiter> {
        self.list.get()
    }

    /// How many wait (tracked).
    pub(super) fn len(self) -> usize {
        self.list.with(Vec::len)
    }

    /// Everyone's peer id, oldest first (untracked: for Admit all).
    fn peer_ids(self) -> Vec<PeerId> {
        self.list
            .with_untracked(|list| list.iter().map(|w| w.peer_id.clone()).collect())
    }

    /// The room's new list, in place of the last; returns who is new in it.
    pub(super) fn replace(self, waiting: Vec<Waiter>) -> Vec<Waiter> {
        let fresh = self.list.with_untracked(|old| newcomers(old, &waiting));
        self.list.set(waiting);
        fresh
    }

    /// Nobody (the call ended, or I no longer run the meeting).
    pub(super) fn clear(self) {
        if self.list.with_untracked(|list| !list.is_empty()) {
            self.list.set(Vec::new());
        }
    }
}

/// Who in `new` was not in `old` (by peer id), in `new`'s order.
fn newcomers(old: &[Waiter], new: &[Waiter]) -> Vec<Waiter> {
    new.iter()
        .filter(|w| !old.iter().any(|o| o.peer_id == w.peer_id))
        .cloned()
        .collect()
}

impl RoomModel {
    /// The room's `waiting` list: kept while I am a host or co-host (a list for anyone else
    /// clears it); someone new in it is heard.
    pub(super) fn waiting_changed(self, waiting: Vec<Waiter>) {
        let moderating = self
            .me
            .with_untracked(|m| m.as_ref().is_some_and(|m| m.role.moderates()));
        if !moderating {
            self.lobby.clear();
            return;
        }
        let fresh = self.lobby.replace(waiting);
        if let Some(first) = fresh.first() {
            chime::play();
            let more = fresh.len() - 1;
            self.announcer
                .say(News::WantsToJoin(first.name.clone(), more));
        }
    }

    /// A host marked `peer` trusted or not: every place of that person (one user id) shows it.
    pub(super) fn trusted(self, peer: &PeerId, trusted: bool) {
        let user_of = |m: &Member| (&m.peer_id == peer).then(|| m.user_id.clone());
        let user = self
            .me
            .with_untracked(|me| me.as_ref().and_then(user_of))
            .or_else(|| {
                let everyone = self.participants.get_untracked();
                everyone
                    .iter()
                    .find_map(|p| p.member.with_untracked(user_of))
            });
        let Some(user) = user else { return };
        let changes = |m: &Member| m.user_id == user && m.trusted != trusted;
        if self
            .me
            .with_untracked(|me| me.as_ref().is_some_and(changes))
        {
            self.me.update(|me| {
                if let Some(me) = me {
                    me.trusted = trusted;
                }
            });
        }
        for participant in self.participants.get_untracked() {
            if participant.member.with_untracked(changes) {
                participant.member.update(|m| m.trusted = trusted);
            }
        }
    }
}

/// The hosts' and co-hosts' panel while anyone waits.
#[component]
pub(super) fn LobbyRequests(model: RoomModel) -> impl IntoView {
    let i18n = I18n::get();
    let shown = Memo::new(move |_| {
        let moderating = model
            .me
            .with(|m| m.as_ref().is_some_and(|m| m.role.moderates()));
        moderating && model.lobby.len() > 0
    });
    let panel = NodeRef::<Section>::new();
    // A row goes once its person is let in or turned away; a keyboard on its button would fall
    // to the page, so it moves to the panel's first button instead.
    let refocus = StoredValue::new(false);
    Effect::new(move |_| {
        model.lobby.len();
        if refocus.get_value() {
            refocus.set_value(false);
            request_animation_frame(move || refocus_in(panel));
        }
    });
    let admit_all = move |_| {
        refocus.set_value(true);
        model.send(ClientFrame::Admit {
            peer_ids: model.lobby.peer_ids(),
        });
    };
    move || {
        shown.get().then(|| {
            view! {
                <section class="lobby-requests" data-testid="lobby-requests" role="region" node_ref=panel
                    aria-label=move || i18n.t().lobby_requests>
                    <h2>{move || (i18n.t().lobby_count)(model.lobby.len())}</h2>
                    <ul>
                        <For each=move || model.lobby.get() key=|w| w.peer_id.clone() let:waiter>
                            <WaiterRow model waiter refocus/>
                        </For>
                    </ul>
                    {move || (model.lobby.len() > 1).then(|| view! {
                        <button type="button" data-testid="admit-all-button" on:click=admit_all>
                            {move || i18n.t().admit_all}
                        </button>
                    })}
                </section>
            }
        })
    }
}

/// One person waiting: picture, name (and "guest"), Admit and Deny for them alone.
#[component]
fn WaiterRow(model: RoomModel, waiter: Waiter, refocus: StoredValue<bool>) -> impl IntoView {
    let i18n = I18n::get();
    let Waiter {
        peer_id,
        name,
        guest,
        avatar,
    } = waiter;
    let row_id = peer_id.0.clone();
    let peer = StoredValue::new(peer_id);
    let who = StoredValue::new(name.clone());
    let answer = move |admit: bool| {
        refocus.set_value(true);
        let peer_ids = vec![peer.get_value()];
        model.send(if admit {
            ClientFrame::Admit { peer_ids }
        } else {
            ClientFrame::Deny { peer_ids }
        });
    };
    let picture = avatar_src(avatar.as_deref())
        .map(|src| view! { <AvatarImg src testid="lobby-avatar" class="small"/> });
    view! {
        <li data-testid="lobby-row" data-peer-id=row_id>
            {picture}
            <span class="name" dir="auto">{name}</span>
            {guest.then(|| view! { <span class="tag guest">{move || i18n.t().guest}</span> })}
            <button type="button" data-testid="admit-button"
                aria-label=move || who.with_value(|n| (i18n.t().admit_of)(n))
                on:click=move |_| answer(true)>
                {move || i18n.t().admit}
            </button>
            <button type="button" class="danger" data-testid="deny-button"
                aria-label=move || who.with_value(|n| (i18n.t().deny_of)(n))
                on:click=move |_| answer(false)>
                {move || i18n.t().deny}
            </button>
        </li>
    }
}

/// Puts the keyboard on the panel's first button when it fell to the page.
fn refocus_in(panel: NodeRef<Section>) {
    let document = web_sys::window().and_then(|w| w.document());
    let lost = document.as_ref().is_none_or(|d| {
        d.active_element().is_none() || d.active_element() == d.body().map(Into::into)
    });
    let first = panel
        .get_untracked()
        .and_then(|section| section.query_selector("button").ok().flatten());
    if let (true, Some(button)) = (lost, first) {
        if let Ok(button) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(button) {
            let _ = button.focus();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiter(id: &str) -> Waiter {
        Waiter {
            peer_id: PeerId(id.into()),
            name: id.to_uppercase(),
            guest: true,
            avatar: None,
        }
    }

    fn ids(waiters: &[Waiter]) -> Vec<&str> {
        waiters.iter().map(|w| w.peer_id.as_str()).collect()
    }

    #[test]
    fn only_peer_ids_not_in_the_last_list_are_new() {
        let (a, b, c) = (waiter("a"), waiter("b"), waiter("c"));
        let (ab, bca) = ([a.clone(), b.clone()], [b.clone(), c.clone(), a]);
        assert_eq!(ids(&newcomers(&[], &ab)), ["a", "b"]);
        assert!(newcomers(&ab, std::slice::from_ref(&b)).is_empty());
        assert_eq!(ids(&newcomers(&ab, &bca)), ["c"]);
        assert!(newcomers(&[c], &[]).is_empty());
    }

    #[test]
    fn the_list_is_replaced_whole_and_says_who_is_new() {
        let list = WaitingList::new();
        assert_eq!(ids(&list.replace(vec![waiter("a")])), ["a"]);
        assert_eq!(ids(&list.replace(vec![waiter("a"), waiter("b")])), ["b"]);
        assert_eq!(list.len(), 2);
        assert_eq!(list.peer_ids(), [PeerId("a".into()), PeerId("b".into())]);
        assert!(list.replace(vec![waiter("b")]).is_empty());
        list.clear();
        assert_eq!(list.len(), 0);
        assert_eq!(ids(&list.replace(vec![waiter("b")])), ["b"], "new again");
    }
}
