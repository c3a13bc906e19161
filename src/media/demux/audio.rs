//! The audio track, for loudness only: MP4/MOV with AAC (`mp4a`), what phones record.
//! Taken from the same checked parse as the video track ([`super::demux_media`]), so
//! its tables have passed the same checks (docs/fuzzing.md) and the header is read once.

use serde::Serialize;

use crate::media::samples::{merge_runs, DecodeRun, Sample};

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

pub(super) const WEBM_NOT_MEASURED: NoAudio =
    "the sound of WebM/MKV files is not measured (MP4/MOV AAC only)";

/// The first AAC track of a parsed MP4/MOV file, or why there is none to measure.
pub(super) fn from_mp4(mp4: &re_mp4::Mp4) -> std::result::Result<AudioTrack, NoAudio> {
    // The handler says "sound" whatever the codec; re_mp4's kind knows only the codecs
    // it parses (a MOV's PCM track has no kind), and the reason should say which it is.
    let track = mp4
        .tracks()
        .values()
        .find(|t| t.kind == Some(re_mp4::TrackKind::Audio))
        .or_else(|| {
            mp4.tracks()
                .values()
                .find(|t| t.trak(mp4).mdia.hdlr.handler_type == (*b"soun").into())
        })
        .ok_or("the file has no audio track")?;
    let re_mp4::StsdBoxContent::Mp4a(mp4a) = &track.trak(mp4).mdia.minf.stbl.stsd.contents else {
        return Err("the audio is not AAC");
    };
    let esds = mp4a
        .esds
        .as_ref()
        .ok_or("the AAC track has no decoder configuration (esds)")?;
    if track.timescale == 0 || track.samples.is_empty() {
        return Err("the audio track is empty");
    }
    let d = &esds.es_desc.dec_config.dec_specific;
    // AudioSpecificConfig: 5 bits object type, 4 bits frequency index, 4 bits channels.
    // Object types past 30 (escape) and an explicit rate (index 15) need more bits than
    // this two-byte form; no phone writes them, and a wrong config would only make the
    // decoder refuse, so they are not measured instead.
    if d.profile == 0 || d.profile > 30 || d.freq_index >= 15 {
        return Err("the AAC decoder configuration is not one this measures");
    }
    let asc = (u16::from(d.profile) << 11)
        | (u16::from(d.freq_index & 0xF) << 7)
        | (u16::from(d.chan_conf & 0xF) << 3);
    let samples = super::mp4::sample_table(track);
    Ok(AudioTrack {
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
    })
}

/// Runs of consecutive frames covering `half_window_us` around each time (µs), merged
/// where they touch: the only audio worth decoding for loudness at those times.
pub fn window_runs(samples: &[Sample], times_us: &[i64], half_window_us: i64) -> Vec<DecodeRun> {
    let runs = times_us
        .iter()
        .filter_map(|&t| {
            // Saturating: times come from the file and may be anything.
            let (from, to) = (
                t.saturating_sub(half_window_us),
                t.saturating_add(half_window_us),
            );
            let first = samples.partition_point(|s| s.pts_us.saturating_add(s.duration_us) <= from);
            let end = samples.partition_point(|s| s.pts_us < to);
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
