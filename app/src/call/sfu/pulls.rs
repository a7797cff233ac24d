//! What this browser pulls from the SFU, in plain Rust: the tracks the others push that are not
//! asked for yet, and which of my transceivers (by mid) carries whose track once the SFU says.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use confab_protocol::sfu_api::{Location, TrackObject, TracksResponse};
use confab_protocol::{PeerId, SfuPush};

use super::layers::{layer, FIRST_LAYER};

/// The names under which a browser pushes its tracks (the worker allows letters, digits, `-`,
/// `_` and `.`).
pub const CAMERA: &str = "camera";
pub const MIC: &str = "mic";
pub const SCREEN: &str = "screen";
pub const SCREEN_AUDIO: &str = "screen-audio";

/// The name a local track of `kind` (`audio` or `video`) is pushed under.
pub fn push_name(kind: &str, screen: bool) -> &'static str {
    match (kind, screen) {
        ("video", false) => CAMERA,
        ("video", true) => SCREEN,
        (_, false) => MIC,
        (_, true) => SCREEN_AUDIO,
    }
}

/// Whether a pulled track of this name belongs on the person's screen tile.
pub fn is_screen(name: &str) -> bool {
    name == SCREEN || name == SCREEN_AUDIO
}

/// One track someone pushes: whose, from which session, its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Wanted {
    pub peer: PeerId,
    pub session_id: String,
    pub track: String,
}

impl Wanted {
    /// The `tracks/new` item that pulls it.
    pub fn to_track_object(&self) -> TrackObject {
        TrackObject {
            location: Some(Location::Remote),
            session_id: Some(self.session_id.clone()),
            track_name: Some(self.track.clone()),
            // A camera comes in the middle layer until its tile is measured.
            simulcast: (self.track == CAMERA).then(|| layer(FIRST_LAYER)),
            ..TrackObject::default()
        }
    }
}

/// The tracks asked for, and the mid each arrived on.
#[derive(Debug, Default)]
pub struct Pulls {
    asked: BTreeSet<Wanted>,
    by_mid: HashMap<String, Wanted>,
}

impl Pulls {
    /// Everything in `pushes` not asked for yet (never my own), in a stable order; cameras only
    /// of those in `shown` (everyone's while it is `None`).
    pub fn wanted(
        &self,
        pushes: &BTreeMap<PeerId, SfuPush>,
        me: &PeerId,
        shown: Option<&BTreeSet<PeerId>>,
    ) -> Vec<Wanted> {
        pushes
            .iter()
            .filter(|(peer, _)| *peer != me)
            .flat_map(|(peer, push)| {
                push.tracks.iter().map(|track| Wanted {
                    peer: peer.clone(),
                    session_id: push.session_id.clone(),
                    track: track.clone(),
                })
            })
            .filter(|wanted| !self.asked.contains(wanted))
            .filter(|w| w.track != CAMERA || shown.is_none_or(|shown| shown.contains(&w.peer)))
            .collect()
    }

    /// The cameras of anyone not in `shown`: no longer asked for (so that they can be asked
    /// again), and forgotten where they arrived; returns those mids, with whose they were.
    pub fn drop_cameras(&mut self, shown: &BTreeSet<PeerId>) -> Vec<(PeerId, String)> {
        self.asked
            .retain(|w| w.track != CAMERA || shown.contains(&w.peer));
        let dropped: Vec<(PeerId, String)> = self
            .by_mid
            .iter()
            .filter(|(_, w)| w.track == CAMERA && !shown.contains(&w.peer))
            .map(|(mid, w)| (w.peer.clone(), mid.clone()))
            .collect();
        for (_, mid) in &dropped {
            self.by_mid.remove(mid);
        }
        dropped
    }

    /// Marks `asking` as asked (before the call: a second round must not ask again).
    pub fn asking(&mut self, asking: &[Wanted]) {
        self.asked.extend(asking.iter().cloned());
    }

    /// What the SFU answered to `asked`: each pulled track's mid. A track it refused stays
    /// asked (asking again would be refused again); it is asked anew only if its owner pushes
    /// it from a new session. Returns how many arrived.
    pub fn answered(&mut self, asked: &[Wanted], response: &TracksResponse) -> usize {
        let mut arrived = 0;
        for track in &response.tracks {
            if track.error_code.is_some() {
                continue;
            }
            let (Some(mid), Some(session), Some(name)) =
                (&track.mid, &track.session_id, &track.track_name)
            else {
                continue;
            };
            let Some(wanted) = asked
                .iter()
                .find(|w| &w.session_id == session && &w.track == name)
            else {
                continue;
            };
            self.by_mid.insert(mid.clone(), wanted.clone());
            arrived += 1;
        }
        arrived
    }

    /// The mids that carry each person's tracks (a few people: a list, kept small in the
    /// page, where every new map type costs code).
    pub fn mids_by_peer(&self) -> Vec<(PeerId, Vec<&str>)> {
        let mut out: Vec<(PeerId, Vec<&str>)> = Vec::new();
        for (mid, Wanted { peer, .. }) in &self.by_mid {
            match out.iter_mut().find(|(p, _)| p == peer) {
                Some((_, mids)) => mids.push(mid),
                None => out.push((peer.clone(), vec![mid])),
            }
        }
        out
    }

    /// Whose track, by name, arrives on `mid`.
    pub fn on_mid(&self, mid: &str) -> Option<(&PeerId, &str)> {
        self.by_mid.get(mid).map(|w| (&w.peer, w.track.as_str()))
    }

    /// Each camera pulled, by the mid it arrives on.
    pub fn cameras(&self) -> Vec<(&str, &Wanted)> {
        self.by_mid
            .iter()
            .filter(|(_, wanted)| wanted.track == CAMERA)
            .map(|(mid, wanted)| (mid.as_str(), wanted))
            .collect()
    }

    /// `peer` left: everything of theirs is forgotten; returns the mids that carried it.
    pub fn forget(&mut self, peer: &PeerId) -> Vec<String> {
        self.asked.retain(|w| &w.peer != peer);
        let mids: Vec<String> = self
            .by_mid
            .iter()
            .filter(|(_, wanted)| &wanted.peer == peer)
            .map(|(mid, _)| mid.clone())
            .collect();
        for mid in &mids {
            self.by_mid.remove(mid);
        }
        mids
    }
}

/// How long a new link's first pull waits, after my own push, for the people already in the
/// room to push theirs. When a room moves to the SFU everyone pushes at once, the newcomer who
/// moved it last; pulling them all in one round saves a second `tracks/new` and `renegotiate`.
/// In `bench switch` 7 of 16 pages needed that second round without the wait (freeze up to
/// 7.6 s); with it none did. A push arrived up to about 3 s after the switch there, but a
/// longer wait also holds back everyone else's picture when someone never pushes.
pub const GATHER_MS: f64 = 2000.0;

/// The first pull's wait for the pushes of those present when the link started.
#[derive(Debug, Default)]
pub struct Gathering {
    /// A `Vec`: a few people, and it keeps another set type's code out of the page.
    awaited: Vec<PeerId>,
    until: f64,
}

impl Gathering {
    /// Awaits a push from each of `present` who has none in `pushes` yet, once the clock is
    /// started ([`Gathering::start_clock`]).
    pub fn new<'a>(
        present: impl IntoIterator<Item = &'a PeerId>,
        pushes: &BTreeMap<PeerId, SfuPush>,
    ) -> Gathering {
        let awaited = present
            .into_iter()
            .filter(|peer| !has_pushed(pushes, peer))
            .cloned()
            .collect();
        Gathering {
            awaited,
            until: 0.0,
        }
    }

    /// Whether to hold the pull at `now`: someone awaited has not pushed and time is left.
    pub fn holds(&self, pushes: &BTreeMap<PeerId, SfuPush>, now: f64) -> bool {
        now < self.until && self.awaited.iter().any(|peer| !has_pushed(pushes, peer))
    }

    /// `peer` joined: awaited too while the wait lasts (the room tells of its move to the SFU
    /// before it tells who joined and so caused it).
    pub fn join(&mut self, peer: &PeerId) {
        if !self.awaited.contains(peer) {
            self.awaited.push(peer.clone());
        }
    }

    /// `peer` left: no longer awaited.
    pub fn forget(&mut self, peer: &PeerId) {
        self.awaited.retain(|p| p != peer);
    }

    /// The wait ends `GATHER_MS` after `now` (when my own push is done).
    pub fn start_clock(&mut self, now: f64) {
        self.until = now + GATHER_MS;
    }
}

/// Whether `peer` pushes tracks (the room announces a session before its tracks).
fn has_pushed(pushes: &BTreeMap<PeerId, SfuPush>, peer: &PeerId) -> bool {
    pushes.get(peer).is_some_and(|push| !push.tracks.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(id: &str) -> PeerId {
        PeerId(id.into())
    }

    fn pushes(entries: &[(&str, &str, &[&str])]) -> BTreeMap<PeerId, SfuPush> {
        entries
            .iter()
            .map(|(p, session, tracks)| {
                let push = SfuPush {
                    session_id: (*session).into(),
                    tracks: tracks.iter().map(|t| (*t).into()).collect(),
                };
                (peer(p), push)
            })
            .collect()
    }

    fn pulled(wanted: &Wanted, mid: &str) -> TrackObject {
        TrackObject {
            mid: Some(mid.into()),
            ..wanted.to_track_object()
        }
    }

    #[test]
    fn everyone_else_s_tracks_are_wanted_once_and_mine_never() {
        let all = pushes(&[("a", "s-a", &[MIC, CAMERA]), ("me", "s-me", &[MIC])]);
        let mut pulls = Pulls::default();
        let wanted = pulls.wanted(&all, &peer("me"), None);
        let names: Vec<_> = wanted
            .iter()
            .map(|w| (w.peer.as_str(), w.track.as_str()))
            .collect();
        // In the order they push them.
        assert_eq!(names, [("a", MIC), ("a", CAMERA)]);
        pulls.asking(&wanted);
        assert!(pulls.wanted(&all, &peer("me"), None).is_empty());
        // A screen pushed later is the only new one.
        let more = pushes(&[("a", "s-a", &[MIC, CAMERA, SCREEN])]);
        let screen = pulls.wanted(&more, &peer("me"), None);
        assert_eq!(screen.len(), 1);
        assert_eq!(screen[0].track, SCREEN);
    }

    #[test]
    fn mids_map_to_whose_track_and_refusals_are_not_mapped() {
        let all = pushes(&[("a", "s-a", &[MIC, CAMERA]), ("b", "s-b", &[MIC])]);
        let mut pulls = Pulls::default();
        let wanted = pulls.wanted(&all, &peer("me"), None);
        pulls.asking(&wanted);
        let mut refused = wanted[2].to_track_object();
        refused.error_code = Some("not_found_track_error".into());
        let response = TracksResponse {
            tracks: vec![pulled(&wanted[1], "1"), pulled(&wanted[0], "0"), refused],
            ..TracksResponse::default()
        };
        assert_eq!(pulls.answered(&wanted, &response), 2);
        assert_eq!(pulls.on_mid("0"), Some((&peer("a"), MIC)));
        assert_eq!(pulls.on_mid("1"), Some((&peer("a"), CAMERA)));
        assert_eq!(pulls.on_mid("2"), None);
        assert!(pulls.wanted(&all, &peer("me"), None).is_empty(), "no retry");
    }

    #[test]
    fn a_person_who_left_is_forgotten_and_a_new_session_of_theirs_is_pulled_again() {
        let first = pushes(&[("a", "s-a", &[MIC])]);
        let mut pulls = Pulls::default();
        let wanted = pulls.wanted(&first, &peer("me"), None);
        pulls.asking(&wanted);
        let response = TracksResponse {
            tracks: vec![pulled(&wanted[0], "0")],
            ..TracksResponse::default()
        };
        pulls.answered(&wanted, &response);
        assert_eq!(pulls.forget(&peer("a")), ["0"]);
        assert_eq!(pulls.on_mid("0"), None);
        let again = pushes(&[("a", "s-a2", &[MIC])]);
        assert_eq!(pulls.wanted(&again, &peer("me"), None).len(), 1);
    }

    #[test]
    fn each_person_s_mids_are_grouped_for_their_tile_s_quality() {
        let mut pulls = Pulls::default();
        let wanted = pulls.wanted(
            &pushes(&[("a", "s-a", &[CAMERA, MIC]), ("b", "s-b", &[MIC])]),
            &peer("me"),
            None,
        );
        let response = TracksResponse {
            tracks: vec![
                pulled(&wanted[0], "4"),
                pulled(&wanted[1], "5"),
                pulled(&wanted[2], "6"),
            ],
            ..TracksResponse::default()
        };
        pulls.answered(&wanted, &response);
        let mut grouped = pulls.mids_by_peer();
        grouped.sort();
        grouped.iter_mut().for_each(|(_, mids)| mids.sort());
        assert_eq!(
            grouped,
            [(peer("a"), vec!["4", "5"]), (peer("b"), vec!["6"])]
        );
    }

    #[test]
    fn cameras_not_shown_are_not_wanted_and_a_dropped_one_is_wanted_again_once_shown() {
        let all = pushes(&[
            ("a", "s-a", &[MIC, CAMERA]),
            ("b", "s-b", &[MIC, CAMERA, SCREEN]),
        ]);
        let me = peer("me");
        let mut pulls = Pulls::default();
        let only_a: BTreeSet<PeerId> = [peer("a")].into_iter().collect();
        let wanted = pulls.wanted(&all, &me, Some(&only_a));
        let names: Vec<_> = wanted
            .iter()
            .map(|w| (w.peer.as_str(), w.track.as_str()))
            .collect();
        assert_eq!(
            names,
            [("a", MIC), ("a", CAMERA), ("b", MIC), ("b", SCREEN)],
            "no camera of b; sound and screens always"
        );
        pulls.asking(&wanted);
        let response = TracksResponse {
            tracks: vec![
                pulled(&wanted[0], "0"),
                pulled(&wanted[1], "1"),
                pulled(&wanted[2], "2"),
                pulled(&wanted[3], "3"),
            ],
            ..TracksResponse::default()
        };
        pulls.answered(&wanted, &response);
        // Now b is shown and a is not: a's camera goes, b's is wanted, sound stays.
        let only_b: BTreeSet<PeerId> = [peer("b")].into_iter().collect();
        assert_eq!(pulls.drop_cameras(&only_b), [(peer("a"), "1".to_owned())]);
        assert_eq!(pulls.on_mid("1"), None);
        assert_eq!(pulls.on_mid("0"), Some((&peer("a"), MIC)));
        let next = pulls.wanted(&all, &me, Some(&only_b));
        assert_eq!(next.len(), 1);
        assert_eq!(
            (next[0].peer.as_str(), next[0].track.as_str()),
            ("b", CAMERA)
        );
        // a shown again: their camera is wanted again.
        let both: BTreeSet<PeerId> = [peer("a"), peer("b")].into_iter().collect();
        pulls.asking(&next);
        let again = pulls.wanted(&all, &me, Some(&both));
        assert_eq!(again.len(), 1);
        assert_eq!(
            (again[0].peer.as_str(), again[0].track.as_str()),
            ("a", CAMERA)
        );
    }

    #[test]
    fn local_tracks_are_named_by_kind_and_screen() {
        assert_eq!(push_name("video", false), CAMERA);
        assert_eq!(push_name("audio", false), MIC);
        assert_eq!(push_name("video", true), SCREEN);
        assert_eq!(push_name("audio", true), SCREEN_AUDIO);
        assert!(is_screen(SCREEN) && is_screen(SCREEN_AUDIO) && !is_screen(CAMERA));
    }

    #[test]
    fn the_first_pull_waits_for_those_present_until_they_push_tracks_or_time_is_up() {
        let (ana, ben) = (peer("ana"), peer("ben"));
        let none = pushes(&[]);
        let mut gathering = Gathering::new([&ana, &ben], &none);
        assert!(!gathering.holds(&none, 0.0), "no clock, no wait");
        gathering.start_clock(1000.0);
        assert!(gathering.holds(&none, 1000.0));
        // The room tells of a session before its tracks: a session alone is still awaited.
        let ben_opened = pushes(&[("ana", "s-ana", &["camera", "mic"]), ("ben", "s-ben", &[])]);
        assert!(
            gathering.holds(&ben_opened, 2000.0),
            "Ben has pushed nothing yet"
        );
        let both = pushes(&[("ana", "s-ana", &["camera"]), ("ben", "s-ben", &["camera"])]);
        assert!(!gathering.holds(&both, 2000.0), "everyone present pushed");
        assert!(
            !gathering.holds(&ben_opened, 1000.0 + GATHER_MS),
            "time is up"
        );
        // Someone who left is not awaited; someone who joins meanwhile is.
        let with_cho = pushes(&[("ana", "s-ana", &["camera"]), ("cho", "s-cho", &["camera"])]);
        assert!(gathering.holds(&with_cho, 2000.0));
        gathering.forget(&ben);
        assert!(!gathering.holds(&with_cho, 2000.0));
        gathering.join(&peer("dev"));
        assert!(
            gathering.holds(&with_cho, 2000.0),
            "Dev joined and has not pushed"
        );
        assert!(!gathering.holds(&with_cho, 1000.0 + GATHER_MS));
    }

    #[test]
    fn a_link_started_after_everyone_pushed_does_not_wait() {
        let ana = peer("ana");
        let pushed = pushes(&[("ana", "s-ana", &["camera"])]);
        let mut gathering = Gathering::new([&ana], &pushed);
        gathering.start_clock(1000.0);
        assert!(!gathering.holds(&pushed, 1000.0));
    }
}
