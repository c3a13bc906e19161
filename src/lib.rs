//! framepick: pick the best frames of a video before upload.
//!
//! The core (everything but `wasm`) is plain Rust: byte ranges and small RGBA frames
//! in, scores and candidates out. It builds and is tested on the host and on wasm32.
//! `wasm` is the thin browser layer (wasm-bindgen, web-sys). See ARCHITECTURE.md.
//!
//! The folders are the pipeline's stages, each using only those listed before it:
//! `media` → `screening` → `judging` → `choosing` → `session` → `wasm` (`error` is
//! shared by all). `tests/layout.rs` holds the tree to that.

pub mod choosing;
pub mod error;
pub mod judging;
pub mod media;
pub mod screening;
pub mod session;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

// The modules' public paths from before the stage folders (`framepick::quality`, …),
// kept so users' code and the tests need no change. Code inside the crate uses the
// folder paths.
pub use choosing::{crops, profiles, select};
pub use judging::{aesthetics, composition, editability, emotion, faces, models};
pub use media::{demux, frame, sampling, source, yuv};
pub use screening::{audio, look, quality, scenes, segments, spoils};

pub use error::{FramepickError, Result};
