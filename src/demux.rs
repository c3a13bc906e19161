//! Container demuxing: from a byte-range reader to a sample table the decoder can use.
//!
//! MP4/MOV (including `moov` at the end and fragmented MP4) through `re_mp4`, which
//! walks top-level boxes with seeks, so `mdat` is skipped and never read here.

use std::io::{Read, Seek, SeekFrom};

use serde::Serialize;

use crate::error::{FramepickError, Result};
use crate::source::{CachedReader, RangeSource};

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

const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

/// Parse the container and return its first video track.
pub fn demux<S: RangeSource>(reader: &mut CachedReader<S>) -> Result<VideoTrack> {
    let size = reader.len();
    if size == 0 {
        return Err(FramepickError::UnsupportedContainer {
            detail: "the file is empty (0 bytes)".into(),
        });
    }
    let mut head = [0u8; 12];
    reader.seek(SeekFrom::Start(0))?;
    let got = read_up_to(reader, &mut head)?;
    sniff(&head[..got])?;
    reader.seek(SeekFrom::Start(0))?;
    let mp4 = re_mp4::Mp4::read(&mut *reader, size).map_err(mp4_error)?;
    video_track(&mp4)
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Refuse what is clearly not ISO-BMFF before the box parser sees it.
fn sniff(head: &[u8]) -> Result<()> {
    if head.starts_with(&EBML_MAGIC) {
        return Err(FramepickError::UnsupportedContainer {
            detail: "WebM/Matroska is not supported yet".into(),
        });
    }
    let known_box = head.len() >= 8
        && matches!(
            &head[4..8],
            b"ftyp" | b"moov" | b"mdat" | b"free" | b"skip" | b"wide" | b"styp" | b"moof"
        );
    if !known_box {
        return Err(FramepickError::UnsupportedContainer {
            detail: "the file does not start like an MP4/MOV file".into(),
        });
    }
    Ok(())
}

fn mp4_error(e: re_mp4::Error) -> FramepickError {
    match e {
        re_mp4::Error::Io(io) => io.into(),
        re_mp4::Error::BoxNotFound(b) => FramepickError::corrupt(format!("no {b} box")),
        other => FramepickError::corrupt(other.to_string()),
    }
}

fn video_track(mp4: &re_mp4::Mp4) -> Result<VideoTrack> {
    let track = mp4
        .tracks()
        .values()
        .find(|t| t.kind == Some(re_mp4::TrackKind::Video))
        .ok_or(FramepickError::NoVideoTrack)?;
    let stsd = &track.trak(mp4).mdia.minf.stbl.stsd;
    let codec = track
        .codec_string(mp4)
        .ok_or_else(|| FramepickError::UnsupportedCodec {
            codec: format!("{:?}", stsd.contents).chars().take(40).collect(),
        })?;
    let description = track.raw_codec_config(mp4).unwrap_or_default();
    if track.samples.is_empty() || track.timescale == 0 {
        return Err(FramepickError::NoFrames);
    }
    let to_us = |t: i64| -> i64 { (t as i128 * 1_000_000 / track.timescale as i128) as i64 };
    let samples: Vec<Sample> = track
        .samples
        .iter()
        .map(|s| Sample {
            pts_us: to_us(s.composition_timestamp),
            duration_us: to_us(s.duration as i64),
            keyframe: s.is_sync,
            offset: s.offset,
            size: s.size.min(u32::MAX as u64) as u32,
        })
        .collect();
    // Presentation starts at 0: fragmented files carry the B-frame delay that an edit
    // list removes in ordinary ones, and callers compare times across both.
    let start = samples.iter().map(|s| s.pts_us).min().unwrap_or(0);
    let samples: Vec<Sample> = samples
        .into_iter()
        .map(|s| Sample {
            pts_us: s.pts_us - start,
            ..s
        })
        .collect();
    let tkhd = &track.trak(mp4).tkhd;
    let (display_width, display_height) = (tkhd.width.value() as u32, tkhd.height.value() as u32);
    let duration_us = samples
        .iter()
        .map(|s| s.pts_us + s.duration_us)
        .max()
        .unwrap_or(0);
    // From the span of presentation times: the last sample's duration is often padded.
    let first_pts = samples.iter().map(|s| s.pts_us).min().unwrap_or(0);
    let last_pts = samples.iter().map(|s| s.pts_us).max().unwrap_or(0);
    let frame_rate = if last_pts > first_pts {
        (samples.len() - 1) as f64 * 1e6 / (last_pts - first_pts) as f64
    } else {
        0.0
    };
    Ok(VideoTrack {
        codec,
        description,
        coded_width: track.width as u32,
        coded_height: track.height as u32,
        display_width: if display_width > 0 {
            display_width
        } else {
            track.width as u32
        },
        display_height: if display_height > 0 {
            display_height
        } else {
            track.height as u32
        },
        rotation: rotation_degrees(tkhd.matrix.a, tkhd.matrix.b),
        duration_us,
        frame_rate,
        samples,
    })
}

/// Clockwise rotation from the first row of the 16.16 track matrix.
fn rotation_degrees(a: i32, b: i32) -> u32 {
    let deg = (b as f64).atan2(a as f64).to_degrees();
    (((deg / 90.0).round() as i32).rem_euclid(4) * 90) as u32
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
        let webm: &[u8] = &[0x1A, 0x45, 0xDF, 0xA3, 0, 0, 0, 0, 0, 0, 0, 0];
        let err = demux(&mut CachedReader::new(webm)).unwrap_err();
        assert!(err.to_string().contains("WebM"));
    }

    #[test]
    fn a_truncated_box_is_corrupt_media() {
        // ftyp that claims 4 KiB in a 16-byte file.
        let mut bytes = vec![0, 0, 0x10, 0, b'f', b't', b'y', b'p'];
        bytes.extend_from_slice(b"isom\0\0\0\0");
        let err = demux(&mut CachedReader::new(bytes.as_slice())).unwrap_err();
        assert!(matches!(err.code(), "CORRUPT_MEDIA"), "got {err:?}");
    }

    #[test]
    fn rotation_from_matrix() {
        assert_eq!(rotation_degrees(0x10000, 0), 0);
        assert_eq!(rotation_degrees(0, 0x10000), 90);
        assert_eq!(rotation_degrees(-0x10000, 0), 180);
        assert_eq!(rotation_degrees(0, -0x10000), 270);
    }
}
