// The store's own sync bookkeeping (schema v2): the syncer lease, parked pulled rows, and the repair
// of a clock state left in the future, on real SQLite files with a controllable wall clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseHlc, type Store } from '../../../../src/main/engine/store/index.ts';
import { fakeClock, product, type TempStores, tempStores } from './helpers.ts';

let t: TempStores;
beforeEach(async () => {
  t = await tempStores();
});
afterEach(async () => {
  await t.cleanup();
});

const DAY = 86_400_000;

describe('sync lease', () => {
  it('one holder at a time on one file; it runs out by itself; the holder renews and releases it', () => {
    const clock = fakeClock();
    const app = t.open('s.db', { now: clock.now });
    const cli = t.open('s.db', { now: clock.now });
    expect(app.syncLocal.acquireLease('app', 60_000)).toBeNull();
    expect(cli.syncLocal.acquireLease('cli', 60_000)).toMatchObject({ owner: 'app', pid: process.pid });
    expect(app.syncLocal.acquireLease('app', 60_000)).toBeNull(); // renewal
    clock.advance(60_001);
    expect(cli.syncLocal.acquireLease('cli', 60_000)).toBeNull(); // a crashed holder frees it
    cli.syncLocal.releaseLease('cli');
    expect(app.syncLocal.acquireLease('app', 60_000)).toBeNull();
  });
});

describe('parked pulled rows', () => {
  it('keeps the newest version of a row with the reason and counts the attempts', () => {
    const store = t.open();
    const park = (hlc: string, message: string) =>
      store.syncLocal.park({
        table: 'products',
        rowId: 'p1',
        row: { id: 'p1' },
        hlc,
        clocks: null,
        reason: 'schema',
        message,
      });
    park('0000000000002-00000-x', 'second');
    park('0000000000001-00000-x', 'older arrives late');
    expect(store.syncLocal.parked()).toMatchObject([
      { rowId: 'p1', hlc: '0000000000002-00000-x', attempts: 2, reason: 'schema' },
    ]);
    store.syncLocal.unpark('products', 'p1', '0000000000001-00000-x'); // an older version applied: still parked
    expect(store.syncLocal.parkedCount()).toBe(1);
    store.syncLocal.unpark('products', 'p1', '0000000000003-00000-x');
    expect(store.syncLocal.parkedCount()).toBe(0);
  });
});

describe('clock repair', () => {
  function aheadStore(): { store: Store; set(ms: number): void } {
    let skew = 2 * DAY;
    const store = t.open('c.db', { now: () => Date.now() + skew });
    return { store, set: (ms) => (skew = ms) };
  }

  it('rewinds a clock state left in the future and moves only the pending edits stamped there', () => {
    const { store, set } = aheadStore();
    store.products.upsertMany([product('future')]);
    set(0);
    store.products.upsertMany([product('future', { name: 'edited after the fix' })]);
    store.products.upsertMany([product('now')]);
    expect(store.clock.aheadMs()).toBeGreaterThan(DAY);
    const before = new Map(store.outbox.peek().map((e) => [e.rowId, e.hlc]));
    const repair = store.syncLocal.repairClock(5 * 60_000);
    expect(repair.restamped).toBe(2); // both entries carry a future HLC (the clock never went back)
    expect(store.clock.aheadMs()).toBeLessThan(60_000);
    for (const e of store.outbox.peek()) {
      expect(parseHlc(e.hlc).physical).toBeLessThan(Date.now() + 60_000);
      expect(e.hlc).not.toBe(before.get(e.rowId));
    }
    // Nothing left to repair.
    expect(store.syncLocal.repairClock(5 * 60_000)).toMatchObject({ restamped: 0 });
    // New edits follow the real clock again.
    store.products.upsertMany([product('later')]);
    const later = store.outbox.peek().find((e) => e.rowId === 'later');
    expect(parseHlc(later?.hlc ?? '').physical).toBeLessThan(Date.now() + 60_000);
  });
});
