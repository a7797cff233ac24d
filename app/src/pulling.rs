//! What a page pulls from the SFU in a room on it. Everyone's sound, always; video only where
//! it is shown: the pinned person, every shared screen, and the people who spoke last, up to
//! [`MAX_CAMERAS`] (before anyone has spoken, the first to arrive). Each camera comes in the
//! layer its tile needs ([`next_layer`]): a small tile does not pull full resolution. Pure,
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

/// One simulcast layer a camera is sent in: its RID and how many times smaller than the
/// camera's picture it is on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layer {
    pub rid: &'static str,
    pub scale: u8,
}

/// The layers every camera is sent in, best first (the SFU's "asciibetical" order: `f` before
/// `h` before `q`), each half the size of the one before.
pub const LAYERS: [Layer; 3] = [
    Layer { rid: "f", scale: 1 },
    Layer { rid: "h", scale: 2 },
    Layer { rid: "q", scale: 4 },
];

/// The fewest lines a layer is sent with: smaller pictures are of no use on any tile, and each
/// layer costs its encoder and a share of the uplink (a 160×120 camera sends one layer).
pub const MIN_LAYER_LINES: u32 = 90;

/// The layers a camera `height` lines tall is sent in: those at least [`MIN_LAYER_LINES`]
/// tall, and always the full one.
pub fn layers_to_send(height: u32) -> &'static [Layer] {
    let fit = LAYERS
        .iter()
        .filter(|layer| height / u32::from(layer.scale) >= MIN_LAYER_LINES)
        .count();
    &LAYERS[..fit.max(1)]
}

/// The layer to ask for next for a tile `tile_height` device pixels tall that now shows
/// `video_height` lines of the layer `asked` (cameras differ: the receiver knows only what
/// arrives). One step at a time: up when the picture is smaller than the tile (scaling up
/// looks blurred), down when half of it would still fill the tile. Each step halves or doubles
/// the picture, so a tile between the two settles and nothing flips back and forth.
pub fn next_layer(asked: &str, video_height: f64, tile_height: f64) -> &'static str {
    let at = LAYERS
        .iter()
        .position(|layer| layer.rid == asked)
        .unwrap_or(0);
    let next = if video_height <= 0.0 {
        at
    } else if video_height < tile_height {
        at.saturating_sub(1)
    } else if video_height / 2.0 >= tile_height {
        (at + 1).min(LAYERS.len() - 1)
    } else {
        at
    };
    LAYERS[next].rid
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
    fn a_camera_is_sent_in_the_layers_its_size_allows() {
        let rids = |height| {
            layers_to_send(height)
                .iter()
                .map(|l| l.rid)
                .collect::<Vec<_>>()
        };
        assert_eq!(rids(720), ["f", "h", "q"]);
        assert_eq!(rids(360), ["f", "h", "q"]);
        assert_eq!(rids(240), ["f", "h"]);
        assert_eq!(rids(120), ["f"]);
        assert_eq!(rids(0), ["f"], "a size not known yet: one layer");
    }

    #[test]
    fn a_tile_steps_to_the_smallest_layer_that_fills_it_and_stays_there() {
        // A 480-line camera: f 480, h 240, q 120 lines.
        let shows =
            |rid: &str| 480.0 / f64::from(LAYERS.iter().find(|l| l.rid == rid).unwrap().scale);
        let settle = |tile: f64| {
            let mut asked = "h";
            for _ in 0..LAYERS.len() + 1 {
                asked = next_layer(asked, shows(asked), tile);
            }
            asked
        };
        assert_eq!(settle(100.0), "q");
        assert_eq!(settle(120.0), "q");
        assert_eq!(settle(121.0), "h");
        assert_eq!(settle(240.0), "h");
        assert_eq!(settle(300.0), "f");
        assert_eq!(settle(2_160.0), "f", "the best there is");
        // Settled means settled: asked again, the answer stays.
        for tile in [100.0, 200.0, 400.0] {
            let settled = settle(tile);
            assert_eq!(next_layer(settled, shows(settled), tile), settled);
        }
        // Nothing seen yet (no frame), or an unknown name: no step from what was asked.
        assert_eq!(next_layer("h", 0.0, 100.0), "h");
        assert_eq!(next_layer("x", 480.0, 300.0), "f");
        // Best first, each half the one before, names in the SFU's priority order.
        assert!(LAYERS
            .windows(2)
            .all(|w| w[0].rid < w[1].rid && w[1].scale == 2 * w[0].scale));
    }
}
