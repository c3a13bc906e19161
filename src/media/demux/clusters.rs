//! The frame table of a WebM/Matroska file from its block headers alone.
//!
//! `matroska-demuxer` hands out every frame with its data, so building the table with it
//! reads the whole file: 712 MB for a 10-minute 1080p VP9 clip, 6.6 s of the pick
//! (BENCHMARKS.md). Where each frame sits, how long it is, its time and whether it is a
//! keyframe are all in the first bytes of its block, so this walk reads a few dozen bytes
//! per frame and seeks past the rest.
//!
//! It covers what muxers write for video: clusters of known size holding SimpleBlocks
//! and BlockGroups without lacing. Anything else (a live stream's clusters of unknown
//! size, laced blocks, a broken size) gives `None`, and the caller builds the table the
//! slow way, which also reports damage properly.

use std::io;

use super::Sample;

const SEGMENT: u32 = 0x1853_8067;
const CLUSTER: u32 = 0x1F43_B675;
const TIMESTAMP: u32 = 0xE7;
const SIMPLE_BLOCK: u32 = 0xA3;
const BLOCK_GROUP: u32 = 0xA0;
const BLOCK: u32 = 0xA1;

/// Bytes read for an element header (ID of up to 4 bytes, size of up to 8) and the block
/// header after it (track number, 16-bit timecode, flags).
const PEEK: usize = 24;

/// Reads `len` bytes at an offset (fewer at the end of the file).
pub(super) type ReadAt<'a> = dyn FnMut(u64, usize) -> io::Result<Vec<u8>> + 'a;

/// An EBML variable-length integer at the start of `b`: (value without its length
/// marker, length in bytes); `None` when malformed. `keep_marker` for element IDs.
fn vint(b: &[u8], keep_marker: bool) -> Option<(u64, usize)> {
    let first = *b.first()?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 || b.len() < len {
        return None;
    }
    let mut v = u64::from(if keep_marker {
        first
    } else {
        first & (0xFFu32 >> len) as u8
    });
    for &x in &b[1..len] {
        v = (v << 8) | u64::from(x);
    }
    Some((v, len))
}

/// An element header: (ID, data size or `None` when "unknown", header length).
fn header(b: &[u8]) -> Option<(u32, Option<u64>, usize)> {
    let (id, id_len) = vint(b, true)?;
    if id_len > 4 {
        return None;
    }
    let (size, size_len) = vint(&b[id_len..], false)?;
    let unknown = size == (1u64 << (7 * size_len)) - 1;
    Some((id as u32, (!unknown).then_some(size), id_len + size_len))
}

struct Walk<'a, 'r> {
    read: &'a mut ReadAt<'r>,
    track: u64,
    samples: Vec<Sample>,
}

impl Walk<'_, '_> {
    /// The header of the element at `pos` and where its data starts and ends.
    fn element(&mut self, pos: u64, end: u64) -> Option<(u32, u64, u64, Vec<u8>)> {
        let peek = (self.read)(pos, PEEK.min((end - pos) as usize)).ok()?;
        let (id, size, head) = header(&peek)?;
        let start = pos + head as u64;
        let stop = start.checked_add(size?)?;
        (stop <= end).then_some((id, start, stop, peek[head..].to_vec()))
    }

    /// A (Simple)Block: `rest` holds the first bytes of its data.
    fn block(
        &mut self,
        start: u64,
        stop: u64,
        rest: &[u8],
        cluster_ticks: u64,
        simple: bool,
    ) -> Option<()> {
        let (track, n) = vint(rest, false)?;
        let head = n + 3;
        if rest.len() < head || stop < start + head as u64 {
            return None;
        }
        let flags = rest[n + 2];
        if flags & 0x06 != 0 {
            return None; // laced: several frames in one block
        }
        if track != self.track {
            return Some(());
        }
        let timecode = i16::from_be_bytes([rest[n], rest[n + 1]]);
        let ticks = cluster_ticks as i64 + i64::from(timecode);
        let first = self.samples.is_empty();
        self.samples.push(Sample {
            pts_us: ticks, // ticks for now: converted once the walk is done
            duration_us: 0,
            // A BlockGroup's keyframe flag is implied by references we do not read:
            // like the demuxer crate, only the first frame is then known to be safe.
            keyframe: if simple { flags & 0x80 != 0 } else { first },
            offset: start + head as u64,
            size: u32::try_from(stop - start - head as u64).ok()?,
        });
        Some(())
    }

    fn cluster(&mut self, mut pos: u64, end: u64) -> Option<()> {
        let mut ticks = None;
        while pos < end {
            let (id, start, stop, rest) = self.element(pos, end)?;
            match id {
                TIMESTAMP => {
                    let b = (self.read)(start, (stop - start).min(8) as usize).ok()?;
                    ticks = Some(b.iter().fold(0u64, |v, &x| (v << 8) | u64::from(x)));
                }
                SIMPLE_BLOCK => self.block(start, stop, &rest, ticks?, true)?,
                BLOCK_GROUP => {
                    let mut at = start;
                    while at < stop {
                        let (id, s, e, rest) = self.element(at, stop)?;
                        if id == BLOCK {
                            self.block(s, e, &rest, ticks?, false)?;
                        }
                        at = e;
                    }
                }
                _ => {}
            }
            pos = stop;
        }
        Some(())
    }
}

/// The frames of `track` in file order, times in the file's ticks; `None` when the
/// file holds something this walk does not cover (see the module doc).
pub(super) fn scan(read: &mut ReadAt<'_>, file_len: u64, track: u64) -> Option<Vec<Sample>> {
    let mut walk = Walk {
        read,
        track,
        samples: Vec::new(),
    };
    // The EBML header, then the segment (whose size may be "unknown": up to the end).
    let peek = (walk.read)(0, PEEK.min(file_len as usize)).ok()?;
    let (_, ebml_size, head) = header(&peek)?;
    let segment_at = head as u64 + ebml_size?;
    let peek = (walk.read)(
        segment_at,
        PEEK.min(file_len.saturating_sub(segment_at) as usize),
    )
    .ok()?;
    let (id, segment_size, head) = header(&peek)?;
    if id != SEGMENT {
        return None;
    }
    let mut pos = segment_at + head as u64;
    let end = segment_size.map_or(file_len, |s| (pos + s).min(file_len));
    while pos < end {
        let (id, start, stop, _) = walk.element(pos, end)?;
        if id == CLUSTER {
            walk.cluster(start, stop)?;
        }
        pos = stop;
    }
    (!walk.samples.is_empty()).then_some(walk.samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vints_and_headers() {
        assert_eq!(vint(&[0x81], false), Some((1, 1)));
        assert_eq!(vint(&[0x40, 0x02], false), Some((2, 2)));
        assert_eq!(
            vint(&[0x1A, 0x45, 0xDF, 0xA3], true),
            Some((0x1A45_DFA3, 4))
        );
        assert_eq!(vint(&[0x00], false), None);
        // A cluster of unknown size, as live streams write it.
        assert_eq!(
            header(&[0x1F, 0x43, 0xB6, 0x75, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            Some((CLUSTER, None, 12))
        );
        assert_eq!(header(&[0xA3, 0x85]), Some((SIMPLE_BLOCK, Some(5), 2)));
    }
}
