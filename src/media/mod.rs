//! Media in: the bytes of a `File` become timed samples, decode plans and, once the
//! browser has decoded them, small RGBA frames. Uses nothing of the crate but `error`.

pub mod demux;
pub mod detail;
pub mod frame;
pub mod samples;
pub mod sampling;
pub mod source;
pub mod yuv;
