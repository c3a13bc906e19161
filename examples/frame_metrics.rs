//! Quick metrics of raw frames, one JSON line a frame, for fitting the quick filter's
//! limits on the evaluation set's tuning half (bench/eval/fit.mjs):
//!   ffmpeg -i V -vf fps=2,scale=320:-2 -f rawvideo -pix_fmt rgba - |
//!     cargo run --release --example frame_metrics -- W H
//! Each line: the metrics of the picture between any bars (`QuickMetrics::of_content`),
//! its gradient balance and its content rectangle.
use std::io::Read;

use framepick::frame::RgbaFrame;
use framepick::look::content_rect;
use framepick::quality::{gradient_balance, QuickMetrics};

fn main() {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("W H"))
        .collect();
    let (w, h) = (args[0], args[1]);
    let mut buf = vec![0u8; (w * h * 4) as usize];
    let mut stdin = std::io::stdin().lock();
    let mut i = 0;
    while stdin.read_exact(&mut buf).is_ok() {
        let f = RgbaFrame::new(w, h, buf.clone()).expect("frame");
        let m = QuickMetrics::of_content(&f);
        let r = content_rect(&f);
        println!(
            "{{\"i\":{i},\"brightness\":{},\"contrast\":{},\"sharpness\":{},\"uniformity\":{},\
             \"gradient\":{},\"noise\":{},\"clippedShadows\":{},\"clippedHighlights\":{},\
             \"entropy\":{},\"colorfulness\":{},\"balance\":{},\"rejection\":{},\
             \"content\":[{},{},{},{}]}}",
            m.brightness,
            m.contrast,
            m.sharpness,
            m.uniformity,
            m.gradient,
            m.noise,
            m.clipped_shadows,
            m.clipped_highlights,
            m.entropy,
            m.colorfulness,
            gradient_balance(&f),
            m.rejection()
                .map_or("null".to_string(), |r| format!("\"{r:?}\"")),
            r.x,
            r.y,
            r.width,
            r.height
        );
        i += 1;
    }
}
