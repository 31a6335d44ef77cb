// Validates the discrete-event model against the simulators over real sockets: the same policy places
// a small catalog on four ComfyUI simulators whose simulated GPUs have the bench's speeds and VRAM, and
// the model replays the same catalog with costs calibrated on a simulator. Their makespans should agree.
import type { ParamValue } from '../../shared/index.ts';
import { type LatencyProfile, realisticProfile, SimGpu } from '../../sim/gpu.ts';
import { type ComfySim, startComfySim } from '../../sim/index.ts';
import { ComfyClient } from '../engine/comfy/index.ts';
import type { PlacementCosts } from '../engine/placement/index.ts';
import { instantiate, loadTemplates, type TemplateLibrary } from '../engine/templates/index.ts';
import { QWEN, SDXL } from './hetero-bench.ts';
import {
  buildCatalog,
  type CatalogJob,
  type Fleet,
  type GpuRun,
  type GpuSpec,
  HeteroSim,
  type ModelProfile,
  newGpuRun,
  type Policy,
} from './hetero-model.ts';

/** Small images keep the simulators' PNG work off the two cores; SDXL's few steps keep its cost below Qwen's. */
const RENDER: Record<string, { template: string; values: Record<string, ParamValue> }> = {
  [QWEN]: { template: 'qwen-image.hero', values: { width: 512, height: 512 } },
  [SDXL]: { template: 'sdxl.hero', values: { width: 512, height: 512, steps: 6 } },
};

/** The realistic profile on a card `speed` times as fast (sampling and nodes; loads are disk-bound). */
function profileAt(speed: number): LatencyProfile {
  return {
    ...realisticProfile,
    stepMs: realisticProfile.stepMs / speed,
    nodeMs: realisticProfile.nodeMs / speed,
  };
}

async function render(
  client: ComfyClient,
  templates: TemplateLibrary,
  model: string,
  seed: number,
): Promise<void> {
  const spec = RENDER[model];
  if (!spec) throw new Error(`no template for ${model}`);
  const instance = instantiate(
    templates.get(spec.template),
    { ...spec.values, seed },
    { unknownParams: 'ignore' },
  );
  await client.run(instance.graph, { onProgress: () => {}, onPreview: () => {} });
}

/** Real GPUs behind sockets: a job runs as a ComfyUI prompt; the policy is asked again when it ends. */
class SocketFleet implements Fleet {
  readonly gpus: GpuRun[];
  readonly costs: PlacementCosts;
  private readonly clients: Map<string, ComfyClient>;
  private readonly templates: TemplateLibrary;
  private readonly t0 = performance.now();
  private seed = 1;
  private left = 0;
  private policy: Policy | null = null;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | null = null;

  constructor(
    specs: readonly GpuSpec[],
    clients: Map<string, ComfyClient>,
    templates: TemplateLibrary,
    costs: PlacementCosts,
  ) {
    this.gpus = specs.map(newGpuRun);
    this.clients = clients;
    this.templates = templates;
    this.costs = costs;
  }

  get now(): number {
    return performance.now() - this.t0;
  }

  fits(gpu: GpuRun, model: string): boolean {
    return this.costs.vramBytes(model) <= gpu.spec.vramBytes;
  }

  start(gpu: GpuRun, job: CatalogJob): void {
    const client = this.clients.get(gpu.spec.id);
    if (!client) throw new Error(`no client for ${gpu.spec.id}`);
    let estimate = this.costs.runMs(gpu.spec.id, job.model);
    if (gpu.loaded !== job.model) {
      estimate += this.costs.loadMs(gpu.spec.id, job.model);
      gpu.loads++;
      gpu.loaded = job.model;
    }
    gpu.running = job;
    gpu.endsAt = this.now + estimate;
    render(client, this.templates, job.model, this.seed++).then(
      () => this.finished(gpu, job),
      (err: unknown) => this.settle?.reject(err),
    );
  }

  private finished(gpu: GpuRun, job: CatalogJob): void {
    gpu.running = null;
    this.left--;
    const freed = job.dependents.filter((d) => --d.waitingOn === 0);
    if (freed.length > 0) this.policy?.released(freed, this);
    if (this.left === 0) this.settle?.resolve();
    else this.step();
  }

  private step(): void {
    this.policy?.dispatch(this);
    for (const g of this.gpus) {
      const next = g.running ? null : g.queue.shift();
      if (next) this.start(g, next);
    }
  }

  run(jobs: readonly CatalogJob[], policy: Policy): Promise<number> {
    this.policy = policy;
    this.left = jobs.length;
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      policy.begin?.(jobs);
      policy.released(
        jobs.filter((j) => j.waitingOn === 0),
        this,
      );
      this.step();
    }).then(() => this.now);
  }
}

async function startSims(specs: readonly GpuSpec[], timeScale: number): Promise<ComfySim[]> {
  return Promise.all(
    specs.map((g) =>
      startComfySim({
        gpu: new SimGpu({ vramTotal: g.vramBytes, profile: profileAt(g.speed), timeScale }),
        previewMethod: 'none',
      }),
    ),
  );
}

/** Wall ms of one image of each model on a speed-1 simulator: a cold render (load + run), then a warm one. */
async function calibrate(
  templates: TemplateLibrary,
  timeScale: number,
): Promise<Record<string, ModelProfile>> {
  const [sim] = await startSims([{ id: 'calibration', speed: 1, vramBytes: 24 * 1024 ** 3 }], timeScale);
  if (!sim) throw new Error('no calibration simulator');
  const client = new ComfyClient({ url: sim.url });
  const profiles: Record<string, ModelProfile> = {};
  try {
    for (const [model, vramBytes] of [
      [QWEN, 21.2e9],
      [SDXL, 8e9],
    ] as const) {
      const timed = async (seed: number): Promise<number> => {
        const t = performance.now();
        await render(client, templates, model, seed);
        return performance.now() - t;
      };
      const cold = await timed(1);
      const warm = Math.min(await timed(2), await timed(3), await timed(4));
      profiles[model] = { runMs: warm, loadMs: Math.max(0, cold - warm), vramBytes };
    }
  } finally {
    await client.close();
    await sim.close();
  }
  return profiles;
}

export interface SocketValidation {
  products: number;
  simulatorsMs: number;
  modelMs: number;
}

/** Runs `products` through `policy` on real simulators and in the model, and returns both makespans. */
export async function validateOnSockets(
  specs: readonly GpuSpec[],
  models: readonly string[],
  makePolicy: () => Policy,
  timeScale = 0.03,
): Promise<SocketValidation> {
  const templates = await loadTemplates();
  const profiles = await calibrate(templates, timeScale);
  const modelRun = new HeteroSim(specs, profiles).run(buildCatalog(models), makePolicy());
  const sims = await startSims(specs, timeScale);
  const clients = new Map(specs.map((g, i) => [g.id, new ComfyClient({ url: sims[i]?.url ?? '' })]));
  try {
    const fleet = new SocketFleet(specs, clients, templates, new HeteroSim(specs, profiles).costs);
    const simulatorsMs = await fleet.run(buildCatalog(models), makePolicy());
    return { products: models.length, simulatorsMs, modelMs: modelRun.makespanMs };
  } finally {
    await Promise.allSettled([...clients.values()].map((c) => c.close()));
    await Promise.allSettled(sims.map((s) => s.close()));
  }
}
