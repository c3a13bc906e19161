// Full-size copies of decoded frames that may still be picked, so the picks are encoded
// without decoding them a second time (issue 14: with long GOPs a pick deep in its GOP
// costs dozens of frames to reach again). Bounded in bytes: past the bound, the frames
// the analysis no longer keeps go first, then the ones it ranks lowest.

export class FrameHold {
  /**
   * @param {number} maxBytes  most bytes of copies at once (0: hold nothing)
   * @param {() => number[]} standing  timestamps that may still be picked, likeliest first
   */
  constructor(maxBytes, standing) {
    this.maxBytes = maxBytes;
    this.standing = standing;
    this.entries = new Map(); // timestamp → { size, ready: Promise<{buffer, init}|null> }
    this.bytes = 0;
    this.peakBytes = 0;
    this.held = 0;
    this.released = 0;
  }

  /** Copy `frame` (still open; the caller closes it as usual). */
  hold(frame) {
    if (!(this.maxBytes > 0) || !frame.format || this.entries.has(frame.timestamp)) return;
    let size;
    try {
      size = frame.allocationSize();
    } catch {
      return; // a frame without CPU-readable pixels
    }
    if (size > this.maxBytes) return;
    const clone = frame.clone();
    const buffer = new Uint8Array(size);
    const init = {
      format: clone.format, codedWidth: clone.visibleRect.width, codedHeight: clone.visibleRect.height,
      timestamp: clone.timestamp, displayWidth: clone.displayWidth, displayHeight: clone.displayHeight,
      colorSpace: clone.colorSpace?.toJSON?.(),
    };
    const ready = clone.copyTo(buffer)
      .then((layout) => ({ buffer, init: { ...init, layout } }), () => null)
      .finally(() => clone.close());
    this.entries.set(frame.timestamp, { size, ready });
    this.bytes += size;
    this.held++;
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    if (this.bytes > this.maxBytes) this.trim();
  }

  /** Let go of copies until within the bound: frames no longer standing first, then the lowest ranked. */
  trim() {
    const rank = new Map(Array.from(this.standing(), (t, i) => [t, i]));
    const worst = [...this.entries.keys()]
      .sort((a, b) => (rank.get(b) ?? Infinity) - (rank.get(a) ?? Infinity));
    for (const t of worst) {
      if (this.bytes <= this.maxBytes) break;
      this.release(t);
    }
  }

  release(timestamp) {
    if (this.#remove(timestamp)) this.released++;
  }

  /** The entry at `timestamp`, taken out of the hold and its bytes, or undefined. */
  #remove(timestamp) {
    const e = this.entries.get(timestamp);
    if (e) {
      this.entries.delete(timestamp);
      this.bytes -= e.size;
    }
    return e;
  }

  /** A new VideoFrame of the held copy (the caller closes it), or null. The copy leaves the hold. */
  async take(timestamp) {
    const e = this.#remove(timestamp);
    const copy = e && await e.ready;
    if (!copy) return null;
    try {
      return new VideoFrame(copy.buffer, copy.init);
    } catch {
      return null;
    }
  }

  clear() {
    this.entries.clear();
    this.bytes = 0;
  }
}
