// Channel exports end to end: showcases rendered by the engine against the simulators, exported for
// every channel through the contract method, and every claim of the report checked here again on the
// written files with this test's own pixel code.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../../../src/main/contract/index.ts';
import { CHANNEL_RULES } from '../../../../src/main/engine/channels/index.ts';
import {
  type ComplianceReport,
  ComplianceReportSchema,
  type MethodInput,
  type MethodOutput,
} from '../../../../src/shared/index.ts';
import { type Sims, startSims } from '../../../fixtures/sims.ts';

/** Real renders, sharp work and subprocesses: generous on a shared, loaded machine. */
const SLOW = 180_000;

let sims: Sims | null = null;
afterEach(async () => {
  await sims?.close();
  sims = null;
});

const PRODUCTS = [
  { id: 'aurora-mug', name: 'Aurora Mug', brand: 'Northwind', category: 'Mugs', materials: ['enamel'] },
  { id: 'trail-flask', name: 'Trail Flask', brand: 'Northwind', category: 'Bottles', colors: ['moss'] },
];

async function rendered(): Promise<Sims> {
  const s = await startSims({
    engine: { overrides: { variations: 1, templateParams: { 'qwen-image': { width: 768, height: 768 } } } },
  });
  const { imported } = s.engine.addProducts(PRODUCTS);
  await s.engine.start(imported.map((p) => p.id));
  await s.engine.whenIdle();
  return s;
}

/** Through the contract's dispatch, as the HTTP API and IPC call it (inputs parsed, `all` expanded). */
function exportChannels(s: Sims, input: MethodInput<'channels.export'>) {
  return dispatch(s.engine.handlers, 'channels.export', input) as Promise<MethodOutput<'channels.export'>>;
}

async function facts(path: string) {
  const meta = await sharp(path).metadata();
  return {
    width: meta.width,
    height: meta.height,
    format: meta.format,
    bytes: (await readFile(path)).byteLength,
  };
}

/** Independent of the engine's measures: the share of the outer 1 % ring at RGB ≥ 250, and the product box. */
async function inspect(path: string) {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const white = (x: number, y: number) => {
    const i = (y * width + x) * 3;
    return (data[i] as number) >= 250 && (data[i + 1] as number) >= 250 && (data[i + 2] as number) >= 250;
  };
  const ring = Math.max(2, Math.round(Math.min(width, height) * 0.01));
  let edge = 0;
  let edgeWhite = 0;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = white(x, y);
      if (x < ring || y < ring || x >= width - ring || y >= height - ring) {
        edge++;
        if (w) edgeWhite++;
      }
      if (!w) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
  }
  return {
    edgeWhite: edgeWhite / edge,
    fill: Math.max((maxX - minX + 1) / width, (maxY - minY + 1) / height),
  };
}

/** The product's latest gallery folder under the output root (showcase/files.ts). */
function folder(s: Sims, productId: string): string {
  return `galleries/${productId}/${s.engine.store.galleries.latestForProduct(productId)?.id ?? ''}`;
}

async function reports(s: Sims): Promise<ComplianceReport[]> {
  return Promise.all(
    PRODUCTS.map(async (p) =>
      ComplianceReportSchema.parse(
        JSON.parse(
          await readFile(
            join(s.outputRoot, folder(s, p.id), 'channels', `product_${p.id}_compliance.json`),
            'utf8',
          ),
        ),
      ),
    ),
  );
}

describe('channel exports', () => {
  it(
    'writes every channel’s variants in its frame and format; Amazon main images stand on pure white at ≥ 85 % fill',
    async () => {
      sims = await rendered();
      const before = sims.comfy.stats.promptsAccepted;
      const result = await exportChannels(sims, { all: true, channels: ['all'] });
      expect(result.skipped).toEqual([]);
      expect(result.galleries).toHaveLength(2);
      // The simulated heroes stand on a studio gradient: each needed one white-background render.
      expect(result.galleries.map((g) => g.whiteBackground?.status)).toEqual(['rendered', 'rendered']);
      expect(sims.comfy.stats.promptsAccepted - before).toBe(2);
      const amazon = result.summary.find((r) => r.channel === 'amazon');
      expect(amazon).toMatchObject({ passed: 2, total: 2 });

      for (const report of await reports(sims)) {
        expect(report.channels.map((c) => c.channel)).toEqual([
          'amazon',
          'shopify',
          'instagram',
          'etsy',
          'mercadolivre',
        ]);
        for (const channel of report.channels) {
          const rule = CHANNEL_RULES[channel.channel];
          // hero, lifestyle and 2 variations — never the thumbnail.
          expect(channel.images.map((i) => i.kind)).toEqual(['hero', 'lifestyle', 'variation_1']);
          for (const image of channel.images) {
            expect(image.filename).toBe(
              `${folder(sims, report.productId)}/channels/${channel.channel}/product_${report.productId}_${image.kind}.jpg`,
            );
            const seen = await facts(join(sims.outputRoot, image.filename));
            // The report states what is on disk.
            expect([seen.width, seen.height, seen.bytes, seen.format]).toEqual([
              image.width,
              image.height,
              image.bytes,
              'jpeg',
            ]);
            const width = seen.width ?? 0;
            const height = seen.height ?? 0;
            expect(width / height).toBeCloseTo(rule.aspect.width / rule.aspect.height, 2);
            expect(seen.bytes).toBeLessThanOrEqual(rule.maxBytes);
            expect(Math.max(width, height)).toBeLessThanOrEqual(
              Math.max(rule.recommended.width, rule.recommended.height),
            );
            if (image.role === 'main' && rule.main.whiteBackground) {
              expect(image.passed, JSON.stringify(image.checks)).toBe(true);
              expect(image.source).toBe(
                `${folder(sims, report.productId)}/channels/renders/product_${report.productId}_hero_white.png`,
              );
              const pixels = await inspect(join(sims.outputRoot, image.filename));
              expect(pixels.edgeWhite, `${image.filename}: ${JSON.stringify(pixels)}`).toBe(1);
              expect(pixels.fill).toBeGreaterThanOrEqual(rule.main.minFill ?? 1);
              const fill = image.checks.find((c) => c.check === 'fill');
              expect(fill?.value).toBeCloseTo(pixels.fill, 2);
            }
          }
        }
        const instagram = report.channels.find((c) => c.channel === 'instagram');
        expect(instagram?.images[0]).toMatchObject({ width: 1080, height: 1350 });
      }

      // The studio's own page shows the badges.
      const html = await readFile(
        join(sims.outputRoot, folder(sims, 'aurora-mug'), 'product_aurora-mug.html'),
        'utf8',
      );
      expect(html).toContain('Channel compliance');
      expect(html).toMatch(/data-channel="amazon" data-state="pass"/);
    },
    SLOW,
  );

  it(
    'reuses the cached white-background render, and fails the main image with its number when none can be made',
    async () => {
      sims = await rendered();
      await exportChannels(sims, { all: true, channels: ['amazon'], render: true });
      const prompts = sims.comfy.stats.promptsAccepted;
      const again = await exportChannels(sims, { all: true, channels: ['amazon'], render: true });
      expect(again.galleries.map((g) => g.whiteBackground?.status)).toEqual(['cached', 'cached']);
      expect(sims.comfy.stats.promptsAccepted).toBe(prompts);

      // A render the server refuses: the report names the server, the product and the cause.
      sims.comfy.faults.failNode(
        'TextEncodeQwenImageEditPlus',
        'RuntimeError',
        'CUDA error: device-side assert',
        1,
      );
      const s = sims;
      const ids = s.engine.store.galleries.list({ limit: 10 }).map((g) => g.id);
      // A new hero (a re-render with a new seed) makes the cached render stale.
      const hero = s.engine.showcase(ids[0] ?? '').assets.find((a) => a.kind === 'hero');
      await s.engine.regenerate(hero?.id ?? '', 'new');
      await s.engine.whenIdle();
      const failed = await exportChannels(s, {
        galleryIds: [ids[0] ?? ''],
        channels: ['amazon', 'mercadolivre'],
        render: true,
      });
      const white = failed.galleries[0]?.whiteBackground;
      expect(white?.status).toBe('failed');
      expect(white?.error).toContain(s.comfy.url);
      expect(white?.error).toContain('aurora-mug');
      expect(white?.error).toContain('CUDA error');
      expect(failed.summary.map((r) => [r.channel, r.passed, r.total])).toEqual([
        ['amazon', 0, 1],
        ['mercadolivre', 0, 1],
      ]);
      const [report] = await reports(s);
      const main = report?.channels[0]?.images[0];
      const background = main?.checks.find((c) => c.check === 'background');
      expect(background?.status).toBe('fail');
      expect(background?.value).toBeLessThan(0.5);
      expect(background?.detail).toContain('no white-background render');

      // Switched off: the hero is exported as it is and fails the same way, without asking ComfyUI.
      const before = s.comfy.stats.promptsAccepted;
      const off = await exportChannels(s, {
        galleryIds: [ids[0] ?? ''],
        channels: ['amazon'],
        render: false,
      });
      expect(off.galleries[0]?.whiteBackground?.status).toBe('skipped');
      // Not padded with white (that would frame a photo as an inset): it fails the edge and the backdrop.
      const offMain = (await reports(s))[0]?.channels[0]?.images[0];
      expect(offMain?.checks.filter((c) => c.status === 'fail').map((c) => c.check)).toEqual([
        'border',
        'background',
      ]);
      expect(off.summary[0]).toMatchObject({ passed: 0, total: 1 });
      expect(s.comfy.stats.promptsAccepted).toBe(before);
    },
    SLOW,
  );
});
