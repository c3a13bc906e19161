//! RetinaFace output decoding: `priors`, `decode` and `nms` on fuzzed model outputs
//! (any f32, NaN and ±inf included) and fuzzed input geometry.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use framepick::faces::{decode, nms, priors, DetectorConfig, Face, InputGeometry, RawOutputs};
use libfuzzer_sys::fuzz_target;

/// Edge values mixed into the fuzzed floats.
const EDGES: [f32; 12] = [
    f32::NAN,
    f32::INFINITY,
    f32::NEG_INFINITY,
    0.0,
    -0.0,
    1.0,
    -1.0,
    f32::MAX,
    f32::MIN,
    f32::MIN_POSITIVE,
    1e-45,
    88.8,
];

#[derive(Debug, Arbitrary)]
enum Geometry {
    /// What `FaceDetector::detect` does: from a frame size and the configured long side.
    ForFrame {
        width: u16,
        height: u16,
        long_side: u16,
    },
    /// Any geometry a caller could build (the fields are public), kept small.
    Raw { width: u8, height: u8, scale: f32 },
}

#[derive(Debug, Arbitrary)]
struct Input {
    geometry: Geometry,
    score_threshold: f32,
    nms_iou: f32,
    /// Make one output the wrong length: must be a typed error, not a panic.
    wrong_len: Option<(u8, i8)>,
    /// The values the outputs are filled from (cycled; `EDGES` picked in by index).
    values: Vec<f32>,
    edge_every: u8,
}

fn fill(n: usize, values: &[f32], edge_every: u8, salt: usize) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let k = i.wrapping_mul(31).wrapping_add(salt);
            if edge_every > 0 && k % (edge_every as usize + 1) == 0 {
                EDGES[k % EDGES.len()]
            } else if values.is_empty() {
                0.0
            } else {
                values[k % values.len()]
            }
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(input) = Input::arbitrary(&mut u) else {
        return;
    };
    let g = match input.geometry {
        // Frames up to 8K a side, model input long side up to 1024 (the default is 320).
        Geometry::ForFrame {
            width,
            height,
            long_side,
        } => InputGeometry::for_frame(
            u32::from(width % 8192),
            u32::from(height % 8192),
            u32::from(long_side % 1025),
        ),
        Geometry::Raw {
            width,
            height,
            scale,
        } => InputGeometry {
            input_width: u32::from(width) * 4,
            input_height: u32::from(height) * 4,
            scale,
        },
    };
    // Sane limits: the detector never builds an input over 1024+32 a side.
    if g.input_width > 1056 || g.input_height > 1056 {
        return;
    }
    let p = priors(g.input_width, g.input_height);
    let n = p.len();
    let mut lens = [n * 4, n * 2, n * 10];
    if let Some((which, delta)) = input.wrong_len {
        let l = &mut lens[which as usize % 3];
        *l = l.saturating_add_signed(delta as isize);
    }
    let raw = RawOutputs {
        loc: fill(lens[0], &input.values, input.edge_every, 0),
        conf: fill(lens[1], &input.values, input.edge_every, 7),
        landmarks: fill(lens[2], &input.values, input.edge_every, 13),
    };
    let cfg = DetectorConfig {
        input_long_side: 320,
        score_threshold: input.score_threshold,
        nms_iou: input.nms_iou,
    };
    match decode(&raw, &g, &cfg) {
        Ok(faces) => {
            assert_eq!(lens, [n * 4, n * 2, n * 10], "wrong sizes decoded");
            // At most `KEEP_TOP_K` (750) faces, whatever the outputs.
            assert!(faces.len() <= n.min(750), "{} faces", faces.len());
            // NMS is idempotent on its own output.
            let again: Vec<Face> = nms(faces.clone(), cfg.nms_iou);
            assert_eq!(again.len(), faces.len());
        }
        Err(e) => {
            assert_ne!(lens, [n * 4, n * 2, n * 10], "right sizes refused: {e}");
            assert_eq!(e.code(), "MODEL_LOAD_FAILED");
        }
    }
});
