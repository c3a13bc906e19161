//! MP4/MOV bytes through the byte-range reader into the demuxer (see demux_common.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "demux_common.rs"]
mod demux_common;

fuzz_target!(|data: &[u8]| {
    demux_common::run(demux_common::Want::Mp4, data);
});
