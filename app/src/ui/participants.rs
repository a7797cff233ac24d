//! The other people in the call: one [`Participant`] per peer, each part of it its own signal
//! (so a change re-renders only what shows that part), in one keyed list, [`Participants`].
//! The room model updates each part in one place; a tile reads one `Participant`.

use confab_protocol::{MediaState, Member, PeerId};
use leptos::prelude::*;
use web_sys::MediaStream;

use super::reactions::Shown;
use crate::call::peer::quality::QualityReport;
use crate::call::peer::restart::TileState;

/// One remote person and our link to them.
#[derive(Clone)]
pub struct Participant {
    pub peer_id: PeerId,
    /// Who they are, as the room announced them.
    pub member: RwSignal<Member>,
    /// What they send (mute state); announced with `member`, then by `media` frames.
    pub media: RwSignal<MediaState>,
    /// When they raised their hand (the room's clock); `None` while it is down.
    pub hand: RwSignal<Option<i64>>,
    /// Their audio and video, once the first track arrived.
    pub stream: RwSignal<Option<MediaStream>, LocalStorage>,
    /// The stream their shared screen comes on (shown while `media.screen`).
    pub screen: RwSignal<Option<MediaStream>, LocalStorage>,
    /// Their reaction while it shows.
    pub reaction: RwSignal<Option<Shown>>,
    /// Whether they are speaking now (see `speakers`).
    pub speaking: RwSignal<bool>,
    /// Whether their camera is pulled (on the SFU only the latest speakers' are, see
    /// `speakers`); the tile shows the person instead while it is not.
    pub camera_shown: RwSignal<bool>,
    /// How our link to them is doing (connecting until the first report).
    pub link: RwSignal<TileState>,
    /// Connection quality from periodic stats (`None` until the first interval).
    pub quality: RwSignal<Option<QualityReport>>,
    /// Whether `media` is what they announced: someone who just joined has sent nothing yet,
    /// and their first `media` frame is where they start, not a change.
    pub media_announced: StoredValue<bool>,
}

impl Participant {
    /// Someone made up, for a tile built off the page and thrown away (see `room::warm_up`).
    pub(super) fn stand_in() -> Self {
        let member = Member {
            peer_id: PeerId(String::new()),
            user_id: String::new(),
            name: String::new(),
            guest: true,
            avatar: None,
            media: MediaState::default(),
            hand: None,
            role: Default::default(),
            trusted: false,
            sfu: None,
        };
        Participant::new(member, true)
    }

    fn new(member: Member, media_announced: bool) -> Self {
        Participant {
            media_announced: StoredValue::new(media_announced),
            peer_id: member.peer_id.clone(),
            media: RwSignal::new(member.media),
            hand: RwSignal::new(member.hand),
            member: RwSignal::new(member),
            stream: RwSignal::new_local(None),
            screen: RwSignal::new_local(None),
            reaction: RwSignal::new(None),
            speaking: RwSignal::new(false),
            camera_shown: RwSignal::new(true),
            link: RwSignal::new(TileState::Connecting),
            quality: RwSignal::new(None),
        }
    }
}

/// Everyone in the call but me, in the order they arrived, keyed by peer id.
#[derive(Clone, Copy)]
pub struct Participants {
    list: RwSignal<Vec<Participant>>,
    /// The page's owner: records live as long as the page, like the tiles that read them,
    /// so a tile on its way out never reads a disposed signal.
    owner: StoredValue<Option<Owner>, LocalStorage>,
}

impl Participants {
    /// Call where the records should live (the page's component).
    pub fn new() -> Self {
        Participants {
            list: RwSignal::new(Vec::new()),
            owner: StoredValue::new_local(Owner::current()),
        }
    }

    /// Everyone (tracked: for the keyed list).
    pub fn get(self) -> Vec<Participant> {
        self.list.get()
    }

    /// Everyone, untracked (for readers outside the view: the speaking meter).
    pub fn get_untracked(self) -> Vec<Participant> {
        self.list.get_untracked()
    }

    /// A welcome: exactly these people, with fresh links.
    pub fn welcome(self, peers: Vec<Member>) {
        let fresh = peers.into_iter().map(|m| self.record(m, true)).collect();
        self.list.set(fresh);
    }

    /// Someone joined; announced again under the same peer id, they move to the end and keep
    /// their stream, link and quality.
    pub fn joined(self, member: Member) {
        let existing = self
            .list
            .with_untracked(|list| list.iter().find(|p| p.peer_id == member.peer_id).cloned());
        let participant = match existing {
            Some(participant) => {
                participant.media.set(member.media);
                participant.hand.set(member.hand);
                participant.member.set(member);
                participant
            }
            None => self.record(member, false),
        };
        self.list.update(|list| {
            list.retain(|p| p.peer_id != participant.peer_id);
            list.push(participant);
        });
    }

    /// Raised hands (tracked), with `mine` (peer id and hand), in the order they go.
    pub fn hand_queue(self, mine: Option<(PeerId, i64)>) -> Vec<PeerId> {
        let others: Vec<(PeerId, i64)> = self.list.with(|list| {
            list.iter()
                .filter_map(|p| p.hand.get().map(|at| (p.peer_id.clone(), at)))
                .collect()
        });
        let all = others.iter().chain(mine.as_ref());
        confab_protocol::hand_queue(all.map(|(peer, at)| (peer, *at)))
    }

    /// The name `peer` goes by, if they are here.
    pub fn name_of(self, peer: &PeerId) -> Option<String> {
        self.list.with_untracked(|list| {
            list.iter()
                .find(|p| &p.peer_id == peer)
                .map(|p| p.member.with_untracked(|m| m.name.clone()))
        })
    }

    pub fn left(self, peer: &PeerId) {
        self.list.update(|list| list.retain(|p| &p.peer_id != peer));
    }

    /// Nobody (the socket dropped, or the call ended).
    pub fn clear(self) {
        self.list.set(Vec::new());
    }

    /// Changes `peer`'s record; news about someone no longer here is dropped.
    pub fn update(self, peer: &PeerId, change: impl FnOnce(&Participant)) {
        let found = self
            .list
            .with_untracked(|list| list.iter().find(|p| &p.peer_id == peer).cloned());
        if let Some(participant) = found {
            change(&participant);
        }
    }

    fn record(self, member: Member, media_announced: bool) -> Participant {
        match self.owner.with_value(Clone::clone) {
            Some(owner) => owner.with(|| Participant::new(member, media_announced)),
            None => Participant::new(member, media_announced),
        }
    }
}

#[cfg(test)]
mod tests {
    use confab_protocol::MediaState;

    use super::*;

    fn member(id: &str, audio: bool) -> Member {
        Member {
            peer_id: PeerId(id.into()),
            user_id: format!("guest:{id}"),
            name: id.to_uppercase(),
            guest: true,
            avatar: None,
            media: MediaState {
                audio,
                video: true,
                screen: false,
            },
            hand: None,
            role: Default::default(),
            trusted: false,
            sfu: None,
        }
    }

    fn ids(participants: Participants) -> Vec<String> {
        participants
            .get()
            .iter()
            .map(|p| p.peer_id.0.clone())
            .collect()
    }

    fn peer(id: &str) -> PeerId {
        PeerId(id.into())
    }

    #[test]
    fn a_welcome_lists_exactly_its_people_connecting() {
        let participants = Participants::new();
        participants.welcome(vec![member("a", true), member("b", false)]);
        assert_eq!(ids(participants), ["a", "b"]);
        let b = &participants.get()[1];
        assert!(!b.media.get_untracked().audio, "mute state as announced");
        assert_eq!(b.link.get_untracked(), TileState::Connecting);
        assert_eq!(b.quality.get_untracked(), None);
        assert!(
            b.media_announced.get_value(),
            "in the room before us: announced"
        );
        participants.welcome(vec![member("c", true)]);
        assert_eq!(ids(participants), ["c"]);
    }

    #[test]
    fn each_event_changes_one_part_of_one_participant() {
        let participants = Participants::new();
        participants.welcome(vec![member("a", true), member("b", true)]);
        participants.update(&peer("b"), |p| {
            p.media.set(MediaState {
                audio: false,
                video: false,
                screen: false,
            })
        });
        participants.update(&peer("a"), |p| p.link.set(TileState::Failed));
        let [a, b] = <[Participant; 2]>::try_from(participants.get())
            .ok()
            .unwrap();
        assert!(a.media.get_untracked().audio);
        assert!(!b.media.get_untracked().video);
        assert_eq!(a.link.get_untracked(), TileState::Failed);
        assert_eq!(b.link.get_untracked(), TileState::Connecting);
    }

    #[test]
    fn news_about_someone_who_left_is_dropped() {
        let participants = Participants::new();
        participants.welcome(vec![member("a", true)]);
        assert_eq!(participants.name_of(&peer("a")).as_deref(), Some("A"));
        participants.left(&peer("a"));
        assert_eq!(participants.name_of(&peer("a")), None);
        let mut called = false;
        participants.update(&peer("a"), |_| called = true);
        assert!(!called);
        assert!(participants.get().is_empty());
    }

    #[test]
    fn joining_adds_at_the_end_and_a_repeat_keeps_the_link() {
        let participants = Participants::new();
        participants.welcome(vec![member("a", true), member("b", true)]);
        participants.joined(member("c", true));
        assert_eq!(ids(participants), ["a", "b", "c"]);
        assert!(
            !participants.get()[2].media_announced.get_value(),
            "nothing sent yet"
        );
        participants.update(&peer("a"), |p| p.link.set(TileState::Connected));
        participants.joined(member("a", false));
        assert_eq!(ids(participants), ["b", "c", "a"]);
        let a = participants.get().pop().unwrap();
        assert_eq!(a.link.get_untracked(), TileState::Connected);
        assert!(!a.media.get_untracked().audio);
        participants.clear();
        assert!(participants.get().is_empty());
    }
}
