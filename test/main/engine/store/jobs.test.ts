import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobDraft, Store } from '../../../../src/main/engine/store/index.ts';
import type { JobStatus, ShowcaseError } from '../../../../src/shared/index.ts';
import { expectCode, seedGallery, type TempStores, tempStores } from './helpers.ts';

let t: TempStores;
let store: Store;
beforeEach(async () => {
  t = await tempStores();
  store = t.open();
  seedGallery(store, 'g1');
});
afterEach(async () => {
  await t.cleanup();
});

/** The showcase DAG of DESIGN §6: copy → hero → variations; copy → lifestyle; hero → thumbnail. */
function showcaseDag(prefix: string, galleryId = 'g1'): JobDraft[] {
  const id = (s: string) => `${prefix}${s}`;
  return [
    // Listed dependents-first on purpose: a batch may reference jobs later in the same batch.
    { id: id('thumb'), galleryId, kind: 'thumbnail', dependsOn: [id('hero')] },
    ...[1, 2, 3, 4].map((n) => ({
      id: id(`var${n}`),
      galleryId,
      kind: 'variation' as const,
      dependsOn: [id('hero')],
      payload: { variation: n },
    })),
    { id: id('life'), galleryId, kind: 'lifestyle', dependsOn: [id('copy')] },
    { id: id('hero'), galleryId, kind: 'hero', dependsOn: [id('copy')] },
    { id: id('copy'), galleryId, kind: 'copy' },
  ];
}

/**
 * Runs queued jobs in enqueue order, passing over those the journal refuses to start (a dependency not
 * done), until a pass starts nothing; asserts each started job's dependencies were done. The order of
 * work is the scheduler's business (test/main/engine/jobs/scheduler.test.ts); this checks the
 * journal's own guard.
 */
function drain(s: Store): string[] {
  const order: string[] = [];
  for (let progress = true; progress; ) {
    progress = false;
    for (const job of s.jobs.listByStatus('queued', { limit: 1_000_000 })) {
      try {
        s.jobs.markRunning(job.id);
      } catch (err) {
        expect((err as ShowcaseError).message).toMatch(/still waits for/);
        continue;
      }
      for (const dep of job.dependsOn)
        expect(s.jobs.get(dep)?.status, `${job.id} started before ${dep}`).toBe('done');
      order.push(job.id);
      s.jobs.markDone(job.id);
      progress = true;
    }
  }
  return order;
}

describe('enqueue', () => {
  it('stores queued jobs with their payload (quotes and unicode survive)', () => {
    const payload = {
      prompt: 'a "quoted" sofa — 🛋️ Ærø\n',
      params: { cfg: 2.5, seed: 2 ** 53 - 1 },
      list: [null, true],
    };
    const [job] = store.jobs.enqueue([{ id: 'j1', galleryId: 'g1', kind: 'copy', payload, priority: 3 }]);
    expect(job).toMatchObject({
      id: 'j1',
      status: 'queued',
      attempts: 0,
      dependsOn: [],
      comfyPromptId: null,
    });
    store.close();
    const again = t.open();
    expect(again.jobs.getEntry('j1')).toEqual({ job, payload, priority: 3 });
  });

  it('rejects bad batches and writes nothing of them', () => {
    const bad: Array<[JobDraft[], ShowcaseError['code'], RegExp]> = [
      [
        [
          { id: 'a', galleryId: 'g1', kind: 'copy' },
          { id: 'a', galleryId: 'g1', kind: 'hero' },
        ],
        'invalid_input',
        /appears twice/,
      ],
      [[{ id: 'a', galleryId: 'g1', kind: 'copy', dependsOn: ['a'] }], 'invalid_input', /depends on itself/],
      [
        [
          { id: 'a', galleryId: 'g1', kind: 'copy', dependsOn: ['c'] },
          { id: 'b', galleryId: 'g1', kind: 'hero', dependsOn: ['a'] },
          { id: 'c', galleryId: 'g1', kind: 'hero', dependsOn: ['b'] },
        ],
        'invalid_input',
        /cycle/,
      ],
      [[{ id: 'a', galleryId: 'g1', kind: 'hero', dependsOn: ['ghost'] }], 'not_found', /ghost/],
      [[{ id: 'a', galleryId: 'nope', kind: 'copy' }], 'not_found', /does not exist/],
      [[{ id: 'a', galleryId: 'g1', kind: 'paint' as never }], 'invalid_input', /jobs\.0\.kind/],
      [
        [{ id: 'a', galleryId: 'g1', kind: 'copy', payload: { when: new Date() } as never }],
        'invalid_input',
        /payload/,
      ],
    ];
    for (const [drafts, code, pattern] of bad) expectCode(() => store.jobs.enqueue(drafts), code, pattern);
    expect(store.jobs.counts().queued).toBe(0);
    store.jobs.enqueue([{ id: 'a', galleryId: 'g1', kind: 'copy' }]);
    expectCode(() => store.jobs.enqueue([{ id: 'a', galleryId: 'g1', kind: 'copy' }]), 'conflict');
  });
});

describe('dependencies', () => {
  it('refuses to start a job before every dependency is done, through the whole showcase DAG', () => {
    store.jobs.enqueue(showcaseDag('a-'));
    const first = store.jobs.markRunning('a-copy', { backend: 'ollama' });
    expect(first).toMatchObject({ id: 'a-copy', status: 'running', attempts: 1, backend: 'ollama' });
    expect(first.startedAt).not.toBeNull();
    // Everything else waits for copy.
    expectCode(() => store.jobs.markRunning('a-hero'), 'conflict', /waits for 1/);
    store.jobs.markDone('a-copy');
    const order = drain(store);
    expect(order).toHaveLength(7);
    expect(order.indexOf('a-hero')).toBeLessThan(order.indexOf('a-var1'));
    expect(order.indexOf('a-hero')).toBeLessThan(order.indexOf('a-thumb'));
    expect(store.jobs.counts()).toEqual({ queued: 0, running: 0, done: 8, failed: 0, cancelled: 0 });
  });

  it('treats a dependency on an existing done job as met and on a queued one as pending', () => {
    store.jobs.enqueue([{ id: 'old', galleryId: 'g1', kind: 'hero' }]);
    store.jobs.markRunning('old');
    store.jobs.markDone('old');
    store.jobs.enqueue([{ id: 'other', galleryId: 'g1', kind: 'copy' }]);
    store.jobs.enqueue([
      { id: 'after-done', galleryId: 'g1', kind: 'thumbnail', dependsOn: ['old'] },
      { id: 'after-queued', galleryId: 'g1', kind: 'lifestyle', dependsOn: ['other'] },
    ]);
    expect(drain(store)).toEqual(['other', 'after-done', 'after-queued']);
  });

  it('is rolled back with the surrounding transaction', () => {
    store.jobs.enqueue([{ id: 'j', galleryId: 'g1', kind: 'copy' }]);
    expect(() =>
      store.transaction(() => {
        store.jobs.markRunning('j');
        throw new Error('crash before submit');
      }),
    ).toThrow('crash before submit');
    expect(store.jobs.get('j')).toMatchObject({ status: 'queued', attempts: 0 });
  });
});

describe('status transitions', () => {
  it('records the ComfyUI prompt id before submission and finds the job by it', () => {
    store.jobs.enqueue([{ id: 'h', galleryId: 'g1', kind: 'hero' }]);
    expect(store.jobs.markRunning('h', { backend: 'comfy-1' }).backend).toBe('comfy-1');
    const job = store.jobs.setComfyPromptId('h', '5f1c2e9a-0000-4000-8000-000000000001');
    expect(job.comfyPromptId).toBe('5f1c2e9a-0000-4000-8000-000000000001');
    expect(store.jobs.findByComfyPromptId('5f1c2e9a-0000-4000-8000-000000000001')?.id).toBe('h');
    store.jobs.markDone('h');
    expectCode(() => store.jobs.setComfyPromptId('h', 'late'), 'conflict');
  });

  it('fails only the job itself: its dependents stay queued and blocked (the scheduler ends them through the lifecycle)', () => {
    store.jobs.enqueue([
      { id: 'a', galleryId: 'g1', kind: 'copy' },
      { id: 'b', galleryId: 'g1', kind: 'hero', dependsOn: ['a'] },
      { id: 'x', galleryId: 'g1', kind: 'copy' },
    ]);
    store.jobs.markRunning('a');
    const job = store.jobs.markFailed('a', 'ollama said "no"');
    expect(job).toMatchObject({ status: 'failed', error: 'ollama said "no"' });
    expect(job.finishedAt).not.toBeNull();
    expect(store.jobs.get('b')?.status).toBe('queued');
    expectCode(() => store.jobs.markRunning('b'), 'conflict', /waits for 1/);
    expect(store.jobs.get('x')?.status).toBe('queued');
    expect(store.jobs.markCancelled('b', 'dependency a failed')).toMatchObject({
      status: 'cancelled',
      error: 'dependency a failed',
    });
  });

  it('requeues a running job for a retry, keeping its attempts', () => {
    store.jobs.enqueue([
      { id: 'a', galleryId: 'g1', kind: 'copy' },
      { id: 'b', galleryId: 'g1', kind: 'hero', dependsOn: ['a'] },
    ]);
    store.jobs.markRunning('a');
    const retried = store.jobs.requeue('a', { error: 'retrying after oom' });
    expect(retried).toMatchObject({ status: 'queued', attempts: 1, startedAt: null, finishedAt: null });
    expect(drain(store)).toEqual(['a', 'b']);
    expect(store.jobs.get('a')?.attempts).toBe(2);
  });

  it('refuses illegal transitions with conflict', () => {
    store.jobs.enqueue([
      { id: 'a', galleryId: 'g1', kind: 'copy' },
      { id: 'b', galleryId: 'g1', kind: 'hero', dependsOn: ['a'] },
    ]);
    expectCode(() => store.jobs.markRunning('b'), 'conflict', /waits for 1/);
    expectCode(() => store.jobs.requeue('a'), 'conflict', /queued/);
    store.jobs.markRunning('a');
    store.jobs.markDone('a');
    expectCode(() => store.jobs.markDone('a'), 'conflict', /is done/);
    expectCode(() => store.jobs.markFailed('a', 'x'), 'conflict');
    expectCode(() => store.jobs.markDone('ghost'), 'not_found');
  });

  it('requeuing a done job (regenerate) blocks its not-yet-run dependents again', () => {
    store.jobs.enqueue([
      { id: 'hero', galleryId: 'g1', kind: 'hero' },
      { id: 'thumb', galleryId: 'g1', kind: 'thumbnail', dependsOn: ['hero'] },
    ]);
    store.jobs.setComfyPromptId('hero', 'p-1');
    store.jobs.markRunning('hero');
    store.jobs.markDone('hero');
    store.jobs.requeue('hero');
    expect(store.jobs.get('hero')?.comfyPromptId).toBeNull();
    expectCode(() => store.jobs.markRunning('thumb'), 'conflict', /waits for 1/);
    expect(drain(store)).toEqual(['hero', 'thumb']);
  });

  it('lists by status in enqueue order and counts every status', () => {
    store.jobs.enqueue(showcaseDag('a-'));
    store.jobs.markRunning('a-copy');
    expect(store.jobs.listByStatus('running').map((j) => j.id)).toEqual(['a-copy']);
    expect(store.jobs.listByStatus(['queued'], { limit: 2 }).map((j) => j.id)).toEqual(['a-thumb', 'a-var1']);
    const counts: Record<JobStatus, number> = store.jobs.counts();
    expect(counts).toEqual({ queued: 7, running: 1, done: 0, failed: 0, cancelled: 0 });
  });
});

describe('recoverInterrupted', () => {
  it('returns the jobs a crashed process left running, with their prompt ids, once', async () => {
    store.jobs.enqueue(showcaseDag('a-'));
    store.close();

    // A separate process claims two jobs, records a prompt id for one, and dies without closing the store.
    const script = join(t.dir, 'crash.mjs');
    const storeUrl = new URL('../../../../src/main/engine/store/index.ts', import.meta.url).href;
    await writeFile(
      script,
      `import { openStore } from ${JSON.stringify(storeUrl)};
       const s = openStore(${JSON.stringify(t.path())});
       s.jobs.markRunning('a-copy', { backend: 'ollama' });
       s.jobs.markDone('a-copy');
       s.jobs.markRunning('a-hero', { backend: 'comfy-1' });
       s.jobs.setComfyPromptId('a-hero', 'prompt-123');
       s.jobs.markRunning('a-life', { backend: 'comfy-2' });
       process.kill(process.pid, 'SIGKILL');`,
    );
    const child = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(child.signal, child.stderr).toBe('SIGKILL');

    const reopened = t.open();
    expect(reopened.jobs.get('a-copy')?.status).toBe('done');
    const recovered = reopened.jobs.recoverInterrupted();
    const byId = new Map(recovered.map((e) => [e.job.id, e.job]));
    expect([...byId.keys()].sort()).toEqual(['a-hero', 'a-life']);
    expect(byId.get('a-hero')).toMatchObject({
      status: 'running',
      comfyPromptId: 'prompt-123',
      backend: 'comfy-1',
    });
    expect(byId.get('a-life')).toMatchObject({ status: 'running', comfyPromptId: null, backend: 'comfy-2' });
    // Adopted by this session: asking again returns nothing, and this session's own claims never show up.
    expect(reopened.jobs.recoverInterrupted()).toEqual([]);
    reopened.jobs.markDone('a-hero'); // the engine found the result in /history
    reopened.jobs.requeue('a-life'); // never submitted: run it again
    expect(reopened.jobs.markRunning('a-life').attempts).toBe(2);
    expect(reopened.jobs.recoverInterrupted()).toEqual([]);
    expect(reopened.jobs.counts()).toMatchObject({ running: 1, done: 2 });
  });

  it('finds running jobs after a plain close and reopen too', () => {
    store.jobs.enqueue([{ id: 'j', galleryId: 'g1', kind: 'copy', payload: { n: 1 } }]);
    store.jobs.markRunning('j');
    expect(store.jobs.recoverInterrupted()).toEqual([]);
    store.close();
    const again = t.open();
    expect(again.jobs.recoverInterrupted()).toEqual([
      expect.objectContaining({
        payload: { n: 1 },
        job: expect.objectContaining({ id: 'j', status: 'running' }),
      }),
    ]);
  });
});

describe('10,000 jobs', () => {
  it('enqueues in one batch and runs every job exactly once, none before its dependencies', () => {
    const drafts: JobDraft[] = [];
    for (let i = 0; i < 2000; i++) {
      drafts.push({ id: `c${i}`, galleryId: 'g1', kind: 'copy' });
      drafts.push({ id: `h${i}`, galleryId: 'g1', kind: 'hero', dependsOn: [`c${i}`], payload: { i } });
      for (let v = 1; v <= 3; v++) {
        drafts.push({ id: `v${i}-${v}`, galleryId: 'g1', kind: 'variation', dependsOn: [`h${i}`] });
      }
    }
    expect(store.jobs.enqueue(drafts)).toHaveLength(10_000);
    // One transaction around the whole run: this checks the journal's guard, not 20,000 commits.
    const order = store.transaction(() => drain(store));
    expect(new Set(order).size).toBe(10_000);
    expect(store.jobs.counts()).toEqual({ queued: 0, running: 0, done: 10_000, failed: 0, cancelled: 0 });
    // One summary per finished job waits in the outbox (coalesced per job).
    expect(store.outbox.peek(20_000).filter((o) => o.table === 'jobs')).toHaveLength(10_000);
  });
});
