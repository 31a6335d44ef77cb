// Measurements on decoded pixels (sharp raw RGB): how white the border and the background are, and
// where the product is. Everything the compliance report says about backgrounds and fill comes from
// here, run on the bytes actually written.
import sharp from 'sharp';

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface PixelStats {
  width: number;
  height: number;
  /** Share (0…1) of the outer ring's pixels that are white within the tolerance. */
  borderWhite: number;
  /** The ring's average colour, for messages ("rgb(214, 188, 160)"). */
  borderMean: [number, number, number];
  /**
   * Share of the background that is white within the tolerance. The background is every light, neutral
   * pixel (all channels ≥ 200, spread ≤ 30) reachable from the border through such pixels, each at
   * most 6 levels per channel from the one before: an off-white or grey backdrop,
   * a drop shadow on it, a faint gradient all count against it. 0 when nothing light touches the border.
   */
  backgroundWhite: number;
  backgroundPixels: number;
  /** The bounding box of pixels that are not white within the tolerance; null for an all-white image. */
  box: Box | null;
  /** How much of the frame the product spans: the larger of box width / width and box height / height. */
  fill: number;
}

/** Pixels at least this light on every channel, and this neutral, may be backdrop (see `backgroundWhite`). */
const LIGHT = 200;
const NEUTRAL = 30;
/** The most a backdrop changes from one pixel to the next (per channel). */
const STEP = 6;
/** Pixels this close to the product are its edge (anti-aliasing, JPEG ringing), not backdrop. */
const EDGE = 3;
/** Rows/columns with fewer non-white pixels than this are JPEG specks, not product. */
const SPECK = 2;

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
}

/** Decodes to 8-bit sRGB without alpha; transparency is flattened onto white (how channels show it). */
export async function decodeRgb(input: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(input)
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export function measurePixels(image: RawImage, tolerance: number): PixelStats {
  const { data, width, height } = image;
  const floor = 255 - tolerance;
  const n = width * height;
  const isWhite = (p: number): boolean => {
    const i = p * 3;
    return (
      (data[i] as number) >= floor && (data[i + 1] as number) >= floor && (data[i + 2] as number) >= floor
    );
  };
  // Backdrops are light and neutral (white, grey, cream); a saturated highlight on the product is not.
  const isLight = (p: number): boolean => {
    const i = p * 3;
    const r = data[i] as number;
    const g = data[i + 1] as number;
    const b = data[i + 2] as number;
    return r >= LIGHT && g >= LIGHT && b >= LIGHT && Math.max(r, g, b) - Math.min(r, g, b) <= NEUTRAL;
  };

  // The ring: 1 % of the shorter side, at least 2 px (what a marketplace page shows against its own white).
  const ring = Math.max(2, Math.round(Math.min(width, height) * 0.01));
  let ringCount = 0;
  let ringWhite = 0;
  const sum = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    const inBand = y < ring || y >= height - ring;
    for (let x = 0; x < width; x++) {
      if (!inBand && x >= ring && x < width - ring) {
        x = width - ring - 1; // skip the interior of this row
        continue;
      }
      const p = y * width + x;
      ringCount++;
      if (isWhite(p)) ringWhite++;
      sum[0] = (sum[0] as number) + (data[p * 3] as number);
      sum[1] = (sum[1] as number) + (data[p * 3 + 1] as number);
      sum[2] = (sum[2] as number) + (data[p * 3 + 2] as number);
    }
  }

  // Flood fill from every light border pixel (4-connected) over light pixels that continue smoothly
  // from their neighbour: a backdrop, a gradient or a soft shadow changes a few levels per pixel, the
  // edge of a product jumps. So a pale product standing on white is not mistaken for off-white backdrop.
  const seen = new Uint8Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  const smooth = (from: number, to: number): boolean => {
    const a = from * 3;
    const b = to * 3;
    return (
      Math.abs((data[a] as number) - (data[b] as number)) <= STEP &&
      Math.abs((data[a + 1] as number) - (data[b + 1] as number)) <= STEP &&
      Math.abs((data[a + 2] as number) - (data[b + 2] as number)) <= STEP
    );
  };
  const seed = (p: number): void => {
    if (seen[p] === 0 && isLight(p)) {
      seen[p] = 1;
      queue[tail++] = p;
    }
  };
  const grow = (from: number, p: number): void => {
    if (seen[p] === 0 && isLight(p) && smooth(from, p)) {
      seen[p] = 1;
      queue[tail++] = p;
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  while (head < tail) {
    const p = queue[head++] as number;
    const x = p % width;
    if (x > 0) grow(p, p - 1);
    if (x < width - 1) grow(p, p + 1);
    if (p >= width) grow(p, p - width);
    if (p < n - width) grow(p, p + width);
  }
  // The purity is read away from the product's edge: the few pixels next to it are anti-aliasing and
  // JPEG ringing whatever the backdrop is (a border of the frame is no product edge).
  const core = erode(seen, width, height, EDGE);
  let background = 0;
  let backgroundWhite = 0;
  for (let p = 0; p < n; p++) {
    if (core[p] === 1) {
      background++;
      if (isWhite(p)) backgroundWhite++;
    }
  }

  // Product box from row/column counts of non-white pixels.
  const rows = new Uint32Array(height);
  const cols = new Uint32Array(width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!isWhite(y * width + x)) {
        rows[y] = (rows[y] as number) + 1;
        cols[x] = (cols[x] as number) + 1;
      }
    }
  }
  const first = (a: Uint32Array) => a.findIndex((c) => c >= SPECK);
  const last = (a: Uint32Array) => a.findLastIndex((c) => c >= SPECK);
  const top = first(rows);
  const left = first(cols);
  const box =
    top < 0 || left < 0 ? null : { left, top, width: last(cols) - left + 1, height: last(rows) - top + 1 };
  return {
    width,
    height,
    borderWhite: ringCount === 0 ? 0 : ringWhite / ringCount,
    borderMean: sum.map((s) => Math.round(s / Math.max(1, ringCount))) as [number, number, number],
    backgroundWhite: background === 0 ? 0 : backgroundWhite / background,
    backgroundPixels: background,
    box,
    fill: box === null ? 0 : Math.max(box.width / width, box.height / height),
  };
}

/**
 * Pixels of `mask` (1 = member) whose whole (2r+1)² neighbourhood inside the image is in the mask;
 * outside the image counts as member, so the frame's own edge does not erode anything.
 */
function erode(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    const base = y * width;
    let holes = 0; // non-members in the sliding window
    for (let x = -r; x < width; x++) {
      const enter = x + r;
      if (enter < width && mask[base + enter] === 0) holes++;
      const leave = x - r - 1;
      if (leave >= 0 && mask[base + leave] === 0) holes--;
      if (x >= 0) rows[base + x] = holes === 0 && mask[base + x] === 1 ? 1 : 0;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < width; x++) {
    let holes = 0;
    for (let y = -r; y < height; y++) {
      const enter = y + r;
      if (enter < height && rows[enter * width + x] === 0) holes++;
      const leave = y - r - 1;
      if (leave >= 0 && rows[leave * width + x] === 0) holes--;
      if (y >= 0) out[y * width + x] = holes === 0 ? 1 : 0;
    }
  }
  return out;
}

export async function measure(input: Buffer, tolerance: number): Promise<PixelStats> {
  return measurePixels(await decodeRgb(input), tolerance);
}

/** Border and background both pure white: what a white-background role needs. */
export const BORDER_MIN = 0.995;
export const BACKGROUND_MIN = 0.99;

export function isWhiteBackground(stats: PixelStats): boolean {
  return stats.borderWhite >= BORDER_MIN && stats.backgroundWhite >= BACKGROUND_MIN;
}

export function percent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits).replace(/\.0+$/, '')} %`;
}

export function rgb(c: readonly [number, number, number]): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}
