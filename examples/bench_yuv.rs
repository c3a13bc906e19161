//! Time `yuv::rgba_from_yuv420` (the `lowMemory` path's 1080p → analysis-size step)
//! natively on a raw I420 frame: `cargo run --release --example bench_yuv -- F.yuv W H`.
//! Make F with `ffmpeg -i VIDEO -frames:v 1 -f rawvideo -pix_fmt yuv420p F.yuv`; a file
//! named `*.rgba` (`-pix_fmt rgba`) times `yuv::rgba_from_rgba` instead.
use framepick::frame::RgbaFrame;
use framepick::yuv::{rgba_from_rgba, rgba_from_yuv420, Chroma, Matrix, Plane, Rgba, Yuv420};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, w, h) = match &args[1..] {
        [p, w, h] => (
            p.clone(),
            w.parse::<usize>().unwrap(),
            h.parse::<usize>().unwrap(),
        ),
        _ => {
            eprintln!("usage: bench_yuv FRAME.yuv WIDTH HEIGHT");
            std::process::exit(2);
        }
    };
    let bytes = std::fs::read(&path).expect("read the frame");
    let (out_w, out_h) = (320u32, (320 * h / w) as u32);
    let convert: Box<dyn Fn() -> RgbaFrame> = if path.ends_with(".rgba") {
        let src = Rgba {
            width: w as u32,
            height: h as u32,
            pixels: Plane {
                data: &bytes,
                stride: 4 * w,
            },
            bgr: false,
        };
        Box::new(move || rgba_from_rgba(&src, out_w, out_h, 0).expect("scale"))
    } else {
        let cw = w.div_ceil(2);
        let (y, rest) = bytes.split_at(w * h);
        let (u, v) = rest.split_at(cw * h.div_ceil(2));
        let src = Yuv420 {
            width: w as u32,
            height: h as u32,
            y: Plane { data: y, stride: w },
            u: Plane {
                data: u,
                stride: cw,
            },
            v: Plane {
                data: v,
                stride: cw,
            },
            chroma: Chroma::Planar,
            matrix: Matrix::Bt709,
            full_range: false,
        };
        Box::new(move || rgba_from_yuv420(&src, out_w, out_h, 0).expect("convert"))
    };
    let mut times = Vec::new();
    let mut sum = 0u64;
    for _ in 0..20 {
        let t = Instant::now();
        let frame = convert();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        sum += frame.data.iter().map(|&b| u64::from(b)).sum::<u64>();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"msPerFrame\":{:.3},\"min\":{:.3},\"checksum\":{sum}}}",
        times[10], times[0]
    );
}
