//! What a page pulls from the SFU in a room on it. Everyone's sound, always; video only where
//! it is shown: the pinned person, every shared screen, and the people who spoke last, up to
//! [`MAX_CAMERAS`] (before anyone has spoken, the first to arrive). Each camera comes in the
//! layer its tile needs ([`layer_for`]): a small tile does not pull full resolution. Pure,
//! tested on the host; the SFU client asks for what this says.

use std::collections::BTreeSet;

use confab_protocol::PeerId;

/// Cameras pulled at once besides the pinned one: a 3 × 3 grid of the latest speakers, as
/// Meet and Jitsi show by default.
pub const MAX_CAMERAS: usize = 9;

/// One other person in the room, as the choice needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub peer: PeerId,
    /// Their place in arrival order (smaller came first).
    pub arrived: u64,
    /// When they last spoke (ms on the page's clock), if they have.
    pub last_spoke_ms: Option<f64>,
    /// Whether they share a screen now.
    pub sharing: bool,
}

/// What to pull besides everyone's sound.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pulls {
    pub cameras: BTreeSet<PeerId>,
    pub screens: BTreeSet<PeerId>,
}

/// The cameras and screens to pull, `pinned` first among the cameras.
pub fn pulls(people: &[Person], pinned: Option<&PeerId>) -> Pulls {
    let mut by_recency: Vec<&Person> = people.iter().collect();
    // Latest speaker first; those who never spoke after all who did, in arrival order.
    by_recency.sort_by(|a, b| match (a.last_spoke_ms, b.last_spoke_ms) {
        (Some(x), Some(y)) => y.total_cmp(&x).then(a.arrived.cmp(&b.arrived)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.arrived.cmp(&b.arrived),
    });
    let mut cameras: BTreeSet<PeerId> = by_recency
        .iter()
        .take(MAX_CAMERAS)
        .map(|p| p.peer.clone())
        .collect();
    if let Some(pinned) = pinned.filter(|p| people.iter().any(|person| &person.peer == *p)) {
        cameras.insert(pinned.clone());
    }
    let screens = people
        .iter()
        .filter(|p| p.sharing)
        .map(|p| p.peer.clone())
        .collect();
    Pulls { cameras, screens }
}

/// One simulcast layer a camera is sent in: its RID and its height at a 720-line source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layer {
    pub rid: &'static str,
    pub height: u32,
}

/// The layers every camera is sent in, best first (the SFU's "asciibetical" order: `f` before
/// `h` before `q`), each half the height of the one before.
pub const LAYERS: [Layer; 3] = [
    Layer {
        rid: "f",
        height: 720,
    },
    Layer {
        rid: "h",
        height: 360,
    },
    Layer {
        rid: "q",
        height: 180,
    },
];

/// The layer for a tile `tile_height` device pixels tall: the smallest at least that tall
/// (scaling down a little looks fine, up does not), else the best there is.
pub fn layer_for(tile_height: f64) -> &'static str {
    LAYERS
        .iter()
        .rev()
        .find(|layer| f64::from(layer.height) >= tile_height)
        .unwrap_or(&LAYERS[0])
        .rid
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(n: u64) -> PeerId {
        PeerId(format!("{n:032x}"))
    }

    fn person(n: u64, spoke: Option<f64>) -> Person {
        Person {
            peer: peer(n),
            arrived: n,
            last_spoke_ms: spoke,
            sharing: false,
        }
    }

    #[test]
    fn a_small_room_pulls_every_camera() {
        let people: Vec<_> = (1..=4).map(|n| person(n, None)).collect();
        let pulls = pulls(&people, None);
        assert_eq!(pulls.cameras, (1..=4).map(peer).collect());
        assert!(pulls.screens.is_empty());
    }

    #[test]
    fn a_large_room_pulls_the_latest_speakers_then_the_first_to_arrive() {
        // Twenty people: 15 and 20 spoke (20 last), the rest never did.
        let mut people: Vec<_> = (1..=20).map(|n| person(n, None)).collect();
        people[14].last_spoke_ms = Some(1_000.0);
        people[19].last_spoke_ms = Some(2_000.0);
        let pulls = pulls(&people, None);
        let expected: BTreeSet<_> = [20, 15, 1, 2, 3, 4, 5, 6, 7]
            .into_iter()
            .map(peer)
            .collect();
        assert_eq!(pulls.cameras, expected);
        assert_eq!(pulls.cameras.len(), MAX_CAMERAS);
    }

    #[test]
    fn someone_who_speaks_takes_the_place_of_the_longest_silent() {
        let mut people: Vec<_> = (1..=12).map(|n| person(n, Some(n as f64))).collect();
        assert!(!pulls(&people, None).cameras.contains(&peer(1)));
        people[0].last_spoke_ms = Some(100.0);
        let now = pulls(&people, None).cameras;
        assert!(now.contains(&peer(1)), "{now:?}");
        assert!(
            !now.contains(&peer(4)),
            "the longest silent of those shown goes: {now:?}"
        );
    }

    #[test]
    fn the_pinned_person_and_every_screen_are_pulled_whatever_else() {
        let mut people: Vec<_> = (1..=20).map(|n| person(n, None)).collect();
        people[17].sharing = true;
        let pinned = peer(19);
        let pulls = pulls(&people, Some(&pinned));
        assert!(pulls.cameras.contains(&pinned));
        assert_eq!(pulls.cameras.len(), MAX_CAMERAS + 1);
        assert_eq!(pulls.screens, [peer(18)].into_iter().collect());
        // A pin on someone who left pulls nothing extra.
        let gone = peer(99);
        let people: Vec<_> = (1..=3).map(|n| person(n, None)).collect();
        assert!(!super::pulls(&people, Some(&gone)).cameras.contains(&gone));
    }

    #[test]
    fn a_tile_gets_the_smallest_layer_that_fills_it() {
        assert_eq!(layer_for(120.0), "q");
        assert_eq!(layer_for(180.0), "q");
        assert_eq!(layer_for(181.0), "h");
        assert_eq!(layer_for(360.0), "h");
        assert_eq!(layer_for(500.0), "f");
        assert_eq!(layer_for(2_160.0), "f");
        // Best first, each half the one before, names in the SFU's priority order.
        assert!(LAYERS
            .windows(2)
            .all(|w| w[0].rid < w[1].rid && w[0].height == 2 * w[1].height));
    }
}
