// Earliest-finish placement. When a GPU can take work, the ready jobs at the head of the queue are
// planned over every GPU as a list schedule: each job, in priority order, goes to the GPU on which it
// would *finish* first, counting the work already ahead on that GPU, its measured speed for the
// job's model and the model swap (load time) if the GPU holds another model. The asking GPU takes the
// first job that plan gives it — or nothing, when every job ahead finishes sooner elsewhere. Why:
// - a slow GPU only gets a job it finishes before a fast one could (the catalog's tail is not handed to
//   a slow card, unlike an over-queue that fills every backend up front);
// - the swap cost keeps a GPU on its loaded model while that model has work it is best placed for, so
//   models change about once per phase per GPU instead of per job;
// - a model that does not fit a GPU's VRAM or is not installed there is never planned on it.
// The plan is rebuilt at every decision from the current estimates, so a wrong estimate costs one job,
// not a schedule.
import type { PlacementCosts, PlacementGpu, PlacementJob } from './types.ts';

/** How many load round trips a model switch must save (in drain time) before a GPU leaves its model. */
const SWITCH_MARGIN_TRIPS = 30;

/** Weight of the other models' drain times next to the slowest one's. */
const TIE_WEIGHT = 1e-3;

/** Jobs looked at per decision, per GPU: enough to see every GPU's share of the queue's head. */
const LOOKAHEAD_PER_GPU = 16;

/** Whether the GPU can run the model at all: installed there and fits its VRAM. */
export function canRun(gpu: PlacementGpu, model: string, costs: PlacementCosts): boolean {
  if (gpu.models && !gpu.models.has(model)) return false;
  return costs.vramBytes(model) <= gpu.vramBytes;
}

/** Compares ready jobs: priority, then FIFO. */
export function byPriority(a: PlacementJob, b: PlacementJob): number {
  return a.priority - b.priority || a.seq - b.seq;
}

interface Tentative {
  gpu: PlacementGpu;
  freeAt: number;
  model: string | null;
}

/** Finish time of `model` on a tentatively planned GPU. */
function finishOn(slot: Tentative, model: string, costs: PlacementCosts): number {
  const swap = slot.model === model ? 0 : costs.loadMs(slot.gpu.id, model);
  return slot.freeAt + swap + costs.runMs(slot.gpu.id, model);
}

/**
 * Plans `ready` (sorted by priority) over the GPUs from `now` and returns, per GPU, the jobs it gets
 * in the order it would run them. Exposed for tests and for showing the plan.
 */
export function planHead(
  gpus: readonly PlacementGpu[],
  ready: readonly PlacementJob[],
  costs: PlacementCosts,
  now: number,
): Map<string, PlacementJob[]> {
  const slots: Tentative[] = gpus.map((gpu) => ({
    gpu,
    freeAt: Math.max(now, gpu.freeAt),
    model: gpu.loadedModel,
  }));
  const plan = new Map<string, PlacementJob[]>(gpus.map((g) => [g.id, []]));
  // The head is taken per model: a GPU that can run only some models (a 16 GB card and Qwen-Image)
  // must see that model's jobs even when the queue's head is all another model's.
  const limit = Math.max(1, gpus.length) * LOOKAHEAD_PER_GPU;
  const seen = new Map<string, number>();
  for (const job of ready) {
    const count = seen.get(job.model) ?? 0;
    if (count >= limit) continue;
    seen.set(job.model, count + 1);
    let best: Tentative | null = null;
    let bestFinish = Number.POSITIVE_INFINITY;
    for (const slot of slots) {
      if (!canRun(slot.gpu, job.model, costs)) continue;
      const finish = finishOn(slot, job.model, costs);
      // Ties go to the GPU that already holds the model (no swap), then to the earlier GPU in the list.
      if (
        finish < bestFinish ||
        (finish === bestFinish && slot.model === job.model && best?.model !== job.model)
      ) {
        best = slot;
        bestFinish = finish;
      }
    }
    if (!best) continue;
    best.freeAt = bestFinish;
    best.model = job.model;
    plan.get(best.gpu.id)?.push(job);
  }
  return plan;
}

/** What the caller knows beyond the ready jobs. */
export interface PickOptions {
  /**
   * Jobs per model not started yet, ready or still waiting for a dependency (the whole catalog's
   * remaining work). Without it only the ready jobs count.
   */
  backlog?: ReadonlyMap<string, number>;
}

/**
 * Estimated milliseconds until `model`'s remaining jobs are done by the GPUs serving it. A model no
 * GPU serves counts as served by the fastest of `fallback` alone, after a load (someone must take it);
 * with no GPU to fall back on it never drains.
 */
function drainMs(
  model: string,
  jobs: number,
  serving: readonly PlacementGpu[],
  fallback: readonly PlacementGpu[],
  costs: PlacementCosts,
): number {
  if (jobs <= 0) return 0;
  let rate = 0;
  for (const gpu of serving) rate += 1 / costs.runMs(gpu.id, model);
  if (rate > 0) return jobs / rate;
  let best = Number.POSITIVE_INFINITY;
  for (const gpu of fallback) {
    if (!canRun(gpu, model, costs)) continue;
    best = Math.min(best, costs.loadMs(gpu.id, model) + jobs * costs.runMs(gpu.id, model));
  }
  return best;
}

/**
 * The job `gpuId` should start now, or null. Two steps:
 * 1. Which model this GPU serves: the one that minimises the time the slowest model needs to drain
 *    its remaining jobs, counting each GPU's measured speed per model and the load this GPU would pay.
 *    A GPU therefore stays on its model while that keeps the catalog balanced, and moves (once) when
 *    another model's queue would finish last — one swap per phase, not per job.
 * 2. Which job of that model: the earliest-finish plan over the GPUs serving it; nothing when every
 *    ready job finishes sooner on another GPU (the tail is not handed to a slow card).
 * `ready` must be sorted with `byPriority`.
 */
export function pickJob(
  gpuId: string,
  gpus: readonly PlacementGpu[],
  ready: readonly PlacementJob[],
  costs: PlacementCosts,
  now: number,
  options: PickOptions = {},
): PlacementJob | null {
  const self = gpus.find((g) => g.id === gpuId);
  if (!self || ready.length === 0) return null;
  const readyByModel = new Map<string, PlacementJob[]>();
  for (const job of ready) {
    const list = readyByModel.get(job.model);
    if (list) list.push(job);
    else readyByModel.set(job.model, [job]);
  }
  const backlog = new Map(options.backlog ?? [...readyByModel].map(([m, list]) => [m, list.length] as const));
  const others = gpus.filter((g) => g !== self);
  const servingOf = (model: string, withSelf: boolean): PlacementGpu[] => {
    const list = others.filter((g) => g.loadedModel === model);
    if (withSelf) list.push(self);
    return list;
  };

  const candidates: Array<{ model: string; worst: number }> = [];
  for (const model of readyByModel.keys()) {
    if (!canRun(self, model, costs)) continue;
    // The slowest model's drain decides; the others' sum breaks ties between plans with the same worst.
    let worst = 0;
    let sum = 0;
    for (const [m, jobs] of backlog) {
      // A model this GPU leaves unserved falls back on the others, never on this GPU itself.
      let drain = drainMs(m, jobs, servingOf(m, m === model), others, costs);
      if (m === model && self.loadedModel !== model) drain += costs.loadMs(self.id, model);
      worst = Math.max(worst, drain);
      sum += Number.isFinite(drain) ? drain : 0;
    }
    candidates.push({ model, worst: worst + sum * TIE_WEIGHT });
  }
  // Hysteresis: leaving a model that still has ready work must buy more balance than a few round trips
  // of loads cost, or two nearly balanced models would pull a GPU back and forth job after job.
  const current = candidates.find((c) => c.model === self.loadedModel);
  if (current && self.loadedModel) {
    for (const c of candidates) {
      if (c === current) continue;
      const trip = costs.loadMs(self.id, c.model) + costs.loadMs(self.id, self.loadedModel);
      c.worst += SWITCH_MARGIN_TRIPS * trip;
    }
  }
  // Best balance first; on a tie keep the loaded model, then serve the larger backlog.
  // Drain times are sums of reciprocals: differences under a millisecond are rounding, not preference.
  candidates.sort(
    (a, b) =>
      (Math.abs(a.worst - b.worst) < 1 ? 0 : a.worst - b.worst) ||
      Number(b.model === self.loadedModel) - Number(a.model === self.loadedModel) ||
      (backlog.get(b.model) ?? 0) - (backlog.get(a.model) ?? 0),
  );
  for (const { model } of candidates) {
    const jobs = readyByModel.get(model) ?? [];
    // While more of this model's jobs are still to come, every able GPU serving it keeps busy. Only at
    // the model's tail (all that is left is ready) may a GPU stand aside for one that finishes sooner.
    if ((backlog.get(model) ?? 0) > jobs.length) return jobs[0] ?? null;
    const plan = planHead([self, ...servingOf(model, false)], jobs, costs, now);
    const job = plan.get(self.id)?.[0];
    if (job) return job;
  }
  return null;
}
