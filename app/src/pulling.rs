//! What a page pulls from the SFU in a room on it. Everyone's sound and every shared screen,
//! always; cameras only where they are shown: the pinned person's, and those of the people who
//! spoke last, up to the deployment's last-N (the welcome's `last_n`, by default
//! [`confab_protocol::limits::LAST_N`]; before anyone has spoken, the first to arrive). Each camera comes in the
//! layer its tile needs ([`next_layer`]): a small tile does not pull full resolution. Pure,
//! tested on the host; the SFU client asks for what this says.

use std::collections::BTreeSet;

use confab_protocol::PeerId;

/// One other person in the room, as the choice needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub peer: PeerId,
    /// Their place in arrival order (smaller came first).
    pub arrived: u64,
    /// When they last spoke (ms on the page's clock), if they have.
    pub last_spoke_ms: Option<f64>,
}

/// The cameras to pull (everyone's sound and every screen are pulled anyway): the `last_n`
/// latest speakers, and `pinned`.
pub fn cameras(people: &[Person], pinned: Option<&PeerId>, last_n: usize) -> BTreeSet<PeerId> {
    // Inserted one by one: collecting into a set sorts, and each sort's instance costs the
    // page kilobytes.
    let mut cameras = BTreeSet::new();
    for person in by_recency(people).into_iter().take(last_n) {
        cameras.insert(person.peer.clone());
    }
    if let Some(pinned) = pinned.filter(|p| people.iter().any(|person| &person.peer == *p)) {
        cameras.insert(pinned.clone());
    }
    cameras
}

/// Latest speaker first; those who never spoke after all who did, in arrival order. Picked by
/// hand rather than with `sort_by`: each instance of the standard sort costs the page
/// kilobytes, and a room holds at most a few dozen people.
fn by_recency(people: &[Person]) -> Vec<&Person> {
    let mut left: Vec<&Person> = people.iter().collect();
    let mut ranked = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let mut first = 0;
        for i in 1..left.len() {
            if goes_before(left[i], left[first]) {
                first = i;
            }
        }
        ranked.push(left.remove(first));
    }
    ranked
}

fn goes_before(a: &Person, b: &Person) -> bool {
    match (a.last_spoke_ms, b.last_spoke_ms) {
        (Some(x), Some(y)) if x != y => x > y,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        _ => a.arrived < b.arrived,
    }
}

/// How long a camera shown because its owner spoke stays shown at least, whoever speaks
/// meanwhile: in a lively room of more than last-N people the latest speakers change every
/// few seconds, and each change closes one pull and opens another (a keyframe, a moment of
/// nothing on that tile).
pub const MIN_SHOWN_MS: f64 = 5_000.0;

/// The cameras shown now, and since when: [`pulls`] with a memory, so that a camera shown for
/// speaking stays [`MIN_SHOWN_MS`] before someone else's takes its place. Cameras shown only
/// for arriving early (nobody spoke yet) give way at once.
#[derive(Debug, Default)]
pub struct Shown {
    /// A `Vec`: at most ten, and it keeps another map type's code out of the page.
    since: Vec<(PeerId, f64)>,
}

impl Shown {
    /// The cameras to show at `now` (ms), at most `last_n` besides `pinned`, and remembers
    /// them.
    pub fn choose(
        &mut self,
        people: &[Person],
        pinned: Option<&PeerId>,
        last_n: usize,
        now: f64,
    ) -> BTreeSet<PeerId> {
        let mut cameras = cameras(people, pinned, last_n);
        let ranked = by_recency(people);
        let shown_at = |peer: &PeerId| self.since.iter().find(|(p, _)| p == peer).map(|(_, t)| *t);
        // Those who must stay, each in place of the lowest-ranked camera not shown before.
        let staying: Vec<&Person> = ranked
            .iter()
            .copied()
            .filter(|p| !cameras.contains(&p.peer) && p.last_spoke_ms.is_some())
            .filter(|p| shown_at(&p.peer).is_some_and(|since| now - since < MIN_SHOWN_MS))
            .collect();
        for person in staying {
            let newcomer = ranked.iter().rev().find(|p| {
                cameras.contains(&p.peer) && shown_at(&p.peer).is_none() && Some(&p.peer) != pinned
            });
            if let Some(newcomer) = newcomer {
                cameras.remove(&newcomer.peer);
                cameras.insert(person.peer.clone());
            }
        }
        self.since = cameras
            .iter()
            .map(|peer| (peer.clone(), shown_at(peer).unwrap_or(now)))
            .collect();
        cameras
    }
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

/// The most layers Chromium sends of a picture of at least so many pixels (its simulcast
/// table: 960×540 and up three, 480×270 and up two, smaller one). Beyond that it leaves the
/// largest layers out: asked for three of a 640×480 camera, it sends 120 and 240 lines and
/// never the full picture.
const LAYERS_BY_PIXELS: [(u32, usize); 2] = [(960 * 540, 3), (480 * 270, 2)];

/// The layers a camera `width` × `height` is sent in, largest first: as many as Chromium
/// sends of that size, each at least [`MIN_LAYER_LINES`] tall, and always the full one.
pub fn layers_to_send(width: u32, height: u32) -> &'static [Layer] {
    let pixels = width.saturating_mul(height);
    let most = LAYERS_BY_PIXELS
        .iter()
        .find(|(at_least, _)| pixels >= *at_least)
        .map_or(1, |(_, layers)| *layers);
    let tall_enough = LAYERS
        .iter()
        .filter(|layer| height / u32::from(layer.scale) >= MIN_LAYER_LINES)
        .count();
    &LAYERS[..tall_enough.min(most).max(1)]
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

    /// The default last-N.
    const N: usize = confab_protocol::limits::LAST_N as usize;

    fn peer(n: u64) -> PeerId {
        PeerId(format!("{n:032x}"))
    }

    fn person(n: u64, spoke: Option<f64>) -> Person {
        Person {
            peer: peer(n),
            arrived: n,
            last_spoke_ms: spoke,
        }
    }

    #[test]
    fn a_small_room_pulls_every_camera() {
        let people: Vec<_> = (1..=4).map(|n| person(n, None)).collect();
        assert_eq!(cameras(&people, None, N), (1..=4).map(peer).collect());
    }

    #[test]
    fn a_deployment_may_pull_fewer_cameras() {
        let mut people: Vec<_> = (1..=4).map(|n| person(n, None)).collect();
        people[3].last_spoke_ms = Some(500.0);
        let expected: BTreeSet<_> = [4, 1].into_iter().map(peer).collect();
        assert_eq!(cameras(&people, None, 2), expected);
        let pinned = peer(3);
        assert_eq!(cameras(&people, Some(&pinned), 2).len(), 3);
    }

    #[test]
    fn a_large_room_pulls_the_latest_speakers_then_the_first_to_arrive() {
        // Twenty people: 15 and 20 spoke (20 last), the rest never did.
        let mut people: Vec<_> = (1..=20).map(|n| person(n, None)).collect();
        people[14].last_spoke_ms = Some(1_000.0);
        people[19].last_spoke_ms = Some(2_000.0);
        let shown = cameras(&people, None, N);
        let expected: BTreeSet<_> = [20, 15, 1, 2, 3, 4, 5, 6, 7]
            .into_iter()
            .map(peer)
            .collect();
        assert_eq!(shown, expected);
        assert_eq!(shown.len(), N);
    }

    #[test]
    fn someone_who_speaks_takes_the_place_of_the_longest_silent() {
        let mut people: Vec<_> = (1..=12).map(|n| person(n, Some(n as f64))).collect();
        assert!(!cameras(&people, None, N).contains(&peer(1)));
        people[0].last_spoke_ms = Some(100.0);
        let now = cameras(&people, None, N);
        assert!(now.contains(&peer(1)), "{now:?}");
        assert!(
            !now.contains(&peer(4)),
            "the longest silent of those shown goes: {now:?}"
        );
    }

    #[test]
    fn the_pinned_person_is_pulled_whatever_else() {
        let people: Vec<_> = (1..=20).map(|n| person(n, None)).collect();
        let pinned = peer(19);
        let shown = cameras(&people, Some(&pinned), N);
        assert!(shown.contains(&pinned));
        assert_eq!(shown.len(), N + 1);
        // A pin on someone who left pulls nothing extra.
        let gone = peer(99);
        let people: Vec<_> = (1..=3).map(|n| person(n, None)).collect();
        assert!(!cameras(&people, Some(&gone), N).contains(&gone));
    }

    #[test]
    fn a_new_speaker_is_shown_at_once_in_place_of_someone_shown_for_arriving_early() {
        let mut people: Vec<_> = (1..=12).map(|n| person(n, None)).collect();
        let mut shown = Shown::default();
        let first = shown.choose(&people, None, N, 0.0);
        assert_eq!(first, (1..=9).map(peer).collect());
        people[11].last_spoke_ms = Some(1_000.0);
        let now = shown.choose(&people, None, N, 1_000.0);
        assert!(now.contains(&peer(12)), "{now:?}");
        assert!(
            !now.contains(&peer(9)),
            "the last to arrive of those shown goes"
        );
        assert_eq!(now.len(), N);
    }

    #[test]
    fn a_camera_shown_for_speaking_stays_a_while_whoever_speaks_next() {
        // Nine spoke in turn (1 first); 10 and then 11 speak after.
        let mut people: Vec<_> = (1..=11).map(|n| person(n, None)).collect();
        let mut shown = Shown::default();
        for n in 1..=9 {
            people[n - 1].last_spoke_ms = Some(n as f64 * 100.0);
        }
        shown.choose(&people, None, N, 1_000.0);
        people[9].last_spoke_ms = Some(2_000.0);
        let now = shown.choose(&people, None, N, 2_000.0);
        assert!(
            now.contains(&peer(1)) && !now.contains(&peer(10)),
            "1 was shown 1 s ago: it stays, 10 waits: {now:?}"
        );
        let later = shown.choose(&people, None, N, 1_000.0 + MIN_SHOWN_MS);
        assert!(
            later.contains(&peer(10)) && !later.contains(&peer(1)),
            "{later:?}"
        );
        // 11 speaks: the longest silent of those shown long enough gives way (2, not 10).
        people[10].last_spoke_ms = Some(7_000.0);
        let next = shown.choose(&people, None, N, 7_000.0);
        assert!(
            next.contains(&peer(11)) && next.contains(&peer(10)),
            "{next:?}"
        );
        assert!(!next.contains(&peer(2)), "{next:?}");
        assert_eq!(next.len(), N);
    }

    #[test]
    fn the_pinned_camera_never_gives_way_to_one_that_stays() {
        let mut people: Vec<_> = (1..=11).map(|n| person(n, Some(n as f64))).collect();
        let pinned = peer(1);
        let mut shown = Shown::default();
        let first = shown.choose(&people, Some(&pinned), N, 100.0);
        assert!(first.contains(&pinned) && first.contains(&peer(3)));
        people[1].last_spoke_ms = Some(200.0);
        let now = shown.choose(&people, Some(&pinned), N, 200.0);
        assert!(now.contains(&pinned), "{now:?}");
        assert!(now.contains(&peer(3)), "3 stays (shown 0.1 s): {now:?}");
        assert!(!now.contains(&peer(2)), "2 waits: {now:?}");
    }

    #[test]
    fn a_camera_is_sent_in_the_layers_its_size_allows() {
        let rids = |width, height| {
            layers_to_send(width, height)
                .iter()
                .map(|l| l.rid)
                .collect::<Vec<_>>()
        };
        assert_eq!(rids(1280, 720), ["f", "h", "q"]);
        assert_eq!(rids(960, 540), ["f", "h", "q"]);
        // What Chromium sends of these: two layers, one.
        assert_eq!(rids(640, 480), ["f", "h"]);
        assert_eq!(rids(640, 360), ["f", "h"]);
        assert_eq!(rids(480, 270), ["f", "h"]);
        assert_eq!(rids(320, 240), ["f"]);
        assert_eq!(rids(160, 120), ["f"]);
        // A tall narrow picture: as many as its lines allow.
        assert_eq!(rids(1080, 240), ["f", "h"]);
        assert_eq!(rids(0, 0), ["f"], "a size not known yet: one layer");
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
