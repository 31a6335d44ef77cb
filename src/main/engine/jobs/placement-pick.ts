// Which ready image job a ComfyUI lane takes when there is more than one ComfyUI lane: the placement
// policy (placement/, the same rule the team queue uses) decides, fed with what the scheduler knows —
// the online lanes, the model each holds (`lastModel`), when its in-flight prompts end, the ready
// image jobs and how many jobs of each model are still open — and the measured costs (lane-costs.ts).
// With a single lane nothing changes: the ready queue's own take (priority, FIFO, model affinity).
//
// Placement may tell a lane to wait: at a model's tail, a job that a faster lane will finish sooner
// is left for it. That is only safe while someone will ask again: every ComfyUI lane with work in
// flight pumps the scheduler when it finishes. When no lane has anything in flight, the best lane
// that was told to wait takes a job anyway (`unstall`), so a job only a slow lane can run still runs.
import {
  canRun,
  type PlacementCosts,
  type PlacementGpu,
  type PlacementJob,
  pickJob,
} from '../placement/index.ts';
import { LaneCosts } from './lane-costs.ts';
import { type ReadyQueue, readyPriority } from './ready-queue.ts';
import type { Lane, QueuedJob } from './types.ts';

/** Placement's name for ComfyUI work whose graph loads no model (no load, no affinity). */
const NO_MODEL = '(no model)';
/** Ready jobs looked at per decision: placement plans the head of each model's queue, not all of it. */
const MAX_CANDIDATES = 512;

const modelOf = (job: QueuedJob): string => job.model ?? NO_MODEL;
const lacks = (lane: Lane, job: QueuedJob): boolean => !!job.template && !!lane.cannotRun?.has(job.template);

interface InFlight {
  jobId: string;
  model: string;
  startedAt: number;
}

export interface LocalPlacementDeps {
  ready: ReadyQueue;
  lanes: () => readonly Lane[];
  /** A job whose prompt lives on another online server (only that lane may take it). */
  pinnedElsewhere: (job: QueuedJob, lane: Lane) => boolean;
  /** Measured costs; the defaults until the engine feeds usage rows. */
  costs?: LaneCosts;
}

export class LocalPlacement {
  readonly costs: LaneCosts;
  private readonly deps: LocalPlacementDeps;
  private readonly placementCosts: PlacementCosts;
  /** Image jobs per model that are queued (ready or not) or running. */
  private readonly open = new Map<string, number>();
  /** Per lane id, the prompts it holds, oldest first. */
  private readonly inFlight = new Map<string, InFlight[]>();
  /** Per lane id, when its last prompt ended: the oldest one in flight waited for it on the server. */
  private readonly lastEnd = new Map<string, number>();
  /** Lanes told to wait during the current pump. */
  private deferred: Lane[] = [];

  constructor(deps: LocalPlacementDeps) {
    this.deps = deps;
    const costs = deps.costs ?? new LaneCosts();
    this.costs = costs;
    this.placementCosts = {
      runMs: (lane, model) => costs.runMs(lane, model),
      loadMs: (lane, model) => (model === NO_MODEL ? 0 : costs.loadMs(lane, model)),
      vramBytes: (model) => (model === NO_MODEL ? 0 : costs.vramBytes(model)),
    };
  }

  /** A job entered the scheduler as queued. */
  opened(job: QueuedJob): void {
    if (job.lane === 'comfy') this.open.set(modelOf(job), (this.open.get(modelOf(job)) ?? 0) + 1);
  }

  /** A job reached a terminal state. */
  closed(job: QueuedJob): void {
    if (job.lane !== 'comfy') return;
    const left = (this.open.get(modelOf(job)) ?? 1) - 1;
    if (left > 0) this.open.set(modelOf(job), left);
    else this.open.delete(modelOf(job));
  }

  started(job: QueuedJob, lane: Lane, at = Date.now()): void {
    if (lane.kind !== 'comfy') return;
    const list = this.inFlight.get(lane.id) ?? [];
    list.push({ jobId: job.id, model: modelOf(job), startedAt: at });
    this.inFlight.set(lane.id, list);
  }

  ended(job: QueuedJob, lane: Lane): void {
    const list = this.inFlight.get(lane.id);
    const i = list ? list.findIndex((f) => f.jobId === job.id) : -1;
    if (list && i >= 0) list.splice(i, 1);
    this.lastEnd.set(lane.id, Date.now());
  }

  /** The job `lane` should start now (taken out of the ready queue), or null. */
  take(lane: Lane, now: number): QueuedJob | null {
    const { ready } = this.deps;
    const gpus = this.gpuLanes();
    if (lane.kind !== 'comfy' || gpus.length < 2 || !gpus.includes(lane))
      return ready.take(lane.kind, now, lane);
    const job = this.choose(lane, gpus, now);
    if (job === 'wait') {
      if (!this.deferred.includes(lane)) this.deferred.push(lane);
      return null;
    }
    if (job) ready.remove(job);
    return job;
  }

  /**
   * Ends a pump: when lanes were told to wait and no ComfyUI lane has anything in flight, nothing
   * would ever ask again, so the lane that finishes a job soonest takes one now.
   */
  unstall(now: number): { job: QueuedJob; lane: Lane } | null {
    const deferred = this.deferred;
    this.deferred = [];
    if (deferred.length === 0) return null;
    if (this.deps.lanes().some((l) => l.kind === 'comfy' && l.inFlight > 0)) return null;
    let best: { job: QueuedJob; lane: Lane; finish: number } | null = null;
    for (const lane of deferred) {
      if (!lane.online || lane.retired || lane.inFlight >= (lane.sequential ? 1 : lane.capacity)) continue;
      const job = this.fallback(lane, now);
      if (!job) continue;
      const model = modelOf(job);
      const swap = lane.lastModel === model ? 0 : this.placementCosts.loadMs(lane.id, model);
      const finish = swap + this.placementCosts.runMs(lane.id, model);
      if (!best || finish < best.finish) best = { job, lane, finish };
    }
    if (!best) return null;
    this.deps.ready.remove(best.job);
    return { job: best.job, lane: best.lane };
  }

  /** The ComfyUI lanes that can take work: online and not retired. */
  private gpuLanes(): Lane[] {
    return this.deps.lanes().filter((l) => l.kind === 'comfy' && l.online && !l.retired);
  }

  /** Estimated epoch ms at which the lane's in-flight prompts are done. */
  private freeAt(lane: Lane, now: number): number {
    // A prompt sent while another ran waited in the server's queue: it starts when that one ended.
    const list = this.inFlight.get(lane.id) ?? [];
    if (list.length === 0) return now;
    let t = this.lastEnd.get(lane.id) ?? Number.NEGATIVE_INFINITY;
    let previous: string | null = null;
    for (const f of list) {
      const swap =
        previous !== null && previous !== f.model ? this.placementCosts.loadMs(lane.id, f.model) : 0;
      t = Math.max(t, f.startedAt) + swap + this.placementCosts.runMs(lane.id, f.model);
      previous = f.model;
    }
    // Overdue (a slow or stuck prompt): the later it is, the later it is expected to end, so a lane
    // whose prompt hangs stops being the one the others wait for.
    return t >= now ? t : now + (now - t);
  }

  private choose(lane: Lane, lanes: readonly Lane[], now: number): QueuedJob | 'wait' | null {
    const candidates = this.deps.ready.candidates('comfy', now, MAX_CANDIDATES);
    // A prompt this lane's server already holds goes back to it first: that is a re-attach, not work.
    const own = candidates.find((j) => j.comfyPromptId && j.backend === lane.id);
    if (own) return own;
    const free = candidates.filter((j) => !this.deps.pinnedElsewhere(j, lane));
    if (!free.some((j) => !lacks(lane, j))) return null;

    const backlog = new Map(this.open);
    for (const list of this.inFlight.values())
      for (const f of list) backlog.set(f.model, (backlog.get(f.model) ?? 0) - 1);
    const gpus: PlacementGpu[] = lanes.map((l) => ({
      id: l.id,
      vramBytes: this.costs.gpuVram(l.id),
      models: this.modelsOf(l, free, backlog),
      loadedModel: l.lastModel,
      freeAt: this.freeAt(l, now),
    }));
    const byId = new Map(free.map((j) => [j.id, j]));
    const ready: PlacementJob[] = free.map((j) => ({
      id: j.id,
      model: modelOf(j),
      priority: readyPriority(j),
      seq: j.seq,
    }));
    const picked = pickJob(lane.id, gpus, ready, this.placementCosts, now, { backlog });
    const job = picked ? byId.get(picked.id) : undefined;
    if (!job) return 'wait';
    if (!lacks(lane, job)) return job;
    // Placement sees models, the lane lacks a template: another job of the same model it can render.
    return free.find((j) => modelOf(j) === modelOf(job) && !lacks(lane, j)) ?? 'wait';
  }

  /**
   * The models a lane can run, as placement sees them: unknown (any) unless the pre-flight found
   * templates it lacks; then not a model whose every ready job renders such a template.
   */
  private modelsOf(
    lane: Lane,
    free: readonly QueuedJob[],
    backlog: ReadonlyMap<string, number>,
  ): Set<string> | null {
    if (!lane.cannotRun?.size) return null;
    const models = new Set(backlog.keys());
    const runnable = new Set<string>();
    for (const j of free) if (!lacks(lane, j)) runnable.add(modelOf(j));
    for (const j of free) if (!runnable.has(modelOf(j))) models.delete(modelOf(j));
    return models;
  }

  /**
   * A job for a lane that must take one: its loaded model's first, then any — but not one the
   * estimates say does not fit its card while another lane's card would hold it.
   */
  private fallback(lane: Lane, now: number): QueuedJob | null {
    const asGpu = (l: Lane): PlacementGpu => ({
      id: l.id,
      vramBytes: this.costs.gpuVram(l.id),
      models: null,
      loadedModel: l.lastModel,
      freeAt: now,
    });
    const others = this.gpuLanes().map(asGpu);
    const self = asGpu(lane);
    const mine = this.deps.ready
      .candidates('comfy', now, MAX_CANDIDATES)
      .filter((j) => !this.deps.pinnedElsewhere(j, lane) && !lacks(lane, j))
      .filter(
        (j) =>
          canRun(self, modelOf(j), this.placementCosts) ||
          !others.some((g) => canRun(g, modelOf(j), this.placementCosts)),
      );
    return mine.find((j) => j.model === lane.lastModel) ?? mine[0] ?? null;
  }
}
