import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { galleryAssetFile } from '../../../../src/main/engine/showcase/files.ts';
import {
  composeCatalogIndex,
  composeGallery,
  readGalleryDocument,
  writeFileAtomic,
} from '../../../../src/main/engine/showcase/gallery.ts';
import {
  CatalogIndexSchema,
  GalleryDocumentSchema,
} from '../../../../src/main/engine/showcase/gallery-document.ts';
import { serializeJsonLd } from '../../../../src/main/engine/showcase/page-parts.ts';
import type { Asset, AssetKind, AssetStatus, Showcase } from '../../../../src/shared/index.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';

const EVIL = `<script>alert("x")</script> "Quotes" & 'ticks'`;
const EVIL_ESCAPED =
  '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;Quotes&quot; &amp; &#39;ticks&#39;';
const NOW = '2025-01-02T03:04:05.000Z';

interface SlotSpec {
  kind: AssetKind;
  idx: number;
  status?: AssetStatus;
  /** Write no file even though the status says done. */
  noFile?: boolean;
  size?: [number, number];
}

const SEVEN: SlotSpec[] = [
  { kind: 'hero', idx: 0, size: [64, 48] },
  { kind: 'lifestyle', idx: 0, size: [80, 45] },
  { kind: 'variation', idx: 1 },
  { kind: 'variation', idx: 2 },
  { kind: 'variation', idx: 3 },
  { kind: 'variation', idx: 4 },
  { kind: 'thumbnail', idx: 0, size: [24, 24] },
];

async function writePng(path: string, width: number, height: number, seed: number): Promise<void> {
  const png = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: 120 },
    },
  })
    .png()
    .toBuffer();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, png);
}

/** The gallery folder of a test product's gallery (`g-<id>`), as showcase/files.ts lays it out. */
const G = (id = 'mug-1') => `galleries/${id}/g-${id}`;

async function makeShowcase(
  root: string,
  opts: { id?: string; name?: string; slots?: SlotSpec[]; brand?: string; tagline?: string } = {},
): Promise<Showcase> {
  const id = opts.id ?? 'mug-1';
  const galleryId = `g-${id}`;
  const slots = opts.slots ?? SEVEN;
  const assets: Asset[] = [];
  let n = 0;
  for (const slot of slots) {
    n++;
    const filename = galleryAssetFile(id, galleryId, slot.kind, slot.idx);
    const status = slot.status ?? 'done';
    const [w, h] = slot.size ?? [32, 32];
    if (status === 'done' && !slot.noFile) await writePng(join(root, filename), w, h, n);
    assets.push({
      id: `${galleryId}:${slot.kind}:${slot.idx}`,
      galleryId,
      kind: slot.kind,
      idx: slot.idx,
      filename,
      sha256: null,
      width: null,
      height: null,
      seed: 1000 + n,
      seedLocked: true,
      prompt: `a ${slot.kind} photo of ${opts.name ?? 'a mug'}`,
      templateId: `qwen-image.${slot.kind}`,
      params: { cfg: 2.5, steps: 20, width: w, height: h },
      localPath: null,
      remoteUrl: null,
      status,
      approved: false,
      attempts: 1,
      error: status === 'failed' ? 'CUDA out of memory' : null,
      updatedAt: NOW,
    });
  }
  const name = opts.name ?? 'Stoneware Mug';
  return {
    product: {
      id,
      handle: id,
      name,
      description: `The ${name} description.`,
      category: 'Kitchen',
      brand: opts.brand ?? 'Acme',
      materials: ['Stoneware', 'Glaze'],
      colors: ['Sand', 'Forest'],
      price: { amount: 24.5, currency: 'EUR' },
      referenceImage: '/home/operator/private/ref.png',
      tags: [],
      attributes: { sku: `SKU-${id}` },
      sourceSheet: '/home/operator/sheet.csv',
      updatedAt: NOW,
    },
    gallery: {
      id: galleryId,
      productId: id,
      status: 'complete',
      copy: {
        title: `${name} title`,
        tagline: opts.tagline ?? 'Morning coffee, done right',
        bullets: ['Holds 350 ml', `Made for ${name}`, 'Dishwasher safe'],
        description: `First paragraph about ${name}.\n\nSecond paragraph.`,
        prompts: { hero: 'hero', lifestyle: 'life', variations: ['a', 'b'], negative: 'blurry' },
        language: 'en',
        source: 'llm',
        model: 'llama3.2',
      },
      promptPrefix: 'studio light, ',
      presetId: 'warm',
      baseSeed: 424242,
      seedLocked: true,
      family: 'qwen-image',
      htmlPath: null,
      jsonPath: null,
      publishedUrl: null,
      approved: false,
      error: null,
      createdAt: NOW,
      updatedAt: NOW,
    },
    assets,
  };
}

function jsonLdBlocks(html: string): unknown[] {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) =>
    JSON.parse(m[1] ?? ''),
  );
}

function imgTags(html: string): Array<Record<string, string>> {
  return [...html.matchAll(/<img\s([^>]*)>/g)].map((m) => {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) attrs[a[1] ?? ''] = a[2] ?? '';
    return attrs;
  });
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gallery-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('composeGallery', () => {
  it('writes a schema-valid document with the real hash, size and dimensions of each PNG', async () => {
    const showcase = await makeShowcase(root);
    const heroAsset = showcase.assets[0];
    const result = await composeGallery({
      showcase,
      outputRoot: root,
      timings: { assets: { [heroAsset?.id ?? '']: 1500, product_mug_1_lifestyle: 3 }, totalMs: 9000 },
      now: () => new Date(NOW),
    });
    expect(result.jsonPath).toBe(join(root, G(), 'product_mug-1.json'));
    expect(result.htmlPath).toBe(join(root, G(), 'product_mug-1.html'));

    const onDisk = JSON.parse(await readFile(result.jsonPath, 'utf8'));
    const doc = GalleryDocumentSchema.parse(onDisk);
    expect(doc).toEqual(result.document);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.generatedAt).toBe(NOW);
    expect(doc.status).toEqual({ state: 'complete', failed: [] });
    expect(doc.assets.map((a) => a.filename)).toEqual([
      `${G()}/product_mug-1_hero.png`,
      `${G()}/product_mug-1_lifestyle.png`,
      `${G()}/product_mug-1_variation_1.png`,
      `${G()}/product_mug-1_variation_2.png`,
      `${G()}/product_mug-1_variation_3.png`,
      `${G()}/product_mug-1_variation_4.png`,
      `${G()}/product_mug-1_thumbnail.png`,
    ]);
    for (const asset of doc.assets) {
      const bytes = await readFile(join(root, asset.filename));
      expect(asset.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(asset.bytes).toBe((await stat(join(root, asset.filename))).size);
    }
    const hero = doc.assets[0];
    expect([hero?.width, hero?.height]).toEqual([64, 48]);
    expect([doc.assets[1]?.width, doc.assets[1]?.height]).toEqual([80, 45]);
    expect(hero?.negative).toBe('blurry');
    expect(doc.assets[6]?.negative).toBeUndefined();
    expect(doc.timings).toEqual({ assets: { [`${G()}/product_mug-1_hero.png`]: 1500 }, totalMs: 9000 });
    expect(doc.seeds).toEqual({ base: 424242, locked: true });
    expect(doc.prompt).toEqual({ prefix: 'studio light, ', presetId: 'warm' });
    expect(doc.copy?.title).toBe('Stoneware Mug title');
    expect(doc.app.name).toBe('Product Showcase Studio');
    // Operator-local paths never reach the published document.
    expect(JSON.stringify(doc)).not.toContain('/home/operator');

    expect(await readGalleryDocument(result.jsonPath)).toEqual(doc);
  });

  it('HTML-escapes every product string and keeps JSON-LD parseable and closed', async () => {
    const showcase = await makeShowcase(root, { name: EVIL, brand: EVIL, tagline: EVIL });
    const { htmlPath, document } = await composeGallery({ showcase, outputRoot: root });
    const html = await readFile(htmlPath, 'utf8');

    expect(html).not.toContain('alert("x")');
    expect(html).not.toContain('<!--');
    // Outside the JSON-LD (where JSON escaping applies) not one quote of the name survives raw.
    const outsideLd = html.replace(/<script type="application\/ld\+json">[\s\S]*?<\/script>/, '');
    expect(outsideLd).not.toContain("'ticks'");
    expect(outsideLd).not.toContain('"Quotes"');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain(`<h1>${EVIL_ESCAPED} title</h1>`);
    expect(html).toContain(`<p class="tagline">${EVIL_ESCAPED}</p>`);
    expect(html).toContain(`<li>Made for ${EVIL_ESCAPED}</li>`);
    expect(html).toContain(`alt="${EVIL_ESCAPED} title"`);

    const [ld] = jsonLdBlocks(html) as Array<Record<string, unknown>>;
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'Product',
      name: EVIL,
      sku: 'SKU-mug-1',
      brand: { '@type': 'Brand', name: EVIL },
      offers: { '@type': 'Offer', price: 24.5, priceCurrency: 'EUR' },
    });
    expect(ld?.image).toEqual(
      document.assets.filter((a) => a.kind !== 'thumbnail').map((a) => basename(a.filename)),
    );
    expect(serializeJsonLd({ s: '</script><!--' })).not.toMatch(/<\/script|<!--/);
    expect(JSON.parse(serializeJsonLd({ s: '</script><!-- & \u2028' }))).toEqual({
      s: '</script><!-- & \u2028',
    });
  });

  it('references exactly the asset files, with dimensions, lazy below the fold', async () => {
    const showcase = await makeShowcase(root);
    const { htmlPath, document } = await composeGallery({ showcase, outputRoot: root });
    const html = await readFile(htmlPath, 'utf8');
    const imgs = imgTags(html);
    const shown = document.assets.filter((a) => a.kind !== 'thumbnail');
    // The page sits beside its images in the gallery's folder.
    expect(imgs.map((i) => i.src)).toEqual(shown.map((a) => basename(a.filename)));
    for (const [i, img] of imgs.entries()) {
      const asset = shown[i];
      expect(img.width).toBe(String(asset?.width));
      expect(img.height).toBe(String(asset?.height));
      expect(img.alt?.length).toBeGreaterThan(0);
      if (asset?.kind === 'hero') expect(img.loading).toBeUndefined();
      else expect(img.loading).toBe('lazy');
    }
    expect(html).toContain('prefers-color-scheme: dark');
    expect(html).not.toMatch(/https?:\/\/(?!schema\.org|www\.w3\.org)/);
    expect(html).not.toContain('class="placeholder"');
    expect(html).toContain('<summary>Details</summary>');
    expect(html).toContain('424242');
  });

  it('renders placeholders for failed and missing images and reports a partial gallery', async () => {
    const slots = SEVEN.map((s) =>
      s.kind === 'variation' && s.idx === 2
        ? { ...s, status: 'failed' as const }
        : s.kind === 'lifestyle'
          ? { ...s, noFile: true }
          : s,
    );
    const showcase = await makeShowcase(root, { slots });
    const { htmlPath, document } = await composeGallery({ showcase, outputRoot: root });
    expect(document.status.state).toBe('partial');
    expect(document.status.failed).toEqual([
      {
        kind: 'lifestyle',
        idx: 0,
        filename: `${G()}/product_mug-1_lifestyle.png`,
        status: 'failed',
        error: 'image file is missing',
      },
      {
        kind: 'variation',
        idx: 2,
        filename: `${G()}/product_mug-1_variation_2.png`,
        status: 'failed',
        error: 'CUDA out of memory',
      },
    ]);
    const lifestyle = document.assets.find((a) => a.kind === 'lifestyle');
    expect(lifestyle?.sha256).toBeNull();

    const html = await readFile(htmlPath, 'utf8');
    expect(html.match(/class="placeholder"/g)).toHaveLength(2);
    expect(html).not.toContain('src="product_mug-1_lifestyle.png"');
    expect(html).not.toContain('src="product_mug-1_variation_2.png"');
    expect(html).toContain('src="product_mug-1_variation_3.png"');
    // The placeholder keeps the template's aspect ratio so the layout does not jump.
    expect(html).toContain('style="aspect-ratio: 80 / 45"');
  });

  it('reports a failed gallery when no image exists and still renders a page from the facts', async () => {
    const slots = SEVEN.map((s) => ({ ...s, status: 'failed' as const }));
    const showcase = await makeShowcase(root, { slots });
    showcase.gallery.copy = null;
    const { htmlPath, document } = await composeGallery({ showcase, outputRoot: root });
    expect(document.status.state).toBe('failed');
    expect(document.status.failed).toHaveLength(7);
    const html = await readFile(htmlPath, 'utf8');
    expect(html).toContain('<h1>Stoneware Mug</h1>');
    expect(html).not.toContain('<img');
    expect(jsonLdBlocks(html)[0]).not.toHaveProperty('image');
  });

  it('treats a file that is not an image as failed', async () => {
    const showcase = await makeShowcase(root);
    await writeFile(join(root, G(), 'product_mug-1_variation_4.png'), 'not a png');
    const { document } = await composeGallery({ showcase, outputRoot: root });
    expect(document.status.state).toBe('partial');
    expect(document.status.failed.map((f) => f.filename)).toEqual([`${G()}/product_mug-1_variation_4.png`]);
  });

  it('switches every image and JSON-LD URL with urlFor, leaving the document on file names', async () => {
    const showcase = await makeShowcase(root);
    showcase.gallery.publishedUrl = 'https://cdn.example.com/shop/product_mug-1.html';
    const urlFor = (f: string) => `https://cdn.example.com/shop/${f}`;
    const { htmlPath, document } = await composeGallery({ showcase, outputRoot: root, urlFor });
    const html = await readFile(htmlPath, 'utf8');
    const srcs = imgTags(html).map((i) => i.src);
    expect(srcs).toHaveLength(6);
    for (const src of srcs)
      expect(String(src).startsWith(`https://cdn.example.com/shop/${G()}/product_mug-1_`)).toBe(true);
    const ld = jsonLdBlocks(html)[0] as { image: string[]; url: string; offers: { url: string } };
    expect(ld.image[0]).toBe(`https://cdn.example.com/shop/${G()}/product_mug-1_hero.png`);
    expect(ld.url).toBe(showcase.gallery.publishedUrl);
    expect(html).toContain(
      `<meta property="og:image" content="https://cdn.example.com/shop/${G()}/product_mug-1_hero.png">`,
    );
    expect(html).toContain('<link rel="canonical" href="https://cdn.example.com/shop/product_mug-1.html">');
    expect(document.assets[0]?.filename).toBe(`${G()}/product_mug-1_hero.png`);
    expect(JSON.stringify(document)).not.toContain('cdn.example.com/shop/product_mug-1_');
  });

  it('refuses an asset file name that leaves the output root', async () => {
    const showcase = await makeShowcase(root);
    const hero = showcase.assets[0];
    if (hero) hero.filename = '../escape.png';
    await expect(composeGallery({ showcase, outputRoot: root })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('leaves only the final files behind (no temp files)', async () => {
    const showcase = await makeShowcase(root);
    await composeGallery({ showcase, outputRoot: root });
    await composeGallery({ showcase, outputRoot: root });
    expect(await readdir(root)).toEqual(['galleries']);
    const files = (await readdir(join(root, G()))).sort();
    expect(files.filter((f) => !f.endsWith('.png'))).toEqual(['product_mug-1.html', 'product_mug-1.json']);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the target in one step', async () => {
    const target = join(root, 'page.html');
    await writeFile(target, 'old');
    await writeFileAtomic(target, 'new');
    expect(await readFile(target, 'utf8')).toBe('new');
    expect(await readdir(root)).toEqual(['page.html']);
  });

  it('removes its temp file and raises storage_error when the rename fails', async () => {
    const target = join(root, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'keep'), 'x');
    const err = await writeFileAtomic(target, 'content').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShowcaseError);
    expect((err as ShowcaseError).code).toBe('storage_error');
    expect(await readdir(root)).toEqual(['occupied']);
  });
});

describe('composeCatalogIndex', () => {
  it('links every product page, lists them in index.json and as a JSON-LD ItemList', async () => {
    const documents = [];
    for (const [id, name] of [
      ['mug-1', 'Stoneware Mug'],
      ['lamp', EVIL],
      ['chair', 'Oak Chair'],
    ] as const) {
      const slots =
        id === 'chair'
          ? SEVEN.map((s) => (s.kind === 'thumbnail' ? { ...s, status: 'failed' as const } : s))
          : SEVEN;
      const showcase = await makeShowcase(root, { id, name, slots });
      documents.push(
        (await composeGallery({ showcase, outputRoot: root, catalogHref: 'index.html' })).document,
      );
    }
    const { htmlPath, jsonPath, index } = await composeCatalogIndex({
      outputRoot: root,
      documents,
      title: 'Spring',
    });
    expect(htmlPath).toBe(join(root, 'index.html'));

    const onDisk = CatalogIndexSchema.parse(JSON.parse(await readFile(jsonPath, 'utf8')));
    expect(onDisk).toEqual(index);
    expect(onDisk.products.map((p) => [p.productId, p.html, p.status, p.image])).toEqual([
      ['mug-1', `${G()}/product_mug-1.html`, 'complete', `${G()}/product_mug-1_thumbnail.png`],
      ['lamp', `${G('lamp')}/product_lamp.html`, 'complete', `${G('lamp')}/product_lamp_thumbnail.png`],
      // No thumbnail: the card falls back to the hero.
      ['chair', `${G('chair')}/product_chair.html`, 'partial', `${G('chair')}/product_chair_hero.png`],
    ]);

    const html = await readFile(htmlPath, 'utf8');
    for (const doc of documents) expect(html).toContain(`href="${doc.files.html}"`);
    expect(html).not.toContain('alert("x")');
    expect(html).toContain(EVIL_ESCAPED);
    expect(html).toContain('badge-partial');
    expect(imgTags(html).map((i) => i.src)).toEqual([
      `${G()}/product_mug-1_thumbnail.png`,
      `${G('lamp')}/product_lamp_thumbnail.png`,
      `${G('chair')}/product_chair_hero.png`,
    ]);
    const [ld] = jsonLdBlocks(html) as Array<{
      '@type': string;
      itemListElement: Array<Record<string, unknown>>;
    }>;
    expect(ld?.['@type']).toBe('ItemList');
    expect(ld?.itemListElement.map((e) => [e.position, e.url, e.name])).toEqual([
      [1, `${G()}/product_mug-1.html`, 'Stoneware Mug title'],
      [2, `${G('lamp')}/product_lamp.html`, `${EVIL} title`],
      [3, `${G('chair')}/product_chair.html`, 'Oak Chair title'],
    ]);

    const productHtml = await readFile(join(root, G('lamp'), 'product_lamp.html'), 'utf8');
    // The page sits in its gallery's folder: its link back to the catalog climbs out of it.
    expect(productHtml).toContain('href="../../../index.html"');
    expect((await readdir(root)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('renders an empty catalog without cards', async () => {
    const { htmlPath, index } = await composeCatalogIndex({ outputRoot: root, documents: [] });
    expect(index.products).toEqual([]);
    const html = await readFile(htmlPath, 'utf8');
    expect(html).toContain('No products yet.');
    expect(jsonLdBlocks(html)[0]).toMatchObject({ '@type': 'ItemList', itemListElement: [] });
  });

  it('uses urlFor for the product links and images', async () => {
    const showcase = await makeShowcase(root);
    const { document } = await composeGallery({ showcase, outputRoot: root });
    const urlFor = (f: string) => `https://s3.example.com/b/${f}`;
    const { htmlPath } = await composeCatalogIndex({ outputRoot: root, documents: [document], urlFor });
    const html = await readFile(htmlPath, 'utf8');
    expect(html).toContain(`href="https://s3.example.com/b/${G()}/product_mug-1.html"`);
    expect(html).toContain(`src="https://s3.example.com/b/${G()}/product_mug-1_thumbnail.png"`);
  });
});

describe('readGalleryDocument', () => {
  it('names the problem: missing file, bad JSON, newer schema, invalid field', async () => {
    await expect(readGalleryDocument(join(root, 'nope.json'))).rejects.toMatchObject({ code: 'not_found' });

    const bad = join(root, 'bad.json');
    await writeFile(bad, '{ not json');
    await expect(readGalleryDocument(bad)).rejects.toMatchObject({ code: 'invalid_input' });

    const showcase = await makeShowcase(root);
    const { document } = await composeGallery({ showcase, outputRoot: root });
    const newer = join(root, 'newer.json');
    await writeFile(newer, JSON.stringify({ ...document, schemaVersion: 2 }));
    await expect(readGalleryDocument(newer)).rejects.toThrow(/schemaVersion 2/);

    const broken = join(root, 'broken.json');
    await writeFile(
      broken,
      JSON.stringify({ ...document, assets: [{ ...document.assets[0], sha256: 'xyz' }] }),
    );
    const err = await readGalleryDocument(broken).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_input', details: { fields: ['assets.0.sha256'] } });
  });
});
