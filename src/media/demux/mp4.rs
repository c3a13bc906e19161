//! MP4/MOV through `re_mp4`: `Mp4::read` walks top-level boxes with seeks, so the
//! `mdat` payload is never read while building the table. re_mp4 trusts box sizes and
//! table lengths, so `check_tables` walks them first and refuses what it would crash or
//! loop on (docs/fuzzing.md); that parses `moov` twice, which costs a few range reads.

use std::io::{Read, Seek, SeekFrom};

use re_mp4::{BoxHeader, BoxType, MoofBox, MoovBox, ReadBox as _, StblBox};

use super::audio::{self, AudioTrack, NoAudio};
use super::{parser_loop_error, ReadBudget, Sample, VideoTrack};
use crate::error::{FramepickError, Result};

/// The first video track and the first AAC track (or why there is none), from one
/// checked parse of the header.
pub(super) fn tracks<R: Read + Seek>(
    reader: &mut R,
    size: u64,
) -> Result<(VideoTrack, std::result::Result<AudioTrack, NoAudio>)> {
    let mut guarded = ReadBudget::new(reader, size);
    // `&mut &mut`: `Mp4::read` below hands re_mp4's box readers `&mut` of the reader it is
    // given, so they are compiled for `&mut ReadBudget`; called the same way here, the
    // check shares that code (some 60 KB of wasm) instead of compiling its own copy.
    let checked = check_tables(&mut &mut guarded, size);
    if guarded.exhausted() {
        return Err(parser_loop_error());
    }
    checked?;
    guarded.seek(SeekFrom::Start(0))?;
    let mp4 = match re_mp4::Mp4::read(&mut guarded, size) {
        Ok(mp4) => mp4,
        Err(_) if guarded.exhausted() => return Err(parser_loop_error()),
        Err(e) => return Err(mp4_error(e)),
    };
    Ok((first_video_track(&mp4)?, audio::from_mp4(&mp4)))
}

fn mp4_error(e: re_mp4::Error) -> FramepickError {
    match e {
        re_mp4::Error::Io(io) => io.into(),
        re_mp4::Error::BoxNotFound(b) => FramepickError::corrupt(format!("no {b} box")),
        other => FramepickError::corrupt(other.to_string()),
    }
}

/// `re_mp4` 0.5.1 builds its sample lists (`Mp4::read` → `build_tracks`,
/// `update_sample_list`) indexing `stsc`, `stts`, `ctts`, `stsz` and `stco` without bounds
/// checks, and pushes as many samples as a count field claims. On a damaged file that is
/// a panic (in the wasm build, `panic = "abort"`: a trap that kills the Worker's instance)
/// or an allocation without bound (4 billion samples from a 200-byte file). So the boxes
/// are parsed here first with re_mp4's own box readers, and each table is walked the way
/// `build_tracks` will walk it, refusing what would fail there. Found by fuzzing
/// (fuzz/, tests/fuzz_regressions.rs).
fn check_tables<R: Read + Seek>(reader: &mut R, size: u64) -> Result<()> {
    check_box_tree(reader, 0, size, 0, size)?;
    reader.seek(SeekFrom::Start(0))?;
    // The same top-level walk as `Mp4::read`.
    let mut moov = None;
    let mut fragment_samples = 0u64;
    let mut current = 0;
    while current < size {
        let BoxHeader { name, size: s } = BoxHeader::read(reader).map_err(mp4_error)?;
        if s > size {
            return Err(FramepickError::corrupt(
                "file contains a box with a larger size than it",
            ));
        }
        if s == 0 {
            break;
        }
        match name {
            BoxType::MoovBox => moov = Some(MoovBox::read_box(reader, s).map_err(mp4_error)?),
            BoxType::MoofBox => {
                let moof = MoofBox::read_box(reader, s).map_err(mp4_error)?;
                for trun in moof.trafs.iter().flat_map(|t| &t.truns) {
                    fragment_samples += u64::from(trun.sample_count);
                }
            }
            _ => re_mp4::skip_box(reader, s).map_err(mp4_error)?,
        }
        current = reader.stream_position()?;
    }
    // Every sample takes at least a byte of the file; a count beyond that is a lie that
    // would only cost memory.
    if fragment_samples > size {
        return Err(FramepickError::corrupt(format!(
            "the fragments claim {fragment_samples} samples in a {size}-byte file"
        )));
    }
    if let Some(moov) = moov {
        for trak in &moov.traks {
            check_stbl(&trak.mdia.minf.stbl, size)?;
        }
    }
    Ok(())
}

/// Boxes whose children re_mp4 reads, and where in them the children start.
fn children_offset(name: &[u8; 4], content: &[u8; 4]) -> Option<u64> {
    match name {
        b"moov" | b"trak" | b"mdia" | b"minf" | b"stbl" | b"edts" | b"dinf" | b"mvex" | b"moof"
        | b"traf" | b"udta" => Some(0),
        // A full box (version and flags, 0) or, in some files, straight to the hdlr.
        b"meta" => Some(if *content == [0; 4] { 4 } else { 0 }),
        // Version, flags, entry count.
        b"stsd" | b"dref" => Some(8),
        // iTunes metadata: items holding `data` boxes.
        b"ilst" | b"\xa9nam" | b"\xa9day" | b"covr" | b"desc" => Some(0),
        // Visual sample entries: 78 bytes of fields, then avcC, hvcC, av1C, vpcC, pasp….
        b"avc1" | b"avc3" | b"hvc1" | b"hev1" | b"av01" | b"vp08" | b"vp09" => Some(78),
        _ => None,
    }
}

/// Every box inside `moov` and `moof` must lie inside its parent and be at least a header
/// long. re_mp4 only checks top-level boxes against the file size: a child that claims
/// more makes it allocate what it claims (`meta` children: `vec![0; size]`, 2.6 GB from a
/// 1 KB file), and a child of size 0 makes it loop. Top-level boxes keep re_mp4's own rule
/// (a truncated file's `mdat` may run past the end).
fn check_box_tree<R: Read + Seek>(
    reader: &mut R,
    start: u64,
    end: u64,
    depth: u32,
    file_size: u64,
) -> Result<()> {
    let bad = |what: String| FramepickError::corrupt(format!("MP4 box structure: {what}"));
    if depth > 16 {
        return Err(bad("boxes nested too deep".into()));
    }
    let mut pos = start;
    while pos < end {
        if depth > 0 && end - pos < 8 {
            // Too short for a header: QuickTime ends `udta` with four zero bytes.
            break;
        }
        reader.seek(SeekFrom::Start(pos))?;
        let mut head = [0u8; 8];
        reader.read_exact(&mut head)?;
        let name = [head[4], head[5], head[6], head[7]];
        let (size, header) = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
            1 => {
                let mut large = [0u8; 8];
                reader.read_exact(&mut large)?;
                (u64::from_be_bytes(large), 16)
            }
            s => (u64::from(s), 8),
        };
        let label = String::from_utf8_lossy(&name).into_owned();
        if depth == 0 {
            // re_mp4: size 0 ends the walk, a box larger than the file is an error.
            if size == 0 {
                break;
            }
            if size > end {
                return Err(bad(format!("{label} is larger than the file")));
            }
        } else if size < header || size > end - pos {
            return Err(bad(format!(
                "{label} of {size} bytes in a parent of {}",
                end - pos
            )));
        }
        // `data` has 8 bytes of fields that re_mp4 subtracts unchecked.
        let min = if &name == b"data" { header + 8 } else { header };
        if size < min {
            return Err(bad(format!("{label} of {size} bytes")));
        }
        if matches!(&name, b"avcC" | b"emsg") {
            // Their parsers read length-prefixed or NUL-terminated fields and subtract
            // what they read from the box size unchecked (a wrapped size → vec![0; 2⁶⁴−x]).
            let len = (size - header)
                .min(end.saturating_sub(pos + header))
                .min(1 << 20);
            let mut body = vec![0u8; len as usize];
            reader.read_exact(&mut body)?;
            let fits = if &name == b"avcC" {
                avcc_fits(&body)
            } else {
                emsg_fits(&body)
            };
            if !fits {
                return Err(bad(format!("{label} fields run past its end")));
            }
        }
        let mut content = [0u8; 4];
        if size >= header + 4 {
            reader.seek(SeekFrom::Start(pos + header))?;
            reader.read_exact(&mut content)?;
        }
        if &name == b"trun" && size >= header + 8 {
            // re_mp4 loops over the claimed sample count even when the samples have no
            // fields to read: 2³² empty iterations (2 s natively, more in wasm) per
            // 20-byte box. Every sample takes at least a byte of the file.
            let mut count = [0u8; 4];
            reader.read_exact(&mut count)?;
            let count = u32::from_be_bytes(count);
            if u64::from(count) > file_size {
                return Err(bad(format!(
                    "trun claims {count} samples in a {file_size}-byte file"
                )));
            }
        }
        if let Some(skip) = children_offset(&name, &content) {
            let from = pos + header + skip;
            let to = pos.saturating_add(size).min(end);
            if from <= to {
                check_box_tree(reader, from, to, depth + 1, file_size)?;
            }
        }
        pos = pos.saturating_add(size);
    }
    Ok(())
}

/// avcC: 6 bytes, SPS count, each SPS (u16 length + bytes), PPS count, each PPS.
fn avcc_fits(b: &[u8]) -> bool {
    let nal_units = |at: &mut usize, count: usize| -> bool {
        for _ in 0..count {
            let Some(len) = b.get(*at..*at + 2) else {
                return false;
            };
            *at += 2 + usize::from(u16::from_be_bytes([len[0], len[1]]));
        }
        *at <= b.len()
    };
    let Some(&sps) = b.get(5) else {
        return false;
    };
    let mut at = 6;
    if !nal_units(&mut at, usize::from(sps & 0x1f)) {
        return false;
    }
    let Some(&pps) = b.get(at) else {
        return false;
    };
    at += 1;
    nal_units(&mut at, usize::from(pps))
}

/// emsg: version and flags, then (v0) two NUL-terminated strings and 16 bytes, or (v1)
/// 20 bytes and two NUL-terminated strings; the message is what remains.
fn emsg_fits(b: &[u8]) -> bool {
    let strings = |from: usize| -> Option<usize> {
        let rest = b.get(from..)?;
        let first = rest.iter().position(|&c| c == 0)?;
        let second = rest[first + 1..].iter().position(|&c| c == 0)?;
        Some(from + first + 1 + second + 1)
    };
    match b.first() {
        Some(0) => strings(4).is_some_and(|at| at + 16 <= b.len()),
        Some(1) => strings(24).is_some_and(|at| at <= b.len()),
        _ => true, // re_mp4 refuses other versions itself
    }
}

/// Walk one track's sample tables exactly as `re_mp4`'s `build_tracks` does, checking
/// every index it will use.
fn check_stbl(stbl: &StblBox, file_size: u64) -> Result<()> {
    let bad = |what: &str| FramepickError::corrupt(format!("inconsistent sample tables: {what}"));
    let (stsz, stsc, stts) = (&stbl.stsz, &stbl.stsc.entries, &stbl.stts.entries);
    let sizes = stsz.sample_sizes.len();
    let count = if stsz.sample_size == 0 {
        sizes.max(stsz.sample_count as usize)
    } else {
        stsz.sample_count as usize
    };
    if count == 0 {
        return Ok(());
    }
    if stsz.sample_size == 0 && count > sizes {
        return Err(bad("stsz has fewer sizes than samples"));
    }
    if count as u64 > file_size {
        return Err(bad("more samples than bytes in the file"));
    }
    let chunks = match (&stbl.stco, &stbl.co64) {
        (Some(stco), _) => stco.entries.len() as u64,
        (None, Some(co64)) => co64.entries.len() as u64,
        (None, None) => 0,
    };
    let first_chunk_of = |run: usize| -> Result<u64> {
        match stsc.get(run + 1) {
            Some(e) if e.first_chunk == 0 => Err(bad("stsc chunk numbers start at 1")),
            Some(e) => Ok(u64::from(e.first_chunk) - 1),
            None => Ok(u64::MAX),
        }
    };
    let per_chunk = |run: usize| -> Result<u64> {
        stsc.get(run)
            .map(|e| u64::from(e.samples_per_chunk))
            .ok_or_else(|| bad("stsc ends before the samples"))
    };
    let (mut chunk, mut run, mut last_in_chunk, mut last_chunk_in_run) = (1u64, 0usize, 0, 0);
    let (mut stts_run, mut last_in_stts) = (-1i64, -1i64);
    let (mut ctts_run, mut last_in_ctts) = (-1i64, -1i64);
    for n in 0..count {
        if n == 0 {
            last_in_chunk = per_chunk(0)?;
            last_chunk_in_run = first_chunk_of(0)?;
        } else if (n as u64) >= last_in_chunk {
            chunk += 1;
            if chunk > last_chunk_in_run {
                run += 1;
                last_chunk_in_run = first_chunk_of(run)?;
            }
            last_in_chunk = last_in_chunk.saturating_add(per_chunk(run)?);
        }
        if chunk > chunks {
            return Err(bad("stsc points past the last chunk offset"));
        }
        let n = n as i64;
        if n > last_in_stts {
            stts_run += 1;
            let e = stts
                .get(stts_run as usize)
                .ok_or_else(|| bad("stts ends before the samples"))?;
            last_in_stts = last_in_stts.max(0) + i64::from(e.sample_count);
        }
        if let Some(ctts) = &stbl.ctts {
            if n >= last_in_ctts {
                ctts_run += 1;
                let e = ctts
                    .entries
                    .get(ctts_run as usize)
                    .ok_or_else(|| bad("ctts ends before the samples"))?;
                last_in_ctts = last_in_ctts.max(0) + i64::from(e.sample_count);
            }
        }
    }
    if stbl.stss.as_ref().is_some_and(|s| s.entries.contains(&0)) {
        return Err(bad("stss sample numbers start at 1"));
    }
    Ok(())
}

fn first_video_track(mp4: &re_mp4::Mp4) -> Result<VideoTrack> {
    // re_mp4's kind knows only the codecs it parses; the handler says "video" whatever the
    // codec, so an MPEG-4 Part 2 (`mp4v`) or Motion JPEG track is an unsupported codec,
    // not a missing track.
    let track = mp4
        .tracks()
        .values()
        .find(|t| t.kind == Some(re_mp4::TrackKind::Video))
        .or_else(|| {
            mp4.tracks()
                .values()
                .find(|t| t.trak(mp4).mdia.hdlr.handler_type == (*b"vide").into())
        })
        .ok_or(FramepickError::NoVideoTrack)?;
    let stsd = &track.trak(mp4).mdia.minf.stbl.stsd;
    let codec = track
        .codec_string(mp4)
        .ok_or_else(|| FramepickError::UnsupportedCodec {
            codec: match &stsd.contents {
                re_mp4::StsdBoxContent::Unknown(fourcc) => sample_entry_name(fourcc.value),
                other => format!("{other:?}").chars().take(40).collect(),
            },
        })?;
    let description = track.raw_codec_config(mp4).unwrap_or_default();
    if let re_mp4::StsdBoxContent::Avc1(_) = &stsd.contents {
        check_avcc(&description)?;
    }
    if track.samples.is_empty() || track.timescale == 0 {
        return Err(FramepickError::NoFrames);
    }
    let samples = sample_table(track);
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

/// The sample entry's four-character code, with the codec's common name where known
/// (what a user can search for, or tell a re-encoding tool).
fn sample_entry_name(fourcc: [u8; 4]) -> String {
    let code: String = fourcc
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect();
    let name = match &fourcc {
        b"mp4v" => "MPEG-4 Part 2",
        b"s263" | b"h263" | b"H263" => "H.263",
        b"jpeg" | b"mjpa" | b"mjpb" | b"MJPG" => "Motion JPEG",
        b"apcn" | b"apch" | b"apcs" | b"apco" | b"ap4h" | b"ap4x" => "Apple ProRes",
        b"avc3" => "H.264 with in-band parameter sets",
        b"dvh1" | b"dvhe" => "Dolby Vision",
        b"vvc1" | b"vvi1" => "H.266/VVC",
        b"mp2v" | b"m2v1" => "MPEG-2",
        b"dvc " | b"dvcp" | b"dvpp" | b"dv5n" | b"dv5p" => "DV",
        b"png " => "PNG",
        b"rle " => "Apple Animation",
        b"raw " | b"2vuy" | b"yuv2" | b"v210" => "uncompressed",
        _ => return code,
    };
    format!("{code} ({name})")
}

/// The H.264 decoder configuration record (ISO/IEC 14496-15 5.3.3.1) must say version 1
/// and hold parameter sets of the right kind: a damaged one (e.g. zeroed) would be
/// refused by the decoder, and the `<video>` fallback waits on such a file until its
/// timeout, so it is called what it is here.
fn check_avcc(avcc: &[u8]) -> Result<()> {
    let bad = |what: String| {
        FramepickError::corrupt(format!("its H.264 decoder configuration (avcC) {what}"))
    };
    match avcc.first().copied() {
        None => return Err(bad("is empty".into())),
        Some(1) => {}
        Some(v) => return Err(bad(format!("is version {v}, not 1"))),
    }
    if super::nal::nal_length_size(avcc).is_none() {
        return Err(bad("gives NAL lengths 3 bytes long".into()));
    }
    // Layout already checked by `avcc_fits`: 6 bytes, SPS count and SPSs, PPS count and PPSs.
    let mut at = 5;
    for (kind, want, mask) in [("SPS", 7u8, 0x1f_u8), ("PPS", 8, 0xff)] {
        let count = usize::from(avcc.get(at).copied().unwrap_or(0) & mask);
        at += 1;
        for _ in 0..count {
            let Some(len) = avcc.get(at..at + 2) else {
                return Err(bad(format!("has its {kind} list run past its end")));
            };
            let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
            match avcc.get(at + 2) {
                Some(&header) if len > 0 && header & 0x1f == want => {}
                _ => return Err(bad(format!("has another kind of unit in its {kind} list"))),
            }
            at += 2 + len;
        }
    }
    Ok(())
}

/// A track's samples in our form: times in µs, byte ranges (the track's timescale must
/// not be 0).
pub(super) fn sample_table(track: &re_mp4::Track) -> Vec<Sample> {
    let to_us = |t: i64| -> i64 { (t as i128 * 1_000_000 / track.timescale as i128) as i64 };
    track
        .samples
        .iter()
        .map(|s| Sample {
            pts_us: to_us(s.composition_timestamp),
            duration_us: to_us(s.duration as i64),
            keyframe: s.is_sync,
            offset: s.offset,
            size: s.size.min(u32::MAX as u64) as u32,
        })
        .collect()
}

/// Clockwise rotation from the first row of the 16.16 track matrix.
fn rotation_degrees(a: i32, b: i32) -> u32 {
    let deg = (b as f64).atan2(a as f64).to_degrees();
    (((deg / 90.0).round() as i32).rem_euclid(4) * 90) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_mp4() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tiny.mp4"
        ))
        .unwrap()
    }

    fn first_track(bytes: &[u8]) -> Result<VideoTrack> {
        tracks(&mut std::io::Cursor::new(bytes), bytes.len() as u64).map(|(v, _)| v)
    }

    /// Where the four bytes `name` first occur inside `stsd` (a sample entry's or its
    /// child's type; `ftyp` lists `avc1` as a brand too).
    fn find(bytes: &[u8], name: &[u8; 4]) -> usize {
        let stsd = bytes.windows(4).position(|w| w == b"stsd").unwrap();
        stsd + bytes[stsd..].windows(4).position(|w| w == name).unwrap()
    }

    #[test]
    fn a_video_track_in_a_codec_re_mp4_does_not_parse_is_an_unsupported_codec() {
        // tiny.mp4's sample entry renamed: what an MPEG-4 Part 2 file from an old camera
        // looks like to the parser (handler "vide", sample entry `mp4v`).
        let mut bytes = tiny_mp4();
        let at = find(&bytes, b"avc1");
        bytes[at..at + 4].copy_from_slice(b"mp4v");
        let err = first_track(&bytes).unwrap_err();
        assert_eq!(err.code(), "UNSUPPORTED_CODEC", "{err}");
        assert!(err.to_string().contains("mp4v (MPEG-4 Part 2)"), "{err}");
        assert_eq!(sample_entry_name(*b"xyz\0"), "xyz?");
    }

    #[test]
    fn a_zeroed_avcc_is_corrupt_media() {
        let good = tiny_mp4();
        assert!(first_track(&good).is_ok());
        let at = find(&good, b"avcC") + 4;
        let len = u32::from_be_bytes(good[at - 8..at - 4].try_into().unwrap()) as usize - 8;
        let mut zeroed = good.clone();
        zeroed[at..at + len].fill(0);
        let err = first_track(&zeroed).unwrap_err();
        assert_eq!(err.code(), "CORRUPT_MEDIA", "{err}");
        assert!(err.to_string().contains("avcC"), "{err}");
        assert!(err.to_string().contains("version 0"), "{err}");
        // Version right, the SPS's NAL header zeroed.
        let mut bad_sps = good.clone();
        bad_sps[at + 8] = 0;
        let err = first_track(&bad_sps).unwrap_err();
        assert_eq!(err.code(), "CORRUPT_MEDIA", "{err}");
        assert!(err.to_string().contains("SPS"), "{err}");
    }

    #[test]
    fn rotation_from_matrix() {
        assert_eq!(rotation_degrees(0x10000, 0), 0);
        assert_eq!(rotation_degrees(0, 0x10000), 90);
        assert_eq!(rotation_degrees(-0x10000, 0), 180);
        assert_eq!(rotation_degrees(0, -0x10000), 270);
    }
}
