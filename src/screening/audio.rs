//! Loudness from decoded audio, for importance segments: a loud moment (laughter,
//! applause, a shout) marks a segment worth decoding densely. The browser decodes only
//! the audio around the coarse samples (`demux::audio::window_runs`) and hands each
//! decoded block's first channel here.

/// Loudness at a coarse sample is measured over ± this much audio.
pub const HALF_WINDOW_US: i64 = 500_000;

/// Level of silence, in dBFS, where the RMS is zero.
pub const SILENCE_DBFS: f32 = -100.0;

/// Decoded audio blocks, reduced to their energy as they arrive.
#[derive(Debug, Default, Clone)]
pub struct AudioLevels {
    /// `(start_us, end_us, Σx², n)` per block.
    blocks: Vec<(i64, i64, f64, u64)>,
}

impl AudioLevels {
    /// One decoded block starting at `pts_us`: `pcm` are its samples (one channel, −1…1).
    pub fn push(&mut self, pts_us: i64, sample_rate: u32, pcm: &[f32]) {
        if sample_rate == 0 || pcm.is_empty() {
            return;
        }
        let energy: f64 = pcm
            .iter()
            .filter(|v| v.is_finite())
            .map(|&v| f64::from(v) * f64::from(v))
            .sum();
        let dur = (pcm.len() as f64 * 1e6 / f64::from(sample_rate)) as i64;
        self.blocks
            .push((pts_us, pts_us + dur, energy, pcm.len() as u64));
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// RMS level in dBFS of the audio within `half_window_us` of each time; times with
    /// no decoded audio near them are left out.
    pub fn loudness_at(&self, times_us: &[i64], half_window_us: i64) -> Vec<(i64, f32)> {
        times_us
            .iter()
            .filter_map(|&t| {
                let (e, n) = self
                    .blocks
                    .iter()
                    .filter(|b| b.1 > t - half_window_us && b.0 < t + half_window_us)
                    .fold((0.0, 0u64), |(e, n), b| (e + b.2, n + b.3));
                (n > 0).then(|| (t, dbfs(e / n as f64)))
            })
            .collect()
    }
}

fn dbfs(mean_square: f64) -> f32 {
    if mean_square <= 0.0 {
        SILENCE_DBFS
    } else {
        ((10.0 * mean_square.log10()) as f32).max(SILENCE_DBFS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(amplitude: f32, n: usize) -> Vec<f32> {
        (0..n).map(|i| amplitude * (i as f32 * 0.1).sin()).collect()
    }

    #[test]
    fn louder_blocks_read_louder() {
        let mut a = AudioLevels::default();
        // 1 s quiet, 1 s loud, 1 s silence at 1 kHz sampling, in 100 ms blocks.
        for k in 0..30 {
            let amp = match k / 10 {
                0 => 0.01,
                1 => 0.5,
                _ => 0.0,
            };
            a.push(k * 100_000, 1000, &tone(amp, 100));
        }
        let l = a.loudness_at(&[500_000, 1_500_000, 2_500_000, 9_000_000], 400_000);
        assert_eq!(l.len(), 3, "no audio near 9 s: left out");
        assert!(l[1].1 > l[0].1 + 30.0, "{l:?}");
        assert_eq!(l[2].1, SILENCE_DBFS);
        // A full-scale sine is −3 dBFS.
        let mut s = AudioLevels::default();
        s.push(0, 48_000, &tone(1.0, 48_000));
        let v = s.loudness_at(&[500_000], 500_000)[0].1;
        assert!((v + 3.01).abs() < 0.1, "{v}");
    }
}
