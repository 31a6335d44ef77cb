// The deterministic product renderer behind the simulator's images (src/sim/render.ts).
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderPreviewJpeg, renderProductImage } from '../../src/sim/render.ts';

const meanDiff = async (a: Buffer, b: Buffer) => {
  const [ra, rb] = await Promise.all([sharp(a).raw().toBuffer(), sharp(b).raw().toBuffer()]);
  let sum = 0;
  for (let i = 0; i < ra.length; i++) sum += Math.abs((ra[i] ?? 0) - (rb[i] ?? 0));
  return sum / ra.length;
};

describe('renderProductImage', () => {
  it('is a pure function of its inputs and produces an RGB PNG of the requested size', async () => {
    const req = { seed: 424242, prompt: 'studio product photo of a ceramic mug', width: 1328, height: 1328 };
    const a = await renderProductImage(req);
    const b = await renderProductImage({ ...req });
    expect(a.equals(b)).toBe(true);
    const meta = await sharp(a).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 1328, 1328, 3]);
  });

  it('renders prompts that carry control characters or markup (a hostile product name)', async () => {
    const prompt = 'mug \u001b]0;owned\u0007 <b>&"\u0000\ud800 \u202e';
    const png = await renderProductImage({ seed: 7, prompt, width: 64, height: 64 });
    expect((await sharp(png).metadata()).format).toBe('png');
  });

  it('another seed or prompt gives a visibly different image', async () => {
    const base = { seed: 1, prompt: 'leather wallet', width: 256, height: 256 };
    const a = await renderProductImage(base);
    const bySeed = await renderProductImage({ ...base, seed: 2 });
    const byPrompt = await renderProductImage({ ...base, prompt: 'steel water bottle' });
    expect(await meanDiff(a, bySeed)).toBeGreaterThan(5);
    expect(await meanDiff(a, byPrompt)).toBeGreaterThan(5);
  });

  it('handles seeds up to 2^53 and odd sizes, and blends a source by denoise', async () => {
    const big = await renderProductImage({
      seed: Number.MAX_SAFE_INTEGER,
      prompt: '',
      width: 33,
      height: 17,
    });
    expect((await sharp(big).metadata()).width).toBe(33);
    const source = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#00ff00' } })
      .png()
      .toBuffer();
    const req = { seed: 3, prompt: 'x', width: 64, height: 64, source };
    const faint = await renderProductImage({ ...req, denoise: 0.1 });
    const strong = await renderProductImage({ ...req, denoise: 0.9 });
    const green = async (png: Buffer) => (await sharp(png).stats()).channels[1]?.mean ?? 0;
    expect(await green(faint)).toBeGreaterThan(await green(strong));
    expect((await renderProductImage({ ...req, denoise: 0.1 })).equals(faint)).toBe(true);
  });

  it('previews are JPEGs that sharpen towards the final image', async () => {
    const final = await renderProductImage({ seed: 9, prompt: 'candle', width: 96, height: 96 });
    const early = await renderPreviewJpeg(final, 0.1);
    const late = await renderPreviewJpeg(final, 1);
    expect((await sharp(early).metadata()).format).toBe('jpeg');
    const finalJpeg = await sharp(final).jpeg({ quality: 95 }).toBuffer();
    expect(await meanDiff(late, finalJpeg)).toBeLessThan(await meanDiff(early, finalJpeg));
  });
});
