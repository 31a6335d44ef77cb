// Clocks that lie: stations 2 days ahead, 1 h ahead, 1 h behind, and a clock fixed after running ahead.
// Every station and Postgres must converge to identical canonical dumps within two rounds, concurrent
// edits of one field must be ordered by real time (within the drift bound), and a station the server
// refuses keeps its drafts.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SKEW_REFUSED } from '../../../../src/main/engine/sync/index.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';
import {
  closeEngines,
  freshSchema,
  galleryDraft,
  product,
  type TempStores,
  tempStores,
  withPg,
} from './helpers.ts';
import { byId, DAY, dumpServer, dumpStation, HOUR, type Station, station } from './team.ts';

const pg = await createTestDatabase('sync_skew');
afterAll(async () => {
  await pg?.drop();
});

/**
 * Lets real time move on by `ms` between two edits, so "which came first" has an answer larger than
 * the error of the offset measurement. Not a synchronisation: nothing is awaited but the clock.
 */
function realTimePasses(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.skipIf(!pg)(`sync with skewed clocks${skipNote(pg)}`, () => {
  const url = pg?.url ?? '';
  let t: TempStores;
  beforeEach(async () => {
    t = await tempStores();
  });
  afterEach(async () => {
    await closeEngines();
    await t.cleanup();
  });

  async function converged(stations: Station[], schema: string): Promise<void> {
    const server = byId(await dumpServer(url, schema));
    for (const s of stations)
      expect({ station: s.name, dump: dumpStation(t.path(`${s.name}.db`)) }).toEqual({
        station: s.name,
        dump: server,
      });
  }

  it('+2 days, +1 h and −1 h stations order concurrent edits by real time and converge within two rounds', async () => {
    const schema = freshSchema('skew_mixed');
    const ok = station(t, url, 'ok', 0, { schema });
    const ahead2d = station(t, url, 'ahead2d', 2 * DAY, { schema });
    const ahead1h = station(t, url, 'ahead1h', HOUR, { schema });
    const behind1h = station(t, url, 'behind1h', -HOUR, { schema });
    const team = [ok, ahead2d, ahead1h, behind1h];
    ok.store.products.upsertMany([product('p1'), product('p2')]);
    ok.store.galleries.create(galleryDraft('g1', 'p1'));
    ok.store.galleries.create(galleryDraft('g2', 'p2'));
    for (const s of team) await s.engine.syncOnce();
    // Each station measured its offset to the server's clock.
    expect(Math.abs(ahead2d.engine.clockOffsetMs + 2 * DAY)).toBeLessThan(5000);
    expect(Math.abs(behind1h.engine.clockOffsetMs - HOUR)).toBeLessThan(5000);

    // g1: the station 2 days ahead edits first, then the one 1 h ahead, then the one 1 h behind (last).
    ahead2d.store.galleries.update('g1', { promptPrefix: 'by +2d (first)' });
    await realTimePasses(40);
    ahead1h.store.galleries.update('g1', { promptPrefix: 'by +1h (second)' });
    await realTimePasses(40);
    behind1h.store.galleries.update('g1', { promptPrefix: 'by -1h (last)' });
    // g2: the station 1 h behind edits first, the correct one after it.
    behind1h.store.galleries.update('g2', { promptPrefix: 'by -1h (first)' });
    await realTimePasses(40);
    ok.store.galleries.update('g2', { promptPrefix: 'by ok (last)' });

    for (let round = 0; round < 2; round++) for (const s of team) await s.engine.syncOnce();
    for (const s of team) {
      expect(s.store.galleries.get('g1')?.promptPrefix).toBe('by -1h (last)');
      expect(s.store.galleries.get('g2')?.promptPrefix).toBe('by ok (last)');
    }
    await converged(team, schema);
    // Nobody's HLC was dragged into the future.
    for (const s of team) expect(s.store.clock.aheadMs()).toBeLessThan(60_000);
    // The losing edits are kept, named by field.
    const kept = await withPg(
      url,
      async (c) =>
        (
          await c.query(
            `SELECT row_id, fields, loser->>'prompt_prefix' AS lost FROM ${schema}.sync_conflicts ORDER BY id`,
          )
        ).rows,
    );
    expect(kept).toEqual(
      expect.arrayContaining([
        { row_id: 'g1', fields: 'prompt_prefix', lost: 'by +2d (first)' },
        { row_id: 'g2', fields: 'prompt_prefix', lost: 'by -1h (first)' },
      ]),
    );
  });

  it('a station 2 days ahead without correction is refused with SY001, keeps its drafts, and converges once its clock is fixed', async () => {
    const schema = freshSchema('skew_refused');
    const ok = station(t, url, 'ok', 0, { schema });
    const wrong = station(t, url, 'wrong', 2 * DAY, { schema, correctClock: false });
    ok.store.products.upsertMany([product('p1')]);
    ok.store.galleries.create(galleryDraft('g1', 'p1'));
    await ok.engine.syncOnce();
    await wrong.engine.syncOnce(); // pulls only: nothing of its own yet

    wrong.store.galleries.update('g1', { promptPrefix: 'drafted with a wrong clock', approved: true });
    const err = await wrong.engine.syncOnce().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ShowcaseError);
    const refusal = err as ShowcaseError;
    expect(refusal.details?.code).toBe(SKEW_REFUSED);
    expect(refusal.message).toMatch(/SY001/);
    expect(refusal.message).toContain(wrong.store.nodeId);
    expect(refusal.message).toMatch(/17\d{4} s ahead/); // ~172,800 s
    expect(refusal.hint).toMatch(/clock/);
    expect(wrong.engine.status().error).toMatch(/SY001/);
    // The drafts are intact and still queued; the server has none of them.
    expect(wrong.store.galleries.get('g1')).toMatchObject({
      promptPrefix: 'drafted with a wrong clock',
      approved: true,
    });
    expect(wrong.store.outbox.count()).toBe(1);
    await ok.engine.syncOnce();
    expect(ok.store.galleries.get('g1')?.promptPrefix).toBe('studio white');

    // The operator fixes the clock: the future clock state is repaired, the drafts are restamped and pushed.
    wrong.skewMs = 0;
    for (let round = 0; round < 2; round++) for (const s of [wrong, ok]) await s.engine.syncOnce();
    expect(wrong.store.clock.aheadMs()).toBeLessThan(60_000);
    expect(ok.store.galleries.get('g1')).toMatchObject({
      promptPrefix: 'drafted with a wrong clock',
      approved: true,
    });
    await converged([ok, wrong], schema);
    // Later edits from a correct station win again (no leftover future timestamps).
    ok.store.galleries.update('g1', { promptPrefix: 'after the fix' });
    for (const s of [ok, wrong]) await s.engine.syncOnce();
    expect(wrong.store.galleries.get('g1')?.promptPrefix).toBe('after the fix');
  });

  it('a clock that ran ahead and is fixed while the app is closed: the persisted hlc_last is repaired on the next sync', async () => {
    const schema = freshSchema('skew_fixed');
    const ok = station(t, url, 'ok', 0, { schema });
    ok.store.products.upsertMany([product('p1')]);
    ok.store.galleries.create(galleryDraft('g1', 'p1'));
    await ok.engine.syncOnce();
    // Offline, with the clock two days ahead: an approval is stamped in the future and persisted.
    const drifted = station(t, url, 'drifted', 2 * DAY, { schema });
    await drifted.engine.syncOnce();
    await drifted.engine.close();
    drifted.store.close();
    const offline = t.open('drifted.db', { now: () => Date.now() + 2 * DAY });
    offline.galleries.update('g1', { approved: true });
    offline.close();
    // Reopened with the clock fixed: the state is still two days ahead until the next sync repairs it.
    const fixed = station(t, url, 'drifted', 0, { schema });
    expect(fixed.store.clock.aheadMs()).toBeGreaterThan(DAY);
    ok.store.galleries.update('g1', { seedLocked: true });
    for (let round = 0; round < 2; round++) for (const s of [fixed, ok]) await s.engine.syncOnce();
    expect(fixed.store.clock.aheadMs()).toBeLessThan(60_000);
    for (const s of [ok, fixed])
      expect(s.store.galleries.get('g1')).toMatchObject({ approved: true, seedLocked: true });
    await converged([ok, fixed], schema);
  });
});
