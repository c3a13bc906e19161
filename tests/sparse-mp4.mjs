// A file over 4 GiB without 4 GiB of disk: a small MP4 is rewritten as
// [ftyp…][mdat: a hole of `gapBytes`, then the samples][moov], so every sample lies past
// the hole and the moov sits at the end, past it too (as cameras and ffmpeg write it).
// The chunk offsets then need 64 bits: `stco` becomes `co64`. The hole is a sparse region
// of the file (zeros that take no disk), and an MP4 reader never reads it: the samples
// are reached through the offsets alone. tests/native_demux.rs does the same in Rust.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'mvex']);

/** Top-level (or child) boxes of `buf` between `start` and `end`: `{ type, start, size, header }`. */
function boxes(buf, start = 0, end = buf.length) {
  const out = [];
  for (let pos = start; pos + 8 <= end;) {
    let size = buf.readUInt32BE(pos);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (size === 0) {
      size = end - pos;
    }
    if (size < header || pos + size > end) throw new Error(`bad box at ${pos}`);
    out.push({ type: buf.toString('latin1', pos + 4, pos + 8), start: pos, size, header });
    pos += size;
  }
  return out;
}

function box(type, payload) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
}

/** `moov` with every chunk offset moved by `delta`, as `co64`. */
function shiftOffsets(buf, b, delta) {
  const body = buf.subarray(b.start + b.header, b.start + b.size);
  if (CONTAINERS.has(b.type)) {
    const children = boxes(buf, b.start + b.header, b.start + b.size);
    return box(b.type, Buffer.concat(children.map((c) => shiftOffsets(buf, c, delta))));
  }
  if (b.type !== 'stco' && b.type !== 'co64') return buf.subarray(b.start, b.start + b.size);
  const count = body.readUInt32BE(4);
  const wide = b.type === 'co64';
  const out = Buffer.alloc(8 + count * 8);
  body.copy(out, 0, 0, 8); // version, flags, entry count
  for (let i = 0; i < count; i++) {
    const old = wide ? body.readBigUInt64BE(8 + i * 8) : BigInt(body.readUInt32BE(8 + i * 4));
    out.writeBigUInt64BE(old + BigInt(delta), 8 + i * 8);
  }
  return box('co64', out);
}

/**
 * Write `dst`: `src`'s ftyp, an mdat whose payload starts after `gapBytes` of hole, the
 * original samples, and the moov with 64-bit offsets. Returns `{ size, firstOffset }`.
 */
export function writeSparseMp4(src, dst, gapBytes) {
  const buf = readFileSync(src);
  const top = boxes(buf);
  const mdat = top.find((b) => b.type === 'mdat');
  const moov = top.find((b) => b.type === 'moov');
  if (!mdat || !moov) throw new Error(`${src}: no mdat or moov`);
  const before = Buffer.concat(top.filter((b) => b.type !== 'mdat' && b.type !== 'moov')
    .map((b) => buf.subarray(b.start, b.start + b.size)));
  const payload = buf.subarray(mdat.start + mdat.header, mdat.start + mdat.size);
  const payloadAt = before.length + 16 + gapBytes;
  const delta = payloadAt - (mdat.start + mdat.header);
  const mdatHead = Buffer.alloc(16);
  mdatHead.writeUInt32BE(1);
  mdatHead.write('mdat', 4, 'latin1');
  mdatHead.writeBigUInt64BE(BigInt(16 + gapBytes + payload.length), 8);
  const newMoov = shiftOffsets(buf, moov, delta);
  const fd = openSync(dst, 'w');
  try {
    writeSync(fd, Buffer.concat([before, mdatHead]), 0, before.length + 16, 0);
    writeSync(fd, payload, 0, payload.length, payloadAt); // the gap stays a hole
    writeSync(fd, newMoov, 0, newMoov.length, payloadAt + payload.length);
  } finally {
    closeSync(fd);
  }
  return { size: payloadAt + payload.length + newMoov.length, firstOffset: payloadAt };
}
