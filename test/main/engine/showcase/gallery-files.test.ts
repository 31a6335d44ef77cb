// Gallery-scoped files through the real engine and simulators: two galleries of one product keep both
// sets of files, the older one is still served by its id, a colleague's gallery (synced through the
// real Postgres) is shown as being on another workstation without touching this station's files, and
// a store from before gallery folders is moved into them, idempotently.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { migrateLayout } from '../../../../src/main/engine/showcase/index.ts';
import { openStore } from '../../../../src/main/engine/store/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';
import { listFiles, type Sims, startSims } from '../../../fixtures/sims.ts';
import { assetDraft, galleryDraft, product, tempStores } from '../store/helpers.ts';

const SMALL = { templateParams: { 'qwen-image': { width: 512, height: 384, megapixels: 0.25 } } };
const opened: Sims[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function station(extra: Record<string, unknown> = {}): Promise<Sims> {
  const sims = await startSims({ engine: { overrides: { ...SMALL, ...extra } } });
  opened.push(sims);
  return sims;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function digests(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(root)) out.set(f, sha(await readFile(join(root, f))));
  return out;
}

describe('galleries of one product', () => {
  it('keep both galleries’ files, and the older gallery is still served by its id', async () => {
    const s = await station();
    const { engine } = s;
    engine.addProducts([{ id: 'twin-mug', name: 'Twin Mug', materials: ['stoneware'] }]);
    const [first = ''] = await engine.start(['twin-mug'], { variations: 1, seed: 1 });
    await engine.whenIdle();
    const [second = ''] = await engine.start(['twin-mug'], { variations: 1, seed: 2 });
    await engine.whenIdle();
    expect(first).not.toBe(second);
    const a = engine.showcase(first);
    const b = engine.showcase(second);
    for (const g of [a, b])
      expect(g.gallery.status, `${g.gallery.error} ${s.logs.slice(-5).join(' | ')}`).toBe('complete');
    // Each gallery's images are its own files, all still on disk with the bytes it recorded.
    for (const g of [a, b]) {
      for (const asset of g.assets) {
        expect(asset.filename.startsWith(`galleries/twin-mug/${g.gallery.id}/`)).toBe(true);
        expect(sha(await readFile(asset.localPath ?? ''))).toBe(asset.sha256);
      }
      expect(g.locality).toBe('local');
      expect(g.pageFile).toBe(`galleries/twin-mug/${g.gallery.id}/product_twin-mug.html`);
    }
    const heroOf = (x: typeof a) => x.assets.find((asset) => asset.kind === 'hero')?.sha256;
    expect(heroOf(a)).not.toBe(heroOf(b));
    // GET /api/galleries/<older id> reads the older gallery's own document.
    expect((await engine.galleryDocument(first))?.galleryId).toBe(first);
    expect((await engine.galleryDocument(second))?.galleryId).toBe(second);
    // Synced rows hold paths relative to the output root, never this machine's absolute paths.
    const row = openStore(s.dbPath, { readonly: true });
    try {
      const raw = row.outbox
        .peek(10_000)
        .filter((e) => e.table === 'assets' || e.table === 'product_galleries');
      const paths = raw.flatMap((e) => [e.row.local_path, e.row.html_path, e.row.json_path]).filter(Boolean);
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) expect(String(p)).toMatch(/^galleries\/twin-mug\//);
    } finally {
      row.close();
    }
  }, 60_000);
});

const pg = await createTestDatabase('gallery_files');
afterAll(async () => {
  await pg?.drop();
});

describe.skipIf(!pg)(`a colleague's gallery${skipNote(pg)}`, () => {
  it('is shown as on another workstation, and this station’s own files stay untouched', async () => {
    const team = { postgresUrl: pg?.url ?? '', syncIntervalSec: 86_400 };
    const a = await station(team);
    const b = await station(team);
    a.engine.addProducts([{ id: 'team-lamp', name: 'Team Lamp', materials: ['brass'] }]);
    const [theirs = ''] = await a.engine.start(['team-lamp'], { variations: 1 });
    await a.engine.whenIdle();
    // B renders its own gallery of the same product first.
    b.engine.addProducts([{ id: 'team-lamp', name: 'Team Lamp', materials: ['brass'] }]);
    const [mine = ''] = await b.engine.start(['team-lamp'], { variations: 1 });
    await b.engine.whenIdle();
    const before = await digests(b.outputRoot);

    await a.engine.handlers['sync.now']({});
    await b.engine.handlers['sync.now']({});
    const colleague = b.engine.showcase(theirs);
    expect(colleague.gallery.status).toBe('complete');
    expect(colleague.locality).toBe('elsewhere');
    // Its paths resolve into this station's root, where nothing of it exists.
    for (const asset of colleague.assets) {
      expect(asset.localPath?.startsWith(b.outputRoot)).toBe(true);
      expect(asset.filename.startsWith(`galleries/team-lamp/${theirs}/`)).toBe(true);
    }
    expect(b.engine.showcase(mine).locality).toBe('local');
    // B's own files: the same set, byte for byte (a catalog page rewrite aside).
    const after = await digests(b.outputRoot);
    for (const [file, digest] of before)
      if (file !== 'index.html' && file !== 'index.json') expect(after.get(file), file).toBe(digest);
    expect([...after.keys()].filter((f) => f.startsWith(`galleries/team-lamp/${theirs}`))).toEqual([]);
  }, 90_000);
});

describe('layout migration', () => {
  it('moves a flat-layout store into gallery folders once, and again after a crash between files and rows', async () => {
    const t = await tempStores();
    try {
      const root = join(t.dir, 'out');
      const store = openStore(t.path('old.db'), { outputRoot: root });
      store.products.upsertMany([product('p1')]);
      // Two galleries of p1 from the old layout: the newer one owns the files at the root.
      store.galleries.create(galleryDraft('g-old', 'p1', { createdAt: '2025-01-01T00:00:00.000Z' }));
      store.galleries.create(galleryDraft('g-new', 'p1', { createdAt: '2025-02-01T00:00:00.000Z' }));
      for (const g of ['g-old', 'g-new']) {
        store.assets.createSet(g, [
          assetDraft(`${g}-hero`, 'hero', 0, {
            filename: 'product_p1_hero.png',
            localPath: join(root, 'product_p1_hero.png'),
            status: 'done',
          }),
        ]);
        store.galleries.update(g, {
          jsonPath: join(root, 'product_p1.json'),
          htmlPath: join(root, 'product_p1.html'),
        });
      }
      const files: Record<string, string> = {
        'product_p1_hero.png': 'png bytes',
        'product_p1.html': '<img src="product_p1_hero.png">',
        'product_p1.json': JSON.stringify({
          files: { json: 'product_p1.json', html: 'product_p1.html' },
          assets: [{ filename: 'product_p1_hero.png' }],
        }),
        'channels/amazon/product_p1_hero.jpg': 'jpeg bytes',
        'channels/product_p1_compliance.json': JSON.stringify({
          images: [{ filename: 'channels/amazon/product_p1_hero.jpg' }],
        }),
      };
      for (const [f, body] of Object.entries(files)) {
        await mkdir(dirname(join(root, f)), { recursive: true });
        await writeFile(join(root, f), body);
      }
      // A crash after the files moved but before the rows: the hero was already renamed.
      const folder = 'galleries/p1/g-new';
      await mkdir(join(root, folder), { recursive: true });
      await writeFile(join(root, folder, 'product_p1_hero.png'), 'png bytes');
      await import('node:fs/promises').then((fs) => fs.rm(join(root, 'product_p1_hero.png')));

      const first = await migrateLayout(store, root);
      expect(first.galleries).toBe(2);
      const rest = (await listFiles(root)).sort();
      expect(rest).toEqual([
        `${folder}/channels/amazon/product_p1_hero.jpg`,
        `${folder}/channels/product_p1_compliance.json`,
        `${folder}/product_p1.html`,
        `${folder}/product_p1.json`,
        `${folder}/product_p1_hero.png`,
      ]);
      expect(store.assets.get('g-new-hero')).toMatchObject({
        filename: `${folder}/product_p1_hero.png`,
        localPath: join(root, folder, 'product_p1_hero.png'),
      });
      expect(store.assets.get('g-old-hero')?.filename).toBe('galleries/p1/g-old/product_p1_hero.png');
      expect(store.galleries.get('g-new')?.jsonPath).toBe(join(root, folder, 'product_p1.json'));
      const doc = JSON.parse(await readFile(join(root, folder, 'product_p1.json'), 'utf8'));
      expect(doc.files).toEqual({ json: `${folder}/product_p1.json`, html: `${folder}/product_p1.html` });
      expect(doc.assets[0].filename).toBe(`${folder}/product_p1_hero.png`);
      expect(await readFile(join(root, folder, 'channels/product_p1_compliance.json'), 'utf8')).toContain(
        `"${folder}/channels/amazon/product_p1_hero.jpg"`,
      );
      // Idempotent: nothing left to move.
      expect(await migrateLayout(store, root)).toEqual({ galleries: 0, moved: 0 });
      store.close();
    } finally {
      await t.cleanup();
    }
  });
});
