// The variant maker: one rendered image → the channel's frame, with sharp. White-background roles are
// trimmed to the product and padded with white to the channel's target fill; photo roles fill the frame
// and lose the overflow around the most salient region. The frame is the channel's recommended size
// when the source has the pixels for it, never smaller than the channel's minimum (an upscale, noted),
// and the encoder steps its quality down until the file fits the channel's byte limit.
import sharp, { type Sharp } from 'sharp';
import { type Box, measure } from './pixels.ts';
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
  const width = Math.min(rec.width, Math.max(min.width, natural.width));
  const height = Math.round(width / a);
  return { width, height, scale: width / natural.width };
}

export interface MakeVariantOptions {
  source: Buffer;
  rule: ChannelRule;
  role: RoleRule;
}

export async function makeVariant(options: MakeVariantOptions): Promise<MadeVariant> {
  const { source, rule, role } = options;
  const a = rule.aspect.width / rule.aspect.height;
  const steps: string[] = [];
  let pipeline: Sharp;
  let natural: { width: number; height: number };
  let sourceBox: Box | null = null;
  const meta = await sharp(source).metadata();
  const sw = meta.width ?? 1;
  const sh = meta.height ?? 1;

  if (role.fit === 'pad') {
    const stats = await measure(source, rule.whiteTolerance);
    sourceBox = stats.box;
    const box = stats.box ?? { left: 0, top: 0, width: sw, height: sh };
    const fill = role.targetFill ?? 0.9;
    // The frame around the product: its longer relative side spans `fill` of the frame.
    const frameHeight = Math.ceil(Math.max(box.height / fill, box.width / (fill * a)));
    const frameWidth = Math.round(frameHeight * a);
    const padX = frameWidth - box.width;
    const padY = frameHeight - box.height;
    const trimmed = await sharp(source)
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .extract(box)
      .extend({
        left: Math.floor(padX / 2),
        right: Math.ceil(padX / 2),
        top: Math.floor(padY / 2),
        bottom: Math.ceil(padY / 2),
        background: '#ffffff',
      })
      .png()
      .toBuffer();
    if (box.width !== sw || box.height !== sh)
      steps.push(`trimmed to the product (${box.width}×${box.height})`);
    steps.push(`padded with white to ${Math.round(fill * 100)} % fill`);
    natural = { width: frameWidth, height: frameHeight };
    pipeline = sharp(trimmed);
  } else {
    // The largest frame of the channel's aspect inside the source.
    natural =
      sw / sh > a ? { width: Math.round(sh * a), height: sh } : { width: sw, height: Math.round(sw / a) };
    if (Math.abs(sw / sh - a) / a > rule.aspectTolerance) {
      steps.push(`cropped ${sw}×${sh} to ${rule.aspect.width}:${rule.aspect.height} around the subject`);
    }
    pipeline = sharp(source).flatten({ background: '#ffffff' }).removeAlpha();
  }

  const size = outputSize(rule, natural);
  const resized = await pipeline
    .resize(size.width, size.height, {
      fit: role.fit === 'pad' ? 'fill' : 'cover',
      position: role.fit === 'pad' ? 'centre' : sharp.strategy.attention,
      kernel: 'lanczos3',
    })
    .toColourspace('srgb')
    .png()
    .toBuffer();
  if (size.scale > 1.001) steps.push(`upscaled ×${size.scale.toFixed(2)} to ${size.width}×${size.height}`);
  else if (size.width !== sw || size.height !== sh) steps.push(`resized to ${size.width}×${size.height}`);

  let quality = rule.quality;
  let data = await encode(resized, rule, quality);
  while (data.byteLength > rule.maxBytes && quality > 50) {
    quality -= 8;
    data = await encode(resized, rule, quality);
  }
  if (quality !== rule.quality) steps.push(`re-encoded at quality ${quality} to stay under the size limit`);
  return { data, width: size.width, height: size.height, steps, upscale: size.scale, quality, sourceBox };
}

async function encode(image: Buffer, rule: ChannelRule, quality: number): Promise<Buffer> {
  const s = sharp(image).withMetadata({ density: 72 });
  if (rule.output === 'png') return s.png({ compressionLevel: 9 }).toBuffer();
  // 4:4:4: no chroma fringes on the edge between a product and its white background.
  return s.jpeg({ quality, chromaSubsampling: '4:4:4', mozjpeg: false }).toBuffer();
}
