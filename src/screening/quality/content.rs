use super::*;

/// How evenly detail runs in both directions, 0–1: the smaller over the larger of the
/// horizontal and vertical gradient energies of the content. A picture smeared along
/// one direction (motion blur, a whip pan) keeps its edges across the motion and
/// loses those along it; a sharp photo, a face, a page of text have both. Measured
/// on the pixels of the frames kept for deep analysis ([`crate::screening::look::content_rect`]
/// first), so the GPU path needs no part of it.
pub fn gradient_balance(frame: &RgbaFrame) -> f32 {
    ContentLuma::of(frame).gradient_balance()
}

/// A frame's luma and the picture between its bars ([`content_rect`]): what
/// [`gradient_balance`] and [`smear`] read, found once for both.
pub struct ContentLuma {
    pub(super) luma: Vec<f32>,
    pub(super) stride: usize,
    pub rect: Rect,
}

impl ContentLuma {
    pub fn of(frame: &RgbaFrame) -> Self {
        let (w, h) = (frame.width as usize, frame.height as usize);
        let luma = frame.luma();
        let rect = content_rect_in(&luma, w, h);
        Self {
            luma,
            stride: w,
            rect,
        }
    }

    /// [`gradient_balance`] and the [`Smear`] readings.
    pub fn texture(&self) -> (f32, Smear) {
        let smear = Smear {
            ratio: self.smear(),
            drag: self.drag(),
            fine: None,
        };
        (self.gradient_balance(), smear)
    }

    /// The content's origin and size.
    fn span(&self) -> (usize, usize, usize, usize) {
        let r = &self.rect;
        (
            r.x as usize,
            r.y as usize,
            r.width as usize,
            r.height as usize,
        )
    }

    /// Central luma differences along x and along y over the content's interior, as
    /// two `(w − 2)`×`(h − 2)` grids (row-major) with their size; `None` under 3×3.
    fn central_differences(&self) -> Option<(Vec<f32>, Vec<f32>, usize, usize)> {
        let (x0, y0, w, h) = self.span();
        if w < 3 || h < 3 {
            return None;
        }
        let (luma, stride) = (&self.luma, self.stride);
        let at = |x: usize, y: usize| luma[(y0 + y) * stride + x0 + x];
        let interior = || (1..h - 1).flat_map(move |y| (1..w - 1).map(move |x| (x, y)));
        let gx = interior()
            .map(|(x, y)| at(x + 1, y) - at(x - 1, y))
            .collect();
        let gy = interior()
            .map(|(x, y)| at(x, y + 1) - at(x, y - 1))
            .collect();
        Some((gx, gy, w - 2, h - 2))
    }

    fn gradient_balance(&self) -> f32 {
        let Some((gx, gy, _, _)) = self.central_differences() else {
            return 1.0;
        };
        let energy = |g: &[f32]| g.iter().map(|&v| f64::from(v * v)).sum::<f64>();
        let (ex, ey) = (energy(&gx), energy(&gy));
        let (lo, hi) = if ex < ey { (ex, ey) } else { (ey, ex) };
        if hi <= 0.0 {
            1.0
        } else {
            (lo / hi) as f32
        }
    }

    /// See [`drag`]: each central difference's correlation with the one [`DRAG_LAG`]
    /// pixels further along its own axis, x less y.
    fn drag(&self) -> f32 {
        match self.central_differences() {
            Some((gx, gy, w, h)) if w >= 6 && h >= 6 => {
                lag_correlation(&gx, w, h, Axis::X) - lag_correlation(&gy, w, h, Axis::Y)
            }
            _ => 0.0,
        }
    }

    fn smear(&self) -> f32 {
        let (x0, y0, w, h) = self.span();
        if w < 8 || h < 8 {
            return 1.0;
        }
        let (luma, stride) = (&self.luma, self.stride);
        let row = |y: usize| &luma[(y0 + y) * stride + x0..(y0 + y) * stride + x0 + w];
        let mut e = [0.0f64; 4];
        for y in 0..h - 3 {
            let (a, b, d) = (row(y), row(y + 1), row(y + 3));
            for x in 0..w - 3 {
                let c = a[x];
                let sq = |v: f32| ((v - c) * (v - c)) as f64;
                e[0] += sq(a[x + 1]);
                e[1] += sq(a[x + 3]);
                e[2] += sq(b[x]);
                e[3] += sq(d[x]);
            }
        }
        if e.iter().any(|&v| v <= 1e-9) {
            return 1.0;
        }
        ((e[0] / e[1]) / (e[2] / e[3])) as f32
    }
}

/// Horizontal smear of the picture between any bars: how much of its finest
/// horizontal detail is left, relative to its vertical detail at the same scales,
/// `(Ex₁ / Ex₃) / (Ey₁ / Ey₃)` with `Exₖ` the mean squared luma difference between
/// pixels `k` apart along x (and `Eyₖ` along y). Each direction is normalised by its
/// own coarser scale, so the texture of the picture cancels out (stripes, text, bricks
/// answer at both scales alike) and what is left is whether the finest scale was wiped
/// out along one direction: a motion smear along x averages neighbouring pixels, which
/// kills `Ex₁` long before `Ex₃`. ≈ 1 for sharp and for evenly blurred frames; under
/// [`SMEAR_LIMIT`] a horizontal motion blur of ≳ 1 % of the width. Only x: vertical fine
/// detail much finer than horizontal is common in clean frames (text, screens).
pub fn smear(frame: &RgbaFrame) -> f32 {
    ContentLuma::of(frame).smear()
}

/// How much more a picture's horizontal luma changes persist along x than its vertical
/// changes persist along y: the correlation of each central difference along x with
/// the one [`DRAG_LAG`] pixels further right, less the same along y. A horizontal
/// motion blur of length L turns every edge into a ramp L pixels long, so its x
/// differences stay alike over L pixels while its y differences keep the picture's own
/// short correlation; a sharp or an evenly blurred frame has about the same in both
/// directions (≈ 0). Unlike [`smear`], which compares scales 1 and 3, it does not
/// level off as the blur grows longer than 3 pixels: a 3 % blur (≈ 10 px at 320 px)
/// reads ≈ 0.5, where [`smear`] still reads ≈ 0.7.
pub fn drag(frame: &RgbaFrame) -> f32 {
    ContentLuma::of(frame).drag()
}

/// A frame's two readings of horizontal motion blur: [`smear`] sees a short smear (a
/// few pixels), [`drag`] a long one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Smear {
    pub ratio: f32,
    pub drag: f32,
    /// The drag of the full-size picture ([`crate::media::detail`]), where it was read:
    /// a smear too short for the analysis size.
    pub fine: Option<f32>,
}

impl Smear {
    /// Smeared by horizontal motion whatever the other frames show: a short smear
    /// ([`SMEAR_LIMIT`]). A long one ([`Smear::dragged`]) needs a frame of the same
    /// picture without it, since a few photos are themselves softer along x (a page of
    /// text shot askew reads like a 1 % smear).
    pub fn smeared(&self) -> bool {
        self.ratio < SMEAR_LIMIT
    }

    /// With the full-size picture's drag.
    pub fn with_fine(self, fine: Option<f32>) -> Self {
        Smear { fine, ..self }
    }

    /// Over [`DRAG_LIMIT`], or at full size over [`FINE_DRAG_LIMIT`]: a horizontal
    /// smear, or a picture soft along x.
    pub fn dragged(&self) -> bool {
        self.drag > DRAG_LIMIT || self.fine.is_some_and(|f| f > FINE_DRAG_LIMIT)
    }
}

/// The lag of [`drag`], in analysis pixels.
pub const DRAG_LAG: usize = 2;

/// [`drag`] over which a frame is dragged ([`Smear::dragged`]). Fitted on the evaluation
/// set's tuning half (bench/eval, 2 fps, 320 px): the first round value over every clean
/// frame (highest 0.184 of 1 638); 63 of its 66 frames with a motion blur of 1.5 or 3 %
/// of the width are over it.
pub const DRAG_LIMIT: f32 = 0.2;

enum Axis {
    X,
    Y,
}

/// The full-size picture's drag (`media::detail`, lag 3 px) over which a frame is
/// dragged. Fitted on the evaluation set's tuning half: see docs/quick-filter.md.
pub const FINE_DRAG_LIMIT: f32 = 0.3;

/// Correlation of `v` (a `w`×`h` grid, row-major) with itself [`DRAG_LAG`] entries on
/// along `axis`, over the entries whose partner lies on the grid (about the grid's
/// mean and variance, so a grid of a single value reads 0).
fn lag_correlation(v: &[f32], w: usize, h: usize, axis: Axis) -> f32 {
    let n = v.len() as f64;
    let mean = v.iter().map(|&a| f64::from(a)).sum::<f64>() / n;
    let var = v
        .iter()
        .map(|&a| (f64::from(a) - mean).powi(2))
        .sum::<f64>()
        / n;
    let (dx, dy) = match axis {
        Axis::X => (DRAG_LAG, 0),
        Axis::Y => (0, DRAG_LAG),
    };
    if var <= 1e-9 || w <= dx || h <= dy {
        return 0.0;
    }
    let mut sum = 0.0f64;
    for y in 0..h - dy {
        let (row, partner) = (
            &v[y * w..y * w + w - dx],
            &v[(y + dy) * w + dx..(y + dy) * w + w],
        );
        sum += row
            .iter()
            .zip(partner)
            .map(|(&a, &b)| (f64::from(a) - mean) * (f64::from(b) - mean))
            .sum::<f64>();
    }
    (sum / ((w - dx) * (h - dy)) as f64 / var) as f32
}

/// [`smear`] under which a frame is smeared by horizontal motion. Fitted on the
/// evaluation set's tuning half (bench/eval, 320 px): 1 of 1 649 clean frames is under
/// it, and 95 % of the frames with a motion blur of 1.5 % of the width, 93 % at 3 %,
/// 25 % at 0.5 %.
pub const SMEAR_LIMIT: f32 = 0.78;
