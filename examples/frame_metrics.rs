//! Quick metrics of raw frames, one JSON line a frame, for fitting the quick filter's
//! limits on the evaluation set's tuning half (bench/eval/fit.mjs):
//!   ffmpeg -i V -vf fps=2,scale=320:-2 -f rawvideo -pix_fmt rgba - |
//!     cargo run --release --example frame_metrics -- W H
//! Each line: the metrics of the picture between any bars (`QuickMetrics::of_content`),
//! its gradient balance, its content rectangle, and `byComparison`: how it is spoiled
//! next to another frame of the stream with the same framing (`spoils`), the frames of
//! the same framing (`partners`) and of the same look (`twins`) with their scores.
use std::io::Read;

use framepick::frame::RgbaFrame;
use framepick::look::{content_rect, Look};
use framepick::quality::{gradient_balance, ContentLuma, QuickMetrics};
use framepick::spoils::{spoiled_by_comparison, Sample};

fn main() {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("W H"))
        .collect();
    let (w, h) = (args[0], args[1]);
    let mut buf = vec![0u8; (w * h * 4) as usize];
    let mut stdin = std::io::stdin().lock();
    let mut frames = Vec::new();
    let mut looks = Vec::new();
    while stdin.read_exact(&mut buf).is_ok() {
        let f = RgbaFrame::new(w, h, buf.clone()).expect("frame");
        let m = QuickMetrics::of_content(&f);
        let balance = gradient_balance(&f);
        let (_, smear) = ContentLuma::of(&f).texture();
        let look: Vec<String> = Look::of(&f)
            .histogram()
            .iter()
            .map(|v| format!("{v:.4}"))
            .collect();
        frames.push((m, balance, content_rect(&f), look.join(","), smear));
        looks.push(Look::of(&f));
    }
    let samples: Vec<Sample> = frames
        .iter()
        .enumerate()
        .map(|(i, (m, b, _, _, s))| Sample::new(i as i64, m, Some(*b)).with_smear(Some(*s)))
        .collect();
    for (i, (m, balance, r, look, smear)) in frames.iter().enumerate() {
        let by_comparison = spoiled_by_comparison(&samples[i], &samples);
        let partners: Vec<String> = samples
            .iter()
            .enumerate()
            .filter(|&(j, o)| j != i && samples[i].framing_correlation(o) >= 0.6)
            .map(|(j, o)| format!("[{j},{:.3}]", samples[i].framing_correlation(o)))
            .collect();
        // Frames the look calls the same picture (`spoils::underexposed_twin` compares them).
        let twins: Vec<String> = looks
            .iter()
            .enumerate()
            .filter(|&(j, l)| j != i && looks[i].distance(l) <= framepick::select::SAME_LOOK)
            .map(|(j, l)| format!("[{j},{:.3}]", looks[i].distance(l)))
            .collect();
        println!(
            "{{\"i\":{i},\"brightness\":{},\"contrast\":{},\"sharpness\":{},\"uniformity\":{},\
             \"gradient\":{},\"noise\":{},\"clippedShadows\":{},\"clippedHighlights\":{},\
             \"entropy\":{},\"colorfulness\":{},\"balance\":{},\"smear\":{},\"drag\":{},\"darkTones\":{},\"screen\":{},\"layout\":{},\"detailed\":{},\"rejection\":{},\
             \"byComparison\":{},\"partners\":[{}],\"twins\":[{}],\"look\":[{}],\"content\":[{},{},{},{}],\"hist\":[{}]}}",
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
            balance,
            smear.ratio,
            smear.drag,
            m.dark_tones(),
            m.is_screen_like(),
            m.layout_spread(),
            m.edges.iter().filter(|&&e| e >= framepick::quality::SCREEN_CELL_GRADIENT).count(),
            m.rejection()
                .map_or("null".to_string(), |r| format!("\"{r:?}\"")),
            by_comparison.map_or("null".to_string(), |r| format!("\"{r:?}\"")),
            partners.join(","),
            twins.join(","),
            look,
            r.x,
            r.y,
            r.width,
            r.height,
            m.hist
                .0
                .iter()
                .map(|v| format!("{v:.4}"))
                .collect::<Vec<_>>()
                .join(",")
        );
    }
}
