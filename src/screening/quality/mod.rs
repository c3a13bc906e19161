//! Quick per-frame metrics on analysis-size frames: cheap enough for every sample,
//! used to reject spoiled frames before any model runs, and to find shots and
//! transitions (`scenes`) and importance segments (`segments`).
//!
//! Thresholds follow Hecate (Song et al., CIKM 2016) on frames of ≤ 320 px: reject
//! when sharpness ≤ 0.08 or uniformity ≥ 0.8; brightness ≤ 0.12 (Hecate: 0.075 — a
//! thumbnail is seen small, and a frame with mean luma 0.1 already reads as black).
//! Every metric and threshold is described in docs/quick-filter.md.
//!
//! Cost: two passes over the frame (one over RGBA for luma, histograms, colourfulness
//! and the cell means behind the perceptual hash; one over luma for Laplacian,
//! gradient and the edge grid), into [`FrameSums`]. The WebGPU path (www/worker/gpu.js)
//! accumulates the same sums on the GPU; both end in [`QuickMetrics::from_sums`].

mod content;
mod stats;
mod sums;

use std::sync::OnceLock;

use rayon::prelude::*;
use serde::{Serialize, Serializer};

use crate::error::{FramepickError, Result};
use crate::media::frame::RgbaFrame;
use crate::screening::look::{content_rect, content_rect_in, Rect};
pub use content::{
    drag, gradient_balance, smear, ContentLuma, Smear, DRAG_LIMIT, FINE_DRAG_LIMIT, SMEAR_LIMIT,
};
pub use stats::Pearson;
use stats::{colorfulness, entropy, median_bin, phash, pool2, uniformity};
pub use sums::{
    FrameSums, GPU_ACC_WORDS, GPU_CELLS32, GPU_CELLS32_N, GPU_CELLS8, GPU_CELLS8_N, GPU_COLOR_HIST,
    GPU_FIXED, GPU_GRAD8, GPU_GRAD8_N, GPU_LUMA_HIST, GPU_NOISE_HIST, GPU_PARTIALS_PER_TILE,
};

/// Stricter than Hecate's 0.075: see the module comment.
pub const MIN_BRIGHTNESS: f32 = 0.12;
pub const MAX_BRIGHTNESS: f32 = 0.93;
pub const MIN_SHARPNESS: f32 = 0.08;
pub const MAX_UNIFORMITY: f32 = 0.8;
/// A cell of the 8×8 grid whose mean gradient reaches this holds fine detail (text).
pub const SCREEN_CELL_GRADIENT: f32 = 0.03;
/// Sharpness a page of text or a screen recording has at least (code: 0.92–0.94).
pub const SCREEN_MIN_SHARPNESS: f32 = 0.5;
/// Uniformity of a plain background behind text (code: 0.82–0.86; a photo half
/// clipped to white, whose other half is detailed: 0.68).
pub const SCREEN_MIN_UNIFORMITY: f32 = 0.75;
/// Noise σ (luma, 0–255, at the analysis size; see [`QuickMetrics::noise`]) at or above
/// which a frame is too grainy for a thumbnail. Measured in Chromium at 320×180 (canvas
/// downscale) on the bench and test videos: clean footage 0.1–1.7, a page of small
/// text 2.3, heavy grain (FFmpeg `noise=alls=90`) 11.5–11.9 (docs/quick-filter.md).
pub const MAX_NOISE: f32 = 6.0;
/// Contrast (luma std, 0–1) from which a frame under [`MIN_BRIGHTNESS`] is a dim but
/// well exposed scene ([`QuickMetrics::is_dim_but_exposed`]), and the brightness it needs
/// at least (under it the frame is black, whatever a logo on it does to the contrast).
pub const DIM_MIN_CONTRAST: f32 = 0.09;
pub const DIM_MIN_BRIGHTNESS: f32 = 0.05;
/// Share of crushed blacks (luma ≤ [`SHADOW_CLIP_LUMA`]) from which a dark frame is
/// underexposed, not a dim scene ([`QuickMetrics::is_dim_but_exposed`]).
pub const DIM_MAX_CRUSHED: f32 = 0.1;
/// Share of the R, G and B values in the upper half of the range (≥ 128) from which a
/// dark frame with crushed blacks is still a dim scene ([`QuickMetrics::is_dim_but_exposed`]):
/// a dark party photo keeps its lit faces and highlights (evaluation set, tuning half:
/// 2.3–3.5 % of the values), an underexposed frame has lost them (a gain of 0.4 or less
/// leaves nothing there: 0.0 % in every dark spell; the offset-darkened spell of
/// tests/make_videos.sh `spoiled.mp4`: 0.03 %).
pub const DIM_MIN_HIGHLIGHTS: f32 = 0.01;
/// Variance of the Laplacian at which `sharpness` reads 0.5. A crisp 320 px frame of
/// real footage sits well above it; a motion-blurred one well below.
const SHARPNESS_HALF_POINT: f32 = 60.0;
/// Luma (0–255) at or below which a pixel counts as a clipped shadow.
pub const SHADOW_CLIP_LUMA: u8 = 5;
/// Luma (0–255) at or above which a pixel counts as a clipped highlight.
pub const HIGHLIGHT_CLIP_LUMA: u8 = 250;
/// Bins per channel of [`ColorHist`].
pub const HIST_BINS: usize = 16;
/// Side of the cell grids ([`QuickMetrics::thumb`], [`QuickMetrics::edges`]).
pub const GRID: usize = 8;
const CELLS: usize = GRID * GRID;

/// Colour histogram for shot detection: 16 bins per R, G, B channel (bins 0–15 red,
/// 16–31 green, 32–47 blue); each channel sums to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColorHist(pub [f32; 3 * HIST_BINS]);

impl Default for ColorHist {
    fn default() -> Self {
        Self([0.0; 3 * HIST_BINS])
    }
}

impl ColorHist {
    /// Half the L1 distance averaged over the three channels: 0 (same) to 1 (disjoint).
    pub fn distance(&self, other: &ColorHist) -> f32 {
        let l1: f32 = self
            .0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a - b).abs())
            .sum();
        (l1 / 6.0).min(1.0)
    }
}

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
    /// Mean gradient magnitude (central differences), luma on a 0–1 scale: a second
    /// sharpness measure, less noise-driven than the Laplacian.
    pub gradient: f32,
    /// Noise σ on the 0–255 luma scale: the median absolute response to Immerkær's 3×3
    /// kernel (which cancels edges and ramps) over 0.6745 · 6, as for Gaussian noise.
    /// The median, not Immerkær's mean: text and fine patterns answer the kernel only at
    /// their corners, a minority of pixels; grain answers everywhere.
    pub noise: f32,
    /// Share of pixels with luma ≤ 5 (of 255).
    pub clipped_shadows: f32,
    /// Share of pixels with luma ≥ 250 (of 255).
    pub clipped_highlights: f32,
    /// Shannon entropy of the 256-bin luma histogram divided by 8 bits: 0–1.
    pub entropy: f32,
    /// Hasler–Süsstrunk colourfulness on 0–255 RGB: 0 grey, ~15 slightly, ~33
    /// moderately, ~59 quite, ~82 highly, ≥ 109 extremely colourful.
    pub colorfulness: f32,
    /// 64-bit DCT perceptual hash (pHash of a 32×32 luma downscale); JSON gives it as
    /// 16 hex digits (a JS number can't hold 64 bits). Compare with [`hamming`].
    #[serde(serialize_with = "hex64")]
    pub phash: u64,
    /// Colour histogram (shot detection).
    #[serde(skip)]
    pub hist: ColorHist,
    /// Mean RGB of each cell of an 8×8 grid, 0–255, row-major (transition detection:
    /// a dissolve is a linear mix of its ends, and so are these means).
    #[serde(skip)]
    pub thumb: [[f32; 3]; CELLS],
    /// Mean gradient magnitude of each cell of an 8×8 grid (edge-change measure).
    #[serde(skip)]
    pub edges: [f32; CELLS],
    /// Mean luma (0–255) of each cell of a 16×16 grid, row-major: the layout a pan or
    /// zoom shifts, for comparing frames of one picture ([`crate::screening::spoils`]).
    #[serde(skip)]
    pub grid: [f32; FINE_CELLS],
}

/// Side of [`QuickMetrics::grid`].
pub const FINE_GRID: usize = 16;
pub const FINE_CELLS: usize = FINE_GRID * FINE_GRID;

fn hex64<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{v:016x}"))
}

/// Number of differing bits between two perceptual hashes (0 = same picture,
/// ≤ 10 near duplicates, ~32 unrelated pictures).
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Rejection {
    TooDark,
    BlownOut,
    Blurry,
    Uniform,
    Noisy,
}

/// Quick-filter thresholds. `Default` is Hecate's (what [`QuickMetrics::rejection`]
/// uses); the clipping limits are off by default (`None`) because a white studio
/// background or a letterboxed film clips legitimately.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuickFilter {
    pub min_brightness: f32,
    pub max_brightness: f32,
    pub min_sharpness: f32,
    pub max_uniformity: f32,
    pub max_noise: f32,
    /// Reject as blown out when at least this share of pixels is clipped white.
    pub max_clipped_highlights: Option<f32>,
    /// Reject as too dark when at least this share of pixels is clipped black.
    pub max_clipped_shadows: Option<f32>,
    /// Reject as blown out when at least this share of pixels is clipped white and the
    /// frame is bright overall ([`WASHED_OUT_BRIGHTNESS`]): a washed-out picture, not a
    /// dark scene with a window or a letterboxed film.
    pub max_clipped_when_bright: Option<f32>,
}

/// Default of [`QuickFilter::max_clipped_when_bright`] and the brightness from which
/// it applies. Fitted on the evaluation set's tuning half (bench/eval, 320 px): it
/// rejects 45–68 % of its blown-out frames and 2 % of its clean ones (product shots
/// on white).
pub const WASHED_OUT_CLIPPED: f32 = 0.15;
pub const WASHED_OUT_BRIGHTNESS: f32 = 0.65;
/// ... and only while under this share of its R, G and B values are deep tones
/// ([`QuickMetrics::dark_tones`]): overexposure lifts the blacks with everything else,
/// while a bright photo that keeps true blacks (a white mask on black, a portrait
/// against a window) is high-key, not washed out. Tuning half (320 px): every blown-out
/// frame this rule rejects has at most 0.02 % deep tones; 34 of the 41 clean frames it
/// rejected have 3.7–8 %.
pub const WASHED_OUT_MAX_DARK: f32 = 0.01;
/// A screen-like frame ([`QuickMetrics::is_screen_like`]) that is washed out (the rule
/// above) is a page only while its [`QuickMetrics::layout_spread`] reaches this; under
/// it, it is a blown-out picture whose remaining texture looks like text. Fitted on the
/// evaluation set's tuning half (320 px): every clean screen-like frame spreads 6.6 or
/// more (code on a dark theme 6.6–9.2, on a light one 8.0–11.0, a space photo 8.4–11.4),
/// a gravel photo blown out 3.3. Chromium screenshots of a white web page and of code
/// on white spread 12.2.
pub const PAGE_MIN_LAYOUT: f32 = 5.0;
/// Channel values under this (of 255) are deep tones: the first two bins of [`ColorHist`].
pub const DEEP_TONE: u32 = 32;

impl Default for QuickFilter {
    fn default() -> Self {
        Self {
            min_brightness: MIN_BRIGHTNESS,
            max_brightness: MAX_BRIGHTNESS,
            min_sharpness: MIN_SHARPNESS,
            max_uniformity: MAX_UNIFORMITY,
            max_noise: MAX_NOISE,
            max_clipped_highlights: None,
            max_clipped_shadows: None,
            max_clipped_when_bright: Some(WASHED_OUT_CLIPPED),
        }
    }
}

impl QuickFilter {
    /// Hecate's limits plus clipping: ≥ 50 % clipped white is blown out, ≥ 70 %
    /// clipped black is too dark.
    pub fn strict() -> Self {
        Self {
            max_clipped_highlights: Some(0.5),
            max_clipped_shadows: Some(0.7),
            ..Self::default()
        }
    }
}

impl QuickMetrics {
    pub fn of(frame: &RgbaFrame) -> Self {
        Self::from_sums(&FrameSums::of(frame))
    }

    /// The metrics of the picture between letterbox or pillarbox bars: black bars
    /// would read as a flat, dark, noise-free half of the frame and hide what the
    /// picture itself is ([`crate::screening::look::content_rect`]).
    pub fn of_content(frame: &RgbaFrame) -> Self {
        Self::of_rect(frame, content_rect(frame))
    }

    /// The metrics of the part `r` of the frame (its content rectangle, found already).
    pub fn of_rect(frame: &RgbaFrame, r: Rect) -> Self {
        if r.is_whole(frame) {
            Self::of(frame)
        } else {
            Self::of(&frame.crop(r.x, r.y, r.width, r.height))
        }
    }

    /// Whether the 8×8 cell means show a dark band along an edge of the frame: the
    /// frame may have bars, and its metrics should come from [`Self::of_content`].
    pub fn may_have_bars(&self) -> bool {
        let dark = |i: usize| {
            let [r, g, b] = self.thumb[i];
            0.299 * r + 0.587 * g + 0.114 * b < 24.0
        };
        let row = |y: usize| (0..GRID).all(|x| dark(y * GRID + x));
        let col = |x: usize| (0..GRID).all(|y| dark(y * GRID + x));
        let any_light = (0..CELLS).any(|i| !dark(i));
        any_light && (row(0) || row(GRID - 1) || col(0) || col(GRID - 1))
    }

    pub fn from_sums(s: &FrameSums) -> Self {
        let n = (s.width as usize * s.height as usize).max(1);
        let nf = n as f64;
        let mean = s.luma[0] / nf;
        let var = (s.luma[1] / nf - mean * mean).max(0.0);
        let mut hist = ColorHist::default();
        for (o, &c) in hist.0.iter_mut().zip(&s.color_hist) {
            *o = c as f32 / n as f32;
        }
        let mut thumb = [[0.0f32; 3]; CELLS];
        for ((t, c), &cnt) in thumb.iter_mut().zip(&s.cells8).zip(&s.cells8_n) {
            let m = cnt.max(1) as f32;
            *t = [c[0] / m, c[1] / m, c[2] / m];
        }
        let mut c32 = [0.0f32; 32 * 32];
        for ((o, &c), &cnt) in c32.iter_mut().zip(&s.cells32).zip(&s.cells32_n) {
            *o = c / cnt.max(1) as f32;
        }
        let mut edges = [0.0f32; CELLS];
        for ((o, &g), &cnt) in edges.iter_mut().zip(&s.grad8).zip(&s.grad8_n) {
            *o = g / (cnt.max(1) as f32 * 255.0);
        }
        let interior =
            (s.width.saturating_sub(2) as f64 * s.height.saturating_sub(2) as f64).max(1.0);
        let lap_mean = s.lap[0] / interior;
        let lap_var = (s.lap[1] / interior - lap_mean * lap_mean).max(0.0) as f32;
        let shadows: u32 = s.luma_hist[..=SHADOW_CLIP_LUMA as usize].iter().sum();
        let highlights: u32 = s.luma_hist[HIGHLIGHT_CLIP_LUMA as usize..].iter().sum();
        Self {
            brightness: (mean / 255.0) as f32,
            contrast: (var.sqrt() / 255.0) as f32,
            sharpness: lap_var / (lap_var + SHARPNESS_HALF_POINT),
            uniformity: uniformity(&s.luma_hist, n),
            gradient: (s.grad / interior) as f32 / 255.0,
            noise: median_bin(&s.noise_hist) / (0.6745 * 6.0),
            clipped_shadows: shadows as f32 / n as f32,
            clipped_highlights: highlights as f32 / n as f32,
            entropy: entropy(&s.luma_hist, n),
            colorfulness: colorfulness(s.rg, s.yb, n),
            phash: phash(&c32),
            hist,
            thumb,
            edges,
            grid: pool2(&c32),
        }
    }

    /// A page of text or a screen recording (code, documents, a browser): fine detail
    /// spread over at least a quarter of the frame on a plain background. A plain
    /// background is what such frames are made of, so the rules that reject on
    /// uniformity and on brightness (a white page) do not apply to them; darkness, noise
    /// and blur still do. At 320×180: dark- and light-theme code have 29–31 of 64 cells
    /// over [`SCREEN_CELL_GRADIENT`] (the 16th densest 0.043–0.048) and sharpness 0.93;
    /// FFmpeg's test cards 8 and 13 cells, a title card 8, over-exposed footage none.
    pub fn is_screen_like(&self) -> bool {
        let detailed = self
            .edges
            .iter()
            .filter(|&&e| e >= SCREEN_CELL_GRADIENT)
            .count();
        detailed * 4 >= CELLS
            && self.sharpness >= SCREEN_MIN_SHARPNESS
            && self.uniformity >= SCREEN_MIN_UNIFORMITY
    }

    /// Standard deviation of [`QuickMetrics::grid`]'s cell lumas (0–255): how much the
    /// picture's layout varies at the scale of a sixteenth of the frame. A page lays
    /// out in blocks of text and margins; the texture a blow-out leaves of a photo is
    /// even, and reads like a white page to every other measure.
    pub fn layout_spread(&self) -> f32 {
        let n = FINE_CELLS as f32;
        let mean = self.grid.iter().sum::<f32>() / n;
        (self.grid.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n).sqrt()
    }

    /// A dark scene that is well exposed (a night sky): mean luma under the too-dark
    /// limit, but its tones spread (contrast, the luma std, ≥ [`DIM_MIN_CONTRAST`]), its
    /// blacks not crushed (under [`DIM_MAX_CRUSHED`] of the pixels at luma ≤ 5) and its
    /// detail sharp. An underexposed frame is dark *and* flat when a gain darkened it
    /// (the gain squashes its contrast too), or dark with crushed blacks when an offset
    /// did. Neither the too-dark nor the uniformity rule (a dark sky is one dark tone)
    /// applies to it; darkness next to a brighter frame of the same picture still does
    /// ([`crate::screening::spoils`]). On the evaluation set's tuning half (320 px): a space photo
    /// reads contrast 0.095–0.109 at brightness 0.068–0.073 with 0.1–0.6 % crushed;
    /// every underexposed spell under 0.12 brightness reads contrast ≤ 0.061; the
    /// offset-darkened spell of tests/make_videos.sh `spoiled.mp4` reads contrast 0.108
    /// with 36 % crushed.
    ///
    /// Crushed blacks are allowed where highlights remain ([`DIM_MIN_HIGHLIGHTS`]): black
    /// clothes and a dark room around lit faces crush as much as an offset does, but an
    /// underexposure takes the highlights with it.
    pub fn is_dim_but_exposed(&self) -> bool {
        self.brightness >= DIM_MIN_BRIGHTNESS
            && self.contrast >= DIM_MIN_CONTRAST
            && (self.clipped_shadows < DIM_MAX_CRUSHED
                || self.highlight_tones() >= DIM_MIN_HIGHLIGHTS)
            && self.sharpness >= SCREEN_MIN_SHARPNESS
    }

    /// Share of the R, G and B values in the upper half of the range (≥ 128), 0–1: the
    /// highlights an underexposed picture has lost.
    pub fn highlight_tones(&self) -> f32 {
        self.tone_share(HIST_BINS / 2..HIST_BINS)
    }

    /// Share of the R, G and B values under [`DEEP_TONE`], 0–1: the deep tones a
    /// washed-out picture has lost.
    pub fn dark_tones(&self) -> f32 {
        self.tone_share(0..(DEEP_TONE as usize * HIST_BINS).div_ceil(256))
    }

    /// Share of the R, G and B values in the histogram bins `bins`, 0–1.
    fn tone_share(&self, bins: std::ops::Range<usize>) -> f32 {
        (0..3)
            .map(|c| {
                self.hist.0[c * HIST_BINS + bins.start..c * HIST_BINS + bins.end]
                    .iter()
                    .sum::<f32>()
            })
            .sum::<f32>()
            / 3.0
    }

    /// Hecate's verdict ([`QuickFilter::default`]).
    pub fn rejection(&self) -> Option<Rejection> {
        self.rejection_with(&QuickFilter::default())
    }

    pub fn rejection_with(&self, f: &QuickFilter) -> Option<Rejection> {
        let over = |v: f32, lim: Option<f32>| lim.is_some_and(|l| v >= l);
        let screen = self.is_screen_like();
        let night = self.is_dim_but_exposed();
        let washed_out = self.brightness >= WASHED_OUT_BRIGHTNESS
            && over(self.clipped_highlights, f.max_clipped_when_bright)
            && self.dark_tones() < WASHED_OUT_MAX_DARK;
        // Exposure first: a dark frame is also flat, and "too dark" says more.
        if (self.brightness <= f.min_brightness && !night)
            || over(self.clipped_shadows, f.max_clipped_shadows)
        {
            Some(Rejection::TooDark)
        } else if (!screen || (washed_out && self.layout_spread() < PAGE_MIN_LAYOUT))
            && (self.brightness >= f.max_brightness
                || over(self.clipped_highlights, f.max_clipped_highlights)
                || washed_out)
        {
            Some(Rejection::BlownOut)
        } else if !screen && !night && self.uniformity >= f.max_uniformity {
            Some(Rejection::Uniform)
        } else if self.noise >= f.max_noise {
            Some(Rejection::Noisy)
        } else if self.sharpness <= f.min_sharpness {
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

    /// Random texture (fine detail in every direction), smoothed along x over `hx`
    /// pixels each side and along y over `hy`.
    fn texture(w: u32, h: u32, hx: i32, hy: i32) -> RgbaFrame {
        let (wi, hi) = (w as i32, h as i32);
        let mut seed = 11u32;
        let raw: Vec<f32> = (0..w * h)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                40.0 + ((seed >> 16) % 160) as f32
            })
            .collect();
        let mut data = Vec::with_capacity((w * h * 4) as usize);
        for y in 0..hi {
            for x in 0..wi {
                let (mut s, mut n) = (0.0, 0.0);
                for dy in -hy..=hy {
                    for dx in -hx..=hx {
                        let (xx, yy) = ((x + dx).clamp(0, wi - 1), (y + dy).clamp(0, hi - 1));
                        s += raw[(yy * wi + xx) as usize];
                        n += 1.0;
                    }
                }
                let v = (s / n) as u8;
                data.extend_from_slice(&[v, v, v, 255]);
            }
        }
        RgbaFrame::new(w, h, data).unwrap()
    }

    #[test]
    fn smear_tells_a_horizontal_motion_blur_from_sharp_and_evenly_blurred_frames() {
        let sharp = smear(&texture(96, 64, 0, 0));
        let even = smear(&texture(96, 64, 1, 1));
        let along_x = smear(&texture(96, 64, 2, 0));
        let along_y = smear(&texture(96, 64, 0, 2));
        assert!((0.85..1.2).contains(&sharp), "{sharp}");
        assert!((0.85..1.2).contains(&even), "{even}");
        assert!(along_x < SMEAR_LIMIT, "{along_x}");
        assert!(along_y > 1.0, "{along_y}");
        // A flat frame has no detail to lose.
        assert_eq!(smear(&RgbaFrame::filled(64, 36, [90, 90, 90, 255])), 1.0);
    }

    #[test]
    fn drag_reads_a_long_horizontal_smear_that_smear_levels_off_on() {
        let sharp = drag(&texture(128, 72, 0, 0));
        let even = drag(&texture(128, 72, 4, 4));
        let long_x = drag(&texture(128, 72, 5, 0));
        let long_y = drag(&texture(128, 72, 0, 5));
        assert!(sharp.abs() < 0.1, "{sharp}");
        assert!(even.abs() < 0.1, "{even}");
        assert!(long_x > DRAG_LIMIT, "{long_x}");
        assert!(long_y < 0.0, "{long_y}");
        // A flat frame has no differences to correlate.
        assert_eq!(drag(&RgbaFrame::filled(64, 36, [90, 90, 90, 255])), 0.0);
    }

    #[test]
    fn a_night_sky_is_dim_but_exposed_an_underexposed_copy_is_too_dark() {
        // Sparse bright stars and a faint glow on a dark sky, a little sensor noise.
        let (w, h) = (160u32, 90u32);
        let mut seed = 5u32;
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let star = (seed >> 16).is_multiple_of(25);
                let glow = 8 + (x + y) / 16;
                let v = if star { 240 } else { glow + (seed >> 30) } as u8;
                data.extend_from_slice(&[v, v, v, 255]);
            }
        }
        let sky = RgbaFrame::new(w, h, data).unwrap();
        let m = QuickMetrics::of(&sky);
        assert!(m.brightness < MIN_BRIGHTNESS, "{m:?}");
        assert!(m.is_dim_but_exposed(), "{m:?}");
        assert_eq!(m.rejection(), None);
        // The same sky under a gain of 0.4: flat and crushed, too dark.
        let mut dark = sky.clone();
        for p in dark.data.chunks_exact_mut(4) {
            for c in &mut p[..3] {
                *c = (*c as f32 * 0.4) as u8;
            }
        }
        assert_eq!(
            QuickMetrics::of(&dark).rejection(),
            Some(Rejection::TooDark)
        );
    }

    #[test]
    fn a_dark_room_with_lit_faces_is_dim_but_exposed_an_offset_darkened_copy_is_not() {
        // Black clothes and a dark room (a third of the pixels crushed), a dim wall, and
        // a few lit faces and highlights in the upper half of the range.
        let (w, h) = (160u32, 90u32);
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let v: u8 = match (x / 20, y / 15) {
                    (0..=2, _) => 2 + ((x + y) % 3) as u8,
                    (3, 1..=2) => 170 + (x % 7) as u8 * 5,
                    (5, 3) => 150 + (y % 5) as u8 * 8,
                    _ => 20 + ((x * 3 + y * 5) % 24) as u8,
                };
                data.extend_from_slice(&[v, v, v, 255]);
            }
        }
        let room = RgbaFrame::new(w, h, data).unwrap();
        let m = QuickMetrics::of(&room);
        assert!(m.brightness < MIN_BRIGHTNESS, "{m:?}");
        assert!(m.clipped_shadows >= DIM_MAX_CRUSHED, "{m:?}");
        assert!(m.highlight_tones() >= DIM_MIN_HIGHLIGHTS, "{m:?}");
        assert_eq!(m.rejection(), None, "{m:?}");
        // An offset takes the highlights down with everything else: too dark.
        let mut dark = room.clone();
        for p in dark.data.chunks_exact_mut(4) {
            for c in &mut p[..3] {
                *c = c.saturating_sub(90);
            }
        }
        let d = QuickMetrics::of(&dark);
        assert!(d.highlight_tones() < DIM_MIN_HIGHLIGHTS, "{d:?}");
        assert_eq!(d.rejection(), Some(Rejection::TooDark));
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

    #[test]
    fn new_metrics_on_synthetic_frames() {
        let black = QuickMetrics::of(&RgbaFrame::filled(64, 36, [0, 0, 0, 255]));
        assert_eq!(black.clipped_shadows, 1.0);
        assert_eq!(black.clipped_highlights, 0.0);
        assert_eq!(black.entropy, 0.0);
        assert_eq!(black.gradient, 0.0);
        assert!(black.colorfulness < 1e-3);
        let white = QuickMetrics::of(&RgbaFrame::filled(64, 36, [255, 255, 255, 255]));
        assert_eq!(white.clipped_highlights, 1.0);
        assert_eq!(white.rejection(), Some(Rejection::BlownOut));
        // Pure red: maximal rg opponent, colourful; 3 hist bins filled, each channel sums to 1.
        let red = QuickMetrics::of(&RgbaFrame::filled(64, 36, [255, 0, 0, 255]));
        // 0.3 · |(255, 127.5)| = 85.5 (no spread, all mean term).
        assert!(
            (red.colorfulness - 85.53).abs() < 0.1,
            "{}",
            red.colorfulness
        );
        assert_eq!(red.hist.0[15], 1.0);
        assert_eq!(red.hist.0[16], 1.0);
        assert_eq!(red.hist.0[32], 1.0);
        assert_eq!(red.thumb[10], [255.0, 0.0, 0.0]);
        // A 256-level ramp has (nearly) maximal entropy.
        let mut data = Vec::new();
        for _y in 0..16 {
            for x in 0..256u32 {
                let v = x as u8;
                data.extend_from_slice(&[v, v, v, 255]);
            }
        }
        let ramp = QuickMetrics::of(&RgbaFrame::new(256, 16, data).unwrap());
        assert!(ramp.entropy > 0.95, "{}", ramp.entropy);
        assert!(ramp.gradient > 0.0 && ramp.gradient < 0.01);
    }

    #[test]
    fn gradient_and_edges_follow_blur() {
        let sharp = checkerboard(96, 64, 6);
        let blurred = box_blur(&sharp, 3);
        let (a, b) = (QuickMetrics::of(&sharp), QuickMetrics::of(&blurred));
        assert!(a.gradient > b.gradient * 1.5, "{a:?} vs {b:?}");
        let (ea, eb): (f32, f32) = (a.edges.iter().sum(), b.edges.iter().sum());
        assert!(ea > eb * 1.5);
    }

    #[test]
    fn phash_tells_pictures_apart() {
        let a = QuickMetrics::of(&checkerboard(96, 64, 6));
        let b = QuickMetrics::of(&checkerboard(96, 64, 6));
        assert_eq!(hamming(a.phash, b.phash), 0);
        let c = QuickMetrics::of(&checkerboard(96, 64, 16));
        assert!(hamming(a.phash, c.phash) > 10);
        assert_eq!(hamming(0, u64::MAX), 64);
    }

    #[test]
    fn clipping_rejects_a_washed_out_frame_and_strict_any_frame() {
        // Most of the frame clipped white, the rest mid-grey texture: washed out.
        let mut f = checkerboard(64, 64, 4);
        for p in f.data.chunks_exact_mut(4).take(64 * 40) {
            p[..3].copy_from_slice(&[255, 255, 255]);
        }
        let m = QuickMetrics::of(&f);
        assert!(m.clipped_highlights > 0.6 && m.brightness >= WASHED_OUT_BRIGHTNESS);
        assert_eq!(m.rejection(), Some(Rejection::BlownOut));
        let hecate = QuickFilter {
            max_clipped_when_bright: None,
            ..QuickFilter::default()
        };
        assert_ne!(m.rejection_with(&hecate), Some(Rejection::BlownOut));
        assert_eq!(
            m.rejection_with(&QuickFilter::strict()),
            Some(Rejection::BlownOut)
        );
        // The same with true blacks left (a white mask on black): high-key, not washed out.
        for p in f.data.chunks_exact_mut(4).skip(64 * 60) {
            p[..3].copy_from_slice(&[8, 8, 8]);
        }
        let m = QuickMetrics::of(&f);
        assert!(m.dark_tones() > WASHED_OUT_MAX_DARK && m.brightness >= WASHED_OUT_BRIGHTNESS);
        assert_eq!(m.rejection(), None);
        // A darker frame with a clipped window passes by default.
        let mut d = checkerboard(64, 64, 4);
        for p in d.data.chunks_exact_mut(4) {
            for c in &mut p[..3] {
                *c /= 3;
            }
        }
        for p in d.data.chunks_exact_mut(4).take(64 * 16) {
            p[..3].copy_from_slice(&[255, 255, 255]);
        }
        let m = QuickMetrics::of(&d);
        assert!(m.clipped_highlights >= WASHED_OUT_CLIPPED && m.brightness < WASHED_OUT_BRIGHTNESS);
        assert_eq!(m.rejection(), None);
    }

    #[test]
    fn gpu_sums_must_have_the_right_length() {
        let acc = vec![0u32; GPU_ACC_WORDS];
        // 20×18 pixels: 2×2 tiles of 16.
        let partials = vec![0.0f32; 4 * GPU_PARTIALS_PER_TILE];
        assert!(FrameSums::from_gpu(20, 18, &acc, &partials).is_ok());
        let err = FrameSums::from_gpu(40, 18, &acc, &partials).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(FrameSums::from_gpu(20, 18, &acc[1..], &partials).is_err());
    }

    #[test]
    fn gpu_layout_reads_back_what_the_cpu_sums_hold() {
        // Lay a CPU pass out the way the shader does (one tile holding every sum) and
        // read it back: the metrics must come out the same.
        let frame = checkerboard(16, 16, 4);
        let s = FrameSums::of(&frame);
        let mut acc = vec![0u32; GPU_ACC_WORDS];
        acc[..256].copy_from_slice(&s.luma_hist);
        acc[GPU_COLOR_HIST..GPU_CELLS32].copy_from_slice(&s.color_hist);
        for k in 0..1024 {
            acc[GPU_CELLS32 + k] = (s.cells32[k] * GPU_FIXED).round() as u32;
            acc[GPU_CELLS32_N + k] = s.cells32_n[k];
        }
        for k in 0..CELLS {
            for c in 0..3 {
                acc[GPU_CELLS8 + 3 * k + c] = s.cells8[k][c] as u32;
            }
            acc[GPU_CELLS8_N + k] = s.cells8_n[k];
            acc[GPU_GRAD8 + k] = (s.grad8[k] * GPU_FIXED).round() as u32;
            acc[GPU_GRAD8_N + k] = s.grad8_n[k];
        }
        acc[GPU_NOISE_HIST..].copy_from_slice(&s.noise_hist);
        let partials = [
            s.luma[0], s.luma[1], s.rg[0], s.rg[1], s.yb[0], s.yb[1], s.lap[0], s.lap[1], s.grad,
        ]
        .map(|v| v as f32);
        let back = QuickMetrics::from_sums(&FrameSums::from_gpu(16, 16, &acc, &partials).unwrap());
        let want = QuickMetrics::of(&frame);
        assert_eq!(back.phash, want.phash);
        assert_eq!(back.hist, want.hist);
        assert_eq!(back.noise, want.noise);
        assert!((back.sharpness - want.sharpness).abs() < 1e-4);
        assert!((back.colorfulness - want.colorfulness).abs() < 1e-3);
        assert!((back.gradient - want.gradient).abs() < 1e-4);
    }

    #[test]
    fn grain_raises_the_noise_estimate_edges_and_ramps_do_not() {
        // A ramp and a hard-edged checkerboard: no noise, whatever their gradients.
        let mut ramp = Vec::new();
        for y in 0..64u32 {
            for x in 0..96u32 {
                let v = (x + y) as u8;
                ramp.extend_from_slice(&[v, v, v, 255]);
            }
        }
        // (Responses of 0 land in the bin [0, 1): the estimate's floor is 0.5 / 4.05.)
        let ramp = QuickMetrics::of(&RgbaFrame::new(96, 64, ramp).unwrap());
        assert!(ramp.noise < 0.2, "{}", ramp.noise);
        let flat = QuickMetrics::of(&RgbaFrame::filled(96, 64, [90, 90, 90, 255]));
        assert!(flat.noise < 0.2, "{}", flat.noise);
        // Black text on white: corners answer the kernel, most pixels do not.
        let mut text = vec![255u8; 96 * 64 * 4];
        for (i, p) in text.chunks_exact_mut(4).enumerate() {
            let (x, y) = (i % 96, i / 96);
            if y % 8 < 3 && x % 4 < 2 {
                p[..3].copy_from_slice(&[0, 0, 0]);
            }
        }
        let text = QuickMetrics::of(&RgbaFrame::new(96, 64, text).unwrap());
        assert!(text.noise < 1.0, "{}", text.noise);
        // Uniform noise of ±40 has σ ≈ 23: estimated within 15 %, and rejected.
        let mut seed = 7u32;
        let mut data = Vec::new();
        for _ in 0..96 * 64 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let v = (88 + seed % 81) as u8;
            data.extend_from_slice(&[v, v, v, 255]);
        }
        let grainy = QuickMetrics::of(&RgbaFrame::new(96, 64, data).unwrap());
        assert!((grainy.noise - 23.4).abs() < 3.5, "{}", grainy.noise);
        assert_eq!(grainy.rejection(), Some(Rejection::Noisy));
    }

    #[test]
    fn serializes_camel_case_with_hex_hash() {
        let m = QuickMetrics::of(&checkerboard(32, 32, 4));
        let v = serde_json::to_value(m).unwrap();
        assert!(v.get("clippedHighlights").is_some());
        assert!(v.get("hist").is_none());
        assert_eq!(v["phash"].as_str().unwrap().len(), 16);
    }
}
