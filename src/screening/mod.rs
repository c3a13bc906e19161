//! Screening: the quick look every sampled frame gets (exposure, sharpness, grain,
//! uniform frames), the comparison of frames of one picture, shots, transitions,
//! importance segments and loudness. Uses `media` (frames) only.

pub mod audio;
pub mod look;
pub mod quality;
pub mod scenes;
pub mod segments;
pub mod spoils;
