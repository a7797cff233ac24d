//! A synthetic microphone that beeps on its own clock: a WAV file Chromium loops as its fake
//! capture device (`--use-file-for-fake-audio-capture`, see [`crate::browser`]).
//!
//! Chromium's built-in fake microphone is not enough: once its fake camera runs, the beeps are
//! driven by the camera's frames (for A/V sync tests), so when a page turns its camera off and
//! Chromium suspends the idle capture device, the microphone falls silent too, and "camera off,
//! mic still on" looks like a muted mic at the other end (seen in e2e_call, about one run in
//! four). A file plays whatever the camera does.

use std::path::Path;

/// Two seconds of audio: four tones of different pitch and length, one starting every half
/// second, silence between. Varied and moderate (not one loud tone repeated) so the browser's
/// own audio processing (noise suppression, automatic gain) is less likely to treat it as noise
/// and fade it out over a long call.
const SAMPLE_RATE: u32 = 48_000;
const PERIOD_MS: u32 = 500;
/// (pitch in Hz, length in ms) of each beep in turn.
const BEEPS: [(f64, u32); 4] = [(330.0, 120), (523.0, 200), (440.0, 150), (659.0, 180)];
const AMPLITUDE: f64 = 0.3;

/// Writes the looping beep file to `path` (16-bit mono PCM WAV).
pub fn write_beeps(path: &Path) -> Result<(), String> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let fail = |e: hound::Error| format!("{}: {e}", path.display());
    let mut wav = hound::WavWriter::create(path, spec).map_err(fail)?;
    let total = SAMPLE_RATE * PERIOD_MS * BEEPS.len() as u32 / 1000;
    for n in 0..total {
        let ms = n * 1000 / SAMPLE_RATE;
        let (pitch, length) = BEEPS[(ms / PERIOD_MS) as usize % BEEPS.len()];
        let sample = if ms % PERIOD_MS < length {
            let t = f64::from(n) / f64::from(SAMPLE_RATE);
            AMPLITUDE * (2.0 * std::f64::consts::PI * pitch * t).sin()
        } else {
            0.0
        };
        wav.write_sample((sample * f64::from(i16::MAX)) as i16)
            .map_err(fail)?;
    }
    wav.finalize().map_err(fail)
}

#[cfg(test)]
mod tests {
    #[test]
    fn two_seconds_of_varied_beeps_and_silence() {
        let dir = std::env::temp_dir().join(format!("confab-mic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("beeps.wav");
        super::write_beeps(&path).unwrap();
        let mut reader = hound::WavReader::open(&path).unwrap();
        assert_eq!(reader.spec().sample_rate, super::SAMPLE_RATE);
        let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(samples.len(), 2 * super::SAMPLE_RATE as usize);
        // Loud at the start of each half second, silent just before the next beep.
        let loudest = |range: std::ops::Range<usize>| {
            samples[range]
                .iter()
                .map(|s| s.unsigned_abs())
                .max()
                .unwrap()
        };
        for half in 0..4 {
            let start = half * 24_000;
            assert!(loudest(start..start + 4_800) > 9_000, "beep {half}");
            assert_eq!(loudest(start + 10_000..start + 24_000), 0, "gap {half}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
