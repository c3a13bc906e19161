//! Importance segments from the coarse pass, and the dense-sampling plan built on them:
//! segments are chosen *before* dense decoding (the old server pipeline's ideas #3, #4
//! and #8: fewer frames per segment, skip low-importance segments, choose first).
//!
//! Each shot from [`crate::screening::scenes::detect_shots`] is cut into segments of at most
//! `max_segment_us`; each segment gets a 0–1 score from its terms (all 0–1):
//!
//! | term | meaning | weight |
//! | --- | --- | --- |
//! | quality | mean `QuickMetrics::score()` of its samples (rejected = 0) | 0.25 |
//! | stillness | 1 − (motion of its stillest usable sample / `activity_scale`) | 0.20 |
//! | activity | mean motion / `activity_scale` (something happens) | 0.10 |
//! | shot length | ln(1 + shot seconds) / ln(1 + 20) (Hecate ranks long shots up) | 0.15 |
//! | faces | best face value seen in pass 1 inside it (optional input) | 0.20 |
//! | audio | mean loudness inside it, scaled to the video's 5th–95th percentile (optional) | 0.10 |
//!
//! Absent optional inputs drop out and the remaining weights are renormalised. Levels:
//! critical ≥ 0.70, high ≥ 0.55, medium ≥ 0.40, low ≥ 0.25, minimal below or when no
//! sample of the segment passes the quick filter; the best `min_selected` usable
//! segments are raised to at least medium so a dull video still gets a dense pass.

use serde::Serialize;

use crate::screening::scenes::{SampleFeatures, Shots};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Level {
    Minimal,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    /// Times of its first and last coarse sample (inside one shot, no transition).
    pub start_us: i64,
    pub end_us: i64,
    pub level: Level,
    /// 0–1.
    pub score: f32,
    /// Index into `Shots::shots`.
    pub shot: usize,
    /// First and last coarse sample index (inclusive).
    pub start_idx: usize,
    pub end_idx: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentConfig {
    /// Longest segment; longer shots are split into equal parts.
    pub max_segment_us: i64,
    /// Frame change (see `scenes::frame_change`) that counts as full activity.
    pub activity_scale: f32,
    /// Lower score bounds of critical, high, medium, low.
    pub thresholds: [f32; 4],
    /// This many best usable segments are raised to at least medium.
    pub min_selected: usize,
    /// Weights of quality, stillness, activity, shot length, faces, audio.
    pub weights: [f32; 6],
}

impl Default for SegmentConfig {
    fn default() -> Self {
        Self {
            max_segment_us: 8_000_000,
            activity_scale: 0.25,
            thresholds: [0.70, 0.55, 0.40, 0.25],
            min_selected: 3,
            weights: [0.25, 0.20, 0.10, 0.15, 0.20, 0.10],
        }
    }
}

/// Scores the segments of every shot. `faces` and `audio` are `(pts_us, value)` lists:
/// faces 0–1 (e.g. best face score × size term from pass 1), audio any loudness scale
/// where more is louder (RMS, LUFS, dBFS); `None` when not measured.
pub fn score_segments(
    samples: &[SampleFeatures],
    shots: &Shots,
    faces: Option<&[(i64, f32)]>,
    audio: Option<&[(i64, f32)]>,
    cfg: &SegmentConfig,
) -> Vec<Segment> {
    let audio_range = audio.and_then(robust_range);
    let step = typical_step(samples);
    let mut out = Vec::new();
    for (shot_i, shot) in shots.shots.iter().enumerate() {
        let motion: Vec<f32> = (shot.start_idx..=shot.end_idx)
            .map(|i| local_motion(shots, shot.start_idx, shot.end_idx, i))
            .collect();
        let shot_secs = (shot.duration_us() + step) as f32 / 1e6;
        let length = ((1.0 + shot_secs).ln() / 21f32.ln()).min(1.0);
        for (s, e) in split(samples, shot.start_idx, shot.end_idx, cfg.max_segment_us) {
            let idx = s..=e;
            let m = &motion[s - shot.start_idx..=e - shot.start_idx];
            let usable: Vec<usize> = idx.clone().filter(|&i| !samples[i].rejected).collect();
            let (start_us, end_us) = (samples[s].pts_us, samples[e].pts_us);
            let mut seg = Segment {
                start_us,
                end_us,
                level: Level::Minimal,
                score: 0.0,
                shot: shot_i,
                start_idx: s,
                end_idx: e,
            };
            if !usable.is_empty() {
                let quality =
                    idx.clone().map(|i| samples[i].quality).sum::<f32>() / (e + 1 - s) as f32;
                let stillest = usable
                    .iter()
                    .map(|&i| m[i - s])
                    .fold(f32::INFINITY, f32::min);
                let stillness = 1.0 - (stillest / cfg.activity_scale).min(1.0);
                let mean_motion = m.iter().sum::<f32>() / m.len() as f32;
                let activity = (mean_motion / cfg.activity_scale).min(1.0);
                let (lo, hi) = (start_us - step / 2, end_us + step / 2);
                let face = faces.map(|f| {
                    f.iter()
                        .filter(|(t, _)| (lo..=hi).contains(t))
                        .map(|&(_, v)| v.clamp(0.0, 1.0))
                        .fold(0.0, f32::max)
                });
                let loud = audio.zip(audio_range).map(|(a, (amin, amax))| {
                    let v: Vec<f32> = a
                        .iter()
                        .filter(|(t, _)| (lo..=hi).contains(t))
                        .map(|&(_, v)| v)
                        .collect();
                    if v.is_empty() {
                        0.5
                    } else {
                        let mean = v.iter().sum::<f32>() / v.len() as f32;
                        ((mean - amin) / (amax - amin)).clamp(0.0, 1.0)
                    }
                });
                let terms = [
                    Some(quality),
                    Some(stillness),
                    Some(activity),
                    Some(length),
                    face,
                    loud,
                ];
                let (mut num, mut den) = (0.0, 0.0);
                for (t, w) in terms.iter().zip(cfg.weights) {
                    if let Some(t) = t {
                        num += w * t;
                        den += w;
                    }
                }
                seg.score = if den > 0.0 { num / den } else { 0.0 };
                seg.level = level_of(seg.score, &cfg.thresholds);
            }
            out.push(seg);
        }
    }
    // A dull video still gets its best segments decoded densely.
    let mut order: Vec<usize> = (0..out.len()).filter(|&i| out[i].score > 0.0).collect();
    order.sort_by(|&a, &b| out[b].score.total_cmp(&out[a].score));
    for &i in order.iter().take(cfg.min_selected) {
        out[i].level = out[i].level.max(Level::Medium);
    }
    out
}

fn level_of(score: f32, th: &[f32; 4]) -> Level {
    if score >= th[0] {
        Level::Critical
    } else if score >= th[1] {
        Level::High
    } else if score >= th[2] {
        Level::Medium
    } else if score >= th[3] {
        Level::Low
    } else {
        Level::Minimal
    }
}

/// Motion at sample `i`: mean change to its neighbours inside the shot (0 when alone).
fn local_motion(shots: &Shots, s: usize, e: usize, i: usize) -> f32 {
    let mut v = Vec::with_capacity(2);
    if i > s {
        v.push(shots.change[i]);
    }
    if i < e {
        v.push(shots.change[i + 1]);
    }
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f32>() / v.len() as f32
    }
}

/// Median gap between consecutive samples (the coarse interval), 1 s when unknown.
fn typical_step(samples: &[SampleFeatures]) -> i64 {
    let mut gaps: Vec<i64> = samples
        .windows(2)
        .map(|w| w[1].pts_us - w[0].pts_us)
        .filter(|&g| g > 0)
        .collect();
    if gaps.is_empty() {
        return 1_000_000;
    }
    gaps.sort_unstable();
    gaps[gaps.len() / 2]
}

/// Splits samples `s..=e` into about equal runs spanning at most `max_us` each.
fn split(samples: &[SampleFeatures], s: usize, e: usize, max_us: i64) -> Vec<(usize, usize)> {
    let span = samples[e].pts_us - samples[s].pts_us;
    let parts = if max_us <= 0 {
        1
    } else {
        ((span + max_us - 1) / max_us).max(1) as usize
    };
    let parts = parts.min(e + 1 - s);
    let mut out = Vec::with_capacity(parts);
    let mut start = s;
    for p in 1..=parts {
        let limit = samples[s].pts_us + span * p as i64 / parts as i64;
        let mut end = start;
        while end < e && samples[end + 1].pts_us <= limit {
            end += 1;
        }
        if p == parts {
            end = e;
        }
        if end >= start {
            out.push((start, end));
            start = end + 1;
        }
        if start > e {
            break;
        }
    }
    out
}

/// 5th and 95th percentile of the values; `None` when they are equal.
fn robust_range(v: &[(i64, f32)]) -> Option<(f32, f32)> {
    let mut x: Vec<f32> = v.iter().map(|p| p.1).filter(|x| x.is_finite()).collect();
    if x.is_empty() {
        return None;
    }
    x.sort_unstable_by(f32::total_cmp);
    let at = |q: f32| x[((x.len() - 1) as f32 * q).round() as usize];
    let (lo, hi) = (at(0.05), at(0.95));
    (hi > lo).then_some((lo, hi))
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DenseConfig {
    /// Sampling interval for critical, high, medium segments (seed: 0.4 s, 0.6 s, 1 s).
    pub interval_us: [i64; 3],
    /// Most frames for a critical, high, medium segment.
    pub max_per_segment: [usize; 3],
    /// Most frames in the whole plan; when the wish exceeds it, every selected segment
    /// gets its first frame before any gets a second (best segments first).
    pub max_total: usize,
    /// Lowest level that is sampled densely (seed: medium; low/minimal are skipped).
    pub min_level: Level,
}

impl Default for DenseConfig {
    fn default() -> Self {
        Self {
            interval_us: [400_000, 600_000, 1_000_000],
            max_per_segment: [6, 4, 3],
            max_total: 90,
            min_level: Level::Medium,
        }
    }
}

fn level_slot(l: Level) -> usize {
    match l {
        Level::Critical => 0,
        Level::High => 1,
        _ => 2,
    }
}

/// Presentation times (µs, distinct) to decode in the dense pass, most wanted first (the
/// decode plan drops the tail when its budget runs out). A segment of duration `d` wants
/// `ceil(d / interval)` frames (at least 1), capped per level; its frames sit at the
/// centres of equal parts of the segment.
pub fn dense_plan(segments: &[Segment], cfg: &DenseConfig) -> Vec<i64> {
    let mut order: Vec<usize> = (0..segments.len())
        .filter(|&i| segments[i].level >= cfg.min_level)
        .collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&segments[a], &segments[b]);
        y.level.cmp(&x.level).then(y.score.total_cmp(&x.score))
    });
    let want: Vec<usize> = order
        .iter()
        .map(|&i| {
            let s = &segments[i];
            let slot = level_slot(s.level);
            let iv = cfg.interval_us[slot].max(1);
            let d = (s.end_us - s.start_us).max(0);
            (((d + iv - 1) / iv) as usize).clamp(1, cfg.max_per_segment[slot].max(1))
        })
        .collect();
    // Round robin: breadth first, best segments first.
    let mut got = vec![0usize; order.len()];
    let mut total = 0;
    let rounds = want.iter().copied().max().unwrap_or(0);
    'fill: for r in 0..rounds {
        for k in 0..order.len() {
            if total >= cfg.max_total {
                break 'fill;
            }
            if want[k] > r {
                got[k] += 1;
                total += 1;
            }
        }
    }
    // The same breadth-first order: every segment's first frame, best segments first,
    // then every second frame …
    let mut out: Vec<i64> = Vec::with_capacity(total);
    for j in 0..rounds {
        for (k, &i) in order.iter().enumerate() {
            if j >= got[k] {
                continue;
            }
            let s = &segments[i];
            let d = (s.end_us - s.start_us).max(0);
            let (j, n) = (j as i64, got[k] as i64);
            let t = s.start_us + (2 * j + 1) * d / (2 * n);
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// The segment holding time `t`, if any.
pub fn segment_at(segments: &[Segment], t: i64) -> Option<usize> {
    segments
        .iter()
        .position(|s| (s.start_us..=s.end_us).contains(&t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::frame::RgbaFrame;
    use crate::screening::quality::QuickMetrics;
    use crate::screening::scenes::{detect_shots, ShotConfig};

    fn textured(seed: u32, noise: u32) -> RgbaFrame {
        let mut s = seed.wrapping_mul(2654435761) | 1;
        let mut data = Vec::new();
        for y in 0..36u32 {
            for x in 0..64u32 {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                let base = 60 + ((x / 4 + y / 4) % 2) * 90 + (x + y) * 40 / 99;
                let n = if noise > 0 { s % noise } else { 0 };
                let v = (base + n).min(255) as u8;
                data.extend_from_slice(&[v, (v as u32 * 3 / 4) as u8, v / 2, 255]);
            }
        }
        RgbaFrame::new(64, 36, data).unwrap()
    }

    fn seg(start: i64, end: i64, level: Level, score: f32) -> Segment {
        Segment {
            start_us: start,
            end_us: end,
            level,
            score,
            shot: 0,
            start_idx: 0,
            end_idx: 0,
        }
    }

    #[test]
    fn still_face_shot_beats_short_noisy_one() {
        // Shot A: 8 still samples with a face; shot B: 3 samples of changing noise, then a
        // distinct shot C so B is short.
        let still = textured(1, 0);
        let mut frames: Vec<RgbaFrame> = (0..8).map(|_| still.clone()).collect();
        let noisy_base = RgbaFrame::filled(64, 36, [30, 140, 200, 255]);
        for k in 0..3 {
            let mut f = textured(100 + k, 24);
            for (p, q) in f.data.iter_mut().zip(&noisy_base.data) {
                *p = ((*p as u32 + *q as u32) / 2) as u8;
            }
            frames.push(f);
        }
        let other = RgbaFrame::filled(64, 36, [250, 20, 20, 255]);
        frames.extend((0..4).map(|_| other.clone()));
        let samples: Vec<SampleFeatures> = frames
            .iter()
            .enumerate()
            .map(|(i, f)| SampleFeatures::new(i as i64 * 1_000_000, &QuickMetrics::of(f)))
            .collect();
        let shots = detect_shots(&samples, &ShotConfig::default());
        assert_eq!(shots.cuts, vec![8, 11], "{:?}", shots.change);
        let faces = [(3_000_000, 0.9f32)];
        let segs = score_segments(
            &samples,
            &shots,
            Some(&faces),
            None,
            &SegmentConfig::default(),
        );
        assert_eq!(segs.len(), 3);
        assert!(segs[0].score > segs[1].score, "{segs:?}");
        assert!(segs[0].level > segs[1].level, "{segs:?}");
        // The flat red shot fails the quick filter (uniform): minimal.
        assert_eq!(segs[2].level, Level::Minimal);
        // Audio: the same call with the loud part on shot B raises B's score.
        let audio: Vec<(i64, f32)> = (0..15)
            .map(|i| {
                (
                    i * 1_000_000,
                    if (8..11).contains(&i) { -10.0 } else { -40.0 },
                )
            })
            .collect();
        let with_audio = score_segments(
            &samples,
            &shots,
            Some(&faces),
            Some(&audio),
            &SegmentConfig::default(),
        );
        assert!(with_audio[1].score > segs[1].score);
    }

    #[test]
    fn long_shots_are_split() {
        let f = textured(1, 0);
        let samples: Vec<SampleFeatures> = (0..30)
            .map(|i| SampleFeatures::new(i * 1_000_000, &QuickMetrics::of(&f)))
            .collect();
        let shots = detect_shots(&samples, &ShotConfig::default());
        let segs = score_segments(&samples, &shots, None, None, &SegmentConfig::default());
        assert_eq!(segs.len(), 4);
        assert!(segs.iter().all(|s| s.end_us - s.start_us <= 8_000_000));
        assert_eq!(segs[0].start_idx, 0);
        assert_eq!(segs[3].end_idx, 29);
        assert!(segs.windows(2).all(|w| w[1].start_idx == w[0].end_idx + 1));
    }

    #[test]
    fn dense_plan_skips_low_and_respects_caps() {
        let segs = [
            seg(0, 10_000_000, Level::Critical, 0.9),
            seg(20_000_000, 22_000_000, Level::High, 0.6),
            seg(30_000_000, 40_000_000, Level::Low, 0.3),
            seg(50_000_000, 51_000_000, Level::Minimal, 0.0),
            seg(60_000_000, 62_000_000, Level::Medium, 0.45),
            seg(70_000_000, 70_000_000, Level::Medium, 0.41),
        ];
        let plan = dense_plan(&segs, &DenseConfig::default());
        let in_seg = |i: usize| {
            plan.iter()
                .filter(|&&t| segment_at(&segs, t) == Some(i))
                .count()
        };
        assert_eq!(in_seg(0), 6); // 25 wanted at 0.4 s, capped at 6
        assert_eq!(in_seg(1), 4); // ceil(2 s / 0.6 s) = 4
        assert_eq!(in_seg(2), 0);
        assert_eq!(in_seg(3), 0);
        assert_eq!(in_seg(4), 2); // 2 s at 1 s
        assert_eq!(in_seg(5), 1); // zero-length: its one time
        assert_eq!(plan.len(), 13);
        let mut sorted = plan.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), plan.len());
        // Most wanted first: the critical segment, then the high one.
        assert_eq!(segment_at(&segs, plan[1]), Some(1));
        // Spread over the segment: critical frames at the centres of six parts.
        assert_eq!(plan[0], 10_000_000 / 12);

        let tight = DenseConfig {
            max_total: 5,
            ..Default::default()
        };
        let plan = dense_plan(&segs, &tight);
        assert_eq!(plan.len(), 5);
        // Breadth first: every selected segment has a frame before any has a second.
        for i in [0, 1, 4, 5] {
            assert!(plan.iter().any(|&t| segment_at(&segs, t) == Some(i)), "{i}");
        }
        let custom = DenseConfig {
            max_per_segment: [2, 2, 1],
            min_level: Level::High,
            ..Default::default()
        };
        assert_eq!(dense_plan(&segs, &custom).len(), 4);
    }
}
