//! One pick run in the core: sampled frames go in as they are decoded, the best few
//! are kept (memory stays bounded whatever the video length), and `finish` runs the
//! face detector on the survivors and returns ranked, spread-out candidates.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{FramepickError, Result};
use crate::faces::{Face, FaceDetector};
use crate::frame::RgbaFrame;
use crate::quality::{QuickMetrics, Rejection};
use crate::select::pick_diverse;

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
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            top: 10,
            deep_k: 24,
            batch: 16,
            output_width: 0,
            output_height: 0,
            min_gap_us: 1_000_000,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scores {
    pub quality: f32,
    pub faces: f32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// Presentation time in seconds.
    pub time: f64,
    pub pts_us: i64,
    /// 0–1, higher is better.
    pub score: f32,
    pub scores: Scores,
    pub quality: QuickMetrics,
    /// Faces in output-picture pixels.
    pub faces: Vec<Face>,
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
    pub frames_deep: usize,
    pub faces_found: usize,
    pub warnings: Vec<String>,
}

struct Kept {
    pts_us: i64,
    metrics: QuickMetrics,
    rank: f32,
    frame: RgbaFrame,
}

pub struct Session {
    cfg: SessionConfig,
    pending: Vec<(i64, RgbaFrame)>,
    kept: Vec<Kept>,
    report: CoreReport,
}

impl Session {
    pub fn new(cfg: SessionConfig) -> Result<Self> {
        if cfg.top == 0 {
            return Err(FramepickError::invalid("top must be at least 1"));
        }
        Ok(Self {
            cfg,
            pending: Vec::new(),
            kept: Vec::new(),
            report: CoreReport::default(),
        })
    }

    pub fn push_frame(&mut self, pts_us: i64, frame: RgbaFrame) {
        self.pending.push((pts_us, frame));
        if self.pending.len() >= self.cfg.batch.max(1) {
            self.flush();
        }
    }

    /// Quick metrics for the pending batch in parallel, then keep only the best `deep_k`.
    pub fn flush(&mut self) {
        let batch = std::mem::take(&mut self.pending);
        let measured: Vec<(i64, QuickMetrics, RgbaFrame)> = batch
            .into_par_iter()
            .map(|(pts, f)| (pts, QuickMetrics::of(&f), f))
            .collect();
        for (pts_us, metrics, frame) in measured {
            self.count(&metrics);
            self.kept.push(Kept {
                pts_us,
                metrics,
                rank: rank_key(&metrics),
                frame,
            });
        }
        self.kept.sort_by(|a, b| b.rank.total_cmp(&a.rank));
        self.kept.truncate(self.cfg.deep_k.max(self.cfg.top));
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
        }
    }

    pub fn frames_sampled(&self) -> usize {
        self.report.frames_sampled + self.pending.len()
    }

    /// Deep analysis on the survivors and the final ranking.
    pub fn finish(
        mut self,
        detector: Option<&FaceDetector>,
    ) -> Result<(Vec<Candidate>, CoreReport)> {
        self.flush();
        if self.kept.is_empty() {
            return Err(FramepickError::NoFrames);
        }
        if self.report.frames_rejected == self.report.frames_sampled {
            self.report.warnings.push(
                "every sampled frame failed the quick filter (dark, blown out, blurry or flat); \
                 returning the least bad ones"
                    .into(),
            );
        }
        let faces = self.detect_faces(detector);
        let scored: Vec<(i64, f32)> = self
            .kept
            .iter()
            .zip(&faces)
            .map(|(k, f)| (k.pts_us, final_score(k, f)))
            .collect();
        let picks = pick_diverse(&scored, self.cfg.top, self.cfg.min_gap_us);
        let candidates = picks
            .into_iter()
            .map(|i| self.candidate(&self.kept[i], &faces[i], scored[i].1))
            .collect();
        Ok((candidates, self.report))
    }

    fn detect_faces(&mut self, detector: Option<&FaceDetector>) -> Vec<Vec<Face>> {
        // Without a model the caller reports why; picks rest on the quick metrics.
        let Some(det) = detector else {
            return vec![Vec::new(); self.kept.len()];
        };
        self.report.frames_deep = self.kept.len();
        let frames: Vec<&RgbaFrame> = self.kept.iter().map(|k| &k.frame).collect();
        let results = det.detect_batch(&frames);
        let mut out = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok(f) => out.push(f),
                Err(e) => {
                    self.report
                        .warnings
                        .push(format!("face detection skipped a frame: {e}"));
                    out.push(Vec::new());
                }
            }
        }
        self.report.faces_found = out.iter().map(Vec::len).sum();
        out
    }

    fn candidate(&self, k: &Kept, faces: &[Face], score: f32) -> Candidate {
        let sx = scale(self.cfg.output_width, k.frame.width);
        let sy = scale(self.cfg.output_height, k.frame.height);
        Candidate {
            time: k.pts_us as f64 / 1e6,
            pts_us: k.pts_us,
            score,
            scores: Scores {
                quality: k.metrics.score(),
                faces: face_score(faces, &k.frame),
            },
            quality: k.metrics,
            faces: faces.iter().map(|f| scale_face(f, sx, sy)).collect(),
        }
    }
}

fn scale(output: u32, analysed: u32) -> f32 {
    if output == 0 {
        1.0
    } else {
        output as f32 / analysed as f32
    }
}

fn scale_face(f: &Face, sx: f32, sy: f32) -> Face {
    let mut landmarks = f.landmarks;
    for l in &mut landmarks {
        l[0] *= sx;
        l[1] *= sy;
    }
    Face {
        x: f.x * sx,
        y: f.y * sy,
        width: f.width * sx,
        height: f.height * sy,
        score: f.score,
        landmarks,
    }
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

fn final_score(k: &Kept, faces: &[Face]) -> f32 {
    let quality = k.rank.max(0.0);
    0.6 * quality + 0.4 * face_score(faces, &k.frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise_frame(seed: u32, level: u8) -> RgbaFrame {
        let mut s = seed.wrapping_mul(2654435761) | 1;
        let mut data = Vec::new();
        for _ in 0..(64 * 36) {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let v = (s % level as u32) as u8 + (255 - level) / 2;
            data.extend_from_slice(&[v, v, v, 255]);
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
                noise_frame(i, 200)
            };
            s.push_frame(i as i64 * 2_000_000, f);
            assert!(s.kept.len() <= 5 + 4);
        }
        let (c, report) = s.finish(None).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(report.frames_sampled, 40);
        assert_eq!(report.rejected_too_dark, 20);
        assert!(c.iter().all(|c| c.quality.rejection().is_none()));
        assert!(c.windows(2).all(|w| w[0].score >= w[1].score));
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
            s.push_frame(i * 1_000_000, RgbaFrame::filled(32, 32, [0, 0, 0, 255]));
        }
        let (c, report) = s.finish(None).unwrap();
        assert!(!c.is_empty());
        assert!(report.warnings.iter().any(|w| w.contains("quick filter")));
    }
}
