use super::js_error;
use super::metrics::yuv_frame;
use super::models::FaceModel;
use super::to_js;
use crate::choosing::crops::Ratio;
use crate::choosing::profiles::Niche;
use crate::choosing::profiles::ScoringOptions;
use crate::choosing::profiles::Weights;
use crate::error::FramepickError;
use crate::media::frame::RgbaFrame;
use crate::screening::quality::FrameSums;
use crate::screening::quality::QuickMetrics;
use crate::screening::segments::DenseConfig;
use crate::session::DeepModels;
use crate::session::Session;
use crate::session::SessionConfig;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// One pick run: frames in, candidates out.
#[wasm_bindgen]
pub struct Analysis {
    session: Option<Session>,
}

#[wasm_bindgen]
impl Analysis {
    /// `scoring` (optional): `{ niche, weights }`, see `finish`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        top: usize,
        deep_k: usize,
        output_width: u32,
        output_height: u32,
        min_gap_s: f64,
        scoring: JsValue,
    ) -> Result<Analysis, JsValue> {
        let (niche, weights) = scoring_options(&scoring)?;
        let cfg = SessionConfig {
            top,
            deep_k,
            batch: (rayon::current_num_threads() * 4).max(4),
            output_width,
            output_height,
            min_gap_us: (min_gap_s * 1e6) as i64,
            niche,
            weights: Some(weights),
            max_frame_bytes: crate::session::MAX_FRAME_BYTES,
        };
        Ok(Analysis {
            session: Some(Session::new(cfg).map_err(js_error)?),
        })
    }

    /// Hand over one analysis-size RGBA frame (copied into wasm memory).
    #[wasm_bindgen(js_name = pushFrame)]
    pub fn push_frame(
        &mut self,
        pts_us: f64,
        width: u32,
        height: u32,
        rgba: Vec<u8>,
    ) -> Result<(), JsValue> {
        let frame = RgbaFrame::new(width, height, rgba).map_err(js_error)?;
        self.session_mut()?
            .push_frame(pts_us as i64, frame)
            .map_err(js_error)
    }

    /// Hand over one decoded picture as `VideoFrame.copyTo` gave it (`RGBA`, `RGBX`,
    /// `BGRA`, `BGRX`, or `I420` / `NV12` at 8 bits; `layout` = `[offset, stride]` per
    /// plane, `matrix` its colour space's, ignored for RGB): it is
    /// turned into the `out_w × out_h` upright analysis frame here (`yuv`), instead of
    /// a canvas `drawImage` that costs the page ~8 MB of renderer memory a frame.
    #[wasm_bindgen(js_name = pushYuv)]
    #[allow(clippy::too_many_arguments)]
    pub fn push_yuv(
        &mut self,
        pts_us: f64,
        format: &str,
        width: u32,
        height: u32,
        data: &[u8],
        layout: Vec<u32>,
        matrix: Option<String>,
        full_range: bool,
        out: Vec<u32>,
    ) -> Result<(), JsValue> {
        let (frame, detail) = yuv_frame(
            format, width, height, data, &layout, matrix, full_range, &out,
        )
        .map_err(js_error)?;
        self.session_mut()?
            .push_frame_with_detail(pts_us as i64, frame, detail)
            .map_err(js_error)
    }

    /// Crop shapes asked for (`W:H`: `['16:9', '3:2']`): every candidate gets them
    /// besides 16:9, 1:1, 4:5 and 9:16, marked `asked` (the worker encodes their
    /// images). Returns their labels as the crops carry them (lowest terms). Bad ratios
    /// throw `INVALID_ARGUMENT`.
    #[wasm_bindgen(js_name = setCrops)]
    pub fn set_crops(&mut self, ratios: JsValue) -> Result<Vec<String>, JsValue> {
        let ratios = crop_ratios(&ratios)?;
        self.session_mut()?.set_crop_ratios(&ratios);
        Ok(ratios.iter().map(Ratio::label).collect())
    }

    /// Most bytes of analysis frames held at once (default 384 MiB): frames that would
    /// not fit fail `pushFrame` with `OUT_OF_MEMORY`.
    #[wasm_bindgen(js_name = setMemoryBudget)]
    pub fn set_memory_budget(&mut self, bytes: f64) -> Result<(), JsValue> {
        self.session_mut()?
            .set_max_frame_bytes(bytes.max(0.0) as usize);
        Ok(())
    }

    /// A frame measured on the GPU (www/worker/gpu.js): its accumulator words and per-tile
    /// partial sums. Returns whether its pixels are wanted (`attachPixels`).
    #[wasm_bindgen(js_name = pushSums)]
    pub fn push_sums(
        &mut self,
        pts_us: f64,
        width: u32,
        height: u32,
        acc: Vec<u32>,
        partials: Vec<f32>,
    ) -> Result<bool, JsValue> {
        let sums = FrameSums::from_gpu(width, height, &acc, &partials).map_err(js_error)?;
        let metrics = QuickMetrics::from_sums(&sums);
        Ok(self.session_mut()?.push_measured(pts_us as i64, metrics))
    }

    /// The analysis-size pixels `pushSums` asked for, rows `stride` bytes apart.
    #[wasm_bindgen(js_name = attachPixels)]
    pub fn attach_pixels(
        &mut self,
        pts_us: f64,
        width: u32,
        height: u32,
        stride: usize,
        data: &[u8],
    ) -> Result<(), JsValue> {
        let frame = RgbaFrame::from_rows(width, height, stride, data).map_err(js_error)?;
        self.session_mut()?
            .attach_pixels(pts_us as i64, frame)
            .map_err(js_error)
    }

    /// One decoded audio block (`AudioData`, first channel as f32) for loudness.
    #[wasm_bindgen(js_name = pushAudio)]
    pub fn push_audio(
        &mut self,
        pts_us: f64,
        sample_rate: u32,
        pcm: &[f32],
    ) -> Result<(), JsValue> {
        self.session_mut()?
            .push_audio(pts_us as i64, sample_rate, pcm);
        Ok(())
    }

    /// End of the coarse pass: shots, transitions, importance segments; returns
    /// `{ times, shots, transitions }` with the times (µs) to decode densely.
    /// `max_frames` caps the dense pass (the decoding it costs grows with it).
    #[wasm_bindgen(js_name = planDense)]
    pub fn plan_dense(&mut self, max_frames: Option<usize>) -> Result<JsValue, JsValue> {
        let mut cfg = DenseConfig::default();
        if let Some(n) = max_frames {
            cfg.max_total = n;
        }
        let plan = self.session_mut()?.plan_dense(&cfg);
        to_js(&plan)
    }

    /// Presentation times (µs) of the frames that may still be picked, likeliest first
    /// (see `Session::standing`): the worker keeps full-size copies of these only.
    #[wasm_bindgen(js_name = standingPts)]
    pub fn standing_pts(&self) -> Vec<f64> {
        self.session
            .as_ref()
            .map(|s| s.standing().into_iter().map(|t| t as f64).collect())
            .unwrap_or_default()
    }

    /// Presentation times (µs) analysed so far.
    #[wasm_bindgen(js_name = sampledPts)]
    pub fn sampled_pts(&self) -> Vec<f64> {
        self.session
            .as_ref()
            .map(|s| s.sampled_pts().into_iter().map(|t| t as f64).collect())
            .unwrap_or_default()
    }

    #[wasm_bindgen(js_name = framesSampled)]
    pub fn frames_sampled(&self) -> usize {
        self.session.as_ref().map_or(0, Session::frames_sampled)
    }

    /// Change the ranking before `finish`: `{ niche, weights }` (weights may be partial;
    /// the rest come from the niche's table).
    #[wasm_bindgen(js_name = setScoring)]
    pub fn set_scoring(&mut self, scoring: JsValue) -> Result<(), JsValue> {
        let (niche, weights) = scoring_options(&scoring)?;
        self.session_mut()?
            .set_scoring(niche, Some(weights))
            .map_err(js_error)
    }

    /// Run deep analysis (faces, and emotion when `faces` holds the emotion model) and
    /// ranking: `{ candidates, report }`. Ends the run. `scoring` (optional) replaces
    /// the niche/weights given so far. `on_progress(done, total)` (optional) is called
    /// on this thread after each slice of frames; answering `false` cancels (`ABORTED`).
    pub fn finish(
        &mut self,
        faces: &FaceModel,
        scoring: JsValue,
        on_progress: Option<js_sys::Function>,
    ) -> Result<JsValue, JsValue> {
        self.apply_scoring(&scoring)?;
        self.finish_with(faces.deep_models(), on_progress)
    }

    /// Ranking without models (none could be loaded): quick metrics, composition,
    /// editability and aesthetics.
    #[wasm_bindgen(js_name = finishWithoutModels)]
    pub fn finish_without_models(
        &mut self,
        scoring: JsValue,
        on_progress: Option<js_sys::Function>,
    ) -> Result<JsValue, JsValue> {
        self.apply_scoring(&scoring)?;
        self.finish_with(DeepModels::default(), on_progress)
    }

    fn apply_scoring(&mut self, scoring: &JsValue) -> Result<(), JsValue> {
        if scoring.is_undefined() || scoring.is_null() {
            return Ok(());
        }
        self.set_scoring(scoring.clone())
    }

    fn finish_with(
        &mut self,
        models: DeepModels<'_>,
        on_progress: Option<js_sys::Function>,
    ) -> Result<JsValue, JsValue> {
        let session = self.session.take().ok_or_else(finished)?;
        // The callback answers `false` when the run was cancelled; anything else
        // (including a throw, which must not end the analysis) goes on.
        let mut report_progress = |done: usize, total: usize| -> bool {
            on_progress.as_ref().is_none_or(|f| {
                f.call2(
                    &JsValue::NULL,
                    &(done as f64).into(),
                    &(total as f64).into(),
                )
                .map_or(true, |answer| answer != JsValue::FALSE)
            })
        };
        let (candidates, report) = session
            .finish_with_progress(models, &mut report_progress)
            .map_err(js_error)?;
        #[derive(Serialize)]
        struct Out<'a> {
            candidates: &'a [crate::session::Candidate],
            report: &'a crate::session::CoreReport,
        }
        to_js(&Out {
            candidates: &candidates,
            report: &report,
        })
    }

    fn session_mut(&mut self) -> Result<&mut Session, JsValue> {
        self.session.as_mut().ok_or_else(finished)
    }
}

/// `{ niche?: 'general'|'vlog'|…, weights?: { quality?, faces?, … } }`; undefined or
/// null → the general table.
fn scoring_options(v: &JsValue) -> Result<(Niche, Weights), JsValue> {
    let opts: ScoringOptions = if v.is_undefined() || v.is_null() {
        ScoringOptions::default()
    } else {
        serde_wasm_bindgen::from_value(v.clone()).map_err(|e| {
            js_error(FramepickError::invalid(format!(
                "scoring options {{ niche, weights }}: {e}"
            )))
        })?
    };
    opts.resolve().map_err(js_error)
}

/// `['16:9', '1:1', …]` (or one string) → ratios; anything else is `INVALID_ARGUMENT`.
fn crop_ratios(v: &JsValue) -> Result<Vec<Ratio>, JsValue> {
    let items: Vec<String> = if let Some(one) = v.as_string() {
        vec![one]
    } else {
        serde_wasm_bindgen::from_value(v.clone()).map_err(|_| {
            js_error(FramepickError::invalid(
                "crops must be an array of ratios like ['16:9', '1:1']",
            ))
        })?
    };
    crate::choosing::crops::parse_ratios(&items).map_err(js_error)
}

fn finished() -> JsValue {
    js_error(FramepickError::invalid(
        "this analysis has already finished",
    ))
}
