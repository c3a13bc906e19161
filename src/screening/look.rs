//! How a picture looks to a viewer: its content without letterbox or pillarbox bars,
//! and a colour signature that stays put under the slow pans and zooms of one photo.
//!
//! A whole-frame perceptual hash sees the bars as half the picture: two different
//! portraits between the same black bars hash alike, and one photo framed twice
//! (another pan, another zoom) hashes apart. [`Look`] compares what is between the
//! bars, by colour distribution (soft-binned joint RGB histogram), which a pan or
//! zoom of one photo barely moves and another photo moves a lot.

use crate::media::detail::Window;
use crate::media::frame::RgbaFrame;

/// A row or column is a bar when at most this share of its pixels is brighter than
/// [`BAR_LUMA`]: encoders leave a little ringing at the edge of a bar.
const BAR_BRIGHT_SHARE: f32 = 0.02;
/// Luma (0–255) under which a pixel can belong to a black bar.
const BAR_LUMA: f32 = 40.0;
/// Bars thinner than this share of the side are not bars (a dark border of the picture).
const MIN_BAR_SHARE: f32 = 0.02;
/// Bars are black against the picture: their mean luma at most this share of the
/// content's. An underexposed frame (a spoiled spell) turns a plain background dark
/// enough for [`BAR_LUMA`] (a blue wall at gain 0.25: luma 28 beside a face at 40);
/// cropping it there would compare it with its clean frames on another rectangle. Real
/// bars stay near 0 beside even a night scene (content mean 15 and more).
const BAR_MAX_SHARE_OF_CONTENT: f32 = 1.0 / 3.0;
/// Content narrower than this share of the side means the frame is mostly dark
/// (black, a fade): no bars then, the whole frame is the content.
const MIN_CONTENT_SHARE: f32 = 0.25;

/// Levels per channel of the look histogram (soft-binned): 5³ = 125 bins.
const LEVELS: usize = 5;
const BINS: usize = LEVELS * LEVELS * LEVELS;

/// Look distance under which two frames show the same picture (one photo, another
/// framing). Fitted on the evaluation set's tuning half (bench/eval, clean frames at
/// least 1 s apart): 81 % of the pairs showing one photo are under it, 1.8 % of the
/// pairs showing two photos (0.30 would merge 5 %, 0.40 15 %).
pub const SAME_LOOK: f32 = 0.20;

/// A rectangle in analysis-frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    pub fn whole(frame: &RgbaFrame) -> Self {
        Self {
            x: 0,
            y: 0,
            width: frame.width,
            height: frame.height,
        }
    }

    pub fn is_whole(&self, frame: &RgbaFrame) -> bool {
        *self == Self::whole(frame)
    }
}

/// The picture between black bars (letterbox top and bottom, pillarbox left and
/// right); the whole frame when there are none, or when nearly all of it is dark.
pub fn content_rect(frame: &RgbaFrame) -> Rect {
    content_rect_in(&frame.luma(), frame.width as usize, frame.height as usize)
}

/// The picture between any bars of the upright analysis `frame`, in the pixels of the
/// stored `w × h` picture it was drawn from turned by `rotation`, and whether that
/// picture is shown sideways: where `media::detail` reads the full-size picture.
pub fn coded_content(frame: &RgbaFrame, rotation: u32, (w, h): (u32, u32)) -> (Window, bool) {
    let r = content_rect(frame);
    let rect = [r.x, r.y, r.width, r.height].map(|v| v as usize);
    let out = (frame.width as usize, frame.height as usize);
    let window = Window::of_upright(rect, out, rotation, (w as usize, h as usize));
    (window, !rotation.is_multiple_of(180))
}

/// [`content_rect`] of a `w × h` luma plane already at hand.
pub fn content_rect_in(luma: &[f32], w: usize, h: usize) -> Rect {
    let dark_row = |y: usize| bar_like(luma[y * w..(y + 1) * w].iter().copied(), w);
    let dark_col = |x: usize| bar_like((0..h).map(|y| luma[y * w + x]), h);
    let (top, bottom) = bar_span(h, dark_row);
    let (left, right) = bar_span(w, dark_col);
    let content = Rect {
        x: left as u32,
        y: top as u32,
        width: (w - left - right) as u32,
        height: (h - top - bottom) as u32,
    };
    let whole = Rect {
        x: 0,
        y: 0,
        width: w as u32,
        height: h as u32,
    };
    if content == whole || bars_black_against(luma, w, content) {
        content
    } else {
        whole
    }
}

/// Whether the lines outside `content` are dark against it ([`BAR_MAX_SHARE_OF_CONTENT`]).
fn bars_black_against(luma: &[f32], w: usize, content: Rect) -> bool {
    let sum = |v: &[f32]| v.iter().map(|&x| f64::from(x)).sum::<f64>();
    let (x0, x1) = (content.x as usize, (content.x + content.width) as usize);
    let inside: f64 = luma
        .chunks_exact(w)
        .skip(content.y as usize)
        .take(content.height as usize)
        .map(|row| sum(&row[x0..x1]))
        .sum();
    let n_inside = (content.width * content.height) as usize;
    let n_bars = luma.len() - n_inside;
    let bars_mean = (sum(luma) - inside) / n_bars.max(1) as f64;
    bars_mean <= f64::from(BAR_MAX_SHARE_OF_CONTENT) * inside / n_inside.max(1) as f64
}

fn bar_like(values: impl Iterator<Item = f32>, n: usize) -> bool {
    let bright = values.filter(|&v| v > BAR_LUMA).count();
    (bright as f32) <= BAR_BRIGHT_SHARE * n as f32
}

/// Bar thickness at the start and at the end of a side of `n` lines.
fn bar_span(n: usize, dark: impl Fn(usize) -> bool) -> (usize, usize) {
    let start = (0..n).take_while(|&i| dark(i)).count();
    if start == n {
        return (0, 0);
    }
    let end = (0..n).rev().take_while(|&i| dark(i)).count();
    let min_bar = (MIN_BAR_SHARE * n as f32).ceil() as usize;
    let start = if start >= min_bar { start } else { 0 };
    let end = if end >= min_bar { end } else { 0 };
    if ((n - start - end) as f32) < MIN_CONTENT_SHARE * n as f32 {
        (0, 0)
    } else {
        (start, end)
    }
}

/// The content of a frame as a viewer compares pictures.
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    pub content: Rect,
    /// Soft-binned joint RGB histogram of the content, sums to 1.
    hist: Vec<f32>,
}

impl Look {
    pub fn of(frame: &RgbaFrame) -> Self {
        let content = content_rect(frame);
        Self {
            hist: joint_hist(frame, content),
            content,
        }
    }

    /// 0 (the same colours in the same amounts) to 1 (nothing in common): half the L1
    /// distance of the histograms.
    pub fn distance(&self, other: &Look) -> f32 {
        let l1: f32 = self
            .hist
            .iter()
            .zip(&other.hist)
            .map(|(a, b)| (a - b).abs())
            .sum();
        (l1 / 2.0).min(1.0)
    }

    /// The colour histogram (125 soft bins, sums to 1), for fitting [`SAME_LOOK`].
    pub fn histogram(&self) -> &[f32] {
        &self.hist
    }
}

/// Mean luma (0–255) the content is brought to before its colours are binned.
const LOOK_MEAN_LUMA: f32 = 118.0;

/// The gain that brings content of mean luma `mean` to [`LOOK_MEAN_LUMA`], within 4×
/// either way: an underexposed spell of a shot (the same colours times a gain) is the
/// same picture to a viewer, and must not read as a new look.
fn exposure_gain(mean: f32) -> f32 {
    (LOOK_MEAN_LUMA / mean.max(1.0)).clamp(0.25, 4.0)
}

/// Each channel value (after the exposure gain) spread linearly over its two nearest
/// of [`LEVELS`] levels, so a small change of light moves weight gradually instead of
/// flipping bins.
fn joint_hist(frame: &RgbaFrame, r: Rect) -> Vec<f32> {
    let mut hist = vec![0.0f32; BINS];
    let w = frame.width as usize;
    let rows = || {
        (r.y as usize..(r.y + r.height) as usize).map(move |y| {
            &frame.data[(y * w + r.x as usize) * 4..(y * w + (r.x + r.width) as usize) * 4]
        })
    };
    let n = (r.width as usize * r.height as usize).max(1) as f32;
    let luma_sum: f32 = rows()
        .map(|row| {
            row.chunks_exact(4)
                .map(|p| 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32)
                .sum::<f32>()
        })
        .sum();
    let gain = exposure_gain(luma_sum / n);
    let scale = gain * (LEVELS - 1) as f32 / 255.0;
    let split = |v: u8| {
        let p = (v as f32 * scale).min((LEVELS - 1) as f32);
        let lo = (p.floor() as usize).min(LEVELS - 2);
        let f = p - lo as f32;
        [(lo, 1.0 - f), (lo + 1, f)]
    };
    for row in rows() {
        for p in row.chunks_exact(4) {
            let (rs, gs, bs) = (split(p[0]), split(p[1]), split(p[2]));
            for (ri, rw) in rs {
                for (gi, gw) in gs {
                    let rg = rw * gw;
                    let base = (ri * LEVELS + gi) * LEVELS;
                    for (bi, bw) in bs {
                        hist[base + bi] += rg * bw;
                    }
                }
            }
        }
    }
    for v in &mut hist {
        *v /= n;
    }
    hist
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test picture whose colours depend on `seed`: ramps in R and G, B constant.
    fn picture(w: u32, h: u32, seed: u8) -> RgbaFrame {
        let mut data = Vec::with_capacity((w * h * 4) as usize);
        for y in 0..h {
            for x in 0..w {
                let r = (x * 128 / w.max(1)) as u8 + seed / 2;
                let g = (y * 200 / h.max(1)) as u8 + 40;
                data.extend_from_slice(&[r, g, seed, 255]);
            }
        }
        RgbaFrame::new(w, h, data).unwrap()
    }

    /// `inner` pasted into a black frame of `w`×`h` at (x, y).
    fn boxed(inner: &RgbaFrame, w: u32, h: u32, x: u32, y: u32) -> RgbaFrame {
        let mut f = RgbaFrame::filled(w, h, [0, 0, 0, 255]);
        for row in 0..inner.height {
            let src = (row * inner.width * 4) as usize;
            let dst = (((y + row) * w + x) * 4) as usize;
            f.data[dst..dst + (inner.width * 4) as usize]
                .copy_from_slice(&inner.data[src..src + (inner.width * 4) as usize]);
        }
        f
    }

    #[test]
    fn bars_are_found_on_each_side() {
        let inner = picture(100, 180, 30);
        let pillar = boxed(&inner, 320, 180, 110, 0);
        assert_eq!(
            content_rect(&pillar),
            Rect {
                x: 110,
                y: 0,
                width: 100,
                height: 180
            }
        );
        let inner = picture(320, 120, 30);
        let letter = boxed(&inner, 320, 180, 0, 30);
        assert_eq!(
            content_rect(&letter),
            Rect {
                x: 0,
                y: 30,
                width: 320,
                height: 120
            }
        );
    }

    #[test]
    fn no_bars_and_dark_frames_are_whole() {
        let f = picture(320, 180, 30);
        assert!(content_rect(&f).is_whole(&f));
        let black = RgbaFrame::filled(320, 180, [3, 3, 3, 255]);
        assert!(content_rect(&black).is_whole(&black));
        // A thin dark border (under 2 % of the side) is part of the picture.
        let inner = picture(316, 180, 30);
        let thin = boxed(&inner, 320, 180, 2, 0);
        assert!(content_rect(&thin).is_whole(&thin));
    }

    #[test]
    fn a_dark_background_is_not_a_bar() {
        // An underexposed portrait: a plain background at luma ≈ 28 left and right of a
        // brighter face. Dark enough for BAR_LUMA, not black against the face.
        let mut f = RgbaFrame::filled(320, 180, [22, 28, 40, 255]);
        for y in 20..180 {
            for x in 100..220 {
                let v = 40 + ((x + y) % 17) as u8;
                let i = ((y * 320 + x) * 4) as usize;
                f.data[i..i + 3].copy_from_slice(&[v + 8, v, v - 6]);
            }
        }
        assert!(content_rect(&f).is_whole(&f), "{:?}", content_rect(&f));
        // The same face between true black bars is cropped.
        let mut boxed = f.clone();
        for (i, p) in boxed.data.chunks_exact_mut(4).enumerate() {
            if !(100..220).contains(&(i % 320)) {
                p[..3].copy_from_slice(&[1, 1, 1]);
            }
        }
        assert_eq!(content_rect(&boxed).x, 100);
    }

    #[test]
    fn an_underexposed_copy_is_the_same_look() {
        let f = picture(160, 90, 120);
        let mut dark = f.clone();
        for p in dark.data.chunks_exact_mut(4) {
            for c in &mut p[..3] {
                *c = (*c as f32 * 0.4) as u8;
            }
        }
        assert!(Look::of(&f).distance(&Look::of(&dark)) <= SAME_LOOK / 2.0);
        // Another picture stays another look at any exposure.
        assert!(Look::of(&picture(160, 90, 250)).distance(&Look::of(&dark)) > SAME_LOOK);
    }

    #[test]
    fn bars_do_not_make_different_pictures_alike() {
        let a = boxed(&picture(100, 180, 20), 320, 180, 110, 0);
        let b = boxed(&picture(100, 180, 230), 320, 180, 110, 0);
        // Same bars, different content: far apart.
        assert!(Look::of(&a).distance(&Look::of(&b)) > SAME_LOOK);
        // The same picture with and without bars: the same look.
        let c = picture(100, 180, 20);
        assert!(Look::of(&a).distance(&Look::of(&c)) < 0.02);
    }
}
