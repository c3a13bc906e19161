//! The face detector, natively, against reference outputs from an independent
//! onnxruntime + numpy run (tests/fixtures/make_reference.py).

use framepick::faces::{DetectorConfig, FaceDetector};
use framepick::frame::RgbaFrame;
use image::imageops::FilterType;
use serde_json::Value;

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn detector() -> FaceDetector {
    let bytes = std::fs::read(fixture("models/retinaface-mnet025.onnx")).unwrap();
    let cfg = DetectorConfig {
        score_threshold: 0.5,
        ..DetectorConfig::default()
    };
    FaceDetector::from_onnx_bytes(&bytes, cfg).unwrap()
}

/// The reference input: the photo squeezed to exactly 320×320.
fn frame_320(name: &str) -> RgbaFrame {
    let img = image::open(fixture(&format!("tests/fixtures/{name}"))).unwrap();
    RgbaFrame::from_image(&img.resize_exact(320, 320, FilterType::Triangle).to_rgba8())
}

fn reference(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture("tests/fixtures/reference_faces.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["images"][name].clone()
}

#[test]
fn astronaut_face_matches_the_reference() {
    let det = detector();
    let faces = det.detect(&frame_320("astronaut.jpg")).unwrap();
    let want = &reference("astronaut.jpg")["faces"];
    assert_eq!(faces.len(), want.as_array().unwrap().len(), "{faces:?}");
    let f = faces[0];
    let b: Vec<f32> = want[0]["box"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    let got = [f.x, f.y, f.x + f.width, f.y + f.height];
    for (g, w) in got.iter().zip(&b) {
        assert!((g - w).abs() < 3.0, "box {got:?} vs reference {b:?}");
    }
    assert!(f.score > 0.99, "score {}", f.score);
    let lm = want[0]["landmarks"].as_array().unwrap();
    for (k, l) in lm.iter().enumerate() {
        let (x, y) = (l[0].as_f64().unwrap() as f32, l[1].as_f64().unwrap() as f32);
        assert!((f.landmarks[k][0] - x).abs() < 3.0 && (f.landmarks[k][1] - y).abs() < 3.0);
    }
}

#[test]
fn coffee_has_no_face() {
    let faces = detector().detect(&frame_320("coffee.jpg")).unwrap();
    assert!(faces.is_empty(), "{faces:?}");
}

#[test]
fn a_16_by_9_frame_is_padded_and_boxes_come_back_in_frame_pixels() {
    // The astronaut pasted into the left of a wide grey frame: the face must be found
    // where it is in the frame, not in the padded model input.
    let astro = image::open(fixture("tests/fixtures/astronaut.jpg"))
        .unwrap()
        .to_rgba8();
    let mut wide = image::RgbaImage::from_pixel(910, 512, image::Rgba([90, 90, 90, 255]));
    image::imageops::overlay(&mut wide, &astro, 0, 0);
    let det = detector();
    let faces = det.detect(&RgbaFrame::from_image(&wide)).unwrap();
    assert_eq!(faces.len(), 1, "{faces:?}");
    // Reference box scaled from 320 to 512 px: about x 179–271, y 60–176.
    let f = faces[0];
    assert!(
        (f.x - 179.0).abs() < 12.0 && (f.y - 60.0).abs() < 12.0,
        "{f:?}"
    );
    assert!((f.width - 91.0).abs() < 15.0, "{f:?}");
}

#[test]
fn frames_in_parallel_give_the_same_faces() {
    let det = detector();
    let a = frame_320("astronaut.jpg");
    let c = frame_320("coffee.jpg");
    let out = det.detect_batch(&[&a, &c, &a]);
    let n: Vec<usize> = out.iter().map(|r| r.as_ref().unwrap().len()).collect();
    assert_eq!(n, vec![1, 0, 1]);
}

#[test]
fn a_tampered_model_is_refused() {
    let mut bytes = std::fs::read(fixture("models/retinaface-mnet025.onnx")).unwrap();
    bytes[1000] ^= 0xff;
    let err = FaceDetector::from_onnx_bytes(&bytes, DetectorConfig::default())
        .err()
        .unwrap();
    assert_eq!(err.code(), "MODEL_LOAD_FAILED");
}
