//! The emotion reference check shared by the native and the wasm tests, so the same
//! frame is held to the same numbers on both targets: the face box of the independent
//! onnxruntime run (tests/fixtures/reference_emotion.json), its crop, and the seven
//! probabilities within 0.02.

use framepick::emotion::{crop_box, Emotion, EmotionModel, LABELS};
use framepick::faces::Face;
use framepick::frame::RgbaFrame;
use serde_json::Value;

/// Classify the reference face of `photo` (the original astronaut.jpg) and assert the
/// crop and probabilities match the reference; returns the result for further checks.
pub fn classify_reference_face(model: &EmotionModel, photo: &RgbaFrame, json: &str) -> Emotion {
    let r: Value = serde_json::from_str(json).unwrap();
    let nums = |key: &str| -> Vec<f64> {
        r[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    // The reference face box is in 320×320 input pixels; the crop is taken from the
    // original picture.
    let b = nums("face_box_input");
    let (sx, sy) = (photo.width as f64 / 320.0, photo.height as f64 / 320.0);
    let face = Face {
        x: (b[0] * sx) as f32,
        y: (b[1] * sy) as f32,
        width: ((b[2] - b[0]) * sx) as f32,
        height: ((b[3] - b[1]) * sy) as f32,
        score: 1.0,
        landmarks: [[0.0; 2]; 5],
    };
    let crop = crop_box(photo.width, photo.height, &face).unwrap();
    let want_crop: Vec<u32> = nums("crop_box_original")
        .iter()
        .map(|&v| v as u32)
        .collect();
    assert_eq!([crop.0, crop.1, crop.2, crop.3].to_vec(), want_crop);

    let e = model.classify(photo, &face).unwrap();
    for (k, (got, want)) in e
        .probabilities
        .iter()
        .zip(nums("probabilities_list"))
        .enumerate()
    {
        assert!(
            (got - want as f32).abs() < 0.02,
            "{}: {got} vs reference {want} ({e:?})",
            LABELS[k]
        );
    }
    e
}
