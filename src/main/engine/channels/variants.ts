// The variant maker: one rendered image → the channel's frame, with sharp. White-background roles are
// trimmed to the product and padded with white to the channel's target fill; photo roles fill the frame
// and lose the overflow around the most salient region. The frame is the channel's recommended size
// when the source has the pixels for it, never smaller than the channel's minimum (an upscale, noted),
// and the encoder steps its quality down until the file fits the channel's byte limit.
import sharp, { type Sharp } from 'sharp';
import {
  type Box,
  decodeRgb,
  isWhiteBackground,
  measurePixels,
  type PixelStats,
  type RawImage,
} from './pixels.ts';
import type { ChannelRule, RoleRule } from './rules.ts';

export interface MadeVariant {
  data: Buffer;
  width: number;
  height: number;
  /** What was done, in order, for the report ("trimmed to the product (612×840)", …). */
  steps: string[];
  /** > 1 when the frame needed more pixels than the source had. */
  upscale: number;
  quality: number;
  /** The product box found in the source (white-background roles only). */
  sourceBox: Box | null;
}

/** Smallest frame of the channel's aspect whose size rule the image meets. */
function minimumFrame(rule: ChannelRule): { width: number; height: number } {
  const a = rule.aspect.width / rule.aspect.height;
  const { px, side } = rule.min;
  if (side === 'width') return { width: px, height: Math.round(px / a) };
  if (side === 'each')
    return a >= 1 ? { width: Math.round(px * a), height: px } : { width: px, height: Math.round(px / a) };
  return a >= 1 ? { width: px, height: Math.round(px / a) } : { width: Math.round(px * a), height: px };
}

/**
 * The output size for a frame that holds `natural` pixels of content: the recommended size when the
 * content has at least that many pixels, the content's own size between minimum and recommended,
 * the minimum below that.
 */
export function outputSize(
  rule: ChannelRule,
  natural: { width: number; height: number },
): { width: number; height: number; scale: number } {
  const a = rule.aspect.width / rule.aspect.height;
  const min = minimumFrame(rule);
  const rec = rule.recommended;
  if (rule.fixedFrame) return { width: rec.width, height: rec.height, scale: rec.width / natural.width };
  const width = Math.min(rec.width, Math.max(min.width, natural.width));
  const height = Math.round(width / a);
  return { width, height, scale: width / natural.width };
}

/** A decoded source image (sRGB, no alpha), decoded once and cut into every channel's variant. */
export interface SourceImage {
  raw: RawImage;
  /** Pixel measures by white tolerance, computed on first use. */
  stats(tolerance: number): PixelStats;
}

export async function loadSource(data: Buffer): Promise<SourceImage> {
  const raw = await decodeRgb(data);
  const cache = new Map<number, PixelStats>();
  return {
    raw,
    stats(tolerance) {
      let stats = cache.get(tolerance);
      if (!stats) {
        stats = measurePixels(raw, tolerance);
        cache.set(tolerance, stats);
      }
      return stats;
    },
  };
}

export interface MakeVariantOptions {
  source: SourceImage;
  rule: ChannelRule;
  role: RoleRule;
  /** Crop around the centre (the hero) rather than the most salient region (scenes). */
  centred?: boolean;
}

const rawInput = (r: RawImage) => ({ raw: { width: r.width, height: r.height, channels: 3 as const } });

export async function makeVariant(options: MakeVariantOptions): Promise<MadeVariant> {
  const { source, rule, role } = options;
  const a = rule.aspect.width / rule.aspect.height;
  const steps: string[] = [];
  const { raw } = source;
  const sw = raw.width;
  const sh = raw.height;
  // Padding with white only extends a white backdrop. A photo on any other backdrop framed in white
  // would be an inset image, so it is cropped to the frame like a photo and fails the checks honestly.
  const stats = role.fit === 'pad' ? source.stats(rule.whiteTolerance) : null;
  const pad = stats !== null && isWhiteBackground(stats);
  if (stats !== null && !pad) steps.push('not padded: the image does not stand on white');

  let pipeline: Sharp;
  let size: { width: number; height: number; scale: number };
  const sourceBox = pad ? (stats?.box ?? null) : null;
  if (pad) {
    const box = sourceBox ?? { left: 0, top: 0, width: sw, height: sh };
    const fill = role.targetFill ?? 0.9;
    // The frame around the product: its longer relative side spans `fill` of the frame.
    const frameHeight = Math.ceil(Math.max(box.height / fill, box.width / (fill * a)));
    const frameWidth = Math.round(frameHeight * a);
    size = outputSize(rule, { width: frameWidth, height: frameHeight });
    // One pass: cut the product out, scale it, and lay white around it to the output frame.
    const productWidth = Math.max(1, Math.round(box.width * size.scale));
    const productHeight = Math.max(1, Math.round(box.height * size.scale));
    const left = Math.floor((size.width - productWidth) / 2);
    const top = Math.floor((size.height - productHeight) / 2);
    pipeline = sharp(raw.data, rawInput(raw))
      .extract(box)
      .resize(productWidth, productHeight, { fit: 'fill', kernel: 'lanczos3' })
      .extend({
        left,
        right: size.width - productWidth - left,
        top,
        bottom: size.height - productHeight - top,
        background: '#ffffff',
      });
    if (box.width !== sw || box.height !== sh)
      steps.push(`trimmed to the product (${box.width}×${box.height})`);
    steps.push(`padded with white to ${Math.round(fill * 100)} % fill`);
  } else {
    // The largest frame of the channel's aspect inside the source.
    const natural =
      sw / sh > a ? { width: Math.round(sh * a), height: sh } : { width: sw, height: Math.round(sw / a) };
    if (Math.abs(sw / sh - a) / a > rule.aspectTolerance) {
      steps.push(
        `cropped ${sw}×${sh} to ${rule.aspect.width}:${rule.aspect.height} around ${options.centred ? 'the centre' : 'the subject'}`,
      );
    }
    size = outputSize(rule, natural);
    pipeline = sharp(raw.data, rawInput(raw)).resize(size.width, size.height, {
      fit: 'cover',
      // A product shot is composed around its centre; a scene is cropped around what draws the eye.
      position: options.centred ? 'centre' : sharp.strategy.attention,
      kernel: 'lanczos3',
    });
  }
  const pixels = await pipeline.raw().toBuffer();
  if (size.scale > 1.001) steps.push(`upscaled ×${size.scale.toFixed(2)} to ${size.width}×${size.height}`);
  else if (size.width !== sw || size.height !== sh) steps.push(`resized to ${size.width}×${size.height}`);

  const out: RawImage = { data: pixels, width: size.width, height: size.height };
  let quality = rule.quality;
  // 4:4:4 where a product meets pure white (no chroma fringe on the edge the checks read); photos take
  // the usual 4:2:0, several times faster to encode and smaller.
  const chroma = pad ? '4:4:4' : '4:2:0';
  // On white, JPEG's ringing around the product reaches the margin at the usual qualities (a pixel at
  // 248 in the frame's edge); at 96 it stays within a level or two of white. Those files are small.
  if (pad) quality = Math.max(quality, 96);
  const startQuality = quality;
  let data = await encode(out, rule, quality, chroma);
  while (data.byteLength > rule.maxBytes && quality > 50) {
    quality -= 8;
    data = await encode(out, rule, quality, chroma);
  }
  if (quality !== startQuality) steps.push(`re-encoded at quality ${quality} to stay under the size limit`);
  return { data, width: size.width, height: size.height, steps, upscale: size.scale, quality, sourceBox };
}

async function encode(
  image: RawImage,
  rule: ChannelRule,
  quality: number,
  chromaSubsampling: '4:4:4' | '4:2:0',
): Promise<Buffer> {
  // Tagged sRGB at 72 dpi (what marketplaces assume), no other metadata.
  const s = sharp(image.data, rawInput(image)).withMetadata({ density: 72 });
  if (rule.output === 'png') return s.png({ compressionLevel: 9 }).toBuffer();
  return s.jpeg({ quality, chromaSubsampling, mozjpeg: false }).toBuffer();
}
