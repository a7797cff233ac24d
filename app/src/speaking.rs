//! Who is speaking, from sound levels read many times a second: each voice with hysteresis
//! (a cough does not light a tile, the pauses between words do not put it out), and the one
//! active speaker that speaker view shows large (it stays until someone else speaks while it
//! is quiet, and never changes faster than a person can follow). Pure, tested on the host;
//! the levels come from `getSynchronizationSources` (others) and Web Audio (me).

/// A reading at or above this counts as voice (dBFS). Speech at a normal distance reads about
/// −35…−15; a quiet room, or a muted microphone's silence, well below −55.
pub const VOICE_DB: f64 = -45.0;
/// Loud readings this close together belong to one burst of voice (syllables, words).
const BURST_GAP_MS: f64 = 700.0;
/// Speaking starts once a burst has lasted this long, so a click or a knock does not light the
/// tile (a syllable lasts longer).
const MIN_VOICE_MS: f64 = 100.0;
/// Speaking ends after this long without a loud reading: the pauses inside a sentence (and
/// between readings that missed a syllable) keep it lit.
const HOLD_MS: f64 = 1_200.0;
/// The active speaker stays at least this long before someone else takes over.
const MIN_SPOTLIGHT_MS: f64 = 1_500.0;

/// One person's voice over time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Voice {
    /// When the current burst of loud readings started, and its latest loud reading.
    burst_start: Option<f64>,
    last_loud: Option<f64>,
    /// Since when this person has been speaking, while they are.
    speaking_since: Option<f64>,
    /// When they were last heard speaking.
    last_spoke: Option<f64>,
}

impl Voice {
    /// Takes the reading `db` taken at `now_ms`; whether the person is speaking now.
    pub fn hear(&mut self, db: f64, now_ms: f64) -> bool {
        if db >= VOICE_DB {
            if self.last_loud.is_none_or(|t| now_ms - t > BURST_GAP_MS) {
                self.burst_start = Some(now_ms);
            }
            self.last_loud = Some(now_ms);
        }
        let burst = self.burst_start.zip(self.last_loud);
        match self.speaking_since {
            Some(_) if self.last_loud.is_none_or(|t| now_ms - t > HOLD_MS) => {
                self.speaking_since = None;
            }
            None if burst.is_some_and(|(start, last)| {
                last - start >= MIN_VOICE_MS && now_ms - last <= BURST_GAP_MS
            }) =>
            {
                self.speaking_since = self.burst_start;
            }
            _ => {}
        }
        if self.speaking() {
            self.last_spoke = Some(now_ms);
        }
        self.speaking()
    }

    /// When this person was last heard speaking (ms), if ever.
    pub fn last_spoke(&self) -> Option<f64> {
        self.last_spoke
    }

    pub fn speaking(&self) -> bool {
        self.speaking_since.is_some()
    }

    /// How long this person has been speaking without a stop, at `now_ms` (0 while quiet).
    pub fn speaking_for(&self, now_ms: f64) -> f64 {
        self.speaking_since.map_or(0.0, |since| now_ms - since)
    }
}

/// The one person speaker view shows large when nobody is pinned.
#[derive(Debug, Clone, PartialEq)]
pub struct Spotlight<K> {
    current: Option<K>,
    since: f64,
}

impl<K> Default for Spotlight<K> {
    fn default() -> Self {
        Spotlight {
            current: None,
            since: f64::NEG_INFINITY,
        }
    }
}

impl<K: Clone + PartialEq> Spotlight<K> {
    /// Given who is speaking now, loudest first, and who is in the call: the active speaker.
    /// The current one stays while speaking, while nobody else speaks (as in Meet, the last
    /// speaker stays), and for [`MIN_SPOTLIGHT_MS`] at least; someone who left loses it at
    /// once, to the loudest speaker or else the first person present.
    pub fn update(&mut self, speaking: &[K], present: &[K], now_ms: f64) -> Option<K> {
        let current_here = self.current.as_ref().filter(|c| present.contains(c));
        let next = match current_here {
            None => speaking.first().or(present.first()),
            Some(current) if speaking.contains(current) => Some(current),
            Some(current) if now_ms - self.since < MIN_SPOTLIGHT_MS => Some(current),
            Some(current) => speaking.first().or(Some(current)),
        }
        .cloned();
        if next != self.current {
            self.current = next;
            self.since = now_ms;
        }
        self.current.clone()
    }
}

/// A level in dBFS from a linear one (1.0 is full scale; RTP's `audioLevel` is such a value).
pub fn linear_to_db(level: f64) -> f64 {
    if level > 0.0 {
        20.0 * level.log10()
    } else {
        f64::NEG_INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOUD: f64 = -20.0;
    const QUIET: f64 = -90.0;

    /// Feeds readings every `step` ms from `start`; what `hear` said for each.
    fn feed(voice: &mut Voice, start: f64, step: f64, readings: &[f64]) -> Vec<bool> {
        readings
            .iter()
            .enumerate()
            .map(|(i, &db)| voice.hear(db, start + step * i as f64))
            .collect()
    }

    #[test]
    fn one_click_does_not_light_the_tile() {
        let mut voice = Voice::default();
        let heard = feed(
            &mut voice,
            0.0,
            150.0,
            &[QUIET, LOUD, QUIET, QUIET, QUIET, QUIET],
        );
        assert!(heard.iter().all(|s| !s), "{heard:?}");
    }

    #[test]
    fn a_knock_heard_twice_in_a_row_does_not_light_it_either() {
        let mut voice = Voice::default();
        let heard = feed(&mut voice, 0.0, 50.0, &[LOUD, LOUD, QUIET, QUIET, QUIET]);
        assert!(heard.iter().all(|s| !s), "{heard:?}");
        // A syllable, read every 50 ms, does (at its third reading).
        let heard = feed(&mut voice, 2_000.0, 50.0, &[LOUD, LOUD, LOUD]);
        assert_eq!(heard, [false, false, true]);
    }

    #[test]
    fn speech_lights_it_at_the_second_syllable() {
        let mut voice = Voice::default();
        let heard = feed(&mut voice, 0.0, 150.0, &[QUIET, LOUD, QUIET, LOUD]);
        assert_eq!(heard, [false, false, false, true]);
        // It has been speaking since the first syllable.
        assert_eq!(voice.speaking_for(450.0), 300.0);
    }

    #[test]
    fn pauses_between_words_do_not_flicker_it_and_silence_puts_it_out() {
        let mut voice = Voice::default();
        // Beeps like the test microphone's: loud in about one reading of three.
        let speech = [
            LOUD, QUIET, QUIET, LOUD, QUIET, QUIET, LOUD, QUIET, QUIET, LOUD,
        ];
        let heard = feed(&mut voice, 0.0, 150.0, &speech);
        assert!(heard[3..].iter().all(|&s| s), "{heard:?}");
        // Quiet from 1,350 ms (the last loud reading): still lit at 2,550, out after.
        assert!(voice.hear(QUIET, 2_550.0));
        assert!(!voice.hear(QUIET, 2_600.0));
        assert_eq!(voice.speaking_for(2_600.0), 0.0);
    }

    #[test]
    fn the_last_speaker_keeps_the_spotlight_through_silence() {
        let mut spot = Spotlight::default();
        let present = ["ana", "ben"];
        assert_eq!(spot.update(&[], &present, 0.0), Some("ana"));
        assert_eq!(spot.update(&["ben"], &present, 2_000.0), Some("ben"));
        assert_eq!(spot.update(&[], &present, 9_000.0), Some("ben"));
    }

    #[test]
    fn the_spotlight_does_not_jump_faster_than_people_follow() {
        let mut spot = Spotlight::default();
        let present = ["ana", "ben", "cho"];
        assert_eq!(spot.update(&["ben"], &present, 0.0), Some("ben"));
        // Ben stopped; Cho speaks half a second later: Ben stays until 1.5 s have passed.
        assert_eq!(spot.update(&["cho"], &present, 500.0), Some("ben"));
        assert_eq!(spot.update(&["cho"], &present, 1_600.0), Some("cho"));
        // While Cho speaks, a louder Ana does not take it.
        assert_eq!(spot.update(&["ana", "cho"], &present, 5_000.0), Some("cho"));
    }

    #[test]
    fn someone_who_leaves_loses_the_spotlight_at_once() {
        let mut spot = Spotlight::default();
        assert_eq!(spot.update(&["ben"], &["ana", "ben"], 0.0), Some("ben"));
        assert_eq!(spot.update(&[], &["ana"], 100.0), Some("ana"));
        assert_eq!(spot.update(&[], &[], 200.0), None::<&str>);
    }

    #[test]
    fn linear_levels_become_decibels() {
        assert_eq!(linear_to_db(1.0), 0.0);
        assert!((linear_to_db(0.1) + 20.0).abs() < 1e-9);
        assert_eq!(linear_to_db(0.0), f64::NEG_INFINITY);
    }
}
