//! The full-size picture's drag (`media::detail::yuv420_drag`) of raw 4:2:0 frames, one
//! line a frame, as the `pushYuv` path reads it (the window between any bars found on
//! the upright 320 px analysis frame), for fitting `FINE_DRAG_LIMIT` on the evaluation
//! set's tuning half:
//!   ffmpeg -i V -vf fps=2 -f rawvideo -pix_fmt yuv420p - |
//!     cargo run --release --example fine_drag -- W H
use std::io::Read;

use framepick::look::coded_content;
use framepick::media::detail::yuv420_drag;
use framepick::yuv::{rgba_from_yuv420, Chroma, Matrix, Plane, Yuv420};

fn main() {
    let mut size = std::env::args()
        .skip(1)
        .map(|a| a.parse::<u32>().expect("W H"));
    let (w, h) = (size.next().expect("W"), size.next().expect("H"));
    let (wu, hu) = (w as usize, h as usize);
    let (out_w, out_h) = if w >= h {
        (320, (h * 320 / w).max(1))
    } else {
        ((w * 320 / h).max(1), 320)
    };
    let mut buf = vec![0u8; wu * hu * 3 / 2];
    let mut stdin = std::io::stdin().lock();
    while stdin.read_exact(&mut buf).is_ok() {
        let (y, uv) = buf.split_at(wu * hu);
        let (u, v) = uv.split_at(wu * hu / 4);
        let src = Yuv420 {
            width: w,
            height: h,
            y: Plane {
                data: y,
                stride: wu,
            },
            u: Plane {
                data: u,
                stride: wu / 2,
            },
            v: Plane {
                data: v,
                stride: wu / 2,
            },
            chroma: Chroma::Planar,
            matrix: Matrix::from_name(None, h),
            full_range: false,
        };
        let frame = rgba_from_yuv420(&src, out_w, out_h, 0).expect("frame");
        let (window, sideways) = coded_content(&frame, 0, (w, h));
        let drag = yuv420_drag(&src, window, sideways);
        println!("{}", drag.map_or("null".into(), |d| format!("{d}")));
    }
}
