//! Prints the faces RetinaFace finds on images scaled to 320 px wide, as the pipeline sees them.
//!   cargo run --release --example face_probe -- a.png b.png
use framepick::faces::{DetectorConfig, FaceDetector};
use framepick::frame::RgbaFrame;
use image::imageops::FilterType;

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(root.join("models/retinaface-mnet025.onnx")).expect("model");
    let det = FaceDetector::from_onnx_bytes(&bytes, DetectorConfig::default()).expect("model");
    for path in std::env::args().skip(1) {
        let img = image::open(&path).expect("image");
        let h = (img.height() as f32 * 320.0 / img.width() as f32).round() as u32;
        let frame =
            RgbaFrame::from_image(&img.resize_exact(320, h, FilterType::Triangle).to_rgba8());
        for f in det.detect(&frame).expect("detect") {
            println!(
                "{path} {}x{}: box {:.1},{:.1} {:.1}x{:.1} score {:.2} landmarks {:?}",
                frame.width,
                frame.height,
                f.x,
                f.y,
                f.width,
                f.height,
                f.score,
                f.landmarks
                    .iter()
                    .map(|p| (p[0].round(), p[1].round()))
                    .collect::<Vec<_>>()
            );
        }
    }
}
