//! Demuxing real MP4 files made with ffmpeg (tests/fixtures/tiny*.mp4: 160×90 H.264
//! High, 25 fps, 2 s, GOP 10, B-frames), read through the byte-range reader.

use std::fs::File;

use framepick::demux::demux;
use framepick::sampling::{decode_runs, targets_on_grid};
use framepick::source::CachedReader;

fn open(name: &str) -> CachedReader<File> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    CachedReader::new(File::open(p).unwrap())
}

#[test]
fn moov_at_end_faststart_and_fragmented_give_the_same_table() {
    let a = demux(&mut open("tiny.mp4")).unwrap();
    let b = demux(&mut open("tiny-faststart.mp4")).unwrap();
    let c = demux(&mut open("tiny-frag.mp4")).unwrap();
    for t in [&a, &b, &c] {
        assert!(t.codec.starts_with("avc1.64"), "{}", t.codec);
        assert_eq!(t.samples.len(), 50);
        assert_eq!((t.display_width, t.display_height), (160, 90));
        assert!((t.frame_rate - 25.0).abs() < 0.01, "{}", t.frame_rate);
        assert_eq!(t.keyframe_count(), 5);
        assert!(!t.description.is_empty());
    }
    let pts = |t: &framepick::demux::VideoTrack| -> Vec<i64> {
        t.samples.iter().map(|s| s.pts_us).collect()
    };
    assert_eq!(pts(&a), pts(&b));
    assert_eq!(pts(&a), pts(&c));
    // B-frames: decode order is not presentation order, but every frame is there once.
    let mut sorted = pts(&a);
    sorted.sort();
    assert_eq!(sorted, (0..50).map(|i| i * 40_000).collect::<Vec<_>>());
}

#[test]
fn sample_bytes_are_where_the_table_says() {
    let mut r = open("tiny.mp4");
    let t = demux(&mut r).unwrap();
    let first = t.samples[0];
    let bytes = r.read_range(first.offset, first.size as usize).unwrap();
    // AVCC: 4-byte NAL length prefix, and the first NAL length fits in the sample.
    let nal_len = u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize;
    assert!(nal_len + 4 <= bytes.len());
}

#[test]
fn header_parsing_reads_a_handful_of_ranges_not_the_file() {
    let mut r = open("tiny.mp4");
    demux(&mut r).unwrap();
    assert!(r.reads <= 4, "{} range reads", r.reads);
}

#[test]
fn a_plan_on_a_real_table_decodes_from_keyframes() {
    let t = demux(&mut open("tiny.mp4")).unwrap();
    let targets = targets_on_grid(&t.samples, 500_000);
    assert_eq!(targets.len(), 4);
    for run in decode_runs(&t.samples, &targets) {
        assert!(t.samples[run.first].keyframe);
    }
}

#[test]
fn a_truncated_file_is_corrupt_media() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny.mp4");
    let bytes = std::fs::read(p).unwrap();
    // Cut inside the moov box at the end.
    let cut = &bytes[..bytes.len() - 300];
    let err = demux(&mut CachedReader::new(cut)).unwrap_err();
    assert_eq!(err.code(), "CORRUPT_MEDIA", "{err}");
}
