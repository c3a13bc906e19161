//! One pick run in the core: sampled frames go in as they are decoded, the best few
//! are kept (memory stays bounded whatever the video length), and `finish` runs the
//! deep analysis on the survivors in parallel (faces → emotion per face →
//! composition, editability, aesthetics), scores them with the niche's weights
//! (docs/scoring.md) and returns ranked, spread-out, explained candidates.

mod deep;
mod pool;
mod rank;
mod report;
mod timeline;

use crate::choosing::crops::Ratio;
use crate::choosing::profiles::{Niche, Weights};
use crate::error::{FramepickError, Result};
use crate::judging::emotion::EmotionModel;
use crate::judging::faces::FaceDetector;
use pool::{Intake, Kept};
pub use report::{
    Candidate, CandidateFace, CoreReport, DensePlan, PooledFrame, Scores, SegmentLevels,
};
use timeline::Timeline;

#[derive(Debug, Clone, Copy)]
pub struct SessionConfig {
    /// Candidates to return.
    pub top: usize,
    /// Frames kept for deep analysis (two-stage filtering).
    pub deep_k: usize,
    /// Frames handed to rayon at once for quick metrics.
    pub batch: usize,
    /// Size of the pictures the caller will output; face boxes are given in it.
    pub output_width: u32,
    pub output_height: u32,
    /// Minimum distance between picks, microseconds.
    pub min_gap_us: i64,
    /// Which weight table ranks the candidates.
    pub niche: Niche,
    /// Caller weights replacing the niche's table (already merged and validated).
    pub weights: Option<Weights>,
    /// Most bytes of analysis frames held at once (the kept frames plus a batch):
    /// over it `push_frame` fails with `OUT_OF_MEMORY` before wasm memory runs out.
    pub max_frame_bytes: usize,
}

/// Default of [`SessionConfig::max_frame_bytes`]: the threaded wasm build has 1 GiB in
/// all, and the models and their buffers need the rest.
pub const MAX_FRAME_BYTES: usize = 384 << 20;

/// Frames held while the passes run, as a multiple of `max(deep_k, top)`: room for
/// every shot to keep a frame until the shots are known; deep analysis then takes
/// `deep_k` of them, each shot's best first.
pub const POOL_FACTOR: usize = 3;

/// Face score (detector score × size) from which a face makes the frame a face
/// frame for [`crate::choosing::select::FacePolicy`]: a clearly detected face of at least about
/// 2 % of the frame's area.
pub const CLEAN_FACE: f32 = 0.5;

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            top: 10,
            deep_k: 24,
            batch: 16,
            output_width: 0,
            output_height: 0,
            min_gap_us: 1_000_000,
            niche: Niche::General,
            weights: None,
            max_frame_bytes: MAX_FRAME_BYTES,
        }
    }
}

impl SessionConfig {
    pub fn effective_weights(&self) -> Weights {
        self.weights.unwrap_or_else(|| self.niche.weights())
    }
}

/// The models deep analysis may use; each is optional (a failed download still picks).
#[derive(Clone, Copy, Default)]
pub struct DeepModels<'a> {
    pub faces: Option<&'a FaceDetector>,
    pub emotion: Option<&'a EmotionModel>,
}

/// One pick run. Its state is kept by stage: `intake` (frames coming in, what the spoil
/// comparison knows of each: `session/pool.rs`), `timeline` (shot features, loudness,
/// shots: `session/timeline.rs`), and `kept`, the pool of frames that may still be
/// picked, which the intake fills and deep analysis (`session/deep.rs`) and the ranking
/// (`session/rank.rs`) take over.
pub struct Session {
    cfg: SessionConfig,
    intake: Intake,
    timeline: Timeline,
    kept: Vec<Kept>,
    report: CoreReport,
    /// Crop shapes asked for (`crops`): they come after [`crate::choosing::crops::DEFAULT_RATIOS`] when
    /// not among them, and their crops are marked `asked`.
    crop_ratios: Vec<Ratio>,
}

impl Session {
    pub fn new(cfg: SessionConfig) -> Result<Self> {
        if cfg.top == 0 {
            return Err(FramepickError::invalid("top must be at least 1"));
        }
        if let Some(w) = cfg.weights {
            w.validate()?;
        }
        Ok(Self {
            cfg,
            intake: Intake::default(),
            timeline: Timeline::default(),
            kept: Vec::new(),
            report: CoreReport::default(),
            crop_ratios: Vec::new(),
        })
    }

    /// Change the ranking before `finish` (the browser passes it with `finish`).
    pub fn set_scoring(&mut self, niche: Niche, weights: Option<Weights>) -> Result<()> {
        if let Some(w) = weights {
            w.validate()?;
        }
        self.cfg.niche = niche;
        self.cfg.weights = weights;
        Ok(())
    }

    /// Crop shapes the caller asks for (`crops`): every candidate gets them besides the
    /// four defaults, marked `asked` (their images are encoded).
    pub fn set_crop_ratios(&mut self, ratios: &[Ratio]) {
        self.crop_ratios = ratios.to_vec();
    }

    pub fn set_max_frame_bytes(&mut self, bytes: usize) {
        self.cfg.max_frame_bytes = bytes;
    }

    /// Deep analysis with the face detector only (no emotion) and the final ranking.
    pub fn finish(self, detector: Option<&FaceDetector>) -> Result<(Vec<Candidate>, CoreReport)> {
        self.finish_with(DeepModels {
            faces: detector,
            emotion: None,
        })
    }

    /// Deep analysis on the survivors and the final ranking. Missing models only
    /// drop their components from the score.
    pub fn finish_with(self, models: DeepModels<'_>) -> Result<(Vec<Candidate>, CoreReport)> {
        self.finish_with_progress(models, &mut |_, _| true)
    }

    /// [`Session::finish_with`], calling `on_progress(done, total)` after each slice of
    /// frames: the caller's thread is blocked while rayon works, and these calls are
    /// how it can still tell the page it is alive (the browser's worker watchdog) and
    /// learn that the run was cancelled: returning `false` stops with `Aborted`.
    pub fn finish_with_progress(
        mut self,
        models: DeepModels<'_>,
        on_progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<(Vec<Candidate>, CoreReport)> {
        self.flush();
        if self.kept.is_empty() {
            return Err(FramepickError::NoFrames);
        }
        self.report.frames_pooled = self.kept.len();
        self.judge_by_comparison();
        self.choose_for_deep();
        self.warn_before_deep(models);
        let deep = self.analyse_kept(models, on_progress)?;
        Ok(self.rank(models, &deep))
    }

    /// Warnings about the whole run, before deep analysis.
    fn warn_before_deep(&mut self, models: DeepModels<'_>) {
        if self.report.frames_rejected == self.report.frames_sampled {
            self.report.warnings.push(
                "every sampled frame failed the quick filter (dark, blown out, blurry or flat); \
                 returning the least bad ones"
                    .into(),
            );
        }
        if models.emotion.is_some() && models.faces.is_none() {
            self.report
                .warnings
                .push("emotion model given without a face detector: emotion skipped".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choosing::crops;
    use crate::media::frame::RgbaFrame;
    use crate::screening::quality::QuickMetrics;
    use crate::screening::segments::DenseConfig;

    /// A usable picture: a grey ramp under a checkerboard whose contrast is `level` (more
    /// contrast ranks higher) and whose cell size depends on `seed` (tells frames apart).
    fn textured(seed: u32, level: u8) -> RgbaFrame {
        let cell = 8 + seed % 4;
        let base = ((255 - u32::from(level)) / 2).saturating_sub(30);
        let mut data = Vec::new();
        for y in 0..36u32 {
            for x in 0..64u32 {
                let checker = ((x / cell + y / cell) % 2) * u32::from(level);
                let v = (base + (x + y) * 60 / 99 + checker).min(255) as u8;
                data.extend_from_slice(&[v, v, v, 255]);
            }
        }
        RgbaFrame::new(64, 36, data).unwrap()
    }

    #[test]
    fn black_frames_never_beat_good_ones_and_memory_stays_bounded() {
        let cfg = SessionConfig {
            top: 3,
            deep_k: 5,
            batch: 4,
            ..Default::default()
        };
        let mut s = Session::new(cfg).unwrap();
        for i in 0..40 {
            let f = if i % 2 == 0 {
                RgbaFrame::filled(64, 36, [0, 0, 0, 255])
            } else {
                textured(i, 200)
            };
            s.push_frame(i as i64 * 2_000_000, f).unwrap();
            assert!(s.kept.len() <= 5 * POOL_FACTOR + 4);
        }
        let (c, report) = s.finish(None).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(report.frames_sampled, 40);
        assert_eq!(report.rejected_too_dark, 20);
        assert!(c.iter().all(|c| c.quality.rejection().is_none()));
        assert!(c.windows(2).all(|w| w[0].score >= w[1].score));
    }

    #[test]
    fn deep_analysis_reports_each_slice_and_stops_when_told() {
        let run = |answer: bool| {
            let cfg = SessionConfig {
                top: 2,
                deep_k: 12,
                ..Default::default()
            };
            let mut s = Session::new(cfg).unwrap();
            for i in 0..12 {
                s.push_frame(i as i64 * 1_000_000, textured(i, 200))
                    .unwrap();
            }
            let mut calls = Vec::new();
            let out = s.finish_with_progress(DeepModels::default(), &mut |done, total| {
                calls.push((done, total));
                answer
            });
            (out, calls)
        };
        let (out, calls) = run(true);
        assert_eq!(out.unwrap().0.len(), 2);
        let slice = 2 * rayon::current_num_threads().max(1);
        assert_eq!(calls.len(), 12usize.div_ceil(slice));
        assert_eq!(calls.last(), Some(&(12, 12)));
        assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));
        // Told to stop after the first slice: a typed error, nothing more analysed.
        let (out, calls) = run(false);
        assert_eq!(out.unwrap_err().code(), "ABORTED");
        assert_eq!(calls.len(), 1);
    }

    #[test]
    fn fewer_picks_rather_than_rejected_frames() {
        let cfg = SessionConfig {
            top: 5,
            min_gap_us: 0,
            ..Default::default()
        };
        let mut s = Session::new(cfg).unwrap();
        for i in 0..8 {
            let f = if i < 2 {
                textured(i, 200)
            } else {
                RgbaFrame::filled(64, 36, [0, 0, 0, 255])
            };
            s.push_frame(i as i64 * 1_000_000, f).unwrap();
        }
        let (c, report) = s.finish(None).unwrap();
        assert_eq!(
            c.len(),
            2,
            "{:?}",
            c.iter().map(|c| c.time).collect::<Vec<_>>()
        );
        assert!(c.iter().all(|c| c.quality.rejection().is_none()));
        assert!(report.warnings.iter().any(|w| w.contains("fewer picks")));
    }

    #[test]
    fn measured_frames_ask_for_pixels_only_when_they_would_be_kept() {
        let cfg = SessionConfig {
            top: 1,
            deep_k: 1,
            min_gap_us: 0,
            ..Default::default()
        };
        // More noise reads as more contrast and detail: levels set the quality order.
        let frames: Vec<RgbaFrame> = [100, 120, 60, 200, 80, 40, 90, 30, 110, 50]
            .iter()
            .enumerate()
            .map(|(i, &level)| textured(i as u32, level))
            .collect();
        let mut cpu = Session::new(cfg).unwrap();
        let mut gpu = Session::new(cfg).unwrap();
        let mut asked = 0;
        for (i, f) in frames.iter().enumerate() {
            let pts = i as i64 * 1_000_000;
            cpu.push_frame(pts, f.clone()).unwrap();
            if gpu.push_measured(pts, QuickMetrics::of(f)) {
                asked += 1;
                gpu.attach_pixels(pts, f.clone()).unwrap();
            }
        }
        // The pool (3 frames) fills first; later frames are asked for only when they
        // would not be the first to leave it.
        assert!((POOL_FACTOR..frames.len()).contains(&asked), "{asked}");
        assert!(gpu.attach_pixels(99, frames[0].clone()).is_err());
        let times =
            |s: Session| -> Vec<f64> { s.finish(None).unwrap().0.iter().map(|c| c.time).collect() };
        assert_eq!(times(gpu), times(cpu));
    }

    /// `f` with its channels scaled: the same texture in another colour (another look).
    fn tinted(f: &RgbaFrame, k: [f32; 3]) -> RgbaFrame {
        let mut out = f.clone();
        for p in out.data.chunks_exact_mut(4) {
            for c in 0..3 {
                p[c] = (p[c] as f32 * k[c]).min(255.0) as u8;
            }
        }
        out
    }

    /// A session fed a long, crisp grey shot (20 s, one frame a second), then a softer
    /// blue one of `blue` frames, whose every frame the grey ones outscore.
    fn grey_then_blue(cfg: SessionConfig, blue: i64) -> Session {
        let mut s = Session::new(cfg).unwrap();
        for i in 0..20 {
            s.push_frame(i * 1_000_000, textured(1, 200)).unwrap();
        }
        for i in 20..20 + blue {
            s.push_frame(i * 1_000_000, tinted(&textured(2, 90), [0.3, 0.6, 1.0]))
                .unwrap();
        }
        s
    }

    #[test]
    fn every_shot_reaches_deep_analysis_before_the_best_scores_of_one_shot() {
        let cfg = SessionConfig {
            top: 2,
            deep_k: 2,
            min_gap_us: 0,
            ..Default::default()
        };
        let mut s = grey_then_blue(cfg, 3);
        let plan = s.plan_dense(&DenseConfig::default());
        assert!(plan.shots >= 2, "{plan:?}");
        let (c, report) = s.finish(None).unwrap();
        assert_eq!(report.shots_in_deep, plan.shots.min(2));
        let times: Vec<f64> = c.iter().map(|c| c.time).collect();
        assert!(times.iter().any(|&t| t >= 20.0), "{times:?}");
        assert!(times.iter().any(|&t| t < 20.0), "{times:?}");
    }

    #[test]
    fn deep_analysis_is_shared_out_among_shots_and_spread_in_each() {
        let cfg = SessionConfig {
            top: 2,
            deep_k: 6,
            min_gap_us: 0,
            ..Default::default()
        };
        let mut s = grey_then_blue(cfg, 6);
        let plan = s.plan_dense(&DenseConfig::default());
        assert_eq!(plan.shots, 2, "{plan:?}");
        let (_, report) = s.finish(None).unwrap();
        let deep = |from: f64, to: f64| -> Vec<f64> {
            report
                .pool
                .iter()
                .filter(|p| p.deep && p.time >= from && p.time < to)
                .map(|p| p.time)
                .collect()
        };
        let blue = deep(20.0, 26.0);
        assert_eq!(blue.len(), 3, "{:?}", report.pool);
        assert!(blue.windows(2).all(|w| w[1] - w[0] >= 2.0), "{blue:?}");
        assert_eq!(deep(0.0, 20.0).len(), 3);
    }

    #[test]
    fn standing_frames_are_the_pending_then_the_kept_by_rank() {
        let cfg = SessionConfig {
            deep_k: 2,
            top: 1,
            batch: 4,
            ..SessionConfig::default()
        };
        let mut s = Session::new(cfg).unwrap();
        for i in 0..12 {
            s.push_frame(i * 1_000_000, textured(i as u32, 60 + 10 * i as u8))
                .unwrap();
        }
        // 12 pushed in batches of 4: none pending; one more is.
        s.push_frame(20_000_000, textured(99, 120)).unwrap();
        let standing = s.standing();
        assert_eq!(standing[0], 20_000_000);
        // The pool holds 3 × max(deep_k, top) frames; the rest were let go.
        assert_eq!(standing.len(), 1 + s.pool_cap());
        assert!(s.pool_cap() < 12);
    }

    #[test]
    fn audio_pushed_before_planning_is_measured_at_the_coarse_samples() {
        let mut s = Session::new(SessionConfig::default()).unwrap();
        for i in 0..6 {
            s.push_frame(i * 2_000_000, textured(i as u32, 120))
                .unwrap();
        }
        // Sound only in the first 5 s: 100 ms blocks at 8 kHz.
        for k in 0..50 {
            s.push_audio(k * 100_000, 8_000, &[0.25; 800]);
        }
        s.plan_dense(&DenseConfig::default());
        // Samples at 0, 2, 4 s have sound within ±0.5 s; 6, 8, 10 s do not.
        assert_eq!(s.report.audio_windows, 3);
    }

    #[test]
    fn frames_beyond_the_memory_budget_fail_with_a_typed_error() {
        let cfg = SessionConfig {
            deep_k: 30,
            batch: 8,
            max_frame_bytes: 100 << 20,
            ..Default::default()
        };
        let mut s = Session::new(cfg).unwrap();
        // 1280×720 RGBA is 3.5 MiB: the 29th frame held would pass 100 MiB.
        let big = RgbaFrame::filled(1280, 720, [9, 9, 9, 255]);
        let pushed: Vec<bool> = (0..40)
            .map(|i| s.push_frame(i * 1_000_000, big.clone()).is_ok())
            .collect();
        assert_eq!(pushed.iter().position(|ok| !ok), Some(28), "{pushed:?}");
        let err = s.push_frame(99_000_000, big).unwrap_err();
        assert_eq!(err.code(), "OUT_OF_MEMORY");
        assert!(err.to_string().contains("analysisSize"), "{err}");
        // Small frames fit: the default budget holds many more than deep_k + a batch.
        let mut small = Session::new(SessionConfig::default()).unwrap();
        for i in 0..200 {
            small
                .push_frame(i * 1_000_000, textured(i as u32, 100))
                .unwrap();
        }
    }

    #[test]
    fn every_candidate_has_the_four_shapes_and_the_asked_ones_in_output_pixels() {
        let cfg = SessionConfig {
            top: 3,
            output_width: 1280,
            output_height: 720,
            min_gap_us: 0,
            ..Default::default()
        };
        let run = |extra: &[&str]| {
            let mut s = Session::new(cfg).unwrap();
            s.set_crop_ratios(&crops::parse_ratios(extra).unwrap());
            for i in 0..6 {
                s.push_frame(i * 1_000_000, textured(i as u32, 200))
                    .unwrap();
            }
            s.finish(None).unwrap().0
        };
        for c in run(&[]) {
            let labels: Vec<&str> = c.crops.iter().map(|k| k.ratio.as_str()).collect();
            assert_eq!(labels, ["16:9", "1:1", "4:5", "9:16"]);
            let wide = &c.crops[0];
            assert_eq!((wide.x, wide.y, wide.width, wide.height), (0, 0, 1280, 720));
            assert_eq!((c.crops[3].width, c.crops[3].height), (405, 720));
        }
        for c in run(&["3:2", "9:16"]) {
            let labels: Vec<&str> = c.crops.iter().map(|k| k.ratio.as_str()).collect();
            assert_eq!(labels, ["16:9", "1:1", "4:5", "9:16", "3:2"]);
            let asked: Vec<bool> = c.crops.iter().map(|k| k.asked).collect();
            assert_eq!(asked, [false, false, false, true, true]);
            assert!(c
                .crops
                .iter()
                .all(|k| k.x + k.width <= 1280 && k.y + k.height <= 720));
        }
    }

    #[test]
    fn no_frames_is_an_error() {
        let s = Session::new(SessionConfig::default()).unwrap();
        assert_eq!(s.finish(None).unwrap_err().code(), "NO_FRAMES");
    }

    #[test]
    fn an_all_black_video_warns_and_still_answers() {
        let mut s = Session::new(SessionConfig::default()).unwrap();
        for i in 0..5 {
            s.push_frame(i * 1_000_000, RgbaFrame::filled(32, 32, [0, 0, 0, 255]))
                .unwrap();
        }
        let (c, report) = s.finish(None).unwrap();
        assert!(!c.is_empty());
        assert!(report.warnings.iter().any(|w| w.contains("quick filter")));
    }
}
