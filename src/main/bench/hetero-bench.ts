// `hetero:` lines of `npm run bench`: one catalog, four GPUs of different speeds and VRAM, two model
// families, every policy on the same catalog in the discrete-event model (hetero-model.ts).
import { GiB } from '../../sim/gpu.ts';
import {
  buildCatalog,
  type GpuSpec,
  HeteroSim,
  lowerBoundMs,
  type ModelProfile,
  type Policy,
} from './hetero-model.ts';
import {
  earliestFinishPolicy,
  firstZeroQueuePolicy,
  roundRobinPolicy,
  swarmStylePolicy,
} from './hetero-policies.ts';

export const QWEN = 'qwen_image_fp8_e4m3fn.safetensors';
export const SDXL = 'sd_xl_base_1.0.safetensors';

/**
 * Qwen-Image FP8: 20 steps at 2.1 s + 2 s of other nodes on a 24 GB card, a 20 s load of the model,
 * its text encoder and VAE (21.2 GB together: it does not fit 16 GB). SDXL: 25 steps at 0.4 s + 1.5 s,
 * an 8 s load, 8 GB with its VAE.
 */
export const HETERO_PROFILES: Readonly<Record<string, ModelProfile>> = {
  [QWEN]: { runMs: 44_000, loadMs: 20_000, vramBytes: 21.2e9 },
  [SDXL]: { runMs: 11_500, loadMs: 8_000, vramBytes: 8e9 },
};

export const HETERO_GPUS: readonly GpuSpec[] = [
  { id: 'gpu-a', speed: 1.0, vramBytes: 24 * GiB },
  { id: 'gpu-b', speed: 1.0, vramBytes: 24 * GiB },
  { id: 'gpu-c', speed: 0.6, vramBytes: 24 * GiB },
  { id: 'gpu-d', speed: 0.35, vramBytes: 16 * GiB },
];

/** `count` products, `qwenShare` of them Qwen-Image, mixed in a fixed pseudo-random order. */
export function heteroModels(count: number, qwenShare: number): string[] {
  const qwen = Math.round(count * qwenShare);
  const models = Array.from({ length: count }, (_, i) => (i < qwen ? QWEN : SDXL));
  // A fixed LCG shuffle: the same catalog on every run and for every policy.
  let state = 12345;
  for (let i = models.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const k = state % (i + 1);
    const a = models[i];
    const b = models[k];
    if (a === undefined || b === undefined) continue;
    models[i] = b;
    models[k] = a;
  }
  return models;
}

export interface HeteroResult {
  policy: string;
  makespanMs: number;
  loads: number;
  imagesPerGpu: Record<string, number>;
}

export interface HeteroMeasure {
  lowerBoundMs: number;
  results: HeteroResult[];
}

export function measureHetero(
  products = 1000,
  gpus: readonly GpuSpec[] = HETERO_GPUS,
  profiles: Readonly<Record<string, ModelProfile>> = HETERO_PROFILES,
): HeteroMeasure {
  const models = heteroModels(products, 0.6);
  const policies: Array<() => Policy> = [
    earliestFinishPolicy,
    roundRobinPolicy,
    firstZeroQueuePolicy,
    swarmStylePolicy,
  ];
  const results = policies.map((make) => {
    const policy = make();
    const run = new HeteroSim(gpus, profiles).run(buildCatalog(models), policy);
    return { policy: policy.name, ...run };
  });
  return { lowerBoundMs: lowerBoundMs(buildCatalog(models), gpus, profiles), results };
}
