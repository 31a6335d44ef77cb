// The style-transfer (`edit`) family end to end: each product's reference photo (a file next to the
// sheet, or a URL) is uploaded once and restyled by Qwen-Image-Edit into the hero and the lifestyle
// shot; variations and the thumbnail then follow the hero as in every family.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { ShowcaseError } from '../../../src/shared/index.ts';
import { type Sims, startSims } from '../../fixtures/sims.ts';

let sims: Sims | null = null;
let photoServer: Server | null = null;
afterEach(async () => {
  await sims?.close();
  sims = null;
  await new Promise<void>((resolve) => (photoServer ? photoServer.close(() => resolve()) : resolve()));
  photoServer = null;
});

const SMALL = {
  'qwen-image': { width: 512, height: 384, megapixels: 0.25 },
  edit: { steps: 8, megapixels: 0.25 },
};

type Graph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** Every graph the simulator ran, by the SaveImage filename prefix. */
async function graphsByPrefix(url: string): Promise<Map<string, Graph>> {
  const res = await fetch(`${url}/history?max_items=1000`);
  const history = (await res.json()) as Record<string, { prompt: [number, string, Graph] }>;
  const out = new Map<string, Graph>();
  for (const entry of Object.values(history)) {
    const graph = entry.prompt[2];
    const prefix = Object.values(graph).find((n) => n.class_type === 'SaveImage')?.inputs.filename_prefix;
    // Per asset slot: the job-and-attempt suffix (…_1a2b3c4d-1) makes each render's graph unique.
    if (typeof prefix === 'string') out.set(prefix.replace(/_[0-9a-f]{8}-\d+$/, ''), graph);
  }
  return out;
}

function nodeOf(graph: Graph | undefined, classType: string) {
  return Object.values(graph ?? {}).find((n) => n.class_type === classType);
}

/** Serves `bytes` at /photo.png behind one redirect (shop CDNs redirect), counting requests. */
async function servePhoto(bytes: Buffer): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  photoServer = createServer((req, res) => {
    hits += 1;
    if (req.url === '/old/photo.png') {
      res.writeHead(302, { location: '/photo.png' }).end();
      return;
    }
    if (req.url === '/photo.png') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': bytes.length }).end(bytes);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => photoServer?.listen(0, '127.0.0.1', resolve));
  const { port } = photoServer.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/old/photo.png`, hits: () => hits };
}

describe('Style transfer (edit family)', () => {
  it('restyles each reference photo (a file next to the sheet, a URL) into hero and lifestyle', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL } } });
    const { engine, comfy, dir } = sims;
    // A JPEG next to the sheet (relative path) and a PNG behind an http redirect.
    const sheetDir = join(dir, 'catalog');
    await mkdir(join(sheetDir, 'photos'), { recursive: true });
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#a0522d' } })
      .jpeg()
      .toBuffer();
    await writeFile(join(sheetDir, 'photos', 'lamp.jpg'), jpeg);
    const png = await sharp({ create: { width: 300, height: 500, channels: 3, background: '#2e8b57' } })
      .png()
      .toBuffer();
    const served = await servePhoto(png);
    const sheet = [
      'id,name,materials,reference_image',
      'walnut-lamp,Walnut Desk Lamp,walnut,photos/lamp.jpg',
      `linen-tote,Linen Tote,linen,${served.url}`,
    ].join('\n');
    const { imported, errors } = engine.importSheet(sheet, 'catalog.csv', 'csv', sheetDir);
    expect(errors).toEqual([]);
    expect(imported.find((p) => p.id === 'walnut-lamp')?.referenceImage).toBe(
      join(sheetDir, 'photos', 'lamp.jpg'),
    );

    const galleryIds = await engine.start(
      imported.map((p) => p.id),
      { family: 'edit' },
    );
    await engine.whenIdle();

    const graphs = await graphsByPrefix(comfy.url);
    for (const [galleryId, productId, size] of [
      [galleryIds[0], 'walnut-lamp', [640, 480]],
      [galleryIds[1], 'linen-tote', [300, 500]],
    ] as const) {
      const { gallery, assets } = engine.showcase(galleryId ?? '');
      expect(gallery.status, gallery.error ?? '').toBe('complete');
      expect(gallery.family).toBe('edit');
      expect(Object.fromEntries(assets.map((a) => [`${a.kind}${a.idx}`, a.templateId]))).toEqual({
        hero0: 'edit.restyle',
        lifestyle0: 'edit.restyle',
        variation1: 'qwen-image.variation',
        variation2: 'qwen-image.variation',
        variation3: 'qwen-image.variation',
        variation4: 'qwen-image.variation',
        thumbnail0: 'sharp.resize',
      });

      // Hero and lifestyle ran the Qwen-Image-Edit graph on the uploaded reference, with an edit
      // instruction; both read the same upload, whose bytes are the photo as an upright PNG.
      const hero = graphs.get(`showcase/${productId}_hero_0`);
      const lifestyle = graphs.get(`showcase/${productId}_lifestyle_0`);
      expect(nodeOf(hero, 'UNETLoader')?.inputs.unet_name).toBe(
        'qwen_image_edit_2509_fp8_e4m3fn.safetensors',
      );
      const reference = nodeOf(hero, 'LoadImage')?.inputs.image;
      expect(reference).toMatch(new RegExp(`^showcase/reference_${productId}_[0-9a-f]{12}\\.png$`));
      expect(nodeOf(lifestyle, 'LoadImage')?.inputs.image).toBe(reference);
      const instruction = String(nodeOf(hero, 'TextEncodeQwenImageEditPlus')?.inputs.prompt);
      expect(instruction).toMatch(/^Restage the product in this photo as: /);
      expect(instruction).toContain('Keep the product itself exactly as photographed');
      const uploaded = await readFile(join(comfy.dirs.input, String(reference)));
      expect(await sharp(uploaded).metadata()).toMatchObject({
        format: 'png',
        width: size[0],
        height: size[1],
      });

      // Variations are img2img from the rendered hero, with the Qwen-Image model.
      const variation = graphs.get(`showcase/${productId}_variation_1`);
      expect(nodeOf(variation, 'UNETLoader')?.inputs.unet_name).toBe('qwen_image_fp8_e4m3fn.safetensors');
      // The hero upload is named after its content, so no other run's hero can stand in for it.
      const hero256 = assets.find((a) => a.kind === 'hero')?.sha256 ?? '';
      expect(nodeOf(variation, 'LoadImage')?.inputs.image).toBe(
        `showcase/product_${productId}_hero_${hero256.slice(0, 12)}.png`,
      );
    }

    // One upload per reference photo and one per hero, however many jobs read them.
    const uploads = comfy.transcript.filter(
      (e) => e.channel === 'http' && e.kind === 'request' && e.path?.endsWith('/upload/image'),
    );
    expect(uploads).toHaveLength(4);
    expect(comfy.stats.promptsAccepted).toBe(12);
    // The URL was fetched by hero and lifestyle (each through the redirect).
    expect(served.hits()).toBe(4);
    const usage = engine.store.modelUsage.list().filter((u) => u.phase === 'image');
    expect(usage.filter((u) => u.model === 'qwen_image_edit_2509_fp8_e4m3fn.safetensors')).toHaveLength(4);
  });

  it('refuses products without a reference photo, naming them, before anything is journaled', async () => {
    sims = await startSims();
    const { engine } = sims;
    const { imported } = engine.addProducts([
      { id: 'has-photo', name: 'Has Photo', referenceImage: '/photos/a.png' },
      { id: 'no-photo', name: 'No Photo' },
    ]);
    const err = await engine
      .start(
        imported.map((p) => p.id),
        { family: 'edit' },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShowcaseError);
    expect((err as ShowcaseError).code).toBe('invalid_input');
    expect((err as ShowcaseError).message).toContain('no-photo');
    expect((err as ShowcaseError).message).not.toContain('has-photo');
    expect((err as ShowcaseError).hint).toContain('reference_image');
    expect(engine.store.galleries.latestForProduct('has-photo')).toBeNull();
    expect(sims.comfy.stats.promptsAccepted).toBe(0);
  });

  it('fails the showcase with the product and the file named when the reference is not an image', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL } } });
    const { engine, dir, comfy } = sims;
    const notAnImage = join(dir, 'notes.png');
    await writeFile(notAnImage, 'these are notes, not a photo');
    const { imported } = engine.addProducts([
      { id: 'odd-vase', name: 'Odd Vase', referenceImage: notAnImage },
    ]);
    const [galleryId] = await engine.start(
      imported.map((p) => p.id),
      { family: 'edit' },
    );
    await engine.whenIdle();
    const { gallery, assets } = engine.showcase(galleryId ?? '');
    expect(gallery.status).toBe('failed');
    const hero = assets.find((a) => a.kind === 'hero');
    expect(hero?.error).toContain(
      `Product odd-vase: reference image ${notAnImage} is not a PNG, JPEG or WebP image`,
    );
    expect(comfy.stats.promptsAccepted).toBe(0);
    // Bad input is not retried: one attempt each for hero and lifestyle.
    const jobs = engine.store.jobs.listByGallery(galleryId ?? '');
    expect(jobs.find((j) => j.kind === 'hero')?.attempts).toBe(1);
  });
});
