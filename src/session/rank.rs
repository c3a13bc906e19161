//! The ranking: score components, the niche's weighted score, the varied choice of
//! picks, and each pick as a candidate in output pixels with its crops and reasons.

use rayon::prelude::*;

use super::deep::Deep;
use super::pool::Kept;
use super::{Candidate, CandidateFace, CoreReport, DeepModels, Scores, Session, CLEAN_FACE};
use crate::choosing::crops::{self, Crop};
use crate::choosing::profiles::Weights;
use crate::choosing::select::{pick_diverse, Choice};
use crate::judging::composition::main_face;
use crate::judging::editability::ROOM_FOR_TITLE;
use crate::judging::emotion::Emotion;
use crate::judging::faces::Face;
use crate::media::frame::RgbaFrame;
use crate::screening::look::Look;
use crate::screening::quality::Rejection;
use crate::screening::spoils;

impl Session {
    /// Score the analysed frames with the niche's weights and choose the picks, varied
    /// across the video ([`pick_diverse`]).
    pub(super) fn rank(
        mut self,
        models: DeepModels<'_>,
        deep: &[Deep],
    ) -> (Vec<Candidate>, CoreReport) {
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
            .zip(deep)
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
                score: scored[i].1 * edge_factor(self.at_shot_edge(self.kept[i].pts_us)),
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
        (candidates, self.report)
    }

    pub(super) fn candidate(&self, k: &Kept, d: &Deep, scores: Scores, score: f32) -> Candidate {
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

    /// The crops of a candidate in output-picture pixels (the analysis frame's size
    /// when no output size was given).
    pub(super) fn crops_of(&self, k: &Kept, d: &Deep, faces: &[CandidateFace]) -> Vec<Crop> {
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

/// A frame at a shot's first or last sample ranks this much lower than its score says:
/// the first frames of a dissolve, or the last of a fade-in, still look like the shot.
pub const SHOT_EDGE_FACTOR: f32 = 0.85;

fn edge_factor(at_edge: bool) -> f32 {
    if at_edge {
        SHOT_EDGE_FACTOR
    } else {
        1.0
    }
}

pub(super) fn component_scores(k: &Kept, d: &Deep) -> Scores {
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
pub(super) fn final_score(k: &Kept, s: &Scores, w: &Weights, available: &[bool; 6]) -> f32 {
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
pub(super) fn explain(k: &Kept, d: &Deep, s: &Scores) -> Vec<String> {
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

pub(super) fn scale(output: u32, analysed: u32) -> f32 {
    if output == 0 {
        1.0
    } else {
        output as f32 / analysed as f32
    }
}

pub(super) fn scale_face(f: &Face, emotion: Option<Emotion>, sx: f32, sy: f32) -> CandidateFace {
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

/// A clear, reasonably large face makes a thumbnail; tiny background faces count less.
fn face_score(faces: &[Face], frame: &RgbaFrame) -> f32 {
    let area = (frame.width * frame.height) as f32;
    let (w, h) = (frame.width as f32, frame.height as f32);
    faces
        .iter()
        .map(|f| {
            let seen = if f.cut_by_frame(w, h) {
                CUT_FACE_WEIGHT
            } else {
                1.0
            };
            seen * f.score * ((f.width * f.height / area).sqrt() / 0.3).min(1.0)
        })
        .fold(0.0, f32::max)
}

/// What a face the frame cuts through (eyes showing, mouth outside) counts for against
/// a whole one: under [`CLEAN_FACE`] whatever its size, so it never makes a face pick
/// ahead of a frame showing a whole face, yet still ranks above no face at all.
pub const CUT_FACE_WEIGHT: f32 = 0.4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_face_is_never_a_clean_face_but_beats_no_face() {
        let frame = RgbaFrame::new(320, 180, vec![128; 320 * 180 * 4]).expect("frame");
        let whole = Face::square(120.0, 40.0, 90.0);
        let mut cut = whole;
        cut.y = 120.0; // mouth and nose below the frame
        for l in &mut cut.landmarks {
            l[1] += 80.0;
        }
        assert!(face_score(&[whole], &frame) >= CLEAN_FACE);
        let s = face_score(&[cut], &frame);
        assert!(s > 0.0 && s < CLEAN_FACE, "{s}");
        // A whole face beside it decides.
        assert!(face_score(&[cut, whole], &frame) >= CLEAN_FACE);
    }
}
