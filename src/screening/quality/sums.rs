use super::*;

/// Word offsets of the GPU accumulator (www/worker/gpu.js writes it with atomics; the two
/// must agree): luma histogram, colour histogram, 32×32 luma cell sums (fixed point,
/// [`GPU_FIXED`]) and counts, 8×8 RGB cell sums and counts, 8×8 gradient cell sums
/// (fixed point) and counts.
pub const GPU_LUMA_HIST: usize = 0;
pub const GPU_COLOR_HIST: usize = 256;
pub const GPU_CELLS32: usize = 304;
pub const GPU_CELLS32_N: usize = 1328;
pub const GPU_CELLS8: usize = 2352;
pub const GPU_CELLS8_N: usize = 2544;
pub const GPU_GRAD8: usize = 2608;
pub const GPU_GRAD8_N: usize = 2672;
/// Histogram of |Immerkær response|, 1 per bin, the last bin 255 and above.
pub const GPU_NOISE_HIST: usize = 2736;
pub const GPU_ACC_WORDS: usize = 2992;
/// Per 16×16 tile: Σl, Σl², Σrg, Σrg², Σyb, Σyb², Σlap, Σlap², Σgrad.
pub const GPU_PARTIALS_PER_TILE: usize = 9;
/// Fixed-point scale of the GPU's fractional cell sums (u32 atomics hold integers).
pub const GPU_FIXED: f32 = 256.0;

/// What one pass over a frame's pixels accumulates; every metric is computed from it.
/// The CPU fills it from RGBA ([`FrameSums::of`]), the GPU path from its compute
/// shader's read-back ([`FrameSums::from_gpu`]), so both end in the same code.
#[derive(Debug, Clone)]
pub struct FrameSums {
    pub width: u32,
    pub height: u32,
    pub(super) luma: [f64; 2],
    pub(super) luma_hist: [u32; 256],
    pub(super) color_hist: [u32; 3 * HIST_BINS],
    /// Σ and Σ² of R − G and of R + G − 2B (Hasler–Süsstrunk; integers, exact).
    pub(super) rg: [f64; 2],
    pub(super) yb: [f64; 2],
    pub(super) cells32: Vec<f32>,
    pub(super) cells32_n: Vec<u32>,
    pub(super) cells8: [[f32; 3]; CELLS],
    pub(super) cells8_n: [u32; CELLS],
    /// Σ and Σ² of the Laplacian and Σ gradient over the interior pixels.
    pub(super) lap: [f64; 2],
    pub(super) grad: f64,
    /// Histogram of |Immerkær kernel response| over the interior pixels (bins of 1).
    pub(super) noise_hist: [u32; 256],
    pub(super) grad8: [f32; CELLS],
    pub(super) grad8_n: [u32; CELLS],
}

impl FrameSums {
    fn empty(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            luma: [0.0; 2],
            luma_hist: [0; 256],
            color_hist: [0; 3 * HIST_BINS],
            rg: [0.0; 2],
            yb: [0.0; 2],
            cells32: vec![0.0; 32 * 32],
            cells32_n: vec![0; 32 * 32],
            cells8: [[0.0; 3]; CELLS],
            cells8_n: [0; CELLS],
            lap: [0.0; 2],
            grad: 0.0,
            noise_hist: [0; 256],
            grad8: [0.0; CELLS],
            grad8_n: [0; CELLS],
        }
    }

    /// One pass over RGBA for luma, histograms, colour opponents and cell sums; one
    /// over luma for the Laplacian and gradient.
    pub fn of(frame: &RgbaFrame) -> Self {
        let (w, h) = (frame.width as usize, frame.height as usize);
        let mut s = Self::empty(frame.width, frame.height);
        let mut luma = Vec::with_capacity(w * h);
        let (mut rg_s, mut rg_q, mut yb_s, mut yb_q) = (0i64, 0i64, 0i64, 0i64);
        let mut c8 = [[0u32; 3]; CELLS];
        let col32: Vec<usize> = (0..w).map(|x| x * 32 / w).collect();
        let col8: Vec<usize> = (0..w).map(|x| x * GRID / w).collect();
        for (y, row) in frame.data.chunks_exact(w * 4).enumerate() {
            let r32 = (y * 32 / h) * 32;
            let r8 = (y * GRID / h) * GRID;
            let (mut rs, mut rq) = (0.0f32, 0.0f32);
            for (x, p) in row.chunks_exact(4).enumerate() {
                let (r, g, b) = (p[0], p[1], p[2]);
                let l = 0.299 * r as f32 + 0.587 * g as f32 + 0.114 * b as f32;
                luma.push(l);
                rs += l;
                rq += l * l;
                s.luma_hist[(l as usize).min(255)] += 1;
                s.color_hist[(r >> 4) as usize] += 1;
                s.color_hist[HIST_BINS + (g >> 4) as usize] += 1;
                s.color_hist[2 * HIST_BINS + (b >> 4) as usize] += 1;
                let rg = r as i64 - g as i64;
                let yb = r as i64 + g as i64 - 2 * b as i64;
                rg_s += rg;
                rg_q += rg * rg;
                yb_s += yb;
                yb_q += yb * yb;
                let k = r32 + col32[x];
                s.cells32[k] += l;
                s.cells32_n[k] += 1;
                let k = r8 + col8[x];
                c8[k][0] += r as u32;
                c8[k][1] += g as u32;
                c8[k][2] += b as u32;
                s.cells8_n[k] += 1;
            }
            s.luma[0] += rs as f64;
            s.luma[1] += rq as f64;
        }
        s.rg = [rg_s as f64, rg_q as f64];
        s.yb = [yb_s as f64, yb_q as f64];
        for (o, c) in s.cells8.iter_mut().zip(&c8) {
            *o = [c[0] as f32, c[1] as f32, c[2] as f32];
        }
        edge_sums(&luma, w, h, &mut s);
        s
    }

    /// From the GPU path's read-back: the atomic accumulator (`GPU_*` layout) and the
    /// per-tile partial sums.
    pub fn from_gpu(width: u32, height: u32, acc: &[u32], partials: &[f32]) -> Result<Self> {
        let tiles = width.div_ceil(16) as usize * height.div_ceil(16) as usize;
        if width == 0
            || height == 0
            || acc.len() != GPU_ACC_WORDS
            || partials.len() != tiles * GPU_PARTIALS_PER_TILE
        {
            return Err(FramepickError::invalid(format!(
                "GPU sums for {width}x{height} need {GPU_ACC_WORDS} accumulator words and {} \
                 partials, got {} and {}",
                tiles * GPU_PARTIALS_PER_TILE,
                acc.len(),
                partials.len()
            )));
        }
        let mut s = Self::empty(width, height);
        let mut t = [0.0f64; GPU_PARTIALS_PER_TILE];
        for tile in partials.chunks_exact(GPU_PARTIALS_PER_TILE) {
            for (a, &v) in t.iter_mut().zip(tile) {
                *a += v as f64;
            }
        }
        s.luma = [t[0], t[1]];
        s.rg = [t[2], t[3]];
        s.yb = [t[4], t[5]];
        s.lap = [t[6], t[7]];
        s.grad = t[8];
        s.luma_hist
            .copy_from_slice(&acc[GPU_LUMA_HIST..GPU_COLOR_HIST]);
        s.color_hist
            .copy_from_slice(&acc[GPU_COLOR_HIST..GPU_CELLS32]);
        for (o, &v) in s.cells32.iter_mut().zip(&acc[GPU_CELLS32..GPU_CELLS32_N]) {
            *o = v as f32 / GPU_FIXED;
        }
        s.cells32_n.copy_from_slice(&acc[GPU_CELLS32_N..GPU_CELLS8]);
        for (k, o) in s.cells8.iter_mut().enumerate() {
            let at = GPU_CELLS8 + 3 * k;
            *o = [acc[at] as f32, acc[at + 1] as f32, acc[at + 2] as f32];
        }
        s.cells8_n.copy_from_slice(&acc[GPU_CELLS8_N..GPU_GRAD8]);
        for (o, &v) in s.grad8.iter_mut().zip(&acc[GPU_GRAD8..GPU_GRAD8_N]) {
            *o = v as f32 / GPU_FIXED;
        }
        s.grad8_n.copy_from_slice(&acc[GPU_GRAD8_N..GPU_NOISE_HIST]);
        s.noise_hist
            .copy_from_slice(&acc[GPU_NOISE_HIST..GPU_ACC_WORDS]);
        Ok(s)
    }
}

/// Laplacian and gradient sums over the interior of the luma plane, and the
/// gradient's 8×8 cell sums.
#[allow(clippy::needless_range_loop)] // a stencil reads clearest with indices
pub(super) fn edge_sums(luma: &[f32], w: usize, h: usize, s: &mut FrameSums) {
    if w < 3 || h < 3 {
        return;
    }
    let col8: Vec<usize> = (0..w).map(|x| x * GRID / w).collect();
    for y in 1..h - 1 {
        let r8 = (y * GRID / h) * GRID;
        let (mut rs, mut rq, mut rg) = (0.0f32, 0.0f32, 0.0f32);
        for x in 1..w - 1 {
            let i = y * w + x;
            let (up, down, left, right) = (luma[i - w], luma[i + w], luma[i - 1], luma[i + 1]);
            let l = up + down + left + right - 4.0 * luma[i];
            rs += l;
            rq += l * l;
            // Immerkær: [1 −2 1; −2 4 −2; 1 −2 1], blind to edges and ramps.
            let corners = luma[i - w - 1] + luma[i - w + 1] + luma[i + w - 1] + luma[i + w + 1];
            let r = (corners - 2.0 * (up + down + left + right) + 4.0 * luma[i]).abs();
            s.noise_hist[(r as usize).min(255)] += 1;
            let (gx, gy) = (right - left, down - up);
            let g = 0.5 * (gx * gx + gy * gy).sqrt();
            rg += g;
            let k = r8 + col8[x];
            s.grad8[k] += g;
            s.grad8_n[k] += 1;
        }
        s.lap[0] += rs as f64;
        s.lap[1] += rq as f64;
        s.grad += rg as f64;
    }
}
