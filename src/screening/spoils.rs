//! Spoiled frames told by comparison. A fixed limit cannot tell a dim evening shot
//! from an underexposed one, gravel from grain, or bricks from a horizontal smear: the
//! evaluation set's clean frames and its mild spoils overlap on every quick metric
//! (docs/quick-filter.md). What does tell them apart is another frame of the same
//! framing: a frame much blurrier, grainier, darker or more blown out than a frame that
//! shows the same picture is spoiled, whatever its absolute numbers.
//!
//! "The same framing" is judged on the 8×8 cell means of the content: the rank
//! correlation of their lumas (Spearman): exposure, grain and blur barely move
//! them, another picture or another framing does. Frames within
//! [`SHIFT_WINDOW_US`] of each other may also match on the 16×16 grid of log lumas
//! shifted by up to [`MAX_SHIFT`] cells, so the spoiled spell of a panning shot finds
//! the clean frames of the pan. A frame smeared by horizontal motion
//! ([`crate::screening::quality::smear`]) is spoiled without any reference: a fast pan is another
//! framing than the shots around it.

use crate::screening::quality::{
    Pearson, QuickMetrics, Rejection, Smear, FINE_GRID, GRID, WASHED_OUT_MAX_DARK,
};

const CELLS: usize = GRID * GRID;

/// Rank correlation of the cell lumas from which two frames show the same framing.
pub const SAME_FRAMING: f32 = 0.9;
/// The same, for a frame blown out next to its reference: clipping ties many cells
/// at white, which lowers the rank correlation of the same framing to about 0.8.
pub const SAME_FRAMING_CLIPPED: f32 = 0.7;
// The limits below were fitted on the evaluation set's tuning half (bench/eval,
// `examples/frame_metrics.rs`): clean frames next to a clean frame of the same framing
// differ by ±1 % on each measure; with the quick filter's own rules these limits reject
// 10 % of clean frames (dim space photos, grass, product shots on white) and 76 % of
// grainy, 72 % of dark, 80 % of blown-out, 50 % of box-blurred and 25 % of
// motion-blurred ones at 320 px.

/// Blurry: mean gradient under this share of the reference's (and not from grain).
pub const BLUR_RATIO: f32 = 0.8;
/// Blurry at the picture's own size: fine detail ([`crate::media::detail`]) under this
/// share of the reference's (and not from grain).
pub const FINE_BLUR_RATIO: f32 = 0.8;
/// Washed out ([`washed_out`]): contrast grown by under this share of the brightness.
pub const WASHED_RATIO: f32 = 0.7;
/// One frame a gain copy of the other ([`gain_alike`]): contrast over brightness ratio
/// within this factor of 1.
pub const GAIN_ALIKE: f32 = 0.85;
/// Two frames whose brightness differ by less than this factor are exposed alike.
pub const EXPOSURE_ALIKE: f32 = 1.3;
/// Smeared along one direction: gradient balance under this share of the reference's.
pub const BALANCE_RATIO: f32 = 0.7;
/// Grainy: noise σ over `NOISE_RATIO` × the reference's + `NOISE_MARGIN`.
pub const NOISE_RATIO: f32 = 1.6;
pub const NOISE_MARGIN: f32 = 1.2;
/// ... and over this σ (0–255 luma at the analysis size): under it grain does not show,
/// and a blurred, dark or blown-out copy (which has lost the sensor noise) must not make
/// the clean frame look "grainy" next to it (clean frames of the tuning half: 0.2–1.9;
/// mild grain 2.6–3.5).
pub const NOISE_FLOOR: f32 = 2.0;
/// Too dark: brightness under this share of the reference's.
pub const DARK_RATIO: f32 = 0.65;
/// Blown out: this much more of the picture clipped to white than the reference, and
/// brighter by [`BLOWN_RATIO`].
pub const BLOWN_MARGIN: f32 = 0.1;
pub const BLOWN_RATIO: f32 = 1.1;
/// ... and at least this much of the picture clipped: a clean frame with bright
/// highlights clips 10–15 % of it, a blown-out one (evaluation set: 30–70 % of the photo
/// pushed to white) more; a blurred copy of a clean frame clips less than it (the blur
/// spreads the highlights), which must not make the clean frame "blown out".
pub const BLOWN_MIN_CLIPPED: f32 = 0.2;
/// Too dark: only a frame at most this bright (mean luma, 0–1). Brightness twice as low
/// as a reference's says only that one of the two is wrong; a frame at mid-grey is not
/// the underexposed one (the reference may be blown out with few pixels clipped).
pub const DARK_MAX_BRIGHTNESS: f32 = 0.35;
/// A reference with this much more of the picture clipped to white than the frame may
/// be blown out itself, and settles nothing about the frame being too dark (a clean
/// frame with bright highlights clips 10–15 % of its pixels).
pub const BLOWN_REF_MARGIN: f32 = 0.25;

/// How far (in cells of the 16×16 grid, each way) a pan or zoom may have moved the
/// picture between two frames compared by [`Sample::shifted_correlation`]: 2 cells,
/// 12.5 % of the side.
pub const MAX_SHIFT: i32 = 2;
/// Frames further apart in time than this are compared unshifted only: a spoiled spell
/// sits next to the clean part of its shot, and the shifted comparison costs 25
/// correlations a pair.
pub const SHIFT_WINDOW_US: i64 = 30_000_000;

/// What the comparison needs of one analysed frame (small; kept for every sample).
#[derive(Debug, Clone)]
pub struct Sample {
    pub pts_us: i64,
    layout: [f32; CELLS],
    /// ln(8 + cell luma) of the 16×16 grid: a change of exposure (a gain) only adds a
    /// constant, which the correlation ignores.
    fine: [f32; FINE_GRID * FINE_GRID],
    /// Brightness, contrast, clipping and deep tones, as the exposure rules read them.
    exposure: Exposure,
    gradient: f32,
    noise: f32,
    /// [`crate::screening::quality::gradient_balance`], where the pixels were at hand.
    pub balance: Option<f32>,
    /// [`crate::screening::quality::smear`] and [`crate::screening::quality::drag`],
    /// where the pixels were at hand.
    pub smear: Option<Smear>,
    /// [`crate::media::detail`] of the full-size picture, where it was copied out.
    pub detail: Option<f32>,
    rejected: bool,
}

impl Sample {
    pub fn new(pts_us: i64, m: &QuickMetrics, balance: Option<f32>) -> Self {
        let mut luma = [0.0f32; CELLS];
        for (o, [r, g, b]) in luma.iter_mut().zip(m.thumb) {
            *o = 0.299 * r + 0.587 * g + 0.114 * b;
        }
        // Ranks, not values (Spearman): exposure changes and clipping are monotonic,
        // so they keep the order of the cells even where they squash their values.
        let mut layout = [0.0f32; CELLS];
        for (i, o) in layout.iter_mut().enumerate() {
            let below = luma.iter().filter(|&&v| v < luma[i] - 0.5).count();
            let tied = luma.iter().filter(|&&v| (v - luma[i]).abs() <= 0.5).count();
            *o = below as f32 + (tied as f32 - 1.0) / 2.0;
        }
        let mean = layout.iter().sum::<f32>() / CELLS as f32;
        let var = layout.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / CELLS as f32;
        let sd = var.sqrt().max(1e-3);
        for v in &mut layout {
            *v = (*v - mean) / sd;
        }
        Self {
            pts_us,
            layout,
            fine: m.grid.map(|v| (8.0 + v).ln()),
            exposure: Exposure::of(m),
            gradient: m.gradient,
            noise: m.noise,
            balance,
            smear: None,
            detail: None,
            rejected: m.rejection().is_some(),
        }
    }

    /// With the frame's [`crate::screening::quality::smear`] (needs its pixels).
    pub fn with_smear(mut self, smear: Option<Smear>) -> Self {
        self.smear = smear;
        self
    }

    /// With the fine detail of the full-size picture ([`crate::media::detail`]).
    pub fn with_detail(mut self, detail: Option<f32>) -> Self {
        self.detail = detail;
        self
    }

    /// Smeared by horizontal motion, whatever the other frames show.
    pub fn smeared(&self) -> bool {
        self.smear.is_some_and(|s| s.smeared())
    }

    /// Rank correlation of the cell lumas, −1 to 1; a flat frame (black, a plain
    /// colour) has no layout and correlates with nothing (0).
    pub fn framing_correlation(&self, other: &Sample) -> f32 {
        let flat = |s: &Sample| s.layout.iter().all(|v| v.abs() < 1e-2);
        if flat(self) || flat(other) {
            return 0.0;
        }
        self.layout
            .iter()
            .zip(&other.layout)
            .map(|(a, b)| a * b)
            .sum::<f32>()
            / CELLS as f32
    }

    /// The best Pearson correlation of the 16×16 log-luma grids over shifts of up to
    /// [`MAX_SHIFT`] cells each way (on the cells the two grids share): one picture under
    /// a pan or a slow zoom, whatever its exposure, grain or blur. 0 for a flat frame.
    pub fn shifted_correlation(&self, other: &Sample) -> f32 {
        const N: i32 = FINE_GRID as i32;
        let (a, b) = (&self.fine, &other.fine);
        let mut best = 0.0f32;
        for dy in -MAX_SHIFT..=MAX_SHIFT {
            for dx in -MAX_SHIFT..=MAX_SHIFT {
                let mut r = Pearson::default();
                let ys = dy.max(0)..(N + dy.min(0));
                let xs = dx.max(0)..(N + dx.min(0));
                for y in ys {
                    let (ra, rb) = ((y * N) as usize, ((y - dy) * N) as usize);
                    for x in xs.clone() {
                        r.add(a[ra + x as usize], b[rb + (x - dx) as usize]);
                    }
                }
                if let Some(c) = r.correlation(1e-4) {
                    best = best.max(c);
                }
            }
        }
        best
    }

    /// How surely `other` shows this frame's picture, −1 to 1: the rank correlation of
    /// the 8×8 cells, or where that says no, the shifted correlation of the 16×16 grid
    /// for frames within [`SHIFT_WINDOW_US`] of each other.
    fn framing(&self, other: &Sample) -> f32 {
        let c = self.framing_correlation(other);
        if c >= SAME_FRAMING || (self.pts_us - other.pts_us).abs() > SHIFT_WINDOW_US {
            c
        } else {
            c.max(self.shifted_correlation(other))
        }
    }

    /// The next sample of one spell ([`Spells`]): close in time, the same framing, the
    /// same verdicts on its own, and neither worse than the other.
    fn same_spell(&self, next: &Sample) -> bool {
        if (next.pts_us - self.pts_us).abs() > SPELL_GAP_US
            || self.rejected != next.rejected
            || self.smeared() != next.smeared()
        {
            return false;
        }
        let framing = self.framing(next);
        framing >= SAME_FRAMING
            && self.worse_than(next, framing).is_none()
            && next.worse_than(self, framing).is_none()
    }

    /// Softer than `r`: a lower mean gradient, and where the two differ in exposure
    /// (a gain scales the gradient too), a lower gradient per unit of contrast as well,
    /// so a brightened copy does not make the original look blurry.
    ///
    /// Where both full-size pictures were measured ([`crate::media::detail`]), their fine
    /// detail is compared the same way under [`FINE_BLUR_RATIO`]: a blur of a few
    /// pixels shows there long before it moves the analysis frame's gradient.
    fn blurrier_than(&self, r: &Sample) -> bool {
        let (lo, hi) = (
            self.exposure.brightness.min(r.exposure.brightness),
            self.exposure.brightness.max(r.exposure.brightness),
        );
        let alike = hi <= EXPOSURE_ALIKE * lo;
        let softer = |a: f32, b: f32, ratio: f32| {
            let per_contrast = |v: f32, s: &Sample| v / s.exposure.contrast.max(1e-3);
            a < ratio * b && (alike || per_contrast(a, self) < ratio * per_contrast(b, r))
        };
        let fine = match (self.detail, r.detail) {
            (Some(a), Some(b)) => softer(a, b, FINE_BLUR_RATIO),
            _ => false,
        };
        fine || softer(self.gradient, r.gradient, BLUR_RATIO)
    }

    /// Blown out next to `r`, unless `r` is a dim gain copy of this frame (then `r` is
    /// the underexposed one, [`darker_than`]).
    fn blown_next_to(&self, r: &Sample) -> bool {
        let (e, re) = (self.exposure, r.exposure);
        e.clipped > re.clipped + BLOWN_MARGIN
            && e.clipped >= BLOWN_MIN_CLIPPED
            && e.brightness > BLOWN_RATIO * re.brightness
            && !(gain_alike(re, e) && darker_than(re, e))
    }

    /// How this frame is spoiled next to `reference`, a frame whose [`Sample::framing`]
    /// with this one is `framing`.
    fn worse_than(&self, reference: &Sample, framing: f32) -> Option<Rejection> {
        let r = reference;
        if framing < SAME_FRAMING_CLIPPED {
            return None;
        }
        if framing < SAME_FRAMING {
            return self.blown_next_to(r).then_some(Rejection::BlownOut);
        }
        let grainier = |a: &Sample, b: &Sample| {
            a.noise > NOISE_FLOOR && a.noise > NOISE_RATIO * b.noise + NOISE_MARGIN
        };
        let grainy_ref = grainier(r, self);
        if grainier(self, r) {
            Some(Rejection::Noisy)
        } else if darker_than(self.exposure, r.exposure) {
            Some(Rejection::TooDark)
        } else if self.blown_next_to(r) || washed_out(self.exposure, r.exposure) {
            Some(Rejection::BlownOut)
        } else if !grainy_ref && self.blurrier_than(r) {
            Some(Rejection::Blurry)
        } else if let (Some(a), Some(b)) = (self.balance, r.balance) {
            (!grainy_ref && a < BALANCE_RATIO * b).then_some(Rejection::Blurry)
        } else {
            None
        }
    }
}

/// How `frame` is spoiled next to any frame of `others` that shows the same framing
/// and passed the quick filter; `None` when no such frame shows it worse. A reference
/// that is itself worse than `frame` on another count (a blurred copy makes the clean
/// one look grainy, a dark copy makes it look blown out) settles nothing.
pub fn spoiled_by_comparison(frame: &Sample, others: &[Sample]) -> Option<Rejection> {
    if frame.smeared() {
        return Some(Rejection::Blurry);
    }
    others
        .iter()
        .filter(|o| o.pts_us != frame.pts_us && !o.rejected && !o.smeared())
        .filter_map(|o| {
            let framing = frame.framing(o);
            frame
                .worse_than(o, framing)
                .filter(|_| o.worse_than(frame, framing).is_none())
        })
        .next()
}

/// Samples further apart than this are never one spell ([`Spells`]).
pub const SPELL_GAP_US: i64 = 3_000_000;

/// Spells: runs of samples, in time order, each showing the same framing as the one
/// before at the same quality (neither `Sample::worse_than` the other). An
/// underexposed or blown-out spell of a pan is spoiled as a whole, yet only its ends
/// are close enough to the clean part of the shot for the cell comparison to see the
/// pan's picture again; a frame in its middle takes the spell's verdict
/// ([`Spells::verdict`]).
pub struct Spells {
    /// Sample indices in time order (one per presentation time).
    order: Vec<usize>,
    /// For each sample index, its spell's `(first, last)` positions in `order`.
    spell: Vec<Option<(usize, usize)>>,
}

impl Spells {
    pub fn of(samples: &[Sample]) -> Self {
        let mut order: Vec<usize> = (0..samples.len()).collect();
        // The last sample of a time wins (pixels attached later replace a measurement).
        order.sort_by_key(|&i| (samples[i].pts_us, std::cmp::Reverse(i)));
        order.dedup_by_key(|&mut i| samples[i].pts_us);
        let mut spell = vec![None; samples.len()];
        let mut first = 0;
        for pos in 0..order.len() {
            let last =
                pos + 1 == order.len() || !samples[order[pos]].same_spell(&samples[order[pos + 1]]);
            if last {
                for &i in &order[first..=pos] {
                    spell[i] = Some((first, pos));
                }
                first = pos + 1;
            }
        }
        Self { order, spell }
    }

    /// How the spell holding sample `i` is spoiled: [`spoiled_by_comparison`] of its
    /// first and its last sample, where that says too dark or blown out. Exposure is
    /// what a spell keeps from end to end; blur and grain verdicts stay with the
    /// frame they were made on (a zoom softens its frames one by one, and next to a
    /// blurred copy fine texture may read as grain).
    pub fn verdict(&self, samples: &[Sample], i: usize) -> Option<Rejection> {
        let (first, last) = self.spell.get(i).copied().flatten()?;
        [first, last].iter().find_map(|&pos| {
            spoiled_by_comparison(&samples[self.order[pos]], samples)
                .filter(|r| matches!(r, Rejection::TooDark | Rejection::BlownOut))
        })
    }
}

/// Underexposed next to a reference showing the same picture.
fn darker_than(e: Exposure, r: Exposure) -> bool {
    e.brightness < DARK_RATIO * r.brightness
        && e.brightness <= DARK_MAX_BRIGHTNESS
        && (r.clipped <= e.clipped + BLOWN_REF_MARGIN || gain_alike(e, r))
        && !washed_out(r, e)
}

/// Brightness and contrast differ by about the same factor (within [`GAIN_ALIKE`]): one
/// frame is the other under a gain. Then a reference that clips much of the picture is
/// clipped in its content (a product on white), not blown out: the gain copy of it is
/// the underexposed one.
fn gain_alike(e: Exposure, r: Exposure) -> bool {
    let brighter = e.brightness / r.brightness.max(1e-3);
    let contrast = e.contrast / r.contrast.max(1e-3);
    let q = contrast / brighter.max(1e-3);
    (GAIN_ALIKE..=1.0 / GAIN_ALIKE).contains(&q)
}

/// What the exposure comparisons read of a frame.
#[derive(Debug, Clone, Copy)]
struct Exposure {
    brightness: f32,
    contrast: f32,
    clipped: f32,
    deep: f32,
}

impl Exposure {
    fn of(m: &QuickMetrics) -> Self {
        Self {
            brightness: m.brightness,
            contrast: m.contrast,
            clipped: m.clipped_highlights,
            deep: m.dark_tones(),
        }
    }
}

/// Washed out next to a darker frame of the same picture: brighter by more than
/// 1 / [`DARK_RATIO`], but its contrast grew by less than [`WASHED_RATIO`] of that. A
/// gain (under- or overexposure) scales brightness and contrast alike; lifted blacks or
/// highlights squashed at white raise the brightness alone. So of a dim photo and its
/// brightened copy the copy is the spoiled one, not the photo "too dark". Lifted
/// blacks leave no deep tones ([`WASHED_OUT_MAX_DARK`]); without that condition a
/// clean frame next to a copy darkened by an offset (blacks crushed, the same
/// brightness-over-contrast shape turned round) would be the "washed out" one.
fn washed_out(e: Exposure, r: Exposure) -> bool {
    let brighter = e.brightness / r.brightness.max(1e-3);
    brighter * DARK_RATIO > 1.0
        && e.contrast / r.contrast.max(1e-3) < WASHED_RATIO * brighter
        && e.deep < WASHED_OUT_MAX_DARK
}

/// Frames further apart than this are not compared as look twins
/// ([`underexposed_twin`]): an underexposed spell sits next to the clean part of its
/// shot, while a scene seen again much later may rightly be lit otherwise.
pub const TWIN_WINDOW_US: i64 = 10_000_000;

/// Underexposed next to a brighter frame showing the same picture by its look (colours
/// after an exposure gain, [`crate::screening::look::Look`]) within [`TWIN_WINDOW_US`]. This finds
/// the dark spell of a pan whose clean frames have moved too far for the cell
/// comparison of [`spoiled_by_comparison`]; only exposure is judged this way, since
/// another framing of one photo (a zoomed detail) may rightly be softer.
/// `twins` yields `(pts_us, metrics)` of the frames the look calls the same picture.
pub fn underexposed_twin<'a>(
    pts_us: i64,
    m: &QuickMetrics,
    twins: impl IntoIterator<Item = (i64, &'a QuickMetrics)>,
) -> bool {
    twins.into_iter().any(|(t, r)| {
        (t - pts_us).abs() <= TWIN_WINDOW_US
            && r.rejection().is_none()
            && darker_than(Exposure::of(m), Exposure::of(r))
    })
}

/// Smeared along x next to a frame showing the same picture by its look that is not
/// ([`crate::screening::quality::Smear::dragged`]), anywhere in the video: unlike
/// softness, which another framing of one photo (a zoomed detail) may rightly have, a
/// smear along one direction is no property of the picture, so any clean view of it
/// is a reference. `twins` yields the [`Smear`] of the frames the look calls the same
/// picture.
pub fn dragged_twin(smear: Option<Smear>, twins: impl IntoIterator<Item = Smear>) -> bool {
    smear.is_some_and(|s| s.dragged()) && twins.into_iter().any(|t| !t.dragged() && !t.smeared())
}

/// [`softer_than_twin`]: the Laplacian variance (the quick filter's sharpness, undone)
/// under this share of a look twin's. Fitted on the evaluation set's tuning half (bench/eval,
/// 2 fps, 320 px, frames no other verdict rejects): the first round value under every clean
/// frame's ratio to its sharpest clean twin (lowest 0.118: a zoomed detail of a text page
/// and a clip's far framing); box-blurred (medium and strong), darkened and blurred frames
/// read 0.06–0.1.
pub const SOFT_TWIN_RATIO: f32 = 0.1;

/// Far softer than a frame that shows the same picture by its look, in any framing,
/// anywhere in the video: a strong box blur, or an underexposure whose gain took the fine
/// contrast. Another framing may rightly be softer (a zoomed detail, half again as soft,
/// or up to eight times for a page of text), so the margin is wide, for the frames that
/// have no twin of their own framing ([`spoiled_by_comparison`]): a blurred spell cut in
/// whole. `twins` yields the look twins' sharpness.
pub fn softer_than_twin(sharpness: f32, twins: impl IntoIterator<Item = f32>) -> bool {
    let detail = |s: f32| s / (1.0 - s).max(1e-6);
    twins
        .into_iter()
        .any(|t| detail(sharpness) < SOFT_TWIN_RATIO * detail(t))
}

/// Whether two frames show the same framing of the same picture (spoiled or not).
pub fn same_framing(a: &Sample, b: &Sample) -> bool {
    a.framing_correlation(b) >= SAME_FRAMING
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::frame::RgbaFrame;

    /// A picture with structure: diagonal ramp plus blocks, times `gain`, plus `grain`.
    fn picture(gain: f32, grain: f32, blur: usize) -> RgbaFrame {
        let (w, h) = (160usize, 90usize);
        let mut luma = vec![0.0f32; w * h];
        let mut seed = 7u32;
        for y in 0..h {
            for x in 0..w {
                let block = if (x / 20 + y / 15) % 3 == 0 {
                    80.0
                } else {
                    0.0
                };
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let n = ((seed >> 16) as f32 / 32_768.0 - 1.0) * grain;
                luma[y * w + x] = (40.0 + (x + y) as f32 * 0.6 + block) * gain + n;
            }
        }
        if blur > 0 {
            let src = luma.clone();
            for y in 0..h {
                for x in 0..w {
                    let (a, b) = (x.saturating_sub(blur), (x + blur).min(w - 1));
                    luma[y * w + x] =
                        src[y * w + a..=y * w + b].iter().sum::<f32>() / (b - a + 1) as f32;
                }
            }
        }
        let data = luma
            .iter()
            .flat_map(|&v| {
                let v = v.clamp(0.0, 255.0) as u8;
                [v, v, v, 255]
            })
            .collect();
        RgbaFrame::new(w as u32, h as u32, data).unwrap()
    }

    fn sample(pts: i64, f: &RgbaFrame) -> Sample {
        Sample::new(
            pts,
            &QuickMetrics::of(f),
            Some(crate::screening::quality::gradient_balance(f)),
        )
    }

    #[test]
    fn worse_copies_of_a_framing_are_spoiled_the_clean_one_is_not() {
        let clean = sample(0, &picture(1.0, 0.0, 0));
        let others = [
            sample(1, &picture(0.45, 0.0, 0)),
            sample(2, &picture(1.0, 60.0, 0)),
            sample(3, &picture(1.0, 0.0, 6)),
            sample(4, &picture(2.2, 0.0, 0)),
        ];
        let mut all = others.to_vec();
        all.push(clean.clone());
        assert_eq!(spoiled_by_comparison(&clean, &all), None);
        let verdicts: Vec<_> = others
            .iter()
            .map(|o| spoiled_by_comparison(o, &all))
            .collect();
        assert_eq!(
            verdicts,
            [
                Some(Rejection::TooDark),
                Some(Rejection::Noisy),
                Some(Rejection::Blurry),
                Some(Rejection::BlownOut)
            ]
        );
    }

    #[test]
    fn a_blurred_copy_is_spoiled_next_to_a_clean_frame_with_a_little_sensor_noise() {
        // The blur wipes out the sensor noise (σ ≈ 2 at 320 px): the clean frame is not
        // "grainier" than the blurred one, it is the sharper reference.
        let clean = sample(0, &picture(1.0, 2.5, 0));
        let blurred = sample(1, &picture(1.0, 2.5, 5));
        let all = [clean.clone(), blurred.clone()];
        assert_eq!(spoiled_by_comparison(&clean, &all), None);
        assert_eq!(
            spoiled_by_comparison(&blurred, &all),
            Some(Rejection::Blurry)
        );
    }

    #[test]
    fn a_blur_only_the_full_size_picture_shows_is_told_by_its_fine_detail() {
        // The same analysis frame (a blur of 2 px at 1280 is gone at 320 px), the
        // full-size picture's detail at 0.6 of the clean one's.
        let f = picture(1.0, 0.0, 0);
        let clean = sample(0, &f).with_detail(Some(10.0));
        let soft = sample(1, &f).with_detail(Some(6.0));
        let all = [clean.clone(), soft.clone()];
        assert_eq!(spoiled_by_comparison(&clean, &all), None);
        assert_eq!(spoiled_by_comparison(&soft, &all), Some(Rejection::Blurry));
        // Within what a pan or zoom changes, or unmeasured on either side: no verdict.
        let near = sample(1, &f).with_detail(Some(8.5));
        assert_eq!(
            spoiled_by_comparison(&near, &[clean.clone(), near.clone()]),
            None
        );
        let unmeasured = sample(0, &f);
        assert_eq!(
            spoiled_by_comparison(&soft, &[unmeasured, soft.clone()]),
            None
        );
        // A darker copy's steps shrink with its gain: only less detail per unit of
        // contrast makes it blurry.
        let dark = sample(2, &picture(0.45, 0.0, 0)).with_detail(Some(4.5));
        assert_ne!(
            spoiled_by_comparison(&dark, &[clean.clone(), dark.clone()]),
            Some(Rejection::Blurry)
        );
    }

    /// `f` with every channel mapped to `v × a + b`, clipped.
    fn exposed(f: &RgbaFrame, a: f32, b: f32) -> RgbaFrame {
        let data = f
            .data
            .chunks_exact(4)
            .flat_map(|p| {
                let m = |v: u8| (f32::from(v) * a + b).clamp(0.0, 255.0) as u8;
                [m(p[0]), m(p[1]), m(p[2]), 255]
            })
            .collect();
        RgbaFrame::new(f.width, f.height, data).unwrap()
    }

    #[test]
    fn a_brightened_copy_of_a_dim_photo_is_the_washed_out_one() {
        // A dim photo (mean luma ≈ 0.2) and the same lifted by ×1.6 + 70: the blacks
        // rise, little clips, so only the contrast growing less than the brightness
        // tells which of the two is wrong.
        let dim = exposed(&picture(1.0, 0.0, 0), 0.5, 0.0);
        let lifted = exposed(&dim, 1.6, 70.0);
        let (d, l) = (sample(0, &dim), sample(1, &lifted));
        let all = [d.clone(), l.clone()];
        assert_eq!(spoiled_by_comparison(&d, &all), None);
        assert_eq!(spoiled_by_comparison(&l, &all), Some(Rejection::BlownOut));
        // Turned round: a clean photo and a copy darkened by an offset (blacks crushed,
        // contrast ×0.7). The clean one keeps its deep tones, so it is not washed out.
        let clean = exposed(&picture(1.0, 0.0, 0), 1.2, -40.0);
        let crushed = exposed(&clean, 0.7, -30.0);
        let (c, k) = (sample(2, &clean), sample(3, &crushed));
        let all = [c.clone(), k.clone()];
        assert_eq!(spoiled_by_comparison(&c, &all), None);
        assert_eq!(spoiled_by_comparison(&k, &all), Some(Rejection::TooDark));
    }

    #[test]
    fn the_dim_gain_copy_of_a_photo_on_white_is_too_dark_the_photo_is_not_blown() {
        // A product shot clipping 45 % of the picture at white (its white background),
        // and a ×0.45 copy of it: brightness and contrast fall alike.
        let mut white = QuickMetrics::of(&picture(1.0, 0.0, 0));
        white.clipped_highlights = 0.45;
        let dim = QuickMetrics::of(&picture(0.45, 0.0, 0));
        let (b, d) = (Sample::new(0, &white, None), Sample::new(1, &dim, None));
        let all = [b.clone(), d.clone()];
        assert_eq!(spoiled_by_comparison(&b, &all), None);
        assert_eq!(spoiled_by_comparison(&d, &all), Some(Rejection::TooDark));
        // Not a gain copy (its contrast fell by far less than its brightness): the
        // clipping reference may be blown out itself and settles nothing.
        let mut flat = dim;
        flat.contrast = white.contrast * 0.9;
        let f = Sample::new(2, &flat, None);
        assert_eq!(spoiled_by_comparison(&f, &[b.clone(), f.clone()]), None);
    }

    #[test]
    fn a_smeared_frame_is_spoiled_alone_and_is_nobody_s_reference() {
        let clean = sample(0, &picture(1.0, 0.0, 0));
        let smeared = sample(1, &picture(1.0, 0.0, 0)).with_smear(Some(Smear {
            ratio: 0.5,
            drag: 0.0,
            fine: None,
        }));
        assert!(smeared.smeared());
        assert_eq!(
            spoiled_by_comparison(&smeared, &[]),
            Some(Rejection::Blurry)
        );
        // A darker copy is not judged against the smeared frame.
        let dark = sample(2, &picture(0.45, 0.0, 0));
        assert_eq!(spoiled_by_comparison(&dark, &[smeared]), None);
        assert_eq!(
            spoiled_by_comparison(&dark, &[clean]),
            Some(Rejection::TooDark)
        );
    }

    /// `picture` seen through a window moved `dx` pixels to the right.
    fn panned(f: &RgbaFrame, dx: usize) -> RgbaFrame {
        let (w, h) = (f.width as usize, f.height as usize);
        let mut data = Vec::with_capacity(w * h * 4);
        for y in 0..h {
            for x in 0..w {
                let i = (y * w + (x + dx).min(w - 1)) * 4;
                data.extend_from_slice(&f.data[i..i + 4]);
            }
        }
        RgbaFrame::new(w as u32, h as u32, data).unwrap()
    }

    #[test]
    fn a_dark_frame_of_a_pan_is_spoiled_next_to_the_clean_frames_of_its_shot() {
        // 10 % of the width further along the pan: the 8×8 ranks no longer match, the
        // shifted 16×16 grid does.
        let clean = sample(0, &picture(1.0, 0.0, 0));
        let dark = sample(1_000_000, &panned(&picture(0.45, 0.0, 0), 16));
        assert!(dark.framing_correlation(&clean) < SAME_FRAMING);
        assert!(dark.shifted_correlation(&clean) >= SAME_FRAMING);
        assert_eq!(
            spoiled_by_comparison(&dark, std::slice::from_ref(&clean)),
            Some(Rejection::TooDark)
        );
        // Far apart in time, only the unshifted comparison counts.
        let later = sample(60_000_000, &panned(&picture(0.45, 0.0, 0), 16));
        assert_eq!(spoiled_by_comparison(&later, &[clean]), None);
    }

    /// A 160×90 window at `x0` on a wide scene, times `gain`: the frames of a pan.
    fn scene(gain: f32, x0: usize) -> RgbaFrame {
        let (w, h) = (160usize, 90usize);
        let mut data = Vec::with_capacity(w * h * 4);
        for y in 0..h {
            for x in x0..x0 + w {
                let block = if (x / 20 + y / 15) % 3 == 0 {
                    80.0
                } else {
                    0.0
                };
                let wave = 40.0 * (x as f32 * 0.05).sin() + 30.0 * (y as f32 * 0.11).cos();
                let v = ((70.0 + block + wave) * gain).clamp(0.0, 255.0) as u8;
                data.extend_from_slice(&[v, v, v, 255]);
            }
        }
        RgbaFrame::new(w as u32, h as u32, data).unwrap()
    }

    #[test]
    fn the_middle_of_a_dark_spell_of_a_pan_takes_the_spell_s_verdict() {
        // Clean, then underexposed while the pan goes on: only the dark frame next to
        // the clean one still shows its picture; the next ones have moved too far.
        let step = 16;
        let samples: Vec<Sample> = (0..5)
            .map(|k| {
                let gain = if k == 0 { 1.0 } else { 0.45 };
                sample(k as i64 * 500_000, &scene(gain, k * step))
            })
            .collect();
        let last = &samples[4];
        assert!(last.framing(&samples[0]) < SAME_FRAMING);
        assert_eq!(spoiled_by_comparison(last, &samples), None);
        assert_eq!(
            spoiled_by_comparison(&samples[1], &samples),
            Some(Rejection::TooDark)
        );
        let spells = Spells::of(&samples);
        assert_eq!(spells.verdict(&samples, 4), Some(Rejection::TooDark));
        assert_eq!(spells.verdict(&samples, 0), None);
    }

    #[test]
    fn a_clean_shot_next_to_a_dark_spell_stays_clean_as_a_spell() {
        let samples: Vec<Sample> = (0..6)
            .map(|k| {
                let gain = if k < 4 { 1.0 } else { 0.45 };
                sample(k as i64 * 500_000, &scene(gain, k * 8))
            })
            .collect();
        let spells = Spells::of(&samples);
        for i in 0..4 {
            assert_eq!(spells.verdict(&samples, i), None, "clean sample {i}");
        }
        assert_eq!(spells.verdict(&samples, 5), Some(Rejection::TooDark));
    }

    #[test]
    fn a_frame_is_blurry_next_to_a_look_twin_ten_times_as_detailed() {
        // sharpness s ↔ Laplacian variance s / (1 − s) × the half point
        let sharp = 0.9; // 9 × the half point
        assert!(softer_than_twin(0.4, [sharp])); // 0.67: 0.074 of it
        assert!(!softer_than_twin(0.5, [sharp])); // 1: 0.11 of it
        assert!(!softer_than_twin(0.4, [0.5, 0.6]));
        assert!(!softer_than_twin(0.1, []));
    }

    #[test]
    fn a_dragged_frame_is_blurry_only_next_to_a_clean_view_of_its_picture() {
        let smear = |drag| Smear {
            ratio: 1.0,
            drag,
            fine: None,
        };
        assert!(dragged_twin(Some(smear(0.5)), [smear(0.0)]));
        // A picture that reads dragged in every view is soft along x, not smeared.
        assert!(!dragged_twin(Some(smear(0.5)), [smear(0.45)]));
        assert!(!dragged_twin(Some(smear(0.5)), []));
        assert!(!dragged_twin(Some(smear(0.0)), [smear(0.0)]));
        assert!(!dragged_twin(None, [smear(0.0)]));
    }

    #[test]
    fn an_underexposed_twin_nearby_is_too_dark_one_much_later_is_not() {
        let clean = QuickMetrics::of(&scene(1.0, 0));
        let dark = QuickMetrics::of(&scene(0.4, 40));
        assert!(underexposed_twin(2_000_000, &dark, [(0, &clean)]));
        assert!(!underexposed_twin(0, &clean, [(2_000_000, &dark)]));
        assert!(!underexposed_twin(60_000_000, &dark, [(0, &clean)]));
    }

    #[test]
    fn a_dim_shot_alone_is_not_spoiled() {
        let dim = sample(0, &picture(0.45, 0.0, 0));
        let flat = sample(1, &RgbaFrame::filled(160, 90, [200, 200, 200, 255]));
        assert_eq!(spoiled_by_comparison(&dim, &[flat]), None);
    }
}
