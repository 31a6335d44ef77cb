// Placement for the team queue: the fleet as the registry sees it (every worker's GPUs, their measured
// speed per model, loaded model, jobs in flight) and the queue's counts per family, turned into the
// question placement answers: which family should this GPU claim next, if any.
import type { TemplateFamily } from '../../../shared/index.ts';
import { graphModel } from '../comfy/index.ts';
import { type PlacementCosts, type PlacementGpu, type PlacementJob, pickJob } from '../placement/index.ts';
import type { TemplateLibrary } from '../templates/index.ts';
import type { TeamWorker, WorkerBackend } from './registry.ts';

/** What placement must know about a model it has no measurement for yet. */
export interface ModelDefaults {
  /** Milliseconds per image on a reference card (speed 1.0). */
  runMs: number;
  loadMs: number;
  vramBytes: number;
}

export interface TeamPlacementInput {
  /** `${workerId}|${backendUrl}` of the GPU asking. */
  self: string;
  workers: readonly TeamWorker[];
  /** Jobs per family: waiting in all (backlog) and ready now. */
  counts: ReadonlyMap<TemplateFamily, { queued: number; ready: number }>;
  /** The model file each family's graphs load. */
  familyModel: ReadonlyMap<TemplateFamily, string>;
  defaults: ReadonlyMap<string, ModelDefaults>;
  now: number;
}

/** Estimates for a model nobody has measured yet (reference card, speed 1.0). */
const DEFAULTS: Record<TemplateFamily, ModelDefaults> = {
  'qwen-image': { runMs: 44_000, loadMs: 20_000, vramBytes: 20e9 },
  sdxl: { runMs: 11_500, loadMs: 8_000, vramBytes: 8e9 },
  edit: { runMs: 50_000, loadMs: 20_000, vramBytes: 20e9 },
};

/** The model file each family's images load, and the estimates placement starts from for it. */
export function familyModels(templates: TemplateLibrary): {
  familyModel: Map<TemplateFamily, string>;
  defaults: Map<string, ModelDefaults>;
} {
  const familyModel = new Map<TemplateFamily, string>();
  const defaults = new Map<string, ModelDefaults>();
  for (const family of Object.keys(DEFAULTS) as TemplateFamily[]) {
    const t = templates.all(family).find((x) => x.kind !== 'thumbnail');
    if (!t) continue;
    const model = graphModel(t.graph);
    familyModel.set(family, model);
    defaults.set(model, DEFAULTS[family]);
  }
  return { familyModel, defaults };
}

export function gpuKey(workerId: string, backend: Pick<WorkerBackend, 'url'>): string {
  return `${workerId}|${backend.url}`;
}

/**
 * The family this GPU should claim now, or null when it should wait (nothing it can run is ready, or
 * the last jobs finish sooner on faster GPUs). Lost workers are left out of the fleet.
 */
export function familyToClaim(input: TeamPlacementInput): TemplateFamily | null {
  const backends = new Map<string, WorkerBackend>();
  for (const w of input.workers) {
    if (w.lost) continue;
    for (const b of w.backends) backends.set(gpuKey(w.id, b), b);
  }
  if (!backends.has(input.self)) return null;
  const fallback = (model: string): ModelDefaults =>
    input.defaults.get(model) ?? { runMs: 30_000, loadMs: 10_000, vramBytes: 8e9 };
  // A GPU nobody has measured on a model yet is taken to be as fast as the fleet's mean for it: an
  // optimistic guess it corrects after its first image, where the catalog-wide default (a 2024 card's
  // seconds) would keep a new worker standing aside behind measured ones forever.
  const fleetMean = new Map<string, number>();
  for (const model of new Set([...backends.values()].flatMap((b) => Object.keys(b.msPerImage)))) {
    const measured = [...backends.values()].flatMap((b) => b.msPerImage[model] ?? []);
    if (measured.length > 0) fleetMean.set(model, measured.reduce((a, b) => a + b, 0) / measured.length);
  }
  const costs: PlacementCosts = {
    runMs: (gpu, model) =>
      backends.get(gpu)?.msPerImage[model] ?? fleetMean.get(model) ?? fallback(model).runMs,
    loadMs: (_gpu, model) => fallback(model).loadMs,
    vramBytes: (model) => fallback(model).vramBytes,
  };
  const inFlight = new Map<string, number>();
  for (const w of input.workers) if (!w.lost) inFlight.set(w.id, w.inFlight.length);
  const gpus: PlacementGpu[] = [...backends].map(([key, b]) => {
    const busy = (inFlight.get(key.split('|')[0] ?? '') ?? 0) > 0 && key !== input.self;
    // A busy GPU is assumed halfway through an image of its loaded model: no better estimate reaches
    // the registry, and it only matters for the tail.
    const half = b.loadedModel ? costs.runMs(key, b.loadedModel) / 2 : 0;
    return {
      id: key,
      vramBytes: b.vramBytes,
      models: new Set(b.models),
      loadedModel: b.loadedModel,
      freeAt: busy ? input.now + half : input.now,
    };
  });
  const ready: PlacementJob[] = [];
  const backlog = new Map<string, number>();
  let seq = 0;
  for (const [family, count] of input.counts) {
    const model = input.familyModel.get(family);
    if (!model || count.queued <= 0) continue;
    backlog.set(model, count.queued);
    // Placement looks at the head of each model's queue only; a few hundred stand-ins are plenty.
    for (let i = 0; i < Math.min(count.ready, 512); i++)
      ready.push({ id: `${family}#${i}`, model, priority: 0, seq: seq++ });
  }
  const job = pickJob(input.self, gpus, ready, costs, input.now, { backlog });
  if (!job) return null;
  for (const [family, model] of input.familyModel) if (model === job.model) return family;
  return null;
}
