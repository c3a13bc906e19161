//! The browser layer: wasm-bindgen exports used by `www/worker.js`. Only glue lives
//! here (Blob reads, JS values in and out, typed errors); the work is in the core.

mod blob;

use js_sys::{Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::choosing::crops::Ratio;
use crate::choosing::profiles::{Niche, ScoringOptions, Weights};
use crate::error::FramepickError;
use crate::judging::emotion::EmotionModel;
use crate::judging::faces::{DetectorConfig, FaceDetector};
use crate::media::demux::audio::AudioTrack;
use crate::media::demux::{self, VideoTrack};
use crate::media::frame::RgbaFrame;
use crate::media::sampling;
use crate::media::source::CachedReader;
use crate::screening::quality::{FrameSums, QuickMetrics, Rejection};
use crate::screening::segments::DenseConfig;
use crate::session::{DeepModels, Session, SessionConfig};
use blob::BlobSource;

#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Whether this build runs rayon on Web Workers.
#[wasm_bindgen(js_name = threadsEnabled)]
pub fn threads_enabled() -> bool {
    cfg!(feature = "threads")
}

/// Worker threads in rayon's pool (1 in the single-thread build).
/// `[minGapS, maxGapS]` for `Demuxer.planCoarse` (`sampling::coarse_spacing`).
#[wasm_bindgen(js_name = coarseSpacing)]
pub fn coarse_spacing(duration_s: f64, top: usize, max_samples: usize) -> Vec<f64> {
    let (min_gap, max_gap) = sampling::coarse_spacing((duration_s * 1e6) as i64, top, max_samples);
    vec![min_gap as f64 / 1e6, max_gap as f64 / 1e6]
}

/// Decode units a pick may spend ([`sampling::decode_budget`]): `per_minute` units a
/// minute of 1080p video.
#[wasm_bindgen(js_name = decodeBudget)]
pub fn decode_budget(duration_s: f64, width: u32, height: u32, per_minute: f64) -> f64 {
    sampling::decode_budget((duration_s * 1e6) as i64, width, height, per_minute) as f64
}

/// What the dense pass may spend of a pick's `budget` once the coarse pass planned
/// `coarse_units` ([`sampling::dense_budget`]).
#[wasm_bindgen(js_name = denseBudget)]
pub fn dense_budget(budget: f64, coarse_units: f64) -> f64 {
    sampling::dense_budget(budget as u64, coarse_units as u64) as f64
}

#[wasm_bindgen(js_name = threadCount)]
pub fn thread_count() -> usize {
    rayon::current_num_threads()
}

/// A JS `Error` whose `code` property is the stable error code.
pub(crate) fn js_error(e: FramepickError) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    let _ = Reflect::set(&err, &"code".into(), &e.code().into());
    err.into()
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser)
        .map_err(|e| js_error(FramepickError::invalid(e.to_string())))
}

/// A demuxed file: the track description and a way to read its samples.
#[wasm_bindgen]
pub struct Demuxer {
    reader: CachedReader<BlobSource>,
    track: VideoTrack,
    /// The AAC track, or why the sound is not measured.
    audio: std::result::Result<AudioTrack, demux::audio::NoAudio>,
}

#[wasm_bindgen]
impl Demuxer {
    /// Parse the container of `blob` (a `File` or `Blob`), reading only the ranges it needs.
    pub fn open(blob: web_sys::Blob) -> Result<Demuxer, JsValue> {
        let mut reader = CachedReader::new(BlobSource::new(blob).map_err(js_error)?);
        let media = demux::demux_media(&mut reader).map_err(js_error)?;
        Ok(Demuxer {
            reader,
            track: media.video,
            audio: media.audio,
        })
    }

    /// `{ codec, codedWidth, …, samples: [{ ptsUs, durationUs, keyframe, offset, size }] }`.
    pub fn track(&self) -> Result<JsValue, JsValue> {
        to_js(&self.track)
    }

    /// The decoder `description` (avcC etc.), or undefined when the codec has none.
    pub fn description(&self) -> Option<Uint8Array> {
        (!self.track.description.is_empty())
            .then(|| Uint8Array::from(self.track.description.as_slice()))
    }

    #[wasm_bindgen(js_name = rangeReads)]
    pub fn range_reads(&self) -> f64 {
        self.reader.reads as f64
    }

    /// Bytes fetched from the file so far (headers, sample data; far below its size).
    #[wasm_bindgen(js_name = bytesRead)]
    pub fn bytes_read(&self) -> f64 {
        self.reader.bytes_read as f64
    }

    /// Bytes of samples `first..=last` (decode order) read in one range request, and
    /// the offset of each sample inside them: `{ bytes, offsets, disposable? }`
    /// (`disposable` for H.264 only).
    #[wasm_bindgen(js_name = readSamples)]
    pub fn read_samples(&mut self, first: usize, last: usize) -> Result<JsValue, JsValue> {
        let run = read_run(&mut self.reader, &self.track.samples, first, last)?;
        let out = run.to_js()?;
        if let Some(len) = self.avc_nal_length() {
            // `disposable[i]`: sample `first + i` is an H.264 picture nothing refers
            // to, so it need not be decoded unless it is itself wanted.
            let flags: Vec<u8> = (0..run.sizes.len())
                .map(|i| u8::from(demux::nal::is_disposable_avc(run.sample(i), len)))
                .collect();
            Reflect::set(
                &out,
                &"disposable".into(),
                &Uint8Array::from(flags.as_slice()),
            )?;
        }
        Ok(out)
    }

    /// The NAL length-prefix size of an H.264 track (none for other codecs).
    fn avc_nal_length(&self) -> Option<usize> {
        let avc = self.track.codec.starts_with("avc1") || self.track.codec.starts_with("avc3");
        avc.then(|| demux::nal::nal_length_size(&self.track.description))
            .flatten()
    }

    /// The audio track to measure loudness on: `{ codec, sampleRate, channels, frames }`,
    /// or `{ reason }` when there is none (no audio, not AAC, WebM).
    #[wasm_bindgen(js_name = audioTrack)]
    pub fn audio_track(&self) -> Result<JsValue, JsValue> {
        match &self.audio {
            Ok(track) => to_js(track),
            Err(reason) => {
                let out = Object::new();
                Reflect::set(&out, &"reason".into(), &(*reason).into())?;
                Ok(out.into())
            }
        }
    }

    /// The AudioSpecificConfig for `AudioDecoder.configure({ description })`.
    #[wasm_bindgen(js_name = audioDescription)]
    pub fn audio_description(&self) -> Option<Uint8Array> {
        self.audio
            .as_ref()
            .ok()
            .map(|a| Uint8Array::from(a.description.as_slice()))
    }

    /// Runs `[{ first, last }, …]` of audio frames around each time (µs): the audio
    /// that loudness at those times needs.
    #[wasm_bindgen(js_name = planAudio)]
    pub fn plan_audio(&self, times_us: Vec<f64>) -> Result<JsValue, JsValue> {
        let times: Vec<i64> = times_us.iter().map(|&t| t as i64).collect();
        let samples = self.audio.as_ref().map_or(&[][..], |a| &a.samples);
        to_js(&demux::audio::window_runs(
            samples,
            &times,
            crate::screening::audio::HALF_WINDOW_US,
        ))
    }

    /// Like `readSamples`, for audio frames, with their times:
    /// `{ bytes, offsets, samples: [{ ptsUs, durationUs, … }] }`.
    #[wasm_bindgen(js_name = readAudio)]
    pub fn read_audio(&mut self, first: usize, last: usize) -> Result<JsValue, JsValue> {
        let audio = self.audio.as_ref().map_err(|reason| {
            js_error(FramepickError::invalid(format!(
                "no audio to read: {reason}"
            )))
        })?;
        let out = read_run(&mut self.reader, &audio.samples, first, last)?.to_js()?;
        Reflect::set(
            &out,
            &"samples".into(),
            &to_js(&&audio.samples[first..=last])?,
        )?;
        Ok(out)
    }

    /// Sample indices to analyse, one per `interval_s`, and the runs that decode them.
    #[wasm_bindgen(js_name = planGrid)]
    pub fn plan_grid(&self, interval_s: f64) -> Result<JsValue, JsValue> {
        let targets = sampling::targets_on_grid(&self.track.samples, (interval_s * 1e6) as i64);
        self.plan(targets)
    }

    /// The coarse pass: keyframes at least `min_gap_s` apart, gaps over `max_gap_s`
    /// filled from a grid; with the runs that decode them and their cost. With `budget`
    /// (the pick's decode units, [`sampling::decode_budget`]; this pass spends up to
    /// [`sampling::coarse_budget`] of it), where the grid costs more, the fills are the
    /// cheap frames the budget pays for ([`sampling::coarse_plan`]).
    #[wasm_bindgen(js_name = planCoarse)]
    pub fn plan_coarse(
        &self,
        min_gap_s: f64,
        max_gap_s: f64,
        budget: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let (min_gap, max_gap) = ((min_gap_s * 1e6) as i64, (max_gap_s * 1e6) as i64);
        let samples = &self.track.samples;
        let targets = match budget {
            Some(b) => {
                let coarse = sampling::coarse_budget(b as u64);
                sampling::coarse_plan(samples, min_gap, max_gap, coarse)
            }
            None => sampling::coarse_targets(samples, min_gap, max_gap),
        };
        self.plan(targets)
    }

    /// Decode runs for the samples nearest to the given times (microseconds), leaving
    /// out samples whose presentation time is in `skip_pts_us` (already analysed). With
    /// `budget` (times most wanted first), where those samples would cost more, each time
    /// takes the cheapest sample within `tolerance_s` of it while the budget lasts
    /// ([`sampling::dense_targets`]).
    #[wasm_bindgen(js_name = planTimes)]
    pub fn plan_times(
        &self,
        pts_us: Vec<f64>,
        skip_pts_us: Option<Vec<f64>>,
        tolerance_s: Option<f64>,
        budget: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let analysed: Vec<i64> = skip_pts_us
            .unwrap_or_default()
            .iter()
            .map(|&t| t as i64)
            .collect();
        let samples = &self.track.samples;
        let wanted: Vec<i64> = pts_us.iter().map(|&t| t as i64).collect();
        let targets = match budget {
            Some(b) => {
                let tolerance = (tolerance_s.unwrap_or(0.0) * 1e6) as i64;
                sampling::dense_targets(samples, &wanted, &analysed, tolerance, b as u64)
            }
            None => sampling::nearest_targets(samples, &wanted, &analysed),
        };
        self.plan(targets)
    }

    fn plan(&self, targets: Vec<usize>) -> Result<JsValue, JsValue> {
        let samples = &self.track.samples;
        let runs = sampling::decode_runs(samples, &targets);
        let cost = sampling::PlanCost::of(samples, &targets, &runs);
        let alone = targets
            .iter()
            .map(|&i| sampling::units_alone(samples, i))
            .collect();
        #[derive(Serialize)]
        struct Plan {
            targets: Vec<usize>,
            runs: Vec<sampling::DecodeRun>,
            cost: sampling::PlanCost,
            /// Per target, the units to decode it again on its own.
            alone: Vec<u64>,
        }
        to_js(&Plan {
            targets,
            runs,
            cost,
            alone,
        })
    }
}

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

/// The bytes of `samples[first..=last]`, read in one range request.
struct SampleRun {
    bytes: Vec<u8>,
    /// Where each sample starts in `bytes`, and its size.
    offsets: Vec<usize>,
    sizes: Vec<usize>,
}

impl SampleRun {
    fn sample(&self, i: usize) -> &[u8] {
        let at = self.offsets[i];
        self.bytes.get(at..at + self.sizes[i]).unwrap_or(&[])
    }

    /// `{ bytes, offsets }` for the worker.
    fn to_js(&self) -> Result<JsValue, JsValue> {
        let out = Object::new();
        let offsets: Vec<f64> = self.offsets.iter().map(|&o| o as f64).collect();
        Reflect::set(
            &out,
            &"bytes".into(),
            &Uint8Array::from(self.bytes.as_slice()),
        )?;
        Reflect::set(&out, &"offsets".into(), &to_js(&offsets)?)?;
        Ok(out.into())
    }
}

fn read_run(
    reader: &mut CachedReader<BlobSource>,
    samples: &[demux::Sample],
    first: usize,
    last: usize,
) -> Result<SampleRun, JsValue> {
    let samples = samples.get(first..=last).ok_or_else(|| {
        js_error(FramepickError::invalid(format!(
            "no samples {first}..={last}"
        )))
    })?;
    let start = samples.iter().map(|s| s.offset).min().unwrap_or(0);
    let end = samples
        .iter()
        .map(|s| s.offset + s.size as u64)
        .max()
        .unwrap_or(0);
    let bytes = reader
        .read_range(start, (end - start) as usize)
        .map_err(|e| js_error(e.into()))?;
    Ok(SampleRun {
        bytes,
        offsets: samples
            .iter()
            .map(|s| (s.offset - start) as usize)
            .collect(),
        sizes: samples.iter().map(|s| s.size as usize).collect(),
    })
}

/// Quick metrics of one RGBA frame (rows `stride` bytes apart) on the CPU; the
/// GPU-agreement test compares them with `quickMetricsFromGpu`.
#[wasm_bindgen(js_name = quickMetrics)]
pub fn quick_metrics(
    width: u32,
    height: u32,
    stride: usize,
    rgba: &[u8],
) -> Result<JsValue, JsValue> {
    let frame = RgbaFrame::from_rows(width, height, stride, rgba).map_err(js_error)?;
    verdict(QuickMetrics::of(&frame))
}

/// Quick metrics of a `copyTo` picture turned into the analysis frame as
/// `Analysis.pushYuv` does (`inspectFrames` compares them with the canvas path's).
#[wasm_bindgen(js_name = quickMetricsYuv)]
#[allow(clippy::too_many_arguments)]
pub fn quick_metrics_yuv(
    format: &str,
    width: u32,
    height: u32,
    data: &[u8],
    layout: Vec<u32>,
    matrix: Option<String>,
    full_range: bool,
    out: Vec<u32>,
) -> Result<JsValue, JsValue> {
    let frame = yuv_frame(
        format, width, height, data, &layout, matrix, full_range, &out,
    )
    .map_err(js_error)?;
    verdict(QuickMetrics::of(&frame))
}

/// Quick metrics from the GPU path's sums (see `Analysis.pushSums`).
#[wasm_bindgen(js_name = quickMetricsFromGpu)]
pub fn quick_metrics_from_gpu(
    width: u32,
    height: u32,
    acc: Vec<u32>,
    partials: Vec<f32>,
) -> Result<JsValue, JsValue> {
    let sums = FrameSums::from_gpu(width, height, &acc, &partials).map_err(js_error)?;
    verdict(QuickMetrics::from_sums(&sums))
}

/// Metrics with the quick filter's verdict (`rejection`: null or why).
fn verdict(metrics: QuickMetrics) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    struct Verdict {
        #[serde(flatten)]
        metrics: QuickMetrics,
        rejection: Option<Rejection>,
    }
    to_js(&Verdict {
        metrics,
        rejection: metrics.rejection(),
    })
}

/// The analysis frame of a `copyTo` picture; `out` = `[width, height, rotation]`.
#[allow(clippy::too_many_arguments)]
fn yuv_frame(
    format: &str,
    width: u32,
    height: u32,
    data: &[u8],
    layout: &[u32],
    matrix: Option<String>,
    full_range: bool,
    out: &[u32],
) -> crate::error::Result<RgbaFrame> {
    use crate::media::yuv::{
        rgba_from_rgba, rgba_from_yuv420, Chroma, Matrix, Plane, Rgba, Yuv420,
    };
    let bad = |what: String| crate::error::FramepickError::invalid(what);
    let &[out_w, out_h, rotation] = out else {
        return Err(bad("pushYuv: out must be [width, height, rotation]".into()));
    };
    // Chroma layout (None: RGB, one plane of pixels) and plane count of each format.
    let (chroma, planes) = match format {
        "I420" => (Some(Chroma::Planar), 3),
        "NV12" => (Some(Chroma::Interleaved), 2),
        "RGBA" | "RGBX" | "BGRA" | "BGRX" => (None, 1),
        other => {
            return Err(bad(format!(
                "pushYuv takes I420, NV12, RGBA, RGBX, BGRA or BGRX pictures, not {other}"
            )))
        }
    };
    if layout.len() < 2 * planes {
        return Err(bad(format!(
            "pushYuv: {format} needs {planes} [offset, stride] pairs"
        )));
    }
    let plane = |k: usize| -> crate::error::Result<Plane> {
        let (offset, stride) = (layout[2 * k] as usize, layout[2 * k + 1] as usize);
        let data = data
            .get(offset..)
            .ok_or_else(|| bad(format!("pushYuv: plane {k} starts past the data")))?;
        Ok(Plane { data, stride })
    };
    let Some(chroma) = chroma else {
        let src = Rgba {
            width,
            height,
            pixels: plane(0)?,
            bgr: format.starts_with('B'),
        };
        return rgba_from_rgba(&src, out_w, out_h, rotation);
    };
    let (y, u) = (plane(0)?, plane(1)?);
    let v = if planes == 3 {
        plane(2)?
    } else {
        Plane {
            data: &[],
            stride: 0,
        }
    };
    let src = Yuv420 {
        width,
        height,
        y,
        u,
        v,
        chroma,
        matrix: Matrix::from_name(matrix.as_deref(), height),
        full_range,
    };
    rgba_from_yuv420(&src, out_w, out_h, rotation)
}

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
        let frame = yuv_frame(
            format, width, height, data, &layout, matrix, full_range, &out,
        )
        .map_err(js_error)?;
        self.session_mut()?
            .push_frame(pts_us as i64, frame)
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

    /// A frame measured on the GPU (www/gpu.js): its accumulator words and per-tile
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
        let models = DeepModels {
            faces: Some(&faces.detector),
            emotion: faces.emotion.as_ref(),
        };
        self.finish_with(models, on_progress)
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

fn finished() -> JsValue {
    js_error(FramepickError::invalid(
        "this analysis has already finished",
    ))
}

/// Test hook (tests/hardening.test.mjs, `pick` option `__fault: 'pool-trap'`): a panic
/// inside a rayon pool thread while this thread waits for it, which is how an allocation
/// failure there ends too. In the threaded build that pool worker's instance traps and
/// this call never returns: the page's watchdog (`stallTimeoutMs`) is what recovers. In
/// the single-thread build the trap reaches the caller as a `RuntimeError`.
#[wasm_bindgen(js_name = debugTrapInPool)]
pub fn debug_trap_in_pool() {
    rayon::join(
        || (),
        || panic!("framepick: deliberate panic in a rayon pool thread (test hook)"),
    );
}
