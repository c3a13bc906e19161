//! Shots and transitions from the coarse pass: hard cuts between consecutive samples,
//! and fades / dissolves, whose frames must never be picked.
//!
//! - **Cuts**: the change between samples `i − 1` and `i` ([`frame_change`]: colour
//!   histogram, 8×8 colour layout and 8×8 edge layout) is compared with the mean change
//!   of its neighbours, as PySceneDetect's AdaptiveDetector does: a cut where the ratio
//!   is ≥ `adaptive_ratio` and the change itself ≥ `min_cut_change`, or where the change
//!   alone is ≥ `hard_cut_change` (back-to-back cuts).
//! - **Dissolves and fades**: a run of samples each of which is a linear mix
//!   `(1 − t)·A + t·B` of the samples just before (`A`) and just after (`B`) the run, with
//!   `t` rising strictly inside (0, 1). A fade to or from black is the case `B` (or `A`)
//!   black; fades are also caught by a monotonic brightness ramp into black frames.
//! - **Black frames** (near-zero brightness and contrast) are transitions too.
//!
//! Shots are the runs of non-transition samples between cuts and transitions.
//! Thresholds are in docs/quick-filter.md.

use serde::Serialize;

use crate::screening::quality::{
    hamming, ColorHist, Pearson, QuickMetrics, FINE_CELLS, FINE_GRID, GRID,
};

const CELLS: usize = GRID * GRID;

/// What shot detection needs of one coarse sample; build it with [`SampleFeatures::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct SampleFeatures {
    pub pts_us: i64,
    pub brightness: f32,
    pub contrast: f32,
    /// `QuickMetrics::score()`, 0 for rejected frames.
    pub quality: f32,
    pub rejected: bool,
    pub phash: u64,
    pub hist: ColorHist,
    pub thumb: [[f32; 3]; CELLS],
    pub edges: [f32; CELLS],
    /// [`QuickMetrics::grid`]: the 16×16 luma layout a camera move shifts or scales.
    pub grid: [f32; FINE_CELLS],
}

impl SampleFeatures {
    pub fn new(pts_us: i64, m: &QuickMetrics) -> Self {
        Self {
            pts_us,
            brightness: m.brightness,
            contrast: m.contrast,
            quality: m.score(),
            rejected: m.rejection().is_some(),
            phash: m.phash,
            hist: m.hist,
            thumb: m.thumb,
            edges: m.edges,
            grid: m.grid,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShotConfig {
    /// Cut when change / mean change of the neighbours reaches this (PySceneDetect: 3).
    pub adaptive_ratio: f32,
    /// Neighbours on each side for the rolling mean (PySceneDetect: 2).
    pub window: usize,
    /// A cut's change must reach at least this, whatever the ratio.
    pub min_cut_change: f32,
    /// A change this large is a cut whatever its neighbours.
    pub hard_cut_change: f32,
    /// Longest dissolve/fade, in samples strictly between its two ends.
    pub max_transition_len: usize,
    /// Largest residual of the mix model, relative to the distance between the ends.
    pub mix_tolerance: f32,
    /// The two ends of a dissolve must differ by at least this mean |ΔRGB| (0–255).
    pub min_mix_span: f32,
    /// Ends whose [`moved_match`] reaches this show one picture under a camera move,
    /// and no dissolve lies between them. Fitted on the evaluation set's tuning half
    /// (1 s samples): the ends of its crossfades and fades match at most 0.61, those of
    /// pans and zooms the mix model mistook for dissolves at least 0.81.
    pub same_picture_moved: f32,
    /// Brightness / contrast at or below which a sample is black.
    pub black_brightness: f32,
    pub black_contrast: f32,
    /// A fade ramp step must change brightness by at least this.
    pub min_fade_step: f32,
}

impl Default for ShotConfig {
    fn default() -> Self {
        Self {
            adaptive_ratio: 3.0,
            window: 2,
            min_cut_change: 0.15,
            hard_cut_change: 0.6,
            max_transition_len: 12,
            mix_tolerance: 0.2,
            min_mix_span: 12.0,
            same_picture_moved: 0.7,
            black_brightness: 0.06,
            black_contrast: 0.04,
            min_fade_step: 0.02,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shot {
    /// First and last sample index (inclusive) of the shot.
    pub start_idx: usize,
    pub end_idx: usize,
    /// Times of those samples: the span known to lie inside the shot.
    pub start_us: i64,
    pub end_us: i64,
}

impl Shot {
    pub fn len(&self) -> usize {
        self.end_idx + 1 - self.start_idx
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn duration_us(&self) -> i64 {
        self.end_us - self.start_us
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shots {
    pub shots: Vec<Shot>,
    /// Per sample: part of a fade, dissolve or black gap (never pick it).
    pub transition: Vec<bool>,
    /// Sample indices `i` with a hard cut between `i − 1` and `i`.
    pub cuts: Vec<usize>,
    /// Per sample: [`frame_change`] from the previous sample (0 for the first).
    pub change: Vec<f32>,
    /// Per sample: index into `shots`, `None` for transitions.
    pub shot_of: Vec<Option<usize>>,
}

/// Change between two samples, 0–1: 0.5 · colour-histogram distance + 0.3 · colour
/// layout (8×8 mean RGB, mean |Δ| / 64, capped at 1) + 0.2 · edge layout (normalised
/// L1 between the 8×8 gradient grids).
pub fn frame_change(a: &SampleFeatures, b: &SampleFeatures) -> f32 {
    let hist = a.hist.distance(&b.hist);
    let layout = (thumb_distance(&a.thumb, &b.thumb) / 64.0).min(1.0);
    let (mut num, mut den) = (0.0f32, 0.0f32);
    for (x, y) in a.edges.iter().zip(&b.edges) {
        num += (x - y).abs();
        den += x + y;
    }
    let edges = if den > 1e-6 { num / den } else { 0.0 };
    0.5 * hist + 0.3 * layout + 0.2 * edges
}

/// Mean absolute difference of the 8×8 RGB means, 0–255.
fn thumb_distance(a: &[[f32; 3]; CELLS], b: &[[f32; 3]; CELLS]) -> f32 {
    let s: f32 = a
        .iter()
        .zip(b)
        .map(|(p, q)| (p[0] - q[0]).abs() + (p[1] - q[1]).abs() + (p[2] - q[2]).abs())
        .sum();
    s / (3 * CELLS) as f32
}

/// Finds cuts, transitions and shots in the coarse samples (in presentation order).
#[allow(clippy::needless_range_loop)] // neighbour windows read clearest with indices
pub fn detect_shots(samples: &[SampleFeatures], cfg: &ShotConfig) -> Shots {
    let n = samples.len();
    let mut change = vec![0.0f32; n];
    for (i, w) in samples.windows(2).enumerate() {
        change[i + 1] = frame_change(&w[0], &w[1]);
    }
    let mut transition: Vec<bool> = samples.iter().map(|s| is_black(s, cfg)).collect();
    mark_dissolves(samples, cfg, &mut transition);
    mark_fade_ramps(samples, cfg, &mut transition);

    let mut cuts = Vec::new();
    for i in 1..n {
        if transition[i - 1] || transition[i] {
            continue;
        }
        let d = change[i];
        let lo = i.saturating_sub(cfg.window).max(1);
        let hi = (i + cfg.window).min(n - 1);
        // The change into a sample after a fade or black spell measures the transition,
        // not the shot's own motion: left out, it would hide the next cut (a 0.95 step out
        // of a fade beside a 0.6 cut).
        let neigh: Vec<f32> = (lo..=hi)
            .filter(|&j| j != i && !transition[j] && !transition[j - 1])
            .map(|j| change[j])
            .collect();
        let mean = if neigh.is_empty() {
            0.0
        } else {
            neigh.iter().sum::<f32>() / neigh.len() as f32
        };
        let ratio = d / mean.max(0.01);
        let near_duplicate = hamming(samples[i - 1].phash, samples[i].phash) <= 4 && d < 0.3;
        if d >= cfg.hard_cut_change
            || (d >= cfg.min_cut_change && ratio >= cfg.adaptive_ratio && !near_duplicate)
        {
            cuts.push(i);
        }
    }

    let mut shots = Vec::new();
    let mut shot_of = vec![None; n];
    let mut start: Option<usize> = None;
    let mut cut_iter = cuts.iter().peekable();
    for i in 0..=n {
        let is_cut = cut_iter.peek().is_some_and(|&&c| c == i);
        if is_cut {
            cut_iter.next();
        }
        let boundary = i == n || transition[i] || is_cut;
        if boundary {
            if let Some(s) = start.take() {
                push_shot(&mut shots, &mut shot_of, samples, s, i - 1);
            }
        }
        if i < n && !transition[i] && start.is_none() {
            start = Some(i);
        }
    }
    Shots {
        shots,
        transition,
        cuts,
        change,
        shot_of,
    }
}

fn push_shot(
    shots: &mut Vec<Shot>,
    shot_of: &mut [Option<usize>],
    samples: &[SampleFeatures],
    s: usize,
    e: usize,
) {
    for o in &mut shot_of[s..=e] {
        *o = Some(shots.len());
    }
    shots.push(Shot {
        start_idx: s,
        end_idx: e,
        start_us: samples[s].pts_us,
        end_us: samples[e].pts_us,
    });
}

fn is_black(s: &SampleFeatures, cfg: &ShotConfig) -> bool {
    s.brightness <= cfg.black_brightness && s.contrast <= cfg.black_contrast
}

/// How well `to` is `from` moved: the smallest mean |ΔRGB| (0–255) between `to` and
/// `from` shifted by up to 2 cells each way in half-cell steps (bilinear between cell
/// means), over the cells that stay inside the grid (at least half of them).
fn shift_residual(from: &[[f32; 3]; CELLS], to: &[[f32; 3]; CELLS]) -> f32 {
    let at = |y: f32, x: f32, c: usize| -> f32 {
        let (y0, x0) = (y.floor() as usize, x.floor() as usize);
        let (y1, x1) = ((y0 + 1).min(GRID - 1), (x0 + 1).min(GRID - 1));
        let (fy, fx) = (y - y0 as f32, x - x0 as f32);
        let v = |yy: usize, xx: usize| from[yy * GRID + xx][c];
        (1.0 - fy) * ((1.0 - fx) * v(y0, x0) + fx * v(y0, x1))
            + fy * ((1.0 - fx) * v(y1, x0) + fx * v(y1, x1))
    };
    let last = (GRID - 1) as f32;
    let mut best = f32::INFINITY;
    for sy in -4..=4 {
        for sx in -4..=4 {
            let (dy, dx) = (sy as f32 * 0.5, sx as f32 * 0.5);
            let (mut sum, mut n) = (0.0f32, 0usize);
            for (k, cell) in to.iter().enumerate() {
                let (y, x) = ((k / GRID) as f32 + dy, (k % GRID) as f32 + dx);
                if !(0.0..=last).contains(&y) || !(0.0..=last).contains(&x) {
                    continue;
                }
                sum += (0..3).map(|c| (cell[c] - at(y, x, c)).abs()).sum::<f32>();
                n += 1;
            }
            if n * 2 >= CELLS {
                best = best.min(sum / (3 * n) as f32);
            }
        }
    }
    best
}

/// Marks runs `a+1 ..= b−1` whose samples are all mixes of `A = a` and `B = b`.
fn mark_dissolves(samples: &[SampleFeatures], cfg: &ShotConfig, transition: &mut [bool]) {
    let n = samples.len();
    let mut a = 0;
    while a + 2 < n {
        let mut best = None;
        let last = (a + cfg.max_transition_len + 1).min(n - 1);
        for b in a + 2..=last {
            if is_mix_run(samples, a, b, cfg) {
                best = Some(b);
            }
        }
        match best {
            Some(b) => {
                for t in &mut transition[a + 1..b] {
                    *t = true;
                }
                a = b;
            }
            None => a += 1,
        }
    }
}

fn is_mix_run(samples: &[SampleFeatures], a: usize, b: usize, cfg: &ShotConfig) -> bool {
    let (ta, tb) = (&samples[a].thumb, &samples[b].thumb);
    let span = thumb_distance(ta, tb);
    if span < cfg.min_mix_span {
        return false;
    }
    let pa: Vec<f32> = ta.iter().flatten().copied().collect();
    // B − A over the 192 values and its squared norm.
    let diff: Vec<f32> = tb.iter().flatten().zip(&pa).map(|(q, p)| q - p).collect();
    let dd: f32 = diff.iter().map(|d| d * d).sum();
    let mut prev_t = 0.0f32;
    for s in &samples[a + 1..b] {
        let x: Vec<f32> = s
            .thumb
            .iter()
            .flatten()
            .zip(&pa)
            .map(|(v, p)| v - p)
            .collect();
        // Least-squares t for x − A ≈ t (B − A), then the residual.
        let t = x.iter().zip(&diff).map(|(v, d)| v * d).sum::<f32>() / dd;
        if t <= prev_t + 0.02 || t >= 0.97 || t <= 0.03 {
            return false;
        }
        if more_detailed_than_a_mix(&samples[a], &samples[b], s, t) {
            return false;
        }
        let res: f32 = x.iter().zip(&diff).map(|(v, d)| (v - t * d).abs()).sum();
        let mix_res = res / (3 * CELLS) as f32;
        if mix_res > cfg.mix_tolerance * span {
            return false;
        }
        // Camera motion over a smooth scene also looks like a mix at 8×8 cells; if one
        // end, moved, explains the sample as well, it is a pan, not a dissolve.
        let moved = shift_residual(ta, &s.thumb).min(shift_residual(tb, &s.thumb));
        if moved <= mix_res {
            return false;
        }
        prev_t = t;
    }
    // Ends that show one picture moved (a pan or zoom of one photo) are one shot: at
    // 8×8 cells the frames between them also fit the mix model. Checked last: it is the
    // dearest test (a few hundred layouts), and most runs fail the cheap ones above.
    moved_match(&samples[a].grid, &samples[b].grid) < cfg.same_picture_moved
}

/// How well `b` is `a` seen through a camera move: the best Pearson correlation of the
/// 16×16 luma grids over zooms and shifts of `a` (bilinear between cell means), on the
/// cells that stay inside `a` (at least a third of them).
pub fn moved_match(a: &[f32; FINE_CELLS], b: &[f32; FINE_CELLS]) -> f32 {
    const N: usize = FINE_GRID;
    let last = (N - 1) as f32;
    let centre = last / 2.0;
    let at = |y: f32, x: f32| -> f32 {
        let (y0, x0) = (y.floor() as usize, x.floor() as usize);
        let (y1, x1) = ((y0 + 1).min(N - 1), (x0 + 1).min(N - 1));
        let (fy, fx) = (y - y0 as f32, x - x0 as f32);
        let v = |yy: usize, xx: usize| a[yy * N + xx];
        (1.0 - fy) * ((1.0 - fx) * v(y0, x0) + fx * v(y0, x1))
            + fy * ((1.0 - fx) * v(y1, x0) + fx * v(y1, x1))
    };
    let mut best = 0.0f32;
    for zoom in MOVE_ZOOMS {
        for sy in -MOVE_SHIFT..=MOVE_SHIFT {
            for sx in -MOVE_SHIFT..=MOVE_SHIFT {
                let mut r = Pearson::default();
                for (k, &v) in b.iter().enumerate() {
                    let y = centre + ((k / N) as f32 - centre) / zoom + sy as f32;
                    let x = centre + ((k % N) as f32 - centre) / zoom + sx as f32;
                    if (0.0..=last).contains(&y) && (0.0..=last).contains(&x) {
                        r.add(at(y, x), v);
                    }
                }
                // At least a third of the cells must stay inside `a`.
                if r.count() * 3 >= FINE_CELLS {
                    best = best.max(r.correlation(1e-3).unwrap_or(0.0));
                }
            }
        }
    }
    best
}

/// Zoom factors [`moved_match`] tries between two samples.
const MOVE_ZOOMS: [f32; 5] = [0.8, 0.9, 1.0, 1.1, 1.25];
/// Largest shift, in cells of the 16×16 grid each way, [`moved_match`] tries.
const MOVE_SHIFT: i32 = 4;

/// Slack of [`more_detailed_than_a_mix`] for encoding noise.
const MIX_DETAIL_SLACK: f32 = 1.15;

/// Whether `s` has more contrast or more edge than any mix `(1 − t)·A + t·B` can have:
/// both are norms, so a mix has at most `(1 − t)·‖A‖ + t·‖B‖`. An underexposed spell of
/// a page, its clean part, then a blown-out white shot fit the colour model of a mix
/// (a gain looks like a mix with white), but the clean part has more detail than
/// either end, which no dissolve has.
fn more_detailed_than_a_mix(
    a: &SampleFeatures,
    b: &SampleFeatures,
    s: &SampleFeatures,
    t: f32,
) -> bool {
    let bound = |x: f32, y: f32| ((1.0 - t) * x + t * y) * MIX_DETAIL_SLACK + 0.005;
    let edge = |f: &SampleFeatures| f.edges.iter().sum::<f32>() / CELLS as f32;
    s.contrast > bound(a.contrast, b.contrast) || edge(s) > bound(edge(a), edge(b))
}

/// Brightness ramps into (fade-out) and out of (fade-in) black samples.
fn mark_fade_ramps(samples: &[SampleFeatures], cfg: &ShotConfig, transition: &mut [bool]) {
    let n = samples.len();
    let black: Vec<bool> = samples.iter().map(|s| is_black(s, cfg)).collect();
    let fading = |from: &SampleFeatures, to: &SampleFeatures| {
        from.brightness - to.brightness >= cfg.min_fade_step && from.contrast >= to.contrast
    };
    for k in 0..n {
        if !black[k] {
            continue;
        }
        // Fade-out: walk back while each earlier sample is brighter by a real step.
        if k > 0 && !black[k - 1] {
            let mut j = k;
            let mut steps = 0;
            while j >= 2
                && steps < cfg.max_transition_len
                && fading(&samples[j - 2], &samples[j - 1])
            {
                transition[j - 1] = true;
                j -= 1;
                steps += 1;
            }
        }
        // Fade-in: walk forward while each later sample is brighter by a real step.
        if k + 1 < n && !black[k + 1] {
            let mut j = k;
            let mut steps = 0;
            while j + 2 < n
                && steps < cfg.max_transition_len
                && fading(&samples[j + 2], &samples[j + 1])
            {
                transition[j + 1] = true;
                j += 1;
                steps += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::frame::RgbaFrame;

    /// A textured frame: diagonal stripes of `period` px in colour `c`, on 64×36.
    fn frame(c: [u8; 3], period: u32) -> RgbaFrame {
        let mut data = Vec::new();
        for y in 0..36u32 {
            for x in 0..64u32 {
                let on = ((x + y) / period).is_multiple_of(2);
                let k = if on { 1.0 } else { 0.45 };
                data.extend_from_slice(&[
                    (c[0] as f32 * k) as u8,
                    (c[1] as f32 * k) as u8,
                    (c[2] as f32 * k) as u8,
                    255,
                ]);
            }
        }
        RgbaFrame::new(64, 36, data).unwrap()
    }

    fn mix(a: &RgbaFrame, b: &RgbaFrame, t: f32) -> RgbaFrame {
        let data = a
            .data
            .iter()
            .zip(&b.data)
            .map(|(&x, &y)| (x as f32 * (1.0 - t) + y as f32 * t).round() as u8)
            .collect();
        RgbaFrame::new(a.width, a.height, data).unwrap()
    }

    fn features(frames: &[RgbaFrame]) -> Vec<SampleFeatures> {
        frames
            .iter()
            .enumerate()
            .map(|(i, f)| SampleFeatures::new(i as i64 * 1_000_000, &QuickMetrics::of(f)))
            .collect()
    }

    #[test]
    fn one_cut_between_two_shots() {
        let (a, b) = (frame([200, 120, 40], 5), frame([40, 90, 220], 9));
        let frames: Vec<_> = (0..16)
            .map(|i| if i < 7 { a.clone() } else { b.clone() })
            .collect();
        let s = detect_shots(&features(&frames), &ShotConfig::default());
        assert_eq!(s.cuts, vec![7]);
        assert_eq!(s.shots.len(), 2);
        assert_eq!((s.shots[1].start_idx, s.shots[1].start_us), (7, 7_000_000));
        assert!(s.transition.iter().all(|t| !t));
    }

    #[test]
    fn a_clean_page_between_its_dark_spell_and_a_white_shot_is_more_detailed_than_a_mix() {
        // An underexposed page, the clean page, a blown-out white shot: in colour the
        // clean page sits between the two ends like a mix (a gain looks like a mix with
        // white), but it has more contrast and edge than any mix of them has.
        let page = |gain: f32| {
            let mut data = Vec::new();
            for y in 0..36u32 {
                for x in 0..64u32 {
                    let ink = (x / 4 + y / 3) % 2 == 0;
                    let v = if ink { 60.0 } else { 215.0 } * gain;
                    data.extend_from_slice(&[v.min(255.0) as u8; 3]);
                    data.push(255);
                }
            }
            RgbaFrame::new(64, 36, data).unwrap()
        };
        let white = RgbaFrame::filled(64, 36, [250, 250, 250, 255]);
        let dark = page(0.35);
        let f = features(&[dark.clone(), page(1.0), white.clone()]);
        for t in [0.2, 0.4, 0.6, 0.8] {
            assert!(more_detailed_than_a_mix(&f[0], &f[2], &f[1], t), "t {t}");
            let m = features(&[mix(&dark, &white, t)]);
            assert!(!more_detailed_than_a_mix(&f[0], &f[2], &m[0], t), "mix {t}");
        }
    }

    #[test]
    fn dissolve_is_a_transition_not_a_cut() {
        let (a, b) = (frame([200, 120, 40], 5), frame([40, 90, 220], 9));
        let mut frames: Vec<_> = (0..6).map(|_| a.clone()).collect();
        frames.extend((1..=5).map(|k| mix(&a, &b, k as f32 / 6.0)));
        frames.extend((0..6).map(|_| b.clone()));
        let s = detect_shots(&features(&frames), &ShotConfig::default());
        assert!(s.cuts.is_empty(), "{:?} {:?}", s.cuts, s.change);
        let marked: Vec<usize> = (0..frames.len()).filter(|&i| s.transition[i]).collect();
        assert_eq!(marked, (6..11).collect::<Vec<_>>());
        assert_eq!(s.shots.len(), 2);
        assert_eq!(s.shot_of[8], None);
    }

    #[test]
    fn fade_to_black_and_back_in() {
        let (a, b) = (frame([200, 160, 120], 5), frame([60, 200, 90], 7));
        let black = RgbaFrame::filled(64, 36, [0, 0, 0, 255]);
        let mut frames: Vec<_> = (0..5).map(|_| a.clone()).collect();
        frames.extend((1..=3).map(|k| mix(&a, &black, k as f32 / 4.0)));
        frames.extend((0..2).map(|_| black.clone()));
        frames.extend((1..=3).map(|k| mix(&black, &b, k as f32 / 4.0)));
        frames.extend((0..5).map(|_| b.clone()));
        let s = detect_shots(&features(&frames), &ShotConfig::default());
        let marked: Vec<usize> = (0..frames.len()).filter(|&i| s.transition[i]).collect();
        assert_eq!(marked, (5..13).collect::<Vec<_>>(), "{:?}", s.change);
        assert!(s.cuts.is_empty());
        assert_eq!(s.shots.len(), 2);
        assert_eq!((s.shots[0].end_idx, s.shots[1].start_idx), (4, 13));
    }

    #[test]
    fn a_cut_right_after_a_black_spell_is_still_found() {
        // Black, two samples of B, then C: the big step out of black beside the B → C
        // change must not hide the cut (it used to raise the neighbours' mean 3×).
        let black = RgbaFrame::filled(64, 36, [0, 0, 0, 255]);
        let (b, c) = (frame([200, 160, 120], 5), frame([185, 155, 135], 7));
        let mut frames = vec![black.clone(), black];
        frames.extend((0..2).map(|_| b.clone()));
        frames.extend((0..6).map(|_| c.clone()));
        let s = detect_shots(&features(&frames), &ShotConfig::default());
        let cfg = ShotConfig::default();
        assert!(
            (cfg.min_cut_change..cfg.hard_cut_change).contains(&s.change[4]),
            "B → C must be an adaptive cut, not a hard one: {:?}",
            s.change
        );
        assert_eq!(s.cuts, vec![4], "{:?}", s.change);
        assert_eq!(s.shots.len(), 2);
    }

    /// A smooth picture (no hard edges, as a photo at 8×8 cells) seen through a window
    /// `dx` pixels to the right and zoomed by `zoom` about the centre.
    fn smooth_view(dx: f32, zoom: f32) -> RgbaFrame {
        let (w, h) = (160u32, 90u32);
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let u = (x as f32 - 80.0) / zoom + 80.0 + dx;
                let v = (y as f32 - 45.0) / zoom + 45.0;
                let l = 110.0 + 60.0 * (u / 23.0).sin() * (v / 17.0).cos() + 0.3 * u;
                let c = |k: f32| (l * k).clamp(0.0, 255.0) as u8;
                data.extend_from_slice(&[c(1.0), c(0.85), c(0.7), 255]);
            }
        }
        RgbaFrame::new(w, h, data).unwrap()
    }

    #[test]
    fn a_pan_or_zoom_over_one_picture_is_one_shot_not_a_dissolve() {
        let pan: Vec<_> = (0..10).map(|i| smooth_view(i as f32 * 9.0, 1.0)).collect();
        let zoom: Vec<_> = (0..10)
            .map(|i| smooth_view(0.0, 1.0 + i as f32 * 0.04))
            .collect();
        for frames in [pan, zoom] {
            let f = features(&frames);
            assert!(moved_match(&f[0].grid, &f[2].grid) > 0.9);
            let s = detect_shots(&f, &ShotConfig::default());
            assert!(s.transition.iter().all(|t| !t), "{:?}", s.transition);
            assert_eq!(s.shots.len(), 1);
        }
        // Two different pictures do not match, moved or not.
        let (a, b) = (frame([180, 140, 100], 6), smooth_view(0.0, 1.0));
        let f = features(&[a, b]);
        assert!(moved_match(&f[0].grid, &f[1].grid) < 0.5);
    }

    #[test]
    fn steady_motion_is_not_cut() {
        // The same colours, stripes drifting: change every sample but no outlier.
        let frames: Vec<_> = (0..12)
            .map(|i| {
                let f = frame([180, 140, 100], 6);
                let shift = (i * 3) as usize * 4;
                let mut data = f.data[shift..].to_vec();
                data.extend_from_slice(&f.data[..shift]);
                RgbaFrame::new(64, 36, data).unwrap()
            })
            .collect();
        let s = detect_shots(&features(&frames), &ShotConfig::default());
        assert!(s.cuts.is_empty(), "{:?}", s.change);
        assert_eq!(s.shots.len(), 1);
    }

    #[test]
    fn empty_and_single() {
        let s = detect_shots(&[], &ShotConfig::default());
        assert!(s.shots.is_empty());
        let one = features(&[frame([100, 100, 100], 4)]);
        let s = detect_shots(&one, &ShotConfig::default());
        assert_eq!(s.shots.len(), 1);
        assert_eq!(s.shots[0].duration_us(), 0);
    }
}
