// The engine end to end against both simulators on real sockets: a product goes in, copy comes
// back from the (simulated) LLM, seven real PNGs come back from the (simulated) ComfyUI, and the
// gallery files land in the output root. Also: seeds (locked re-runs reproduce bytes, a new seed
// changes them), single-asset re-renders, and hostile product names/ids.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { GalleryDocumentSchema } from '../../../src/main/engine/showcase/index.ts';
import { SafeIdSchema, ShowcaseError } from '../../../src/shared/index.ts';
import { listFiles, type Sims, sha256, sha256File, startSims } from '../../fixtures/sims.ts';

let sims: Sims | null = null;
afterEach(async () => {
  await sims?.close();
  sims = null;
});

/** Small Qwen renders for the tests that are not about sizes (the same graphs, fewer pixels). */
const SMALL_QWEN = { 'qwen-image': { width: 512, height: 384, megapixels: 0.25 } };

async function hashesByFile(galleryId: string): Promise<Map<string, string>> {
  const engine = sims?.engine;
  if (!engine) throw new Error('no engine');
  const out = new Map<string, string>();
  for (const asset of engine.showcase(galleryId).assets) {
    expect(asset.status, `${asset.filename}: ${asset.error}`).toBe('done');
    const path = asset.localPath ?? '';
    // The journal's hash is the hash of the bytes on disk.
    const onDisk = await sha256File(path);
    expect(asset.sha256).toBe(onDisk);
    // Keyed by the file's name: each gallery has its own folder, the names inside follow the seed's rule.
    out.set(basename(asset.filename), onDisk);
  }
  return out;
}

describe('Engine end to end (ComfyUI + Ollama simulators on one SimGpu)', () => {
  it('turns a fictional product into copy, 7 PNGs of the right sizes, gallery files and a usage log', async () => {
    sims = await startSims();
    const { engine, outputRoot } = sims;
    const name = 'Tern & Tide "Harbor" <Lantern>';
    const { imported, errors } = engine.addProducts([
      {
        id: 'tern-harbor-lantern',
        name,
        description: 'A storm-proof brass lantern with a hand-blown glass globe and a warm LED.',
        brand: 'Tern & Tide',
        category: 'Outdoor lighting',
        materials: ['brass', 'glass'],
        colors: ['aged brass'],
        price: { amount: 79, currency: 'EUR' },
      },
    ]);
    expect(errors).toEqual([]);
    const productId = imported[0]?.id ?? '';
    expect(productId).toBe('tern-harbor-lantern');

    const [galleryId] = await engine.start([productId]);
    await engine.whenIdle();
    const { gallery, assets } = engine.showcase(galleryId ?? '');
    expect(gallery.error).toBeNull();
    expect(gallery.status).toBe('complete');

    // Copy from the LLM (not the fallback) that is about this product.
    expect(gallery.copy?.source).toBe('llm');
    expect(JSON.stringify(gallery.copy)).toContain('Lantern');

    // 7 real PNGs with the templates' sizes: hero 1:1 1328², lifestyle 16:9 1664×928, variations
    // img2img from the hero at ~1.68 MP, thumbnail sharp-resized to fit 384.
    expect(assets).toHaveLength(7);
    // Every file in the gallery's own folder, named by the seed's rule.
    const folder = `galleries/${productId}/${galleryId}`;
    const expected: Record<string, [number, number]> = {
      [`${folder}/product_${productId}_hero.png`]: [1328, 1328],
      [`${folder}/product_${productId}_lifestyle.png`]: [1664, 928],
      [`${folder}/product_${productId}_variation_1.png`]: [1328, 1328],
      [`${folder}/product_${productId}_variation_2.png`]: [1328, 1328],
      [`${folder}/product_${productId}_variation_3.png`]: [1328, 1328],
      [`${folder}/product_${productId}_variation_4.png`]: [1328, 1328],
      [`${folder}/product_${productId}_thumbnail.png`]: [384, 384],
    };
    expect(assets.map((a) => a.filename).sort()).toEqual(Object.keys(expected).sort());
    const digests = new Set<string>();
    for (const asset of assets) {
      expect(asset.status).toBe('done');
      expect(asset.attempts).toBe(1);
      expect(asset.localPath).toBe(join(outputRoot, asset.filename));
      const bytes = await readFile(asset.localPath ?? '');
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe('png');
      expect([meta.width, meta.height]).toEqual(expected[asset.filename]);
      expect([asset.width, asset.height]).toEqual(expected[asset.filename]);
      expect(asset.sha256).toBe(sha256(bytes));
      // ComfyUI's embedded prompt metadata is stripped (it would leak prompts and break byte equality).
      expect(bytes.includes(Buffer.from('tEXt'))).toBe(false);
      digests.add(asset.sha256 ?? '');
    }
    expect(digests.size).toBe(7);

    // product_{id}.json is a valid gallery document.
    const doc = GalleryDocumentSchema.parse(
      JSON.parse(await readFile(join(outputRoot, folder, `product_${productId}.json`), 'utf8')),
    );
    expect(doc.galleryId).toBe(galleryId);
    expect(doc.status.state).toBe('complete');
    expect(doc.status.failed).toEqual([]);
    expect(doc.product.name).toBe(name);
    expect(doc.assets.map((a) => a.filename).sort()).toEqual(Object.keys(expected).sort());

    // product_{id}.html: the name escaped, never raw, and a parseable JSON-LD Product.
    const html = await readFile(join(outputRoot, folder, `product_${productId}.html`), 'utf8');
    expect(html).toContain('Tern &amp; Tide &quot;Harbor&quot; &lt;Lantern&gt;');
    expect(html).not.toContain('<Lantern>');
    const ld = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
    expect(ld).not.toBeNull();
    const jsonLd = JSON.parse(ld?.[1] ?? 'null') as Record<string, unknown>;
    expect(jsonLd['@type']).toBe('Product');
    expect(jsonLd.name).toBe(name);
    const shown = Object.keys(expected).filter((f) => !f.endsWith('_thumbnail.png'));
    // The page sits beside its images.
    for (const file of shown) expect(html).toContain(`src="${basename(file)}"`);
    expect(jsonLd.image).toContain(`product_${productId}_hero.png`);

    // The catalog index lists the product.
    const index = await readFile(join(outputRoot, 'index.html'), 'utf8');
    expect(index).toContain(`product_${productId}.html`);

    // model_usage_log: one successful copy call and six successful ComfyUI renders.
    const usage = engine.store.modelUsage.list();
    const copy = usage.filter((u) => u.phase === 'copy');
    const images = usage.filter((u) => u.phase === 'image');
    expect(copy).toHaveLength(1);
    expect(copy[0]).toMatchObject({ backend: 'ollama', model: 'llama3.2', ok: true });
    expect(copy[0]?.tokensOut).toBeGreaterThan(0);
    expect(images).toHaveLength(6);
    for (const u of images)
      expect(u).toMatchObject({ backend: 'comfy', model: 'qwen_image_fp8_e4m3fn.safetensors', ok: true });
    expect(usage.filter((u) => u.phase === 'thumbnail')).toHaveLength(1);
    expect(sims.comfy.stats.promptsAccepted).toBe(6);
    // The four variations start together and share ONE upload of the hero: a second upload with
    // overwrite would rewrite the file while the first prompt's LoadImage reads it.
    const uploads = sims.comfy.transcript.filter(
      (e) => e.channel === 'http' && e.kind === 'request' && e.path?.endsWith('/upload/image'),
    );
    expect(uploads).toHaveLength(1);
  });

  it('reproduces byte-identical images with a locked seed and different ones with another seed', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL_QWEN } } });
    const { engine, comfy } = sims;
    const [product] = engine.addProducts([
      { id: 'seed-mug', name: 'Seed Mug', materials: ['stoneware'] },
    ]).imported;
    const id = product?.id ?? '';

    const [first] = await engine.start([id], { seed: 4242, lockSeed: true, variations: 2 });
    await engine.whenIdle();
    expect(engine.showcase(first ?? '').gallery.status).toBe('complete');
    const original = await hashesByFile(first ?? '');
    const executionsAfterFirst = comfy.stats.executions;

    // A plain re-run picks the locked base seed up from the previous showcase.
    const [again] = await engine.start([id], { variations: 2 });
    await engine.whenIdle();
    const rerun = engine.showcase(again ?? '');
    expect(rerun.gallery.status).toBe('complete');
    expect(rerun.gallery.seedLocked).toBe(true);
    expect(rerun.gallery.baseSeed).toBe(4242);
    // Really rendered again (not a cached replay of the previous prompt)...
    expect(comfy.stats.executions - executionsAfterFirst).toBe(4);
    // ...and every file is byte for byte the same.
    expect(await hashesByFile(again ?? '')).toEqual(original);

    const [other] = await engine.start([id], { seed: 777, lockSeed: false, variations: 2 });
    await engine.whenIdle();
    expect(engine.showcase(other ?? '').gallery.status).toBe('complete');
    const changed = await hashesByFile(other ?? '');
    expect([...changed.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [file, digest] of changed) expect(digest, file).not.toBe(original.get(file));
  });

  it("puts the preset's prefix, negative and parameter values into every render and records them", async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL_QWEN } } });
    const { engine, comfy } = sims;
    engine.store.presets.upsert({
      id: 'quick-proof',
      name: 'Quick proof',
      prefix: 'quick proof shot',
      negative: 'lens flare',
      style: 'proof',
      lighting: 'flat',
      params: { steps: 6, cfg: 3.5 },
    });
    const [product] = engine.addProducts([{ id: 'proof-cup', name: 'Proof Cup' }]).imported;
    const [galleryId] = await engine.start([product?.id ?? ''], { presetId: 'quick-proof', variations: 1 });
    await engine.whenIdle();
    expect(engine.showcase(galleryId ?? '').gallery.status).toBe('complete');

    const history = (await (await fetch(`${comfy.url}/history`)).json()) as Record<
      string,
      { prompt: [number, string, Record<string, { class_type: string; inputs: Record<string, unknown> }>] }
    >;
    const graphs = Object.values(history).map((h) => h.prompt[2]);
    expect(graphs).toHaveLength(3); // hero, lifestyle, one variation
    for (const graph of graphs) {
      const sampler = Object.values(graph).find((n) => n.class_type === 'KSampler');
      expect(sampler?.inputs).toMatchObject({ steps: 6, cfg: 3.5 });
      const texts = Object.values(graph)
        .filter((n) => n.class_type === 'CLIPTextEncode')
        .map((n) => String(n.inputs.text));
      expect(texts.some((t) => t.startsWith('quick proof shot'))).toBe(true);
      expect(texts.some((t) => t.includes('lens flare'))).toBe(true);
    }
    // The asset records the values it was rendered with.
    const hero = engine.showcase(galleryId ?? '').assets.find((a) => a.kind === 'hero');
    expect(hero?.params).toMatchObject({ steps: 6, cfg: 3.5 });
  });

  it('re-renders one asset: "same" gives the identical bytes back, "new" other bytes, refused when locked', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL_QWEN } } });
    const { engine, comfy } = sims;
    const id = engine.addProducts([{ id: 'regen-bottle', name: 'Regen Bottle' }]).imported[0]?.id ?? '';
    const [galleryId = ''] = await engine.start([id], { variations: 1 });
    await engine.whenIdle();
    const before = engine.showcase(galleryId);
    expect(before.gallery.status).toBe('complete');
    const hero = before.assets.find((a) => a.kind === 'hero');
    const lifestyle = before.assets.find((a) => a.kind === 'lifestyle');
    if (!hero || !lifestyle) throw new Error('missing slots');

    const accepted = comfy.stats.promptsAccepted;
    const executions = comfy.stats.executions;
    await engine.regenerate(hero.id, 'same');
    await engine.whenIdle();
    const heroAgain = engine.store.assets.get(hero.id);
    expect(comfy.stats.promptsAccepted).toBe(accepted + 1);
    expect(comfy.stats.executions).toBe(executions + 1);
    expect(heroAgain?.status).toBe('done');
    expect(heroAgain?.seed).toBe(hero.seed);
    expect(heroAgain?.sha256).toBe(hero.sha256);
    expect(await sha256File(heroAgain?.localPath ?? '')).toBe(hero.sha256);

    await engine.regenerate(lifestyle.id, 'new');
    await engine.whenIdle();
    const lifestyleAgain = engine.store.assets.get(lifestyle.id);
    expect(lifestyleAgain?.status).toBe('done');
    expect(lifestyleAgain?.seed).not.toBe(lifestyle.seed);
    expect(lifestyleAgain?.sha256).not.toBe(lifestyle.sha256);
    expect(await sha256File(lifestyleAgain?.localPath ?? '')).toBe(lifestyleAgain?.sha256);
    expect(engine.showcase(galleryId).gallery.status).toBe('complete');

    await engine.handlers['showcase.lockSeed']({ galleryId, locked: true });
    const refused = await engine.regenerate(lifestyle.id, 'new').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ShowcaseError);
    expect((refused as ShowcaseError).code).toBe('conflict');
    // A refused re-render changes nothing: no job, same seed, same file.
    expect(engine.store.assets.get(lifestyle.id)?.seed).toBe(lifestyleAgain?.seed);
    expect(engine.store.jobs.listByStatus(['queued', 'running'])).toEqual([]);
    // "same" is still allowed on a locked seed.
    await engine.regenerate(lifestyle.id, 'same');
    await engine.whenIdle();
    expect(engine.store.assets.get(lifestyle.id)?.sha256).toBe(lifestyleAgain?.sha256);
  });

  it('keeps quotes, ../ and unicode in product names and ids out of file paths', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL_QWEN } } });
    const { engine, outputRoot, dir } = sims;
    const { imported, errors } = engine.addProducts([
      { id: '../../escape', name: 'Évasion "Quoted" ../../etc/passwd' },
      { id: '..\\..\\windows\\win.ini', name: "O'Reilly's \\ mug" },
      { id: 'Crème Brûlée ☕ 日本茶', name: 'Crème Brûlée ☕ 日本茶 <script>alert(1)</script>' },
      { name: '../../../tmp/pwned' },
    ]);
    expect(errors).toEqual([]);
    expect(imported).toHaveLength(4);
    const ids = imported.map((p) => p.id);
    for (const id of ids) expect(SafeIdSchema.safeParse(id).success, id).toBe(true);
    expect(new Set(ids).size).toBe(4);

    const galleryIds = await engine.start(ids, { variations: 1 });
    await engine.whenIdle();
    for (const g of galleryIds) expect(engine.showcase(g).gallery.status).toBe('complete');

    // Nothing was written next to the output root (only the db, its journal and the sims' folders).
    const outside = (await listFiles(dir)).filter((f) => !f.startsWith('out/'));
    for (const f of outside) expect(f).toMatch(/^(studio\.db(-wal|-shm|-journal)?|comfy-1\/.*)$/);
    // Inside it: the catalog index, and one folder per gallery holding safe names.
    const files = await listFiles(outputRoot);
    const safe =
      /^(index\.(html|json)|galleries\/[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+\/product_[A-Za-z0-9_-]+(\.json|\.html|_(hero|lifestyle|thumbnail|variation_\d)\.png))$/;
    for (const f of files) expect(f).toMatch(safe);
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(4 * 4);
    for (const [i, id] of ids.entries()) {
      expect(files).toContain(`galleries/${id}/${galleryIds[i]}/product_${id}.html`);
      expect(files).toContain(`galleries/${id}/${galleryIds[i]}/product_${id}_hero.png`);
    }
    // ComfyUI's own output folder only got files under showcase/, named after the safe ids.
    for (const f of await listFiles(sims.comfy.dirs.output))
      expect(f).toMatch(/^showcase\/[A-Za-z0-9_-]+\.png$/);

    // The page of the <script> product shows the name as text.
    const crème = imported[2]?.id ?? '';
    const html = await readFile(
      join(outputRoot, `galleries/${crème}/${galleryIds[2]}/product_${crème}.html`),
      'utf8',
    );
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('日本茶');
  });
});
