// Deterministic stand-in "diffusion" output: a studio backdrop whose hues come from the prompt, a
// product silhouette whose shape, place and colour come from the seed, and the prompt's first words.
// Same inputs → identical PNG bytes (sharp writes no timestamps); another seed → a visibly different
// image. img2img blends the source photo under the rendered layer by `denoise`.
import { createHash } from 'node:crypto';
import sharp from 'sharp';

export interface RenderRequest {
  seed: number;
  prompt: string;
  width: number;
  height: number;
  /** Encoded source image (PNG/JPEG/WebP) for img2img; it is resized to cover width×height. */
  source?: Buffer;
  /** 0…1: how much of the rendered layer covers the source (1 = source invisible). Default 1. */
  denoise?: number;
}

/** A small deterministic PRNG (mulberry32) seeded from both halves of a ≤ 2^64 seed. */
function prng(seed: number): () => number {
  const lo = (seed % 2 ** 32) >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  let state = (lo ^ Math.imul(hi, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Prompt words become SVG text. XML 1.0 forbids most control characters even as references, and
 * librsvg refuses the whole document over one (a product name with an ESC in it failed the render):
 * those are dropped, markup characters become references.
 */
function escapeXml(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000;
    if (!allowed) continue;
    out += ch === '<' || ch === '>' || ch === '&' || ch === '"' || ch === "'" ? `&#${code};` : ch;
  }
  return out;
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

/** The SVG layer for one image; exported for tests and previews. */
export function productSvg(req: Omit<RenderRequest, 'source'>, opacity = 1): string {
  const { width: w, height: h } = req;
  const digest = createHash('sha256').update(req.prompt, 'utf8').digest();
  const hueA = ((digest[0] ?? 0) * 360) / 256;
  const hueB = (hueA + 40 + ((digest[1] ?? 0) % 140)) % 360;
  const angle = ((digest[2] ?? 0) % 4) * 0.25;
  const rnd = prng(req.seed);
  const kind = Math.floor(rnd() * 4);
  const m = Math.min(w, h);
  const size = m * (0.28 + rnd() * 0.2);
  const cx = w * (0.3 + rnd() * 0.4);
  const floorY = h * (0.68 + rnd() * 0.1);
  const hue = Math.floor(rnd() * 360);
  const sat = 55 + Math.floor(rnd() * 30);
  const light = 38 + Math.floor(rnd() * 25);
  const colour = `hsl(${hue},${sat}%,${light}%)`;
  const highlight = `hsl(${hue},${sat}%,${Math.min(90, light + 30)}%)`;
  const words = req.prompt.trim().split(/\s+/).filter(Boolean).slice(0, 6).join(' ');
  const fontSize = Math.max(9, Math.round(m / 30));

  let product: string;
  if (kind === 0) {
    // bottle: tall body plus a cap
    const bw = size * 0.45;
    const bh = size * 1.1;
    product =
      `<rect x="${fmt(cx - bw / 2)}" y="${fmt(floorY - bh)}" width="${fmt(bw)}" height="${fmt(bh)}" rx="${fmt(bw * 0.25)}" fill="url(#p)"/>` +
      `<rect x="${fmt(cx - bw * 0.18)}" y="${fmt(floorY - bh - size * 0.18)}" width="${fmt(bw * 0.36)}" height="${fmt(size * 0.22)}" rx="${fmt(bw * 0.06)}" fill="#222"/>`;
  } else if (kind === 1) {
    // box
    const bw = size;
    const bh = size * 0.8;
    product = `<rect x="${fmt(cx - bw / 2)}" y="${fmt(floorY - bh)}" width="${fmt(bw)}" height="${fmt(bh)}" rx="${fmt(bw * 0.08)}" fill="url(#p)"/>`;
  } else if (kind === 2) {
    // sphere
    const r = size * 0.5;
    product = `<circle cx="${fmt(cx)}" cy="${fmt(floorY - r)}" r="${fmt(r)}" fill="url(#p)"/>`;
  } else {
    // can: body and lid
    const bw = size * 0.6;
    const bh = size * 0.9;
    product =
      `<rect x="${fmt(cx - bw / 2)}" y="${fmt(floorY - bh)}" width="${fmt(bw)}" height="${fmt(bh)}" fill="url(#p)"/>` +
      `<ellipse cx="${fmt(cx)}" cy="${fmt(floorY - bh)}" rx="${fmt(bw / 2)}" ry="${fmt(bw * 0.14)}" fill="${highlight}"/>`;
  }

  // A packshot prompt ("… on a seamless pure white background", the white-background template) gets
  // what a well-behaved edit model returns: the same product (same seed → same shape and colour) alone
  // on RGB 255 — no floor, no label, and none of the reference photo's backdrop showing through.
  if (/pure white background/i.test(req.prompt)) {
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
      `<defs><linearGradient id="p" x1="0" y1="0" x2="1" y2="0.3"><stop offset="0" stop-color="${highlight}"/><stop offset="0.6" stop-color="${colour}"/><stop offset="1" stop-color="#111"/></linearGradient></defs>` +
      `<rect width="${w}" height="${h}" fill="#ffffff"/>${product}</svg>`
    );
  }

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    '<defs>' +
    `<linearGradient id="bg" x1="0" y1="0" x2="${angle}" y2="1">` +
    `<stop offset="0" stop-color="hsl(${fmt(hueA)},45%,82%)"/><stop offset="1" stop-color="hsl(${fmt(hueB)},40%,36%)"/>` +
    '</linearGradient>' +
    `<linearGradient id="p" x1="0" y1="0" x2="1" y2="0.3"><stop offset="0" stop-color="${highlight}"/><stop offset="0.6" stop-color="${colour}"/><stop offset="1" stop-color="#111"/></linearGradient>` +
    '</defs>' +
    `<g opacity="${Math.max(0, Math.min(1, opacity)).toFixed(3)}">` +
    `<rect width="${w}" height="${h}" fill="url(#bg)"/>` +
    `<rect y="${fmt(floorY)}" width="${w}" height="${fmt(h - floorY)}" fill="hsl(${fmt(hueB)},25%,22%)" opacity="0.35"/>` +
    `<ellipse cx="${fmt(cx)}" cy="${fmt(floorY)}" rx="${fmt(size * 0.55)}" ry="${fmt(size * 0.07)}" fill="#000" opacity="0.35"/>` +
    product +
    `<text x="${fmt(fontSize)}" y="${fmt(h - fontSize)}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${fontSize}" fill="#fff" opacity="0.85">${escapeXml(words)}</text>` +
    `<text x="${fmt(w - fontSize)}" y="${fmt(fontSize * 1.6)}" text-anchor="end" font-family="DejaVu Sans Mono, monospace" font-size="${Math.max(8, Math.round(fontSize * 0.7))}" fill="#fff" opacity="0.6">seed ${req.seed}</text>` +
    '</g></svg>'
  );
}

/** PNG bytes (RGB, 8-bit) of exactly width×height pixels, a pure function of the request. */
export async function renderProductImage(req: RenderRequest): Promise<Buffer> {
  const width = Math.max(1, Math.round(req.width));
  const height = Math.max(1, Math.round(req.height));
  const denoise = req.denoise ?? 1;
  if (req.source === undefined) {
    const svg = productSvg({ ...req, width, height });
    return sharp(Buffer.from(svg)).removeAlpha().png({ compressionLevel: 4 }).toBuffer();
  }
  const base = await sharp(req.source).resize(width, height, { fit: 'cover' }).removeAlpha().png().toBuffer();
  const overlay = Buffer.from(productSvg({ ...req, width, height }, denoise));
  return sharp(base)
    .composite([{ input: overlay, top: 0, left: 0 }])
    .removeAlpha()
    .png({ compressionLevel: 4 })
    .toBuffer();
}

/**
 * A latent-style sampler preview: the final image, blurred and washed towards grey early in the
 * run and sharpening as `fraction` (step / steps) reaches 1. JPEG like the server's previews.
 */
export async function renderPreviewJpeg(finalImage: Buffer, fraction: number): Promise<Buffer> {
  const f = Math.max(0, Math.min(1, fraction));
  return sharp(finalImage)
    .blur(Math.max(0.3, (1 - f) * 6))
    .linear(0.35 + 0.65 * f, (1 - (0.35 + 0.65 * f)) * 128)
    .jpeg({ quality: 95 })
    .toBuffer();
}
