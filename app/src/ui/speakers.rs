//! Who is speaking in the call, read a few times a second while in it: each remote tile's
//! `speaking` signal, mine, the active speaker speaker view shows large, and my raised hand
//! lowered once I have been talking for a while (a setting, on by default). The rules are
//! in [`crate::speaking`]; this only reads the levels and writes the signals.

use std::collections::HashMap;

use confab_protocol::PeerId;
use gloo_timers::callback::Interval;
use leptos::prelude::*;

use super::participants::Participant;
use super::room_model::RoomModel;
use crate::media::level::Meter;
use crate::pulling::{Person, Shown};
use crate::speaking::{linear_to_db, Spotlight, Voice};
use crate::storage;

/// How often the levels are read: often enough to catch a short syllable in two readings
/// (each reading is the level of the latest packet, 20 ms of sound).
const READ_EVERY_MS: u32 = 50;
/// Talking this long with my hand up lowers it (when the setting is on).
const LOWER_HAND_AFTER_MS: f64 = 3_000.0;
/// Where the setting is remembered ("off" when turned off).
const AUTO_LOWER_KEY: &str = "confab.autoLowerHand";

/// The signals the page shows, and the state behind them.
#[derive(Clone, Copy)]
pub(super) struct Speakers {
    /// Whether I am speaking now.
    pub(super) me: RwSignal<bool>,
    /// The person speaker view shows large when nobody is pinned.
    pub(super) active: RwSignal<Option<PeerId>>,
    /// Lower my hand when I speak for a while.
    pub(super) auto_lower_hand: RwSignal<bool>,
    voices: StoredValue<HashMap<PeerId, Voice>>,
    my_voice: StoredValue<Voice>,
    spotlight: StoredValue<Spotlight<PeerId>>,
    /// The cameras shown on the SFU (last-N).
    shown: StoredValue<Shown>,
    /// My microphone's meter, and the id of the track it listens to.
    meter: StoredValue<Option<(String, Meter)>, LocalStorage>,
    timer: StoredValue<Option<Interval>, LocalStorage>,
    /// My raised hand as first seen here (the room's stamp, and my clock then), so talking
    /// before it went up does not count; cleared once lowered.
    hand_seen: StoredValue<Option<(i64, f64)>>,
}

impl Speakers {
    pub(super) fn new() -> Self {
        Speakers {
            me: RwSignal::new(false),
            active: RwSignal::new(None),
            auto_lower_hand: RwSignal::new(storage::load(AUTO_LOWER_KEY).as_deref() != Some("off")),
            voices: StoredValue::new(HashMap::new()),
            my_voice: StoredValue::new(Voice::default()),
            spotlight: StoredValue::new(Spotlight::default()),
            shown: StoredValue::new(Shown::default()),
            meter: StoredValue::new_local(None),
            timer: StoredValue::new_local(None),
            hand_seen: StoredValue::new(None),
        }
    }

    pub(super) fn set_auto_lower_hand(self, on: bool) {
        self.auto_lower_hand.set(on);
        storage::save(AUTO_LOWER_KEY, if on { "on" } else { "off" });
    }

    /// Starts listening (once per call).
    pub(super) fn start(self, model: RoomModel) {
        if self.timer.with_value(Option::is_some) {
            return;
        }
        let timer = Interval::new(READ_EVERY_MS, move || self.read(model));
        self.timer.set_value(Some(timer));
        // Before the first pull from the SFU: a newcomer to a large room pulls the cameras it
        // shows, not everyone's and then closes some.
        let participants = model.participants.get_untracked();
        self.choose_cameras(model, &participants, js_sys::Date::now());
    }

    /// Reads my microphone's meter, made anew when the microphone's track changes; `None`
    /// without a microphone. The pre-join page's level reads the same meter, and the call
    /// keeps it: making one (an AudioContext) took the page about 8 ms just after Join.
    pub(super) fn mic_meter<R>(
        self,
        model: RoomModel,
        read: impl FnOnce(&mut Meter) -> R,
    ) -> Option<R> {
        let id = model.local.with_untracked(|local| {
            let stream = local.as_ref()?;
            crate::media::tracks_of_kind(stream, "audio")
                .first()
                .map(|t| t.id())
        })?;
        self.meter.update_value(|meter| {
            if meter.as_ref().is_none_or(|(listening, _)| *listening != id) {
                *meter = model
                    .local
                    .with_untracked(|l| l.as_ref().and_then(Meter::new))
                    .map(|m| (id, m));
            }
        });
        self.meter
            .try_update_value(|m| m.as_mut().map(|(_, m)| read(m)))
            .flatten()
    }

    /// Stops listening and forgets everyone (the call ended).
    pub(super) fn stop(self) {
        self.timer.set_value(None);
        self.meter.set_value(None);
        self.voices.set_value(HashMap::new());
        self.my_voice.set_value(Voice::default());
        self.spotlight.set_value(Spotlight::default());
        self.shown.set_value(Shown::default());
        self.hand_seen.set_value(None);
        self.me.set(false);
        self.active.set(None);
    }

    fn read(self, model: RoomModel) {
        let now = js_sys::Date::now();
        let levels: HashMap<PeerId, f64> = model.call.with_value(|call| {
            call.as_ref()
                .map(|call| call.voice_levels().into_iter().collect())
                .unwrap_or_default()
        });
        let participants = model.participants.get_untracked();
        let mut speaking = Vec::new();
        self.voices.update_value(|voices| {
            voices.retain(|peer, _| participants.iter().any(|p| &p.peer_id == peer));
            for participant in &participants {
                let db = linear_to_db(levels.get(&participant.peer_id).copied().unwrap_or(0.0));
                let voice = voices.entry(participant.peer_id.clone()).or_default();
                let now_speaking = voice.hear(db, now);
                if participant.speaking.get_untracked() != now_speaking {
                    participant.speaking.set(now_speaking);
                }
                if now_speaking {
                    speaking.push((participant.peer_id.clone(), db));
                }
            }
        });
        // Loudest first: the spotlight goes to the loudest of several (the others' order does
        // not matter; a sort would cost the page kilobytes).
        let loudest =
            (0..speaking.len()).reduce(|a, b| if speaking[b].1 > speaking[a].1 { b } else { a });
        if let Some(loudest) = loudest {
            speaking.swap(0, loudest);
        }
        let speaking: Vec<PeerId> = speaking.into_iter().map(|(peer, _)| peer).collect();
        self.choose_cameras(model, &participants, now);
        let present: Vec<PeerId> = participants.iter().map(|p| p.peer_id.clone()).collect();
        let active = self
            .spotlight
            .try_update_value(|s| s.update(&speaking, &present, now))
            .flatten();
        if self.active.get_untracked() != active {
            self.active.set(active);
        }
        self.hear_me(model, now);
    }

    /// Last-N on the SFU: which cameras to pull, told to the call; the tiles of the others
    /// show the person instead (`camera_shown`). On the mesh every camera comes anyway.
    fn choose_cameras(self, model: RoomModel, participants: &[Participant], now: f64) {
        let people: Vec<Person> = self.voices.with_value(|voices| {
            participants
                .iter()
                .enumerate()
                .map(|(arrived, p)| Person {
                    peer: p.peer_id.clone(),
                    arrived: arrived as u64,
                    last_spoke_ms: voices.get(&p.peer_id).and_then(Voice::last_spoke),
                })
                .collect()
        });
        let pinned = model.pinned.get_untracked();
        let last_n = model.last_n.get_untracked() as usize;
        let Some(cameras) = self
            .shown
            .try_update_value(|shown| shown.choose(&people, pinned.as_ref(), last_n, now))
        else {
            return;
        };
        let on_sfu = model.call.with_value(|call| {
            let call = call.as_ref()?;
            call.show_cameras(cameras.clone());
            Some(call.on_sfu_route())
        });
        let on_sfu = on_sfu == Some(true);
        for participant in participants {
            let shown = !on_sfu || cameras.contains(&participant.peer_id);
            if participant.camera_shown.get_untracked() != shown {
                participant.camera_shown.set(shown);
            }
        }
    }

    /// My own level, from my microphone (silent while muted: the track is disabled).
    fn hear_me(self, model: RoomModel, now: f64) {
        let db = self
            .mic_meter(model, Meter::db)
            .unwrap_or(f64::NEG_INFINITY);
        let (speaking, talking_for) = self
            .my_voice
            .try_update_value(|v| (v.hear(db, now), v.speaking_for(now)))
            .unwrap_or_default();
        if self.me.get_untracked() != speaking {
            self.me.set(speaking);
        }
        self.lower_hand_when_talking(model, talking_for, now);
    }

    /// Lowers my hand once I have talked for [`LOWER_HAND_AFTER_MS`] since it went up (once:
    /// the room's echo then clears it).
    fn lower_hand_when_talking(self, model: RoomModel, talking_for: f64, now: f64) {
        let Some(raised_at) = model.my_hand.get_untracked() else {
            self.hand_seen.set_value(None);
            return;
        };
        let seen_at = match self.hand_seen.get_value() {
            Some((stamp, seen_at)) if stamp == raised_at => seen_at,
            _ => {
                self.hand_seen.set_value(Some((raised_at, now)));
                now
            }
        };
        let talking_since_raised = talking_for.min(now - seen_at);
        if talking_since_raised >= LOWER_HAND_AFTER_MS && self.auto_lower_hand.get_untracked() {
            // Seen as lowered from here: one frame, not one per reading until the echo.
            self.hand_seen.set_value(Some((raised_at, f64::INFINITY)));
            model.raise_hand(false);
        }
    }
}
