//! The deep stage: which pooled frames deep analysis sees (every shot's best first),
//! and the analysis itself (faces, emotion, layout, look) across the rayon pool.

use rayon::prelude::*;

use super::{DeepModels, PooledFrame, Session};
use crate::choosing::crops::EnergyMap;
use crate::error::{FramepickError, Result};
use crate::judging::aesthetics::{aesthetics, gradient_magnitude, Aesthetics};
use crate::judging::composition::{composition, energy_centroid, main_face, Composition};
use crate::judging::editability::{editable_region, EditableRegion};
use crate::judging::emotion::Emotion;
use crate::judging::faces::Face;
use crate::media::frame::RgbaFrame;
use crate::screening::quality::Rejection;

/// Everything deep analysis learns about one frame (analysis-frame pixels).
pub(super) struct Deep {
    pub(super) faces: Vec<Face>,
    pub(super) emotions: Vec<Option<Emotion>>,
    pub(super) composition: Composition,
    pub(super) editable: Option<EditableRegion>,
    pub(super) aesthetics: Aesthetics,
    /// Where the detail is, for the crops.
    pub(super) energy: EnergyMap,
    pub(super) warnings: Vec<String>,
}

impl Session {
    /// Narrow the pool to the frames deep analysis will see ([`Session::choose_deep_shots`]),
    /// and list every pooled frame with its verdict in the report.
    pub(super) fn choose_for_deep(&mut self) {
        let pooled: Vec<(i64, Option<Rejection>)> = self
            .kept
            .iter()
            .map(|k| (k.pts_us, k.rejection()))
            .collect();
        self.report.shots_in_deep = self.choose_deep_shots();
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
    }

    /// Deep analysis of every kept frame across the rayon pool, a slice at a time,
    /// calling `on_progress(done, total)` after each (returning `false` aborts).
    pub(super) fn analyse_kept(
        &mut self,
        models: DeepModels<'_>,
        on_progress: &mut dyn FnMut(usize, usize) -> bool,
    ) -> Result<Vec<Deep>> {
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
        Ok(deep)
    }

    /// The `deep_k` frames of the pool worth deep analysis, shared out among the shots:
    /// each shot gives its best frame (shots in the order of their best frame), then
    /// its next best at least [`DEEP_SPREAD_US`] from those it gave, round after round;
    /// what room is left goes to the best of the rest. Without this, a video whose
    /// scenery outscores its faces on quick metrics (crisp photos beside a webcam clip)
    /// would show the detector few of its faces. Returns how many shots are covered.
    pub(super) fn choose_deep_shots(&mut self) -> usize {
        let k = self.cfg.deep_k.max(self.cfg.top);
        let mut pool = std::mem::take(&mut self.kept);
        let any_accepted = pool.iter().any(|f| f.rejection().is_none());
        // Usable frames of each shot, best first (the pool is in rank order).
        let mut shots: Vec<(usize, Vec<usize>)> = Vec::new();
        for (i, f) in pool.iter().enumerate() {
            let usable = !any_accepted || f.rejection().is_none();
            if let Some(shot) = self.shot_of(f.pts_us).filter(|_| usable) {
                match shots.iter_mut().find(|(s, _)| *s == shot) {
                    Some((_, frames)) => frames.push(i),
                    None => shots.push((shot, vec![i])),
                }
            }
        }
        let covered = shots.len().min(k);
        let times: Vec<i64> = pool.iter().map(|f| f.pts_us).collect();
        let mut take: Vec<bool> = vec![false; pool.len()];
        let mut given: Vec<Vec<i64>> = vec![Vec::new(); shots.len()];
        let mut room = k;
        let mut progressed = true;
        while room > 0 && progressed {
            progressed = false;
            for ((_, frames), given) in shots.iter().zip(given.iter_mut()) {
                if room == 0 {
                    break;
                }
                let apart = |i: &usize| {
                    given
                        .iter()
                        .all(|&t| (times[*i] - t).abs() >= DEEP_SPREAD_US)
                };
                if let Some(&i) = frames.iter().find(|&i| !take[*i] && apart(i)) {
                    take[i] = true;
                    given.push(times[i]);
                    room -= 1;
                    progressed = true;
                }
            }
        }
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
}

/// Frames one shot gives deep analysis are at least this far apart, while it has such
/// frames: near moments of a shot show the detector the same faces.
pub const DEEP_SPREAD_US: i64 = 2_000_000;

/// Deep analysis of one frame: faces, emotion of each face, layout and look.
pub(super) fn analyse(frame: &RgbaFrame, models: DeepModels<'_>) -> Deep {
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
