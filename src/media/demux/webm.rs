//! WebM/Matroska through `matroska-demuxer`.
//!
//! The crate hands out frames with their data but not where the data sits in the file,
//! and we need byte ranges to feed the decoder later without keeping anything. So the
//! reader is wrapped in `ReadTracker`, which notes where each read starts and how much
//! it asks for: the frame payload is the last read that asked for exactly its length.
//! That reads the whole file, so the table comes from the block headers alone
//! ([`clusters`]) wherever the file allows, and from the crate otherwise. The crate
//! always reads the header (tracks, codec, time scale).

use std::cell::RefCell;
use std::io::{self, Read, Seek, SeekFrom};
use std::rc::Rc;

use matroska_demuxer::{DemuxError, Frame, MatroskaFile, TrackType};

use super::{clusters, is_budget_error, parser_loop_error, ReadBudget, Sample, VideoTrack};
use crate::error::{FramepickError, Result};
use crate::media::source::{CachedReader, RangeSource};

/// (position, requested length) of recent reads.
type ReadLog = Rc<RefCell<Vec<(u64, usize)>>>;

struct ReadTracker<R> {
    inner: R,
    log: ReadLog,
}

/// Reads kept in the log: the payload is among the last few reads of a `next_frame`.
/// The log is cleared before each frame, but `MatroskaFile::open` and a damaged file
/// can read on and on (a demux_webm OOM: the log grew to 2 GB), so it is also capped.
const LOG_CAP: usize = 1024;

impl<R: Read + Seek> Read for ReadTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let pos = self.inner.stream_position()?;
        let mut log = self.log.borrow_mut();
        if log.len() >= LOG_CAP {
            log.drain(..LOG_CAP / 2);
        }
        log.push((pos, buf.len()));
        drop(log);
        self.inner.read(buf)
    }
}

impl<R: Seek> Seek for ReadTracker<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.inner.seek(to)
    }
}

pub(super) fn video_track<S: RangeSource>(reader: &mut CachedReader<S>) -> Result<VideoTrack> {
    let size = reader.len();
    let (mut track, number, ns_per_tick, default_duration_ns) = {
        let (mkv, _) = open(reader, size)?;
        describe(&mkv)?
    };
    let to_us = |ticks: i64| -> i64 { (i128::from(ticks) * ns_per_tick / 1000) as i64 };
    let fast = clusters::scan(&mut windowed(reader, size), size, number);
    let mut samples = match fast {
        Some(mut samples) => {
            for s in &mut samples {
                s.pts_us = to_us(s.pts_us);
            }
            samples
        }
        None => {
            let (mkv, log) = open(reader, size)?;
            samples_by_demuxer(mkv, &log, number, to_us)?
        }
    };
    fill_durations(
        &mut samples,
        default_duration_ns.map(|ns| (ns / 1000) as i64),
    );
    track.samples = samples;
    Ok(track)
}

/// Bytes fetched at once for the cluster walk. A range read of a `Blob` costs about
/// 1.4 ms whatever its length (Chromium, this machine) and then moves some 260 MB/s:
/// skipping a frame is only worth a new read when it is larger than ~370 KB. So the walk
/// reads ahead in windows this large and, inside them, only looks at the headers.
const WALK_WINDOW: usize = 4 << 20;

/// `read_at` for the cluster walk, served from a [`WALK_WINDOW`] read ahead of it.
fn windowed<S: RangeSource>(
    reader: &mut CachedReader<S>,
    size: u64,
) -> impl FnMut(u64, usize) -> io::Result<Vec<u8>> + '_ {
    let mut window: (u64, Vec<u8>) = (0, Vec::new());
    move |at, len| {
        let len = len.min(size.saturating_sub(at) as usize);
        let inside = at >= window.0 && at + len as u64 <= window.0 + window.1.len() as u64;
        if !inside {
            let want = WALK_WINDOW.max(len).min(size.saturating_sub(at) as usize);
            window = (at, reader.read_range(at, want)?);
        }
        let from = (at - window.0) as usize;
        Ok(window.1[from..from + len].to_vec())
    }
}

type Mkv<'r, S> = MatroskaFile<ReadTracker<ReadBudget<&'r mut CachedReader<S>>>>;

fn open<S: RangeSource>(reader: &mut CachedReader<S>, size: u64) -> Result<(Mkv<'_, S>, ReadLog)> {
    let log: ReadLog = Rc::default();
    reader.seek(SeekFrom::Start(0))?;
    // `MatroskaFile::open` loops forever on some damaged files (demux_webm): the budget
    // turns that into an error.
    let tracked = ReadTracker {
        inner: ReadBudget::new(reader, size),
        log: log.clone(),
    };
    Ok((MatroskaFile::open(tracked).map_err(demux_error)?, log))
}

/// The video track without its samples, its number, nanoseconds a tick, and its default
/// frame duration.
fn describe<R: Read + Seek>(mkv: &MatroskaFile<R>) -> Result<(VideoTrack, u64, i128, Option<u64>)> {
    let entry = mkv
        .tracks()
        .iter()
        .find(|t| t.track_type() == TrackType::Video)
        .ok_or(FramepickError::NoVideoTrack)?;
    let video = entry
        .video()
        .ok_or_else(|| FramepickError::corrupt("video track without video settings"))?;
    let (coded_width, coded_height) = (
        video.pixel_width().get() as u32,
        video.pixel_height().get() as u32,
    );
    let display_width = video
        .display_width()
        .map_or(coded_width, |w| w.get() as u32);
    let display_height = video
        .display_height()
        .map_or(coded_height, |h| h.get() as u32);
    let private = entry.codec_private().unwrap_or_default().to_vec();
    let (codec, description) = codec_string(entry.codec_id(), &private)?;
    let track = VideoTrack {
        codec,
        description,
        coded_width,
        coded_height,
        display_width,
        display_height,
        rotation: 0,
        duration_us: 0,
        frame_rate: 0.0,
        samples: Vec::new(),
    };
    Ok((
        track,
        entry.track_number().get(),
        i128::from(mkv.info().timestamp_scale().get()),
        entry.default_duration().map(|d| d.get()),
    ))
}

/// The frame table the slow way: every frame read whole by the demuxer crate, for files
/// the cluster walk does not cover.
fn samples_by_demuxer<R: Read + Seek>(
    mut mkv: MatroskaFile<R>,
    log: &ReadLog,
    number: u64,
    to_us: impl Fn(i64) -> i64,
) -> Result<Vec<Sample>> {
    let mut samples = Vec::new();
    let mut frame = Frame::default();
    loop {
        log.borrow_mut().clear();
        match mkv.next_frame(&mut frame) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(demux_error(e)),
        }
        if frame.track != number {
            continue;
        }
        let offset = payload_offset(&log.borrow(), frame.data.len())
            .ok_or_else(|| FramepickError::corrupt("could not locate a WebM block's payload"))?;
        samples.push(Sample {
            pts_us: to_us(frame.timestamp as i64),
            duration_us: 0,
            // Block groups carry no keyframe flag; only the first frame is then safe.
            keyframe: frame.is_keyframe.unwrap_or(samples.is_empty()),
            offset,
            size: frame.data.len() as u32,
        });
    }
    Ok(samples)
}

/// The payload is read with one `read_exact(len)`, whose first read asks for all of it.
fn payload_offset(log: &[(u64, usize)], len: usize) -> Option<u64> {
    if len == 0 {
        return None;
    }
    log.iter()
        .rev()
        .find(|&&(_, n)| n == len)
        .map(|&(pos, _)| pos)
}

/// Matroska stores no per-frame duration for simple blocks: use the gap to the next
/// frame in presentation order, or the track's default duration for the last one.
fn fill_durations(samples: &mut [Sample], default_us: Option<i64>) {
    let mut order: Vec<usize> = (0..samples.len()).collect();
    order.sort_by_key(|&i| samples[i].pts_us);
    for w in order.windows(2) {
        samples[w[0]].duration_us = samples[w[1]].pts_us - samples[w[0]].pts_us;
    }
    if let Some(&last) = order.last() {
        let typical = order
            .first()
            .map(|&i| samples[i].duration_us)
            .filter(|&d| d > 0);
        samples[last].duration_us = default_us.or(typical).unwrap_or(33_333);
    }
}

/// WebCodecs codec string and `description` for a Matroska codec ID.
fn codec_string(codec_id: &str, private: &[u8]) -> Result<(String, Vec<u8>)> {
    let unsupported = || FramepickError::UnsupportedCodec {
        codec: codec_id.to_string(),
    };
    match codec_id {
        "V_VP8" => Ok(("vp8".into(), Vec::new())),
        // Profile 0, level 1.0, 8 bit: what WebM VP9 nearly always is. The decoder reads
        // the real profile from the bitstream; this string only has to be accepted.
        "V_VP9" => Ok(("vp09.00.10.08".into(), Vec::new())),
        "V_AV1" => av1_codec(private)
            .map(|c| (c, private.to_vec()))
            .ok_or_else(unsupported),
        "V_MPEG4/ISO/AVC" => match private {
            [1, profile, compat, level, ..] => Ok((
                format!("avc1.{profile:02X}{compat:02X}{level:02X}"),
                private.to_vec(),
            )),
            _ => Err(FramepickError::corrupt("H.264 track without a valid avcC")),
        },
        _ => Err(unsupported()),
    }
}

/// `av01.P.LLT.DD` from the av1C record (ISO/IEC AV1 codec configuration).
fn av1_codec(c: &[u8]) -> Option<String> {
    if c.len() < 4 || c[0] & 0x7f != 1 {
        return None;
    }
    let profile = c[1] >> 5;
    let level = c[1] & 0x1f;
    let tier = if c[2] & 0x80 != 0 { 'H' } else { 'M' };
    let high_bitdepth = c[2] & 0x40 != 0;
    let twelve_bit = c[2] & 0x20 != 0;
    let depth = match (high_bitdepth, twelve_bit) {
        (true, true) => 12,
        (true, false) => 10,
        _ => 8,
    };
    Some(format!("av01.{profile}.{level:02}{tier}.{depth:02}"))
}

fn demux_error(e: DemuxError) -> FramepickError {
    match e {
        DemuxError::IoError(io) if is_budget_error(&io) => parser_loop_error(),
        DemuxError::IoError(io) => io.into(),
        other => FramepickError::corrupt(format!("WebM/Matroska: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codec_strings() {
        assert_eq!(codec_string("V_VP8", &[]).unwrap().0, "vp8");
        assert_eq!(codec_string("V_VP9", &[]).unwrap().0, "vp09.00.10.08");
        let avcc = [1, 0x64, 0x00, 0x1f, 0xff];
        assert_eq!(
            codec_string("V_MPEG4/ISO/AVC", &avcc).unwrap().0,
            "avc1.64001F"
        );
        // av1C: marker+version 0x81, profile 0 level 8, main tier 8-bit.
        assert_eq!(
            av1_codec(&[0x81, 0x08, 0x0c, 0x00]).unwrap(),
            "av01.0.08M.08"
        );
        let err = codec_string("V_MPEGH/ISO/HEVC", &[]).unwrap_err();
        assert_eq!(err.code(), "UNSUPPORTED_CODEC");
        assert!(err.to_string().contains("HEVC"));
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// Both ways of building the table on one file: (cluster walk, demuxer crate, range
    /// reads the walk made).
    fn both_tables(bytes: &[u8]) -> (Option<Vec<Sample>>, Vec<Sample>, u64) {
        let mut reader = CachedReader::new(bytes);
        let size = reader.len();
        let (mkv, log) = open(&mut reader, size).unwrap();
        let (_, number, _, _) = describe(&mkv).unwrap();
        let slow = samples_by_demuxer(mkv, &log, number, |t| t).unwrap();
        let before = reader.reads;
        let fast = clusters::scan(&mut windowed(&mut reader, size), size, number);
        (fast, slow, reader.reads - before)
    }

    #[test]
    fn the_cluster_walk_finds_every_frame_the_demuxer_finds_in_one_read() {
        for name in ["tiny-vp9.webm", "tiny-vp8.webm", "tiny-h264.mkv"] {
            let bytes = fixture(name);
            let (fast, slow, reads) = both_tables(&bytes);
            let fast = fast.unwrap_or_else(|| panic!("{name}: not walked"));
            assert!(slow.len() > 10, "{name}: {} frames", slow.len());
            assert_eq!(fast, slow, "{name}");
            assert!(fast[0].keyframe, "{name}");
            // A small file is one window: one range read, not one a frame.
            assert_eq!(reads, 1, "{name}");
        }
    }

    #[test]
    fn a_cluster_of_unknown_size_is_left_to_the_demuxer() {
        let mut bytes = fixture("tiny-vp9.webm");
        let at = bytes
            .windows(4)
            .position(|w| w == [0x1F, 0x43, 0xB6, 0x75])
            .expect("a cluster");
        // Its size, whatever its length, becomes "unknown" (all value bits set).
        let len = bytes[at + 4].leading_zeros() as usize + 1;
        bytes[at + 4] |= 0xFF >> len;
        for b in &mut bytes[at + 5..at + 4 + len] {
            *b = 0xFF;
        }
        assert_eq!(both_tables(&bytes).0, None);
        // ...and the track still demuxes the slow way.
        let track = video_track(&mut CachedReader::new(bytes.as_slice())).unwrap();
        assert!(!track.samples.is_empty());
    }

    #[test]
    fn payload_is_the_last_read_of_its_length() {
        let log = [(10, 4), (14, 100), (114, 8), (200, 100)];
        assert_eq!(payload_offset(&log, 100), Some(200));
        assert_eq!(payload_offset(&log, 7), None);
    }
}
