//! The coarse pass as a timeline: loudness, shots and transitions, importance segments,
//! and the times the dense pass decodes.

use super::{DensePlan, Session};
use crate::screening::audio::{self, AudioLevels};
use crate::screening::scenes::{detect_shots, SampleFeatures, ShotConfig};
use crate::screening::segments::{dense_plan, score_segments, DenseConfig, Level, SegmentConfig};

/// The coarse pass seen as a timeline (the shots-and-segments stage's state).
#[derive(Default)]
pub(super) struct Timeline {
    /// Shot-detection features of every coarse sample (small; no pixels).
    pub(super) features: Vec<SampleFeatures>,
    /// Loudness of the audio around the coarse samples, where the browser decoded it.
    pub(super) audio: AudioLevels,
    /// Shots as `(start_us, end_us)` once the coarse pass is planned.
    pub(super) shots: Vec<(i64, i64)>,
    /// Set by `plan_dense`: later frames are dense ones.
    pub(super) dense: bool,
}

impl Session {
    /// One block of decoded audio (first channel), before `plan_dense`: loud moments
    /// raise the importance of their segments.
    pub fn push_audio(&mut self, pts_us: i64, sample_rate: u32, pcm: &[f32]) {
        self.timeline.audio.push(pts_us, sample_rate, pcm);
    }

    /// End of the coarse pass: find shots and transitions, score importance segments,
    /// drop kept frames that sit in transitions, and return the times worth decoding
    /// densely (low and minimal segments are skipped). Later frames are dense ones.
    pub fn plan_dense(&mut self, cfg: &DenseConfig) -> DensePlan {
        self.flush();
        self.timeline.features.sort_by_key(|f| f.pts_us);
        let shots = detect_shots(&self.timeline.features, &ShotConfig::default());
        let pts: Vec<i64> = self.timeline.features.iter().map(|f| f.pts_us).collect();
        let loudness = self.timeline.audio.loudness_at(&pts, audio::HALF_WINDOW_US);
        self.report.audio_windows = loudness.len();
        let segments = score_segments(
            &self.timeline.features,
            &shots,
            None,
            (!loudness.is_empty()).then_some(loudness.as_slice()),
            &SegmentConfig::default(),
        );
        let mut times = dense_plan(&segments, cfg);
        times.retain(|t| !self.intake.sampled.contains(t));
        let transition_pts: std::collections::HashSet<i64> = self
            .timeline
            .features
            .iter()
            .zip(&shots.transition)
            .filter(|(_, &t)| t)
            .map(|(f, _)| f.pts_us)
            .collect();
        self.kept.retain(|k| !transition_pts.contains(&k.pts_us));
        self.timeline.shots = shots.shots.iter().map(|s| (s.start_us, s.end_us)).collect();
        let r = &mut self.report;
        r.shots = self.timeline.shots.len();
        r.transitions = transition_pts.len();
        r.shot_times = self
            .timeline
            .shots
            .iter()
            .map(|&(a, b)| [a as f64 / 1e6, b as f64 / 1e6])
            .collect();
        let mut tt: Vec<f64> = transition_pts.iter().map(|&t| t as f64 / 1e6).collect();
        tt.sort_by(f64::total_cmp);
        r.transition_times = tt;
        for seg in &segments {
            match seg.level {
                Level::Critical => r.segments.critical += 1,
                Level::High => r.segments.high += 1,
                Level::Medium => r.segments.medium += 1,
                Level::Low => r.segments.low += 1,
                Level::Minimal => r.segments.minimal += 1,
            }
        }
        self.timeline.dense = true;
        DensePlan {
            times,
            shots: r.shots,
            transitions: r.transitions,
        }
    }

    /// Whether a time is the first or last sample of a shot that has others: where a
    /// cut or a dissolve the samples did not see may already begin.
    pub(super) fn at_shot_edge(&self, pts_us: i64) -> bool {
        self.timeline
            .shots
            .iter()
            .any(|&(a, b)| a < b && (pts_us == a || pts_us == b))
    }

    /// The shot a time belongs to, once shots are known.
    pub(super) fn shot_of(&self, pts_us: i64) -> Option<usize> {
        self.timeline
            .shots
            .iter()
            .position(|&(a, b)| pts_us >= a && pts_us <= b)
    }
}
