use super::js_error;
use super::to_js;
use crate::media::detail::Fine;
use crate::media::frame::RgbaFrame;
use crate::screening::quality::FrameSums;
use crate::screening::quality::QuickMetrics;
use crate::screening::quality::Rejection;
use serde::Serialize;
use wasm_bindgen::prelude::*;

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
    let (frame, _) = yuv_frame(
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

/// The analysis frame of a `copyTo` picture, and the picture's fine detail
/// ([`crate::media::detail`]); `out` = `[width, height, rotation]`.
#[allow(clippy::too_many_arguments)]
pub(super) fn yuv_frame(
    format: &str,
    width: u32,
    height: u32,
    data: &[u8],
    layout: &[u32],
    matrix: Option<String>,
    full_range: bool,
    out: &[u32],
) -> crate::error::Result<(RgbaFrame, Fine)> {
    use crate::media::detail::{rgba_detail, rgba_drag, yuv420_detail, yuv420_drag};
    use crate::media::yuv::{
        rgba_from_rgba, rgba_from_yuv420, Chroma, Matrix, Plane, Rgba, Yuv420,
    };
    use crate::screening::look::coded_content;
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
        let frame = rgba_from_rgba(&src, out_w, out_h, rotation)?;
        let (window, sideways) = coded_content(&frame, rotation, (width, height));
        let fine = Fine {
            detail: rgba_detail(&src),
            drag: rgba_drag(&src, window, sideways),
        };
        return Ok((frame, fine));
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
    let frame = rgba_from_yuv420(&src, out_w, out_h, rotation)?;
    let (window, sideways) = coded_content(&frame, rotation, (width, height));
    let fine = Fine {
        detail: yuv420_detail(&src),
        drag: yuv420_drag(&src, window, sideways),
    };
    Ok((frame, fine))
}
