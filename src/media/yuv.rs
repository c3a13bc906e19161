//! Decoded pictures as the decoder gives them (`VideoFrame.copyTo` in the native YUV
//! layout) turned into the small upright RGBA analysis frame.
//!
//! The pick's `lowMemory` path. Chromium converts a `VideoFrame` drawn on a canvas to a
//! full-size RGBA image first (8 MB at 1080p) and keeps those conversions around — the
//! page's renderer grew by ~550 MiB over 64 drawn 1080p keyframes, against ~150 MiB when
//! the same frames were copied out with `copyTo`. The cost is time: this scalar code
//! takes ~20–30 ms a 1080p frame in wasm where the canvas takes a few. Here only the
//! pixels each output pixel needs are converted, each with its 2×2 block's chroma, and
//! averaged over the output pixel's footprint. Chromium's canvas downscale is box-like
//! (mipmapped), not a bilinear tap: on real frames the box mean gives the canvas path's
//! metrics within 0.015 sharpness and 0.3 noise σ (bilinear taps: 0.05 and 1.6), so the
//! thresholds fitted on canvas frames still hold.

use crate::error::{FramepickError, Result};
use crate::media::frame::RgbaFrame;

/// How the chroma of a 4:2:0 picture is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chroma {
    /// I420: a U plane and a V plane, each half the size in both directions.
    Planar,
    /// NV12: one plane of interleaved U, V pairs.
    Interleaved,
}

/// The YUV → RGB matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matrix {
    Bt601,
    Bt709,
}

impl Matrix {
    /// From `VideoColorSpace.matrix`; unknown or absent: BT.709 from 720 lines up, else
    /// BT.601 (what Chromium assumes for untagged video).
    pub fn from_name(name: Option<&str>, height: u32) -> Matrix {
        match name {
            Some("bt709") => Matrix::Bt709,
            Some("bt470bg" | "smpte170m") => Matrix::Bt601,
            _ if height >= 720 => Matrix::Bt709,
            _ => Matrix::Bt601,
        }
    }

    /// (kr·V → R, kg_u·U, kg_v·V → G, kb·U → B) for full-range chroma.
    fn coefficients(self) -> [f32; 4] {
        match self {
            Matrix::Bt601 => [1.402, 0.344_136, 0.714_136, 1.772],
            Matrix::Bt709 => [1.5748, 0.187_324, 0.468_124, 1.8556],
        }
    }
}

/// One plane: bytes from the first sample, and the distance between rows.
#[derive(Clone, Copy, Debug)]
pub struct Plane<'a> {
    pub data: &'a [u8],
    pub stride: usize,
}

/// A 4:2:0 picture, 8 bits a sample (`I420` or `NV12`), as `copyTo` lays it out.
#[derive(Clone, Copy, Debug)]
pub struct Yuv420<'a> {
    pub width: u32,
    pub height: u32,
    pub y: Plane<'a>,
    /// U (planar) or interleaved UV.
    pub u: Plane<'a>,
    /// V (planar); unused when interleaved.
    pub v: Plane<'a>,
    pub chroma: Chroma,
    pub matrix: Matrix,
    pub full_range: bool,
}

impl Yuv420<'_> {
    fn check(&self) -> Result<()> {
        let (w, h) = (self.width as usize, self.height as usize);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let fits = |p: &Plane, row: usize, rows: usize| {
            rows == 0 || (p.stride >= row && p.data.len() >= p.stride * (rows - 1) + row)
        };
        let chroma_ok = match self.chroma {
            Chroma::Planar => fits(&self.u, cw, ch) && fits(&self.v, cw, ch),
            Chroma::Interleaved => fits(&self.u, 2 * cw, ch),
        };
        if w == 0 || h == 0 || !fits(&self.y, w, h) || !chroma_ok {
            return Err(FramepickError::invalid(format!(
                "the YUV planes do not hold a {w}x{h} 4:2:0 picture"
            )));
        }
        Ok(())
    }

    /// RGB in 0–255 (not rounded nor clamped) of a Y, U, V triple (means allowed: the
    /// conversion is linear, so the RGB of a mean is the mean of the RGBs).
    fn rgb(&self, [luma, u, v]: [f32; 3]) -> [f32; 3] {
        let c = self.chroma_terms(u, v);
        let luma = self.luma_term(luma);
        [luma + c[0], luma + c[1], luma + c[2]]
    }

    /// The part of R, G and B that Y gives (the same for the three).
    fn luma_term(&self, luma: f32) -> f32 {
        if self.full_range {
            luma
        } else {
            (luma - 16.0) * (255.0 / 219.0)
        }
    }

    /// The parts of R, G and B that U and V give.
    fn chroma_terms(&self, u: f32, v: f32) -> [f32; 3] {
        let (u, v) = if self.full_range {
            (u - 128.0, v - 128.0)
        } else {
            ((u - 128.0) * (255.0 / 224.0), (v - 128.0) * (255.0 / 224.0))
        };
        let [kr, kgu, kgv, kb] = self.matrix.coefficients();
        [kr * v, -kgu * u - kgv * v, kb * u]
    }

    /// Whether some Y in `luma`'s range with some U, V in theirs gives an R, G or B
    /// outside 0–255. Each channel is the luma term plus a chroma term linear in U and
    /// V, so its extremes are at the corners: R's at V's, B's at U's, G's (falling in
    /// both) at (max, max) and (min, min).
    fn may_clip(&self, luma: [f32; 2], cmin: [f32; 2], cmax: [f32; 2]) -> bool {
        let (low, high) = (self.luma_term(luma[0]), self.luma_term(luma[1]));
        let at_min = self.chroma_terms(cmin[0], cmin[1]);
        let at_max = self.chroma_terms(cmax[0], cmax[1]);
        let (r, g, b) = (
            (at_min[0], at_max[0]),
            (at_max[1], at_min[1]),
            (at_min[2], at_max[2]),
        );
        [r, g, b]
            .iter()
            .any(|&(min, max)| low + min < -0.5 || high + max > 255.5)
    }

    /// U, V of chroma sample (cx, cy).
    fn chroma_at(&self, cx: usize, cy: usize) -> [f32; 2] {
        let [u, v] = match self.chroma {
            Chroma::Planar => [
                self.u.data[cy * self.u.stride + cx],
                self.v.data[cy * self.v.stride + cx],
            ],
            Chroma::Interleaved => {
                let i = cy * self.u.stride + 2 * cx;
                [self.u.data[i], self.u.data[i + 1]]
            }
        };
        [f32::from(u), f32::from(v)]
    }

    /// RGB of source pixel (x, y), the chroma its 2×2 block's.
    fn rgb_at(&self, x: usize, y: usize) -> [f32; 3] {
        let [u, v] = self.chroma_at(x / 2, y / 2);
        self.rgb([f32::from(self.y.data[y * self.y.stride + x]), u, v])
    }
}

/// The upright `out_w × out_h` RGBA picture of `src` turned by `rotation` degrees
/// clockwise (0, 90, 180, 270: a track matrix), as a canvas `drawImage` of the frame
/// scaled to fill it gives: the mean of each output pixel's footprint.
pub fn rgba_from_yuv420(src: &Yuv420, out_w: u32, out_h: u32, rotation: u32) -> Result<RgbaFrame> {
    src.check()?;
    drawn(out_w, out_h, rotation, |dw, dh| scaled(src, dw, dh))
}

/// Full-size RGBA pixels as `VideoFrame.copyTo(…, { format: 'RGBA' })` gives them (the
/// browser did the YUV conversion, clamping each pixel as a canvas does).
#[derive(Clone, Copy, Debug)]
pub struct Rgba<'a> {
    pub width: u32,
    pub height: u32,
    pub pixels: Plane<'a>,
    /// BGRA or BGRX byte order rather than RGBA or RGBX.
    pub bgr: bool,
}

/// [`rgba_from_yuv420`] for a picture already in RGBA: the same footprints and turns.
pub fn rgba_from_rgba(src: &Rgba, out_w: u32, out_h: u32, rotation: u32) -> Result<RgbaFrame> {
    let (w, h) = (src.width as usize, src.height as usize);
    let p = src.pixels;
    if w == 0 || h == 0 || p.stride < 4 * w || p.data.len() < p.stride * (h - 1) + 4 * w {
        return Err(FramepickError::invalid(format!(
            "the RGBA pixels do not hold a {w}x{h} picture"
        )));
    }
    drawn(out_w, out_h, rotation, |dw, dh| {
        box_scaled_rgba(src, dw, dh)
    })
}

/// The `out_w × out_h` picture turned by `rotation`, from `scale(dw, dh)`: the picture
/// scaled before turning, sideways for 90° and 270°. Output pixel centres turned back
/// into the picture land on that grid's centres, so scaling first and turning the small
/// picture after gives the same pixels.
fn drawn(
    out_w: u32,
    out_h: u32,
    rotation: u32,
    scale: impl FnOnce(usize, usize) -> Vec<u8>,
) -> Result<RgbaFrame> {
    if out_w == 0 || out_h == 0 || !matches!(rotation, 0 | 90 | 180 | 270) {
        return Err(FramepickError::invalid(format!(
            "cannot draw a {out_w}x{out_h} picture turned {rotation}°"
        )));
    }
    let (ow, oh) = (out_w as usize, out_h as usize);
    let (dw, dh) = if rotation.is_multiple_of(180) {
        (ow, oh)
    } else {
        (oh, ow)
    };
    let upright = scale(dw, dh);
    if rotation == 0 {
        return RgbaFrame::new(out_w, out_h, upright);
    }
    let mut data = vec![0u8; ow * oh * 4];
    for oy in 0..oh {
        for ox in 0..ow {
            let (i, j) = match rotation {
                90 => (oy, ow - 1 - ox),
                180 => (ow - 1 - ox, oh - 1 - oy),
                _ => (oh - 1 - oy, ox),
            };
            let at = (j * dw + i) * 4;
            data[(oy * ow + ox) * 4..][..4].copy_from_slice(&upright[at..at + 4]);
        }
    }
    RgbaFrame::new(out_w, out_h, data)
}

/// `src` scaled to `dw × dh`: the mean of each output pixel's footprint (one source
/// pixel, the nearest, when scaling up), column sums gathered a band of rows at a time.
fn box_scaled_rgba(src: &Rgba, dw: usize, dh: usize) -> Vec<u8> {
    let (w, h) = (src.width as usize, src.height as usize);
    let (cols, rows) = (spans(w, dw), spans(h, dh));
    let order: [usize; 3] = if src.bgr { [2, 1, 0] } else { [0, 1, 2] };
    let mut sums = vec![0u32; 4 * w];
    let mut data = vec![255u8; dw * dh * 4];
    for (j, row) in rows.iter().enumerate() {
        sums.fill(0);
        for y in row.lo..=row.hi {
            let line = &src.pixels.data[y * src.pixels.stride..][..4 * w];
            // Zipped, not indexed: no bounds checks, so the loop vectorises.
            for (sum, &b) in sums.iter_mut().zip(line) {
                *sum += u32::from(b);
            }
        }
        for (i, col) in cols.iter().enumerate() {
            let n = ((col.hi - col.lo + 1) * (row.hi - row.lo + 1)) as u32;
            let mut px = [0u32; 4];
            for x in col.lo..=col.hi {
                for (c, total) in px.iter_mut().enumerate() {
                    *total += sums[4 * x + c];
                }
            }
            let out = &mut data[(j * dw + i) * 4..][..3];
            for (c, &k) in order.iter().enumerate() {
                // Rounded to nearest.
                out[c] = ((px[k] + n / 2) / n) as u8;
            }
        }
    }
    data
}

/// One output pixel's footprint along one axis: source positions `lo..=hi` and the
/// chroma samples bilinear upsampling reads for them, with summed weights.
struct Span {
    lo: usize,
    hi: usize,
    chroma: Vec<(usize, f32)>,
}

/// The footprints of `out` output pixels over `len` source pixels (`len / out` each).
fn spans(len: usize, out: usize) -> Vec<Span> {
    let k = (len as f32 / out as f32).max(1.0);
    let max = len as i64 - 1;
    (0..out)
        .map(|i| {
            let c = (i as f32 + 0.5) * (len as f32 / out as f32) - 0.5;
            let lo = ((c - k / 2.0 + 0.5).ceil() as i64).clamp(0, max) as usize;
            let hi = (((c + k / 2.0 + 0.5).ceil() as i64 - 1).clamp(0, max) as usize).max(lo);
            Span {
                lo,
                hi,
                chroma: chroma_weights(lo, hi, len.div_ceil(2)),
            }
        })
        .collect()
}

/// Sums, minimum and maximum down the columns of the rows one output row covers; the
/// box means then need one pass along each output row (the footprints are separable).
struct Columns {
    luma: Vec<u32>,
    luma_min: Vec<u8>,
    luma_max: Vec<u8>,
    /// Weighted U, V sums per chroma column, and their unweighted extremes.
    chroma: Vec<[f32; 2]>,
    chroma_min: Vec<[f32; 2]>,
    chroma_max: Vec<[f32; 2]>,
    /// Where a footprint may clip: U, V upsampled to the pixels of the gathered rows, as
    /// their terms of R, G and B, filled a column at a time when a footprint first needs
    /// it (`filled[x] == row`).
    upsampled: Vec<[f32; 3]>,
    filled: Vec<usize>,
    row: usize,
    /// U, V upsampled down the gathered rows at the chroma columns (for `lines_row`).
    lines: Vec<[f32; 2]>,
    lines_row: usize,
    /// Bilinear chroma taps per source column and row.
    across: Vec<Tap>,
    down: Vec<Tap>,
}

/// Bilinear chroma upsampling along one axis: the two chroma samples a luma position
/// reads and the weight of the second.
#[derive(Clone, Copy)]
struct Tap {
    a: usize,
    b: usize,
    t: f32,
}

impl Tap {
    /// The tap of luma position `p` over `chroma_len` chroma samples (chroma centred
    /// between each two luma samples, edges clamped).
    fn at(p: usize, chroma_len: usize) -> Tap {
        let c = (p as f32 + 0.5) / 2.0 - 0.5;
        let f = c.floor();
        let clamp = |i: f32| (i.max(0.0) as usize).min(chroma_len - 1);
        Tap {
            a: clamp(f),
            b: clamp(f + 1.0),
            t: c - f,
        }
    }
}

/// The taps of every position of a `len`-sample luma axis.
fn taps(len: usize) -> Vec<Tap> {
    (0..len).map(|p| Tap::at(p, len.div_ceil(2))).collect()
}

fn mix(a: [f32; 2], b: [f32; 2], t: f32) -> [f32; 2] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

impl Columns {
    fn new(w: usize, h: usize) -> Columns {
        let cw = w.div_ceil(2);
        Columns {
            luma: vec![0; w],
            luma_min: vec![0; w],
            luma_max: vec![0; w],
            chroma: vec![[0.0; 2]; cw],
            chroma_min: vec![[0.0; 2]; cw],
            chroma_max: vec![[0.0; 2]; cw],
            upsampled: Vec::new(),
            filled: vec![0; w],
            row: 0,
            lines: Vec::new(),
            lines_row: 0,
            across: taps(w),
            down: taps(h),
        }
    }

    fn gather(&mut self, src: &Yuv420, rows: &Span) {
        let w = src.width as usize;
        // Output rows count from 1 so that no column starts out filled.
        self.row += 1;
        self.upsampled.resize(w * (rows.hi - rows.lo + 1), [0.0; 3]);
        self.luma.fill(0);
        self.luma_min.fill(u8::MAX);
        self.luma_max.fill(0);
        for y in rows.lo..=rows.hi {
            let row = &src.y.data[y * src.y.stride..][..w];
            // Zipped, not indexed: no bounds checks, so the loops vectorise.
            for (sum, &l) in self.luma.iter_mut().zip(row) {
                *sum += u32::from(l);
            }
            for (lo, &l) in self.luma_min.iter_mut().zip(row) {
                *lo = (*lo).min(l);
            }
            for (hi, &l) in self.luma_max.iter_mut().zip(row) {
                *hi = (*hi).max(l);
            }
        }
        self.chroma.fill([0.0; 2]);
        self.chroma_min.fill([f32::MAX; 2]);
        self.chroma_max.fill([f32::MIN; 2]);
        for &(cy, wy) in &rows.chroma {
            let cw = self.chroma.len();
            let columns = self
                .chroma
                .iter_mut()
                .zip(self.chroma_min.iter_mut().zip(self.chroma_max.iter_mut()));
            let add = |(sum, (lo, hi)): (&mut [f32; 2], (&mut [f32; 2], &mut [f32; 2])),
                       c: [f32; 2]| {
                for k in 0..2 {
                    sum[k] += wy * c[k];
                    lo[k] = lo[k].min(c[k]);
                    hi[k] = hi[k].max(c[k]);
                }
            };
            match src.chroma {
                Chroma::Planar => {
                    let u = &src.u.data[cy * src.u.stride..][..cw];
                    let v = &src.v.data[cy * src.v.stride..][..cw];
                    for (col, (&u, &v)) in columns.zip(u.iter().zip(v)) {
                        add(col, [f32::from(u), f32::from(v)]);
                    }
                }
                Chroma::Interleaved => {
                    let uv = &src.u.data[cy * src.u.stride..][..2 * cw];
                    for (col, pair) in columns.zip(uv.chunks_exact(2)) {
                        add(col, [f32::from(pair[0]), f32::from(pair[1])]);
                    }
                }
            }
        }
    }

    /// RGB of the footprint `cols` × the gathered rows.
    fn mean(&mut self, src: &Yuv420, cols: &Span, rows: &Span) -> [f32; 3] {
        let luma: u32 = self.luma[cols.lo..=cols.hi].iter().sum();
        let lmin = self.luma_min[cols.lo..=cols.hi]
            .iter()
            .min()
            .copied()
            .unwrap_or(0);
        let lmax = self.luma_max[cols.lo..=cols.hi]
            .iter()
            .max()
            .copied()
            .unwrap_or(0);
        let (mut uv, mut cmin, mut cmax) = ([0f32; 2], [f32::MAX; 2], [f32::MIN; 2]);
        for &(cx, wx) in &cols.chroma {
            for k in 0..2 {
                uv[k] += wx * self.chroma[cx][k];
                cmin[k] = cmin[k].min(self.chroma_min[cx][k]);
                cmax[k] = cmax[k].max(self.chroma_max[cx][k]);
            }
        }
        // The canvas clamps each pixel's RGB before averaging; the mean of the YUV is the
        // same only where no pixel of the footprint can leave 0–255 (most of a picture).
        if src.may_clip([f32::from(lmin), f32::from(lmax)], cmin, cmax) {
            return self.clamped_mean(src, cols, rows);
        }
        let n = ((cols.hi - cols.lo + 1) * (rows.hi - rows.lo + 1)) as f32;
        src.rgb([luma as f32 / n, uv[0] / n, uv[1] / n])
    }

    /// The mean of each pixel's clamped RGB, chroma upsampled bilinearly to each pixel.
    fn clamped_mean(&mut self, src: &Yuv420, cols: &Span, rows: &Span) -> [f32; 3] {
        let (w, cw) = (src.width as usize, self.chroma.len());
        if self.lines_row != self.row {
            // Chroma upsampled down the rows first, for every chroma column at once.
            self.lines_row = self.row;
            self.lines.clear();
            for y in rows.lo..=rows.hi {
                let Tap { a, b, t } = self.down[y];
                self.lines
                    .extend((0..cw).map(|cx| mix(src.chroma_at(cx, a), src.chroma_at(cx, b), t)));
            }
        }
        for x in cols.lo..=cols.hi {
            if self.filled[x] == self.row {
                continue;
            }
            self.filled[x] = self.row;
            let Tap { a, b, t } = self.across[x];
            for y in rows.lo..=rows.hi {
                let line = &self.lines[(y - rows.lo) * cw..][..cw];
                let [u, v] = mix(line[a], line[b], t);
                self.upsampled[(y - rows.lo) * w + x] = src.chroma_terms(u, v);
            }
        }
        let mut sum = [0f32; 3];
        for y in rows.lo..=rows.hi {
            let lumas = &src.y.data[y * src.y.stride..][..w];
            let chroma = &self.upsampled[(y - rows.lo) * w..][..w];
            for (&luma, terms) in lumas[cols.lo..=cols.hi]
                .iter()
                .zip(&chroma[cols.lo..=cols.hi])
            {
                let luma = src.luma_term(f32::from(luma));
                for c in 0..3 {
                    sum[c] += (luma + terms[c]).clamp(0.0, 255.0);
                }
            }
        }
        let n = ((cols.hi - cols.lo + 1) * (rows.hi - rows.lo + 1)) as f32;
        sum.map(|v| v / n)
    }
}

/// `src` scaled to `dw × dh` RGBA: box means of each footprint when scaling down,
/// bilinear taps when scaling up in both directions.
fn scaled(src: &Yuv420, dw: usize, dh: usize) -> Vec<u8> {
    let (w, h) = (src.width as usize, src.height as usize);
    let mut data = vec![255u8; dw * dh * 4];
    let mut put = |i: usize, j: usize, rgb: [f32; 3]| {
        for (c, v) in rgb.iter().enumerate() {
            data[(j * dw + i) * 4 + c] = v.round().clamp(0.0, 255.0) as u8;
        }
    };
    if w <= dw && h <= dh {
        for j in 0..dh {
            let sy = (j as f32 + 0.5) * (h as f32 / dh as f32) - 0.5;
            for i in 0..dw {
                let sx = (i as f32 + 0.5) * (w as f32 / dw as f32) - 0.5;
                put(i, j, bilinear(src, sx, sy));
            }
        }
        return data;
    }
    let (cols, rows) = (spans(w, dw), spans(h, dh));
    let mut columns = Columns::new(w, h);
    for (j, row) in rows.iter().enumerate() {
        columns.gather(src, row);
        for (i, col) in cols.iter().enumerate() {
            put(i, j, columns.mean(src, col, row));
        }
    }
    data
}

/// For luma positions `a..=b` on one axis: the chroma samples (of `len`) bilinear
/// upsampling reads (chroma centred between each two luma samples), with their weights
/// summed over the positions (they add up to the position count).
fn chroma_weights(a: usize, b: usize, len: usize) -> Vec<(usize, f32)> {
    let mut w: Vec<(usize, f32)> = Vec::with_capacity((b - a) / 2 + 3);
    let mut add = |i: usize, x: f32| match w.iter_mut().find(|(j, _)| *j == i) {
        Some(e) => e.1 += x,
        None => w.push((i, x)),
    };
    for p in a..=b {
        let Tap { a, b, t } = Tap::at(p, len);
        add(a, 1.0 - t);
        add(b, t);
    }
    w
}

/// Bilinear blend of the four pixels around (sx, sy), edges clamped.
fn bilinear(src: &Yuv420, sx: f32, sy: f32) -> [f32; 3] {
    let (maxx, maxy) = (src.width as usize - 1, src.height as usize - 1);
    let (fx, fy) = (sx.floor(), sy.floor());
    let (ax, ay) = (sx - fx, sy - fy);
    let clampx = |v: f32| (v.max(0.0) as usize).min(maxx);
    let clampy = |v: f32| (v.max(0.0) as usize).min(maxy);
    let (x0, x1, y0, y1) = (clampx(fx), clampx(fx + 1.0), clampy(fy), clampy(fy + 1.0));
    let (p00, p10, p01, p11) = (
        src.rgb_at(x0, y0),
        src.rgb_at(x1, y0),
        src.rgb_at(x0, y1),
        src.rgb_at(x1, y1),
    );
    std::array::from_fn(|c| {
        let top = p00[c] + (p10[c] - p00[c]) * ax;
        let bottom = p01[c] + (p11[c] - p01[c]) * ax;
        top + (bottom - top) * ay
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A w×h I420 picture: Y from `luma(x, y)`, flat chroma.
    fn picture(w: usize, h: usize, luma: impl Fn(usize, usize) -> u8, u: u8, v: u8) -> Vec<u8> {
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let mut data: Vec<u8> = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| luma(x, y))
            .collect();
        data.extend(std::iter::repeat_n(u, cw * ch));
        data.extend(std::iter::repeat_n(v, cw * ch));
        data
    }

    fn i420(data: &[u8], w: usize, h: usize, full_range: bool) -> Yuv420<'_> {
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        Yuv420 {
            width: w as u32,
            height: h as u32,
            y: Plane {
                data: &data[..w * h],
                stride: w,
            },
            u: Plane {
                data: &data[w * h..w * h + cw * ch],
                stride: cw,
            },
            v: Plane {
                data: &data[w * h + cw * ch..],
                stride: cw,
            },
            chroma: Chroma::Planar,
            matrix: Matrix::Bt709,
            full_range,
        }
    }

    #[test]
    fn limited_range_grey_and_colour() {
        // Y 16 is black, 235 white; chroma 128 grey.
        let black = picture(4, 4, |_, _| 16, 128, 128);
        let f = rgba_from_yuv420(&i420(&black, 4, 4, false), 2, 2, 0).unwrap();
        assert_eq!(&f.data[..4], &[0, 0, 0, 255]);
        let white = picture(4, 4, |_, _| 235, 128, 128);
        let f = rgba_from_yuv420(&i420(&white, 4, 4, false), 2, 2, 0).unwrap();
        assert_eq!(&f.data[..4], &[255, 255, 255, 255]);
        // BT.709 limited red: Y 63, U 102, V 240.
        let red = picture(4, 4, |_, _| 63, 102, 240);
        let f = rgba_from_yuv420(&i420(&red, 4, 4, false), 1, 1, 0).unwrap();
        assert!(
            f.data[0] >= 250 && f.data[1] <= 5 && f.data[2] <= 5,
            "{:?}",
            &f.data[..4]
        );
    }

    #[test]
    fn nv12_reads_as_i420() {
        let (w, h) = (6, 4);
        let planar = picture(w, h, |x, y| (x * 30 + y * 10) as u8, 90, 170);
        let mut nv12 = planar[..w * h].to_vec();
        nv12.extend((0..6).flat_map(|_| [90u8, 170u8]));
        let a = rgba_from_yuv420(&i420(&planar, w, h, true), 3, 2, 0).unwrap();
        let b = Yuv420 {
            u: Plane {
                data: &nv12[w * h..],
                stride: w,
            },
            v: Plane {
                data: &[],
                stride: 0,
            },
            chroma: Chroma::Interleaved,
            y: Plane {
                data: &nv12[..w * h],
                stride: w,
            },
            ..i420(&planar, w, h, true)
        };
        assert_eq!(a, rgba_from_yuv420(&b, 3, 2, 0).unwrap());
    }

    #[test]
    fn halving_takes_the_mean_of_each_two_by_two_block() {
        // Output pixel centres fall between four source pixels: their mean.
        let data = picture(
            4,
            2,
            |x, y| [[0u8, 100, 200, 50], [100, 200, 250, 150]][y][x],
            128,
            128,
        );
        let f = rgba_from_yuv420(&i420(&data, 4, 2, true), 2, 1, 0).unwrap();
        assert_eq!((f.data[0], f.data[4]), (100, 163));
    }

    #[test]
    fn turning_moves_the_bright_corner() {
        // Bright top-left 2×2 block of a 4×2 picture.
        let data = picture(4, 2, |x, _| if x < 2 { 235 } else { 16 }, 128, 128);
        let src = i420(&data, 4, 2, false);
        let bright = |f: &RgbaFrame, x: u32, y: u32| f.data[((y * f.width + x) * 4) as usize] > 200;
        let up = rgba_from_yuv420(&src, 4, 2, 0).unwrap();
        assert!(bright(&up, 0, 0) && !bright(&up, 3, 0));
        // 90° clockwise: the left half becomes the top half of a 2×4 picture.
        let r90 = rgba_from_yuv420(&src, 2, 4, 90).unwrap();
        assert!(bright(&r90, 0, 0) && bright(&r90, 1, 1) && !bright(&r90, 0, 3));
        let r180 = rgba_from_yuv420(&src, 4, 2, 180).unwrap();
        assert!(bright(&r180, 3, 0) && !bright(&r180, 0, 0));
        let r270 = rgba_from_yuv420(&src, 2, 4, 270).unwrap();
        assert!(bright(&r270, 0, 3) && !bright(&r270, 0, 0));
    }

    #[test]
    fn short_planes_and_odd_requests_are_errors() {
        let data = picture(4, 4, |_, _| 16, 128, 128);
        let mut src = i420(&data, 4, 4, false);
        assert!(rgba_from_yuv420(&src, 2, 2, 45).is_err());
        assert!(rgba_from_yuv420(&src, 0, 2, 0).is_err());
        src.height = 8;
        assert!(rgba_from_yuv420(&src, 2, 2, 0).is_err());
    }

    /// The RGBA picture of `yuv` at full size, as a browser's per-pixel conversion gives
    /// it: each pixel converted and clamped (the test pictures' chroma is flat).
    fn converted(yuv: &Yuv420) -> Vec<u8> {
        let (w, h) = (yuv.width as usize, yuv.height as usize);
        let full = rgba_from_yuv420(yuv, w as u32, h as u32, 0).unwrap();
        assert_eq!(full.data.len(), w * h * 4);
        full.data
    }

    #[test]
    fn rgba_pictures_scale_and_turn_as_yuv_ones() {
        // A textured picture with saturated corners, so clamping matters.
        let (w, h) = (24, 12);
        let data = picture(w, h, |x, y| (16 + (x * 37 + y * 53) % 220) as u8, 60, 230);
        let yuv = i420(&data, w, h, false);
        let rgba = converted(&yuv);
        for (bgr, pixels) in [
            (false, rgba.clone()),
            (
                true,
                rgba.chunks(4)
                    .flat_map(|p| [p[2], p[1], p[0], p[3]])
                    .collect(),
            ),
        ] {
            let src = Rgba {
                width: w as u32,
                height: h as u32,
                pixels: Plane {
                    data: &pixels,
                    stride: 4 * w,
                },
                bgr,
            };
            for (ow, oh, turn) in [(8, 4, 0), (4, 8, 90), (6, 3, 180), (3, 6, 270)] {
                let a = rgba_from_rgba(&src, ow, oh, turn).unwrap();
                let b = rgba_from_yuv420(&yuv, ow, oh, turn).unwrap();
                for (x, y) in a.data.iter().zip(&b.data) {
                    assert!(x.abs_diff(*y) <= 1, "{turn}°: {:?} vs {:?}", a.data, b.data);
                }
            }
        }
    }

    #[test]
    fn short_rgba_pixels_are_an_error() {
        let pixels = vec![0u8; 4 * 4 * 3];
        let src = Rgba {
            width: 4,
            height: 4,
            pixels: Plane {
                data: &pixels,
                stride: 16,
            },
            bgr: false,
        };
        assert!(rgba_from_rgba(&src, 2, 2, 0).is_err());
    }

    #[test]
    fn untagged_video_gets_the_matrix_of_its_size() {
        assert_eq!(Matrix::from_name(None, 1080), Matrix::Bt709);
        assert_eq!(Matrix::from_name(None, 480), Matrix::Bt601);
        assert_eq!(Matrix::from_name(Some("smpte170m"), 1080), Matrix::Bt601);
    }
}
