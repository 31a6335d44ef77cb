import { describe, expect, it } from 'vitest';
import {
  type Lane,
  type QueuedJob,
  Scheduler,
  type SchedulerHooks,
} from '../../../../src/main/engine/jobs/index.ts';
import type { JobKind } from '../../../../src/shared/index.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';

type LaneKind = 'llm' | 'comfy' | 'cpu';

function lane(id: string, kind: LaneKind, capacity: number, sharedWithLlm = false): Lane {
  return { id, kind, capacity, sharedWithLlm, online: true, sequential: false, inFlight: 0, lastModel: null };
}

function job(id: string, galleryId: string, kind: JobKind, dependsOn: string[] = []) {
  const laneKind: LaneKind = kind === 'copy' ? 'llm' : kind === 'thumbnail' ? 'cpu' : 'comfy';
  return {
    id,
    galleryId,
    assetId: kind === 'copy' ? null : `${galleryId}:${id}`,
    kind,
    status: 'queued' as const,
    attempts: 0,
    backend: null,
    comfyPromptId: null,
    dependsOn,
    error: null,
    queuedAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    payload: { type: 'copy' as const, model: 'llama3.2', language: 'en' },
    lane: laneKind,
    model: laneKind === 'comfy' ? 'qwen' : null,
  };
}

function showcaseJobs(g: string) {
  return [
    job(`${g}-copy`, g, 'copy'),
    job(`${g}-hero`, g, 'hero', [`${g}-copy`]),
    job(`${g}-life`, g, 'lifestyle', [`${g}-copy`]),
    job(`${g}-v1`, g, 'variation', [`${g}-hero`]),
    job(`${g}-v2`, g, 'variation', [`${g}-hero`]),
    job(`${g}-thumb`, g, 'thumbnail', [`${g}-hero`]),
  ];
}

interface Recorder {
  order: string[];
  phases: string[];
  finished: string[];
  failed: Array<[string, string]>;
  maxConcurrentOnShared: number;
}

function harness(
  lanes: Lane[],
  run: (job: QueuedJob, lane: Lane, signal: AbortSignal) => Promise<void> = () =>
    new Promise((r) => setTimeout(r, 2)),
  options = {},
) {
  const rec: Recorder = { order: [], phases: [], finished: [], failed: [], maxConcurrentOnShared: 0 };
  let llmActive = 0;
  let sharedActive = 0;
  const hooks: SchedulerHooks = {
    async execute(j, l, signal) {
      rec.order.push(j.id);
      if (l.kind === 'llm') llmActive += 1;
      if (l.sharedWithLlm) sharedActive += 1;
      rec.maxConcurrentOnShared = Math.max(
        rec.maxConcurrentOnShared,
        llmActive > 0 && sharedActive > 0 ? 2 : 1,
      );
      try {
        await run(j, l, signal);
      } finally {
        if (l.kind === 'llm') llmActive -= 1;
        if (l.sharedWithLlm) sharedActive -= 1;
      }
    },
    async enterImagePhase() {
      rec.phases.push('image');
    },
    async enterCopyPhase() {
      rec.phases.push('copy');
    },
    async recoverFromOom() {
      rec.phases.push('free');
    },
    jobStarted() {},
    jobRetrying() {},
    jobSucceeded(j) {
      rec.finished.push(j.id);
    },
    jobFailed(j, e) {
      rec.failed.push([j.id, e.code]);
    },
    jobCancelled() {},
    galleryFinished() {},
  };
  const scheduler = new Scheduler(lanes, hooks, { backoffMs: 1, ...options });
  return { scheduler, rec };
}

describe('Scheduler', () => {
  it('runs a showcase DAG respecting dependencies', async () => {
    const { scheduler, rec } = harness([
      lane('llm', 'llm', 1),
      lane('gpu0', 'comfy', 2, true),
      lane('cpu', 'cpu', 2),
    ]);
    scheduler.add(showcaseJobs('a'));
    await scheduler.whenIdle();
    const at = (id: string) => rec.order.indexOf(id);
    expect(rec.finished).toHaveLength(6);
    expect(at('a-hero')).toBeGreaterThan(at('a-copy'));
    expect(at('a-v1')).toBeGreaterThan(at('a-hero'));
    expect(at('a-thumb')).toBeGreaterThan(at('a-hero'));
  });

  it('batches copy before images on a shared GPU: one swap, never both models at once', async () => {
    const { scheduler, rec } = harness([
      lane('llm', 'llm', 1),
      lane('gpu0', 'comfy', 2, true),
      lane('cpu', 'cpu', 2),
    ]);
    scheduler.add([...showcaseJobs('a'), ...showcaseJobs('b'), ...showcaseJobs('c')]);
    await scheduler.whenIdle();
    const copies = rec.order.filter((id) => id.endsWith('copy')).map((id) => rec.order.indexOf(id));
    const firstImage = Math.min(...['a-hero', 'b-hero', 'c-hero'].map((id) => rec.order.indexOf(id)));
    expect(Math.max(...copies)).toBeLessThan(firstImage);
    expect(rec.phases).toEqual(['copy', 'image']);
    expect(scheduler.swaps).toBe(1);
    expect(rec.maxConcurrentOnShared).toBe(1);
  });

  it('overlaps copy and images when phase gating is off (VRAM suffices)', async () => {
    const { scheduler, rec } = harness(
      [lane('llm', 'llm', 1), lane('gpu0', 'comfy', 2, true), lane('cpu', 'cpu', 2)],
      () => new Promise((r) => setTimeout(r, 5)),
      { phaseGating: false },
    );
    scheduler.add([...showcaseJobs('a'), ...showcaseJobs('b'), ...showcaseJobs('c')]);
    await scheduler.whenIdle();
    expect(rec.phases).toEqual([]);
    expect(rec.maxConcurrentOnShared).toBe(2);
  });

  it('prefers heroes so variations unblock early', async () => {
    const { scheduler, rec } = harness([
      lane('llm', 'llm', 1),
      lane('gpu0', 'comfy', 1),
      lane('cpu', 'cpu', 1),
    ]);
    scheduler.add([...showcaseJobs('a'), ...showcaseJobs('b')]);
    await scheduler.whenIdle();
    const comfyOrder = rec.order.filter((id) => /hero|life|v\d/.test(id));
    // Both heroes run before any lifestyle shot once the copies are done.
    expect(comfyOrder.indexOf('b-hero')).toBeLessThan(comfyOrder.indexOf('a-life'));
  });

  it('retries a transient failure and fails permanently after maxAttempts, cascading to dependents', async () => {
    let heroCalls = 0;
    const { scheduler, rec } = harness(
      [lane('llm', 'llm', 1), lane('gpu0', 'comfy', 1), lane('cpu', 'cpu', 1)],
      async (j) => {
        if (j.id === 'a-v1' && j.attempts === 1) throw new ShowcaseError('comfy_execution', 'node blew up');
        if (j.id === 'b-hero') {
          heroCalls += 1;
          throw new ShowcaseError('comfy_validation', 'bad graph');
        }
      },
      { maxAttempts: 3 },
    );
    scheduler.add([...showcaseJobs('a'), ...showcaseJobs('b')]);
    await scheduler.whenIdle();
    expect(scheduler.get('a-v1')?.status).toBe('done');
    expect(scheduler.get('a-v1')?.attempts).toBe(2);
    expect(heroCalls).toBe(1); // validation errors are permanent
    expect(scheduler.get('b-v1')?.status).toBe('failed');
    expect(scheduler.get('b-thumb')?.status).toBe('failed');
    expect(scheduler.get('b-life')?.status).toBe('done');
    expect(rec.failed.map(([id]) => id).sort()).toEqual(['b-hero', 'b-thumb', 'b-v1', 'b-v2']);
  });

  it('waits for a backend that went down without spending attempts, then carries on when it answers', async () => {
    const gpu = lane('gpu0', 'comfy', 2);
    let down = true;
    let probes = 0;
    const { scheduler, rec } = harness(
      [lane('llm', 'llm', 1), gpu, lane('cpu', 'cpu', 1)],
      async (j) => {
        if (j.lane === 'comfy' && down) throw new ShowcaseError('backend_unreachable', 'ECONNREFUSED');
      },
      {
        maxAttempts: 2,
        backendWatch: { probeInitialMs: 5, probeMaxMs: 20, downLimitMs: 60_000 },
      },
    );
    (scheduler as unknown as { hooks: SchedulerHooks }).hooks.probeLane = async () => {
      probes += 1;
      if (probes >= 4) down = false;
      if (down) throw new Error('still down');
    };
    scheduler.add(showcaseJobs('a'));
    await scheduler.whenIdle();
    expect(rec.failed).toEqual([]);
    expect(probes).toBeGreaterThanOrEqual(4);
    for (const id of ['a-hero', 'a-life', 'a-v1', 'a-v2']) {
      expect(scheduler.get(id)?.status).toBe('done');
      // Every failure was the backend's: the successful run is the only attempt that counted.
      expect(scheduler.get(id)?.attempts).toBe(1);
    }
  });

  it('fails what waits for a backend that stays down after the bounded wait, naming it and the last error', async () => {
    const gpu = { ...lane('gpu0', 'comfy', 2), url: 'http://127.0.0.1:9', label: 'ComfyUI' };
    const { scheduler, rec } = harness(
      [lane('llm', 'llm', 1), gpu, lane('cpu', 'cpu', 1)],
      async (j) => {
        if (j.lane === 'comfy') throw new ShowcaseError('backend_unreachable', 'connect ECONNREFUSED');
      },
      { backendWatch: { probeInitialMs: 5, probeMaxMs: 10, downLimitMs: 60 } },
    );
    (scheduler as unknown as { hooks: SchedulerHooks }).hooks.probeLane = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9');
    };
    const errors = new Map<string, string>();
    const hooks = (scheduler as unknown as { hooks: SchedulerHooks }).hooks;
    const jobFailed = hooks.jobFailed;
    hooks.jobFailed = (j, e) => {
      errors.set(j.id, e.message);
      jobFailed(j, e);
    };
    scheduler.add(showcaseJobs('a'));
    await scheduler.whenIdle();
    expect(scheduler.get('a-copy')?.status).toBe('done');
    expect(rec.failed.map(([id]) => id).sort()).toEqual(['a-hero', 'a-life', 'a-thumb', 'a-v1', 'a-v2']);
    expect(errors.get('a-hero')).toMatch(
      /^ComfyUI at http:\/\/127\.0\.0\.1:9 has been unreachable for \d+ s \(last error: connect ECONNREFUSED 127\.0\.0\.1:9\); gave up waiting after 0 s$/,
    );
  });

  it('fails a deterministic error at once and says so', async () => {
    let calls = 0;
    const { scheduler } = harness(
      [lane('llm', 'llm', 1), lane('gpu0', 'comfy', 1), lane('cpu', 'cpu', 1)],
      async (j) => {
        if (j.id !== 'a-hero') return;
        calls += 1;
        throw new ShowcaseError('comfy_execution', 'ComfyUI failed in node 1 (UNETLoader): HeaderTooLarge', {
          details: { nodeType: 'UNETLoader', exceptionType: 'safetensors_rust.SafetensorError' },
        });
      },
    );
    scheduler.add(showcaseJobs('a'));
    await scheduler.whenIdle();
    expect(calls).toBe(1);
    expect(scheduler.get('a-hero')?.error).toMatch(
      /\(deterministic error: retrying cannot help, not retried\)$/,
    );
  });

  it('drops a lane to sequential after an OOM and frees VRAM before the retry', async () => {
    const gpu = lane('gpu0', 'comfy', 2);
    let oomDone = false;
    const { scheduler, rec } = harness([lane('llm', 'llm', 1), gpu, lane('cpu', 'cpu', 1)], async (j) => {
      if (j.kind === 'hero' && !oomDone) {
        oomDone = true;
        throw new ShowcaseError('out_of_memory', 'Allocation on device', { retryable: true });
      }
    });
    scheduler.add(showcaseJobs('a'));
    await scheduler.whenIdle();
    expect(gpu.sequential).toBe(true);
    expect(rec.phases).toContain('free');
    expect(scheduler.get('a-hero')?.status).toBe('done');
  });

  it('cancels a gallery: queued jobs end cancelled and the scheduler goes idle', async () => {
    const { scheduler } = harness(
      [lane('llm', 'llm', 1), lane('gpu0', 'comfy', 1), lane('cpu', 'cpu', 1)],
      (_j, _l, signal) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(resolve, 200);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(signal.reason);
          });
        }),
    );
    scheduler.add(showcaseJobs('a'));
    scheduler.pause();
    expect(scheduler.cancel({ galleryId: 'a' })).toBe(6);
    scheduler.resume();
    await scheduler.whenIdle();
    expect(scheduler.counts().cancelled).toBe(6);
  });

  it('keeps 10,000 queued jobs and drains them on several lanes', async () => {
    const { scheduler, rec } = harness(
      [lane('llm', 'llm', 1), lane('gpu0', 'comfy', 2), lane('gpu1', 'comfy', 2), lane('cpu', 'cpu', 2)],
      async () => {},
    );
    const all = [];
    for (let i = 0; i < 1667; i++) all.push(...showcaseJobs(`g${i}`));
    scheduler.add(all);
    await scheduler.whenIdle();
    expect(rec.finished.length).toBe(all.length);
  });
});
