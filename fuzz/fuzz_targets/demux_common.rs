//! Shared by `demux_mp4` and `demux_webm`: the bytes go through the same path as a
//! browser `Blob` (a `RangeSource` read through `CachedReader`), into the sniffing
//! entry point `framepick::demux::demux`, and then a few sample payloads are read back
//! the way `Demuxer.readSamples` (src/wasm/mod.rs) reads them.

use framepick::demux::{demux, VideoTrack};
use framepick::source::CachedReader;
use framepick::FramepickError;

/// Outcome that must not depend on the cache block size.
#[derive(Debug, PartialEq)]
enum Outcome {
    Track {
        codec: String,
        description: Vec<u8>,
        coded: (u32, u32),
        display: (u32, u32),
        rotation: u32,
        duration_us: i64,
        samples: Vec<framepick::demux::Sample>,
    },
    Error(&'static str),
}

fn outcome(r: &Result<VideoTrack, FramepickError>) -> Outcome {
    match r {
        Ok(t) => Outcome::Track {
            codec: t.codec.clone(),
            description: t.description.clone(),
            coded: (t.coded_width, t.coded_height),
            display: (t.display_width, t.display_height),
            rotation: t.rotation,
            duration_us: t.duration_us,
            samples: t.samples.clone(),
        },
        Err(e) => Outcome::Error(e.code()),
    }
}

/// Read sample payloads as the wasm layer does: single samples and one merged range
/// `first..=last` (wrapping arithmetic, as in the release wasm build).
fn read_payloads(reader: &mut CachedReader<&[u8]>, track: &VideoTrack) {
    let n = track.samples.len();
    let picks = [0, n / 2, n - 1];
    for &i in &picks {
        let s = track.samples[i];
        let _ = reader.read_range(s.offset, s.size as usize);
    }
    // `Demuxer.readSamples(first, last)`: one range covering a run of samples.
    let run = &track.samples[..n.min(8)];
    let start = run.iter().map(|s| s.offset).min().unwrap_or(0);
    let end = run
        .iter()
        .map(|s| s.offset.wrapping_add(s.size as u64))
        .max()
        .unwrap_or(0);
    let _ = reader.read_range(start, end.wrapping_sub(start) as usize);
}

const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

/// Which container a target concentrates on; inputs that sniff as the other one are
/// left to the other target (the sniffing itself still runs on everything else).
#[allow(dead_code)] // each target uses one variant
#[derive(Clone, Copy, PartialEq)]
pub enum Want {
    Mp4,
    Matroska,
}

pub fn run(want: Want, data: &[u8]) {
    if data.starts_with(&EBML_MAGIC) != (want == Want::Matroska) {
        return;
    }
    // The default block (256 KiB, larger than any input here: one read) …
    let mut big = CachedReader::new(data);
    let a = demux(&mut big);
    if let Ok(track) = &a {
        assert!(!track.samples.is_empty(), "Ok track without samples");
        read_payloads(&mut big, track);
    }
    // … and a tiny one (16..=79 bytes) so box headers and EBML elements straddle
    // block boundaries.
    let block = 16 + data.first().map_or(0, |&b| b as usize % 64);
    let mut small = CachedReader::with_block_size(data, block);
    let b = demux(&mut small);
    if let Ok(track) = &b {
        read_payloads(&mut small, track);
    }
    assert_eq!(
        outcome(&a),
        outcome(&b),
        "the result depends on the cache block size ({block})"
    );
}
