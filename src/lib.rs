//! framepick: pick the best frames of a video before upload.
//!
//! The core (everything but `wasm`) is plain Rust: byte ranges and small RGBA frames
//! in, scores and candidates out. It builds and is tested on the host and on wasm32.
//! `wasm` is the thin browser layer (wasm-bindgen, web-sys). See ARCHITECTURE.md.

pub mod aesthetics;
pub mod audio;
pub mod composition;
pub mod crops;
pub mod demux;
pub mod editability;
pub mod emotion;
pub mod error;
pub mod faces;
pub mod frame;
pub mod look;
pub mod models;
pub mod profiles;
pub mod quality;
pub mod sampling;
pub mod scenes;
pub mod segments;
pub mod select;
pub mod session;
pub mod source;
pub mod spoils;
pub mod yuv;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{FramepickError, Result};
