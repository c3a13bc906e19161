//! Native face-detection (and emotion) timing for BENCHMARKS.md (bench/run.mjs runs it):
//!   cargo run --release --example bench_faces [-- N]
//! The same RetinaFace plan as the wasm build, on tests/fixtures/astronaut.jpg cut to
//! 16:9 and resized to 320×180 (the analysis size the worker reads back). Times N
//! detections one after the other on one thread, then N through `detect_batch` (rayon,
//! all cores), and prints one JSON line. `inputSizes` compares detector inputs of 320
//! and 640 px long side (on analysis frames of that size, and 640 on 320 px frames
//! scaled up): time per frame, and whether a close-up, a medium and a small face (the
//! photo pasted at 1/2 and 1/4 of the frame height into the coffee scene) are found.
use std::time::Instant;

use framepick::emotion::EmotionModel;
use framepick::faces::{DetectorConfig, FaceDetector};
use framepick::frame::RgbaFrame;
use image::imageops::FilterType;
use image::DynamicImage;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(48);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(root.join("models/retinaface-mnet025.onnx")).expect("model");
    let img = image::open(root.join("tests/fixtures/astronaut.jpg")).expect("photo");
    // Top 512×288 of the 512×512 photo (the face is there) → 320×180.
    let frame = RgbaFrame::from_image(
        &img.crop_imm(0, 0, 512, 288)
            .resize_exact(320, 180, FilterType::Triangle)
            .to_rgba8(),
    );

    let t = Instant::now();
    let det = FaceDetector::from_onnx_bytes(&bytes, DetectorConfig::default()).expect("model");
    det.prepare(frame.width, frame.height).expect("plan");
    let load_ms = t.elapsed().as_secs_f64() * 1e3;

    // Warm-up.
    let faces = det.detect(&frame).expect("detect").len();
    for _ in 0..2 {
        det.detect(&frame).expect("detect");
    }

    let mut single = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        det.detect(&frame).expect("detect");
        single.push(t.elapsed().as_secs_f64() * 1e3);
    }
    single.sort_by(f64::total_cmp);

    let frames: Vec<&RgbaFrame> = (0..n).map(|_| &frame).collect();
    det.detect_batch(&frames[..rayon::current_num_threads().min(n)]);
    let mut batch = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        for r in det.detect_batch(&frames) {
            r.expect("detect");
        }
        batch.push(t.elapsed().as_secs_f64() * 1e3 / n as f64);
    }
    batch.sort_by(f64::total_cmp);

    // Emotion on the detected face, one call after the other.
    let emotion_bytes =
        std::fs::read(root.join("models/emotion-minixception.onnx")).expect("emotion model");
    let emotion = EmotionModel::from_onnx_bytes(&emotion_bytes).expect("emotion model");
    let face = det.detect(&frame).expect("detect")[0];
    emotion.classify(&frame, &face).expect("emotion");
    let mut emo = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        emotion.classify(&frame, &face).expect("emotion");
        emo.push(t.elapsed().as_secs_f64() * 1e3);
    }
    emo.sort_by(f64::total_cmp);

    let sizes: Vec<String> = [(320u32, 320u32), (640, 640), (320, 640)]
        .iter()
        .map(|&(frame_long, input_long)| {
            input_size_study(&bytes, &img, frame_long, input_long, n.min(24))
        })
        .collect();

    println!(
        "{{\"inputSizes\":[{}],\"frames\":{n},\"width\":{},\"height\":{},\"faces\":{faces},\"loadMs\":{load_ms:.1},\
         \"singleMsPerFrame\":{{\"median\":{:.3},\"min\":{:.3},\"max\":{:.3}}},\
         \"batchThreads\":{},\"batchMsPerFrame\":{{\"median\":{:.3},\"min\":{:.3},\"max\":{:.3}}},\
         \"emotionMsPerFace\":{{\"median\":{:.3},\"min\":{:.3},\"max\":{:.3}}}}}",
        sizes.join(","),
        frame.width,
        frame.height,
        single[n / 2],
        single[0],
        single[n - 1],
        rayon::current_num_threads(),
        batch[1],
        batch[0],
        batch[2],
        emo[n / 2],
        emo[0],
        emo[n - 1],
    );
}

/// One detector input size on analysis frames of that long side: median ms per frame
/// (one thread) and the best face score found (0 when none) per face size.
fn input_size_study(
    model: &[u8],
    astronaut: &DynamicImage,
    long: u32,
    input_long: u32,
    n: usize,
) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let coffee = image::open(root.join("tests/fixtures/coffee.jpg")).expect("photo");
    let (w, h) = (long, long * 9 / 16);
    let close_up = astronaut
        .crop_imm(0, 0, 512, 288)
        .resize_exact(w, h, FilterType::Triangle);
    // The whole photo pasted at `share` of the frame height into the coffee scene.
    let pasted = |share: f32| {
        let mut scene = coffee.resize_exact(w, h, FilterType::Triangle).to_rgba8();
        let side = (h as f32 * share) as u32;
        let person = astronaut
            .resize_exact(side, side, FilterType::Triangle)
            .to_rgba8();
        image::imageops::overlay(
            &mut scene,
            &person,
            i64::from(w / 3),
            i64::from(h - side) / 2,
        );
        DynamicImage::ImageRgba8(scene)
    };
    let cfg = DetectorConfig {
        input_long_side: input_long,
        ..DetectorConfig::default()
    };
    let det = FaceDetector::from_onnx_bytes(model, cfg).expect("model");
    let best = |img: &DynamicImage| -> f32 {
        let f = RgbaFrame::from_image(&img.to_rgba8());
        det.detect(&f)
            .expect("detect")
            .iter()
            .map(|x| x.score)
            .fold(0.0, f32::max)
    };
    let (close, medium, small) = (best(&close_up), best(&pasted(0.5)), best(&pasted(0.25)));
    let frame = RgbaFrame::from_image(&close_up.to_rgba8());
    let mut ms: Vec<f64> = (0..n)
        .map(|_| {
            let t = Instant::now();
            det.detect(&frame).expect("detect");
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    format!(
        "{{\"long\":{long},\"inputLong\":{input_long},\"width\":{w},\"height\":{h},\"msPerFrame\":{:.3},\
         \"closeUpScore\":{close:.3},\"mediumFaceScore\":{medium:.3},\"smallFaceScore\":{small:.3}}}",
        ms[n / 2]
    )
}
