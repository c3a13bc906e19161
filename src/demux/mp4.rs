//! MP4/MOV through `re_mp4`: `Mp4::read` walks top-level boxes with seeks, so the
//! `mdat` payload is never read while building the table.

use std::io::{Read, Seek};

use super::{Sample, VideoTrack};
use crate::error::{FramepickError, Result};

pub(super) fn video_track<R: Read + Seek>(reader: &mut R, size: u64) -> Result<VideoTrack> {
    let mp4 = re_mp4::Mp4::read(reader, size).map_err(mp4_error)?;
    first_video_track(&mp4)
}

fn mp4_error(e: re_mp4::Error) -> FramepickError {
    match e {
        re_mp4::Error::Io(io) => io.into(),
        re_mp4::Error::BoxNotFound(b) => FramepickError::corrupt(format!("no {b} box")),
        other => FramepickError::corrupt(other.to_string()),
    }
}

fn first_video_track(mp4: &re_mp4::Mp4) -> Result<VideoTrack> {
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
    let tkhd = &track.trak(mp4).tkhd;
    let (display_width, display_height) = (tkhd.width.value() as u32, tkhd.height.value() as u32);
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
        // Filled in by `super::finish`, the same for every container.
        duration_us: 0,
        frame_rate: 0.0,
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
    fn rotation_from_matrix() {
        assert_eq!(rotation_degrees(0x10000, 0), 0);
        assert_eq!(rotation_degrees(0, 0x10000), 90);
        assert_eq!(rotation_degrees(-0x10000, 0), 180);
        assert_eq!(rotation_degrees(0, -0x10000), 270);
    }
}
