//! What a screen reader hears about the call: who joined and left, others' microphones,
//! the link dropping and coming back, and chat from others. One polite live region per room
//! page, present before anything is said (regions added with their text are often missed);
//! each piece of news replaces the last, and messages that arrive close together are heard as
//! a count rather than read out one after another.

use leptos::prelude::*;

use crate::i18n::{I18n, Said};

/// Something worth hearing.
pub(super) enum News {
    Joined(String),
    Left(String),
    Mic { name: String, on: bool },
    Reconnecting,
    Reconnected,
    Message { author: String, text: String },
}

/// Messages closer together than this to the one before are heard as one count.
const BURST_MS: f64 = 4_000.0;
/// How much of a message is read out; the rest is in the chat.
const HEARD_CHARS: usize = 140;

/// Messages heard in the current burst.
#[derive(Debug, Default)]
struct Burst {
    last_ms: Option<f64>,
    count: u32,
}

impl Burst {
    /// A message arrived at `now_ms`: how many the current burst holds, this one included.
    fn add(&mut self, now_ms: f64) -> u32 {
        let close = self.last_ms.is_some_and(|last| now_ms - last < BURST_MS);
        self.count = if close {
            self.count.saturating_add(1)
        } else {
            1
        };
        self.last_ms = Some(now_ms);
        self.count
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
            News::Reconnecting => Said::new(|t| t.heard_reconnecting.into()),
            News::Reconnected => Said::new(|t| t.heard_reconnected.into()),
            News::Message { author, text } => {
                let count = self
                    .burst
                    .try_update_value(|b| b.add(js_sys::Date::now()))
                    .unwrap_or(1);
                if count > 1 {
                    Said::new(move |t| (t.heard_messages)(count))
                } else {
                    let text: String = text.chars().take(HEARD_CHARS).collect();
                    Said::new(move |t| (t.heard_message)(&author, &text))
                }
            }
        };
        self.heard.set(Some(said));
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
    use super::Burst;

    #[test]
    fn messages_close_together_are_counted_and_a_pause_starts_over() {
        let mut burst = Burst::default();
        assert_eq!(burst.add(0.0), 1);
        assert_eq!(burst.add(1_000.0), 2);
        assert_eq!(burst.add(4_500.0), 3, "each message extends the burst");
        assert_eq!(burst.add(8_600.0), 1, "4.1 s of quiet: heard in full again");
        assert_eq!(burst.add(8_600.0), 2);
    }
}
