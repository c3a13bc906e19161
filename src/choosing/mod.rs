//! Choosing: niche weights, the ranking with variety across the video, and the crops
//! of each pick. Uses `judging` and `screening` (looks).

pub mod crops;
pub mod profiles;
pub mod select;
