// The conflicts contract end to end: `sync.conflicts` lists what the store kept, `sync.resolveConflict`
// re-applies the picked version; with the real Postgres, two workstations converge on the picked one.
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/main/engine/engine.ts';
import { formatHlc, type SyncRow, tableSpecs } from '../../../src/main/engine/store/index.ts';
import {
  type MethodInput,
  type MethodName,
  type MethodOutput,
  methods,
  parseOrThrow,
  ShowcaseError,
} from '../../../src/shared/index.ts';
import { createTestDatabase, skipNote } from '../../fixtures/postgres.ts';
import { type Sims, startSims } from '../../fixtures/sims.ts';
import { product } from './store/helpers.ts';

const opened: Sims[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

/** Calls a method the way every transport does: input parsed by the contract, output checked by it. */
async function call<M extends MethodName>(
  engine: Engine,
  name: M,
  input: MethodInput<M>,
): Promise<MethodOutput<M>> {
  const parsed = parseOrThrow(methods[name].input, input, name);
  const handler = engine.handlers[name] as (i: unknown) => Promise<unknown>;
  return methods[name].output.parse(await handler(parsed)) as MethodOutput<M>;
}

async function workstation(overrides: Record<string, unknown> = {}): Promise<Sims> {
  const sims = await startSims({ engine: { overrides } });
  opened.push(sims);
  return sims;
}

function rows(path: string, table: string) {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT * FROM ${table} ORDER BY id`).all();
  } finally {
    db.close();
  }
}

describe('sync.conflicts / sync.resolveConflict (local store)', () => {
  it('lists conflicts, keeps the picked version as a new local write and reports it', async () => {
    const sims = await workstation();
    const { engine, events } = sims;
    const store = engine.store;
    store.products.upsertMany([product('p1', { name: 'Mine' })]);
    const remote = tableSpecs.products.toSyncRow({
      ...product('p1', { name: 'Theirs' }),
      updatedAt: '2025-02-01T00:00:00.000Z',
    });
    const hlc = formatHlc({ physical: Date.now() + 1000, counter: 0, node: 'other-node' });
    // As the sync exchange leaves it: our edit was pushed and lost to a newer one, kept by the server.
    const [pushed] = store.outbox.peek();
    store.outbox.ack(pushed ? [pushed.opId] : []);
    store.applyRemote('products', remote, hlc);
    const conflictId = store.conflicts.record({
      table: 'products',
      rowId: 'p1',
      local: pushed?.row ?? null,
      remote,
      localHlc: pushed?.hlc ?? null,
      remoteHlc: hlc,
      field: 'name',
      reason: 'concurrent_edit',
    }).id;

    const open = await call(engine, 'sync.conflicts', { resolved: false });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      id: conflictId,
      table: 'products',
      rowId: 'p1',
      remoteHlc: hlc,
      resolved: false,
      field: 'name',
      reason: 'concurrent_edit',
      local: { id: 'p1', name: 'Mine' },
      remote: { id: 'p1', name: 'Theirs' },
    });
    expect(await call(engine, 'sync.conflicts', { resolved: true })).toEqual([]);
    expect(await call(engine, 'sync.status', {})).toMatchObject({ conflicts: 1 });

    events.length = 0;
    const resolved = await call(engine, 'sync.resolveConflict', {
      conflictId: conflictId ?? 0,
      keep: 'local',
    });
    expect(resolved).toMatchObject({ id: conflictId, resolved: true, local: { name: 'Mine' } });
    expect(store.products.get('p1')?.name).toBe('Mine');
    expect(store.outbox.peek().map((e) => [e.table, e.rowId, (e.row as SyncRow).name])).toEqual([
      ['products', 'p1', 'Mine'],
    ]);
    expect(await call(engine, 'sync.conflicts', {})).toEqual([{ ...open[0], resolved: true }]);
    expect(await call(engine, 'sync.conflicts', { resolved: false })).toEqual([]);
    expect(events.some((e) => e.event === 'sync.status')).toBe(true);

    await expect(
      call(engine, 'sync.resolveConflict', { conflictId: conflictId ?? 0, keep: 'remote' }),
    ).rejects.toMatchObject({ code: 'conflict' });
    await expect(
      call(engine, 'sync.resolveConflict', { conflictId: 12345, keep: 'remote' }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('rejects bad input naming the field, and honours the limit', async () => {
    const { engine } = await workstation();
    for (const bad of [
      { conflictId: 1, keep: 'both' },
      { conflictId: 0, keep: 'local' },
      { keep: 'local' },
    ]) {
      await expect(call(engine, 'sync.resolveConflict', bad as never)).rejects.toBeInstanceOf(ShowcaseError);
    }
    try {
      await call(engine, 'sync.resolveConflict', { conflictId: 1, keep: 'both' as never });
      expect.unreachable();
    } catch (err) {
      expect((err as ShowcaseError).code).toBe('invalid_input');
      expect((err as ShowcaseError).message).toContain('keep');
    }
    for (let i = 0; i < 3; i += 1) {
      engine.store.conflicts.record({
        table: 'products',
        rowId: `p${i}`,
        local: null,
        remote: { id: `p${i}` },
        localHlc: null,
        remoteHlc: null,
      });
    }
    expect((await call(engine, 'sync.conflicts', { limit: 2 })).map((c) => c.rowId)).toEqual(['p0', 'p1']);
    expect(await call(engine, 'sync.conflicts', {})).toHaveLength(3);
  });

  it('tells an open showcase when a gallery conflict is resolved', async () => {
    const { engine, events } = await workstation();
    const store = engine.store;
    store.products.upsertMany([product('p1')]);
    const [galleryId] = await engine.start(['p1']);
    await engine.whenIdle();
    const gallery = store.galleries.get(galleryId ?? '');
    if (!gallery) throw new Error('no gallery');
    const mine = tableSpecs.product_galleries.toSyncRow({ ...gallery, promptPrefix: 'kept prefix' });
    const c = store.conflicts.record({
      table: 'product_galleries',
      rowId: gallery.id,
      local: mine,
      remote: tableSpecs.product_galleries.toSyncRow(gallery),
      localHlc: formatHlc({ physical: 1, counter: 0, node: 'a' }),
      remoteHlc: formatHlc({ physical: 2, counter: 0, node: 'b' }),
    });
    events.length = 0;
    await call(engine, 'sync.resolveConflict', { conflictId: c.id, keep: 'local' });
    const updated = events.find((e) => e.event === 'showcase.updated');
    expect(updated?.payload).toMatchObject({
      galleryId: gallery.id,
      gallery: { promptPrefix: 'kept prefix' },
    });
  });
});

const pg = await createTestDatabase('sync_conflicts');
afterAll(async () => {
  await pg?.drop();
});

describe.skipIf(!pg)(`resolving a conflict across two workstations${skipNote(pg)}`, () => {
  it('the workstation whose edit lost keeps it; after syncing both converge on it', async () => {
    // Background rounds only when asked (sync.now): the offline edits below must not leak out early.
    const overrides = { postgresUrl: pg?.url ?? '', syncIntervalSec: 86_400 };
    const a = await workstation(overrides);
    const b = await workstation(overrides);
    const ea = a.engine;
    const eb = b.engine;

    ea.store.products.upsertMany([product('p1', { name: 'Original' })]);
    await call(ea, 'sync.now', {});
    await call(eb, 'sync.now', {});
    expect(eb.store.products.get('p1')?.name).toBe('Original');

    // Offline edits of the same product; B's is later, so B's wins and A's loses.
    ea.store.products.upsertMany([product('p1', { name: 'A: matte black', brand: 'A' })]);
    await new Promise((r) => setTimeout(r, 5));
    eb.store.products.upsertMany([product('p1', { name: 'B: brushed steel', brand: 'B' })]);
    await call(ea, 'sync.now', {});
    await call(eb, 'sync.now', {});
    await call(ea, 'sync.now', {});
    for (const e of [ea, eb]) expect(e.store.products.get('p1')?.name).toBe('B: brushed steel');

    const [lost, ...others] = await call(ea, 'sync.conflicts', { resolved: false });
    expect(others).toEqual([]);
    expect(lost).toMatchObject({
      table: 'products',
      rowId: 'p1',
      local: { name: 'A: matte black' },
      remote: { name: 'B: brushed steel' },
    });
    // B took part too, so it keeps the same conflict from its side (exchanged through the server).
    const bConflictsBefore = await call(eb, 'sync.conflicts', {});
    expect(bConflictsBefore).toMatchObject([
      { rowId: 'p1', local: { name: 'B: brushed steel' }, resolved: false },
    ]);

    // A keeps its own (losing) version.
    const resolved = await call(ea, 'sync.resolveConflict', { conflictId: lost?.id ?? 0, keep: 'local' });
    expect(resolved.resolved).toBe(true);
    expect(ea.store.products.get('p1')).toMatchObject({ name: 'A: matte black', brand: 'A' });

    const pushed = await call(ea, 'sync.now', {});
    expect(pushed).toMatchObject({ pushed: 1, conflicts: 0 });
    const pulled = await call(eb, 'sync.now', {});
    expect(pulled).toMatchObject({ pulled: 1, conflicts: 0 });
    await call(ea, 'sync.now', {});

    for (const e of [ea, eb]) {
      expect(e.store.products.get('p1')).toMatchObject({ name: 'A: matte black', brand: 'A' });
      expect(e.store.outbox.count()).toBe(0);
    }
    // Identical rows, hlc included.
    expect(rows(b.dbPath, 'products')).toEqual(rows(a.dbPath, 'products'));
    // Resolved where it was decided; the resolution itself made no new conflict on either side.
    expect(await call(ea, 'sync.conflicts', { resolved: false })).toEqual([]);
    expect(await call(ea, 'sync.conflicts', {})).toEqual([{ ...lost, resolved: true }]);
    expect(await call(ea, 'sync.status', {})).toMatchObject({ conflicts: 0, pendingOps: 0 });
    // The resolution travelled: the server's conflict row and B's copy are resolved too.
    expect(await call(eb, 'sync.conflicts', {})).toEqual(
      bConflictsBefore.map((c) => ({ ...c, resolved: true })),
    );
    expect(await call(eb, 'sync.status', {})).toMatchObject({ conflicts: 0 });
  });
});
