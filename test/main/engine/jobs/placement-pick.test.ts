// Local placement: which ready image job a ComfyUI lane takes when there are several lanes. Direct
// decisions on a real ReadyQueue, then whole runs through the real Scheduler (the executor is the
// test's: placement never looks at what a job does).
import { describe, expect, it } from 'vitest';
import {
  type Lane,
  LaneCosts,
  LocalPlacement,
  type QueuedJob,
  ReadyQueue,
  Scheduler,
  type SchedulerHooks,
} from '../../../../src/main/engine/jobs/index.ts';
import type { JobKind } from '../../../../src/shared/index.ts';

function comfyLane(id: string, capacity = 2): Lane {
  return {
    id,
    kind: 'comfy',
    capacity,
    sharedWithLlm: false,
    online: true,
    sequential: false,
    inFlight: 0,
    lastModel: null,
  };
}

let seq = 0;
function imageJob(
  id: string,
  opts: { kind?: JobKind; model?: string; template?: string; dependsOn?: string[] } = {},
) {
  const model = opts.model ?? 'qwen';
  return {
    id,
    galleryId: 'g',
    assetId: `g:${id}`,
    kind: opts.kind ?? 'hero',
    status: 'queued' as const,
    attempts: 0,
    backend: null as string | null,
    comfyPromptId: null as string | null,
    dependsOn: opts.dependsOn ?? [],
    error: null,
    queuedAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    payload: { type: 'copy' as const, model: 'llama3.2', language: 'en' },
    lane: 'comfy' as const,
    model,
    template: opts.template ?? `${model}.hero`,
  };
}

function queued(id: string, opts: Parameters<typeof imageJob>[1] = {}): QueuedJob {
  return { ...imageJob(id, opts), seq: seq++, remainingDeps: 0, dependents: [], notBefore: 0 };
}

/** Costs as if each lane had rendered `model` warm at the given ms per image. */
function measuredCosts(msPerLane: Record<string, number>, model = 'qwen'): LaneCosts {
  const costs = new LaneCosts();
  for (const [lane, ms] of Object.entries(msPerLane)) {
    costs.observe({ backend: lane, model, phase: 'image', runMs: ms * 2, totalMs: ms * 2, ok: true });
    costs.observe({ backend: lane, model, phase: 'image', runMs: ms, totalMs: ms, ok: true });
  }
  return costs;
}

function placementOver(lanes: Lane[], costs: LaneCosts) {
  const ready = new ReadyQueue(() => false);
  const placement = new LocalPlacement({ ready, lanes: () => lanes, pinnedElsewhere: () => false, costs });
  const add = (job: QueuedJob, isReady = true) => {
    placement.opened(job);
    if (isReady) ready.push(job);
  };
  return { ready, placement, add };
}

describe('LocalPlacement', () => {
  it('leaves a single lane to the ready queue: priority, FIFO, then the loaded model', () => {
    const only = comfyLane('comfy');
    only.lastModel = 'sdxl';
    const { placement, add } = placementOver([only], new LaneCosts());
    add(queued('q1'));
    add(queued('s1', { model: 'sdxl' }));
    add(queued('v1', { kind: 'variation', model: 'sdxl' }));
    expect(placement.take(only, Date.now())?.id).toBe('s1');
    expect(placement.take(only, Date.now())?.id).toBe('q1');
    expect(placement.take(only, Date.now())?.id).toBe('v1');
    expect(placement.take(only, Date.now())).toBeNull();
  });

  it('keeps a slow lane busy while more work is coming, and leaves the tail to a faster lane', () => {
    const fast = comfyLane('fast');
    const slow = comfyLane('slow');
    for (const l of [fast, slow]) l.lastModel = 'qwen';
    const { placement, add } = placementOver([fast, slow], measuredCosts({ fast: 100, slow: 400 }));
    const now = Date.now();
    // Two ready, two still waiting for their hero: not the tail, so the slow lane takes one.
    add(queued('a'));
    add(queued('b'));
    add(queued('blocked-1', { kind: 'variation' }), false);
    add(queued('blocked-2', { kind: 'variation' }), false);
    const first = placement.take(slow, now);
    expect(first?.id).toBe('a');
    if (!first) throw new Error('unreachable');
    placement.started(first, slow);
    slow.inFlight = 1;

    // Now the fast lane is one image deep and everything left is ready: b, c, d would finish at
    // +200, +300, +400 on it and at +800 (after its own prompt) on the slow one.
    const fastJob = queued('running-on-fast');
    add(fastJob, false);
    placement.started(fastJob, fast);
    fast.inFlight = 1;
    placement.closed(queued('blocked-1', { kind: 'variation' }));
    placement.closed(queued('blocked-2', { kind: 'variation' }));
    add(queued('c'));
    add(queued('d'));
    expect(placement.take(slow, now)).toBeNull();
    // Someone is busy, so someone will ask again: no forced take.
    expect(placement.unstall(now)).toBeNull();
    expect(placement.take(fast, now)?.id).toBe('b');
  });

  it('stops waiting for a lane whose prompt is long overdue (slow or stuck)', () => {
    const fast = comfyLane('fast', 1);
    const slow = comfyLane('slow');
    for (const l of [fast, slow]) l.lastModel = 'qwen';
    const { placement, add } = placementOver([fast, slow], measuredCosts({ fast: 100, slow: 400 }));
    const now = Date.now();
    const hung = queued('hung');
    add(hung, false);
    fast.inFlight = 1;
    // Started 150 ms ago: due 50 ms ago, expected 50 ms from now; the tail job then finishes there first.
    placement.started(hung, fast, now - 150);
    add(queued('last'));
    expect(placement.take(slow, now)).toBeNull();
    // Started 10 s ago: expected nowhere near as soon as the slow lane's 400 ms.
    const { placement: later, add: addLater } = placementOver(
      [fast, slow],
      measuredCosts({ fast: 100, slow: 400 }),
    );
    addLater(hung, false);
    later.started(hung, fast, now - 10_000);
    addLater(queued('last-2'));
    expect(later.take(slow, now)?.id).toBe('last-2');
  });

  it('makes the lane that finishes soonest take a job when every lane asked waited and none is busy', () => {
    const fast = comfyLane('fast');
    const slow = comfyLane('slow');
    const other = comfyLane('other');
    fast.lastModel = 'qwen';
    slow.lastModel = 'qwen';
    other.lastModel = 'sdxl';
    const { placement, add, ready } = placementOver(
      [fast, slow, other],
      measuredCosts({ fast: 100, slow: 400, other: 50 }),
    );
    add(queued('tail'));
    const now = Date.now();
    // Both plan the last job on `fast`, which is not asked in this pump (a phase gate holds it, say).
    expect(placement.take(slow, now)).toBeNull();
    expect(placement.take(other, now)).toBeNull();
    // Nothing in flight anywhere: nobody would ask again. `other` loads the model (50 ms) and renders
    // it in 50 ms, sooner than the slow lane's 400 ms.
    const forced = placement.unstall(now);
    expect(forced?.lane.id).toBe('other');
    expect(forced?.job.id).toBe('tail');
    expect(ready.count('comfy')).toBe(0);
    // The deferrals were consumed: the next pump starts afresh.
    expect(placement.unstall(now)).toBeNull();
  });
});

interface RunLog {
  ranOn: Map<string, string>;
}

function run(lanes: Lane[], costs: LaneCosts, jobs: ReturnType<typeof imageJob>[]) {
  const log: RunLog = { ranOn: new Map() };
  const hooks: SchedulerHooks = {
    async execute(job, lane) {
      log.ranOn.set(job.id, lane.id);
    },
    async enterImagePhase() {},
    async enterCopyPhase() {},
    async recoverFromOom() {},
    jobStarted() {},
    jobRetrying() {},
    jobSucceeded() {},
    jobFailed() {},
    jobCancelled() {},
    galleryFinished() {},
  };
  const scheduler = new Scheduler(lanes, hooks, { backoffMs: 1, costs });
  scheduler.add(jobs);
  return { scheduler, log };
}

describe('Scheduler with placement over several ComfyUI lanes', () => {
  it('gives the tail to the fast lane and still drains: the slow lane waits, it is never stuck', async () => {
    const fast = comfyLane('fast', 1);
    const slow = comfyLane('slow', 1);
    const { scheduler, log } = run(
      [fast, slow],
      measuredCosts({ fast: 100, slow: 10_000 }),
      ['a', 'b', 'c'].map((id) => imageJob(id)),
    );
    await scheduler.whenIdle();
    expect(scheduler.counts().done).toBe(3);
    expect([...log.ranOn.values()]).toEqual(['fast', 'fast', 'fast']);
  });

  it('lets the slow lane run what only it can (a template the fast server lacks)', async () => {
    const fast = comfyLane('fast');
    fast.cannotRun = new Set(['sdxl.hero']);
    const slow = comfyLane('slow');
    const costs = measuredCosts({ fast: 100, slow: 10_000 });
    const { scheduler, log } = run([fast, slow], costs, [
      imageJob('q1'),
      imageJob('q2'),
      imageJob('s1', { model: 'sdxl' }),
    ]);
    await scheduler.whenIdle();
    expect(scheduler.counts().done).toBe(3);
    expect(log.ranOn.get('s1')).toBe('slow');
    expect(log.ranOn.get('q1')).toBe('fast');
    expect(log.ranOn.get('q2')).toBe('fast');
  });

  it('sends a recovered prompt back to the server that holds it, whatever placement would say', async () => {
    const fast = comfyLane('fast');
    const slow = comfyLane('slow');
    const pinned = { ...imageJob('pinned'), comfyPromptId: 'prompt-1', backend: 'slow' };
    const { scheduler, log } = run([fast, slow], measuredCosts({ fast: 100, slow: 10_000 }), [
      imageJob('a'),
      pinned,
    ]);
    await scheduler.whenIdle();
    expect(log.ranOn.get('pinned')).toBe('slow');
    expect(log.ranOn.get('a')).toBe('fast');
  });

  it('drops jobs cancelled while they waited and carries on with the rest', async () => {
    const fast = comfyLane('fast');
    const slow = comfyLane('slow');
    const { scheduler, log } = run([fast, slow], measuredCosts({ fast: 100, slow: 300 }), []);
    scheduler.pause();
    scheduler.add([
      ...['c1', 'c2', 'c3'].map((id) => ({ ...imageJob(id), galleryId: 'cancelled' })),
      imageJob('kept'),
    ]);
    expect(scheduler.cancel({ galleryId: 'cancelled' })).toBe(3);
    scheduler.resume();
    await scheduler.whenIdle();
    expect(scheduler.counts()).toMatchObject({ done: 1, cancelled: 3 });
    expect([...log.ranOn.keys()]).toEqual(['kept']);
  });

  it('keeps heroes first across lanes: their dependents are not taken before them', async () => {
    const fast = comfyLane('fast', 1);
    const slow = comfyLane('slow', 1);
    const order: string[] = [];
    const hooks: SchedulerHooks = {
      async execute(job) {
        order.push(job.id);
      },
      async enterImagePhase() {},
      async enterCopyPhase() {},
      async recoverFromOom() {},
      jobStarted() {},
      jobRetrying() {},
      jobSucceeded() {},
      jobFailed() {},
      jobCancelled() {},
      galleryFinished() {},
    };
    const scheduler = new Scheduler([fast, slow], hooks, { costs: measuredCosts({ fast: 100, slow: 300 }) });
    scheduler.add([
      imageJob('v1', { kind: 'variation' }),
      imageJob('v2', { kind: 'variation' }),
      imageJob('h1', { kind: 'hero' }),
    ]);
    await scheduler.whenIdle();
    expect(order[0]).toBe('h1');
    expect(order).toHaveLength(3);
  });
});
