//! Which samples to decode: targets on a time grid, and the decode runs (from the
//! preceding keyframe to the target, in decode order) that produce them.

use serde::Serialize;

use crate::demux::Sample;

/// Index (decode order) of the sample shown at each grid time `0, interval, 2·interval …`.
/// Each sample is taken once, even when the grid is finer than the frame rate.
pub fn targets_on_grid(samples: &[Sample], interval_us: i64) -> Vec<usize> {
    if samples.is_empty() || interval_us <= 0 {
        return Vec::new();
    }
    let mut by_pts: Vec<usize> = (0..samples.len()).collect();
    by_pts.sort_by_key(|&i| samples[i].pts_us);
    let end = samples[by_pts[by_pts.len() - 1]].pts_us;
    let mut out = Vec::new();
    let mut cursor = 0;
    let mut t = samples[by_pts[0]].pts_us;
    while t <= end {
        // Advance to the last sample shown at or before t.
        while cursor + 1 < by_pts.len() && samples[by_pts[cursor + 1]].pts_us <= t {
            cursor += 1;
        }
        if out.last() != Some(&by_pts[cursor]) {
            out.push(by_pts[cursor]);
        }
        t += interval_us;
    }
    out
}

/// The sample closest in time to `pts_us`.
pub fn nearest_sample(samples: &[Sample], pts_us: i64) -> Option<usize> {
    (0..samples.len()).min_by_key(|&i| (samples[i].pts_us - pts_us).abs())
}

/// A contiguous stretch of samples to feed the decoder, decode order, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecodeRun {
    pub first: usize,
    pub last: usize,
}

/// Merge the stretches needed for `targets` so each sample is decoded at most once.
pub fn decode_runs(samples: &[Sample], targets: &[usize]) -> Vec<DecodeRun> {
    let mut runs: Vec<DecodeRun> = targets
        .iter()
        .filter(|&&t| t < samples.len())
        .map(|&t| DecodeRun {
            first: (0..=t).rev().find(|&i| samples[i].keyframe).unwrap_or(0),
            last: t,
        })
        .collect();
    runs.sort_by_key(|r| r.first);
    let mut merged: Vec<DecodeRun> = Vec::new();
    for r in runs {
        match merged.last_mut() {
            // Overlapping or adjacent runs share a decoder session.
            Some(m) if r.first <= m.last + 1 => m.last = m.last.max(r.last),
            _ => merged.push(r),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 30 fps, keyframe every `gop` frames, no B-frames.
    fn track(frames: usize, gop: usize) -> Vec<Sample> {
        (0..frames)
            .map(|i| Sample {
                pts_us: i as i64 * 33_333,
                duration_us: 33_333,
                keyframe: i.is_multiple_of(gop),
                offset: i as u64 * 100,
                size: 100,
            })
            .collect()
    }

    #[test]
    fn one_target_a_second() {
        let s = track(300, 60);
        let t = targets_on_grid(&s, 1_000_000);
        assert_eq!(t.len(), 10);
        assert_eq!(t[0], 0);
        assert_eq!(t[1], 30);
    }

    #[test]
    fn grid_finer_than_frames_takes_each_frame_once() {
        let s = track(10, 5);
        // Frames 0..=8 are shown at grid times up to 299 ms; frame 9 starts after it.
        assert_eq!(targets_on_grid(&s, 1_000), (0..9).collect::<Vec<_>>());
    }

    #[test]
    fn runs_start_at_the_preceding_keyframe_and_merge() {
        let s = track(300, 60);
        let runs = decode_runs(&s, &[70, 100, 250]);
        assert_eq!(
            runs,
            vec![
                DecodeRun {
                    first: 60,
                    last: 100
                },
                DecodeRun {
                    first: 240,
                    last: 250
                }
            ]
        );
    }

    #[test]
    fn nearest_sample_by_time() {
        let s = track(30, 10);
        assert_eq!(nearest_sample(&s, 100_000), Some(3));
    }
}
