//! Which samples to decode: targets on a time grid, and the decode runs (from the
//! preceding keyframe to the target, in decode order) that produce them.

use serde::Serialize;

use crate::media::samples::Sample;
pub use crate::media::samples::{merge_runs, DecodeRun};

/// Index (decode order) of the sample shown at each grid time `0, interval, 2·interval …`.
/// Each sample is taken once, even when the grid is finer than the frame rate.
pub fn targets_on_grid(samples: &[Sample], interval_us: i64) -> Vec<usize> {
    if samples.is_empty() || interval_us <= 0 {
        return Vec::new();
    }
    let by_pts = in_presentation_order(samples);
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
    let by_pts = in_presentation_order(samples);
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

/// What a decode plan costs, in units of one delta frame: a keyframe costs
/// [`KEYFRAME_COST`] (Chromium's software H.264 decoder on 2 cores: about 32 ms for a
/// 1080p keyframe at phone bitrates, 8 ms for a P or B frame).
pub const KEYFRAME_COST: u64 = 4;

/// The price of a plan, known before decoding starts. `frames` counts every sample the
/// runs feed, an upper bound: non-reference pictures that are not targets are left out
/// while decoding (H.264), so `framesDecoded` in the report may be lower.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanCost {
    pub targets: usize,
    pub frames: usize,
    pub keyframes: usize,
    pub units: u64,
}

impl PlanCost {
    pub fn of(samples: &[Sample], targets: &[usize], runs: &[DecodeRun]) -> PlanCost {
        let mut cost = PlanCost {
            targets: targets.len(),
            ..PlanCost::default()
        };
        for r in runs {
            for s in &samples[r.first..=r.last.min(samples.len() - 1)] {
                cost.frames += 1;
                cost.keyframes += usize::from(s.keyframe);
                cost.units += if s.keyframe { KEYFRAME_COST } else { 1 };
            }
        }
        cost
    }
}

/// Decode units (see [`KEYFRAME_COST`]) a pick may spend on a video: `per_minute` units a
/// minute of 1080p for the first two minutes, a quarter of that rate after (a 10-minute
/// video costs twice a 2-minute one, not five times), scaled by the frame's size (a 720p
/// frame decodes in about half the time of a 1080p one; at most 4× for small frames).
/// Clips up to a minute get [`SHORT_CLIP_MINUTES`] minutes' worth (their picks depend on
/// several frames per pick, and a few seconds is what a user waits for a clip anyway),
/// tapering to nothing at two minutes, where the per-minute rate takes over.
pub fn decode_budget(duration_us: i64, width: u32, height: u32, per_minute: f64) -> u64 {
    let minutes = duration_us.max(0) as f64 / 60e6;
    let paid = minutes.min(2.0) + 0.25 * (minutes - 2.0).max(0.0);
    let pixels = (f64::from(width) * f64::from(height)).max(1.0);
    let size = (1920.0 * 1080.0 / pixels).clamp(0.25, 4.0);
    let rate = per_minute.max(0.0);
    let short = SHORT_CLIP_MINUTES * rate * (2.0 - minutes).clamp(0.0, 1.0);
    ((rate * paid).max(short) * size) as u64
}

/// What a clip of up to a minute may spend, in minutes at the per-minute rate (800 units
/// at the default 200, about 7 s of software decoding of 1080p on 2 cores): enough for
/// the dense sampling of the evaluation set's clips.
pub const SHORT_CLIP_MINUTES: f64 = 4.0;

/// Per decode-order sample, the index of the keyframe its GOP starts at.
fn gop_starts(samples: &[Sample]) -> Vec<usize> {
    let mut key = 0;
    samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if s.keyframe {
                key = i;
            }
            key
        })
        .collect()
}

/// Targets chosen one at a time, each priced against the runs already planned: a frame
/// in a GOP whose run already reaches past it is free, one beyond costs the frames
/// between the run's end and it, one in a GOP not yet entered costs its keyframe too.
struct CostTracker {
    gop: Vec<usize>,
    reach: std::collections::HashMap<usize, usize>,
    spent: u64,
}

impl CostTracker {
    fn new(samples: &[Sample]) -> CostTracker {
        CostTracker {
            gop: gop_starts(samples),
            reach: std::collections::HashMap::new(),
            spent: 0,
        }
    }

    fn price(&self, i: usize) -> u64 {
        let g = self.gop[i];
        match self.reach.get(&g) {
            Some(&end) if i <= end => 0,
            Some(&end) => (i - end) as u64,
            None => KEYFRAME_COST + (i - g) as u64,
        }
    }

    fn take(&mut self, i: usize) {
        self.spent += self.price(i);
        let end = self.reach.entry(self.gop[i]).or_insert(i);
        *end = (*end).max(i);
    }
}

/// Cheapest sample shown in `[lo, hi]` (presentation time), ties to the one nearest
/// `mid`; `None` when no sample is shown there or all are excluded.
fn cheapest_in(
    samples: &[Sample],
    by_pts: &[usize],
    (lo, mid, hi): (i64, i64, i64),
    cost: &CostTracker,
    excluded: impl Fn(usize) -> bool,
) -> Option<usize> {
    let from = by_pts.partition_point(|&i| samples[i].pts_us < lo);
    by_pts[from..]
        .iter()
        .take_while(|&&i| samples[i].pts_us <= hi)
        .copied()
        .filter(|&i| !excluded(i))
        .min_by_key(|&i| (cost.price(i), (samples[i].pts_us - mid).abs()))
}

/// The coarse pass under a decode budget (units of [`KEYFRAME_COST`]): keyframes at
/// least `min_gap_us` apart (an encoder puts one at each scene cut, so they find the
/// shots; thinned further, up to `max_gap_us` apart, while they alone would overspend),
/// then the longest gaps between samples are split while any is over `max_gap_us` and
/// the budget allows, each at the cheapest frame in the middle half of the gap (early in
/// a GOP, or inside a run already planned). With short GOPs this is every keyframe or
/// so; with x264's 250-frame GOPs or a screen recorder's, the frames after keyframes
/// rather than the whole GOP. Decode-order indices, sorted.
pub fn coarse_targets_within(
    samples: &[Sample],
    min_gap_us: i64,
    max_gap_us: i64,
    budget: u64,
) -> Vec<usize> {
    if samples.is_empty() {
        return Vec::new();
    }
    let by_pts = in_presentation_order(samples);
    let pts = |i: usize| samples[i].pts_us;
    let thin = |gap: i64| {
        let mut keys: Vec<usize> = Vec::new();
        for &i in by_pts.iter().filter(|&&i| samples[i].keyframe) {
            if keys.last().is_none_or(|&k| pts(i) - pts(k) >= gap) {
                keys.push(i);
            }
        }
        keys
    };
    let mut gap = min_gap_us.max(0);
    let mut keys = thin(gap);
    while (keys.len() as u64) * KEYFRAME_COST > budget && gap < max_gap_us {
        gap = (gap + gap / 4 + 1).min(max_gap_us);
        keys = thin(gap);
    }
    let mut cost = CostTracker::new(samples);
    let mut chosen: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
    for &k in &keys {
        cost.take(k);
        chosen.insert(k);
    }
    if chosen.is_empty() {
        cost.take(by_pts[0]);
        chosen.insert(by_pts[0]);
    }
    // Gaps between consecutive samples (and the video's ends), longest first.
    let (first, last) = (pts(by_pts[0]), pts(by_pts[by_pts.len() - 1]));
    let mut bounds: Vec<i64> = vec![first];
    bounds.extend(chosen.iter().map(|&i| pts(i)));
    bounds.push(last);
    bounds.sort_unstable();
    let mut gaps: std::collections::BinaryHeap<(i64, i64)> = bounds
        .windows(2)
        .map(|w| (w[1] - w[0], w[0]))
        .filter(|&(len, _)| len > 0)
        .collect();
    let max_gap = max_gap_us.max(1);
    while let Some((len, start)) = gaps.pop() {
        // A gap up to 1.5 × max_gap stays whole rather than take a frame beside a sample.
        if 2 * len <= 3 * max_gap {
            break;
        }
        let mid = start + len / 2;
        let window = (start + len / 4, mid, start + len - len / 4);
        let left = budget.saturating_sub(cost.spent);
        let cheapest = cheapest_in(samples, &by_pts, window, &cost, |i| chosen.contains(&i))
            .filter(|&i| cost.price(i) <= left);
        // Where the middle is out of reach (one GOP for minutes), the latest frame
        // before it that the budget still pays for.
        let Some(i) = cheapest.or_else(|| {
            let from = by_pts.partition_point(|&i| pts(i) < start + len / 8);
            by_pts[from..]
                .iter()
                .take_while(|&&i| pts(i) <= mid)
                .copied()
                .filter(|&i| !chosen.contains(&i) && cost.price(i) <= left)
                .max_by_key(|&i| pts(i))
        }) else {
            continue;
        };
        cost.take(i);
        chosen.insert(i);
        gaps.push((pts(i) - start, start));
        gaps.push((start + len - pts(i), pts(i)));
    }
    chosen.into_iter().collect()
}

/// Dense-pass targets under a decode budget: for each wanted time, most wanted first,
/// the cheapest sample within `tolerance_us` of it (the decoder starts afresh, so runs
/// of the coarse pass do not help; frames early in a GOP and frames inside a run this
/// pass already plans are cheap), at least half the tolerance away from every frame
/// analysed already (`analysed_us`) or chosen here (a frame beside a keyframe the coarse
/// pass took would add nothing); a time whose cheapest sample would overspend is
/// dropped. Decode-order indices, sorted.
pub fn times_within(
    samples: &[Sample],
    wanted_us: &[i64],
    analysed_us: &[i64],
    tolerance_us: i64,
    budget: u64,
) -> Vec<usize> {
    if samples.is_empty() {
        return Vec::new();
    }
    let by_pts = in_presentation_order(samples);
    let tol = tolerance_us.max(0);
    let sep = (tol / 2).max(1);
    let mut taken: Vec<i64> = analysed_us.to_vec();
    taken.sort_unstable();
    let near_taken = |taken: &[i64], t: i64| {
        let p = taken.partition_point(|&x| x < t);
        let close = |q: usize| taken.get(q).is_some_and(|&x| (x - t).abs() < sep);
        close(p) || (p > 0 && close(p - 1))
    };
    let mut cost = CostTracker::new(samples);
    let mut chosen: Vec<usize> = Vec::new();
    for &t in wanted_us {
        let excluded = |i: usize| near_taken(&taken, samples[i].pts_us);
        let Some(i) = cheapest_in(samples, &by_pts, (t - tol, t, t + tol), &cost, excluded) else {
            continue;
        };
        if cost.spent + cost.price(i) > budget {
            continue;
        }
        cost.take(i);
        chosen.push(i);
        let at = taken.partition_point(|&x| x < samples[i].pts_us);
        taken.insert(at, samples[i].pts_us);
    }
    chosen.sort_unstable();
    chosen
}

/// Samples nearest to the wanted times, sorted, leaving out those already analysed.
pub fn nearest_targets(samples: &[Sample], wanted_us: &[i64], analysed_us: &[i64]) -> Vec<usize> {
    let mut targets: Vec<usize> = wanted_us
        .iter()
        .filter_map(|&t| nearest_sample(samples, t))
        .filter(|&i| !analysed_us.contains(&samples[i].pts_us))
        .collect();
    targets.sort_unstable();
    targets.dedup();
    targets
}

fn units(samples: &[Sample], targets: &[usize]) -> u64 {
    PlanCost::of(samples, targets, &decode_runs(samples, targets)).units
}

/// The coarse pass as planned without a budget ([`coarse_targets`]) where that fits in
/// `budget` (short clips, short GOPs: picks as measured on the evaluation set), else
/// [`coarse_targets_within`].
pub fn coarse_plan(
    samples: &[Sample],
    min_gap_us: i64,
    max_gap_us: i64,
    budget: u64,
) -> Vec<usize> {
    let grid = coarse_targets(samples, min_gap_us, max_gap_us);
    if units(samples, &grid) <= budget {
        return grid;
    }
    coarse_targets_within(samples, min_gap_us, max_gap_us, budget)
}

/// The dense pass: the samples nearest the wanted times where they fit in `budget`, else
/// [`times_within`].
pub fn dense_targets(
    samples: &[Sample],
    wanted_us: &[i64],
    analysed_us: &[i64],
    tolerance_us: i64,
    budget: u64,
) -> Vec<usize> {
    let nearest = nearest_targets(samples, wanted_us, analysed_us);
    if units(samples, &nearest) <= budget {
        return nearest;
    }
    times_within(samples, wanted_us, analysed_us, tolerance_us, budget)
}

/// Sample indices sorted by presentation time.
fn in_presentation_order(samples: &[Sample]) -> Vec<usize> {
    let mut by_pts: Vec<usize> = (0..samples.len()).collect();
    by_pts.sort_by_key(|&i| samples[i].pts_us);
    by_pts
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

/// Merge the stretches needed for `targets` so each sample is decoded at most once.
pub fn decode_runs(samples: &[Sample], targets: &[usize]) -> Vec<DecodeRun> {
    let runs: Vec<DecodeRun> = targets
        .iter()
        .filter(|&&t| t < samples.len())
        .map(|&t| DecodeRun {
            first: gop_start(samples, t),
            last: t,
        })
        .collect();
    merge_runs(runs)
}

/// The keyframe sample `i`'s GOP starts at (decode order; 0 when none precedes it).
fn gop_start(samples: &[Sample], i: usize) -> usize {
    (0..=i).rev().find(|&k| samples[k].keyframe).unwrap_or(0)
}

/// Decode units to decode sample `i` on its own: its keyframe and every sample from
/// there to it ([`PlanCost`]'s model). The worker holds full-size copies only of frames
/// that would cost enough to decode again.
pub fn units_alone(samples: &[Sample], i: usize) -> u64 {
    KEYFRAME_COST + (i - gop_start(samples, i)) as u64
}

/// Share of a pick's budget the coarse pass may spend on fills (keyframes beyond it are
/// still taken: they find the shots), and the least the dense pass keeps.
pub const COARSE_SHARE: f64 = 0.6;
pub const MIN_DENSE_SHARE: f64 = 0.2;

/// The coarse pass's part of a pick's `budget`.
pub fn coarse_budget(budget: u64) -> u64 {
    (budget as f64 * COARSE_SHARE).round() as u64
}

/// What the dense pass may spend once the coarse pass spent `coarse_units`.
pub fn dense_budget(budget: u64, coarse_units: u64) -> u64 {
    let floor = (budget as f64 * MIN_DENSE_SHARE).round() as u64;
    budget.saturating_sub(coarse_units).max(floor)
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

    fn plan_price(s: &[Sample], t: &[usize]) -> PlanCost {
        PlanCost::of(s, t, &decode_runs(s, t))
    }

    #[test]
    fn budget_follows_length_and_size() {
        let two = decode_budget(120_000_000, 1920, 1080, 200.0);
        assert_eq!(two, 400);
        // Ten minutes: twice two minutes, not five times.
        assert_eq!(decode_budget(600_000_000, 1920, 1080, 200.0), 2 * two);
        // 720p: frames decode in less than half the time.
        assert_eq!(decode_budget(120_000_000, 1280, 720, 200.0), 900);
        // Clips: dense sampling up to a minute, tapering to the rate at two.
        assert_eq!(decode_budget(3_000_000, 1920, 1080, 200.0), 800);
        assert_eq!(decode_budget(60_000_000, 1920, 1080, 200.0), 800);
        assert_eq!(decode_budget(90_000_000, 1920, 1080, 200.0), 400);
        assert_eq!(decode_budget(3_000_000, 1280, 720, 200.0), 1800);
    }

    #[test]
    fn short_gops_cost_their_keyframes_only() {
        // 2 min, a keyframe every 2 s: every keyframe, nothing between.
        let s = track(3600, 60);
        let t = coarse_targets_within(&s, 500_000, 2_000_000, 300);
        assert_eq!(t.len(), 60);
        let cost = plan_price(&s, &t);
        assert_eq!((cost.frames, cost.keyframes, cost.units), (60, 60, 240));
        // A keyframe every second, over budget: thinned, but never past the longest gap.
        let s = track(3600, 30);
        let t = coarse_targets_within(&s, 500_000, 2_000_000, 300);
        assert!(plan_price(&s, &t).units <= 300);
        let secs: Vec<i64> = t.iter().map(|&i| s[i].pts_us).collect();
        assert!(
            secs.windows(2).all(|w| w[1] - w[0] <= 2_000_000),
            "{secs:?}"
        );
    }

    #[test]
    fn long_gops_are_sampled_early_within_the_budget() {
        // x264's default GOP (250 frames), 2 min: 15 keyframes; filling every gap to 2 s
        // would decode nearly every frame.
        let s = track(3600, 250);
        for budget in [100, 300, 1000, 4000] {
            let t = coarse_targets_within(&s, 500_000, 2_000_000, budget);
            let cost = plan_price(&s, &t);
            assert!(
                cost.units <= budget.max(15 * KEYFRAME_COST),
                "{budget}: {cost:?}"
            );
            // Every keyframe (scene cuts) is in.
            assert!((0..3600).step_by(250).all(|k| t.contains(&k)), "{budget}");
        }
        // More budget, more samples; with enough of it, no gap over 1.5 × 2 s.
        let few = coarse_targets_within(&s, 500_000, 2_000_000, 300);
        let all = coarse_targets_within(&s, 500_000, 2_000_000, 10_000);
        assert!(
            all.len() > few.len() && few.len() > 15,
            "{} {}",
            few.len(),
            all.len()
        );
        let mut secs: Vec<i64> = all.iter().map(|&i| s[i].pts_us).collect();
        secs.push(s[3599].pts_us);
        assert!(
            secs.windows(2).all(|w| w[1] - w[0] <= 3_000_000),
            "{secs:?}"
        );
        // What the old plan would have decoded.
        let old = plan_price(&s, &coarse_targets(&s, 500_000, 2_000_000));
        assert!(old.units > 2000, "{old:?}");
    }

    #[test]
    fn one_keyframe_for_the_whole_video() {
        // A screen recording: a keyframe at 0 only. Samples spread out as far as the
        // budget reaches, at most 1.5 × the gap apart.
        let s = track(1800, 100_000);
        let t = coarse_targets_within(&s, 500_000, 2_000_000, 400);
        let cost = plan_price(&s, &t);
        assert!(cost.units <= 400, "{cost:?}");
        assert!(t.len() > 5);
        let ends = *t.iter().max().unwrap();
        assert!(ends < 400, "{ends}");
        assert!(t.windows(2).all(|w| w[1] - w[0] <= 90), "{t:?}");
    }

    #[test]
    fn dense_times_take_cheap_frames_near_the_wish() {
        let s = track(900, 60);
        let skip: Vec<i64> = [0, 60, 120].iter().map(|&i| s[i].pts_us).collect();
        // Wished at 1.8 s (frame 54, 54 frames past its keyframe): within 0.5 s the
        // keyframe at 2 s was analysed already, and frames closer to it than 0.25 s are
        // too; the first beyond (frame 68) costs that keyframe and 8 frames.
        let t = times_within(&s, &[1_800_000], &skip, 500_000, 100);
        assert_eq!(t, vec![68]);
        assert_eq!(plan_price(&s, &t).units, KEYFRAME_COST + 8);
        // A frame inside a run already planned costs nothing more; two wishes do not
        // take frames side by side.
        let t = times_within(&s, &[2_600_000, 2_500_000], &skip, 200_000, 100);
        assert_eq!(t.len(), 2);
        assert!(s[t[1]].pts_us - s[t[0]].pts_us >= 100_000, "{t:?}");
        assert_eq!(plan_price(&s, &t).units, KEYFRAME_COST + (t[1] - 60) as u64);
        // Over budget: the least wanted times go.
        // Each wish 0.3 s after a keyframe, in a GOP of its own: the first frame of the
        // window is the keyframe's fourth successor, 8 units.
        let wished: Vec<i64> = (0..7).rev().map(|k| k * 4_000_000 + 300_000).collect();
        let t = times_within(&s, &wished, &[], 200_000, 35);
        assert_eq!(plan_price(&s, &t).units, 32);
        let kept: Vec<i64> = t.iter().map(|&i| s[i].pts_us / 1_000_000).collect();
        assert_eq!(kept, vec![12, 16, 20, 24]);
    }

    #[test]
    fn the_budget_is_shared_between_the_passes() {
        assert_eq!(coarse_budget(400), 240);
        assert_eq!(dense_budget(400, 232), 168);
        // Keyframes alone overspent the coarse share: the dense pass keeps its floor.
        assert_eq!(dense_budget(400, 390), 80);
        assert_eq!(dense_budget(400, 500), 80);
        let s = track(300, 60);
        assert_eq!(units_alone(&s, 60), KEYFRAME_COST);
        assert_eq!(units_alone(&s, 75), KEYFRAME_COST + 15);
    }

    #[test]
    fn plans_within_budget_stay_as_they_were() {
        // 2 s GOPs: the grid plan is keyframes only, well within the budget.
        let s = track(900, 60);
        assert_eq!(
            coarse_plan(&s, 250_000, 1_000_000, 1000),
            coarse_targets(&s, 250_000, 1_000_000)
        );
        let wished = [1_500_000, 7_700_000];
        assert_eq!(
            dense_targets(&s, &wished, &[], 500_000, 1000),
            nearest_targets(&s, &wished, &[])
        );
        // Over budget: the cheaper plans.
        let s = track(3600, 250);
        let grid = coarse_targets(&s, 500_000, 2_000_000);
        let cheap = coarse_plan(&s, 500_000, 2_000_000, 400);
        assert_ne!(cheap, grid);
        assert!(plan_price(&s, &cheap).units <= 400);
        assert!(plan_price(&s, &dense_targets(&s, &wished, &[], 500_000, 30)).units <= 30);
    }

    #[test]
    fn nearest_sample_by_time() {
        let s = track(30, 10);
        assert_eq!(nearest_sample(&s, 100_000), Some(3));
    }
}
