//! `RangeSource` over a `Blob`/`File`: synchronous `FileReaderSync` reads of
//! `blob.slice(a, b)`, which only exist in Workers. The file is never read whole.

use std::io;

use js_sys::Uint8Array;
use web_sys::{Blob, FileReaderSync};

use crate::error::FramepickError;
use crate::media::source::RangeSource;

pub struct BlobSource {
    blob: Blob,
    reader: FileReaderSync,
    len: u64,
}

impl BlobSource {
    pub fn new(blob: Blob) -> Result<Self, FramepickError> {
        let reader = FileReaderSync::new().map_err(|_| FramepickError::Io {
            detail: "FileReaderSync is unavailable: framepick must run in a Worker".into(),
        })?;
        let len = blob.size() as u64;
        Ok(Self { blob, reader, len })
    }
}

impl RangeSource for BlobSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let end = (offset + buf.len() as u64).min(self.len);
        if offset >= end {
            return Ok(0);
        }
        let slice = self
            .blob
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(js_io)?;
        let array = self.reader.read_as_array_buffer(&slice).map_err(js_io)?;
        let bytes = Uint8Array::new(&array);
        let n = bytes.length() as usize;
        bytes.copy_to(&mut buf[..n]);
        Ok(n)
    }
}

fn js_io(e: wasm_bindgen::JsValue) -> io::Error {
    // A File changed or removed on disk after it was chosen ends up here.
    io::Error::other(format!("reading the file failed: {e:?}"))
}
