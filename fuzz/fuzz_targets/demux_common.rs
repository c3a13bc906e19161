//! Shared by `demux_mp4` and `demux_webm`: the bytes go through the same path as a
//! browser `Blob` (a `RangeSource` read through `CachedReader`), into the sniffing
//! entry point `framepick::demux::demux_media` (video and AAC audio track, as
//! `Demuxer.open` in src/wasm/mod.rs), and then a few video and audio payloads are read
//! back the way `Demuxer.readSamples` / `readAudio` read them, and the audio windows
//! are planned as `Demuxer.planAudio` plans them.

use framepick::demux::audio::window_runs;
use framepick::demux::{demux_media, Media, Sample};
use framepick::source::CachedReader;
use framepick::FramepickError;

/// Outcome that must not depend on the cache block size.
#[derive(Debug, PartialEq)]
enum Outcome {
    Track {
        audio: Result<(String, Vec<u8>, u32, u32, Vec<Sample>), &'static str>,
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

fn outcome(r: &Result<Media, FramepickError>) -> Outcome {
    match r {
        Ok(Media { video: t, audio }) => Outcome::Track {
            audio: audio.as_ref().map(|a| {
                (
                    a.codec.clone(),
                    a.description.clone(),
                    a.sample_rate,
                    a.channels,
                    a.samples.clone(),
                )
            })
            .map_err(|reason| *reason),
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
fn read_payloads(reader: &mut CachedReader<&[u8]>, samples: &[Sample]) {
    let n = samples.len();
    if n == 0 {
        return;
    }
    let picks = [0, n / 2, n - 1];
    for &i in &picks {
        let s = samples[i];
        let _ = reader.read_range(s.offset, s.size as usize);
    }
    // `Demuxer.readSamples(first, last)`: one range covering a run of samples.
    let run = &samples[..n.min(8)];
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
    let a = demux_media(&mut big);
    if let Ok(media) = &a {
        assert!(!media.video.samples.is_empty(), "Ok track without samples");
        read_payloads(&mut big, &media.video.samples);
        if let Ok(audio) = &media.audio {
            assert!(!audio.samples.is_empty(), "Ok audio track without samples");
            read_payloads(&mut big, &audio.samples);
            // Loudness windows around every video keyframe, as the worker asks.
            let times: Vec<i64> = media.video.samples.iter().map(|s| s.pts_us).collect();
            for run in window_runs(&audio.samples, &times, 500_000) {
                assert!(run.first <= run.last && run.last < audio.samples.len());
            }
        }
    }
    // … and a tiny one (16..=79 bytes) so box headers and EBML elements straddle
    // block boundaries.
    let block = 16 + data.first().map_or(0, |&b| b as usize % 64);
    let mut small = CachedReader::with_block_size(data, block);
    let b = demux_media(&mut small);
    if let Ok(media) = &b {
        read_payloads(&mut small, &media.video.samples);
    }
    assert_eq!(
        outcome(&a),
        outcome(&b),
        "the result depends on the cache block size ({block})"
    );
}
