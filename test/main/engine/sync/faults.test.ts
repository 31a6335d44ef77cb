// Connection cuts (pg_terminate_backend from another session) in the middle of a push and of a pull,
// a lost commit reply, and background mode while the team database is away.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../../src/main/engine/store/index.ts';
import { ShowcaseError, type SyncStatus } from '../../../../src/shared/index.ts';
import { createTestDatabase, skipNote, terminateBackends } from '../../../fixtures/postgres.ts';
import {
  closedPort,
  closeEngines,
  count,
  engineFor,
  freshSchema,
  product,
  type TempStores,
  tempStores,
  withPg,
} from './helpers.ts';

const pg = await createTestDatabase('sync_faults');
afterAll(async () => {
  await pg?.drop();
});

const APP = 'showcase-sync/';

async function rejection(promise: Promise<unknown>): Promise<ShowcaseError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ShowcaseError);
    return err as ShowcaseError;
  }
  throw new Error('expected a rejection');
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!pg)(`sync under connection faults${skipNote(pg)}`, () => {
  const db = pg as NonNullable<typeof pg>;
  const url = pg?.url ?? '';
  let t: TempStores;
  beforeEach(async () => {
    t = await tempStores();
  });
  afterEach(async () => {
    await closeEngines();
    await t.cleanup();
  });

  function seed(store: Store, n: number, prefix = 'p'): void {
    store.products.upsertMany(Array.from({ length: n }, (_, i) => product(`${prefix}${i}`)));
  }

  it('a push cut inside a batch transaction, and again between batches, loses nothing and applies nothing twice', async () => {
    const schema = freshSchema('cut_push');
    const a = t.open('a.db');
    seed(a, 300);
    let cutInside = true;
    let cutBetween = false;
    const engine = engineFor(a, url, {
      schema,
      batchSize: 50,
      hooks: {
        async beforePushCommit(batch) {
          if (cutInside && batch === 3) {
            cutInside = false;
            expect(await terminateBackends(db, APP)).toBe(1);
          }
        },
        async afterPushCommit(batch) {
          if (cutBetween && batch === 2) {
            cutBetween = false;
            await terminateBackends(db, APP); // the next batch meets a dead connection
          }
        },
      },
    });

    const first = await rejection(engine.push());
    expect(first.code).toBe('backend_unreachable');
    expect(first.retryable).toBe(true);
    expect(await count(url, `SELECT count(*) AS n FROM ${schema}.products`)).toBe(100); // batches 1–2
    expect(a.outbox.count()).toBe(200);
    expect(engine.status()).toMatchObject({ online: false, pendingOps: 200 });

    cutBetween = true;
    const second = await rejection(engine.push());
    expect(second.code).toBe('backend_unreachable');
    expect(await count(url, `SELECT count(*) AS n FROM ${schema}.products`)).toBe(200);
    expect(a.outbox.count()).toBe(100);

    const third = await engine.push();
    expect(third).toMatchObject({ pushed: 100, duplicates: 0 });
    expect(a.outbox.count()).toBe(0);
    expect(await count(url, `SELECT count(*) AS n FROM ${schema}.products`)).toBe(300);
    expect(await count(url, `SELECT count(*) AS n FROM ${schema}.applied_ops`)).toBe(300);
    expect(engine.status()).toMatchObject({ online: true, error: null, pendingOps: 0 });
  });

  it('a commit whose reply is lost is retried without changing anything', async () => {
    const schema = freshSchema('lost_reply');
    const a = t.open('a.db');
    seed(a, 120);
    let lose = true;
    const engine = engineFor(a, url, {
      schema,
      batchSize: 50,
      hooks: {
        afterPushCommit(batch) {
          if (lose && batch === 2) {
            lose = false;
            throw new Error('reply lost');
          }
        },
      },
    });
    await expect(engine.push()).rejects.toThrow(/reply lost/);
    expect(a.outbox.count()).toBe(70); // batch 2 committed on the server but was not acked here
    const versions = async () =>
      withPg(url, async (c) => (await c.query(`SELECT id, seq FROM ${schema}.products ORDER BY id`)).rows);
    const before = await versions();
    expect(before).toHaveLength(100);
    const retry = await engine.push();
    expect(retry).toMatchObject({ duplicates: 50, pushed: 20 });
    expect(a.outbox.count()).toBe(0);
    expect(await count(url, `SELECT count(*) AS n FROM ${schema}.applied_ops`)).toBe(120);
    // The duplicates did not write their rows again (a write would have moved the row's seq).
    const after = await versions();
    expect(after).toHaveLength(120);
    expect(after.filter((r) => before.some((b) => b.id === r.id))).toEqual(before);
  });

  it('a pull cut between pages resumes from its checkpoint: every row arrives once', async () => {
    const schema = freshSchema('cut_pull');
    const a = t.open('a.db');
    seed(a, 300);
    await engineFor(a, url, { schema }).push();

    const b = t.open('b.db');
    let cut = true;
    const engine = engineFor(b, url, {
      schema,
      pullPageSize: 40,
      hooks: {
        async afterPullPage(page) {
          if (cut && page === 2) {
            cut = false;
            await terminateBackends(db, APP);
          }
        },
      },
    });
    const err = await rejection(engine.pull());
    expect(err.code).toBe('backend_unreachable');
    expect(b.products.count()).toBe(80);
    const checkpoint = Number(b.syncState.get('checkpoint'));
    expect(checkpoint).toBeGreaterThan(0);

    const resumed = await engine.pull();
    expect(resumed).toMatchObject({ received: 220, pulled: 220, unchanged: 0 });
    expect(b.products.count()).toBe(300);
    expect(b.outbox.count()).toBe(0); // pulled rows never re-enter the outbox
    expect(b.conflicts.count()).toBe(0);
    expect(await engine.pull()).toMatchObject({ received: 0, pages: 0 });
  });

  it('background mode backs off exponentially while the database is unreachable and never throws at local writes', async () => {
    const port = await closedPort();
    const a = t.open('a.db');
    const attempts: number[] = [];
    const statuses: SyncStatus[] = [];
    const engine = engineFor(a, `postgres://studio:s3cret-pw@127.0.0.1:${port}/team`, {
      schema: freshSchema('offline'),
      log: (_level, message) => {
        if (message.startsWith('sync failed')) attempts.push(Date.now());
      },
      onStatus: (s) => statuses.push(s),
    });
    engine.start({ intervalMs: 10, initialBackoffMs: 20, maxBackoffMs: 120, debounceMs: 1 });
    const started = Date.now();
    while (Date.now() - started < 700) {
      seed(a, 1, `w${Date.now()}-`); // local drafting goes on
      engine.notifyChange();
      await new Promise((r) => setTimeout(r, 15));
    }
    await engine.stop();
    // 10 ms rounds would make ~70 attempts; doubling from 20 ms capped at 120 ms makes well under 15.
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.length).toBeLessThanOrEqual(14);
    const gaps = attempts.slice(1).map((v, i) => v - (attempts[i] as number));
    expect(gaps[0]).toBeLessThan(100);
    expect(Math.max(...gaps.slice(-2))).toBeGreaterThanOrEqual(100);
    const status = engine.status();
    expect(status).toMatchObject({ configured: true, online: false, pendingOps: a.outbox.count() });
    expect(status.error).toMatch(/connection refused/);
    expect(status.error).toContain(`postgres://studio:***@127.0.0.1:${port}/team`);
    expect(JSON.stringify(statuses)).not.toContain('s3cret-pw');
    expect(a.outbox.count()).toBeGreaterThan(10);
  });

  it('background mode pushes soon after notifyChange and survives its idle connection being killed', async () => {
    const schema = freshSchema('background');
    const a = t.open('a.db');
    const statuses: SyncStatus[] = [];
    const engine = engineFor(a, url, { schema, onStatus: (s) => statuses.push(s) });
    engine.start({ intervalMs: 60_000, debounceMs: 20 });
    await until(() => engine.status().online);

    seed(a, 3, 'bg1-');
    engine.notifyChange();
    await until(async () => (await count(url, `SELECT count(*) AS n FROM ${schema}.products`)) === 3);

    // The server drops the idle session: the engine must not crash and must reconnect on the next round.
    await terminateBackends(db, APP);
    await new Promise((r) => setTimeout(r, 50));
    seed(a, 2, 'bg2-');
    engine.notifyChange();
    await until(async () => (await count(url, `SELECT count(*) AS n FROM ${schema}.products`)) === 5);
    await until(() => engine.status().pendingOps === 0);
    await engine.stop();
    expect(engine.background.running).toBe(false);
    expect(statuses.some((s) => s.pendingOps > 0)).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ online: true, pendingOps: 0, error: null });
  });
});
