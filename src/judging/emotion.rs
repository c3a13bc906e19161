//! Facial expression on each detected face: fer's mini-Xception (FER2013) through tract.
//!
//! Preprocessing follows the reference run in `tests/fixtures/make_reference.py`: the
//! face box expanded by 20 % of its width/height on each side and clamped to the frame,
//! gray = 0.299 R + 0.587 G + 0.114 B in float, bilinear (antialiased triangle) resize
//! to 64×64, `t = (g/255 − 0.5)·2`, NHWC `[1,64,64,1]`. The model ends in a softmax.
//!
//! **Expressiveness** is `1 − p(neutral)`: how far the face is from a blank look,
//! whatever the emotion. The ranking uses [`Emotion::appeal`] instead, which weighs
//! the emotions that sell a thumbnail (happy, surprise) above the others.

use std::sync::Arc;

use image::imageops::{resize, FilterType};
use image::{ImageBuffer, Luma};
use rayon::prelude::*;
use serde::Serialize;
use tract_onnx::prelude::*;

use crate::error::{FramepickError, Result};
use crate::judging::faces::Face;
use crate::judging::models;
use crate::media::frame::RgbaFrame;

pub const LABELS: [&str; 7] = [
    "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral",
];
pub const HAPPY: usize = 3;
pub const SURPRISE: usize = 5;
pub const NEUTRAL: usize = 6;
const INPUT: u32 = 64;
/// Share of the face box added on each side before cropping.
const PAD: f32 = 0.2;
/// How much each emotion adds to a thumbnail's appeal (see [`Emotion::appeal`]).
const APPEAL: [f32; 7] = [0.5, 0.3, 0.5, 1.0, 0.3, 0.9, 0.2];

/// Class probabilities of one face and what we derive from them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Emotion {
    /// In [`LABELS`] order: angry, disgust, fear, happy, sad, surprise, neutral.
    pub probabilities: [f32; 7],
    /// The most probable label.
    pub label: &'static str,
    /// Its probability.
    pub confidence: f32,
    /// `1 − p(neutral)`, 0–1.
    pub expressiveness: f32,
}

impl Emotion {
    pub fn from_probabilities(p: [f32; 7]) -> Self {
        let (top, &confidence) = p
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .expect("seven classes");
        Self {
            probabilities: p,
            label: LABELS[top],
            confidence,
            expressiveness: (1.0 - p[NEUTRAL]).clamp(0.0, 1.0),
        }
    }

    pub fn probability(&self, label: &str) -> f32 {
        LABELS
            .iter()
            .position(|l| *l == label)
            .map_or(0.0, |i| self.probabilities[i])
    }

    /// 0–1: expected thumbnail appeal of the expression. Happy 1.0, surprise 0.9,
    /// angry and fear 0.5 (drama sells in some niches), disgust and sad 0.3,
    /// neutral 0.2 — weighted by the probabilities.
    pub fn appeal(&self) -> f32 {
        self.probabilities
            .iter()
            .zip(APPEAL)
            .map(|(p, w)| p * w)
            .sum::<f32>()
            .clamp(0.0, 1.0)
    }
}

/// The emotion classifier: parsed and optimized once for `[1,64,64,1]`, shared by all
/// rayon threads (the runnable plan is `Send + Sync`; each `run` has its own state).
pub struct EmotionModel {
    plan: Arc<TypedRunnableModel>,
}

impl EmotionModel {
    /// Check the sha256 of `bytes` against `models/SHA256SUMS` and build the plan.
    pub fn from_onnx_bytes(bytes: &[u8]) -> Result<Self> {
        models::verify(models::EMOTION_MODEL, bytes)?;
        let plan = tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])
            .and_then(|m| {
                m.with_input_fact(0, f32::fact([1, INPUT as usize, INPUT as usize, 1]).into())
            })
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| load_error(&e))?;
        Ok(Self { plan })
    }

    /// The expression of `face` (in `frame` pixels).
    pub fn classify(&self, frame: &RgbaFrame, face: &Face) -> Result<Emotion> {
        let input = input_tensor(frame, face).ok_or_else(|| FramepickError::CorruptMedia {
            detail: "face box lies outside the frame".into(),
        })?;
        let out = self.plan.run(tvec!(input.into_tvalue())).map_err(|e| {
            FramepickError::CorruptMedia {
                detail: format!("emotion model failed on a face: {e}"),
            }
        })?;
        let t = out.first().ok_or_else(|| load_error(&"missing output"))?;
        let v = t.to_plain_array_view::<f32>().map_err(|e| load_error(&e))?;
        let mut p = [0.0f32; 7];
        if v.len() != 7 {
            return Err(load_error(&format!("output has {} values, not 7", v.len())));
        }
        for (dst, src) in p.iter_mut().zip(v.iter()) {
            *dst = *src;
        }
        Ok(Emotion::from_probabilities(p))
    }

    /// Every face of one frame, in parallel.
    pub fn classify_all(&self, frame: &RgbaFrame, faces: &[Face]) -> Vec<Result<Emotion>> {
        faces.par_iter().map(|f| self.classify(frame, f)).collect()
    }
}

fn load_error(e: &dyn std::fmt::Display) -> FramepickError {
    FramepickError::ModelLoadFailed {
        name: models::EMOTION_MODEL.into(),
        detail: e.to_string(),
    }
}

/// Crop rectangle `(x0, y0, x1, y1)` (exclusive ends) for a face: box + 20 % each side,
/// clamped to the frame, each edge rounded half up. `None` if nothing is left.
pub fn crop_box(frame_w: u32, frame_h: u32, face: &Face) -> Option<(u32, u32, u32, u32)> {
    let (w, h) = (frame_w as f32, frame_h as f32);
    let px = face.width * PAD;
    let py = face.height * PAD;
    let edge = |v: f32, max: f32| (v.clamp(0.0, max) + 0.5).floor() as u32;
    let x0 = edge(face.x - px, w);
    let y0 = edge(face.y - py, h);
    let x1 = edge(face.x + face.width + px, w);
    let y1 = edge(face.y + face.height + py, h);
    (x1 > x0 && y1 > y0).then_some((x0, y0, x1, y1))
}

/// The model input for one face: gray crop, 64×64, scaled to [−1, 1], NHWC.
pub fn input_tensor(frame: &RgbaFrame, face: &Face) -> Option<Tensor> {
    let (x0, y0, x1, y1) = crop_box(frame.width, frame.height, face)?;
    let (cw, ch) = (x1 - x0, y1 - y0);
    let mut gray = Vec::with_capacity((cw * ch) as usize);
    for y in y0..y1 {
        let row = (y * frame.width) as usize * 4;
        for x in x0..x1 {
            let p = &frame.data[row + x as usize * 4..row + x as usize * 4 + 3];
            // 0–1: the `image` crate clamps f32 pixels to [0, 1] when it resizes.
            gray.push((0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32) / 255.0);
        }
    }
    let crop: ImageBuffer<Luma<f32>, Vec<f32>> = ImageBuffer::from_raw(cw, ch, gray)?;
    let small = resize(&crop, INPUT, INPUT, FilterType::Triangle);
    let data: Vec<f32> = small
        .into_raw()
        .into_iter()
        .map(|g| (g - 0.5) * 2.0)
        .collect();
    tract_ndarray::Array4::from_shape_vec((1, INPUT as usize, INPUT as usize, 1), data)
        .ok()
        .map(|a| a.into_tensor())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f32, y: f32, w: f32, h: f32) -> Face {
        Face {
            x,
            y,
            width: w,
            height: h,
            score: 1.0,
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn crop_pads_twenty_percent_and_clamps() {
        assert_eq!(
            crop_box(100, 100, &face(20.0, 20.0, 10.0, 20.0)),
            Some((18, 16, 32, 44))
        );
        assert_eq!(
            crop_box(100, 100, &face(-5.0, 90.0, 20.0, 20.0)),
            Some((0, 86, 19, 100))
        );
        assert_eq!(crop_box(100, 100, &face(200.0, 0.0, 10.0, 10.0)), None);
    }

    #[test]
    fn input_is_64_square_in_minus_one_to_one() {
        let f = RgbaFrame::filled(50, 40, [255, 255, 255, 255]);
        let t = input_tensor(&f, &face(10.0, 10.0, 20.0, 20.0)).unwrap();
        assert_eq!(t.shape(), &[1, 64, 64, 1]);
        let v = t.to_plain_array_view::<f32>().unwrap();
        let bad: Vec<f32> = v
            .iter()
            .copied()
            .filter(|x| (x - 1.0).abs() > 1e-4)
            .collect();
        assert!(bad.is_empty(), "{:?}", &bad[..bad.len().min(8)]);
    }

    #[test]
    fn derived_values() {
        let e = Emotion::from_probabilities([0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 0.1]);
        assert_eq!(e.label, "happy");
        assert!((e.expressiveness - 0.9).abs() < 1e-6);
        let n = Emotion::from_probabilities([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        assert!(e.appeal() > n.appeal());
        assert!((e.probability("happy") - 0.9).abs() < 1e-6);
    }
}
