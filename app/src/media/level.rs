//! How loud a microphone is, from Web Audio: 0–100 for the meter before joining, dBFS for
//! telling when I speak in the call.

use wasm_bindgen_futures::JsFuture;
use web_sys::{AnalyserNode, AudioContext, MediaStream};

/// Samples per reading: about 43 ms at 48 kHz, enough to catch a syllable.
const WINDOW: u32 = 2048;
/// The quietest level the meter shows above zero, in dBFS (room noise sits below it).
const FLOOR_DB: f64 = -60.0;

/// A microphone's loudness, read on demand. Closing the audio context on drop releases it.
pub struct Meter {
    context: AudioContext,
    analyser: AnalyserNode,
    samples: Vec<f32>,
}

impl Meter {
    /// A meter on `stream`'s microphone; `None` without Web Audio or an audio track.
    pub fn new(stream: &MediaStream) -> Option<Meter> {
        if super::tracks_of_kind(stream, "audio").is_empty() {
            return None;
        }
        let context = AudioContext::new().ok()?;
        let source = context.create_media_stream_source(stream).ok()?;
        let analyser = context.create_analyser().ok()?;
        analyser.set_fft_size(WINDOW);
        source.connect_with_audio_node(&analyser).ok()?;
        Some(Meter {
            context,
            analyser,
            samples: vec![0.0; WINDOW as usize],
        })
    }

    /// Loudness now, 0–100.
    pub fn percent(&mut self) -> u8 {
        level_percent(self.read())
    }

    /// Loudness now, in dBFS (−∞ for silence).
    pub fn db(&mut self) -> f64 {
        loudness_db(self.read())
    }

    /// The latest window of samples.
    fn read(&mut self) -> &[f32] {
        // A context made before the person touched the page may start suspended.
        if self.context.state() == web_sys::AudioContextState::Suspended {
            if let Ok(promise) = self.context.resume() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = JsFuture::from(promise).await;
                });
            }
        }
        self.analyser.get_float_time_domain_data(&mut self.samples);
        &self.samples
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        let _ = self.context.close();
    }
}

/// The loudness of `samples` (−1…1) as 0–100: the RMS in dBFS, [`FLOOR_DB`]…0 mapped linearly
/// (as a level meter shows sound: each 6 dB the same step).
pub fn level_percent(samples: &[f32]) -> u8 {
    let db = loudness_db(samples);
    if db == f64::NEG_INFINITY {
        return 0;
    }
    let share = ((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0);
    (share * 100.0).round() as u8
}

/// The RMS of `samples` (−1…1) in dBFS; −∞ for silence or no samples.
pub fn loudness_db(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return f64::NEG_INFINITY;
    }
    let power = samples
        .iter()
        .map(|&s| f64::from(s) * f64::from(s))
        .sum::<f64>()
        / samples.len() as f64;
    if power <= 0.0 {
        return f64::NEG_INFINITY;
    }
    10.0 * power.log10()
}

#[cfg(test)]
mod tests {
    use super::{level_percent, loudness_db};

    fn tone(amplitude: f32) -> Vec<f32> {
        (0..2048)
            .map(|i| amplitude * (i as f32 * 440.0 * std::f32::consts::TAU / 48_000.0).sin())
            .collect()
    }

    #[test]
    fn silence_is_zero_and_full_scale_is_a_hundred() {
        assert_eq!(level_percent(&[]), 0);
        assert_eq!(level_percent(&vec![0.0; 2048]), 0);
        assert_eq!(level_percent(&vec![1.0; 2048]), 100);
        // Faint hiss (−80 dBFS) stays at zero.
        assert_eq!(level_percent(&tone(0.0001)), 0);
    }

    #[test]
    fn loudness_is_the_rms_in_dbfs() {
        // A sine's RMS is amplitude/√2: 0.3 → −13.5 dBFS.
        assert!((loudness_db(&tone(0.3)) + 13.5).abs() < 0.1);
        assert_eq!(loudness_db(&[0.0; 16]), f64::NEG_INFINITY);
    }

    #[test]
    fn louder_reads_higher_in_even_steps() {
        // A sine's RMS is amplitude/√2: 0.3 → −13.5 dBFS → 78; each halving (−6 dB) takes
        // 10 off (give or take rounding).
        let loud = level_percent(&tone(0.3));
        let half = level_percent(&tone(0.15));
        let quarter = level_percent(&tone(0.075));
        assert_eq!(loud, 78);
        assert!((10..=11).contains(&(loud - half)), "{loud} → {half}");
        assert!((10..=11).contains(&(half - quarter)), "{half} → {quarter}");
    }
}
