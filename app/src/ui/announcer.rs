//! What a screen reader hears about the call: who joined and left, others' microphones (and
//! who turned mine off), the room locked or unlocked, its waiting room on or off, whose chat
//! history people see changed, waiting in the lobby and being let in, someone new waiting (to
//! hosts), the link dropping and coming back, and chat from others. One polite live region per room
//! page, present before anything is said (regions added with their text are often missed);
//! each piece of news replaces the last, and messages that arrive close together are heard as
//! one count ("3 more messages") rather than read out one after another.

use std::time::Duration;

use confab_protocol::HistoryVisibility;
use leptos::prelude::*;

use crate::i18n::{I18n, Said};

/// Something worth hearing.
pub(super) enum News {
    Joined(String),
    Left(String),
    Mic {
        name: String,
        on: bool,
    },
    Hand(String),
    /// Who turned my microphone off (`None`: someone not listed).
    MutedBy(Option<String>),
    Locked(bool),
    /// A host turned the waiting room on or off.
    Lobby(bool),
    /// The lobby of this room holds me; then a host let me in.
    Waiting(String),
    Admitted,
    /// Someone new waits to come in, and how many more with them.
    WantsToJoin(String, usize),
    /// A host changed whose chat history people see.
    History(HistoryVisibility),
    Reconnecting,
    Reconnected,
    Message {
        author: String,
        text: String,
    },
}

/// A message read in full opens a window this long; what arrives inside it is counted and
/// heard once, as "n more messages", when the window closes.
const BURST_MS: f64 = 4_000.0;
/// How much of a message is read out; the rest is in the chat.
const HEARD_CHARS: usize = 140;

/// How one message is heard.
#[derive(Debug, PartialEq)]
enum Heard {
    /// Read out now: author and text.
    InFull,
    /// The first counted one: the count is to be heard in this many ms.
    CountIn(f64),
    /// Counted; the count is already due.
    Counted,
}

/// The messages of the current window.
#[derive(Debug, Default)]
struct Burst {
    started_ms: Option<f64>,
    counted: u32,
}

impl Burst {
    fn add(&mut self, now_ms: f64) -> Heard {
        match self.started_ms {
            Some(start) if now_ms - start < BURST_MS => {
                self.counted = self.counted.saturating_add(1);
                if self.counted == 1 {
                    Heard::CountIn(start + BURST_MS - now_ms)
                } else {
                    Heard::Counted
                }
            }
            _ => {
                self.started_ms = Some(now_ms);
                self.counted = 0;
                Heard::InFull
            }
        }
    }

    /// The window closed: how many were counted. The next message is read in full.
    fn close(&mut self) -> u32 {
        self.started_ms = None;
        std::mem::take(&mut self.counted)
    }
}

#[derive(Clone, Copy)]
pub(super) struct Announcer {
    heard: RwSignal<Option<Said>>,
    burst: StoredValue<Burst>,
}

impl Announcer {
    pub(super) fn new() -> Self {
        Announcer {
            heard: RwSignal::new(None),
            burst: StoredValue::new(Burst::default()),
        }
    }

    pub(super) fn say(self, news: News) {
        let said = match news {
            News::Joined(name) => Said::new(move |t| (t.heard_joined)(&name)),
            News::Left(name) => Said::new(move |t| (t.heard_left)(&name)),
            News::Mic { name, on: true } => Said::new(move |t| (t.heard_mic_on)(&name)),
            News::Mic { name, on: false } => Said::new(move |t| (t.heard_mic_off)(&name)),
            News::Hand(name) => Said::new(move |t| (t.heard_hand)(&name)),
            News::MutedBy(name) => Said::new(move |t| (t.muted_by)(name.as_deref())),
            News::Locked(locked) => Said::new(move |t| (t.heard_locked)(locked).into()),
            News::Lobby(lobby) => Said::new(move |t| (t.heard_lobby)(lobby).into()),
            News::Waiting(room) => Said::new(move |t| (t.heard_waiting)(&room)),
            News::Admitted => Said::new(|t| t.heard_admitted.into()),
            News::WantsToJoin(name, more) => {
                Said::new(move |t| (t.heard_wants_to_join)(&name, more))
            }
            News::History(history) => Said::new(move |t| (t.heard_history)(history).into()),
            News::Reconnecting => Said::new(|t| t.heard_reconnecting.into()),
            News::Reconnected => Said::new(|t| t.heard_reconnected.into()),
            News::Message { author, text } => {
                let heard = self.burst.try_update_value(|b| b.add(js_sys::Date::now()));
                match heard {
                    Some(Heard::InFull) | None => {
                        let text: String = text.chars().take(HEARD_CHARS).collect();
                        Said::new(move |t| (t.heard_message)(&author, &text))
                    }
                    Some(Heard::CountIn(ms)) => {
                        let delay = Duration::from_millis(ms.max(0.0) as u64);
                        set_timeout(move || self.say_count(), delay);
                        return;
                    }
                    Some(Heard::Counted) => return,
                }
            }
        };
        self.speak(said);
    }

    fn say_count(self) {
        let count = self.burst.try_update_value(Burst::close).unwrap_or(0);
        if count > 0 {
            self.speak(Said::new(move |t| (t.heard_messages)(count)));
        }
    }

    /// Empties the region, then fills it on the next frame: the same words twice (two people
    /// named alike joining) are a change, and heard again.
    fn speak(self, said: Said) {
        self.heard.set(None);
        let heard = self.heard;
        request_animation_frame(move || heard.set(Some(said)));
    }
}

/// The live region, visually hidden.
#[component]
pub(super) fn Announcements(announcer: Announcer) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
            {move || announcer.heard.get().map(|said| said.in_(i18n.t()))}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{Burst, Heard};

    #[test]
    fn one_message_is_read_then_a_burst_is_counted_once_and_a_pause_starts_over() {
        let mut burst = Burst::default();
        assert_eq!(burst.add(0.0), Heard::InFull);
        assert_eq!(burst.add(1_000.0), Heard::CountIn(3_000.0));
        assert_eq!(burst.add(3_999.0), Heard::Counted);
        assert_eq!(burst.close(), 2, "two more, heard as one count");
        assert_eq!(
            burst.add(4_100.0),
            Heard::InFull,
            "after the count: in full"
        );
        assert_eq!(
            burst.add(8_200.0),
            Heard::InFull,
            "outside the window: in full"
        );
        assert_eq!(burst.close(), 0, "nothing counted: nothing to say");
    }
}
