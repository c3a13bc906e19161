//! Quick per-frame metrics on analysis-size frames: cheap enough for every sample,
//! used to reject spoiled frames before any model runs.
//!
//! Thresholds follow Hecate (Song et al., CIKM 2016) on frames of ≤ 320 px:
//! reject when brightness ≤ 0.075, sharpness ≤ 0.08 or uniformity ≥ 0.8.

use rayon::prelude::*;
use serde::Serialize;

use crate::frame::RgbaFrame;

pub const MIN_BRIGHTNESS: f32 = 0.075;
pub const MAX_BRIGHTNESS: f32 = 0.93;
pub const MIN_SHARPNESS: f32 = 0.08;
pub const MAX_UNIFORMITY: f32 = 0.8;
/// Variance of the Laplacian at which `sharpness` reads 0.5. A crisp 320 px frame of
/// real footage sits well above it; a motion-blurred one well below.
const SHARPNESS_HALF_POINT: f32 = 60.0;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuickMetrics {
    /// Mean luma, 0–1.
    pub brightness: f32,
    /// RMS contrast: standard deviation of luma, 0–1 scale.
    pub contrast: f32,
    /// Variance of the Laplacian mapped to 0–1 (v / (v + half point)).
    pub sharpness: f32,
    /// Share of pixels in the 5 % most populated luma bins (1 = flat/black frame).
    pub uniformity: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Rejection {
    TooDark,
    BlownOut,
    Blurry,
    Uniform,
}

impl QuickMetrics {
    pub fn of(frame: &RgbaFrame) -> Self {
        let luma = frame.luma();
        let n = luma.len().max(1) as f32;
        let mean = luma.iter().sum::<f32>() / n;
        let var = luma.iter().map(|y| (y - mean) * (y - mean)).sum::<f32>() / n;
        let lap_var = laplacian_variance(&luma, frame.width as usize, frame.height as usize);
        Self {
            brightness: mean / 255.0,
            contrast: var.sqrt() / 255.0,
            sharpness: lap_var / (lap_var + SHARPNESS_HALF_POINT),
            uniformity: uniformity(&luma),
        }
    }

    pub fn rejection(&self) -> Option<Rejection> {
        // Exposure first: a dark frame is also flat, and "too dark" says more.
        if self.brightness <= MIN_BRIGHTNESS {
            Some(Rejection::TooDark)
        } else if self.brightness >= MAX_BRIGHTNESS {
            Some(Rejection::BlownOut)
        } else if self.uniformity >= MAX_UNIFORMITY {
            Some(Rejection::Uniform)
        } else if self.sharpness <= MIN_SHARPNESS {
            Some(Rejection::Blurry)
        } else {
            None
        }
    }

    /// 0–1; 0 for rejected frames. Sharpness weighs most: blur ruins a thumbnail.
    pub fn score(&self) -> f32 {
        if self.rejection().is_some() {
            return 0.0;
        }
        let exposure = 1.0 - ((self.brightness - 0.5).abs() * 2.0).min(1.0);
        let contrast = (self.contrast / 0.25).min(1.0);
        0.5 * self.sharpness + 0.3 * exposure + 0.2 * contrast
    }
}

/// Metrics for many frames at once, one rayon task a frame.
pub fn quick_metrics_batch(frames: &[RgbaFrame]) -> Vec<QuickMetrics> {
    frames.par_iter().map(QuickMetrics::of).collect()
}

fn laplacian_variance(luma: &[f32], w: usize, h: usize) -> f32 {
    if w < 3 || h < 3 {
        return 0.0;
    }
    let mut sum = 0.0f64;
    let mut sum_sq = 0.0f64;
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            let l = luma[i - w] + luma[i + w] + luma[i - 1] + luma[i + 1] - 4.0 * luma[i];
            sum += l as f64;
            sum_sq += (l * l) as f64;
        }
    }
    let n = ((w - 2) * (h - 2)) as f64;
    let mean = sum / n;
    (sum_sq / n - mean * mean).max(0.0) as f32
}

fn uniformity(luma: &[f32]) -> f32 {
    let mut hist = [0u32; 256];
    for &y in luma {
        hist[(y as usize).min(255)] += 1;
    }
    hist.sort_unstable_by(|a, b| b.cmp(a));
    // Top 5 % of 256 bins, as Hecate does.
    let top: u32 = hist[..13].iter().sum();
    top as f32 / luma.len().max(1) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkerboard(w: u32, h: u32, cell: u32) -> RgbaFrame {
        let mut data = Vec::with_capacity((w * h * 4) as usize);
        for y in 0..h {
            for x in 0..w {
                // Texture with many grey levels, so only its sharpness is special.
                let checker = if (x / cell + y / cell).is_multiple_of(2) {
                    0
                } else {
                    90
                };
                let v = (40 + (x * 7 + y * 13) % 97 + checker) as u8;
                data.extend_from_slice(&[v, v, v, 255]);
            }
        }
        RgbaFrame::new(w, h, data).unwrap()
    }

    fn box_blur(f: &RgbaFrame, r: i32) -> RgbaFrame {
        let (w, h) = (f.width as i32, f.height as i32);
        let mut out = f.data.clone();
        for y in 0..h {
            for x in 0..w {
                for c in 0..3 {
                    let mut s = 0u32;
                    let mut n = 0u32;
                    for dy in -r..=r {
                        for dx in -r..=r {
                            let (xx, yy) = (x + dx, y + dy);
                            if xx >= 0 && yy >= 0 && xx < w && yy < h {
                                s += f.data[((yy * w + xx) * 4 + c) as usize] as u32;
                                n += 1;
                            }
                        }
                    }
                    out[((y * w + x) * 4 + c) as usize] = (s / n) as u8;
                }
            }
        }
        RgbaFrame::new(f.width, f.height, out).unwrap()
    }

    #[test]
    fn black_frame_is_uniform_and_rejected() {
        let m = QuickMetrics::of(&RgbaFrame::filled(64, 36, [0, 0, 0, 255]));
        assert!(m.uniformity >= 0.99);
        assert_eq!(m.rejection(), Some(Rejection::TooDark));
        assert_eq!(m.score(), 0.0);
        let grey = QuickMetrics::of(&RgbaFrame::filled(64, 36, [128, 128, 128, 255]));
        assert_eq!(grey.rejection(), Some(Rejection::Uniform));
    }

    #[test]
    fn blurred_copy_is_less_sharp() {
        let sharp = checkerboard(96, 64, 6);
        let blurred = box_blur(&sharp, 3);
        let (a, b) = (QuickMetrics::of(&sharp), QuickMetrics::of(&blurred));
        assert!(a.sharpness > b.sharpness * 2.0, "{a:?} vs {b:?}");
    }

    #[test]
    fn dark_copy_is_rejected_as_too_dark() {
        let mut f = checkerboard(64, 64, 4);
        for p in f.data.chunks_exact_mut(4) {
            for c in &mut p[..3] {
                *c /= 12;
            }
        }
        let m = QuickMetrics::of(&f);
        assert_eq!(m.rejection(), Some(Rejection::TooDark), "{m:?}");
    }

    #[test]
    fn batch_equals_one_by_one() {
        let frames = vec![checkerboard(32, 32, 2), checkerboard(32, 32, 8)];
        let batch = quick_metrics_batch(&frames);
        assert_eq!(batch[1], QuickMetrics::of(&frames[1]));
    }
}
