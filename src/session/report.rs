//! What a run gives back: the candidates with their scores, and the report.

use serde::Serialize;

use crate::choosing::crops::Crop;
use crate::choosing::profiles::Weights;
use crate::judging::aesthetics::Aesthetics;
use crate::judging::composition::Composition;
use crate::judging::editability::EditableRegion;
use crate::judging::emotion::Emotion;
use crate::judging::faces::Face;
use crate::screening::quality::{QuickMetrics, Rejection};

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
    /// The quick filter's verdict, else the comparison's ([`crate::screening::spoils`]); `None`: usable.
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

impl Scores {
    pub(super) fn as_array(&self) -> [f32; 6] {
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
