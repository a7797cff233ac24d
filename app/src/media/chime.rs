//! A short, soft two-tone chime made with Web Audio (no audio file): someone new waits to
//! come in. Failures (no Web Audio, a page the browser will not let play yet) stay silent.

use std::cell::RefCell;

use wasm_bindgen::JsValue;
use web_sys::{AudioContext, AudioContextState};

thread_local! {
    /// One context for every chime: browsers allow a page only a few.
    static CONTEXT: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// The two tones, rising (Hz), one after the other.
const TONES: [f32; 2] = [660.0, 880.0];
/// How long each tone sounds, in seconds (the chime: about 150 ms).
const TONE_S: f64 = 0.075;
/// Each tone's peak, of full scale: soft.
const PEAK: f32 = 0.08;
/// How long each tone takes to swell to its peak, in seconds (no click at the start).
const ATTACK_S: f64 = 0.01;

/// Plays the chime once.
pub fn play() {
    let _ = try_play();
}

fn context() -> Result<AudioContext, JsValue> {
    CONTEXT.with(|slot| {
        let mut slot = slot.borrow_mut();
        if let Some(context) = slot.as_ref() {
            return Ok(context.clone());
        }
        let context = AudioContext::new()?;
        *slot = Some(context.clone());
        Ok(context)
    })
}

fn try_play() -> Result<(), JsValue> {
    let context = context()?;
    if context.state() == AudioContextState::Suspended {
        // Made before the page was touched, it may start suspended; the promise is not awaited.
        let _ = context.resume()?;
    }
    let now = context.current_time();
    let speakers = context.destination();
    for (index, frequency) in TONES.into_iter().enumerate() {
        let start = now + TONE_S * index as f64;
        let tone = context.create_oscillator()?;
        tone.frequency().set_value(frequency);
        let envelope = context.create_gain()?;
        let gain = envelope.gain();
        gain.set_value_at_time(0.0, start)?;
        gain.linear_ramp_to_value_at_time(PEAK, start + ATTACK_S)?;
        gain.linear_ramp_to_value_at_time(0.0, start + TONE_S)?;
        tone.connect_with_audio_node(&envelope)?;
        envelope.connect_with_audio_node(&speakers)?;
        tone.start_with_when(start)?;
        tone.stop_with_when(start + TONE_S)?;
    }
    Ok(())
}
