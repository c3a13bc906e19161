//! The screening stage of a run: frames come in (measured here in parallel, or on the
//! GPU), are counted, and the best of them are kept in a bounded pool; at the end the
//! pool's frames are compared with every frame seen ([`spoils`]).

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::{Session, POOL_FACTOR};
use crate::error::{FramepickError, Result};
use crate::media::detail::Fine;
use crate::media::frame::RgbaFrame;
use crate::screening::look::{Look, SAME_LOOK};
use crate::screening::quality::{ContentLuma, QuickMetrics, Rejection, Smear};
use crate::screening::scenes::SampleFeatures;
use crate::screening::spoils::{self, spoiled_by_comparison};

/// What the intake knows while frames come in (the screening stage's state).
#[derive(Default)]
pub(super) struct Intake {
    /// Frames waiting for the next parallel batch of quick metrics, with what the
    /// picture they were scaled from showed ([`Fine`]: detail and drag) where it was read.
    pub(super) pending: Vec<(i64, RgbaFrame, Fine)>,
    /// Frames measured on the GPU whose pixels are on their way.
    pub(super) awaiting: HashMap<i64, QuickMetrics>,
    /// Presentation times already analysed, so the dense pass skips them.
    pub(super) sampled: HashSet<i64>,
    /// Every frame analysed so far, as the spoil comparison needs it (small; no pixels).
    pub(super) seen: Vec<spoils::Sample>,
}

/// The texture measures of a frame that need more than its quick metrics: each where
/// the pixels it needs were at hand.
#[derive(Default, Clone, Copy)]
pub(super) struct Texture {
    /// [`crate::screening::quality::gradient_balance`] of the analysis frame.
    balance: Option<f32>,
    /// [`crate::screening::quality::Smear`] of the analysis frame, with the full-size
    /// picture's drag.
    smear: Option<Smear>,
    /// [`crate::media::detail`] of the full-size picture.
    detail: Option<f32>,
}

pub(super) struct Kept {
    pub(super) pts_us: i64,
    pub(super) metrics: QuickMetrics,
    pub(super) rank: f32,
    pub(super) hash: u64,
    pub(super) frame: RgbaFrame,
    /// Spoiled next to another frame of the same framing ([`spoils`]), judged at the end.
    pub(super) spoil: Option<Rejection>,
}

impl Kept {
    /// The quick filter's verdict, else the comparison's.
    pub(super) fn rejection(&self) -> Option<Rejection> {
        self.metrics.rejection().or(self.spoil)
    }
}

/// The other kept frames that show the same picture as frame `i` by their look.
fn look_twins(looks: &[Look], i: usize) -> impl Iterator<Item = usize> + '_ {
    (0..looks.len()).filter(move |&j| j != i && looks[i].distance(&looks[j]) <= SAME_LOOK)
}

impl Session {
    /// Hand over one analysis frame. Fails with `OUT_OF_MEMORY` when frames of this size
    /// would not fit the memory budget ([`super::SessionConfig::max_frame_bytes`]).
    pub fn push_frame(&mut self, pts_us: i64, frame: RgbaFrame) -> Result<()> {
        self.push_frame_with_detail(pts_us, frame, Fine::default())
    }

    /// [`Session::push_frame`] with what the full-size picture the frame was scaled
    /// from tells ([`crate::media::detail`]: its fine detail and its smear), which the
    /// spoil comparison uses to see blur the analysis size hides.
    pub fn push_frame_with_detail(
        &mut self,
        pts_us: i64,
        frame: RgbaFrame,
        detail: Fine,
    ) -> Result<()> {
        self.check_memory(&frame)?;
        if !self.intake.sampled.insert(pts_us) {
            return Ok(()); // the same frame twice adds nothing
        }
        self.intake.pending.push((pts_us, frame, detail));
        if self.intake.pending.len() >= self.cfg.batch.max(1) {
            self.flush();
        }
        Ok(())
    }

    /// The frames held once this one is in (kept, pending, awaiting pixels) must fit the
    /// budget: a run whose frames are too large fails with a typed error while wasm
    /// memory still has room, instead of an allocation failure that aborts the instance.
    pub(super) fn check_memory(&self, frame: &RgbaFrame) -> Result<()> {
        let held = self.kept.len() + self.intake.pending.len() + self.intake.awaiting.len() + 1;
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
        let batch = std::mem::take(&mut self.intake.pending);
        let measured: Vec<(i64, QuickMetrics, Texture, RgbaFrame)> = batch
            .into_par_iter()
            .map(|(pts, f, detail)| {
                let content = ContentLuma::of(&f);
                let metrics = QuickMetrics::of_rect(&f, content.rect);
                let (balance, smear) = content.texture();
                let texture = Texture {
                    balance: Some(balance),
                    smear: Some(smear.with_fine(detail.drag)),
                    detail: detail.detail,
                };
                (pts, metrics, texture, f)
            })
            .collect();
        for (pts_us, metrics, texture, frame) in measured {
            self.record(pts_us, &metrics, texture);
            self.keep(pts_us, metrics, frame);
        }
    }

    /// A frame measured elsewhere (the WebGPU path): its metrics count at once, and the
    /// answer says whether its pixels are worth reading back, i.e. whether it would
    /// enter the frames kept for deep analysis. If so, pass them to
    /// [`Session::attach_pixels`]; a frame whose pixels never come is simply not kept.
    pub fn push_measured(&mut self, pts_us: i64, metrics: QuickMetrics) -> bool {
        if !self.intake.sampled.insert(pts_us) {
            return false;
        }
        self.record(pts_us, &metrics, Texture::default());
        // Bars: the metrics are remeasured on the content once the pixels are here.
        let wanted = metrics.may_have_bars()
            || self.kept.len() + self.intake.awaiting.len() < self.pool_cap()
            || {
                let mut all: Vec<(i64, &QuickMetrics, f32)> = self.pool_entries();
                all.push((pts_us, &metrics, rank_key(&metrics)));
                evict_index(&all) != all.len() - 1
            };
        if wanted {
            self.intake.awaiting.insert(pts_us, metrics);
        }
        wanted
    }

    /// The analysis-size pixels of a frame [`Session::push_measured`] asked for.
    pub fn attach_pixels(&mut self, pts_us: i64, frame: RgbaFrame) -> Result<()> {
        self.check_memory(&frame)?;
        let measured = self.intake.awaiting.remove(&pts_us).ok_or_else(|| {
            FramepickError::invalid(format!("no measured frame at {pts_us} µs awaits pixels"))
        })?;
        let content = ContentLuma::of(&frame);
        let metrics = if measured.may_have_bars() {
            QuickMetrics::of_rect(&frame, content.rect)
        } else {
            measured
        };
        let (balance, smear) = content.texture();
        let sample = spoils::Sample::new(pts_us, &metrics, Some(balance)).with_smear(Some(smear));
        // (no fine detail: the GPU path never copies the full-size picture out)
        if let Some(i) = self.sample_index(pts_us) {
            self.intake.seen[i] = sample;
        }
        self.keep(pts_us, metrics, frame);
        Ok(())
    }

    /// Count a measured frame in the report; coarse samples also keep their shot features.
    pub(super) fn record(&mut self, pts_us: i64, metrics: &QuickMetrics, texture: Texture) {
        self.count(metrics);
        self.intake.seen.push(
            spoils::Sample::new(pts_us, metrics, texture.balance)
                .with_smear(texture.smear)
                .with_detail(texture.detail),
        );
        if self.timeline.dense {
            self.report.frames_dense += 1;
        } else {
            self.report.frames_coarse += 1;
            self.timeline
                .features
                .push(SampleFeatures::new(pts_us, metrics));
        }
    }

    /// Frames the pool holds at most ([`POOL_FACTOR`]).
    pub(super) fn pool_cap(&self) -> usize {
        self.cfg.deep_k.max(self.cfg.top) * POOL_FACTOR
    }

    pub(super) fn pool_entries(&self) -> Vec<(i64, &QuickMetrics, f32)> {
        self.kept
            .iter()
            .map(|k| (k.pts_us, &k.metrics, k.rank))
            .collect()
    }

    /// Add a frame to the pool; when it is full, the frame that adds least goes
    /// ([`evict_index`]), so every part of the video that looks different keeps some.
    pub(super) fn keep(&mut self, pts_us: i64, metrics: QuickMetrics, frame: RgbaFrame) {
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
    pub(super) fn sample_index(&self, pts_us: i64) -> Option<usize> {
        self.intake.seen.iter().rposition(|s| s.pts_us == pts_us)
    }

    /// What the spoil comparison knows of the frame at `pts_us`.
    pub(super) fn sample_of(&self, pts_us: i64) -> Option<&spoils::Sample> {
        self.sample_index(pts_us).map(|i| &self.intake.seen[i])
    }

    /// Mark the pool's frames that are spoiled next to another frame of their framing
    /// (any frame analysed, not only the pool's), and count them.
    pub(super) fn judge_by_comparison(&mut self) {
        let spells = spoils::Spells::of(&self.intake.seen);
        let verdicts: Vec<Option<Rejection>> = self
            .kept
            .par_iter()
            .map(|k| {
                if k.metrics.rejection().is_some() {
                    return None;
                }
                let i = self.sample_index(k.pts_us)?;
                spoiled_by_comparison(&self.intake.seen[i], &self.intake.seen)
                    .or_else(|| spells.verdict(&self.intake.seen, i))
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
                        look_twins(&looks, i)
                            .filter(|&j| self.kept[j].spoil.is_none())
                            .map(|j| (self.kept[j].pts_us, &self.kept[j].metrics)),
                    )
            })
            .collect();
        self.spoil_where(dark_twins, Rejection::TooDark);
        // After every other verdict: a spoiled view (a dark copy, with its sensor noise)
        // is no reference for a smear.
        let dragged = self.dragged_next_to_twins(&looks);
        self.spoil_where(dragged, Rejection::Blurry);
        // Last: only a view that passed every other verdict is a reference.
        let soft = self.softer_than_twins(&looks);
        self.spoil_where(soft, Rejection::Blurry);
        self.report.rejected_by_comparison = self.kept.iter().filter(|k| k.spoil.is_some()).count();
    }

    /// Spoil the kept frames marked in `which` as `r`.
    fn spoil_where(&mut self, which: Vec<bool>, r: Rejection) {
        for (k, _) in self.kept.iter_mut().zip(which).filter(|(_, w)| *w) {
            k.spoil = Some(r);
        }
    }

    /// Per kept frame: smeared along x next to a clean, unsmeared frame of the same look
    /// ([`spoils::dragged_twin`]).
    fn dragged_next_to_twins(&self, looks: &[Look]) -> Vec<bool> {
        let smears: Vec<Option<Smear>> = self
            .kept
            .iter()
            .map(|k| self.sample_of(k.pts_us).and_then(|s| s.smear))
            .collect();
        let usable = |j: usize| self.kept[j].rejection().is_none();
        (0..self.kept.len())
            .map(|i| {
                usable(i)
                    && spoils::dragged_twin(
                        smears[i],
                        look_twins(looks, i)
                            .filter(|&j| usable(j))
                            .filter_map(|j| smears[j]),
                    )
            })
            .collect()
    }

    /// Per kept frame: far softer than a clean frame of the same look
    /// ([`spoils::softer_than_twin`]).
    ///
    /// A frame no sharper than a look twin found so is soft too: the frames of a spell
    /// cut in blurred are one another's twins, while its clean views may be twins of
    /// only some of them.
    fn softer_than_twins(&self, looks: &[Look]) -> Vec<bool> {
        let n = self.kept.len();
        let usable = |j: usize| self.kept[j].rejection().is_none();
        let sharpness = |j: usize| self.kept[j].metrics.sharpness;
        let soft: Vec<bool> = (0..n)
            .map(|i| {
                usable(i)
                    && spoils::softer_than_twin(
                        sharpness(i),
                        look_twins(looks, i).filter(|&j| usable(j)).map(sharpness),
                    )
            })
            .collect();
        (0..n)
            .map(|i| {
                soft[i]
                    || (usable(i)
                        && look_twins(looks, i).any(|j| soft[j] && sharpness(i) <= sharpness(j)))
            })
            .collect()
    }

    /// The frames that may still be picked, likeliest first: those not ranked yet
    /// (pending, awaiting pixels), then the kept ones best rank first. A frame missing
    /// here has been let go and cannot be a pick (unless no frame is kept at all).
    pub fn standing(&self) -> Vec<i64> {
        let unranked = self.intake.pending.iter().map(|(t, _, _)| *t);
        let ranked = self.kept.iter().map(|k| k.pts_us);
        unranked
            .chain(self.intake.awaiting.keys().copied())
            .chain(ranked)
            .collect()
    }

    /// Presentation times analysed so far (the dense pass skips them).
    pub fn sampled_pts(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self.intake.sampled.iter().copied().collect();
        v.sort_unstable();
        v
    }

    pub(super) fn count(&mut self, m: &QuickMetrics) {
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
        self.report.frames_sampled + self.intake.pending.len()
    }
}

/// Which pool entry `(pts, metrics, rank)` to drop when the pool is over its size: a
/// frame the quick filter rejected while any frame passed, the worst first; else the
/// weaker of the two frames next to each other in time that look most alike (colour
/// histograms of their content), so long still shots thin out first and every part
/// of the video that looks different keeps its best frames.
pub(super) fn evict_index(pool: &[(i64, &QuickMetrics, f32)]) -> usize {
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
pub(super) fn rank_key(m: &QuickMetrics) -> f32 {
    if m.rejection().is_some() {
        -1.0 + (m.brightness + m.sharpness) / 2.0
    } else {
        m.score()
    }
}
