// A discrete-event model of a team's GPUs for the placement benchmark: virtual time, no sockets, so a
// 1,000-product catalog on four GPUs runs in well under a second per policy. The policies under test
// decide through the same calls a real dispatcher makes (`dispatch` whenever something changed); ours
// is the engine's own placement code (`pickJob`), the others are the anchors' rules, written here.
import type { PlacementCosts, PlacementJob } from '../engine/placement/index.ts';

export interface ModelProfile {
  /** Milliseconds per image at speed 1.0 once loaded. */
  runMs: number;
  /** Milliseconds to load the model (disk → VRAM); the same on every card. */
  loadMs: number;
  /** Bytes of VRAM the model's stack needs. */
  vramBytes: number;
}

export interface GpuSpec {
  id: string;
  /** Relative speed: 1.0 runs an image in the profile's `runMs`, 0.5 in twice that. */
  speed: number;
  vramBytes: number;
}

export interface CatalogJob extends PlacementJob {
  product: number;
  /** Jobs that wait for this one (the hero's lifestyle and variations). */
  dependents: CatalogJob[];
  waitingOn: number;
}

export interface GpuRun {
  spec: GpuSpec;
  loaded: string | null;
  running: CatalogJob | null;
  endsAt: number;
  /** Jobs handed to this GPU that have not started (round-robin, over-queue). */
  queue: CatalogJob[];
  loads: number;
}

/** What a policy sees and drives: the virtual GPUs of the model, or real simulators over sockets. */
export interface Fleet {
  /** Milliseconds since the catalog started. */
  readonly now: number;
  readonly gpus: readonly GpuRun[];
  readonly costs: PlacementCosts;
  fits(gpu: GpuRun, model: string): boolean;
  /** Starts `job` on an idle GPU now (a model swap first when it holds another model). */
  start(gpu: GpuRun, job: CatalogJob): void;
}

export interface Policy {
  readonly name: string;
  /** The whole catalog, before anything is ready (a planner knows what is still to come). */
  begin?(jobs: readonly CatalogJob[]): void;
  /** Jobs whose dependencies are all done, in the order they became ready. */
  released(jobs: readonly CatalogJob[], fleet: Fleet): void;
  /** Something changed at `fleet.now`: start work on GPUs that should start now. */
  dispatch(fleet: Fleet): void;
}

/** Costs of the model: the profile's time per image divided by the GPU's speed. */
export function profileCosts(
  gpus: readonly GpuSpec[],
  profiles: Readonly<Record<string, ModelProfile>>,
): PlacementCosts {
  const speedOf = new Map(gpus.map((g) => [g.id, g.speed]));
  const profile = (model: string): ModelProfile => {
    const p = profiles[model];
    if (!p) throw new Error(`no profile for ${model}`);
    return p;
  };
  return {
    runMs: (gpuId, model) => profile(model).runMs / (speedOf.get(gpuId) ?? 1),
    loadMs: (_gpuId, model) => profile(model).loadMs,
    vramBytes: (model) => profile(model).vramBytes,
  };
}

export function newGpuRun(spec: GpuSpec): GpuRun {
  return { spec, loaded: null, running: null, endsAt: 0, queue: [], loads: 0 };
}

export interface RunResult {
  makespanMs: number;
  loads: number;
  imagesPerGpu: Record<string, number>;
}

/** Image jobs of a showcase: the hero first, then the lifestyle shot and four variations from it. */
const KINDS = [
  { priority: 1, count: 1 },
  { priority: 2, count: 4 },
] as const;

export function buildCatalog(models: readonly string[], startSeq = 0): CatalogJob[] {
  const jobs: CatalogJob[] = [];
  let seq = startSeq;
  models.forEach((model, product) => {
    const hero: CatalogJob = {
      id: `p${product}-hero`,
      model,
      priority: 0,
      seq: seq++,
      product,
      dependents: [],
      waitingOn: 0,
    };
    jobs.push(hero);
    for (const kind of KINDS) {
      for (let i = 0; i < kind.count; i++) {
        const job: CatalogJob = {
          id: `p${product}-${kind.priority}-${i}`,
          model,
          priority: kind.priority,
          seq: seq++,
          product,
          dependents: [],
          waitingOn: 1,
        };
        hero.dependents.push(job);
        jobs.push(job);
      }
    }
  });
  return jobs;
}

export class HeteroSim implements Fleet {
  now = 0;
  readonly gpus: GpuRun[];
  readonly costs: PlacementCosts;

  constructor(gpus: readonly GpuSpec[], profiles: Readonly<Record<string, ModelProfile>>) {
    this.gpus = gpus.map(newGpuRun);
    this.costs = profileCosts(gpus, profiles);
  }

  fits(gpu: GpuRun, model: string): boolean {
    return this.costs.vramBytes(model) <= gpu.spec.vramBytes;
  }

  /** Starts `job` on an idle GPU now, swapping its model if needed. */
  start(gpu: GpuRun, job: CatalogJob): void {
    if (gpu.running) throw new Error(`${gpu.spec.id} is busy`);
    if (!this.fits(gpu, job.model)) throw new Error(`${job.model} does not fit ${gpu.spec.id}`);
    let ms = this.costs.runMs(gpu.spec.id, job.model);
    if (gpu.loaded !== job.model) {
      ms += this.costs.loadMs(gpu.spec.id, job.model);
      gpu.loads++;
      gpu.loaded = job.model;
    }
    gpu.running = job;
    gpu.endsAt = this.now + ms;
  }

  /** Runs the catalog to its end under `policy`. */
  run(jobs: readonly CatalogJob[], policy: Policy): RunResult {
    const imagesPerGpu: Record<string, number> = Object.fromEntries(this.gpus.map((g) => [g.spec.id, 0]));
    let left = jobs.length;
    policy.begin?.(jobs);
    policy.released(
      jobs.filter((j) => j.waitingOn === 0),
      this,
    );
    while (left > 0) {
      policy.dispatch(this);
      for (const gpu of this.gpus) {
        const next = gpu.running ? null : gpu.queue.shift();
        if (next) this.start(gpu, next);
      }
      let first: GpuRun | null = null;
      for (const gpu of this.gpus) if (gpu.running && (!first || gpu.endsAt < first.endsAt)) first = gpu;
      if (!first?.running) throw new Error(`${policy.name}: ${left} jobs left and no GPU running`);
      const done = first.running;
      this.now = first.endsAt;
      first.running = null;
      imagesPerGpu[first.spec.id] = (imagesPerGpu[first.spec.id] ?? 0) + 1;
      left--;
      const freed: CatalogJob[] = [];
      for (const d of done.dependents) if (--d.waitingOn === 0) freed.push(d);
      if (freed.length > 0) policy.released(freed, this);
    }
    return { makespanMs: this.now, loads: this.gpus.reduce((n, g) => n + g.loads, 0), imagesPerGpu };
  }
}

/**
 * The lower bound no schedule can beat: the larger of (a) every image's work plus each model's load
 * once over the summed speed of the GPUs, (b) the same for each model over the GPUs that can hold it,
 * and (c) the longest dependency chain (load + hero + one dependent) on the fastest GPU that fits.
 */
export function lowerBoundMs(
  jobs: readonly CatalogJob[],
  gpus: readonly GpuSpec[],
  profiles: Readonly<Record<string, ModelProfile>>,
): number {
  const workByModel = new Map<string, number>();
  for (const j of jobs)
    workByModel.set(j.model, (workByModel.get(j.model) ?? 0) + (profiles[j.model]?.runMs ?? 0));
  const speedSum = (list: readonly GpuSpec[]): number => list.reduce((s, g) => s + g.speed, 0);
  let total = 0;
  let bound = 0;
  for (const [model, work] of workByModel) {
    const p = profiles[model];
    if (!p) continue;
    total += work + p.loadMs;
    const able = gpus.filter((g) => g.vramBytes >= p.vramBytes);
    bound = Math.max(bound, (work + p.loadMs) / speedSum(able));
    const fastest = Math.max(...able.map((g) => g.speed));
    bound = Math.max(bound, p.loadMs + (2 * p.runMs) / fastest);
  }
  return Math.max(bound, total / speedSum(gpus));
}
