use super::blob::BlobSource;
use super::js_error;
use super::to_js;
use crate::error::FramepickError;
use crate::media::demux;
use crate::media::demux::audio::AudioTrack;
use crate::media::demux::VideoTrack;
use crate::media::sampling;
use crate::media::source::CachedReader;
use js_sys::Object;
use js_sys::Reflect;
use js_sys::Uint8Array;
use serde::Serialize;
use wasm_bindgen::prelude::*;

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
