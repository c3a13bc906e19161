//! The pieces demuxing and decode planning share: a coded sample, and runs of samples
//! fed to the decoder in one session. Beneath both `demux` and `sampling`, so neither
//! needs the other.

use serde::Serialize;

/// One coded video sample, in decode order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    /// Presentation time in microseconds (what `VideoFrame.timestamp` will carry).
    pub pts_us: i64,
    pub duration_us: i64,
    pub keyframe: bool,
    pub offset: u64,
    pub size: u32,
}

/// A contiguous stretch of samples to feed the decoder, decode order, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecodeRun {
    pub first: usize,
    pub last: usize,
}

/// Sorted, with overlapping or adjacent runs joined (they share a decoder session).
pub fn merge_runs(mut runs: Vec<DecodeRun>) -> Vec<DecodeRun> {
    runs.sort_by_key(|r| r.first);
    let mut merged: Vec<DecodeRun> = Vec::new();
    for r in runs {
        match merged.last_mut() {
            Some(m) if r.first <= m.last + 1 => m.last = m.last.max(r.last),
            _ => merged.push(r),
        }
    }
    merged
}
