//! A synthetic microphone that beeps on its own clock: a WAV file Chromium loops as its fake
//! capture device (`--use-file-for-fake-audio-capture`, see [`crate::browser`]).
//!
//! Chromium's built-in fake microphone is not enough: once its fake camera runs, the beeps are
//! driven by the camera's frames (for A/V sync tests), so when a page turns its camera off and
//! Chromium suspends the idle capture device, the microphone falls silent too, and "camera off,
//! mic still on" looks like a muted mic at the other end (seen in e2e_call, about one run in
//! four). A file plays whatever the camera does.

use std::path::Path;

/// One second of audio: a 440 Hz tone for the first [`BEEP_MS`] of every half second, silence
/// between. Over a 2.5 s window that is a mean `audioLevel²` of about 0.05, far above
/// [`crate::media_probe`]'s "heard" line and far from its "silent" one.
const SAMPLE_RATE: u32 = 48_000;
const BEEP_MS: u32 = 150;
const PERIOD_MS: u32 = 500;
const TONE_HZ: f64 = 440.0;
const AMPLITUDE: f64 = 0.5;

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
    for n in 0..SAMPLE_RATE {
        let ms_in_period = n * 1000 / SAMPLE_RATE % PERIOD_MS;
        let sample = if ms_in_period < BEEP_MS {
            let t = f64::from(n) / f64::from(SAMPLE_RATE);
            AMPLITUDE * (2.0 * std::f64::consts::PI * TONE_HZ * t).sin()
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
    fn one_second_of_beeps_and_silence() {
        let dir = std::env::temp_dir().join(format!("confab-mic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("beeps.wav");
        super::write_beeps(&path).unwrap();
        let mut reader = hound::WavReader::open(&path).unwrap();
        assert_eq!(reader.spec().sample_rate, super::SAMPLE_RATE);
        let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(samples.len(), super::SAMPLE_RATE as usize);
        // Loud at the start of each half second, silent just before the next beep.
        let loudest = |range: std::ops::Range<usize>| {
            samples[range]
                .iter()
                .map(|s| s.unsigned_abs())
                .max()
                .unwrap()
        };
        assert!(loudest(0..4_800) > 15_000);
        assert!(loudest(24_000..28_800) > 15_000);
        assert_eq!(loudest(12_000..24_000), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
