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

/// Coarse-pass targets: keyframes first, because each decodes on its own (no GOP to
/// run through), kept at least `min_gap_us` apart; where keyframes are more than
/// `max_gap_us` apart, samples every `max_gap_us` fill the gap (the last step of a gap
/// may reach 1.5 × `max_gap_us`). Decode-order indices, sorted.
pub fn coarse_targets(samples: &[Sample], min_gap_us: i64, max_gap_us: i64) -> Vec<usize> {
    if samples.is_empty() {
        return Vec::new();
    }
    let mut by_pts: Vec<usize> = (0..samples.len()).collect();
    by_pts.sort_by_key(|&i| samples[i].pts_us);
    let pts = |i: usize| samples[i].pts_us;
    let mut keys: Vec<usize> = Vec::new();
    for &i in by_pts.iter().filter(|&&i| samples[i].keyframe) {
        if keys.last().is_none_or(|&k| pts(i) - pts(k) >= min_gap_us) {
            keys.push(i);
        }
    }
    let (first, last) = (pts(by_pts[0]), pts(by_pts[by_pts.len() - 1]));
    let mut bounds: Vec<i64> = Vec::with_capacity(keys.len() + 2);
    bounds.push(first);
    bounds.extend(keys.iter().map(|&k| pts(k)));
    bounds.push(last);
    let mut out = keys;
    let step = max_gap_us.max(1);
    for w in bounds.windows(2) {
        let mut t = w[0] + step;
        while w[1] - t > step / 2 {
            out.push(nearest_in(samples, &by_pts, t));
            t += step;
        }
    }
    if out.is_empty() {
        out.push(by_pts[0]);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Longest gap between coarse samples: a sample every 2 s is plenty for minutes of
/// video, but a short clip must still yield several frames per pick asked.
pub const MAX_COARSE_GAP_US: i64 = 2_000_000;
/// Coarse samples wanted per pick asked, on short clips.
pub const SAMPLES_PER_PICK: i64 = 4;
/// Never sample closer than this (about 8 frames at 30 fps).
pub const MIN_COARSE_GAP_US: i64 = 250_000;

/// `(min_gap_us, max_gap_us)` for [`coarse_targets`]: about `max_samples` samples on
/// long videos (keyframes thinned to that), one every 2 s on medium ones, and at least
/// [`SAMPLES_PER_PICK`] per pick on short clips (a 4 s clip asked for 6 picks is
/// sampled every 0.25 s, not twice).
pub fn coarse_spacing(duration_us: i64, top: usize, max_samples: usize) -> (i64, i64) {
    let d = duration_us.max(0);
    let per_sample = d / max_samples.max(1) as i64;
    let short = d / (SAMPLES_PER_PICK * top.max(1) as i64);
    let max_gap = short
        .clamp(MIN_COARSE_GAP_US, MAX_COARSE_GAP_US)
        .max(per_sample);
    let min_gap = per_sample.max(MIN_COARSE_GAP_US).min(max_gap);
    (min_gap, max_gap.max(2 * min_gap))
}

/// Nearest sample to `t` by binary search over indices sorted by presentation time.
fn nearest_in(samples: &[Sample], by_pts: &[usize], t: i64) -> usize {
    let pos = by_pts.partition_point(|&i| samples[i].pts_us < t);
    let candidates = [pos.saturating_sub(1), pos.min(by_pts.len() - 1)];
    candidates
        .into_iter()
        .map(|p| by_pts[p])
        .min_by_key(|&i| (samples[i].pts_us - t).abs())
        .expect("two candidates")
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
    let runs: Vec<DecodeRun> = targets
        .iter()
        .filter(|&&t| t < samples.len())
        .map(|&t| DecodeRun {
            first: (0..=t).rev().find(|&i| samples[i].keyframe).unwrap_or(0),
            last: t,
        })
        .collect();
    merge_runs(runs)
}

/// Sorted, with overlapping or adjacent runs joined (they share a decoder session).
pub fn merge_runs(mut runs: Vec<DecodeRun>) -> Vec<DecodeRun> {
    runs.sort_by_key(|r| r.first);
    let mut merged: Vec<DecodeRun> = Vec::new();
    for r in runs {
        match merged.last_mut() {
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
    fn coarse_spacing_follows_the_length() {
        // 4 s, 6 picks: every 0.25 s.
        assert_eq!(coarse_spacing(4_000_000, 6, 240), (250_000, 500_000));
        // 60 s, 10 picks: 40 samples wanted, every 1.5 s.
        assert_eq!(coarse_spacing(60_000_000, 10, 240), (250_000, 1_500_000));
        // 2 min: every 2 s at most.
        assert_eq!(coarse_spacing(120_000_000, 10, 240), (500_000, 2_000_000));
        // 20 min: thinned to about 240 samples.
        assert_eq!(
            coarse_spacing(1_200_000_000, 10, 240),
            (5_000_000, 10_000_000)
        );
        assert_eq!(coarse_spacing(0, 10, 240), (250_000, 500_000));
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
    fn coarse_pass_takes_keyframes_when_they_are_close_enough() {
        // GOP of 2 s: keyframes only.
        let s = track(900, 60);
        let t = coarse_targets(&s, 500_000, 3_000_000);
        assert_eq!(t, (0..15).map(|k| k * 60).collect::<Vec<_>>());
        // Every run is a single keyframe: nothing else gets decoded.
        assert!(decode_runs(&s, &t).iter().all(|r| r.first == r.last));
    }

    #[test]
    fn coarse_pass_fills_long_gops_and_thins_intra_only_video() {
        // GOP of 10 s (300 frames): keyframes at 0 and 10 s, grid every 3 s after each
        // (a gap may end up to 1.5 × the step rather than add a sample right before a
        // keyframe).
        let s = track(600, 300);
        let t = coarse_targets(&s, 500_000, 3_000_000);
        let secs: Vec<i64> = t
            .iter()
            .map(|&i| (s[i].pts_us + 500_000) / 1_000_000)
            .collect();
        assert_eq!(secs, vec![0, 3, 6, 10, 13, 16]);
        // Every frame a keyframe (intra-only): thinned to one per 0.5 s.
        let s = track(90, 1);
        assert_eq!(coarse_targets(&s, 500_000, 3_000_000).len(), 6);
    }

    #[test]
    fn nearest_sample_by_time() {
        let s = track(30, 10);
        assert_eq!(nearest_sample(&s, 100_000), Some(3));
    }
}
