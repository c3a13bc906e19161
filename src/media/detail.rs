//! Fine detail of a decoded picture at its own size: the root mean square of the luma
//! steps between neighbouring pixels, across and down, on every [`ROW_STEP`]th row.
//! Squared, because blur spreads an edge's step over several pixels: the sum of the
//! steps stays, the sum of their squares falls with the width of the spread.
//!
//! The analysis frame is about 320 px wide, and a mild blur (a box of 0.2 % of the
//! width, a 6 px motion smear on a 1280 px picture) barely moves its gradients: on the
//! evaluation set's tuning half the 320 px gradient of a mildly box-blurred frame is
//! 0.79 of its clean neighbour's (median), within what a pan or zoom changes. At the
//! picture's own size the same blur takes a third off this measure (median 0.68 of the
//! clean neighbour's; clean frames of one framing: 0.98, tenth percentile 0.80). The copyTo path
//! has every decoded pixel in hand anyway, so the picture's steps are counted where it
//! is scaled down; the spoil comparison ([`crate::screening::spoils`]) sets one frame's
//! detail against another of the same framing. The number depends on the picture's size
//! and content, so it means nothing on its own.

use std::ops::Range;

use super::yuv::{Rgba, Yuv420};

/// Rows sampled: every 8th (with the row below it for the step down), so the count
/// costs about a quarter of one pass over the picture.
pub const ROW_STEP: usize = 8;

/// Root mean square step of `luma(x, y)` (0–255) to the right and downwards over the
/// sampled rows of a `w × h` picture; `None` when the picture is under 2 × 2.
fn mean_step(w: usize, h: usize, row: impl Fn(usize, Range<usize>, &mut Vec<i32>)) -> Option<f32> {
    if w < 2 || h < 2 {
        return None;
    }
    let (mut a, mut b) = (Vec::with_capacity(w), Vec::with_capacity(w));
    let (mut sum, mut count) = (0u64, 0u64);
    for y in (0..h - 1).step_by(ROW_STEP) {
        row(y, 0..w, &mut a);
        row(y + 1, 0..w, &mut b);
        let across: i64 = a.windows(2).map(|p| i64::from((p[1] - p[0]).pow(2))).sum();
        let down: i64 = a
            .iter()
            .zip(&b)
            .map(|(p, q)| i64::from((q - p).pow(2)))
            .sum();
        sum += (across + down) as u64;
        count += (2 * w - 1) as u64;
    }
    Some((sum as f64 / count as f64).sqrt() as f32)
}

/// The luma of columns `cols` of one row of a 4:2:0 picture as stored (limited-range
/// pictures read a little softer, alike for every frame of one video); `None` when its
/// plane is short. `cols` must lie within the width.
fn yuv420_rows<'a>(src: &'a Yuv420) -> Option<impl Fn(usize, Range<usize>, &mut Vec<i32>) + 'a> {
    let (w, h) = (src.width as usize, src.height as usize);
    let (data, stride) = (src.y.data, src.y.stride);
    (data.len() >= stride * h.saturating_sub(1) + w).then_some(
        move |y: usize, cols: Range<usize>, out: &mut Vec<i32>| {
            out.clear();
            out.extend(data[y * stride..][cols].iter().map(|&v| i32::from(v)));
        },
    )
}

/// The same for an RGBA (or BGRA) picture, by the BT.601 weights.
fn rgba_rows<'a>(src: &'a Rgba) -> Option<impl Fn(usize, Range<usize>, &mut Vec<i32>) + 'a> {
    let (w, h) = (src.width as usize, src.height as usize);
    let (data, stride) = (src.pixels.data, src.pixels.stride);
    let (r, b) = if src.bgr { (2, 0) } else { (0, 2) };
    (data.len() >= stride * h.saturating_sub(1) + 4 * w).then_some(
        move |y: usize, cols: Range<usize>, out: &mut Vec<i32>| {
            out.clear();
            let row = &data[y * stride..][4 * cols.start..4 * cols.end];
            out.extend(row.chunks_exact(4).map(|p| {
                (77 * i32::from(p[r]) + 150 * i32::from(p[1]) + 29 * i32::from(p[b]) + 128) >> 8
            }));
        },
    )
}

/// The fine detail of a 4:2:0 picture.
pub fn yuv420_detail(src: &Yuv420) -> Option<f32> {
    mean_step(src.width as usize, src.height as usize, yuv420_rows(src)?)
}

/// The fine detail of an RGBA (or BGRA) picture.
pub fn rgba_detail(src: &Rgba) -> Option<f32> {
    mean_step(src.width as usize, src.height as usize, rgba_rows(src)?)
}

/// What the full-size picture tells besides the analysis frame, where it was read:
/// its [`yuv420_detail`] and its [`yuv420_drag`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Fine {
    pub detail: Option<f32>,
    pub drag: Option<f32>,
}

/// Rows sampled by [`fine_drag`]: every 11th (each with four rows around it). A prime,
/// so text lines of a screen recording, 16, 20, 24 or 32 px apart, are not sampled at
/// one phase of their glyphs (every 16th row read a scrolling screen as 0.43).
pub const DRAG_ROW_STEP: usize = 11;

/// The lag of [`fine_drag`], in the picture's own pixels.
pub const FINE_DRAG_LAG: usize = 3;

/// A rectangle of the picture as it is stored (before any turn), in its own pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
}

impl Window {
    /// Whether it lies inside a `w × h` picture.
    fn fits(&self, w: u32, h: u32) -> bool {
        self.x + self.width <= w as usize && self.y + self.height <= h as usize
    }

    /// The stored picture's `coded_w × coded_h` pixels under `[x, y, w, h]` of the
    /// upright `out_w × out_h` analysis frame it was drawn into turned by `rotation`
    /// (the turn of `yuv::rgba_from_yuv420`, undone).
    pub fn of_upright(
        [x, y, w, h]: [usize; 4],
        (out_w, out_h): (usize, usize),
        rotation: u32,
        (coded_w, coded_h): (usize, usize),
    ) -> Window {
        // The rectangle on the scaled, unturned grid (dw × dh) the frame was turned from.
        let (i, j, iw, jh, dw, dh) = match rotation {
            90 => (y, out_w - x - w, h, w, out_h, out_w),
            180 => (out_w - x - w, out_h - y - h, w, h, out_w, out_h),
            270 => (out_h - y - h, x, h, w, out_h, out_w),
            _ => (x, y, w, h, out_w, out_h),
        };
        let sx = |v: usize| v * coded_w / dw.max(1);
        let sy = |v: usize| v * coded_h / dh.max(1);
        Window {
            x: sx(i),
            y: sy(j),
            width: sx(i + iw) - sx(i),
            height: sy(j + jh) - sy(j),
        }
    }
}

/// Σa, Σb, Σa², Σb², Σab and the count of pairs `(a, b)`: a correlation about the
/// pairs' common mean and variance. Integers, exact (a luma difference is within
/// ±255, a picture has under 2³¹ pairs), and cheaper than floats in wasm.
#[derive(Default)]
struct PairSums([i64; 5], i64);

impl PairSums {
    fn add(&mut self, a: i32, b: i32) {
        let (a, b) = (i64::from(a), i64::from(b));
        let s = &mut self.0;
        s[0] += a;
        s[1] += b;
        s[2] += a * a;
        s[3] += b * b;
        s[4] += a * b;
        self.1 += 1;
    }

    fn correlation(&self) -> f64 {
        let ([a, b, aa, bb, ab], n) = (self.0.map(|v| v as f64), self.1 as f64);
        if n < 1.0 {
            return 0.0;
        }
        let mean = (a + b) / (2.0 * n);
        let var = (aa + bb) / (2.0 * n) - mean * mean;
        if var <= 1e-9 {
            0.0
        } else {
            (ab / n - mean * mean) / var
        }
    }
}

/// [`crate::screening::quality::drag`] at the picture's own size over `window`: the
/// correlation of the central luma differences along the stored rows with those
/// [`FINE_DRAG_LAG`] pixels on, less the same down the columns; `sideways` (a picture
/// shown turned 90° or 270°) swaps the two, so the reading is always along the shown
/// picture's x. The analysis frame is about 320 px wide, where a smear of half a
/// percent of the width is under 2 px and nothing reads it; here it is 6–10 px. Every
/// [`DRAG_ROW_STEP`]th row, with the rows around it the differences need. `None` when
/// the window is too small.
fn fine_drag(
    window: Window,
    sideways: bool,
    row: impl Fn(usize, Range<usize>, &mut Vec<i32>),
) -> Option<f32> {
    let (
        lag,
        Window {
            x,
            y,
            width,
            height,
        },
    ) = (FINE_DRAG_LAG, window);
    if width < 4 * lag || height < 4 * lag {
        return None;
    }
    let mut rows: [Vec<i32>; 5] = Default::default();
    let (mut across, mut down) = (PairSums::default(), PairSums::default());
    for r in (y + 1..y + height - lag - 1).step_by(DRAG_ROW_STEP) {
        for (buf, at) in rows
            .iter_mut()
            .zip([r - 1, r, r + 1, r + lag - 1, r + lag + 1])
        {
            row(at, x..x + width, buf);
        }
        let [above, mid, below, above_on, below_on] = &rows;
        for i in 1..width - 1 - lag {
            across.add(mid[i + 1] - mid[i - 1], mid[i + 1 + lag] - mid[i - 1 + lag]);
        }
        for i in 0..width {
            down.add(below[i] - above[i], below_on[i] - above_on[i]);
        }
    }
    let (along_x, along_y) = if sideways {
        (down.correlation(), across.correlation())
    } else {
        (across.correlation(), down.correlation())
    };
    Some((along_x - along_y) as f32)
}

/// [`fine_drag`] of a 4:2:0 picture.
pub fn yuv420_drag(src: &Yuv420, window: Window, sideways: bool) -> Option<f32> {
    let inside = window.fits(src.width, src.height);
    fine_drag(window, sideways, yuv420_rows(src).filter(|_| inside)?)
}

/// [`fine_drag`] of an RGBA (or BGRA) picture.
pub fn rgba_drag(src: &Rgba, window: Window, sideways: bool) -> Option<f32> {
    let inside = window.fits(src.width, src.height);
    fine_drag(window, sideways, rgba_rows(src).filter(|_| inside)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::yuv::{Chroma, Matrix, Plane};

    /// A w × h luma plane of vertical stripes `period` pixels wide, box-blurred over
    /// `2 r + 1` columns.
    fn stripes(w: usize, h: usize, period: usize, r: usize) -> Vec<u8> {
        let sharp: Vec<f32> = (0..w)
            .map(|x| {
                if (x / period).is_multiple_of(2) {
                    40.0
                } else {
                    200.0
                }
            })
            .collect();
        let row: Vec<u8> = (0..w)
            .map(|x| {
                let (a, b) = (x.saturating_sub(r), (x + r).min(w - 1));
                (sharp[a..=b].iter().sum::<f32>() / (b - a + 1) as f32).round() as u8
            })
            .collect();
        row.iter().copied().cycle().take(w * h).collect()
    }

    fn yuv(luma: &[u8], w: usize, h: usize) -> Yuv420<'_> {
        Yuv420 {
            width: w as u32,
            height: h as u32,
            y: Plane {
                data: luma,
                stride: w,
            },
            u: Plane {
                data: &[],
                stride: 0,
            },
            v: Plane {
                data: &[],
                stride: 0,
            },
            chroma: Chroma::Planar,
            matrix: Matrix::Bt601,
            full_range: true,
        }
    }

    #[test]
    fn a_blurred_copy_has_less_detail_than_the_sharp_one() {
        let (w, h) = (320, 64);
        let sharp = stripes(w, h, 8, 0);
        let soft = stripes(w, h, 8, 2);
        let (a, b) = (
            yuv420_detail(&yuv(&sharp, w, h)).unwrap(),
            yuv420_detail(&yuv(&soft, w, h)).unwrap(),
        );
        // Each edge of 160 spread over 5 steps of 32: the squares sum to a fifth, the
        // measure to about 1/√5 of the sharp picture's.
        assert!(
            (b / a - 1.0 / 5f32.sqrt()).abs() < 0.03,
            "blurred {b} vs sharp {a}"
        );
        let flat = vec![90u8; w * h];
        assert_eq!(yuv420_detail(&yuv(&flat, w, h)), Some(0.0));
    }

    #[test]
    fn rgba_and_luma_planes_agree_on_grey() {
        let (w, h) = (64, 32);
        let luma = stripes(w, h, 4, 1);
        let rgba: Vec<u8> = luma.iter().flat_map(|&v| [v, v, v, 255]).collect();
        let src = Rgba {
            width: w as u32,
            height: h as u32,
            pixels: Plane {
                data: &rgba,
                stride: 4 * w,
            },
            bgr: false,
        };
        let (a, b) = (
            rgba_detail(&src).unwrap(),
            yuv420_detail(&yuv(&luma, w, h)).unwrap(),
        );
        assert!((a - b).abs() < 1e-3, "rgba {a} vs luma {b}");
    }

    /// Random grey 12 × 12 px blocks (edges in every direction), averaged over
    /// `2 r + 1` pixels along x: a smear turns each vertical edge into a ramp.
    fn smeared(w: usize, h: usize, r: usize) -> Vec<u8> {
        let mut seed = 7u32;
        let (bw, bh) = (w.div_ceil(12), h.div_ceil(12));
        let blocks: Vec<f32> = (0..bw * bh)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                40.0 + ((seed >> 16) % 160) as f32
            })
            .collect();
        let at = |x: usize, y: usize| blocks[(y / 12) * bw + x / 12];
        (0..h)
            .flat_map(|y| {
                (0..w).map(move |x| {
                    let (a, b) = (x.saturating_sub(r), (x + r).min(w - 1));
                    ((a..=b).map(|x| at(x, y)).sum::<f32>() / (b - a + 1) as f32) as u8
                })
            })
            .collect()
    }

    #[test]
    fn a_short_smear_along_x_drags_at_full_size_and_a_sharp_picture_does_not() {
        let (w, h) = (320, 180);
        let all = Window {
            x: 0,
            y: 0,
            width: w,
            height: h,
        };
        let sharp = smeared(w, h, 0);
        let smear = smeared(w, h, 4);
        let d = |luma: &[u8], sideways| yuv420_drag(&yuv(luma, w, h), all, sideways).unwrap();
        assert!(d(&sharp, false).abs() < 0.1, "{}", d(&sharp, false));
        assert!(d(&smear, false) > 0.5, "{}", d(&smear, false));
        // Shown turned a quarter, the stored rows are the shown columns.
        assert!(d(&smear, true) < -0.5, "{}", d(&smear, true));
        let tiny = Window {
            width: 8,
            height: 8,
            ..all
        };
        assert_eq!(yuv420_drag(&yuv(&smear, w, h), tiny, false), None);
    }

    #[test]
    fn an_upright_rectangle_maps_back_onto_the_stored_picture() {
        // A 1280×720 picture shown turned 90° as a 180×320 analysis frame: its left
        // half is the bottom half of the stored picture (yuv::drawn turns (i, j) =
        // (oy, ow − 1 − ox)).
        let left = [0, 0, 90, 320];
        let w = Window::of_upright(left, (180, 320), 90, (1280, 720));
        assert_eq!((w.x, w.y, w.width, w.height), (0, 360, 1280, 360));
        let w = Window::of_upright(left, (180, 320), 270, (1280, 720));
        assert_eq!((w.x, w.y, w.width, w.height), (0, 0, 1280, 360));
        // Unturned, bars of 20 analysis rows top and bottom scale with the picture.
        let w = Window::of_upright([0, 20, 320, 140], (320, 180), 0, (1280, 720));
        assert_eq!((w.x, w.y, w.width, w.height), (0, 80, 1280, 560));
        let w = Window::of_upright([0, 20, 320, 140], (320, 180), 180, (1280, 720));
        assert_eq!((w.x, w.y, w.width, w.height), (0, 80, 1280, 560));
    }

    #[test]
    fn short_planes_and_tiny_pictures_have_no_detail() {
        let luma = vec![0u8; 10];
        assert_eq!(yuv420_detail(&yuv(&luma, 8, 8)), None);
        assert_eq!(yuv420_detail(&yuv(&luma, 1, 1)), None);
    }
}
