//! The emotion model natively, against the reference from an independent onnxruntime
//! run (tests/fixtures/make_reference.py → reference_emotion.json), and the whole deep
//! analysis of a session on real photos.

#[path = "common/emotion_reference.rs"]
mod emotion_reference;

use std::time::Instant;

use framepick::emotion::EmotionModel;
use framepick::faces::{DetectorConfig, FaceDetector};
use framepick::frame::RgbaFrame;
use framepick::profiles::Niche;
use framepick::session::{DeepModels, Session, SessionConfig};
use image::imageops::FilterType;

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn emotion_model() -> EmotionModel {
    let bytes = std::fs::read(fixture("models/emotion-minixception.onnx")).unwrap();
    EmotionModel::from_onnx_bytes(&bytes).unwrap()
}

fn detector() -> FaceDetector {
    let bytes = std::fs::read(fixture("models/retinaface-mnet025.onnx")).unwrap();
    FaceDetector::from_onnx_bytes(&bytes, DetectorConfig::default()).unwrap()
}

fn photo(name: &str) -> RgbaFrame {
    let img = image::open(fixture(&format!("tests/fixtures/{name}"))).unwrap();
    RgbaFrame::from_image(&img.to_rgba8())
}

fn frame_320(name: &str) -> RgbaFrame {
    let img = image::open(fixture(&format!("tests/fixtures/{name}"))).unwrap();
    RgbaFrame::from_image(&img.resize_exact(320, 320, FilterType::Triangle).to_rgba8())
}

#[test]
fn astronaut_is_happy_like_the_reference() {
    let json = std::fs::read_to_string(fixture("tests/fixtures/reference_emotion.json")).unwrap();
    let e = emotion_reference::classify_reference_face(
        &emotion_model(),
        &photo("astronaut.jpg"),
        &json,
    );
    assert_eq!(e.label, "happy");
    assert!(e.confidence > 0.97, "{e:?}");
    assert!(e.expressiveness > 0.95);
}

#[test]
fn detected_face_on_the_analysis_frame_is_happy_too() {
    let frame = frame_320("astronaut.jpg");
    let faces = detector().detect(&frame).unwrap();
    assert_eq!(faces.len(), 1);
    let e = emotion_model().classify(&frame, &faces[0]).unwrap();
    assert_eq!(e.label, "happy", "{e:?}");
}

#[test]
fn a_tampered_emotion_model_is_refused() {
    let mut bytes = std::fs::read(fixture("models/emotion-minixception.onnx")).unwrap();
    bytes[500] ^= 0x55;
    let err = EmotionModel::from_onnx_bytes(&bytes).err().unwrap();
    assert_eq!(err.code(), "MODEL_LOAD_FAILED");
}

/// A session over a "video" alternating the astronaut and the coffee scene.
fn session_run(
    niche: Niche,
    models: DeepModels<'_>,
) -> (
    Vec<framepick::session::Candidate>,
    framepick::session::CoreReport,
) {
    let astro = frame_320("astronaut.jpg");
    let coffee = frame_320("coffee.jpg");
    let cfg = SessionConfig {
        top: 2,
        deep_k: 6,
        batch: 4,
        output_width: 640,
        output_height: 640,
        min_gap_us: 1_000_000,
        niche,
        weights: None,
        max_frame_bytes: framepick::session::MAX_FRAME_BYTES,
    };
    let mut s = Session::new(cfg).unwrap();
    for i in 0..6 {
        let f = if i % 2 == 0 { &astro } else { &coffee };
        s.push_frame(i * 2_000_000, f.clone()).unwrap();
    }
    s.finish_with(models).unwrap()
}

#[test]
fn session_explains_faces_emotion_and_drops_duplicates() {
    let (det, emo) = (detector(), emotion_model());
    let models = DeepModels {
        faces: Some(&det),
        emotion: Some(&emo),
    };
    let (c, report) = session_run(Niche::Vlog, models);
    assert_eq!(c.len(), 2);
    // Identical frames are near-duplicates: one astronaut and one coffee come back.
    assert_eq!(report.near_duplicates_removed, 4);
    assert_eq!(report.niche, "vlog");
    let with_face = &c[0];
    assert_eq!(with_face.faces.len(), 1, "{with_face:?}");
    let e = with_face.faces[0].emotion.unwrap();
    assert_eq!(e.label, "happy");
    assert!(with_face.scores.emotion > 0.9);
    assert!(
        with_face.why.iter().any(|w| w.starts_with("happy ")),
        "{:?}",
        with_face.why
    );
    // Faces come back in output pixels (640 / 320 = 2×).
    assert!(
        with_face.faces[0].face.x > 150.0,
        "{:?}",
        with_face.faces[0]
    );
    let scene = &c[1];
    assert!(scene.faces.is_empty());
    assert_eq!(scene.scores.emotion, 0.0);
    assert!(with_face.score > scene.score);
    assert_eq!(report.emotions_classified, 3);
    let json = serde_json::to_value(&c[0]).unwrap();
    for key in ["scores", "faces", "editableRegion", "why", "ptsUs"] {
        assert!(json.get(key).is_some(), "{key} missing in {json}");
    }
    assert!(json["faces"][0]["emotion"]["probabilities"].is_array());
    assert!(json["scores"]["editability"].is_number());
    // Crops of the real face (issue 17): the four shapes in output pixels, the face
    // whole in each, the ratio exact.
    assert_eq!(json["crops"][3]["ratio"], "9:16");
    assert_eq!(json["crops"][0]["cutsFaces"], false);
    let f = &with_face.faces[0].face;
    for k in &with_face.crops {
        let (rw, rh) = k.ratio.split_once(':').unwrap();
        let (rw, rh): (u32, u32) = (rw.parse().unwrap(), rh.parse().unwrap());
        assert_eq!(k.width * rh, k.height * rw, "{k:?}");
        assert!(k.x + k.width <= 640 && k.y + k.height <= 640, "{k:?}");
        assert!(
            f.x >= k.x as f32
                && f.y >= k.y as f32
                && f.x + f.width <= (k.x + k.width) as f32
                && f.y + f.height <= (k.y + k.height) as f32,
            "{k:?} {f:?}"
        );
        assert!(k.fits && k.reason.contains("keeps the face"), "{k:?}");
    }
}

#[test]
fn session_without_models_still_picks() {
    let (c, report) = session_run(Niche::General, DeepModels::default());
    assert_eq!(c.len(), 2);
    assert!(c.iter().all(|c| c.faces.is_empty()));
    assert_eq!(report.frames_deep, 0);
    assert_eq!(report.emotions_classified, 0);
    // Face detector only: faces without emotion.
    let det = detector();
    let (c, _) = session_run(
        Niche::General,
        DeepModels {
            faces: Some(&det),
            emotion: None,
        },
    );
    let f = c.iter().flat_map(|c| &c.faces).next().unwrap();
    assert!(f.emotion.is_none());
}

/// Timings per frame, natively. `cargo test --release --test native_emotion -- --ignored --nocapture`
#[test]
#[ignore]
fn timings() {
    let det = detector();
    let emo = emotion_model();
    let wide = {
        let img = image::open(fixture("tests/fixtures/astronaut.jpg"))
            .unwrap()
            .to_rgba8();
        let mut wide = image::RgbaImage::from_pixel(320, 180, image::Rgba([90, 90, 90, 255]));
        let small = image::imageops::resize(&img, 180, 180, FilterType::Triangle);
        image::imageops::overlay(&mut wide, &small, 70, 0);
        RgbaFrame::from_image(&wide)
    };
    det.prepare(wide.width, wide.height).unwrap();
    let faces = det.detect(&wide).unwrap();
    assert_eq!(faces.len(), 1);
    let n = 50;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(det.detect(&wide).unwrap());
    }
    let face_ms = t.elapsed().as_secs_f64() * 1e3 / n as f64;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(emo.classify(&wide, &faces[0]).unwrap());
    }
    let emo_ms = t.elapsed().as_secs_f64() * 1e3 / n as f64;
    let t = Instant::now();
    for _ in 0..n {
        let luma = wide.luma();
        let g = framepick::aesthetics::gradient_magnitude(&luma, 320, 180);
        std::hint::black_box(framepick::aesthetics::aesthetics(
            &wide,
            &luma,
            &g,
            faces.first(),
        ));
        std::hint::black_box(framepick::editability::editable_region(
            &g, 320, 180, &faces,
        ));
        std::hint::black_box(framepick::composition::composition(&faces, 320, 180, None));
    }
    let layout_ms = t.elapsed().as_secs_f64() * 1e3 / n as f64;
    println!(
        "per frame, 1 thread, 320x180: faces {face_ms:.2} ms, emotion {emo_ms:.2} ms per face, \
         composition+editability+aesthetics {layout_ms:.2} ms"
    );
}
