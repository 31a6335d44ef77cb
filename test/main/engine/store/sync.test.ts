// The store's side of sync: outbox entries written atomically with their rows, the pull path
// (`applyRemote`), conflicts, sync_state and the persisted clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compareHlc,
  formatHlc,
  parseHlc,
  type Store,
  type SyncRow,
  tableSpecs,
} from '../../../../src/main/engine/store/index.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';
import {
  assetDraft,
  fakeClock,
  galleryDraft,
  product,
  rowHlc,
  seedGallery,
  type TempStores,
  tempStores,
} from './helpers.ts';

let t: TempStores;
let store: Store;
const clock = fakeClock();
beforeEach(async () => {
  t = await tempStores();
  store = t.open('a.db', { now: clock.now });
});
afterEach(async () => {
  await t.cleanup();
});

describe('outbox', () => {
  it('queues every synced write with the row and the same HLC the row was stamped with', () => {
    seedGallery(store);
    store.assets.createSet('g1', [assetDraft('h', 'hero')]);
    store.modelUsage.insert({
      jobId: null,
      backend: 'ollama',
      model: 'llama3.2',
      phase: 'copy',
      queuedMs: 0,
      loadMs: 0,
      runMs: 10,
      totalMs: 10,
      tokensIn: 1,
      tokensOut: 2,
      ok: true,
      error: null,
    });
    store.presets.upsert({
      id: 'x',
      name: 'X',
      prefix: '',
      negative: '',
      style: '',
      lighting: '',
      params: {},
    });
    const entries = store.outbox.peek();
    expect(entries.map((e) => e.table)).toEqual([
      'products',
      'product_galleries',
      'assets',
      'model_usage_log',
      'prompt_presets',
    ]);
    for (const e of entries) {
      expect(e.hlc).toBe(rowHlc(t.path('a.db'), e.table, e.rowId));
      expect(parseHlc(e.hlc).node).toBe(store.nodeId);
      expect(e.row.id).toBe(e.rowId);
      expect(Object.keys(e.row)).toEqual(tableSpecs[e.table].columns.map((c) => c.name));
    }
    // HLCs increase in write order.
    for (let i = 1; i < entries.length; i++) {
      expect(compareHlc(entries[i - 1]?.hlc as string, entries[i]?.hlc as string)).toBe(-1);
    }
    const gallery = entries[1]?.row as SyncRow;
    expect(gallery).toMatchObject({ product_id: 'p1', seed_locked: false, approved: false, copy: null });
    expect(entries[2]?.row.params).toEqual({ cfg: 2.5, steps: 20, sampler: 'euler' });
  });

  it('a throwing transaction leaves neither the rows nor their outbox entries', () => {
    expect(() =>
      store.transaction(() => {
        store.products.upsertMany([product('p1')]);
        store.galleries.create(galleryDraft('g1', 'p1'));
        expect(store.outbox.count()).toBe(2);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.products.get('p1')).toBeNull();
    expect(store.galleries.get('g1')).toBeNull();
    expect(store.outbox.count()).toBe(0);
    // A failing statement inside a repository call rolls back that call's earlier writes too.
    expect(() => store.products.upsertMany([product('ok'), product('bad id')])).toThrow(ShowcaseError);
    expect(store.outbox.count()).toBe(0);
  });

  it('keeps one entry per row: a newer write replaces the pending one in place, and ack of the old id keeps it', () => {
    store.products.upsertMany([product('p1'), product('p2')]);
    const [first] = store.outbox.peek(1);
    expect(first?.rowId).toBe('p1');
    // p1 changes while its first version is being pushed.
    clock.advance(10);
    store.products.upsertMany([product('p1', { name: 'Renamed' })]);
    expect(store.outbox.ack([first?.opId as string])).toBe(0);
    const pending = store.outbox.peek();
    expect(pending.map((e) => e.rowId)).toEqual(['p1', 'p2']); // original position kept
    expect(pending[0]?.row.name).toBe('Renamed');
    expect(compareHlc(first?.hlc as string, pending[0]?.hlc as string)).toBe(-1);
    expect(store.outbox.ack(pending.map((e) => e.opId))).toBe(2);
    expect(store.outbox.count()).toBe(0);
    expect(store.outbox.ack([])).toBe(0);
  });

  it('queues a jobs summary only when a job reaches a terminal status', () => {
    seedGallery(store);
    store.outbox.ack(store.outbox.peek().map((e) => e.opId));
    store.jobs.enqueue([{ id: 'j', galleryId: 'g1', kind: 'copy', payload: { secret: 'engine-only' } }]);
    store.jobs.markRunning('j');
    store.jobs.setComfyPromptId('j', 'p');
    expect(store.outbox.count()).toBe(0);
    store.jobs.markDone('j');
    const [entry] = store.outbox.peek();
    expect(entry?.table).toBe('jobs');
    expect(entry?.row).toMatchObject({ id: 'j', status: 'done', comfy_prompt_id: 'p', depends_on: [] });
    expect(entry?.row).not.toHaveProperty('payload');
  });
});

describe('applyRemote', () => {
  function remoteProduct(id: string, name: string): SyncRow {
    return tableSpecs.products.toSyncRow({
      ...product(id, { name, brand: 'Rémote "B"' }),
      updatedAt: '2025-02-01T00:00:00.000Z',
    });
  }
  const remoteHlc = (ms: number, counter = 0) => formatHlc({ physical: ms, counter, node: 'remote-node' });

  it('tells usage rows this station wrote from rows pulled from a colleague (their backends are theirs)', () => {
    const usage = {
      jobId: null,
      backend: 'comfy-1',
      model: 'qwen_image_fp8_e4m3fn.safetensors',
      phase: 'image' as const,
      queuedMs: 0,
      loadMs: 0,
      runMs: 40_000,
      totalMs: 41_000,
      tokensIn: null,
      tokensOut: null,
      ok: true,
      error: null,
    };
    const mine = store.modelUsage.insert(usage);
    const theirs = { ...usage, id: 'pulled-usage', runMs: 90_000, at: '2025-02-01T00:00:00.000Z' };
    store.applyRemote(
      'model_usage_log',
      tableSpecs.model_usage_log.toSyncRow(theirs),
      remoteHlc(clock.now()),
    );
    expect(store.modelUsage.list().map((u) => u.id)).toEqual(
      expect.arrayContaining([mine.id, 'pulled-usage']),
    );
    expect(store.modelUsage.list({ localOnly: true })).toEqual([mine]);
  });

  it('inserts a pulled row without queuing it, and advances the clock past it', () => {
    const hlc = remoteHlc(clock.now() + 5000);
    expect(store.applyRemote('products', remoteProduct('r1', 'From the team'), hlc)).toEqual({
      outcome: 'inserted',
      conflictId: null,
    });
    expect(store.products.get('r1')).toMatchObject({ name: 'From the team', brand: 'Rémote "B"' });
    expect(store.outbox.count()).toBe(0);
    expect(rowHlc(t.path('a.db'), 'products', 'r1')).toBe(hlc);
    store.products.upsertMany([product('local')]);
    expect(compareHlc(hlc, store.outbox.peek()[0]?.hlc as string)).toBe(-1);
    // The same version again is a no-op; an older one is stale.
    expect(store.applyRemote('products', remoteProduct('r1', 'From the team'), hlc).outcome).toBe(
      'unchanged',
    );
    expect(
      store.applyRemote('products', remoteProduct('r1', 'Older'), remoteHlc(clock.now() - 1)).outcome,
    ).toBe('stale');
    expect(store.products.get('r1')?.name).toBe('From the team');
  });

  it('a newer remote version of the same field group wins locally; the pending edit stays queued for the server to judge', () => {
    store.products.upsertMany([product('p1', { name: 'Local edit' })]);
    const [pending] = store.outbox.peek();
    const result = store.applyRemote(
      'products',
      remoteProduct('p1', 'Remote edit'),
      remoteHlc(clock.now() + 1000),
    );
    expect(result).toEqual({ outcome: 'updated', conflictId: null });
    expect(store.products.get('p1')?.name).toBe('Remote edit');
    // Not dropped: pushed, it loses on the server, which keeps it in sync_conflicts for both stations.
    expect(store.outbox.peek()).toEqual([pending]);
    expect(store.conflicts.count()).toBe(0);
  });

  it('merges field groups: a remote approval and a local seed lock of one gallery both survive, in either order', () => {
    seedGallery(store);
    store.outbox.ack(store.outbox.peek().map((e) => e.opId));
    const base = store.galleries.get('g1') as NonNullable<ReturnType<typeof store.galleries.get>>;
    const before = rowHlc(t.path('a.db'), 'product_galleries', 'g1');
    clock.advance(1000);
    store.galleries.update('g1', { seedLocked: true });
    const [mine] = store.outbox.peek();
    // Only the seed group moved, and the entry says which clock the edit started from.
    expect(mine?.base).toEqual({ seed: before });
    expect(mine?.clocks).toMatchObject({ seed: mine?.hlc, approval: before, copy: before });
    // The colleague approved the same gallery, starting from the same version.
    const approved = tableSpecs.product_galleries.toSyncRow({ ...base, approved: true });
    const theirHlc = remoteHlc(clock.now() + 500);
    const clocks = Object.fromEntries(
      ['core', 'copy', 'approval', 'seed', 'prompts', 'render', 'publish'].map((g) => [
        g,
        g === 'approval' ? theirHlc : before,
      ]),
    );
    expect(store.applyRemote('product_galleries', approved, theirHlc, clocks).outcome).toBe('updated');
    expect(store.galleries.get('g1')).toMatchObject({ approved: true, seedLocked: true });
    // Applying it again changes nothing.
    expect(store.applyRemote('product_galleries', approved, theirHlc, clocks).outcome).toBe('unchanged');
    expect(store.galleries.get('g1')).toMatchObject({ approved: true, seedLocked: true });
  });

  it('keeps a newer local row against an older remote one, and its outbox entry still pushes', () => {
    store.products.upsertMany([product('p1', { name: 'Newer local' })]);
    const result = store.applyRemote(
      'products',
      remoteProduct('p1', 'Old remote'),
      remoteHlc(clock.now() - 10_000),
    );
    expect(result).toEqual({ outcome: 'stale', conflictId: null });
    expect(store.products.get('p1')?.name).toBe('Newer local');
    expect(store.outbox.count()).toBe(1);
  });

  it('validates pulled rows with the domain schema and names the field', () => {
    const bad = { ...remoteProduct('p1', 'x'), attributes: { price: { amount: -5, currency: 'EUR' } } };
    try {
      store.applyRemote('products', bad, remoteHlc(clock.now()));
      expect.unreachable();
    } catch (err) {
      expect((err as ShowcaseError).code).toBe('invalid_input');
      expect((err as ShowcaseError).message).toMatch(/products\.price\.amount/);
    }
    expect(() => store.applyRemote('secrets', {}, remoteHlc(clock.now()))).toThrow(/not a synced table/);
    expect(() => store.applyRemote('products', remoteProduct('p1', 'x'), 'yesterday')).toThrow(/Invalid HLC/);
    expect(store.products.count()).toBe(0);
  });

  it('accepts Postgres-style values: JSON columns as text and booleans as 0/1', () => {
    seedGallery(store);
    const row = {
      ...tableSpecs.assets.toSyncRow({ ...assetDraft('a1', 'hero'), galleryId: 'g1', updatedAt: 'x' }),
      params: '{"cfg":3.5,"label":"\\"q\\" ü"}',
      approved: 1,
      seed_locked: 0,
    };
    expect(store.applyRemote('assets', row, remoteHlc(clock.now() + 1)).outcome).toBe('inserted');
    expect(store.assets.get('a1')).toMatchObject({
      params: { cfg: 3.5, label: '"q" ü' },
      approved: true,
      seedLocked: false,
    });
  });

  it('skips jobs summaries from other nodes', () => {
    expect(store.applyRemote('jobs', { id: 'theirs' }, remoteHlc(clock.now()))).toEqual({
      outcome: 'skipped',
      conflictId: null,
    });
  });

  it('applies a page child-before-parent inside remoteTransaction, together with the checkpoint', () => {
    const hlc = remoteHlc(clock.now());
    const gallery = tableSpecs.product_galleries.toSyncRow({
      ...galleryDraft('g9', 'p9'),
      createdAt: 'c',
      updatedAt: 'u',
    });
    store.remoteTransaction(() => {
      store.applyRemote('product_galleries', gallery, hlc); // its product comes later in the page
      store.applyRemote('products', remoteProduct('p9', 'Parent'), hlc);
      store.syncState.set('checkpoint', '42');
    });
    expect(store.galleries.get('g9')?.productId).toBe('p9');
    expect(store.syncState.get('checkpoint')).toBe('42');
    // Outside remoteTransaction, a normal transaction still enforces foreign keys.
    expect(() =>
      store.transaction(() =>
        store.applyRemote('product_galleries', { ...gallery, id: 'orphan', product_id: 'none' }, hlc),
      ),
    ).toThrow(/does not exist/);
    // And a failing page leaves neither rows nor checkpoint.
    expect(() =>
      store.remoteTransaction(() => {
        store.applyRemote('products', remoteProduct('p10', 'x'), hlc);
        store.syncState.set('checkpoint', '43');
        throw new Error('connection lost');
      }),
    ).toThrow('connection lost');
    expect(store.products.get('p10')).toBeNull();
    expect(store.syncState.get('checkpoint')).toBe('42');
    expect(() => store.transaction(() => store.remoteTransaction(() => 1))).toThrow(/inside another/);
  });

  it('replays one store into another through the outbox (what the sync module will do via Postgres)', () => {
    const b = t.open('b.db', { now: clock.now });
    seedGallery(store);
    store.assets.createSet('g1', [assetDraft('h', 'hero', 0, { prompt: 'a "hero" — ü' })]);
    store.galleries.update('g1', { status: 'complete' });
    const push = store.outbox.peek();
    b.remoteTransaction(() => {
      for (const e of push) b.applyRemote(e.table, e.row, e.hlc);
    });
    store.outbox.ack(push.map((e) => e.opId));
    expect(b.products.get('p1')).toEqual(store.products.get('p1'));
    expect(b.galleries.get('g1')).toEqual(store.galleries.get('g1'));
    expect(b.assets.listByGallery('g1')).toEqual(store.assets.listByGallery('g1'));
    expect(b.outbox.count()).toBe(0);
    expect(b.nodeId).not.toBe(store.nodeId);
  });
});

describe('sync_state and the persisted clock', () => {
  it('gets and sets free keys, refuses the store-managed ones', () => {
    expect(store.syncState.get('checkpoint')).toBeNull();
    store.syncState.set('checkpoint', '17');
    store.syncState.set('last_push_at', '2025-01-01T00:00:00.000Z');
    expect(store.syncState.get('checkpoint')).toBe('17');
    store.syncState.delete('checkpoint');
    expect(store.syncState.get('checkpoint')).toBeNull();
    expect(store.syncState.all()).toMatchObject({
      last_push_at: '2025-01-01T00:00:00.000Z',
      node_id: store.nodeId,
    });
    expect(() => store.syncState.set('node_id', 'x')).toThrow(/managed by the store/);
    expect(() => store.syncState.set('hlc_last', 'x')).toThrow(/managed by the store/);
  });

  it('never issues an HLC below one already stored, even when the wall clock went back across a restart', () => {
    store.products.upsertMany([product('p1')]);
    const before = store.outbox.peek()[0]?.hlc as string;
    store.close();
    const back = fakeClock(clock.now() - 3_600_000);
    const again = t.open('a.db', { now: back.now });
    again.products.upsertMany([product('p1', { name: 'after restart' })]);
    const after = again.outbox.peek()[0]?.hlc as string;
    expect(compareHlc(before, after)).toBe(-1);
  });

  it('two connections on one file (app and CLI) never issue the same HLC', () => {
    const frozen = () => clock.now(); // both see the very same wall-clock millisecond
    const other = t.open('a.db', { now: frozen });
    store.products.upsertMany([product('p1')]);
    other.products.upsertMany([product('p2')]);
    store.products.upsertMany([product('p3')]);
    const hlcs = store.outbox.peek().map((e) => e.hlc);
    expect(new Set(hlcs).size).toBe(3);
    expect([...hlcs].sort()).toEqual(hlcs);
  });
});
