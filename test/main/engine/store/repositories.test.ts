import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPresets, SEED_HLC, type Store } from '../../../../src/main/engine/store/index.ts';
import { type Settings, SettingsSchema, type ShowcaseCopy } from '../../../../src/shared/index.ts';
import {
  assetDraft,
  expectCode,
  fakeClock,
  galleryDraft,
  product,
  seedGallery,
  type TempStores,
  tempStores,
} from './helpers.ts';

let t: TempStores;
let store: Store;
const clock = fakeClock();
beforeEach(async () => {
  t = await tempStores();
  store = t.open(undefined, { now: clock.now });
});
afterEach(async () => {
  await t.cleanup();
});

// Text that breaks naive SQL/JSON handling: quotes, backslashes, newlines, emoji, RTL, U+2028 (valid in
// JSON, a line break in older JS). No leading/trailing blanks: the product schema trims names.
const NASTY = `Robert'); DROP TABLE products;-- "quoted" \\ back\\slash\nnew line — 🛋️ Ærø \u2028 ünïcödé שלום`;

describe('products', () => {
  it('round-trips every field, including JSON with quotes and unicode, across a reopen', () => {
    const input = product('p-1', {
      name: NASTY,
      description: `${NASTY} described`,
      brand: 'Ærø "Design"',
      category: 'Sofas',
      materials: ['oak', 'bouclé'],
      colors: ['"off" white'],
      audience: 'families',
      price: { amount: 1299.5, currency: 'EUR' },
      referenceImage: 'https://example.com/ref.png?a=1&b="2"',
      tags: ['living room'],
      attributes: { 'weird "key"': NASTY, size: '200×90 cm' },
      sourceSheet: 'sheet "Q1".csv',
    });
    const { products, inserted } = store.products.upsertMany([input]);
    expect(inserted).toBe(1);
    const expected = { ...input, updatedAt: new Date(clock.now()).toISOString() };
    expect(products[0]).toEqual(expected);
    store.close();
    const again = t.open(undefined, { now: clock.now });
    expect(again.products.get('p-1')).toEqual(expected);
    expect(again.products.get('nope')).toBeNull();
  });

  it('upserts many in one transaction: inserts, updates, and leaves unchanged rows alone', () => {
    store.products.upsertMany([product('a'), product('b')]);
    const outboxBefore = store.outbox.count();
    clock.advance(1000);
    const r = store.products.upsertMany([product('a'), product('b', { name: 'Renamed' }), product('c')]);
    expect({ inserted: r.inserted, updated: r.updated, unchanged: r.unchanged }).toEqual({
      inserted: 1,
      updated: 1,
      unchanged: 1,
    });
    expect(r.products.map((p) => p.name)).toEqual(['Product a', 'Renamed', 'Product c']);
    // The unchanged product kept its timestamp; the updated one has the new one.
    expect(store.products.get('a')?.updatedAt).toBe(new Date(clock.now() - 1000).toISOString());
    expect(store.products.get('b')?.updatedAt).toBe(new Date(clock.now()).toISOString());
    // b is re-queued in place (one entry per row), c is new, a was not touched.
    expect(store.outbox.count()).toBe(outboxBefore + 1);
    expect(store.products.count()).toBe(3);
  });

  it('rejects an invalid product naming the field, and writes none of the batch', () => {
    const err = expectCode(
      () => store.products.upsertMany([product('ok'), product('bad id!'), product('ok2')]),
      'invalid_input',
      /products\.1\.id/,
    );
    expect(err.details?.fields).toEqual(['products.1.id']);
    expect(store.products.count()).toBe(0);
    expect(store.outbox.count()).toBe(0);
  });

  it('lists with search, status filter, paging and a total', () => {
    store.products.upsertMany([
      product('sofa-1', { name: 'Oak Sofa', brand: 'Nordhus' }),
      product('lamp-1', { name: 'Brass Lamp', category: 'Lighting' }),
      product('sofa-2', { name: 'Linen sofa 100%_off' }),
      product('chair-1', { name: 'Chair' }),
    ]);
    clock.advance(10);
    store.galleries.create(galleryDraft('g-old', 'sofa-1', { status: 'failed' }));
    clock.advance(10);
    store.galleries.create(galleryDraft('g-new', 'sofa-1', { status: 'complete' }));
    store.assets.createSet('g-new', [
      assetDraft('thumb', 'thumbnail', 0, { localPath: '/out/thumb.png', remoteUrl: 'https://cdn/x.png' }),
    ]);
    store.galleries.create(galleryDraft('g-lamp', 'lamp-1', { status: 'running' }));

    const all = store.products.list();
    expect(all.total).toBe(4);
    expect(all.items.map((i) => i.product.id)).toEqual(['sofa-1', 'lamp-1', 'sofa-2', 'chair-1']);
    const sofa = all.items[0];
    expect(sofa).toMatchObject({
      galleryId: 'g-new',
      status: 'complete',
      thumbnailLocalPath: '/out/thumb.png',
      thumbnailRemoteUrl: 'https://cdn/x.png',
    });
    expect(all.items[3]).toMatchObject({ galleryId: null, status: 'none', thumbnailLocalPath: null });

    expect(store.products.list({ search: 'SOFA' }).items.map((i) => i.product.id)).toEqual([
      'sofa-1',
      'sofa-2',
    ]);
    expect(store.products.list({ search: 'nordhus' }).total).toBe(1); // brand
    expect(store.products.list({ search: 'lighting' }).total).toBe(1); // category
    // LIKE wildcards in the search are literal.
    expect(store.products.list({ search: '%_' }).items.map((i) => i.product.id)).toEqual(['sofa-2']);
    expect(store.products.list({ search: '_' }).total).toBe(1);

    expect(store.products.list({ status: 'none' }).items.map((i) => i.product.id)).toEqual([
      'sofa-2',
      'chair-1',
    ]);
    expect(store.products.list({ status: 'failed' }).total).toBe(0); // only the latest gallery counts
    expect(store.products.list({ status: ['complete', 'running'] }).total).toBe(2);

    const page = store.products.list({ order: 'name', offset: 1, limit: 2 });
    expect(page.total).toBe(4);
    expect(page.items.map((i) => i.product.name)).toEqual(['Chair', 'Linen sofa 100%_off']);
  });
});

describe('galleries', () => {
  const copy: ShowcaseCopy = {
    title: 'The "Oak" Sofa',
    tagline: 'Sit back — 🛋️',
    bullets: ['Solid oak', 'Bouclé "cloud" fabric', 'Ærø made'],
    description: NASTY,
    prompts: { hero: 'hero shot', lifestyle: 'living room', variations: ['green', 'grey'], negative: 'text' },
    language: 'en',
    source: 'llm',
    model: 'llama3.2',
  };

  it('creates, gets and updates, round-tripping the copy JSON', () => {
    store.products.upsertMany([product('p1')]);
    const created = store.galleries.create(
      galleryDraft('g1', 'p1', { copy, seedLocked: true, baseSeed: 2 ** 53 - 1 }),
    );
    expect(store.galleries.get('g1')).toEqual(created);
    expect(created.createdAt).toBe(created.updatedAt);
    clock.advance(5000);
    const updated = store.galleries.update('g1', {
      status: 'complete',
      htmlPath: '/out/p1.html',
      approved: true,
    });
    expect(updated).toMatchObject({ status: 'complete', htmlPath: '/out/p1.html', approved: true, copy });
    expect(updated.createdAt).toBe(created.createdAt);
    expect(updated.updatedAt).not.toBe(created.updatedAt);
    expect(store.galleries.get('g1')).toEqual(updated);
    // A no-op patch writes nothing (updatedAt unchanged).
    clock.advance(5000);
    expect(store.galleries.update('g1', { status: 'complete', error: undefined })).toEqual(updated);
  });

  it('refuses a gallery of an unknown product, a duplicate id, a bad patch or an unknown id', () => {
    expectCode(() => store.galleries.create(galleryDraft('g1', 'ghost')), 'not_found');
    store.products.upsertMany([product('p1')]);
    store.galleries.create(galleryDraft('g1', 'p1'));
    expectCode(() => store.galleries.create(galleryDraft('g1', 'p1')), 'conflict');
    expectCode(
      () => store.galleries.update('g1', { status: 'bogus' as never }),
      'invalid_input',
      /gallery\.status/,
    );
    expectCode(() => store.galleries.update('missing', { approved: true }), 'not_found');
    expect(store.galleries.get('g1')?.status).toBe('draft');
  });

  it('lists by product and status, and finds the latest per product', () => {
    store.products.upsertMany([product('p1'), product('p2')]);
    store.galleries.create(galleryDraft('a', 'p1', { status: 'complete' }));
    clock.advance(1);
    store.galleries.create(galleryDraft('b', 'p1', { status: 'running' }));
    clock.advance(1);
    store.galleries.create(galleryDraft('c', 'p2', { status: 'running' }));
    expect(store.galleries.list({ productId: 'p1' }).map((g) => g.id)).toEqual(['a', 'b']);
    expect(store.galleries.list({ status: 'running' }).map((g) => g.id)).toEqual(['b', 'c']);
    expect(store.galleries.list({ productId: 'p1', status: ['running'] }).map((g) => g.id)).toEqual(['b']);
    expect(store.galleries.list({ limit: 1, offset: 2 }).map((g) => g.id)).toEqual(['c']);
    expect(store.galleries.latestForProduct('p1')?.id).toBe('b');
    expect(store.galleries.latestForProduct('nobody')).toBeNull();
  });
});

describe('assets', () => {
  it('creates a set, lists it in gallery order, gets by id and slot, and updates', () => {
    seedGallery(store);
    const created = store.assets.createSet('g1', [
      assetDraft('t', 'thumbnail'),
      assetDraft('v2', 'variation', 2),
      assetDraft('h', 'hero', 0, { prompt: NASTY, params: { cfg: 2.5, sampler: 'euler "a"', hires: true } }),
      assetDraft('v1', 'variation', 1),
      assetDraft('l', 'lifestyle'),
    ]);
    expect(created).toHaveLength(5);
    expect(store.assets.listByGallery('g1').map((a) => a.id)).toEqual(['h', 'l', 'v1', 'v2', 't']);
    expect(store.assets.get('h')).toEqual(created[2]);
    expect(store.assets.getBySlot('g1', 'variation', 2)?.id).toBe('v2');
    expect(store.assets.getBySlot('g1', 'variation', 3)).toBeNull();

    clock.advance(100);
    const done = store.assets.update('h', {
      status: 'done',
      sha256: 'a'.repeat(64),
      width: 1328,
      height: 1328,
      localPath: '/out/product_p1_hero.png',
      attempts: 1,
      seedLocked: true,
    });
    expect(done).toMatchObject({
      status: 'done',
      width: 1328,
      seedLocked: true,
      kind: 'hero',
      galleryId: 'g1',
    });
    expect(store.assets.get('h')).toEqual(done);
  });

  it('creates nothing when one asset of the set clashes with a taken slot', () => {
    seedGallery(store);
    store.assets.createSet('g1', [assetDraft('h', 'hero')]);
    expectCode(
      () => store.assets.createSet('g1', [assetDraft('l', 'lifestyle'), assetDraft('h2', 'hero')]),
      'conflict',
    );
    expect(store.assets.listByGallery('g1').map((a) => a.id)).toEqual(['h']);
    expectCode(() => store.assets.createSet('ghost', [assetDraft('x', 'hero')]), 'not_found');
    expectCode(() => store.assets.update('h', { width: -1 }), 'invalid_input', /asset\.width/);
  });
});

describe('model usage', () => {
  it('inserts and lists with filters', () => {
    const base = {
      jobId: 'j1',
      backend: 'comfy-1',
      model: 'qwen_image_fp8.safetensors',
      phase: 'image' as const,
      queuedMs: 5,
      loadMs: 1200.5,
      runMs: 8000,
      totalMs: 9205.5,
      tokensIn: null,
      tokensOut: null,
      ok: true,
      error: null,
    };
    const a = store.modelUsage.insert(base);
    clock.advance(1000);
    const b = store.modelUsage.insert({
      ...base,
      jobId: 'j2',
      backend: 'ollama',
      model: 'llama3.2',
      phase: 'copy',
      tokensIn: 321,
      tokensOut: 654,
      ok: false,
      error: 'invalid "json" 🤖',
    });
    expect(a.id).toMatch(/[0-9a-f-]{36}/);
    expect(store.modelUsage.list()).toEqual([a, b]);
    expect(store.modelUsage.list({ order: 'desc', limit: 1 })).toEqual([b]);
    expect(store.modelUsage.list({ phase: 'copy' })).toEqual([b]);
    expect(store.modelUsage.list({ jobId: 'j1', backend: 'comfy-1' })).toEqual([a]);
    expect(store.modelUsage.list({ since: b.at })).toEqual([b]);
    expectCode(() => store.modelUsage.insert({ ...base, runMs: -1 }), 'invalid_input', /runMs/);
  });
});

describe('prompt presets', () => {
  it('seeds the defaults once, without queuing them for sync, and keeps edits', () => {
    expect(store.presets.seedDefaults()).toBe(defaultPresets.length);
    expect(store.presets.list().map((p) => p.name)).toEqual(
      expect.arrayContaining(['Studio white', 'Warm lifestyle', 'Nordic minimal']),
    );
    for (const p of store.presets.list()) {
      expect(p.prefix.length).toBeGreaterThan(20);
      expect(p.negative.length).toBeGreaterThan(5);
      expect(p.style).not.toBe('');
      expect(p.lighting).not.toBe('');
    }
    expect(store.outbox.count()).toBe(0);

    const edited = store.presets.upsert({
      ...(store.presets.get('studio-white') as NonNullable<ReturnType<Store['presets']['get']>>),
      prefix: 'my own "prefix"',
    });
    expect(edited.prefix).toBe('my own "prefix"');
    expect(store.outbox.count()).toBe(1);
    expect(store.presets.seedDefaults()).toBe(0);
    expect(store.presets.get('studio-white')?.prefix).toBe('my own "prefix"');

    store.close();
    const db = new Database(t.path());
    expect(db.prepare("SELECT hlc FROM prompt_presets WHERE id = 'warm-lifestyle'").get()).toEqual({
      hlc: SEED_HLC,
    });
    db.close();
  });

  it('creates and round-trips a custom preset; an unchanged upsert writes nothing', () => {
    const p = store.presets.upsert({
      id: 'brand-x',
      name: 'Brand X',
      prefix: NASTY,
      negative: 'blur',
      style: 'bold',
      lighting: 'neon',
      params: { cfg: 3, steps: 30, sampler: 'dpmpp_2m' },
    });
    expect(store.presets.get('brand-x')).toEqual(p);
    clock.advance(10);
    expect(store.presets.upsert({ ...p })).toEqual(p);
    expect(store.outbox.count()).toBe(1);
  });
});

describe('settings', () => {
  it('returns the schema defaults when nothing is stored', () => {
    expect(store.settings.get()).toEqual(SettingsSchema.parse({}));
  });

  it('updates only the given keys, persists them, and validates the result', () => {
    const next = store.settings.update({
      ollamaModel: 'llama3.2:3b',
      comfyUrls: ['http://10.0.0.5:8188', 'http://10.0.0.6:8188'],
      templateParams: { 'qwen-image': { cfg: 2.5, steps: 20, sampler: 'euler' } },
      s3: {
        endpoint: 'http://127.0.0.1:9000',
        bucket: 'showcase',
        accessKey: 'k',
        secretKey: 's "with" quotes',
        region: 'us-east-1',
        publicBaseUrl: null,
        presignSeconds: 3600,
      },
      variations: undefined,
    });
    expect(next.ollamaModel).toBe('llama3.2:3b');
    expect(next.variations).toBe(4);
    store.close();
    const again = t.open();
    expect(again.settings.get()).toEqual(next);

    const err = expectCode(
      () => again.settings.update({ variations: 99 }),
      'invalid_input',
      /settings\.variations/,
    );
    expect(err.details?.fields).toEqual(['settings.variations']);
    expect(again.settings.get().variations).toBe(4);
    // Settings hold secrets and are machine-local: never queued for sync.
    expect(again.outbox.count()).toBe(0);
  });

  it('sees a change another connection to the same file made (the CLI next to the app)', () => {
    expect(store.settings.get().ollamaModel).toBe('llama3.2');
    const other = t.open();
    other.settings.update({ ollamaModel: 'qwen2.5:7b' });
    expect(store.settings.get().ollamaModel).toBe('qwen2.5:7b');
    store.settings.update({ variations: 2 });
    expect(store.settings.get().variations).toBe(2);
    expect(other.settings.get()).toMatchObject({ ollamaModel: 'qwen2.5:7b', variations: 2 });
    other.close();
  });

  it('falls back to the default for a stored value that no longer validates', () => {
    store.settings.update({ ollamaModel: 'mistral' });
    store.close();
    const db = new Database(t.path());
    const put = db.prepare(
      "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 'x') ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    put.run('thumbnailSize', '5');
    put.run('removedSetting', '"legacy"');
    db.close();
    const again = t.open();
    const s: Settings = again.settings.get();
    expect(s.thumbnailSize).toBe(384);
    expect(s.ollamaModel).toBe('mistral');
    expect(s).not.toHaveProperty('removedSetting');
  });
});
