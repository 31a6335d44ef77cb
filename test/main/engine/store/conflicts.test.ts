// Resolving a sync conflict by keeping one version: the kept version becomes a new local write (fresh
// HLC, outbox entry) in the same transaction that marks the conflict resolved.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compareHlc,
  conflictRecord,
  formatHlc,
  type Store,
  type SyncRow,
  tableSpecs,
} from '../../../../src/main/engine/store/index.ts';
import { methods } from '../../../../src/shared/index.ts';
import {
  expectCode,
  fakeClock,
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

const remoteHlc = (ms: number) => formatHlc({ physical: ms, counter: 0, node: 'remote-node' });

/**
 * p1 edited locally and pushed, where a newer edit of the same fields from another station had won;
 * the newer version is pulled, and the conflict the server kept comes down (as the exchange does).
 */
function productConflict() {
  store.products.upsertMany([product('p1', { name: 'Local edit', brand: 'Mine' })]);
  const [pushed] = store.outbox.peek();
  if (!pushed) throw new Error('expected an outbox entry');
  store.outbox.ack([pushed.opId]);
  const hlc = remoteHlc(clock.now() + 1000);
  const remote = tableSpecs.products.toSyncRow({
    ...product('p1', { name: 'Remote edit', brand: 'Theirs' }),
    updatedAt: '2025-02-01T00:00:00.000Z',
  });
  expect(store.applyRemote('products', remote, hlc).outcome).toBe('updated');
  const recorded = store.conflicts.record({
    table: 'products',
    rowId: 'p1',
    local: pushed.row,
    remote,
    localHlc: pushed.hlc,
    remoteHlc: hlc,
    field: 'name,attributes',
    reason: 'concurrent_edit',
    serverId: 1,
  });
  return { id: recorded.id, localHlc: pushed.hlc, remoteHlc: hlc };
}

describe('conflicts.resolveWith', () => {
  it('keeping the losing local version writes it again with a fresh HLC, queued, and marks it resolved', () => {
    const c = productConflict();
    expect(store.products.get('p1')?.name).toBe('Remote edit');
    expect(store.outbox.count()).toBe(0);
    clock.advance(60_000);

    const resolved = store.conflicts.resolveWith(c.id, 'local');

    expect(resolved).toMatchObject({
      id: c.id,
      table: 'products',
      rowId: 'p1',
      resolved: true,
      field: 'name,attributes',
      reason: 'concurrent_edit',
    });
    // The resolution goes to the server with the next sync, to resolve it on every station.
    expect(store.conflicts.unpushedResolutions()).toEqual([{ id: c.id, serverId: 1 }]);
    expect(store.conflicts.get(c.id)?.resolved).toBe(true);
    expect(store.conflicts.count({ resolved: false })).toBe(0);
    const kept = store.products.get('p1');
    expect(kept).toMatchObject({ name: 'Local edit', brand: 'Mine' });
    // A new write: stamped now, and newer than both versions, so it wins everywhere once pushed.
    expect(kept?.updatedAt).toBe(new Date(clock.now()).toISOString());
    const hlc = rowHlc(t.path('a.db'), 'products', 'p1');
    expect(compareHlc(hlc, c.localHlc)).toBe(1);
    expect(compareHlc(hlc, c.remoteHlc)).toBe(1);
    const [entry, ...more] = store.outbox.peek();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ table: 'products', rowId: 'p1', hlc });
    expect(entry?.row).toEqual(tableSpecs.products.toSyncRow(kept as NonNullable<typeof kept>));
  });

  it('keeping the version the row already holds writes nothing and only marks the conflict resolved', () => {
    const c = productConflict();
    const before = rowHlc(t.path('a.db'), 'products', 'p1');
    expect(store.conflicts.resolveWith(c.id, 'remote').resolved).toBe(true);
    expect(rowHlc(t.path('a.db'), 'products', 'p1')).toBe(before);
    expect(store.outbox.count()).toBe(0);
    expect(store.products.get('p1')?.name).toBe('Remote edit');
  });

  it('keeping the remote version after a later local edit writes the remote version back', () => {
    const c = productConflict();
    store.products.upsertMany([product('p1', { name: 'Edited again', brand: 'Mine' })]);
    clock.advance(10);
    store.conflicts.resolveWith(c.id, 'remote');
    expect(store.products.get('p1')).toMatchObject({ name: 'Remote edit', brand: 'Theirs' });
    // The pending entry for the row is replaced, not duplicated.
    expect(store.outbox.peek().map((e) => [e.rowId, e.row.name])).toEqual([['p1', 'Remote edit']]);
  });

  it('refuses unknown, already resolved and version-less conflicts, and jobs summaries', () => {
    expectCode(() => store.conflicts.resolveWith(999, 'local'), 'not_found', /999/);
    const c = productConflict();
    store.conflicts.resolveWith(c.id, 'remote');
    expectCode(() => store.conflicts.resolveWith(c.id, 'local'), 'conflict', /already resolved/);

    // A pulled row this store refused: there is no local version to put back.
    const rejected = store.conflicts.record({
      table: 'products',
      rowId: 'p9',
      local: null,
      remote: { id: 'p9', handle: 'h' },
      localHlc: null,
      remoteHlc: remoteHlc(clock.now()),
    });
    const err = expectCode(() => store.conflicts.resolveWith(rejected.id, 'local'), 'invalid_input');
    expect(err.details?.fields).toEqual(['keep']);
    // …and its remote version is not a valid product either: nothing is written.
    expectCode(() => store.conflicts.resolveWith(rejected.id, 'remote'), 'invalid_input');
    expect(store.products.get('p9')).toBeNull();

    const job = store.conflicts.record({
      table: 'jobs',
      rowId: 'j1',
      local: { id: 'j1' },
      remote: { id: 'j1' },
      localHlc: remoteHlc(1),
      remoteHlc: remoteHlc(2),
    });
    expectCode(() => store.conflicts.resolveWith(job.id, 'remote'), 'invalid_input', /jobs/);
    expect(store.conflicts.count({ resolved: false })).toBe(2);
  });

  it('rolls back together: when the kept version cannot be written, the conflict stays open and nothing is queued', () => {
    seedGallery(store);
    store.outbox.ack(store.outbox.peek().map((e) => e.opId));
    const gallery = tableSpecs.product_galleries.toSyncRow({
      ...(store.galleries.get('g1') as NonNullable<ReturnType<typeof store.galleries.get>>),
      productId: 'no-such-product',
      promptPrefix: 'orphan',
    });
    const c = store.conflicts.record({
      table: 'product_galleries',
      rowId: 'g1',
      local: gallery,
      remote: null,
      localHlc: remoteHlc(1),
      remoteHlc: remoteHlc(2),
    });
    const before = rowHlc(t.path('a.db'), 'product_galleries', 'g1');
    expectCode(() => store.conflicts.resolveWith(c.id, 'local'), 'not_found');
    expect(store.conflicts.get(c.id)?.resolved).toBe(false);
    expect(store.outbox.count()).toBe(0);
    expect(rowHlc(t.path('a.db'), 'product_galleries', 'g1')).toBe(before);
    expect(store.galleries.get('g1')?.promptPrefix).toBe('studio white');
  });

  it('is refused on a read-only store', () => {
    const c = productConflict();
    const ro = t.open('a.db', { readonly: true });
    expectCode(() => ro.conflicts.resolveWith(c.id, 'local'), 'storage_error', /read-only/);
    expect(store.conflicts.get(c.id)?.resolved).toBe(false);
  });
});

describe('conflictRecord', () => {
  it('gives the contract shape, which the sync.conflicts output schema accepts', () => {
    const c = productConflict();
    const record = conflictRecord(
      store.conflicts.get(c.id) as NonNullable<ReturnType<typeof store.conflicts.get>>,
    );
    expect((record.local as SyncRow).name).toBe('Local edit');
    expect(methods['sync.conflicts'].output.parse([record])).toEqual([record]);
    // A corrupt (non-object) version reads as "no version" instead of failing the list.
    const odd = store.conflicts.record({
      table: 'products',
      rowId: 'x',
      local: [1, 2],
      remote: 'text',
      localHlc: null,
      remoteHlc: null,
    });
    expect(conflictRecord(odd)).toMatchObject({ local: null, remote: null });
  });
});
