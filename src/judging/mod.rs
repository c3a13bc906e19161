//! Judging: the deep analysis of the frames that survive screening (faces, emotion,
//! composition, room for a title, aesthetics). Uses `media` (frames) only.

pub mod aesthetics;
pub mod composition;
pub mod editability;
pub mod emotion;
pub mod faces;
pub mod models;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod wasm_conv;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod wasm_matmul;
