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

use super::yuv::{Rgba, Yuv420};

/// Rows sampled: every 8th (with the row below it for the step down), so the count
/// costs about a quarter of one pass over the picture.
pub const ROW_STEP: usize = 8;

/// Root mean square step of `luma(x, y)` (0–255) to the right and downwards over the
/// sampled rows of a `w × h` picture; `None` when the picture is under 2 × 2.
fn mean_step(w: usize, h: usize, row: impl Fn(usize, &mut Vec<i32>)) -> Option<f32> {
    if w < 2 || h < 2 {
        return None;
    }
    let (mut a, mut b) = (Vec::with_capacity(w), Vec::with_capacity(w));
    let (mut sum, mut count) = (0u64, 0u64);
    for y in (0..h - 1).step_by(ROW_STEP) {
        row(y, &mut a);
        row(y + 1, &mut b);
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

/// The fine detail of a 4:2:0 picture (its luma plane as stored: limited-range pictures
/// read a little softer, alike for every frame of one video).
pub fn yuv420_detail(src: &Yuv420) -> Option<f32> {
    let (w, h) = (src.width as usize, src.height as usize);
    let (data, stride) = (src.y.data, src.y.stride);
    if data.len() < stride * h.saturating_sub(1) + w {
        return None;
    }
    mean_step(w, h, |y, out| {
        out.clear();
        out.extend(data[y * stride..][..w].iter().map(|&v| i32::from(v)));
    })
}

/// The fine detail of an RGBA (or BGRA) picture, luma by the BT.601 weights.
pub fn rgba_detail(src: &Rgba) -> Option<f32> {
    let (w, h) = (src.width as usize, src.height as usize);
    let (data, stride) = (src.pixels.data, src.pixels.stride);
    if data.len() < stride * h.saturating_sub(1) + 4 * w {
        return None;
    }
    let (r, b) = if src.bgr { (2, 0) } else { (0, 2) };
    mean_step(w, h, |y, out| {
        out.clear();
        out.extend(data[y * stride..][..4 * w].chunks_exact(4).map(|p| {
            (77 * i32::from(p[r]) + 150 * i32::from(p[1]) + 29 * i32::from(p[b]) + 128) >> 8
        }));
    })
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

    #[test]
    fn short_planes_and_tiny_pictures_have_no_detail() {
        let luma = vec![0u8; 10];
        assert_eq!(yuv420_detail(&yuv(&luma, 8, 8)), None);
        assert_eq!(yuv420_detail(&yuv(&luma, 1, 1)), None);
    }
}
