//! The browser layer: wasm-bindgen exports used by `www/worker.js`. Only glue lives
//! here (Blob reads, JS values in and out, typed errors); the work is in the core.

mod analysis;
mod blob;
mod demuxer;
mod metrics;
mod models;

use js_sys::Reflect;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::FramepickError;
use crate::media::sampling;

pub use analysis::Analysis;
pub use demuxer::Demuxer;
pub use metrics::{quick_metrics, quick_metrics_from_gpu, quick_metrics_yuv};
pub use models::FaceModel;
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
