// SyncEngine against a real PostgreSQL: two workstations (two SQLite files) converging, conflicts kept
// on both sides, idempotent pushes, and an outbox that survives a crash.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, SyncRow } from '../../../../src/main/engine/store/index.ts';
import type { SyncStatus } from '../../../../src/shared/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';
import {
  assetDraft,
  closeEngines,
  count,
  engineFor,
  fakeClock,
  freshSchema,
  galleryDraft,
  product,
  rawTables,
  type TempStores,
  tempStores,
  withPg,
} from './helpers.ts';

const pg = await createTestDatabase('sync_engine');
afterAll(async () => {
  await pg?.drop();
});

describe.skipIf(!pg)(`SyncEngine with two workstations${skipNote(pg)}`, () => {
  const url = pg?.url ?? '';
  let t: TempStores;
  beforeEach(async () => {
    t = await tempStores();
  });
  afterEach(async () => {
    await closeEngines();
    await t.cleanup();
  });

  /** Workstation A creates three products with galleries (g1 has a published hero); both sync. */
  async function twoWorkstations(label: string) {
    const clock = fakeClock(Date.now());
    const a = t.open('a.db', { now: clock.now });
    const b = t.open('b.db', { now: clock.now });
    const schema = freshSchema(label);
    const statuses: SyncStatus[] = [];
    const ea = engineFor(a, url, { schema, onStatus: (s) => statuses.push(s) });
    const eb = engineFor(b, url, { schema });
    a.products.upsertMany([product('p1'), product('p2'), product('p3')]);
    for (const n of [1, 2, 3]) a.galleries.create(galleryDraft(`g${n}`, `p${n}`));
    a.assets.createSet('g1', [
      assetDraft('g1-hero', 'hero', 0, {
        sha256: 'ab'.repeat(32),
        width: 1328,
        height: 1328,
        status: 'done',
        remoteUrl: 'https://cdn.example.com/product_p1_hero.png',
      }),
    ]);
    await ea.syncOnce();
    await eb.syncOnce();
    expect(rawTables(t.path('b.db'))).toEqual(rawTables(t.path('a.db')));
    return { clock, a, b, ea, eb, schema, statuses };
  }

  async function serverConflicts(schema: string) {
    return withPg(
      url,
      async (c) => (await c.query(`SELECT * FROM ${schema}.sync_conflicts ORDER BY id`)).rows,
    );
  }

  for (const first of ['A', 'B'] as const) {
    it(`converges after offline edits of the same and different galleries, ${first} syncing first; the conflict is kept on both sides`, async () => {
      const { clock, a, b, ea, eb, schema, statuses } = await twoWorkstations(`conv_${first.toLowerCase()}`);

      // Offline: both edit g1 (B later, so B's version wins), each edits its own gallery.
      clock.advance(1000);
      a.galleries.update('g1', { promptPrefix: 'A: warm window light' });
      a.galleries.update('g2', { promptPrefix: 'A only' });
      a.modelUsage.insert({
        jobId: null,
        backend: 'ollama',
        model: 'llama3.2',
        phase: 'copy',
        queuedMs: 1,
        loadMs: 2,
        runMs: 3,
        totalMs: 6,
        tokensIn: 10,
        tokensOut: 20,
        ok: true,
        error: null,
      });
      a.jobs.enqueue([{ id: 'j1', galleryId: 'g2', kind: 'copy' }]);
      a.jobs.markRunning('j1');
      a.jobs.markDone('j1');
      clock.advance(1000);
      b.galleries.update('g1', { promptPrefix: 'B: cold north light' });
      b.galleries.update('g3', { promptPrefix: 'B only' });

      const [x, y] = first === 'A' ? [ea, eb] : [eb, ea];
      await x.syncOnce();
      await y.syncOnce();
      await x.syncOnce();

      // Identical rows, hlc included, on both workstations.
      expect(rawTables(t.path('a.db'))).toEqual(rawTables(t.path('b.db')));
      for (const s of [a, b]) {
        expect(s.galleries.get('g1')?.promptPrefix).toBe('B: cold north light');
        expect(s.galleries.get('g2')?.promptPrefix).toBe('A only');
        expect(s.galleries.get('g3')?.promptPrefix).toBe('B only');
        expect(s.modelUsage.list()).toHaveLength(1);
        expect(s.outbox.count()).toBe(0);
      }
      // Job summaries flow up, not down.
      expect(
        await count(url, `SELECT count(*) AS n FROM ${schema}.jobs WHERE id = 'j1' AND status = 'done'`),
      ).toBe(1);
      expect(b.jobs.get('j1')).toBeNull();
      // Assets carry the hash, size and published URL (never image bytes).
      const hero = await withPg(
        url,
        async (c) =>
          (await c.query(`SELECT sha256, width, remote_url FROM ${schema}.assets WHERE id = 'g1-hero'`))
            .rows[0],
      );
      expect(hero).toEqual({
        sha256: 'ab'.repeat(32),
        width: '1328',
        remote_url: 'https://cdn.example.com/product_p1_hero.png',
      });

      // The losing version of g1 is kept on the server …
      const server = await serverConflicts(schema);
      expect(server).toHaveLength(1);
      expect(server[0]).toMatchObject({
        tbl: 'product_galleries',
        row_id: 'g1',
        reason: first === 'A' ? 'push_overwrote' : 'push_lost',
        loser_node: a.nodeId,
        winner_node: b.nodeId,
        loser: { prompt_prefix: 'A: warm window light' },
        winner: { prompt_prefix: 'B: cold north light' },
      });
      // … and on both workstations, from each one's point of view.
      const [ca] = a.conflicts.list();
      const [cb] = b.conflicts.list();
      if (!ca || !cb) throw new Error('expected a conflict on each workstation');
      expect(a.conflicts.count()).toBe(1);
      expect(b.conflicts.count()).toBe(1);
      expect(ca).toMatchObject({ table: 'product_galleries', rowId: 'g1', resolved: false });
      expect((ca.local as SyncRow).prompt_prefix).toBe('A: warm window light');
      expect((ca.remote as SyncRow).prompt_prefix).toBe('B: cold north light');
      expect((cb.local as SyncRow).prompt_prefix).toBe('B: cold north light');
      expect((cb.remote as SyncRow).prompt_prefix).toBe('A: warm window light');
      expect(ca.localHlc).toBe(cb.remoteHlc);

      // Another round moves nothing and records nothing new.
      const again = await ea.syncOnce();
      expect(again).toMatchObject({ pushed: 0, pulled: 0, conflicts: 0 });
      expect(await serverConflicts(schema)).toHaveLength(1);
      expect(ea.status()).toMatchObject({
        configured: true,
        online: true,
        pendingOps: 0,
        conflicts: 1,
        error: null,
      });
      expect(statuses.at(-1)).toEqual(ea.status());
      expect(ea.status().lastSyncAt).not.toBeNull();
    });
  }

  it('pulling before pushing: the newer version of a field wins locally, pending edits stay queued, and the server keeps both losers once', async () => {
    const { clock, a, b, ea, eb, schema } = await twoWorkstations('pull_side');
    clock.advance(1000);
    a.galleries.update('g1', { promptPrefix: 'A1' }); // will lose to B1
    clock.advance(1000);
    b.galleries.update('g1', { promptPrefix: 'B1' });
    b.galleries.update('g2', { promptPrefix: 'B2' }); // will lose to A2
    await eb.syncOnce();
    clock.advance(1000);
    a.galleries.update('g2', { promptPrefix: 'A2' });

    // A pulls before pushing its pending edits.
    const pulled = await ea.pull();
    expect(pulled).toMatchObject({ received: 2, pulled: 1, stale: 1, rejected: 0 });
    expect(a.galleries.get('g1')?.promptPrefix).toBe('B1');
    expect(a.galleries.get('g2')?.promptPrefix).toBe('A2');
    expect(a.outbox.peek().map((e) => e.rowId)).toEqual(['g1', 'g2']);

    await ea.syncOnce(); // pushes both: the server finds both concurrent edits of prompt_prefix
    await eb.syncOnce(); // pulls A2 and both conflicts
    expect(rawTables(t.path('a.db'))).toEqual(rawTables(t.path('b.db')));
    const server = await serverConflicts(schema);
    expect(
      server.map((c) => [c.row_id, c.grp, c.fields, c.cause, c.loser.prompt_prefix, c.winner.prompt_prefix]),
    ).toEqual([
      ['g1', 'prompts', 'prompt_prefix', 'concurrent_edit', 'A1', 'B1'],
      ['g2', 'prompts', 'prompt_prefix', 'concurrent_edit', 'B2', 'A2'],
    ]);
    const local = a.conflicts.list();
    expect(
      local.map((c) => [
        c.rowId,
        c.field,
        c.reason,
        (c.local as SyncRow).prompt_prefix,
        (c.remote as SyncRow).prompt_prefix,
      ]),
    ).toEqual([
      ['g1', 'prompt_prefix', 'concurrent_edit', 'A1', 'B1'],
      ['g2', 'prompt_prefix', 'concurrent_edit', 'A2', 'B2'],
    ]);
    expect(b.conflicts.count()).toBe(2);
    // Nothing duplicated by further rounds.
    await ea.syncOnce();
    await eb.syncOnce();
    expect(a.conflicts.count()).toBe(2);
    expect(b.conflicts.count()).toBe(2);
    expect(await serverConflicts(schema)).toHaveLength(2);
  });

  it('a pulled row this store cannot take is parked with the reason, retried every round, and does not stall the pull', async () => {
    const { a, b, ea, eb, schema } = await twoWorkstations('rejected');
    // Both render g2's hero, each under its own asset id: the local store allows one asset per slot.
    a.assets.createSet('g2', [assetDraft('a-hero', 'hero')]);
    b.assets.createSet('g2', [assetDraft('b-hero', 'hero')]);
    a.galleries.update('g3', { promptPrefix: 'after the clash' });
    await ea.syncOnce();
    // And someone fixed a row by hand on the server with a clock two days ahead.
    const future = `${String(Date.now() + 2 * 86_400_000).padStart(13, '0')}-00000-handfix`;
    await withPg(url, (c) =>
      c.query(`UPDATE ${schema}.products SET name = 'Hand fix', hlc = $1 WHERE id = 'p3'`, [future]),
    );

    const result = await eb.syncOnce();
    expect(result.pull).toMatchObject({ rejected: 2, parked: 2 });
    expect(b.galleries.get('g3')?.promptPrefix).toBe('after the clash'); // the rest of the page applied
    expect(b.assets.get('a-hero')).toBeNull();
    expect(b.products.get('p3')?.name).toBe('Product p3');
    const parked = () =>
      b.syncLocal.parked().map((p) => [p.table, p.rowId, p.reason, p.hlc === future, p.attempts]);
    expect(parked()).toEqual(
      expect.arrayContaining([
        ['assets', 'a-hero', 'other', false, 1],
        ['products', 'p3', 'clock_skew', true, 1],
      ]),
    );
    expect(b.syncLocal.parked().find((p) => p.rowId === 'p3')?.message).toMatch(/ahead/);
    // The checkpoint moved on, but the parked rows are tried again every round (and still refused).
    expect((await eb.syncOnce()).pull).toMatchObject({ received: 0, rejected: 0, parked: 2 });
    expect(parked()).toEqual(
      expect.arrayContaining([
        ['assets', 'a-hero', 'other', false, 2],
        ['products', 'p3', 'clock_skew', true, 2],
      ]),
    );
    // Once the slot is free here (an operator removed the clashing draft), the parked asset applies.
    const raw = new Database(t.path('b.db'));
    raw.prepare("DELETE FROM assets WHERE id = 'b-hero'").run();
    raw.close();
    expect((await eb.syncOnce()).pull).toMatchObject({ recovered: 1, parked: 1 });
    expect(b.assets.get('a-hero')?.kind).toBe('hero');
  });

  it('starts pulling from the beginning when the database behind the URL is a different one', async () => {
    const first = freshSchema('first_db');
    const second = freshSchema('second_db');
    const a = t.open('a.db');
    a.products.upsertMany(Array.from({ length: 30 }, (_, i) => product(`old${i}`)));
    await engineFor(a, url, { schema: first }).syncOnce();
    const b = t.open('b.db');
    await engineFor(b, url, { schema: first }).syncOnce();
    expect(Number(b.syncState.get('checkpoint'))).toBeGreaterThanOrEqual(30);

    // The team moves to a new database; its change sequence starts again at 1.
    const c = t.open('c.db');
    c.products.upsertMany(Array.from({ length: 5 }, (_, i) => product(`new${i}`)));
    await engineFor(c, url, { schema: second }).syncOnce();
    const logs: string[] = [];
    const result = await engineFor(b, url, { schema: second, log: (_l, m) => logs.push(m) }).syncOnce();
    expect(result.pulled).toBe(5);
    expect(b.products.get('new4')).not.toBeNull();
    expect(logs.some((m) => m.includes('not the one this workstation synced with before'))).toBe(true);
  });

  it('two workstations importing the same sheet do not raise a conflict for identical content', async () => {
    const clock = fakeClock(Date.now());
    const a = t.open('a.db', { now: clock.now });
    const b = t.open('b.db', { now: clock.now });
    const schema = freshSchema('same_sheet');
    a.products.upsertMany([product('p1', { brand: 'Acme' })]);
    clock.advance(500);
    b.products.upsertMany([product('p1', { brand: 'Acme' })]);
    await engineFor(a, url, { schema }).syncOnce();
    await engineFor(b, url, { schema }).syncOnce();
    expect(await serverConflicts(schema)).toHaveLength(0);
    expect(b.conflicts.count()).toBe(0);
  });

  it('pushing the same batch twice (a restored copy of the outbox) leaves one row version and one applied op', async () => {
    const schema = freshSchema('idem');
    const path = t.path('a.db');
    const a = t.open('a.db');
    a.products.upsertMany(Array.from({ length: 20 }, (_, i) => product(`p${i}`)));
    a.close(); // the WAL is folded into the file on close
    copyFileSync(path, t.path('a-copy.db'));

    const first = await engineFor(t.open('a.db'), url, { schema, batchSize: 8 }).push();
    expect(first).toMatchObject({ pushed: 20, duplicates: 0, batches: 3 });
    const versions = await withPg(
      url,
      async (c) => (await c.query(`SELECT id, hlc, seq FROM ${schema}.products ORDER BY id`)).rows,
    );

    const copy = t.open('a-copy.db');
    expect(copy.outbox.count()).toBe(20);
    const second = await engineFor(copy, url, { schema, batchSize: 8 }).push();
    expect(second).toMatchObject({ pushed: 0, duplicates: 20 });
    expect(copy.outbox.count()).toBe(0);
    expect(
      await withPg(
        url,
        async (c) => (await c.query(`SELECT id, hlc, seq FROM ${schema}.products ORDER BY id`)).rows,
      ),
    ).toEqual(versions);
    expect(await count(url, `SELECT count(*) AS n FROM ${schema}.applied_ops`)).toBe(20);
    expect(await count(url, `SELECT count(DISTINCT op_id) AS n FROM ${schema}.applied_ops`)).toBe(20);
    expect(await count(url, `SELECT count(*) AS n FROM ${schema}.sync_conflicts`)).toBe(0);
  });

  it('an outbox written just before a crash survives and is pushed on restart', async () => {
    const schema = freshSchema('crash');
    const path = t.path('crash.db');
    const storeModule = fileURLToPath(new URL('../../../../src/main/engine/store/index.ts', import.meta.url));
    // A real crash: the child writes, then SIGKILLs itself without closing the store or syncing.
    const script = `
      import { openStore } from ${JSON.stringify(storeModule)};
      const store = openStore(${JSON.stringify(path)});
      store.products.upsertMany([{ id: 'crash-1', handle: 'crash-1', name: 'Drafted offline', materials: [], colors: [], tags: [], attributes: {} }]);
      store.galleries.create({ id: 'crash-g', productId: 'crash-1', status: 'draft', copy: null, promptPrefix: 'x', presetId: null,
        baseSeed: 7, seedLocked: true, family: 'qwen-image', htmlPath: null, jsonPath: null, publishedUrl: null, approved: false, error: null });
      process.kill(process.pid, 'SIGKILL');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal, stderr }).toMatchObject({ signal: 'SIGKILL' });

    const reopened: Store = t.open('crash.db');
    expect(reopened.outbox.peek().map((e) => e.rowId)).toEqual(['crash-1', 'crash-g']);
    const result = await engineFor(reopened, url, { schema }).syncOnce();
    expect(result).toMatchObject({ pushed: 2 });
    expect(reopened.outbox.count()).toBe(0);
    expect(
      await count(
        url,
        `SELECT count(*) AS n FROM ${schema}.product_galleries WHERE id = 'crash-g' AND seed_locked`,
      ),
    ).toBe(1);
    const other = t.open('other.db');
    await engineFor(other, url, { schema }).syncOnce();
    expect(other.products.get('crash-1')?.name).toBe('Drafted offline');
  });
});
