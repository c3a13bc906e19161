//! Face detection with RetinaFace (MobileNet-0.25) through tract.
//!
//! The ONNX graph takes any H×W; we build one optimized plan per input size (a video
//! has one size, so in practice one plan) and share it across rayon threads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use image::imageops::{resize, FilterType};
use image::{ImageBuffer, Rgba};
use rayon::prelude::*;
use serde::Serialize;
use tract_onnx::prelude::*;

use crate::error::{FramepickError, Result};
use crate::judging::models;
use crate::media::frame::RgbaFrame;

/// Per-channel means in B, G, R order, subtracted from the 0–255 input.
const MEAN_BGR: [f32; 3] = [104.0, 117.0, 127.0];
const STEPS: [u32; 3] = [8, 16, 32];
const MIN_SIZES: [[f32; 2]; 3] = [[16.0, 32.0], [64.0, 128.0], [256.0, 512.0]];
const VARIANCE: [f32; 2] = [0.1, 0.2];
/// Candidates kept for NMS, and faces kept after it: the reference RetinaFace
/// post-processing (`top_k`, `keep_top_k` in Pytorch_Retinaface `detect.py`). Without
/// them NMS is quadratic in the prior count when degenerate outputs (zero-size or
/// all-high-score boxes) pass the threshold: tens of thousands of boxes, seconds a
/// frame (found by fuzzing, tests/fuzz_regressions.rs).
const PRE_NMS_TOP_K: usize = 5000;
const KEEP_TOP_K: usize = 750;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Face {
    /// Box in frame pixels (top-left, size).
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub score: f32,
    /// Eyes, nose, mouth corners: `[x, y]` in frame pixels.
    pub landmarks: [[f32; 2]; 5],
}

impl Face {
    /// A square face box at (x, y) of `size`, eyes a third down, the landmarks placed as
    /// a frontal face's (tests of the modules that read faces).
    #[cfg(test)]
    pub(crate) fn square(x: f32, y: f32, size: f32) -> Face {
        let (ex, ey) = (x + size / 2.0, y + size / 3.0);
        Face {
            x,
            y,
            width: size,
            height: size,
            score: 0.99,
            landmarks: [
                [ex - size * 0.2, ey],
                [ex + size * 0.2, ey],
                [ex, ey + size * 0.2],
                [ex - size * 0.15, ey + size * 0.4],
                [ex + size * 0.15, ey + size * 0.4],
            ],
        }
    }

    /// Whether the frame cuts through this face, so it cannot carry a thumbnail: one of
    /// its five landmarks (eyes, nose, mouth corners) lies outside the `width`×`height`
    /// frame, or its box leaves the frame by more than a tenth of its size. RetinaFace
    /// boxes a face only as far as it is visible, so a face cut below the eyes can keep
    /// its box almost inside the frame; its nose and mouth landmarks, predicted where
    /// they would be, fall outside.
    pub fn cut_by_frame(&self, width: f32, height: f32) -> bool {
        let (tol_x, tol_y) = (0.1 * self.width, 0.1 * self.height);
        let box_out = self.x < -tol_x
            || self.y < -tol_y
            || self.x + self.width > width + tol_x
            || self.y + self.height > height + tol_y;
        let landmark_out = self
            .landmarks
            .iter()
            .any(|&[x, y]| x < 0.0 || y < 0.0 || x > width || y > height);
        box_out || landmark_out
    }

    fn iou(&self, o: &Face) -> f32 {
        let ix = (self.x + self.width).min(o.x + o.width) - self.x.max(o.x);
        let iy = (self.y + self.height).min(o.y + o.height) - self.y.max(o.y);
        if ix <= 0.0 || iy <= 0.0 {
            return 0.0;
        }
        let inter = ix * iy;
        inter / (self.width * self.height + o.width * o.height - inter)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct DetectorConfig {
    /// Long side of the model input; frames are scaled to it, then padded to ×32.
    pub input_long_side: u32,
    pub score_threshold: f32,
    pub nms_iou: f32,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self {
            input_long_side: 320,
            score_threshold: 0.6,
            nms_iou: 0.4,
        }
    }
}

type Plan = Arc<TypedRunnableModel>;

pub struct FaceDetector {
    model: InferenceModel,
    plans: Mutex<HashMap<(u32, u32), Plan>>,
    pub config: DetectorConfig,
}

/// Where a frame sits inside the padded model input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InputGeometry {
    pub input_width: u32,
    pub input_height: u32,
    /// frame px × scale = input px
    pub scale: f32,
}

impl InputGeometry {
    pub fn for_frame(width: u32, height: u32, long_side: u32) -> Self {
        let scale = long_side as f32 / width.max(height) as f32;
        let pad = |v: u32| -> u32 { ((v as f32 * scale).round() as u32).max(32).div_ceil(32) * 32 };
        Self {
            input_width: pad(width),
            input_height: pad(height),
            scale,
        }
    }
}

impl FaceDetector {
    /// Parse the ONNX bytes after checking their sha256.
    pub fn from_onnx_bytes(bytes: &[u8], config: DetectorConfig) -> Result<Self> {
        models::verify(models::FACE_MODEL, bytes)?;
        let model = tract_onnx::onnx()
            .model_for_read(&mut &bytes[..])
            .map_err(|e| load_error(&e))?;
        Ok(Self {
            model,
            plans: Mutex::new(HashMap::new()),
            config,
        })
    }

    fn plan(&self, w: u32, h: u32) -> Result<Plan> {
        if let Some(p) = self
            .plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(w, h))
        {
            return Ok(p.clone());
        }
        let plan = self
            .model
            .clone()
            .with_input_fact(0, f32::fact([1, 3, h as usize, w as usize]).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| load_error(&e))?;
        self.plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((w, h), plan.clone());
        Ok(plan)
    }

    /// Build the plan for this frame size now, so the first batch does not pay for it.
    pub fn prepare(&self, width: u32, height: u32) -> Result<()> {
        let g = InputGeometry::for_frame(width, height, self.config.input_long_side);
        self.plan(g.input_width, g.input_height).map(|_| ())
    }

    pub fn detect(&self, frame: &RgbaFrame) -> Result<Vec<Face>> {
        let g = InputGeometry::for_frame(frame.width, frame.height, self.config.input_long_side);
        let plan = self.plan(g.input_width, g.input_height)?;
        let input = input_tensor(frame, &g);
        let out =
            plan.run(tvec!(input.into_tvalue()))
                .map_err(|e| FramepickError::CorruptMedia {
                    detail: format!("face model failed on a frame: {e}"),
                })?;
        let view = |i: usize| -> Result<Vec<f32>> {
            let t = out.get(i).ok_or_else(|| load_error(&"missing output"))?;
            let a = t.to_plain_array_view::<f32>().map_err(|e| load_error(&e))?;
            Ok(a.iter().copied().collect())
        };
        let raw = RawOutputs {
            loc: view(0)?,
            conf: view(1)?,
            landmarks: view(2)?,
        };
        let faces = decode(&raw, &g, &self.config)?;
        Ok(faces)
    }

    /// One rayon task a frame; the plan is shared.
    pub fn detect_batch(&self, frames: &[&RgbaFrame]) -> Vec<Result<Vec<Face>>> {
        frames.par_iter().map(|f| self.detect(f)).collect()
    }
}

fn load_error(e: &dyn std::fmt::Display) -> FramepickError {
    FramepickError::ModelLoadFailed {
        name: models::FACE_MODEL.into(),
        detail: e.to_string(),
    }
}

/// Scale into the padded input, BGR minus the means, NCHW. Padding stays 0 (= mean colour).
pub fn input_tensor(frame: &RgbaFrame, g: &InputGeometry) -> Tensor {
    let sw = ((frame.width as f32 * g.scale).round() as u32).clamp(1, g.input_width);
    let sh = ((frame.height as f32 * g.scale).round() as u32).clamp(1, g.input_height);
    let (w, h) = (g.input_width as usize, g.input_height as usize);
    let mut planes = vec![0f32; 3 * h * w];
    // The pipeline's analysis frames are usually the detector's size already: read them as
    // they are rather than through a resize that would only copy them.
    let resized;
    let pixels: &[u8] = if (sw, sh) == (frame.width, frame.height) {
        &frame.data
    } else {
        let src: ImageBuffer<Rgba<u8>, &[u8]> =
            ImageBuffer::from_raw(frame.width, frame.height, frame.data.as_slice())
                .expect("RgbaFrame::new checked the size");
        resized = resize(&src, sw, sh, FilterType::Triangle);
        resized.as_raw()
    };
    let (b, rest) = planes.split_at_mut(h * w);
    let (gr, r) = rest.split_at_mut(h * w);
    for (y, row) in pixels.chunks_exact(4 * sw as usize).enumerate() {
        let at = y * w..y * w + sw as usize;
        let rows = b[at.clone()]
            .iter_mut()
            .zip(&mut gr[at.clone()])
            .zip(&mut r[at]);
        for (((b, g), r), p) in rows.zip(row.chunks_exact(4)) {
            *b = p[2] as f32 - MEAN_BGR[0];
            *g = p[1] as f32 - MEAN_BGR[1];
            *r = p[0] as f32 - MEAN_BGR[2];
        }
    }
    tract_ndarray::Array4::from_shape_vec((1, 3, h, w), planes)
        .expect("3 planes of h × w")
        .into_tensor()
}

/// The three output tensors, flattened.
pub struct RawOutputs {
    pub loc: Vec<f32>,
    pub conf: Vec<f32>,
    pub landmarks: Vec<f32>,
}

/// Prior boxes (cx, cy, w, h), normalised to the input size, in the model's order:
/// stride by stride, row by row, column by column, then each anchor size.
pub fn priors(input_width: u32, input_height: u32) -> Vec<[f32; 4]> {
    let (w, h) = (input_width as f32, input_height as f32);
    let mut out = Vec::new();
    for (k, &step) in STEPS.iter().enumerate() {
        let fh = input_height.div_ceil(step);
        let fw = input_width.div_ceil(step);
        for i in 0..fh {
            for j in 0..fw {
                for &size in &MIN_SIZES[k] {
                    out.push([
                        (j as f32 + 0.5) * step as f32 / w,
                        (i as f32 + 0.5) * step as f32 / h,
                        size / w,
                        size / h,
                    ]);
                }
            }
        }
    }
    out
}

/// Boxes, scores and landmarks in frame pixels, after threshold and NMS.
pub fn decode(raw: &RawOutputs, g: &InputGeometry, cfg: &DetectorConfig) -> Result<Vec<Face>> {
    let priors = priors(g.input_width, g.input_height);
    let n = priors.len();
    if raw.loc.len() != n * 4 || raw.conf.len() != n * 2 || raw.landmarks.len() != n * 10 {
        return Err(load_error(&format!(
            "output sizes {}/{}/{} do not match {n} priors",
            raw.loc.len(),
            raw.conf.len(),
            raw.landmarks.len()
        )));
    }
    let (iw, ih) = (g.input_width as f32, g.input_height as f32);
    let to_frame = |v: f32, size: f32| v * size / g.scale;
    let mut faces: Vec<Face> = (0..n)
        .filter_map(|i| {
            let score = face_probability(raw.conf[2 * i], raw.conf[2 * i + 1]);
            // NaN compares false with everything: it must not pass as a face.
            if score.is_nan() || score < cfg.score_threshold {
                return None;
            }
            let p = priors[i];
            let l = &raw.loc[4 * i..4 * i + 4];
            let cx = p[0] + l[0] * VARIANCE[0] * p[2];
            let cy = p[1] + l[1] * VARIANCE[0] * p[3];
            let bw = p[2] * (l[2] * VARIANCE[1]).exp();
            let bh = p[3] * (l[3] * VARIANCE[1]).exp();
            if ![cx, cy, bw, bh].iter().all(|v| v.is_finite()) {
                return None;
            }
            let mut landmarks = [[0.0; 2]; 5];
            for (k, lm) in landmarks.iter_mut().enumerate() {
                let o = 10 * i + 2 * k;
                lm[0] = to_frame(p[0] + raw.landmarks[o] * VARIANCE[0] * p[2], iw);
                lm[1] = to_frame(p[1] + raw.landmarks[o + 1] * VARIANCE[0] * p[3], ih);
            }
            Some(Face {
                x: to_frame(cx - bw / 2.0, iw),
                y: to_frame(cy - bh / 2.0, ih),
                width: to_frame(bw, iw),
                height: to_frame(bh, ih),
                score,
                landmarks,
            })
        })
        .collect();
    faces.sort_by(|a, b| b.score.total_cmp(&a.score));
    faces.truncate(PRE_NMS_TOP_K);
    Ok(nms(faces, cfg.nms_iou))
}

/// The exported graph may or may not end in a softmax; accept both.
fn face_probability(background: f32, face: f32) -> f32 {
    let sum = background + face;
    if (0.0..=1.0).contains(&face) && (sum - 1.0).abs() < 1e-3 {
        face
    } else {
        1.0 / (1.0 + (background - face).exp())
    }
}

/// Greedy non-maximum suppression over faces sorted by score, best first; at most
/// `KEEP_TOP_K` faces are kept.
pub fn nms(sorted: Vec<Face>, iou: f32) -> Vec<Face> {
    let mut kept: Vec<Face> = Vec::new();
    for f in sorted {
        if kept.len() == KEEP_TOP_K {
            break;
        }
        if kept.iter().all(|k| k.iou(&f) <= iou) {
            kept.push(f);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_tensor_is_bgr_minus_means_by_planes_and_pads_with_zeros() {
        // 40×20 at its own size: read as it is; 80×40 halved: through the resize. Both sit in
        // the top-left of a 64×32 input (multiples of 32), the rest zero.
        for (fw, fh, long_side) in [(40u32, 20u32, 40u32), (80, 40, 40)] {
            let data: Vec<u8> = (0..fw * fh * 4).map(|i| (i * 7 % 251) as u8).collect();
            let frame = RgbaFrame::new(fw, fh, data.clone()).unwrap();
            let g = InputGeometry::for_frame(fw, fh, long_side);
            assert_eq!((g.input_width, g.input_height), (64, 32));
            let t = input_tensor(&frame, &g);
            let a = t.to_plain_array_view::<f32>().unwrap();
            assert_eq!(a.shape(), &[1, 3, 32, 64]);
            let (sw, sh) = (40usize, 20usize);
            let src: ImageBuffer<Rgba<u8>, Vec<u8>> = ImageBuffer::from_raw(fw, fh, data).unwrap();
            let small = resize(&src, sw as u32, sh as u32, FilterType::Triangle);
            for y in 0..32 {
                for x in 0..64 {
                    for c in 0..3 {
                        let want = if x < sw && y < sh {
                            small.get_pixel(x as u32, y as u32)[2 - c] as f32 - MEAN_BGR[c]
                        } else {
                            0.0
                        };
                        assert_eq!(
                            a[[0, c, y, x]],
                            want,
                            "{fw}×{fh}: channel {c} at ({x}, {y})"
                        );
                    }
                }
            }
        }
    }

    fn face(x: f32, score: f32) -> Face {
        Face {
            x,
            y: 0.0,
            width: 10.0,
            height: 10.0,
            score,
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn prior_count_matches_the_model_layout() {
        // 320×320: (40² + 20² + 10²) cells × 2 anchors.
        assert_eq!(priors(320, 320).len(), 2 * (1600 + 400 + 100));
        let p = priors(320, 320);
        assert!((p[0][0] - 4.0 / 320.0).abs() < 1e-6);
        assert!((p[1][2] - 32.0 / 320.0).abs() < 1e-6);
    }

    #[test]
    fn a_face_cut_below_the_eyes_is_cut_though_its_box_barely_leaves_the_frame() {
        // Measured on a real frame (faces-03 at 16.3 s, 320×180): only the eyes and
        // forehead show; the box ends 10 px (6 %) below the frame, the nose and mouth
        // landmarks 13–19 px below it.
        let eyes_only = Face {
            x: 86.4,
            y: 89.8,
            width: 163.2,
            height: 100.0,
            score: 0.98,
            landmarks: [
                [130.0, 158.0],
                [207.0, 163.0],
                [162.0, 199.0],
                [128.0, 193.0],
                [185.0, 198.0],
            ],
        };
        assert!(eyes_only.cut_by_frame(320.0, 180.0));
        // The same face with room below is whole.
        assert!(!eyes_only.cut_by_frame(320.0, 240.0));
        // A close-up whose chin touches the edge keeps every landmark inside: whole.
        let close = Face::square(100.0, 0.0, 178.0);
        assert!(!close.cut_by_frame(320.0, 180.0));
        // A box far out of the frame is cut even with its landmarks inside.
        let mut far_out = Face::square(280.0, 40.0, 80.0);
        far_out.landmarks = [[300.0, 60.0]; 5];
        assert!(far_out.cut_by_frame(320.0, 180.0));
    }

    #[test]
    fn nms_drops_overlaps_and_keeps_separate_faces() {
        let kept = nms(vec![face(0.0, 0.9), face(1.0, 0.8), face(50.0, 0.7)], 0.4);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[1].x, 50.0);
    }

    #[test]
    fn geometry_pads_to_multiples_of_32() {
        let g = InputGeometry::for_frame(1280, 720, 320);
        assert_eq!((g.input_width, g.input_height), (320, 192));
        assert!((g.scale - 0.25).abs() < 1e-6);
    }

    #[test]
    fn probabilities_or_logits_both_give_a_probability() {
        assert!((face_probability(0.1, 0.9) - 0.9).abs() < 1e-6);
        assert!(face_probability(-3.0, 3.0) > 0.99);
    }
}
