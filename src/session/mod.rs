//! One pick run in the core: sampled frames go in as they are decoded, the best few
//! are kept (memory stays bounded whatever the video length), and `finish` runs the
//! deep analysis on the survivors in parallel (faces → emotion per face →
//! composition, editability, aesthetics), scores them with the niche's weights
//! (docs/scoring.md) and returns ranked, spread-out, explained candidates.

use rayon::prelude::*;
use serde::Serialize;

use crate::choosing::crops::{self, Crop, EnergyMap, Ratio};
use crate::choosing::profiles::{Niche, Weights};
use crate::choosing::select::{pick_diverse, Choice};
use crate::error::{FramepickError, Result};
use crate::judging::aesthetics::{aesthetics, gradient_magnitude, Aesthetics};
use crate::judging::composition::{composition, energy_centroid, main_face, Composition};
use crate::judging::editability::{editable_region, EditableRegion, ROOM_FOR_TITLE};
use crate::judging::emotion::{Emotion, EmotionModel};
use crate::judging::faces::{Face, FaceDetector};
use crate::media::frame::RgbaFrame;
use crate::screening::audio::{self, AudioLevels};
use crate::screening::look::{Look, SAME_LOOK};
use crate::screening::quality::{ContentLuma, QuickMetrics, Rejection};
use crate::screening::scenes::{detect_shots, SampleFeatures, ShotConfig};
use crate::screening::segments::{dense_plan, score_segments, DenseConfig, Level, SegmentConfig};
use crate::screening::spoils::{self, spoiled_by_comparison};

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

/// Score components, each 0–1. `quality` and `faces` keep their earlier meaning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scores {
    pub quality: f32,
    pub faces: f32,
    pub emotion: f32,
    pub composition: f32,
    pub editability: f32,
    pub aesthetics: f32,
}

impl Scores {
    fn as_array(&self) -> [f32; 6] {
        [
            self.quality,
            self.faces,
            self.emotion,
            self.composition,
            self.editability,
            self.aesthetics,
        ]
    }
}

/// A face of a candidate, in output-picture pixels, with its expression when the
/// emotion model ran.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateFace {
    /// Box, score and landmarks, flattened into the same JSON object.
    #[serde(flatten)]
    pub face: Face,
    pub emotion: Option<Emotion>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// Presentation time in seconds.
    pub time: f64,
    pub pts_us: i64,
    /// 0–1, higher is better: the niche-weighted sum of `scores`.
    pub score: f32,
    pub scores: Scores,
    pub quality: QuickMetrics,
    /// Faces in output-picture pixels.
    pub faces: Vec<CandidateFace>,
    /// Largest calm rectangle for a title, normalized 0–1; null when none.
    pub editable_region: Option<EditableRegion>,
    pub composition: Composition,
    pub aesthetics: Aesthetics,
    /// 64-bit perceptual hash (pHash) of the analysis frame, hex.
    pub hash: String,
    /// Index of the shot the frame belongs to (when shots were detected).
    pub shot: Option<usize>,
    /// Short reasons, strongest first, e.g. "sharp face", "happy 0.93".
    pub why: Vec<String>,
    /// The best 16:9, 1:1, 4:5 and 9:16 framings, then the ratios the caller asked
    /// (`crops`), in output-picture pixels.
    pub crops: Vec<Crop>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoreReport {
    pub frames_sampled: usize,
    pub frames_rejected: usize,
    pub rejected_too_dark: usize,
    pub rejected_blown_out: usize,
    pub rejected_blurry: usize,
    pub rejected_uniform: usize,
    pub rejected_noisy: usize,
    pub frames_deep: usize,
    pub faces_found: usize,
    /// Faces whose expression the emotion model classified.
    pub emotions_classified: usize,
    /// Frames left out because they showed the same picture as a pick (look of the
    /// content between any bars: `look`).
    pub near_duplicates_removed: usize,
    /// Frames held for deep analysis when the passes ended, and how many shots they
    /// covered; `frames_deep` of them were analysed, every covered shot's best first.
    pub frames_pooled: usize,
    pub shots_in_deep: usize,
    /// Frames of that pool spoiled next to another frame of the same framing (blurrier,
    /// grainier, darker or more blown out: `spoils`).
    pub rejected_by_comparison: usize,
    /// Every frame of that pool, in time order, with its verdict: why a frame the
    /// caller expected is not among the picks (spoiled, or not analysed deeply).
    pub pool: Vec<PooledFrame>,
    pub niche: &'static str,
    /// The weights the final score used (before dropping components not computed).
    pub weights: Option<Weights>,
    /// Two-stage sampling: coarse samples, then dense samples inside chosen segments.
    pub frames_coarse: usize,
    pub frames_dense: usize,
    /// Coarse samples whose loudness was measured (0: no audio used).
    pub audio_windows: usize,
    pub shots: usize,
    /// Coarse samples inside fades, dissolves or black spells: never picked.
    pub transitions: usize,
    /// Shots as `[start, end]` in seconds, and the times of transition samples.
    pub shot_times: Vec<[f64; 2]>,
    pub transition_times: Vec<f64>,
    pub segments: SegmentLevels,
    pub warnings: Vec<String>,
}

/// A frame held for deep analysis, as the report shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PooledFrame {
    /// Presentation time in seconds.
    pub time: f64,
    /// The quick filter's verdict, else the comparison's ([`spoils`]); `None`: usable.
    pub rejection: Option<Rejection>,
    /// Sent to deep analysis (each covered shot's best first, then the best of the rest).
    pub deep: bool,
}

/// How many importance segments got each level.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentLevels {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub minimal: usize,
}

/// What the coarse pass decided: where the shots are and which times to decode densely.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DensePlan {
    /// Presentation times (µs) to decode in the dense pass.
    pub times: Vec<i64>,
    pub shots: usize,
    pub transitions: usize,
}

struct Kept {
    pts_us: i64,
    metrics: QuickMetrics,
    rank: f32,
    hash: u64,
    frame: RgbaFrame,
    /// Spoiled next to another frame of the same framing ([`spoils`]), judged at the end.
    spoil: Option<Rejection>,
}

impl Kept {
    /// The quick filter's verdict, else the comparison's.
    fn rejection(&self) -> Option<Rejection> {
        self.metrics.rejection().or(self.spoil)
    }
}

/// Everything deep analysis learns about one frame (analysis-frame pixels).
struct Deep {
    faces: Vec<Face>,
    emotions: Vec<Option<Emotion>>,
    composition: Composition,
    editable: Option<EditableRegion>,
    aesthetics: Aesthetics,
    /// Where the detail is, for the crops.
    energy: EnergyMap,
    warnings: Vec<String>,
}

pub struct Session {
    cfg: SessionConfig,
    pending: Vec<(i64, RgbaFrame)>,
    kept: Vec<Kept>,
    /// Loudness of the audio around the coarse samples, where the browser decoded it.
    audio: AudioLevels,
    /// Frames measured on the GPU whose pixels are on their way.
    awaiting: std::collections::HashMap<i64, QuickMetrics>,
    report: CoreReport,
    /// Shot-detection features of every coarse sample (small; no pixels).
    features: Vec<SampleFeatures>,
    /// Presentation times already analysed, so the dense pass skips them.
    sampled: std::collections::HashSet<i64>,
    /// Every frame analysed so far, as the spoil comparison needs it (small; no pixels).
    seen: Vec<spoils::Sample>,
    /// Shots as `(start_us, end_us)` once the coarse pass is planned.
    shots: Vec<(i64, i64)>,
    dense: bool,
    /// Crop shapes asked for (`crops`): they come after [`crops::DEFAULT_RATIOS`] when
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
            pending: Vec::new(),
            kept: Vec::new(),
            awaiting: Default::default(),
            audio: AudioLevels::default(),
            report: CoreReport::default(),
            features: Vec::new(),
            sampled: Default::default(),
            seen: Vec::new(),
            shots: Vec::new(),
            dense: false,
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

    /// Hand over one analysis frame. Fails with `OUT_OF_MEMORY` when frames of this size
    /// would not fit the memory budget ([`SessionConfig::max_frame_bytes`]).
    pub fn push_frame(&mut self, pts_us: i64, frame: RgbaFrame) -> Result<()> {
        self.check_memory(&frame)?;
        if !self.sampled.insert(pts_us) {
            return Ok(()); // the same frame twice adds nothing
        }
        self.pending.push((pts_us, frame));
        if self.pending.len() >= self.cfg.batch.max(1) {
            self.flush();
        }
        Ok(())
    }

    /// The frames held once this one is in (kept, pending, awaiting pixels) must fit the
    /// budget: a run whose frames are too large fails with a typed error while wasm
    /// memory still has room, instead of an allocation failure that aborts the instance.
    fn check_memory(&self, frame: &RgbaFrame) -> Result<()> {
        let held = self.kept.len() + self.pending.len() + self.awaiting.len() + 1;
        let need = held.saturating_mul(frame.data.len());
        if need > self.cfg.max_frame_bytes {
            return Err(FramepickError::OutOfMemory {
                detail: format!(
                    "{held} analysis frames of {}x{} held would need {} MiB, over the {} MiB \
                     budget; lower analysisSize or deepK",
                    frame.width,
                    frame.height,
                    need >> 20,
                    self.cfg.max_frame_bytes >> 20
                ),
            });
        }
        Ok(())
    }

    /// Quick metrics (with the perceptual hash) for the pending batch in parallel, then
    /// add them to the pool. Coarse samples also keep their shot features.
    pub fn flush(&mut self) {
        let batch = std::mem::take(&mut self.pending);
        let measured: Vec<(i64, QuickMetrics, [f32; 2], RgbaFrame)> = batch
            .into_par_iter()
            .map(|(pts, f)| {
                let content = ContentLuma::of(&f);
                let metrics = QuickMetrics::of_rect(&f, content.rect);
                (pts, metrics, content.texture(), f)
            })
            .collect();
        for (pts_us, metrics, [balance, smear], frame) in measured {
            self.record(pts_us, &metrics, Some(balance), Some(smear));
            self.keep(pts_us, metrics, frame);
        }
    }

    /// A frame measured elsewhere (the WebGPU path): its metrics count at once, and the
    /// answer says whether its pixels are worth reading back, i.e. whether it would
    /// enter the frames kept for deep analysis. If so, pass them to
    /// [`Session::attach_pixels`]; a frame whose pixels never come is simply not kept.
    pub fn push_measured(&mut self, pts_us: i64, metrics: QuickMetrics) -> bool {
        if !self.sampled.insert(pts_us) {
            return false;
        }
        self.record(pts_us, &metrics, None, None);
        // Bars: the metrics are remeasured on the content once the pixels are here.
        let wanted =
            metrics.may_have_bars() || self.kept.len() + self.awaiting.len() < self.pool_cap() || {
                let mut all: Vec<(i64, &QuickMetrics, f32)> = self.pool_entries();
                all.push((pts_us, &metrics, rank_key(&metrics)));
                evict_index(&all) != all.len() - 1
            };
        if wanted {
            self.awaiting.insert(pts_us, metrics);
        }
        wanted
    }

    /// The analysis-size pixels of a frame [`Session::push_measured`] asked for.
    pub fn attach_pixels(&mut self, pts_us: i64, frame: RgbaFrame) -> Result<()> {
        self.check_memory(&frame)?;
        let measured = self.awaiting.remove(&pts_us).ok_or_else(|| {
            FramepickError::invalid(format!("no measured frame at {pts_us} µs awaits pixels"))
        })?;
        let content = ContentLuma::of(&frame);
        let metrics = if measured.may_have_bars() {
            QuickMetrics::of_rect(&frame, content.rect)
        } else {
            measured
        };
        let [balance, smear] = content.texture();
        let sample = spoils::Sample::new(pts_us, &metrics, Some(balance)).with_smear(Some(smear));
        if let Some(i) = self.sample_index(pts_us) {
            self.seen[i] = sample;
        }
        self.keep(pts_us, metrics, frame);
        Ok(())
    }

    /// Count a measured frame in the report; coarse samples also keep their shot features.
    fn record(
        &mut self,
        pts_us: i64,
        metrics: &QuickMetrics,
        balance: Option<f32>,
        smear: Option<f32>,
    ) {
        self.count(metrics);
        self.seen
            .push(spoils::Sample::new(pts_us, metrics, balance).with_smear(smear));
        if self.dense {
            self.report.frames_dense += 1;
        } else {
            self.report.frames_coarse += 1;
            self.features.push(SampleFeatures::new(pts_us, metrics));
        }
    }

    /// Frames the pool holds at most ([`POOL_FACTOR`]).
    fn pool_cap(&self) -> usize {
        self.cfg.deep_k.max(self.cfg.top) * POOL_FACTOR
    }

    fn pool_entries(&self) -> Vec<(i64, &QuickMetrics, f32)> {
        self.kept
            .iter()
            .map(|k| (k.pts_us, &k.metrics, k.rank))
            .collect()
    }

    /// Add a frame to the pool; when it is full, the frame that adds least goes
    /// ([`evict_index`]), so every part of the video that looks different keeps some.
    fn keep(&mut self, pts_us: i64, metrics: QuickMetrics, frame: RgbaFrame) {
        self.kept.push(Kept {
            pts_us,
            metrics,
            rank: rank_key(&metrics),
            hash: metrics.phash,
            frame,
            spoil: None,
        });
        if self.kept.len() > self.pool_cap() {
            let out = evict_index(&self.pool_entries());
            self.kept.swap_remove(out);
        }
        self.kept.sort_by(|a, b| b.rank.total_cmp(&a.rank));
    }

    /// Where in `seen` the spoil comparison keeps the frame at `pts_us` (the latest
    /// entry: pixels attached later replace a measurement).
    fn sample_index(&self, pts_us: i64) -> Option<usize> {
        self.seen.iter().rposition(|s| s.pts_us == pts_us)
    }

    /// What the spoil comparison knows of the frame at `pts_us`.
    fn sample_of(&self, pts_us: i64) -> Option<&spoils::Sample> {
        self.sample_index(pts_us).map(|i| &self.seen[i])
    }

    /// Mark the pool's frames that are spoiled next to another frame of their framing
    /// (any frame analysed, not only the pool's), and count them.
    fn judge_by_comparison(&mut self) {
        let spells = spoils::Spells::of(&self.seen);
        let verdicts: Vec<Option<Rejection>> = self
            .kept
            .par_iter()
            .map(|k| {
                if k.metrics.rejection().is_some() {
                    return None;
                }
                let i = self.sample_index(k.pts_us)?;
                spoiled_by_comparison(&self.seen[i], &self.seen)
                    .or_else(|| spells.verdict(&self.seen, i))
            })
            .collect();
        for (k, v) in self.kept.iter_mut().zip(verdicts) {
            k.spoil = v;
        }
        let looks: Vec<Look> = self.kept.par_iter().map(|k| Look::of(&k.frame)).collect();
        let dark_twins: Vec<bool> = (0..self.kept.len())
            .map(|i| {
                let k = &self.kept[i];
                k.rejection().is_none()
                    && spoils::underexposed_twin(
                        k.pts_us,
                        &k.metrics,
                        (0..self.kept.len())
                            .filter(|&j| j != i && self.kept[j].spoil.is_none())
                            .filter(|&j| looks[i].distance(&looks[j]) <= SAME_LOOK)
                            .map(|j| (self.kept[j].pts_us, &self.kept[j].metrics)),
                    )
            })
            .collect();
        for (k, dark) in self.kept.iter_mut().zip(dark_twins) {
            if dark {
                k.spoil = Some(Rejection::TooDark);
            }
        }
        self.report.rejected_by_comparison = self.kept.iter().filter(|k| k.spoil.is_some()).count();
    }

    /// The `deep_k` frames of the pool worth deep analysis: the best frame of every
    /// shot first (shots in the order of their best frame), then the best of the rest.
    /// Without this, a video whose scenery outscores its faces on quick metrics would
    /// never show the faces to the detector. Returns how many shots are covered.
    fn choose_for_deep(&mut self) -> usize {
        let k = self.cfg.deep_k.max(self.cfg.top);
        let mut pool = std::mem::take(&mut self.kept);
        let any_accepted = pool.iter().any(|f| f.rejection().is_none());
        let mut first_of_shot = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, f) in pool.iter().enumerate() {
            let usable = !any_accepted || f.rejection().is_none();
            if let Some(shot) = self.shot_of(f.pts_us).filter(|_| usable) {
                if seen.insert(shot) {
                    first_of_shot.push(i);
                }
            }
        }
        let covered = first_of_shot.len().min(k);
        let mut take: Vec<bool> = vec![false; pool.len()];
        for &i in first_of_shot.iter().take(k) {
            take[i] = true;
        }
        let mut room = k.saturating_sub(covered);
        for t in take.iter_mut() {
            if room == 0 {
                break;
            }
            if !*t {
                *t = true;
                room -= 1;
            }
        }
        let mut flags = take.into_iter();
        pool.retain(|_| flags.next().unwrap_or(false));
        self.kept = pool; // still best rank first
        covered
    }

    /// One block of decoded audio (first channel), before `plan_dense`: loud moments
    /// raise the importance of their segments.
    pub fn push_audio(&mut self, pts_us: i64, sample_rate: u32, pcm: &[f32]) {
        self.audio.push(pts_us, sample_rate, pcm);
    }

    /// End of the coarse pass: find shots and transitions, score importance segments,
    /// drop kept frames that sit in transitions, and return the times worth decoding
    /// densely (low and minimal segments are skipped). Later frames are dense ones.
    pub fn plan_dense(&mut self, cfg: &DenseConfig) -> DensePlan {
        self.flush();
        self.features.sort_by_key(|f| f.pts_us);
        let shots = detect_shots(&self.features, &ShotConfig::default());
        let pts: Vec<i64> = self.features.iter().map(|f| f.pts_us).collect();
        let loudness = self.audio.loudness_at(&pts, audio::HALF_WINDOW_US);
        self.report.audio_windows = loudness.len();
        let segments = score_segments(
            &self.features,
            &shots,
            None,
            (!loudness.is_empty()).then_some(loudness.as_slice()),
            &SegmentConfig::default(),
        );
        let mut times = dense_plan(&segments, cfg);
        times.retain(|t| !self.sampled.contains(t));
        let transition_pts: std::collections::HashSet<i64> = self
            .features
            .iter()
            .zip(&shots.transition)
            .filter(|(_, &t)| t)
            .map(|(f, _)| f.pts_us)
            .collect();
        self.kept.retain(|k| !transition_pts.contains(&k.pts_us));
        self.shots = shots.shots.iter().map(|s| (s.start_us, s.end_us)).collect();
        let r = &mut self.report;
        r.shots = self.shots.len();
        r.transitions = transition_pts.len();
        r.shot_times = self
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
        self.dense = true;
        DensePlan {
            times,
            shots: r.shots,
            transitions: r.transitions,
        }
    }

    /// The shot a time belongs to, once shots are known.
    fn shot_of(&self, pts_us: i64) -> Option<usize> {
        self.shots
            .iter()
            .position(|&(a, b)| pts_us >= a && pts_us <= b)
    }

    /// The frames that may still be picked, likeliest first: those not ranked yet
    /// (pending, awaiting pixels), then the kept ones best rank first. A frame missing
    /// here has been let go and cannot be a pick (unless no frame is kept at all).
    pub fn standing(&self) -> Vec<i64> {
        let unranked = self.pending.iter().map(|(t, _)| *t);
        let ranked = self.kept.iter().map(|k| k.pts_us);
        unranked
            .chain(self.awaiting.keys().copied())
            .chain(ranked)
            .collect()
    }

    /// Presentation times analysed so far (the dense pass skips them).
    pub fn sampled_pts(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self.sampled.iter().copied().collect();
        v.sort_unstable();
        v
    }

    fn count(&mut self, m: &QuickMetrics) {
        let r = &mut self.report;
        r.frames_sampled += 1;
        let Some(why) = m.rejection() else { return };
        r.frames_rejected += 1;
        match why {
            Rejection::TooDark => r.rejected_too_dark += 1,
            Rejection::BlownOut => r.rejected_blown_out += 1,
            Rejection::Blurry => r.rejected_blurry += 1,
            Rejection::Uniform => r.rejected_uniform += 1,
            Rejection::Noisy => r.rejected_noisy += 1,
        }
    }

    pub fn frames_sampled(&self) -> usize {
        self.report.frames_sampled + self.pending.len()
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
        let pooled: Vec<(i64, Option<Rejection>)> = self
            .kept
            .iter()
            .map(|k| (k.pts_us, k.rejection()))
            .collect();
        self.report.shots_in_deep = self.choose_for_deep();
        let deep: std::collections::HashSet<i64> = self.kept.iter().map(|k| k.pts_us).collect();
        self.report.pool = pooled
            .into_iter()
            .map(|(pts_us, rejection)| PooledFrame {
                time: pts_us as f64 / 1e6,
                rejection,
                deep: deep.contains(&pts_us),
            })
            .collect();
        self.report.pool.sort_by(|a, b| a.time.total_cmp(&b.time));
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
        if let (Some(det), Some(k)) = (models.faces, self.kept.first()) {
            // Build the plan once up front, not once per rayon thread racing for it.
            if let Err(e) = det.prepare(k.frame.width, k.frame.height) {
                self.report
                    .warnings
                    .push(format!("face detector could not be prepared: {e}"));
            }
        }
        // Two frames a thread per slice: the pool stays busy, progress stays frequent.
        let slice = 2 * rayon::current_num_threads().max(1);
        let mut deep: Vec<Deep> = Vec::with_capacity(self.kept.len());
        for chunk in self.kept.chunks(slice) {
            deep.extend(
                chunk
                    .par_iter()
                    .map(|k| analyse(&k.frame, models))
                    .collect::<Vec<_>>(),
            );
            if !on_progress(deep.len(), self.kept.len()) {
                return Err(FramepickError::Aborted {
                    during: "deep analysis",
                });
            }
        }
        if models.faces.is_some() {
            self.report.frames_deep = self.kept.len();
        }
        for d in &deep {
            for w in &d.warnings {
                if !self.report.warnings.contains(w) {
                    self.report.warnings.push(w.clone());
                }
            }
        }
        self.report.faces_found = deep.iter().map(|d| d.faces.len()).sum();
        self.report.emotions_classified = deep
            .iter()
            .map(|d| d.emotions.iter().flatten().count())
            .sum();
        let weights = self.cfg.effective_weights();
        self.report.niche = self.cfg.niche.name();
        self.report.weights = Some(weights);
        let available = [
            true,
            models.faces.is_some(),
            models.faces.is_some() && models.emotion.is_some(),
            true,
            true,
            true,
        ];
        let scores: Vec<Scores> = self
            .kept
            .iter()
            .zip(&deep)
            .map(|(k, d)| component_scores(k, d))
            .collect();
        let scored: Vec<(i64, f32)> = self
            .kept
            .iter()
            .zip(&scores)
            .map(|(k, s)| (k.pts_us, final_score(k, s, &weights, &available)))
            .collect();
        let looks: Vec<Look> = self.kept.par_iter().map(|k| Look::of(&k.frame)).collect();
        // Fewer picks rather than spoiled ones: frames the quick filter rejected only
        // take part when every frame was rejected (that case already warns).
        let accepted: Vec<usize> = (0..self.kept.len())
            .filter(|&i| self.kept[i].rejection().is_none())
            .collect();
        let pool: Vec<usize> = if accepted.is_empty() {
            (0..self.kept.len()).collect()
        } else {
            accepted
        };
        let choices: Vec<Choice> = pool
            .iter()
            .map(|&i| Choice {
                pts_us: self.kept[i].pts_us,
                score: scored[i].1,
                shot: self.shot_of(self.kept[i].pts_us),
                face: scores[i].faces >= CLEAN_FACE,
            })
            .collect();
        let distance = |a: usize, b: usize| looks[pool[a]].distance(&looks[pool[b]]);
        let samples: Vec<Option<&spoils::Sample>> = pool
            .iter()
            .map(|&i| self.sample_of(self.kept[i].pts_us))
            .collect();
        let framing = |a: usize, b: usize| match (samples[a], samples[b]) {
            (Some(x), Some(y)) => spoils::same_framing(x, y),
            _ => false,
        };
        let (chosen, dupes) = pick_diverse(
            &choices,
            &distance,
            &framing,
            self.cfg.top,
            self.cfg.min_gap_us,
            self.cfg.niche.face_policy(),
        );
        self.report.near_duplicates_removed = dupes;
        let picks: Vec<usize> = chosen.into_iter().map(|c| pool[c]).collect();
        if picks.len() < self.cfg.top && pool.len() < self.kept.len() {
            self.report.warnings.push(format!(
                "only {} usable frames found (others were dark, blurry, flat or in \
                 transitions): {} fewer picks than asked",
                picks.len(),
                self.cfg.top - picks.len()
            ));
        }
        let candidates = picks
            .into_iter()
            .map(|i| self.candidate(&self.kept[i], &deep[i], scores[i], scored[i].1))
            .collect();
        Ok((candidates, self.report))
    }

    fn candidate(&self, k: &Kept, d: &Deep, scores: Scores, score: f32) -> Candidate {
        let sx = scale(self.cfg.output_width, k.frame.width);
        let sy = scale(self.cfg.output_height, k.frame.height);
        let faces: Vec<CandidateFace> = d
            .faces
            .iter()
            .zip(&d.emotions)
            .map(|(f, e)| scale_face(f, *e, sx, sy))
            .collect();
        Candidate {
            time: k.pts_us as f64 / 1e6,
            pts_us: k.pts_us,
            score,
            scores,
            quality: k.metrics,
            crops: self.crops_of(k, d, &faces),
            faces,
            editable_region: d.editable,
            composition: d.composition,
            aesthetics: d.aesthetics,
            hash: format!("{:016x}", k.hash),
            shot: self.shot_of(k.pts_us),
            why: explain(k, d, &scores),
        }
    }
}

impl Session {
    /// The crops of a candidate in output-picture pixels (the analysis frame's size
    /// when no output size was given).
    fn crops_of(&self, k: &Kept, d: &Deep, faces: &[CandidateFace]) -> Vec<Crop> {
        let (width, height) = match (self.cfg.output_width, self.cfg.output_height) {
            (0, _) | (_, 0) => (k.frame.width, k.frame.height),
            size => size,
        };
        let faces: Vec<Face> = faces.iter().map(|f| f.face).collect();
        let ratios = crops::with_defaults(&self.crop_ratios);
        let scene = crops::Scene {
            width,
            height,
            faces: &faces,
            energy: Some(&d.energy),
            editable: d.editable.as_ref(),
        };
        let mut out = crops::crops(&scene, &ratios);
        for c in &mut out {
            c.asked = self.crop_ratios.iter().any(|r| r.label() == c.ratio);
        }
        out
    }
}

/// Deep analysis of one frame: faces, emotion of each face, layout and look.
fn analyse(frame: &RgbaFrame, models: DeepModels<'_>) -> Deep {
    let mut warnings = Vec::new();
    let faces = match models.faces.map(|det| det.detect(frame)) {
        None => Vec::new(),
        Some(Ok(f)) => f,
        Some(Err(e)) => {
            warnings.push(format!("face detection skipped a frame: {e}"));
            Vec::new()
        }
    };
    let emotions = faces
        .iter()
        .map(|f| {
            let m = models.emotion?;
            match m.classify(frame, f) {
                Ok(e) => Some(e),
                Err(e) => {
                    warnings.push(format!("emotion skipped a face: {e}"));
                    None
                }
            }
        })
        .collect();
    let (w, h) = (frame.width as usize, frame.height as usize);
    let luma = frame.luma();
    let gradient = gradient_magnitude(&luma, w, h);
    let main = main_face(&faces);
    Deep {
        composition: composition(
            &faces,
            frame.width,
            frame.height,
            energy_centroid(&gradient, w, h),
        ),
        editable: editable_region(&gradient, frame.width, frame.height, &faces),
        aesthetics: aesthetics(frame, &luma, &gradient, main),
        energy: EnergyMap::from_gradient(&gradient, w, h),
        faces,
        emotions,
        warnings,
    }
}

fn component_scores(k: &Kept, d: &Deep) -> Scores {
    let main = d.faces.iter().zip(&d.emotions).max_by(|a, b| {
        (a.0.width * a.0.height * a.0.score).total_cmp(&(b.0.width * b.0.height * b.0.score))
    });
    Scores {
        quality: k.metrics.score(),
        faces: face_score(&d.faces, &k.frame),
        emotion: main.and_then(|(_, e)| e.map(|e| e.appeal())).unwrap_or(0.0),
        composition: d.composition.score,
        editability: d.editable.map_or(0.0, |r| r.score),
        aesthetics: d.aesthetics.score,
    }
}

/// Weighted mean over the components that were computed. Frames the quick filter
/// rejected keep their order among themselves but are scaled by 0.1, so they only
/// fill up when nothing better exists.
fn final_score(k: &Kept, s: &Scores, w: &Weights, available: &[bool; 6]) -> f32 {
    let (mut num, mut den) = (0.0, 0.0);
    for ((v, wt), ok) in s.as_array().iter().zip(w.as_array()).zip(available) {
        if *ok {
            num += v * wt;
            den += wt;
        }
    }
    let score = if den > 0.0 { num / den } else { 0.0 };
    if k.rejection().is_some() {
        0.1 * score
    } else {
        score
    }
}

/// A few words a person understands, strongest first, at most five.
fn explain(k: &Kept, d: &Deep, s: &Scores) -> Vec<String> {
    let mut why = Vec::new();
    if let Some(r) = k.rejection() {
        let what = match r {
            Rejection::TooDark => "too dark",
            Rejection::BlownOut => "blown out",
            Rejection::Blurry => "blurry",
            Rejection::Uniform => "flat",
            Rejection::Noisy => "grainy",
        };
        why.push(format!("spoiled: {what} (nothing better)"));
    }
    if let Some(main) = main_face(&d.faces) {
        let sharp = d.aesthetics.subject_is_face && d.aesthetics.subject_sharpness >= 0.5;
        let n = d.faces.len();
        why.push(match (sharp, n) {
            (true, 1) => "sharp face".into(),
            (false, 1) => "face".into(),
            (true, n) => format!("{n} faces, main one sharp"),
            (false, n) => format!("{n} faces"),
        });
        let emotion = d
            .faces
            .iter()
            .zip(&d.emotions)
            .find(|(f, _)| std::ptr::eq(*f, main))
            .and_then(|(_, e)| *e);
        if let Some(e) = emotion {
            why.push(format!("{} {:.2}", e.label, e.confidence));
        }
        if d.composition.cut_faces > 0 {
            why.push("face cut by the frame edge".into());
        } else if d.composition.thirds >= 0.8 {
            why.push("face on a thirds point".into());
        }
        if d.composition.face_size < 0.4 {
            why.push("small face".into());
        }
    } else if k.metrics.sharpness >= 0.7 {
        why.push("sharp".into());
    }
    if let Some(r) = d.editable.filter(|r| r.score >= ROOM_FOR_TITLE) {
        why.push(format!("room for a title {}", r.position()));
    }
    if d.aesthetics.colourfulness >= 0.6 {
        why.push("colourful".into());
    } else if s.aesthetics >= 0.6 {
        why.push("good look".into());
    }
    if d.aesthetics.clutter >= 0.3 {
        why.push("busy background".into());
    }
    why.truncate(5);
    why
}

fn scale(output: u32, analysed: u32) -> f32 {
    if output == 0 {
        1.0
    } else {
        output as f32 / analysed as f32
    }
}

fn scale_face(f: &Face, emotion: Option<Emotion>, sx: f32, sy: f32) -> CandidateFace {
    let mut landmarks = f.landmarks;
    for l in &mut landmarks {
        l[0] *= sx;
        l[1] *= sy;
    }
    let face = Face {
        x: f.x * sx,
        y: f.y * sy,
        width: f.width * sx,
        height: f.height * sy,
        score: f.score,
        landmarks,
    };
    CandidateFace { face, emotion }
}

/// Which pool entry `(pts, metrics, rank)` to drop when the pool is over its size: a
/// frame the quick filter rejected while any frame passed, the worst first; else the
/// weaker of the two frames next to each other in time that look most alike (colour
/// histograms of their content), so long still shots thin out first and every part
/// of the video that looks different keeps its best frames.
fn evict_index(pool: &[(i64, &QuickMetrics, f32)]) -> usize {
    let weakest =
        |ids: &mut dyn Iterator<Item = usize>| ids.min_by(|&a, &b| pool[a].2.total_cmp(&pool[b].2));
    let rejected = |i: usize| pool[i].1.rejection().is_some();
    let n_rejected = (0..pool.len()).filter(|&i| rejected(i)).count();
    if n_rejected > 0 && n_rejected < pool.len() {
        if let Some(i) = weakest(&mut (0..pool.len()).filter(|&i| rejected(i))) {
            return i;
        }
    }
    let mut by_time: Vec<usize> = (0..pool.len()).collect();
    by_time.sort_by_key(|&i| pool[i].0);
    by_time
        .windows(2)
        .map(|w| (w, pool[w[0]].1.hist.distance(&pool[w[1]].1.hist)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .and_then(|(w, _)| weakest(&mut w.iter().copied()))
        .unwrap_or(0)
}

/// Rejected frames rank below every accepted one but keep an order among themselves,
/// so an all-dark video still yields its least dark frames.
fn rank_key(m: &QuickMetrics) -> f32 {
    if m.rejection().is_some() {
        -1.0 + (m.brightness + m.sharpness) / 2.0
    } else {
        m.score()
    }
}

/// A clear, reasonably large face makes a thumbnail; tiny background faces count less.
fn face_score(faces: &[Face], frame: &RgbaFrame) -> f32 {
    let area = (frame.width * frame.height) as f32;
    faces
        .iter()
        .map(|f| f.score * ((f.width * f.height / area).sqrt() / 0.3).min(1.0))
        .fold(0.0, f32::max)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn every_shot_reaches_deep_analysis_before_the_best_scores_of_one_shot() {
        let cfg = SessionConfig {
            top: 2,
            deep_k: 2,
            min_gap_us: 0,
            ..Default::default()
        };
        let mut s = Session::new(cfg).unwrap();
        // A long, crisp grey shot, then a short, softer blue one.
        for i in 0..20 {
            s.push_frame(i * 1_000_000, textured(1, 200)).unwrap();
        }
        for i in 20..23 {
            s.push_frame(i * 1_000_000, tinted(&textured(2, 90), [0.3, 0.6, 1.0]))
                .unwrap();
        }
        let plan = s.plan_dense(&DenseConfig::default());
        assert!(plan.shots >= 2, "{plan:?}");
        let (c, report) = s.finish(None).unwrap();
        assert_eq!(report.shots_in_deep, plan.shots.min(2));
        let times: Vec<f64> = c.iter().map(|c| c.time).collect();
        assert!(times.iter().any(|&t| t >= 20.0), "{times:?}");
        assert!(times.iter().any(|&t| t < 20.0), "{times:?}");
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
