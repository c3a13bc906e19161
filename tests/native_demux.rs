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

/// WebM/MKV made with ffmpeg: VP9 and VP8 (160×90, 25 fps, 2 s, GOP 10), H.264 in MKV.
#[test]
fn webm_and_mkv_give_a_table_whose_ranges_hold_the_frames() {
    for (name, codec, keyframes) in [
        ("tiny-vp9.webm", "vp09.", 5),
        ("tiny-vp8.webm", "vp8", 5),
        ("tiny-h264.mkv", "avc1.64", 5),
    ] {
        let mut r = open(name);
        let t = demux(&mut r).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(t.codec.starts_with(codec), "{name}: {}", t.codec);
        assert_eq!(t.samples.len(), 50, "{name}");
        assert_eq!(t.keyframe_count(), keyframes, "{name}");
        assert_eq!((t.display_width, t.display_height), (160, 90));
        assert!(
            (t.frame_rate - 25.0).abs() < 0.01,
            "{name}: {}",
            t.frame_rate
        );
        let mut pts: Vec<i64> = t.samples.iter().map(|s| s.pts_us).collect();
        pts.sort();
        assert_eq!(
            pts,
            (0..50).map(|i| i * 40_000).collect::<Vec<_>>(),
            "{name}"
        );
        assert!(t
            .samples
            .iter()
            .all(|s| s.duration_us == 40_000 || s.pts_us == 1_960_000));
        // Each range holds a frame: VP8 keyframes start with the 9d 01 2a start code
        // at byte 3; VP9 frames with the frame marker 0b10 in the top bits.
        let first = t.samples[0];
        let bytes = r.read_range(first.offset, first.size as usize).unwrap();
        match codec {
            "vp8" => assert_eq!(&bytes[3..6], &[0x9d, 0x01, 0x2a], "{name}"),
            "vp09." => assert_eq!(bytes[0] >> 6, 0b10, "{name}"),
            _ => {
                let nal = u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize;
                assert!(nal + 4 <= bytes.len(), "{name}");
                assert!(!t.description.is_empty());
            }
        }
    }
}

/// Every range of the WebM/MKV table (found through webm.rs's read log) holds exactly
/// the bytes `matroska-demuxer` itself hands out for that frame, not only the first.
#[test]
fn webm_ranges_match_the_frames_matroska_demuxer_reads() {
    use matroska_demuxer::{Frame, MatroskaFile, TrackType};
    for name in ["tiny-vp9.webm", "tiny-vp8.webm", "tiny-h264.mkv"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let mut mkv = MatroskaFile::open(File::open(&path).unwrap()).unwrap();
        let video = mkv
            .tracks()
            .iter()
            .find(|t| t.track_type() == TrackType::Video)
            .unwrap()
            .track_number()
            .get();
        let mut payloads = Vec::new();
        let mut frame = Frame::default();
        while mkv.next_frame(&mut frame).unwrap() {
            if frame.track == video {
                payloads.push(frame.data.clone());
            }
        }
        let mut r = open(name);
        let t = demux(&mut r).unwrap();
        assert_eq!(t.samples.len(), payloads.len(), "{name}");
        for (s, want) in t.samples.iter().zip(&payloads) {
            let got = r.read_range(s.offset, s.size as usize).unwrap();
            assert_eq!(&got, want, "{name}: sample at {} µs", s.pts_us);
        }
    }
}

#[test]
fn a_truncated_webm_is_corrupt_or_shorter_never_a_panic() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-vp9.webm");
    let bytes = std::fs::read(p).unwrap();
    for cut in [40, 200, 1_000, bytes.len() / 2] {
        match demux(&mut CachedReader::new(&bytes[..cut])) {
            Ok(t) => assert!(t.samples.len() < 50, "cut {cut}"),
            Err(e) => assert!(
                matches!(e.code(), "CORRUPT_MEDIA" | "NO_FRAMES" | "NO_VIDEO_TRACK"),
                "cut {cut}: {e}"
            ),
        }
    }
}

/// tests/fixtures/tiny-aac.mp4: the same 2 s of video with AAC-LC, 22 050 Hz mono:
/// 1 s of silence, then a 440 Hz tone.
#[test]
fn the_aac_track_is_found_with_its_decoder_config() {
    use framepick::demux::{audio::window_runs, demux_media};
    let media = demux_media(&mut open("tiny-aac.mp4")).unwrap();
    assert_eq!(media.video.samples.len(), 50);
    let a = media.audio.unwrap();
    assert_eq!(a.codec, "mp4a.40.2");
    assert_eq!((a.sample_rate, a.channels), (22_050, 1));
    assert_eq!(a.frames, 45);
    // AudioSpecificConfig: AAC-LC (2), 22 050 Hz (index 7), mono (1).
    assert_eq!(a.description, [0x13, 0x88]);
    assert!(a.samples.windows(2).all(|w| w[0].pts_us < w[1].pts_us));
    // ±0.5 s around 1.5 s: about a second of 46 ms frames.
    let runs = window_runs(&a.samples, &[1_500_000], 500_000);
    assert_eq!(runs.len(), 1);
    assert!(
        (20..=24).contains(&(runs[0].last - runs[0].first + 1)),
        "{runs:?}"
    );
    // Files without sound say why.
    let none = demux_media(&mut open("tiny.mp4"))
        .unwrap()
        .audio
        .unwrap_err();
    assert!(none.contains("no audio"), "{none}");
    // tiny-pcm.mov: 0.5 s of 16-bit PCM in a MOV: a sound track, not one we measure.
    let pcm = demux_media(&mut open("tiny-pcm.mov"))
        .unwrap()
        .audio
        .unwrap_err();
    assert!(pcm.contains("not AAC"), "{pcm}");
    let webm = demux_media(&mut open("tiny-vp9.webm"))
        .unwrap()
        .audio
        .unwrap_err();
    assert!(webm.contains("WebM"), "{webm}");
}

/// Boxes between `start` and `end`: (type, start, size, header length).
fn boxes(buf: &[u8], start: usize, end: usize) -> Vec<([u8; 4], usize, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos + 8 <= end {
        let be32 = |at: usize| u32::from_be_bytes(buf[at..at + 4].try_into().unwrap());
        let (size, header) = match be32(pos) {
            1 => (
                u64::from_be_bytes(buf[pos + 8..pos + 16].try_into().unwrap()) as usize,
                16,
            ),
            0 => (end - pos, 8),
            s => (s as usize, 8),
        };
        out.push((buf[pos + 4..pos + 8].try_into().unwrap(), pos, size, header));
        pos += size;
    }
    out
}

/// `moov` (or a box inside it) with every chunk offset moved by `delta`, as `co64`.
fn shift_offsets(buf: &[u8], b: ([u8; 4], usize, usize, usize), delta: u64) -> Vec<u8> {
    let (kind, start, size, header) = b;
    let with_header = |kind: &[u8; 4], body: Vec<u8>| -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend(body);
        out
    };
    match &kind {
        b"moov" | b"trak" | b"mdia" | b"minf" | b"stbl" | b"edts" => {
            let children = boxes(buf, start + header, start + size);
            let body = children
                .into_iter()
                .flat_map(|c| shift_offsets(buf, c, delta))
                .collect();
            with_header(&kind, body)
        }
        b"stco" => {
            let body = &buf[start + header..start + size];
            let count = u32::from_be_bytes(body[4..8].try_into().unwrap()) as usize;
            let mut out = body[..8].to_vec();
            for i in 0..count {
                let at = 8 + i * 4;
                let old = u32::from_be_bytes(body[at..at + 4].try_into().unwrap());
                out.extend_from_slice(&(u64::from(old) + delta).to_be_bytes());
            }
            with_header(b"co64", out)
        }
        _ => buf[start..start + size].to_vec(),
    }
}

/// A file over 4 GiB in a few KB of disk: `tiny-aac.mp4` rewritten as [ftyp][mdat: a
/// 4.2 GiB hole, then the samples][moov with `co64`], the way tests/sparse-mp4.mjs
/// makes the browser test's file. Every sample offset needs more than 32 bits.
#[test]
fn a_file_over_4_gib_with_64_bit_chunk_offsets_reads_the_same_samples() {
    use framepick::demux::demux_media;
    use std::io::{Seek, SeekFrom, Write};
    let src_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-aac.mp4");
    let buf = std::fs::read(&src_path).unwrap();
    let top = boxes(&buf, 0, buf.len());
    let find = |k: &[u8; 4]| *top.iter().find(|b| &b.0 == k).unwrap();
    let (mdat, moov) = (find(b"mdat"), find(b"moov"));
    let before: Vec<u8> = top
        .iter()
        .filter(|b| &b.0 != b"mdat" && &b.0 != b"moov")
        .flat_map(|b| buf[b.1..b.1 + b.2].to_vec())
        .collect();
    let payload = &buf[mdat.1 + mdat.3..mdat.1 + mdat.2];
    let gap = 4_509_715_456u64; // 4.2 GiB
    let payload_at = before.len() as u64 + 16 + gap;
    let delta = payload_at - (mdat.1 + mdat.3) as u64;
    let dir = std::env::temp_dir().join(format!("framepick-co64-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big_path = dir.join("big.mp4");
    let mut f = File::create(&big_path).unwrap();
    f.write_all(&before).unwrap();
    f.write_all(&1u32.to_be_bytes()).unwrap();
    f.write_all(b"mdat").unwrap();
    f.write_all(&(16 + gap + payload.len() as u64).to_be_bytes())
        .unwrap();
    // Seeking past the end leaves a hole: no disk is written for it.
    f.seek(SeekFrom::Start(payload_at)).unwrap();
    f.write_all(payload).unwrap();
    f.write_all(&shift_offsets(&buf, moov, delta)).unwrap();
    drop(f);

    let mut small = open("tiny-aac.mp4");
    let mut big = CachedReader::new(File::open(&big_path).unwrap());
    let (a, b) = (
        demux_media(&mut small).unwrap(),
        demux_media(&mut big).unwrap(),
    );
    let (a_audio, b_audio) = (a.audio.unwrap(), b.audio.unwrap());
    for (x, y) in [
        (&a.video.samples, &b.video.samples),
        (&a_audio.samples, &b_audio.samples),
    ] {
        assert_eq!(x.len(), y.len());
        for (s, t) in x.iter().zip(y.iter()) {
            assert!(t.offset > u64::from(u32::MAX), "offset {}", t.offset);
            assert_eq!(t.offset, s.offset + delta);
            assert_eq!(
                (s.pts_us, s.size, s.keyframe),
                (t.pts_us, t.size, t.keyframe)
            );
        }
        // The bytes at the 64-bit offsets are the same samples.
        for s in [0, x.len() / 2, x.len() - 1] {
            let want = small.read_range(x[s].offset, x[s].size as usize).unwrap();
            assert_eq!(
                big.read_range(y[s].offset, y[s].size as usize).unwrap(),
                want
            );
        }
    }
    assert_eq!(a.video.duration_us, b.video.duration_us);
    // Streamed: the hole was skipped, not read.
    assert!(big.bytes_read < 4 << 20, "read {} bytes", big.bytes_read);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// tiny.mp4 is x264 with B-frames: its non-reference B pictures are found from the
/// sample bytes, keyframes and P-frames never are.
#[test]
fn non_reference_b_frames_are_found_in_an_x264_stream() {
    use framepick::demux::nal::{is_disposable_avc, nal_length_size};
    let mut r = open("tiny.mp4");
    let t = demux(&mut r).unwrap();
    let len = nal_length_size(&t.description).unwrap();
    let mut disposable = 0;
    for s in &t.samples {
        let bytes = r.read_range(s.offset, s.size as usize).unwrap();
        if is_disposable_avc(&bytes, len) {
            assert!(!s.keyframe);
            disposable += 1;
        }
    }
    // 5 GOPs of 10: keyframes, P and reference B stay; a good share of the rest goes.
    assert!((10..=30).contains(&disposable), "{disposable} of 50");
}
