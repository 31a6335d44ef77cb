// Sync throughput: N galleries (each with its product and assets) pushed from a fresh SQLite file to a
// fresh database, then pulled into another fresh SQLite file. The fresh database is created next to
// the one in `url` when the user may (CREATE DATABASE); otherwise a fresh schema inside it is used.
// Both are dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ShowcaseError } from '../../../shared/index.ts';
import { type AssetDraft, openStore, type Store } from '../store/index.ts';
import { describeTarget, toSyncError } from './connection.ts';
import { SyncEngine } from './engine.ts';

export interface BenchSyncOptions {
  /** A database on the cluster to benchmark against (its credentials are reused for the fresh one). */
  url: string;
  /** Galleries to sync (default 10,000). */
  rows?: number;
  /** Assets per gallery (default 7: hero, lifestyle, four variations, thumbnail). */
  assetsPerGallery?: number;
  batchSize?: number;
  pullPageSize?: number;
}

export interface BenchSyncResult {
  galleries: number;
  /** Rows moved each way: products + galleries + assets. */
  totalRows: number;
  setupSeconds: number;
  pushSeconds: number;
  pullSeconds: number;
  /** Rows (all tables) per second. */
  pushRowsPerSec: number;
  pullRowsPerSec: number;
  /** `database` when a fresh database was created, `schema` when a fresh schema in `url` was used. */
  isolation: 'database' | 'schema';
}

const KINDS = ['hero', 'lifestyle', 'variation', 'variation', 'variation', 'variation', 'thumbnail'] as const;

function seedStore(store: Store, galleries: number, assetsPerGallery: number, prefix = 'bench'): void {
  store.transaction(() => {
    const products = Array.from({ length: galleries }, (_, i) => ({
      id: `${prefix}-p${i}`,
      handle: `${prefix}-product-${i}`,
      name: `Bench product ${i}`,
      description: 'A product made up for the sync benchmark, with a realistic amount of text in it.',
      category: 'Home',
      brand: 'Bench',
      materials: ['oak', 'linen'],
      colors: ['natural'],
      tags: ['bench'],
      attributes: { size: 'M' },
    }));
    store.products.upsertMany(products);
    for (let i = 0; i < galleries; i++) {
      const galleryId = `${prefix}-g${i}`;
      store.galleries.create({
        id: galleryId,
        productId: `${prefix}-p${i}`,
        status: 'draft',
        copy: null,
        promptPrefix: 'professional e-commerce product photograph on white',
        presetId: null,
        baseSeed: 1000 + i,
        seedLocked: false,
        family: 'qwen-image',
        htmlPath: null,
        jsonPath: null,
        publishedUrl: `https://cdn.example.com/showcase/product_bench-p${i}.html`,
        approved: false,
        error: null,
      });
      let variation = 0;
      const drafts: AssetDraft[] = [];
      for (let a = 0; a < assetsPerGallery; a++) {
        const kind = KINDS[a % KINDS.length] ?? 'variation';
        const idx = kind === 'variation' ? ++variation : a >= KINDS.length ? a : 0;
        drafts.push({
          id: `${prefix}-a${i}-${a}`,
          kind,
          idx,
          filename: `product_bench-p${i}_${kind}${idx ? `_${idx}` : ''}.png`,
          sha256: randomBytes(32).toString('hex'),
          width: 1328,
          height: 1328,
          seed: 1000 + i + a,
          seedLocked: false,
          prompt: `a ${kind} photograph of bench product ${i}`,
          templateId: `qwen-image-${kind}`,
          params: { cfg: 2.5, steps: 20, sampler: 'euler' },
          localPath: null,
          remoteUrl: `https://cdn.example.com/showcase/product_bench-p${i}_${kind}${idx ? `_${idx}` : ''}.png`,
          status: 'done',
          approved: false,
          attempts: 1,
          error: null,
        });
      }
      store.assets.createSet(galleryId, drafts);
    }
  });
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function benchSync(options: BenchSyncOptions): Promise<BenchSyncResult> {
  const galleries = options.rows ?? 10_000;
  const assetsPerGallery = options.assetsPerGallery ?? 7;
  const target = describeTarget(options.url);
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), 'showcase-bench-sync-'));

  // A fresh database if allowed, else a fresh schema in the given one.
  let url = options.url;
  let schema = 'showcase';
  let isolation: BenchSyncResult['isolation'] = 'database';
  const dbName = `showcase_bench_${suffix}`;
  try {
    await adminQuery(options.url, `CREATE DATABASE "${dbName}"`);
    const u = new URL(options.url);
    u.pathname = `/${dbName}`;
    url = u.toString();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42501') throw toSyncError(err, target, 'create the benchmark database');
    isolation = 'schema';
    schema = `showcase_bench_${suffix}`;
  }

  const source = openStore(join(dir, 'source.db'));
  const sink = openStore(join(dir, 'sink.db'));
  const tuning = { batchSize: options.batchSize ?? 2000, pullPageSize: options.pullPageSize ?? 5000 };
  const pusher = new SyncEngine(source, { url, schema, ...tuning });
  const puller = new SyncEngine(sink, { url, schema, ...tuning });
  try {
    const t0 = performance.now();
    seedStore(source, galleries, assetsPerGallery);
    const totalRows = source.outbox.count();
    // Connect and migrate outside the timings: they happen once per app start, not per sync.
    await pusher.connect();
    await puller.connect();
    const t1 = performance.now();
    const pushed = await pusher.push();
    const t2 = performance.now();
    const pulled = await puller.pull();
    const t3 = performance.now();
    if (pushed.pushed !== totalRows || pulled.pulled !== totalRows) {
      throw new ShowcaseError(
        'internal',
        `sync benchmark lost rows: ${totalRows} queued, ${pushed.pushed} pushed, ${pulled.pulled} pulled`,
      );
    }
    const pushSeconds = (t2 - t1) / 1000;
    const pullSeconds = (t3 - t2) / 1000;
    return {
      galleries,
      totalRows,
      setupSeconds: (t1 - t0) / 1000,
      pushSeconds,
      pullSeconds,
      pushRowsPerSec: Math.round(totalRows / pushSeconds),
      pullRowsPerSec: Math.round(totalRows / pullSeconds),
      isolation,
    };
  } finally {
    await pusher.close();
    await puller.close();
    source.close();
    sink.close();
    await rm(dir, { recursive: true, force: true });
    if (isolation === 'database') {
      await adminQuery(options.url, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
    } else {
      await adminQuery(options.url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    }
  }
}

export interface BenchConcurrentOptions {
  url: string;
  /** Workstations pushing at once (default 3). */
  stations?: number;
  /** Rows each one pushes (default 5,000: products, galleries and 8 assets each). */
  rowsPerStation?: number;
  /** Measurements; the median ratio is reported (default 3). */
  runs?: number;
}

export interface BenchConcurrentResult {
  stations: number;
  rowsPerStation: number;
  /** Median seconds for one station pushing its rows alone into a fresh database. */
  oneSeconds: number;
  /** Median seconds for all stations pushing disjoint rows at the same time. */
  concurrentSeconds: number;
  /** Median of (concurrent / one) over the runs: 1 would be perfect overlap, `stations` full serialization. */
  ratio: number;
}

async function timedPushes(
  url: string,
  stations: number,
  galleries: number,
  dir: string,
  run: number,
): Promise<number> {
  const db = `showcase_bench_c_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(url, `CREATE DATABASE "${db}"`);
  const u = new URL(url);
  u.pathname = `/${db}`;
  const stores = Array.from({ length: stations }, (_, i) =>
    openStore(join(dir, `c${run}-${stations}-${i}.db`)),
  );
  const engines = stores.map((s) => new SyncEngine(s, { url: u.toString(), batchSize: 2000 }));
  try {
    stores.forEach((s, i) => {
      seedStore(s, galleries, 8, `st${i}`);
    });
    for (const e of engines) await e.connect();
    const t0 = performance.now();
    await Promise.all(engines.map((e) => e.push()));
    return (performance.now() - t0) / 1000;
  } finally {
    for (const e of engines) await e.close();
    for (const s of stores) s.close();
    await adminQuery(url, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => {});
  }
}

/**
 * Several workstations pushing disjoint rows at once, against one pushing alone (each into a fresh
 * database): how much the server serializes them. Workstations run in this process, so their own
 * JSON work shares one thread; the server side (one backend per connection) runs in parallel.
 */
export async function benchConcurrentPush(options: BenchConcurrentOptions): Promise<BenchConcurrentResult> {
  const stations = options.stations ?? 3;
  const rowsPerStation = options.rowsPerStation ?? 5000;
  const galleries = Math.max(1, Math.round(rowsPerStation / 10));
  const runs = options.runs ?? 3;
  const dir = await mkdtemp(join(tmpdir(), 'showcase-bench-concurrent-'));
  const target = describeTarget(options.url);
  try {
    const samples: Array<{ one: number; all: number }> = [];
    for (let r = 0; r < runs; r++) {
      const one = await timedPushes(options.url, 1, galleries, dir, r).catch((err: unknown) => {
        throw toSyncError(err, target, 'run the concurrent push benchmark');
      });
      const all = await timedPushes(options.url, stations, galleries, dir, r);
      samples.push({ one, all });
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    return {
      stations,
      rowsPerStation: galleries * 10,
      oneSeconds: median(samples.map((x) => x.one)),
      concurrentSeconds: median(samples.map((x) => x.all)),
      ratio: median(samples.map((x) => x.all / x.one)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
