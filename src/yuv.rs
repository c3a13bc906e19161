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
use crate::frame::RgbaFrame;

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
        let (luma, u, v) = if self.full_range {
            (luma, u - 128.0, v - 128.0)
        } else {
            (
                (luma - 16.0) * (255.0 / 219.0),
                (u - 128.0) * (255.0 / 224.0),
                (v - 128.0) * (255.0 / 224.0),
            )
        };
        let [kr, kgu, kgv, kb] = self.matrix.coefficients();
        [luma + kr * v, luma - kgu * u - kgv * v, luma + kb * u]
    }

    /// Whether some Y in `luma`'s range with some U, V in theirs gives an R, G or B
    /// outside 0–255 (each channel is linear in Y, U, V: its extremes are at corners).
    fn may_clip(&self, luma: [f32; 2], cmin: [f32; 2], cmax: [f32; 2]) -> bool {
        for l in luma {
            for u in [cmin[0], cmax[0]] {
                for v in [cmin[1], cmax[1]] {
                    if self
                        .rgb([l, u, v])
                        .iter()
                        .any(|&c| !(-0.5..=255.5).contains(&c))
                    {
                        return true;
                    }
                }
            }
        }
        false
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
    if out_w == 0 || out_h == 0 || !matches!(rotation, 0 | 90 | 180 | 270) {
        return Err(FramepickError::invalid(format!(
            "cannot draw a {out_w}x{out_h} picture turned {rotation}°"
        )));
    }
    let (w, h) = (src.width as f32, src.height as f32);
    // The picture before turning, at output scale: sideways for 90° and 270°.
    let (dw, dh) = if rotation.is_multiple_of(180) {
        (out_w as f32, out_h as f32)
    } else {
        (out_h as f32, out_w as f32)
    };
    let mut data = vec![0u8; out_w as usize * out_h as usize * 4];
    for (oy, row) in data.chunks_mut(out_w as usize * 4).enumerate() {
        let oy = oy as u32;
        for ox in 0..out_w {
            // Output pixel centre about the middle, turned back into the picture.
            let (x, y) = (
                ox as f32 + 0.5 - out_w as f32 / 2.0,
                oy as f32 + 0.5 - out_h as f32 / 2.0,
            );
            let (px, py) = match rotation {
                90 => (y, -x),
                180 => (-x, -y),
                270 => (-y, x),
                _ => (x, y),
            };
            let sx = (px + dw / 2.0) * (w / dw) - 0.5;
            let sy = (py + dh / 2.0) * (h / dh) - 0.5;
            let rgb = area(src, sx, sy, w / dw, h / dh);
            let out = &mut row[ox as usize * 4..ox as usize * 4 + 4];
            for c in 0..3 {
                out[c] = rgb[c].round().clamp(0.0, 255.0) as u8;
            }
            out[3] = 255;
        }
    }
    RgbaFrame::new(out_w, out_h, data)
}

/// Mean of the source pixels whose centres lie in the footprint (`kx × ky` source pixels)
/// of the output pixel centred on (sx, sy); bilinear when not scaling down.
fn area(src: &Yuv420, sx: f32, sy: f32, kx: f32, ky: f32) -> [f32; 3] {
    if kx <= 1.0 && ky <= 1.0 {
        return bilinear(src, sx, sy);
    }
    let (maxx, maxy) = (src.width as i64 - 1, src.height as i64 - 1);
    let lo = |c: f32, k: f32, max: i64| ((c - k / 2.0 + 0.5).ceil() as i64).clamp(0, max);
    let hi = |c: f32, k: f32, max: i64| ((c + k / 2.0 + 0.5).ceil() as i64 - 1).clamp(0, max);
    let (x0, x1) = (lo(sx, kx.max(1.0), maxx), hi(sx, kx.max(1.0), maxx));
    let (y0, y1) = (lo(sy, ky.max(1.0), maxy), hi(sy, ky.max(1.0), maxy));
    let (x0, x1, y0, y1) = (
        x0 as usize,
        x1.max(x0) as usize,
        y0 as usize,
        y1.max(y0) as usize,
    );
    let (mut luma, mut lmin, mut lmax) = (0u32, u8::MAX, 0u8);
    for y in y0..=y1 {
        for &l in &src.y.data[y * src.y.stride + x0..=y * src.y.stride + x1] {
            luma += u32::from(l);
            lmin = lmin.min(l);
            lmax = lmax.max(l);
        }
    }
    let n = ((x1 - x0 + 1) * (y1 - y0 + 1)) as f32;
    // Chroma as the canvas gets it: upsampled bilinearly to every luma pixel, then the
    // same box mean; per axis, the upsampling weights summed over the footprint.
    let wx = chroma_weights(x0, x1, src.width.div_ceil(2) as usize);
    let wy = chroma_weights(y0, y1, src.height.div_ceil(2) as usize);
    let (mut u, mut v) = (0f32, 0f32);
    let (mut cmin, mut cmax) = ([f32::MAX; 2], [f32::MIN; 2]);
    for &(cy, wyv) in &wy {
        for &(cx, wxv) in &wx {
            let c = src.chroma_at(cx, cy);
            u += wxv * wyv * c[0];
            v += wxv * wyv * c[1];
            cmin = [cmin[0].min(c[0]), cmin[1].min(c[1])];
            cmax = [cmax[0].max(c[0]), cmax[1].max(c[1])];
        }
    }
    // The canvas clamps each pixel's RGB before averaging; the mean of the YUV is the
    // same only where no pixel of the footprint can leave 0–255 (most of a picture).
    if src.may_clip([f32::from(lmin), f32::from(lmax)], cmin, cmax) {
        return clamped_mean(src, (x0, x1), (y0, y1));
    }
    src.rgb([luma as f32 / n, u / n, v / n])
}

/// The mean of each pixel's clamped RGB, chroma upsampled bilinearly to each pixel.
fn clamped_mean(src: &Yuv420, (x0, x1): (usize, usize), (y0, y1): (usize, usize)) -> [f32; 3] {
    let (cw, ch) = (
        src.width.div_ceil(2) as usize,
        src.height.div_ceil(2) as usize,
    );
    let taps = |p: usize, len: usize| {
        let c = (p as f32 + 0.5) / 2.0 - 0.5;
        let f = c.floor();
        let clamp = |i: f32| (i.max(0.0) as usize).min(len - 1);
        (clamp(f), clamp(f + 1.0), c - f)
    };
    let mut sum = [0f32; 3];
    for y in y0..=y1 {
        let (ya, yb, ty) = taps(y, ch);
        for x in x0..=x1 {
            let (xa, xb, tx) = taps(x, cw);
            let mix = |a: [f32; 2], b: [f32; 2], t: f32| {
                [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
            };
            let top = mix(src.chroma_at(xa, ya), src.chroma_at(xb, ya), tx);
            let bottom = mix(src.chroma_at(xa, yb), src.chroma_at(xb, yb), tx);
            let [cu, cv] = mix(top, bottom, ty);
            let luma = f32::from(src.y.data[y * src.y.stride + x]);
            let rgb = src.rgb([luma, cu, cv]);
            for c in 0..3 {
                sum[c] += rgb[c].clamp(0.0, 255.0);
            }
        }
    }
    let n = ((x1 - x0 + 1) * (y1 - y0 + 1)) as f32;
    sum.map(|v| v / n)
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
        let c = (p as f32 + 0.5) / 2.0 - 0.5;
        let f = c.floor();
        let t = c - f;
        let clamp = |i: f32| (i.max(0.0) as usize).min(len - 1);
        add(clamp(f), 1.0 - t);
        add(clamp(f + 1.0), t);
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

    #[test]
    fn untagged_video_gets_the_matrix_of_its_size() {
        assert_eq!(Matrix::from_name(None, 1080), Matrix::Bt709);
        assert_eq!(Matrix::from_name(None, 480), Matrix::Bt601);
        assert_eq!(Matrix::from_name(Some("smpte170m"), 1080), Matrix::Bt601);
    }
}
