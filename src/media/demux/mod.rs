//! Container demuxing: from a byte-range reader to a sample table the decoder can use.
//!
//! - MP4/MOV (including `moov` at the end and fragmented MP4): `mp4`, through `re_mp4`,
//!   which walks top-level boxes with seeks, so `mdat` is skipped and never read.
//! - WebM/Matroska: `webm`, through `matroska-demuxer`, in one streaming pass over the
//!   clusters (Cues index only keyframes, and we need every frame's byte range).

use std::io::{self, Read, Seek, SeekFrom};

pub mod audio;
mod clusters;
mod mp4;
pub mod nal;
mod webm;

use serde::Serialize;

use crate::error::{FramepickError, Result};
pub use crate::media::samples::Sample;
use crate::media::source::{read_up_to, CachedReader, RangeSource};
use audio::{AudioTrack, NoAudio};

/// What the decoder needs to be configured and fed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoTrack {
    /// WebCodecs codec string, e.g. `avc1.64001F`.
    pub codec: String,
    /// `avcC`/`hvcC`/`av1C`/`vpcC` payload for `VideoDecoder.configure({ description })`.
    #[serde(skip)]
    pub description: Vec<u8>,
    pub coded_width: u32,
    pub coded_height: u32,
    /// Size to show, before rotation.
    pub display_width: u32,
    pub display_height: u32,
    /// Clockwise rotation in degrees from the track matrix (0, 90, 180, 270).
    pub rotation: u32,
    pub duration_us: i64,
    /// Mean frame rate over the track (variable frame rate files have one too).
    pub frame_rate: f64,
    /// Decode order.
    pub samples: Vec<Sample>,
}

impl VideoTrack {
    pub fn keyframe_count(&self) -> usize {
        self.samples.iter().filter(|s| s.keyframe).count()
    }
}

/// A cap on the bytes a container parser may read, so that a malformed file cannot make
/// it loop forever. `re_mp4` re-reads the same header endlessly when a box inside `moov`
/// declares size 0 (found by fuzzing, tests/fuzz_regressions.rs); any such loop reads,
/// so capping the bytes read turns it into an error. A sound parse reads each header
/// byte about once (MP4 skips `mdat`, WebM streams the clusters once), so a few times
/// the file size plus some slack never limits a real file.
pub(crate) struct ReadBudget<R> {
    inner: R,
    left: u64,
    exhausted: bool,
}

impl<R> ReadBudget<R> {
    pub(crate) fn new(inner: R, file_size: u64) -> Self {
        Self {
            inner,
            left: file_size.saturating_mul(4).saturating_add(1 << 20),
            exhausted: false,
        }
    }

    /// Whether a read was refused: the parser was going round in circles.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted
    }
}

/// The `io::Error` payload of a read refused by [`ReadBudget`], so the error can be told
/// apart after a parser has wrapped it.
#[derive(Debug)]
pub(crate) struct BudgetExhausted;

impl std::fmt::Display for BudgetExhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("read budget exhausted: the container parser loops")
    }
}

impl std::error::Error for BudgetExhausted {}

/// Whether `e` is a read refused by [`ReadBudget`].
pub(crate) fn is_budget_error(e: &io::Error) -> bool {
    e.get_ref()
        .is_some_and(|inner| inner.downcast_ref::<BudgetExhausted>().is_some())
}

/// The error for a parse stopped by [`ReadBudget`].
pub(crate) fn parser_loop_error() -> FramepickError {
    FramepickError::corrupt(
        "the container parser went round in circles (a box or element of size 0?)",
    )
}

impl<R: Read> Read for ReadBudget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len() as u64;
        if want > self.left {
            self.exhausted = true;
            self.left = 0;
            return Err(io::Error::new(io::ErrorKind::InvalidData, BudgetExhausted));
        }
        let n = self.inner.read(buf)?;
        self.left -= n as u64;
        Ok(n)
    }
}

impl<R: Seek> Seek for ReadBudget<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.inner.seek(to)
    }
}

const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

enum Container {
    Mp4,
    Matroska,
}

/// A parsed file: the track to pick frames from, and the sound to measure loudness on.
#[derive(Debug, Clone)]
pub struct Media {
    pub video: VideoTrack,
    /// The first AAC track of an MP4/MOV, or why the sound is not measured.
    pub audio: std::result::Result<AudioTrack, NoAudio>,
}

/// Parse the container and return its first video track.
pub fn demux<S: RangeSource>(reader: &mut CachedReader<S>) -> Result<VideoTrack> {
    demux_media(reader).map(|media| media.video)
}

/// Parse the container once for its first video track and its audio track.
pub fn demux_media<S: RangeSource>(reader: &mut CachedReader<S>) -> Result<Media> {
    let size = reader.len();
    if size == 0 {
        return Err(FramepickError::UnsupportedContainer {
            detail: "the file is empty (0 bytes)".into(),
        });
    }
    let mut head = [0u8; 12];
    reader.seek(SeekFrom::Start(0))?;
    let got = read_up_to(reader, &mut head)?;
    let container = sniff(&head[..got])?;
    reader.seek(SeekFrom::Start(0))?;
    let (video, audio) = match container {
        Container::Mp4 => mp4::tracks(reader, size)?,
        Container::Matroska => (webm::video_track(reader)?, Err(audio::WEBM_NOT_MEASURED)),
    };
    Ok(Media {
        video: finish(video)?,
        audio,
    })
}

/// Tell the container from its first bytes, before any parser sees them.
fn sniff(head: &[u8]) -> Result<Container> {
    if head.starts_with(&EBML_MAGIC) {
        return Ok(Container::Matroska);
    }
    let known_box = head.len() >= 8
        && matches!(
            &head[4..8],
            b"ftyp" | b"moov" | b"mdat" | b"free" | b"skip" | b"wide" | b"styp" | b"moof"
        );
    if !known_box {
        return Err(FramepickError::UnsupportedContainer {
            detail: "the file does not start like an MP4, MOV, WebM or MKV file".into(),
        });
    }
    Ok(Container::Mp4)
}

/// What every container shares: presentation starting at 0, duration, frame rate.
fn finish(mut track: VideoTrack) -> Result<VideoTrack> {
    if track.samples.is_empty() {
        return Err(FramepickError::NoFrames);
    }
    // Fragmented MP4 keeps the B-frame delay that an edit list removes in ordinary
    // files, WebM may start late; callers compare times across files.
    let start = track.samples.iter().map(|s| s.pts_us).min().unwrap_or(0);
    for s in &mut track.samples {
        s.pts_us -= start;
    }
    track.duration_us = track
        .samples
        .iter()
        .map(|s| s.pts_us + s.duration_us)
        .max()
        .unwrap_or(0);
    // From the span of presentation times: the last sample's duration is often padded.
    let last_pts = track.samples.iter().map(|s| s.pts_us).max().unwrap_or(0);
    track.frame_rate = if last_pts > 0 {
        (track.samples.len() - 1) as f64 * 1e6 / last_pts as f64
    } else {
        0.0
    };
    Ok(track)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_foreign_files_are_refused_with_a_code() {
        let empty: &[u8] = &[];
        let err = demux(&mut CachedReader::new(empty)).unwrap_err();
        assert_eq!(err.code(), "UNSUPPORTED_CONTAINER");
        let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let err = demux(&mut CachedReader::new(png)).unwrap_err();
        assert_eq!(err.code(), "UNSUPPORTED_CONTAINER");
        // EBML magic and nothing else: a Matroska file cut in its header.
        let webm: &[u8] = &[0x1A, 0x45, 0xDF, 0xA3, 0x80, 0, 0, 0, 0, 0, 0, 0];
        let err = demux(&mut CachedReader::new(webm)).unwrap_err();
        assert_eq!(err.code(), "CORRUPT_MEDIA", "{err}");
    }

    #[test]
    fn a_truncated_box_is_corrupt_media() {
        // ftyp that claims 4 KiB in a 16-byte file.
        let mut bytes = vec![0, 0, 0x10, 0, b'f', b't', b'y', b'p'];
        bytes.extend_from_slice(b"isom\0\0\0\0");
        let err = demux(&mut CachedReader::new(bytes.as_slice())).unwrap_err();
        assert!(matches!(err.code(), "CORRUPT_MEDIA"), "got {err:?}");
    }
}
