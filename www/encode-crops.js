// Crop images of a pick: each asked crop (candidate.crops[i].asked) cut from the same
// full-size picture the pick's own image is drawn from, and encoded like it. The crop
// rectangles come from the Rust core (src/choosing/crops/) in the upright picture's pixels.

/** `'16:9'` → `[16, 9]`. */
function ratioTerms(label) {
  const [w, h] = label.split(':').map(Number);
  return [w, h];
}

/**
 * Size a crop's image is encoded at: the crop's own size (full resolution), or, with
 * `maxWidth`, the largest whole multiple of its ratio at most that wide (never less than
 * the ratio's smallest whole-pixel size), so the image keeps the exact ratio.
 * @param {{ratio: string, width: number, height: number}} crop
 * @param {number} [maxWidth]
 */
export function cropImageSize(crop, maxWidth) {
  if (!(maxWidth > 0) || crop.width <= maxWidth) return { width: crop.width, height: crop.height };
  const [rw, rh] = ratioTerms(crop.ratio);
  const k = Math.max(1, Math.floor(maxWidth / rw));
  return { width: k * rw, height: k * rh };
}

/**
 * Draw and encode the asked crops of one pick. Drawing happens before this returns (so
 * the caller may close its VideoFrame right after); the encoding finishes later.
 * @param {(ctx: OffscreenCanvasRenderingContext2D, width: number, height: number) => void} drawPicture
 *   draws the whole upright picture into `width × height` (rotation applied)
 * @param {{width: number, height: number}} view the upright picture's size
 * @param {Array<{ratio: string, x: number, y: number, width: number, height: number, asked?: boolean}>} crops
 * @param {{type: string, quality: number, maxWidth?: number}} options
 * @returns {Promise<Map<string, Blob>>} the image of each asked crop, by ratio (none for
 *   a crop the frame is too small for)
 */
export function cropBlobs(drawPicture, view, crops, { type, quality, maxWidth }) {
  const pending = [];
  for (const crop of crops) {
    if (!crop.asked || !(crop.width > 0 && crop.height > 0)) continue;
    const { width, height } = cropImageSize(crop, maxWidth);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    // Scale and shift so the crop's rectangle of the whole picture fills the canvas.
    const s = width / crop.width;
    ctx.setTransform(s, 0, 0, height / crop.height, -crop.x * s, (-crop.y * height) / crop.height);
    drawPicture(ctx, view.width, view.height);
    pending.push(canvas.convertToBlob({ type, quality }).then((blob) => [crop.ratio, blob]));
  }
  return Promise.all(pending).then((entries) => new Map(entries));
}

/** The candidate's crops with `blob` set on those that have an image. */
export function withCropBlobs(crops, blobs) {
  if (!crops || !blobs?.size) return crops;
  return crops.map((c) => (blobs.has(c.ratio) ? { ...c, blob: blobs.get(c.ratio) } : c));
}
