//! Inputs found by the fuzz targets (fuzz/, docs/fuzzing.md), each of which once crashed,
//! hung or ran out of memory. Every one must now give a typed error (or a correct result)
//! quickly, through the same byte-range reader the browser uses.
//!
//! Files are in tests/fixtures/fuzz/ (the fuzzer's inputs, minimised where libFuzzer could
//! shrink them; box-structured MP4s rarely shrink); the smallest cases are built inline.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use framepick::demux::{demux, VideoTrack};
use framepick::faces::{decode, nms, priors, DetectorConfig, InputGeometry, RawOutputs};
use framepick::source::CachedReader;
use framepick::FramepickError;

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Demux on another thread, so that a regression to an endless loop fails the test
/// instead of hanging the suite; with the default cache block and with a tiny one (the
/// fuzz targets check both agree).
fn demux_bytes(bytes: Vec<u8>) -> Result<VideoTrack, FramepickError> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let big = demux(&mut CachedReader::new(bytes.as_slice()));
        let small = demux(&mut CachedReader::with_block_size(bytes.as_slice(), 16));
        let _ = tx.send((big, small));
    });
    let (big, small) = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("demux did not finish in 20 s (or panicked)");
    assert_eq!(
        big.as_ref()
            .map(|t| t.samples.clone())
            .map_err(|e| e.code()),
        small
            .as_ref()
            .map(|t| t.samples.clone())
            .map_err(|e| e.code()),
        "the result depends on the cache block size"
    );
    big
}

fn assert_corrupt(r: Result<VideoTrack, FramepickError>) {
    match r {
        Err(e) => assert_eq!(e.code(), "CORRUPT_MEDIA", "{e}"),
        Ok(t) => panic!(
            "expected CORRUPT_MEDIA, got a track of {} samples",
            t.samples.len()
        ),
    }
}

/// re_mp4 0.5.1 reads a child box of size 0 inside moov/trak/…/stbl and then "skips" it
/// by seeking to its own start: the same header is read forever (demux_mp4 timeout).
#[test]
fn mp4_box_of_size_0_inside_moov_is_corrupt_not_a_hang() {
    // The fuzzer's input: a real moov whose stsc header was overwritten with size 0.
    assert_corrupt(demux_bytes(fixture("mp4-stbl-child-size-0.mp4")));
    // The smallest form: a moov holding one box header of size 0.
    let mut tiny = vec![0, 0, 0, 16];
    tiny.extend_from_slice(b"moov\0\0\0\0free");
    assert_corrupt(demux_bytes(tiny));
}

/// re_mp4 0.5.1 indexes ctts past its end when its runs cover fewer samples than stsz
/// (demux_mp4 crash: "index out of bounds: the len is 236 but the index is 236").
#[test]
fn mp4_ctts_shorter_than_the_samples_is_corrupt() {
    assert_corrupt(demux_bytes(fixture("mp4-ctts-too-short.mp4")));
}

/// re_mp4 0.5.1 allocates or indexes what a damaged box claims (demux_mp4 crashes and
/// OOMs): an stsc run past the last stco chunk offset (index out of bounds), a `meta`
/// child claiming 2.6 GB and an `hdlr` claiming 2 GB inside a 1–2 KB file (`vec![0; n]`),
/// an avcC whose SPS lengths run past its end (`size - read` wraps, 40 of the 44
/// artifacts). Each is now refused before re_mp4 builds anything.
#[test]
fn mp4_boxes_that_claim_more_than_they_hold_are_corrupt() {
    for name in [
        "mp4-stco-too-short.mp4",
        "mp4-meta-child-claims-2.6GB.mp4",
        "mp4-hdlr-claims-2GB.mp4",
        "mp4-avcc-sps-past-its-end.mp4",
    ] {
        match demux_bytes(fixture(name)) {
            Err(e) => assert_eq!(e.code(), "CORRUPT_MEDIA", "{name}: {e}"),
            Ok(_) => panic!("{name}: expected CORRUPT_MEDIA"),
        }
    }
}

/// demux_mp4 timeout: a 20-byte `trun` claiming 2³² − 1 samples with no per-sample
/// fields makes re_mp4 0.5.1 loop 4 billion times doing nothing (2 s natively per box,
/// more in wasm; a few such boxes block the worker for a minute). The box check now
/// refuses the count before re_mp4 sees the box.
#[test]
fn mp4_trun_claiming_billions_of_samples_is_refused_before_parsing() {
    let name = "mp4-trun-claims-4-billion-samples.mp4";
    match demux_bytes(fixture(name)) {
        Err(e) => {
            assert_eq!(e.code(), "CORRUPT_MEDIA", "{name}: {e}");
            assert!(
                e.to_string().contains("trun claims 4294967295 samples"),
                "{e}"
            );
        }
        Ok(_) => panic!("{name}: expected CORRUPT_MEDIA"),
    }
}

/// demux_webm OOM: on this 113-byte file `MatroskaFile::open` (matroska-demuxer 0.8.1)
/// never stops reading, and our read log (where each frame's payload sits) grew with it
/// to 2 GB. The read budget now stops the parser, and the log is capped.
#[test]
fn webm_whose_header_parse_never_ends_is_corrupt() {
    let r = demux_bytes(fixture("webm-open-loops.webm"));
    match r {
        Err(e) => {
            assert_eq!(e.code(), "CORRUPT_MEDIA", "{e}");
            assert!(e.to_string().contains("round in circles"), "{e}");
        }
        Ok(_) => panic!("expected CORRUPT_MEDIA"),
    }
}

/// The payload path: a sample that claims more bytes than the file has is an
/// UnexpectedEof (CORRUPT_MEDIA), without allocating what it claims.
#[test]
fn sample_ranges_past_the_end_are_refused_without_allocating_them() {
    let data = vec![0u8; 100];
    let mut r = CachedReader::new(data.as_slice());
    for (offset, len) in [
        (0, usize::MAX),
        (u64::MAX, 1),
        (u64::MAX - 10, 100),
        (90, 20),
    ] {
        let err = r.read_range(offset, len).unwrap_err();
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::UnexpectedEof,
            "{offset}+{len}"
        );
        assert_eq!(FramepickError::from(err).code(), "CORRUPT_MEDIA");
    }
    assert_eq!(r.read_range(90, 10).unwrap(), vec![0u8; 10]);
}

/// Every input under tests/fixtures/fuzz/ (the ones above and the rest of what the
/// fuzzers found, named `<container>-<what>.<ext>`): a track or a typed error, in time,
/// and the payload path (as `Demuxer.readSamples` reads it) does not panic either.
#[test]
fn every_fuzz_input_gives_a_track_or_a_typed_error() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in names {
        let bytes = fixture(&name);
        match demux_bytes(bytes.clone()) {
            Ok(track) => {
                assert!(!track.samples.is_empty(), "{name}");
                let mut r = CachedReader::new(bytes.as_slice());
                for s in &track.samples {
                    // Out-of-file ranges are a typed error, in-file ones read.
                    let _ = r.read_range(s.offset, s.size as usize);
                }
            }
            Err(e) => assert!(
                matches!(
                    e.code(),
                    "CORRUPT_MEDIA"
                        | "UNSUPPORTED_CONTAINER"
                        | "UNSUPPORTED_CODEC"
                        | "NO_VIDEO_TRACK"
                        | "NO_FRAMES"
                ),
                "{name}: {e:?}"
            ),
        }
    }
}

/// faces_decode timeout: degenerate model outputs (every prior a sure face, boxes of
/// zero size so none overlaps) made NMS compare every candidate with every kept face,
/// quadratic in the prior count (43 008 priors at 1024×1024: ~10⁹ IoUs). Now capped like
/// the reference post-processing: 5000 candidates into NMS, 750 faces out.
#[test]
fn degenerate_face_outputs_are_decoded_in_bounded_time() {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let g = InputGeometry {
            input_width: 1024,
            input_height: 1024,
            scale: 1.0,
        };
        let n = priors(g.input_width, g.input_height).len();
        assert_eq!(n, 43_008);
        let raw = RawOutputs {
            // Centre offsets 0, log sizes −inf: every box has width and height 0.
            loc: (0..n * 4)
                .map(|i| if i % 4 < 2 { 0.0 } else { f32::NEG_INFINITY })
                .collect(),
            // Softmax output (background 0, face 1): every prior passes any threshold.
            conf: (0..n * 2).map(|i| (i % 2) as f32).collect(),
            landmarks: vec![0.0; n * 10],
        };
        let faces = decode(&raw, &g, &DetectorConfig::default()).unwrap();
        let _ = tx.send(faces);
    });
    let faces = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("decode did not finish in 20 s (or panicked)");
    assert_eq!(faces.len(), 750);
    assert!(faces.iter().all(|f| f.score == 1.0 && f.width == 0.0));
    // NMS alone keeps at most 750 too, and keeps separate faces in score order.
    let again = nms(faces.clone(), 0.4);
    assert!(again == faces, "NMS of its own output changed it");
}

/// demux_mp4 OOM in our payload path: a sample table entry of ~4 GiB made
/// `CachedReader::read_range` allocate it before finding the file too short.
#[test]
fn mp4_sample_claiming_4_gib_is_an_error_when_read_not_an_allocation() {
    let bytes = fixture("mp4-sample-claims-4GB.mp4");
    let track = demux_bytes(bytes.clone()).expect("the table itself is readable");
    let big = track
        .samples
        .iter()
        .find(|s| s.size as u64 > bytes.len() as u64)
        .expect("a sample larger than the file");
    let mut r = CachedReader::new(bytes.as_slice());
    let err = r.read_range(big.offset, big.size as usize).unwrap_err();
    assert_eq!(FramepickError::from(err).code(), "CORRUPT_MEDIA");
}

/// Not-a-number or infinite model outputs give no face, rather than faces with NaN
/// scores or boxes that would reach the ranking and the JSON.
#[test]
fn nan_and_infinite_face_outputs_give_no_face() {
    let g = InputGeometry {
        input_width: 64,
        input_height: 64,
        scale: 1.0,
    };
    let n = priors(g.input_width, g.input_height).len();
    let cases = [
        (f32::NAN, 0.0, 0.0),      // NaN confidence
        (0.0, f32::NAN, 0.0),      // NaN box
        (0.0, f32::INFINITY, 0.0), // infinite box
        (0.0, 0.0, f32::NAN),      // NaN landmarks only: still a face
    ];
    for (k, &(conf, loc, landmark)) in cases.iter().enumerate() {
        let raw = RawOutputs {
            loc: vec![loc; n * 4],
            conf: (0..n * 2)
                .map(|i| if i % 2 == 1 { 1.0 } else { conf })
                .collect(),
            landmarks: vec![landmark; n * 10],
        };
        let faces = decode(&raw, &g, &DetectorConfig::default()).unwrap();
        if k < 3 {
            assert!(faces.is_empty(), "case {k}: {faces:?}");
        } else {
            assert!(faces
                .iter()
                .all(|f| f.score.is_finite() && f.width.is_finite()));
        }
    }
}
