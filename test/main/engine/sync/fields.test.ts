// Field-level merges through the real Postgres: edits of different field groups of one gallery made on
// three workstations all survive in every sync order; only edits of the same field conflict, the
// conflict names the field, and "keep mine" restores only that field everywhere and resolves the
// conflict on every station. Plus one syncer per store and writes that nudge a sync.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEASE_BUSY } from '../../../../src/main/engine/sync/index.ts';
import type { ShowcaseCopy } from '../../../../src/shared/index.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';
import {
  closeEngines,
  engineFor,
  freshSchema,
  galleryDraft,
  product,
  type TempStores,
  tempStores,
  withPg,
} from './helpers.ts';
import { byId, dumpServer, dumpStation, type Station, station } from './team.ts';

const pg = await createTestDatabase('sync_fields');
afterAll(async () => {
  await pg?.drop();
});

const copy = (title: string): ShowcaseCopy => ({
  title,
  tagline: 'A tagline',
  bullets: ['one', 'two', 'three'],
  description: 'A description.',
  prompts: { hero: 'hero', lifestyle: 'lifestyle', variations: ['v1'], negative: '' },
  language: 'en',
  source: 'llm',
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((x, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]),
  );
}

describe.skipIf(!pg)(`field-level merges${skipNote(pg)}`, () => {
  const url = pg?.url ?? '';
  let t: TempStores;
  beforeEach(async () => {
    t = await tempStores();
  });
  afterEach(async () => {
    await closeEngines();
    await t.cleanup();
  });

  async function team(label: string): Promise<{ schema: string; a: Station; b: Station; c: Station }> {
    const schema = freshSchema(label);
    const a = station(t, url, `a_${label}`, 0, { schema });
    const b = station(t, url, `b_${label}`, 0, { schema });
    const c = station(t, url, `c_${label}`, 0, { schema });
    a.store.products.upsertMany([product('p1')]);
    a.store.galleries.create(galleryDraft('g1', 'p1', { copy: copy('Original title') }));
    for (const s of [a, b, c]) await s.engine.syncOnce();
    return { schema, a, b, c };
  }

  for (const order of permutations(['a', 'b', 'c'] as const)) {
    it(`approval on A, seed lock on B and a title on C all survive, syncing ${order.join(' → ')}`, async () => {
      const { schema, a, b, c } = await team(order.join(''));
      a.store.galleries.update('g1', { approved: true });
      b.store.galleries.update('g1', { seedLocked: true, baseSeed: 777 });
      c.store.galleries.update('g1', { copy: copy('New title from C') });
      const byName = { a, b, c };
      for (let round = 0; round < 2; round++) for (const n of order) await byName[n].engine.syncOnce();
      for (const s of [a, b, c]) {
        expect(s.store.galleries.get('g1')).toMatchObject({
          approved: true,
          seedLocked: true,
          baseSeed: 777,
          copy: { title: 'New title from C' },
        });
        expect(s.store.conflicts.count()).toBe(0);
      }
      const server = byId(await dumpServer(url, schema));
      for (const s of [a, b, c]) expect(dumpStation(t.path(`${s.name}.db`))).toEqual(server);
      expect(
        await withPg(url, async (q) => (await q.query(`SELECT * FROM ${schema}.sync_conflicts`)).rowCount),
      ).toBe(0);
    });
  }

  it('two edits of the same field conflict and name it; "keep mine" restores only that field, syncs, and resolves it on every station', async () => {
    const { schema, a, b } = await team('keep_mine');
    a.store.galleries.update('g1', { copy: copy('Title by A') });
    await a.engine.syncOnce();
    // B edits without having seen A's edit (concurrent), a sync round later: its copy is the newer
    // one by a margin no clock-offset noise between the stations can reverse.
    b.store.galleries.update('g1', { copy: copy('Title by B'), seedLocked: true });
    await b.engine.syncOnce(); // B's copy is newer: A's loses, the server keeps it
    await a.engine.syncOnce();
    for (const s of [a, b]) expect(s.store.galleries.get('g1')?.copy?.title).toBe('Title by B');
    const [mine] = a.store.conflicts.list({ resolved: false });
    expect(mine).toMatchObject({
      table: 'product_galleries',
      rowId: 'g1',
      field: 'copy',
      reason: 'concurrent_edit',
    });
    expect(b.store.conflicts.list({ resolved: false })).toMatchObject([{ field: 'copy' }]);

    a.store.conflicts.resolveWith(mine?.id ?? 0, 'local');
    // Only the copy came back: B's seed lock stays.
    expect(a.store.galleries.get('g1')).toMatchObject({ copy: { title: 'Title by A' }, seedLocked: true });
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    for (const s of [a, b]) {
      expect(s.store.galleries.get('g1')).toMatchObject({ copy: { title: 'Title by A' }, seedLocked: true });
      expect(s.store.conflicts.count({ resolved: false })).toBe(0);
    }
    const server = await withPg(
      url,
      async (q) => (await q.query(`SELECT resolved, resolved_by FROM ${schema}.sync_conflicts`)).rows,
    );
    expect(server).toEqual([{ resolved: true, resolved_by: a.store.nodeId }]);
    // The new version made no new conflict anywhere.
    expect(a.store.conflicts.count()).toBe(1);
    expect(b.store.conflicts.count()).toBe(1);
  });

  it('one syncer per store: a second process on the same file waits its turn (SY002) and no conflict is listed twice', async () => {
    const { a } = await team('lease');
    // The CLI beside the app: a second connection to the same file, its own engine.
    const cliStore = t.open(`${a.name}.db`);
    const schema = a.engine.schema;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const app = engineFor(a.store, url, {
      schema,
      hooks: {
        async beforePushCommit() {
          entered();
          await held;
        },
      },
    });
    const cli = engineFor(cliStore, url, { schema });
    a.store.galleries.update('g1', { approved: true });
    const appRound = app.syncOnce();
    await inside;
    const err = await cli.syncOnce().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ShowcaseError);
    expect((err as ShowcaseError).details?.code).toBe(LEASE_BUSY);
    expect((err as ShowcaseError).message).toContain(String(process.pid));
    release();
    await appRound;
    // Its turn now.
    await expect(cli.syncOnce()).resolves.toMatchObject({ pushed: 0 });
  });

  it('approve, seed lock and publish nudge a background sync without anyone calling notifyChange', async () => {
    const { a, b } = await team('nudge');
    a.engine.start({ intervalMs: 3_600_000, debounceMs: 20 });
    const pushedAll = () =>
      new Promise<void>((resolve) => {
        const off = a.engine.subscribe((s) => {
          if (s.pendingOps === 0 && s.online) {
            off();
            resolve();
          }
        });
      });
    for (const patch of [
      { approved: true },
      { seedLocked: true },
      { publishedUrl: 'https://cdn.example.com/g1.html' },
    ]) {
      const done = pushedAll();
      a.store.galleries.update('g1', patch);
      await done;
    }
    await a.engine.stop();
    await b.engine.syncOnce();
    expect(b.store.galleries.get('g1')).toMatchObject({
      approved: true,
      seedLocked: true,
      publishedUrl: 'https://cdn.example.com/g1.html',
    });
  });

  it('pushes of disjoint rows run side by side, and a pull waits for the slower one instead of skipping its rows', async () => {
    const schema = freshSchema('concurrent');
    const slow = station(t, url, 'slow', 0, { schema });
    const fast = station(t, url, 'fast', 0, { schema });
    const reader = station(t, url, 'reader', 0, { schema });
    slow.store.products.upsertMany(Array.from({ length: 50 }, (_, i) => product(`slow-${i}`)));
    fast.store.products.upsertMany(Array.from({ length: 50 }, (_, i) => product(`fast-${i}`)));
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const paused = engineFor(slow.store, url, {
      schema,
      hooks: {
        async beforePushCommit() {
          entered();
          await held;
        },
      },
    });
    const slowPush = paused.push();
    await inside; // the slow push took its change numbers and holds its transaction open
    // The fast station's push commits meanwhile: it is not queued behind the slow one.
    await expect(fast.engine.push()).resolves.toMatchObject({ pushed: 50 });
    await reader.engine.connect();
    const pull = reader.engine.pull(); // must not move its checkpoint past the slow push's rows
    // The pull waits for the slow push (on the write lock, taken exclusively for its watermark).
    const app = `showcase-sync/${reader.store.nodeId}`;
    for (;;) {
      const waiting = await withPg(
        url,
        async (q) =>
          (
            await q.query(
              "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
              [app],
            )
          ).rowCount,
      );
      if (waiting) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    release();
    await slowPush;
    await pull;
    await reader.engine.pull();
    expect(reader.store.products.list({ limit: 1000 }).total).toBe(100);
  });
});
