//! wasm-layer tests in a real headless Chromium, inside a dedicated Worker (where the
//! pipeline runs): Blob reads through FileReaderSync, typed JS errors, and tract in
//! wasm giving the reference faces and emotions (the same checks as the native tests). Run by scripts/test.sh with wasm-bindgen-test-runner.
#![cfg(target_arch = "wasm32")]

#[path = "common/emotion_reference.rs"]
mod emotion_reference;

use framepick::emotion::EmotionModel;
use framepick::faces::{DetectorConfig, FaceDetector};
use framepick::frame::RgbaFrame;
use framepick::wasm::Demuxer;
use image::imageops::FilterType;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::Blob;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn blob(bytes: &[u8]) -> Blob {
    let parts = Array::of1(&Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts).unwrap()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

#[wasm_bindgen_test]
fn demuxes_a_blob_in_a_worker() {
    let d = Demuxer::open(blob(include_bytes!("fixtures/tiny.mp4"))).unwrap();
    let track = d.track().unwrap();
    assert_eq!(get(&track, "displayWidth").as_f64(), Some(160.0));
    let samples = Array::from(&get(&track, "samples"));
    assert_eq!(samples.length(), 50);
    assert!(d.description().is_some());
    // Header parsing must not read the file whole: a handful of block reads.
    assert!(d.range_reads() <= 4.0, "{} reads", d.range_reads());
}

#[wasm_bindgen_test]
fn reads_sample_bytes_in_one_range() {
    let mut d = Demuxer::open(blob(include_bytes!("fixtures/tiny-faststart.mp4"))).unwrap();
    let out = d.read_samples(0, 9).unwrap();
    let bytes = Uint8Array::new(&get(&out, "bytes"));
    let offsets = Array::from(&get(&out, "offsets"));
    assert_eq!(offsets.length(), 10);
    assert!(bytes.length() > 100);
}

#[wasm_bindgen_test]
fn errors_reach_js_with_a_code() {
    let err = Demuxer::open(blob(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"))
        .err()
        .unwrap();
    assert_eq!(
        get(&err, "code").as_string().as_deref(),
        Some("UNSUPPORTED_CONTAINER")
    );
    assert!(err.is_instance_of::<js_sys::Error>());
    let err = Demuxer::open(blob(&[])).err().unwrap();
    assert_eq!(
        get(&err, "code").as_string().as_deref(),
        Some("UNSUPPORTED_CONTAINER")
    );
}

#[wasm_bindgen_test]
fn copied_pictures_that_do_not_fit_are_invalid_arguments() {
    use framepick::wasm::quick_metrics_yuv;
    let code = |r: Result<JsValue, JsValue>| get(&r.err().unwrap(), "code").as_string();
    let pixels = vec![128u8; 8 * 4 * 4];
    // A whole 8×4 RGBA picture measures; each way of getting it wrong is refused.
    let ok = quick_metrics_yuv(
        "RGBA",
        8,
        4,
        &pixels,
        vec![0, 32],
        None,
        false,
        vec![4, 2, 0],
    );
    assert!(ok.is_ok(), "{ok:?}");
    let bad = [
        ("RGBA", 8, 8, vec![0, 32], vec![4, 2, 0]), // rows missing
        ("RGBA", 8, 4, vec![0], vec![4, 2, 0]),     // no stride
        ("RGBA", 8, 4, vec![200, 32], vec![4, 2, 0]), // starts past the data
        ("RGBA", 8, 4, vec![0, 32], vec![4, 2]),    // no rotation
        ("I420", 8, 4, vec![0, 8, 32, 4], vec![4, 2, 0]), // two of three planes
        ("P010", 8, 4, vec![0, 32], vec![4, 2, 0]), // not a format it takes
    ];
    for (format, w, h, layout, out) in bad {
        let r = quick_metrics_yuv(format, w, h, &pixels, layout.clone(), None, false, out);
        assert_eq!(
            code(r).as_deref(),
            Some("INVALID_ARGUMENT"),
            "{format} {w}x{h} {layout:?}"
        );
    }
}

#[wasm_bindgen_test]
fn tract_in_wasm_finds_the_reference_face() {
    let model = include_bytes!("../models/retinaface-mnet025.onnx");
    let cfg = DetectorConfig {
        score_threshold: 0.5,
        ..DetectorConfig::default()
    };
    let det = FaceDetector::from_onnx_bytes(model, cfg).unwrap();
    let img = image::load_from_memory(include_bytes!("fixtures/astronaut.jpg")).unwrap();
    let frame = RgbaFrame::from_image(&img.resize_exact(320, 320, FilterType::Triangle).to_rgba8());
    let faces = det.detect(&frame).unwrap();
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/reference_faces.json")).unwrap();
    let want = &reference["images"]["astronaut.jpg"]["faces"][0]["box"];
    assert_eq!(faces.len(), 1, "{faces:?}");
    let got = [
        faces[0].x,
        faces[0].y,
        faces[0].x + faces[0].width,
        faces[0].y + faces[0].height,
    ];
    for (k, g) in got.iter().enumerate() {
        let w = want[k].as_f64().unwrap() as f32;
        assert!((g - w).abs() < 3.0, "{got:?} vs {want}");
    }
    let coffee = image::load_from_memory(include_bytes!("fixtures/coffee.jpg")).unwrap();
    let frame = RgbaFrame::from_image(
        &coffee
            .resize_exact(320, 320, FilterType::Triangle)
            .to_rgba8(),
    );
    assert!(det.detect(&frame).unwrap().is_empty());
}

#[wasm_bindgen_test]
fn emotion_in_wasm_matches_the_native_reference() {
    let model =
        EmotionModel::from_onnx_bytes(include_bytes!("../models/emotion-minixception.onnx"))
            .unwrap();
    let img = image::load_from_memory(include_bytes!("fixtures/astronaut.jpg")).unwrap();
    let photo = RgbaFrame::from_image(&img.to_rgba8());
    let e = emotion_reference::classify_reference_face(
        &model,
        &photo,
        include_str!("fixtures/reference_emotion.json"),
    );
    assert_eq!(e.label, "happy", "{e:?}");
}

#[wasm_bindgen_test]
fn tract_runs_our_matrix_kernel_and_it_multiplies_right() {
    use framepick::judging::wasm_matmul::{kernel, kernel_for, KERNEL_NAME, TILE};
    use tract_linalg::mmm::{FusedKerSpec, OutputStoreKer};

    // A 3×3 convolution's product (the detector's first layer, had it gone through im2col) and
    // a 1×1 one deeper in: both are ours; a matrix-vector product stays with tract's kernels.
    assert_eq!(kernel_for(8, 27, 15360).as_deref(), Some(KERNEL_NAME));
    assert_eq!(kernel_for(64, 64, 240).as_deref(), Some(KERNEL_NAME));
    assert_ne!(kernel_for(64, 64, 1).as_deref(), Some(KERNEL_NAME));

    let (mr, nr) = TILE;
    let k = 37;
    let value = |i: usize, m: usize| ((i * 7 + m * 3) % 11) as f32 * 0.25 - 1.2;
    let a: Vec<f32> = (0..k * mr).map(|i| value(i, 1)).collect(); // packed k × mr
    let b: Vec<f32> = (0..k * nr).map(|i| value(i, 2)).collect(); // packed k × nr
    let bias: Vec<f32> = (0..mr).map(|r| r as f32 - 1.5).collect();
    let col_scale: Vec<f32> = (0..nr).map(|c| 0.5 + c as f32 * 0.125).collect();
    let tile = |p: *const f32, row: usize, col: usize| OutputStoreKer {
        ptr: p as *mut u8,
        row_byte_stride: (row * 4) as isize,
        col_byte_stride: (col * 4) as isize,
        item_size: 4,
    };
    let want = |r: usize, c: usize, unicast: f32| {
        let dot: f32 = (0..k).map(|i| a[i * mr + r] * b[i * nr + c]).sum();
        let x = (dot + bias[r]) * col_scale[c];
        (if x > 0.0 { x } else { 0.1 * x }) + unicast
    };
    // Both layouts a convolution's output takes: rows side by side (pixels as rows, read and
    // written by 4×4 blocks transposed) and columns side by side; each with a gap after every
    // column or row, which must stay untouched. The unicast operand is in the other layout.
    for rows_contiguous in [true, false] {
        // (row stride, column stride) in elements.
        let (out_strides, uni_strides) = if rows_contiguous {
            ((1, mr + 1), (nr, 1))
        } else {
            ((nr + 1, 1), (1, mr))
        };
        let out_len = mr * out_strides.0 + nr * out_strides.1;
        let unicast: Vec<f32> = (0..mr * nr).map(|i| value(i, 5)).collect();
        let mut out = vec![f32::NAN; out_len];
        let ops = [
            FusedKerSpec::Clear,
            FusedKerSpec::AddMatMul {
                k,
                pa: a.as_ptr() as *const u8,
                pb: b.as_ptr() as *const u8,
                packing: 0,
            },
            FusedKerSpec::PerRowAdd(bias.as_ptr()),
            FusedKerSpec::PerColMul(col_scale.as_ptr()),
            FusedKerSpec::LeakyRelu(0.1),
            FusedKerSpec::AddUnicast(tile(unicast.as_ptr(), uni_strides.0, uni_strides.1)),
            FusedKerSpec::Store(tile(out.as_mut_ptr(), out_strides.0, out_strides.1)),
            FusedKerSpec::Done,
        ];
        assert_eq!(unsafe { kernel(&ops) }, 0);
        let mut written = vec![false; out_len];
        for r in 0..mr {
            for c in 0..nr {
                let at = r * out_strides.0 + c * out_strides.1;
                let want = want(r, c, unicast[r * uni_strides.0 + c * uni_strides.1]);
                assert!(
                    (out[at] - want).abs() < 1e-4,
                    "rows side by side {rows_contiguous}: ({r}, {c}): {} vs {want}",
                    out[at]
                );
                written[at] = true;
            }
        }
        assert!(
            (0..out_len).all(|i| written[i] || out[i].is_nan()),
            "rows side by side {rows_contiguous}: the gaps were written"
        );
    }
}

#[wasm_bindgen_test]
fn tract_runs_our_convolution_kernel_and_it_convolves_right() {
    use framepick::judging::wasm_conv::{conv_w4_f32, kernel_name, KERNEL_NAME};
    assert_eq!(kernel_name(), Some(KERNEL_NAME));

    // Three input rows of a 3-tap filter over 2 channels, at input strides 1 (vectors), 2
    // (vectors, one element read ahead) and 3 (one point at a time), every length that ends
    // in each of the 8-point, 4-point and single-point loops. The input ends right after the
    // last point's farthest tap, so a read past it would show as a wrong value or a trap.
    let offsets: Vec<isize> = vec![0, 1, 2, 40, 41, 42];
    let n = offsets.len();
    let taps: Vec<f32> = (0..4 * n)
        .map(|i| ((i * 5) % 9) as f32 * 0.5 - 2.0)
        .collect();
    let bias = [0.5, -1.0, 2.0, 0.0];
    for stride in [1isize, 2, 3] {
        for len in 1..=21usize {
            let size = 42 + (len - 1) * stride as usize + 1;
            let input: Vec<f32> = (0..size)
                .map(|i| ((i * 7) % 13) as f32 * 0.25 - 1.5)
                .collect();
            let oc_stride = len + 3;
            let mut output = vec![f32::NAN; 4 * oc_stride];
            unsafe {
                conv_w4_f32(
                    input.as_ptr(),
                    output.as_mut_ptr(),
                    &taps,
                    &offsets,
                    &bias,
                    len,
                    stride,
                    oc_stride as isize,
                )
            };
            for o in 0..4 {
                for i in 0..len {
                    let want = (0..n).fold(bias[o], |s, t| {
                        s + taps[o * n + t] * input[(offsets[t] + i as isize * stride) as usize]
                    });
                    let got = output[o * oc_stride + i];
                    assert!(
                        (got - want).abs() < 1e-4,
                        "stride {stride} len {len} ({o}, {i}): {got} vs {want}"
                    );
                }
                assert!(output[o * oc_stride + len..(o + 1) * oc_stride]
                    .iter()
                    .all(|v| v.is_nan()));
            }
        }
    }
}
