// The pixel measures behind every background and fill verdict, on real encoded images.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isWhiteBackground, measure } from '../../../../src/main/engine/channels/index.ts';

/** A W×H image of `backdrop` with a solid `product` rectangle (and optional extra SVG). */
async function scene(options: {
  width?: number;
  height?: number;
  backdrop: string;
  product?: { x: number; y: number; w: number; h: number; fill: string };
  extra?: string;
  format?: 'png' | 'jpeg';
}): Promise<Buffer> {
  const { width = 400, height = 400 } = options;
  const p = options.product;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="${width}" height="${height}" fill="${options.backdrop}"/>
    ${options.extra ?? ''}
    ${p ? `<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" fill="${p.fill}"/>` : ''}
  </svg>`;
  const image = sharp(Buffer.from(svg));
  return options.format === 'jpeg' ? image.jpeg({ quality: 92 }).toBuffer() : image.png().toBuffer();
}

describe('pixel measures', () => {
  it('finds a product on pure white: white border and backdrop, its box and fill', async () => {
    const img = await scene({
      backdrop: '#ffffff',
      product: { x: 100, y: 40, w: 200, h: 320, fill: '#3355aa' },
    });
    const stats = await measure(img, 5);
    expect(stats.borderWhite).toBe(1);
    expect(stats.backgroundWhite).toBe(1);
    expect(stats.box).toEqual({ left: 100, top: 40, width: 200, height: 320 });
    // The longer share counts: 320 of 400 px tall.
    expect(stats.fill).toBeCloseTo(0.8, 5);
    expect(isWhiteBackground(stats)).toBe(true);
  });

  it('fails an off-white or light grey backdrop, with the number', async () => {
    const grey = await measure(
      await scene({
        backdrop: 'rgb(240,240,240)',
        product: { x: 100, y: 100, w: 200, h: 200, fill: '#222' },
      }),
      5,
    );
    expect(grey.borderWhite).toBe(0);
    expect(grey.borderMean).toEqual([240, 240, 240]);
    expect(grey.backgroundWhite).toBe(0);
    expect(isWhiteBackground(grey)).toBe(false);
    const cream = await measure(await scene({ backdrop: 'rgb(252,250,244)' }), 5);
    expect(isWhiteBackground(cream)).toBe(false);
  });

  it('counts a soft shadow on the white backdrop against it', async () => {
    const shadow =
      '<defs><radialGradient id="s"><stop offset="0" stop-color="#c8c8c8"/><stop offset="1" stop-color="#ffffff"/></radialGradient></defs>' +
      '<ellipse cx="200" cy="330" rx="190" ry="60" fill="url(#s)"/>';
    const stats = await measure(
      await scene({
        backdrop: '#fff',
        extra: shadow,
        product: { x: 150, y: 120, w: 100, h: 200, fill: '#803020' },
      }),
      5,
    );
    expect(stats.borderWhite).toBeGreaterThan(0.9);
    expect(stats.backgroundWhite).toBeLessThan(0.99);
    expect(isWhiteBackground(stats)).toBe(false);
  });

  it('does not mistake a pale, hard-edged product on white for backdrop', async () => {
    const stats = await measure(
      await scene({ backdrop: '#fff', product: { x: 60, y: 60, w: 280, h: 280, fill: 'rgb(228,222,236)' } }),
      5,
    );
    expect(isWhiteBackground(stats)).toBe(true);
    expect(stats.fill).toBeCloseTo(0.7, 5);
  });

  it('fails a gradient studio backdrop at the border', async () => {
    const gradient =
      '<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#dfeee0"/><stop offset="1" stop-color="#6a8a70"/></linearGradient></defs><rect width="400" height="400" fill="url(#g)"/>';
    const stats = await measure(await scene({ backdrop: '#fff', extra: gradient }), 5);
    expect(stats.borderWhite).toBe(0);
    expect(isWhiteBackground(stats)).toBe(false);
  });

  it('survives JPEG: white stays white and the edge ringing does not count as backdrop', async () => {
    const stats = await measure(
      await scene({
        backdrop: '#fff',
        format: 'jpeg',
        product: { x: 50, y: 50, w: 300, h: 300, fill: '#6a3fa0' },
      }),
      5,
    );
    expect(stats.borderWhite).toBe(1);
    expect(isWhiteBackground(stats)).toBe(true);
    expect(stats.fill).toBeGreaterThan(0.74);
  });
});
