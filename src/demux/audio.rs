//! The audio track, for loudness only: MP4/MOV with AAC (`mp4a`), what phones record.
//! Read after [`super::demux`] accepted the file (its table checks cover every track).

use std::io::{Seek, SeekFrom};

use serde::Serialize;

use super::Sample;
use crate::error::Result;
use crate::sampling::{merge_runs, DecodeRun};
use crate::source::{read_up_to, CachedReader, RangeSource};

/// What `AudioDecoder.configure` needs, and the coded frames (all decodable alone).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioTrack {
    /// WebCodecs codec string, e.g. `mp4a.40.2` (AAC-LC).
    pub codec: String,
    /// AudioSpecificConfig for `AudioDecoder.configure({ description })`.
    #[serde(skip)]
    pub description: Vec<u8>,
    pub sample_rate: u32,
    pub channels: u32,
    #[serde(skip)]
    pub samples: Vec<Sample>,
    /// Number of coded frames.
    pub frames: usize,
}

/// Why a file's sound is not measured (its `report.audio.reason`).
pub type NoAudio = &'static str;

/// The first AAC track of an MP4/MOV file, or why there is none to measure.
pub fn audio_track<S: RangeSource>(
    reader: &mut CachedReader<S>,
) -> Result<std::result::Result<AudioTrack, NoAudio>> {
    let mut head = [0u8; 4];
    reader.seek(SeekFrom::Start(0))?;
    let got = read_up_to(reader, &mut head)?;
    if head[..got] == super::EBML_MAGIC {
        return Ok(Err(
            "the sound of WebM/MKV files is not measured (MP4/MOV AAC only)",
        ));
    }
    reader.seek(SeekFrom::Start(0))?;
    let size = reader.len();
    let Ok(mp4) = re_mp4::Mp4::read(reader, size) else {
        return Ok(Err("the audio track could not be read"));
    };
    let Some(track) = mp4
        .tracks()
        .values()
        .find(|t| t.kind == Some(re_mp4::TrackKind::Audio))
    else {
        return Ok(Err("the file has no audio track"));
    };
    let re_mp4::StsdBoxContent::Mp4a(mp4a) = &track.trak(&mp4).mdia.minf.stbl.stsd.contents else {
        return Ok(Err("the audio is not AAC"));
    };
    let Some(esds) = &mp4a.esds else {
        return Ok(Err("the AAC track has no decoder configuration (esds)"));
    };
    if track.timescale == 0 || track.samples.is_empty() {
        return Ok(Err("the audio track is empty"));
    }
    let d = &esds.es_desc.dec_config.dec_specific;
    // AudioSpecificConfig: 5 bits object type, 4 bits frequency index, 4 bits channels.
    let asc = (u16::from(d.profile) << 11)
        | (u16::from(d.freq_index & 0xF) << 7)
        | (u16::from(d.chan_conf & 0xF) << 3);
    let samples = super::mp4::sample_table(track);
    Ok(Ok(AudioTrack {
        codec: format!("mp4a.40.{}", d.profile),
        description: asc.to_be_bytes().to_vec(),
        sample_rate: mp4a.samplerate.value() as u32,
        // The sample entry often says 2 whatever the stream holds; the AudioSpecificConfig
        // is what the decoder will use.
        channels: if d.chan_conf > 0 {
            u32::from(d.chan_conf)
        } else {
            u32::from(mp4a.channelcount)
        },
        frames: samples.len(),
        samples,
    }))
}

/// Runs of consecutive frames covering `half_window_us` around each time (µs), merged
/// where they touch: the only audio worth decoding for loudness at those times.
pub fn window_runs(samples: &[Sample], times_us: &[i64], half_window_us: i64) -> Vec<DecodeRun> {
    let runs = times_us
        .iter()
        .filter_map(|&t| {
            let first = samples.partition_point(|s| s.pts_us + s.duration_us <= t - half_window_us);
            let end = samples.partition_point(|s| s.pts_us < t + half_window_us);
            (first < end).then(|| DecodeRun {
                first,
                last: end - 1,
            })
        })
        .collect();
    merge_runs(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(n: usize, dur: i64) -> Vec<Sample> {
        (0..n)
            .map(|i| Sample {
                pts_us: i as i64 * dur,
                duration_us: dur,
                keyframe: true,
                offset: 0,
                size: 1,
            })
            .collect()
    }

    #[test]
    fn windows_cover_the_times_and_merge() {
        // 100 frames of 100 ms: 0–10 s.
        let s = frames(100, 100_000);
        let run = |first, last| DecodeRun { first, last };
        assert_eq!(window_runs(&s, &[5_000_000], 500_000), vec![run(45, 54)]);
        // Overlapping windows merge; far ones stay apart; times past the end vanish.
        assert_eq!(
            window_runs(&s, &[2_000_000, 1_500_000, 8_000_000, 20_000_000], 500_000),
            vec![run(10, 24), run(75, 84)]
        );
        assert!(window_runs(&[], &[0], 500_000).is_empty());
    }
}
