//! Byte-range access to a file that is never loaded whole.
//!
//! The browser side reads `Blob.slice` ranges (FileReaderSync in the Worker); native
//! code and tests read a `File`. The demuxer sees a plain `Read + Seek`.

use std::io::{self, Read, Seek, SeekFrom};

/// Something that can hand out bytes at an offset: a Blob, a file, a slice.
pub trait RangeSource {
    fn len(&self) -> u64;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fill `buf` from `offset`; returns how many bytes were available (short at EOF).
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;
}

impl RangeSource for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let start = (offset as usize).min(<[u8]>::len(self));
        let n = buf.len().min(<[u8]>::len(self) - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

impl RangeSource for std::fs::File {
    fn len(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.seek(SeekFrom::Start(offset))?;
        read_up_to(self, buf)
    }
}

/// Fill `buf` from `reader` until it is full or the reader ends; returns how much was read.
pub fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// `Read + Seek` over a [`RangeSource`] with one cached block.
///
/// Container parsers do many tiny reads (box headers) and seeks (skipping `mdat`);
/// a single block keeps that to a handful of range requests while the memory held
/// stays at one block, whatever the file size.
pub struct CachedReader<S> {
    source: S,
    pos: u64,
    block_start: u64,
    block: Vec<u8>,
    block_size: usize,
    /// Range requests made so far, and the bytes they fetched (tests and the report
    /// use them to show the file is streamed, not read whole).
    pub reads: u64,
    pub bytes_read: u64,
}

impl<S: RangeSource> CachedReader<S> {
    pub const DEFAULT_BLOCK: usize = 256 * 1024;

    pub fn new(source: S) -> Self {
        Self::with_block_size(source, Self::DEFAULT_BLOCK)
    }

    pub fn with_block_size(source: S, block_size: usize) -> Self {
        Self {
            source,
            pos: 0,
            block_start: 0,
            block: Vec::new(),
            block_size: block_size.max(16),
            reads: 0,
            bytes_read: 0,
        }
    }

    pub fn len(&self) -> u64 {
        self.source.len()
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    /// Read exactly `len` bytes at `offset`, bypassing the block cache (sample data).
    pub fn read_range(&mut self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        // Sample sizes and offsets come from the file: check them against its length
        // before allocating (a damaged table can claim 4 GiB, or wrap below 0).
        let available = self.source.len().saturating_sub(offset);
        if len as u64 > available {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "wanted {len} bytes at offset {offset}, the file has only {available} there"
                ),
            ));
        }
        let mut out = vec![0; len];
        self.reads += 1;
        let n = self.source.read_at(offset, &mut out)?;
        self.bytes_read += n as u64;
        if n < len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("wanted {len} bytes at offset {offset}, the file has only {n} there"),
            ));
        }
        Ok(out)
    }

    fn in_block(&self, pos: u64) -> bool {
        pos >= self.block_start && pos < self.block_start + self.block.len() as u64
    }
}

impl<S: RangeSource> Read for CachedReader<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || self.pos >= self.source.len() {
            return Ok(0);
        }
        if !self.in_block(self.pos) {
            let want = self
                .block_size
                .max(buf.len())
                .min((self.source.len() - self.pos) as usize);
            self.block.resize(want, 0);
            self.reads += 1;
            let n = self.source.read_at(self.pos, &mut self.block)?;
            self.bytes_read += n as u64;
            self.block.truncate(n);
            self.block_start = self.pos;
            if n == 0 {
                return Ok(0);
            }
        }
        let at = (self.pos - self.block_start) as usize;
        let n = buf.len().min(self.block.len() - at);
        buf[..n].copy_from_slice(&self.block[at..at + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl<S: RangeSource> Seek for CachedReader<S> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let len = self.source.len() as i128;
        let target = match to {
            SeekFrom::Start(p) => p as i128,
            SeekFrom::End(d) => len + d as i128,
            SeekFrom::Current(d) => self.pos as i128 + d as i128,
        };
        if target < 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the file",
            ));
        }
        self.pos = target as u64;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_blocks_match_the_source() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut r = CachedReader::with_block_size(data.as_slice(), 64);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        r.seek(SeekFrom::Start(9_990)).unwrap();
        let mut tail = [0u8; 32];
        let n = r.read(&mut tail).unwrap();
        assert_eq!(&tail[..n], &data[9_990..]);
    }

    #[test]
    fn small_reads_inside_a_block_make_one_request() {
        let data = vec![1u8; 4096];
        let mut r = CachedReader::with_block_size(data.as_slice(), 1024);
        let mut b = [0u8; 8];
        for _ in 0..100 {
            r.read_exact(&mut b).unwrap();
        }
        assert_eq!(r.reads, 1);
    }

    #[test]
    fn read_range_past_the_end_is_unexpected_eof() {
        let data = vec![0u8; 100];
        let mut r = CachedReader::new(data.as_slice());
        let err = r.read_range(90, 20).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }
}
