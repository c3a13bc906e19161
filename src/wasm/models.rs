use super::js_error;
use super::to_js;
use crate::error::FramepickError;
use crate::judging::emotion::EmotionModel;
use crate::judging::faces::DetectorConfig;
use crate::judging::faces::FaceDetector;
use crate::media::frame::RgbaFrame;
use crate::session::DeepModels;
use wasm_bindgen::prelude::*;

/// The deep-analysis models, parsed once per worker and shared by all rayon threads:
/// the face detector, and (optional, loaded with `loadEmotion`) the emotion model.
#[wasm_bindgen]
pub struct FaceModel {
    detector: FaceDetector,
    emotion: Option<EmotionModel>,
}

#[wasm_bindgen]
impl FaceModel {
    /// Check the sha256 of `bytes` and parse the ONNX graph.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8], input_long_side: Option<u32>) -> Result<FaceModel, JsValue> {
        let mut config = DetectorConfig::default();
        if let Some(s) = input_long_side {
            config.input_long_side = s;
        }
        let detector = FaceDetector::from_onnx_bytes(bytes, config).map_err(js_error)?;
        Ok(FaceModel {
            detector,
            emotion: None,
        })
    }

    /// Check the sha256 of the emotion model's bytes and build its plan; from then on
    /// `Analysis.finish` classifies the expression of every face. Throws
    /// `MODEL_LOAD_FAILED` (the face model stays usable).
    #[wasm_bindgen(js_name = loadEmotion)]
    pub fn load_emotion(&mut self, bytes: &[u8]) -> Result<(), JsValue> {
        self.emotion = Some(EmotionModel::from_onnx_bytes(bytes).map_err(js_error)?);
        Ok(())
    }

    #[wasm_bindgen(getter, js_name = hasEmotion)]
    pub fn has_emotion(&self) -> bool {
        self.emotion.is_some()
    }

    /// Faces in one RGBA frame (tests and tools; the pipeline uses `Analysis.finish`).
    pub fn detect(&self, width: u32, height: u32, rgba: Vec<u8>) -> Result<JsValue, JsValue> {
        let frame = RgbaFrame::new(width, height, rgba).map_err(js_error)?;
        to_js(&self.detector.detect(&frame).map_err(js_error)?)
    }

    /// Expression of the face at `(x, y, w, h)` (frame pixels) in one RGBA frame:
    /// `{ probabilities, label, confidence, expressiveness }` (tests and tools).
    #[allow(clippy::too_many_arguments)]
    pub fn emotion(
        &self,
        width: u32,
        height: u32,
        rgba: Vec<u8>,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    ) -> Result<JsValue, JsValue> {
        let model = self.emotion.as_ref().ok_or_else(|| {
            js_error(FramepickError::invalid(
                "no emotion model loaded (loadEmotion)",
            ))
        })?;
        let frame = RgbaFrame::new(width, height, rgba).map_err(js_error)?;
        let face = crate::judging::faces::Face {
            x,
            y,
            width: w,
            height: h,
            score: 1.0,
            landmarks: [[0.0; 2]; 5],
        };
        to_js(&model.classify(&frame, &face).map_err(js_error)?)
    }
}

impl FaceModel {
    /// The models as deep analysis takes them.
    pub(super) fn deep_models(&self) -> DeepModels<'_> {
        DeepModels {
            faces: Some(&self.detector),
            emotion: self.emotion.as_ref(),
        }
    }
}
