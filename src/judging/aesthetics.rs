//! Aesthetics from explainable features, each 0–1 (higher is better), no black box:
//!
//! | feature | how | 1 means |
//! | --- | --- | --- |
//! | `exposure` | mean luma near mid-grey, few clipped pixels (luma < 8 or > 247) | well exposed |
//! | `contrast` | RMS contrast (std of luma), 64/255 or more reads 1 | punchy |
//! | `colourfulness` | Hasler & Süsstrunk (2003) M = σ_rgyb + 0.3·μ_rgyb, M/80 clamped | vivid ("quite colourful" ≈ 59, "highly" ≈ 82) |
//! | `subject_sharpness` | variance of the Laplacian inside the main face box (or the whole frame without a face), v/(v+60) | crisp subject |
//! | `clutter` | edge density: share of pixels with gradient magnitude > 48 | busy (counts against) |
//!
//! `score = 0.2·exposure + 0.2·contrast + 0.2·colourfulness + 0.25·subject_sharpness
//! + 0.15·(1 − clutter')`, where `clutter' = clamp((clutter − 0.05)/0.25, 0, 1)`.

use serde::Serialize;

use crate::judging::faces::Face;
use crate::media::frame::RgbaFrame;

const SHARPNESS_HALF_POINT: f32 = 60.0;
const EDGE_THRESHOLD: f32 = 48.0;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Aesthetics {
    pub exposure: f32,
    pub contrast: f32,
    pub colourfulness: f32,
    pub subject_sharpness: f32,
    /// Whether `subject_sharpness` was measured on a face (else on the whole frame).
    pub subject_is_face: bool,
    pub clutter: f32,
    pub score: f32,
}

/// Central-difference gradient magnitude of a luma plane (0 on the border).
pub fn gradient_magnitude(luma: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut g = vec![0.0; w * h];
    if w < 3 || h < 3 {
        return g;
    }
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            let gx = (luma[i + 1] - luma[i - 1]) * 0.5;
            let gy = (luma[i + w] - luma[i - w]) * 0.5;
            g[i] = (gx * gx + gy * gy).sqrt();
        }
    }
    g
}

/// Variance of the 4-neighbour Laplacian over `[x0, x1) × [y0, y1)` (interior pixels).
pub fn laplacian_variance_in(
    luma: &[f32],
    w: usize,
    h: usize,
    (x0, y0, x1, y1): (usize, usize, usize, usize),
) -> f32 {
    let (x0, y0) = (x0.max(1), y0.max(1));
    let (x1, y1) = (x1.min(w.saturating_sub(1)), y1.min(h.saturating_sub(1)));
    if x1 <= x0 || y1 <= y0 {
        return 0.0;
    }
    let (mut s, mut s2, mut n) = (0.0f64, 0.0f64, 0.0f64);
    for y in y0..y1 {
        for x in x0..x1 {
            let i = y * w + x;
            let l = (luma[i - 1] + luma[i + 1] + luma[i - w] + luma[i + w] - 4.0 * luma[i]) as f64;
            s += l;
            s2 += l * l;
            n += 1.0;
        }
    }
    let m = s / n;
    (s2 / n - m * m).max(0.0) as f32
}

/// Hasler & Süsstrunk colourfulness M (≈ 0 for grey, > 100 for extreme colour).
pub fn colourfulness_m(frame: &RgbaFrame) -> f32 {
    let n = frame.pixel_count().max(1) as f64;
    let (mut srg, mut srg2, mut syb, mut syb2) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for p in frame.data.chunks_exact(4) {
        let (r, g, b) = (p[0] as f64, p[1] as f64, p[2] as f64);
        let rg = r - g;
        let yb = 0.5 * (r + g) - b;
        srg += rg;
        srg2 += rg * rg;
        syb += yb;
        syb2 += yb * yb;
    }
    let (mrg, myb) = (srg / n, syb / n);
    let vrg = (srg2 / n - mrg * mrg).max(0.0);
    let vyb = (syb2 / n - myb * myb).max(0.0);
    ((vrg + vyb).sqrt() + 0.3 * (mrg * mrg + myb * myb).sqrt()) as f32
}

/// The main face's box in whole pixels, clamped; `None` when nothing is left.
pub fn face_rect(face: &Face, w: u32, h: u32) -> Option<(usize, usize, usize, usize)> {
    let x0 = face.x.max(0.0).floor() as usize;
    let y0 = face.y.max(0.0).floor() as usize;
    let x1 = ((face.x + face.width).min(w as f32)).ceil().max(0.0) as usize;
    let y1 = ((face.y + face.height).min(h as f32)).ceil().max(0.0) as usize;
    (x1 > x0 + 2 && y1 > y0 + 2).then_some((x0, y0, x1, y1))
}

/// `luma` and `gradient` are the frame's (see [`gradient_magnitude`]); `main_face` is
/// the face the picture is about, if any.
pub fn aesthetics(
    frame: &RgbaFrame,
    luma: &[f32],
    gradient: &[f32],
    main_face: Option<&Face>,
) -> Aesthetics {
    let (w, h) = (frame.width as usize, frame.height as usize);
    let n = luma.len().max(1) as f32;
    let mean = luma.iter().sum::<f32>() / n;
    let var = luma.iter().map(|y| (y - mean) * (y - mean)).sum::<f32>() / n;
    let clipped = luma
        .iter()
        .filter(|&&y| !(8.0..=247.0).contains(&y))
        .count() as f32
        / n;
    let exposure = ((1.0 - ((mean / 255.0 - 0.5).abs() * 2.0)) * (1.0 - (clipped * 2.0).min(1.0)))
        .clamp(0.0, 1.0);
    let contrast = (var.sqrt() / 64.0).min(1.0);
    let colourfulness = (colourfulness_m(frame) / 80.0).min(1.0);
    let face_box = main_face.and_then(|f| face_rect(f, frame.width, frame.height));
    let region = face_box.unwrap_or((0, 0, w, h));
    let v = laplacian_variance_in(luma, w, h, region);
    let subject_sharpness = v / (v + SHARPNESS_HALF_POINT);
    let clutter = gradient.iter().filter(|&&g| g > EDGE_THRESHOLD).count() as f32 / n;
    let tidy = 1.0 - ((clutter - 0.05) / 0.25).clamp(0.0, 1.0);
    let score = 0.2 * exposure
        + 0.2 * contrast
        + 0.2 * colourfulness
        + 0.25 * subject_sharpness
        + 0.15 * tidy;
    Aesthetics {
        exposure,
        contrast,
        colourfulness,
        subject_sharpness,
        subject_is_face: face_box.is_some(),
        clutter,
        score: score.clamp(0.0, 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(frame: &RgbaFrame, face: Option<&Face>) -> Aesthetics {
        let luma = frame.luma();
        let g = gradient_magnitude(&luma, frame.width as usize, frame.height as usize);
        aesthetics(frame, &luma, &g, face)
    }

    fn stripes(w: u32, h: u32, a: [u8; 3], b: [u8; 3], period: u32) -> RgbaFrame {
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let c = if ((x + y) / period).is_multiple_of(2) {
                    a
                } else {
                    b
                };
                data.extend_from_slice(&[c[0], c[1], c[2], 255]);
            }
        }
        RgbaFrame::new(w, h, data).unwrap()
    }

    #[test]
    fn a_colourful_frame_beats_a_grey_one() {
        // Same luma as the colour stripes (94 and 84), so only colour differs.
        let grey = stripes(64, 36, [94, 94, 94], [84, 84, 84], 8);
        let colour = stripes(64, 36, [220, 40, 40], [40, 80, 220], 8);
        let (g, c) = (of(&grey, None), of(&colour, None));
        assert!(g.colourfulness < 0.01, "{g:?}");
        assert!(c.colourfulness > 0.8, "{c:?}");
        assert!(c.score > g.score);
    }

    #[test]
    fn a_sharp_face_beats_a_blurred_one() {
        // Fine checkerboard in the face box versus flat there; same elsewhere.
        let face = Face {
            x: 16.0,
            y: 8.0,
            width: 20.0,
            height: 20.0,
            score: 1.0,
            landmarks: [[0.0; 2]; 5],
        };
        let mut sharp = RgbaFrame::filled(64, 36, [120, 110, 100, 255]);
        let mut soft = sharp.clone();
        for y in 8..28 {
            for x in 16..36 {
                let v = if (x + y) % 2 == 0 { 60 } else { 200 };
                let i = (y * 64 + x) * 4;
                sharp.data[i..i + 3].copy_from_slice(&[v, v, v]);
                soft.data[i..i + 3].copy_from_slice(&[120, 110, 100]);
            }
        }
        let (a, b) = (of(&sharp, Some(&face)), of(&soft, Some(&face)));
        assert!(a.subject_is_face);
        assert!(
            a.subject_sharpness > 0.9 && b.subject_sharpness < 0.1,
            "{a:?} {b:?}"
        );
    }

    #[test]
    fn dark_frames_expose_badly_and_busy_frames_are_cluttered() {
        let dark = RgbaFrame::filled(32, 32, [3, 3, 3, 255]);
        assert!(of(&dark, None).exposure < 0.05);
        let busy = stripes(64, 36, [0, 0, 0], [255, 255, 255], 2);
        let calm = stripes(64, 36, [0, 0, 0], [255, 255, 255], 16);
        assert!(of(&busy, None).clutter > 0.5);
        assert!(of(&calm, None).clutter < 0.2);
    }
}
