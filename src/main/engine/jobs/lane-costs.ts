// What placement needs to know about each ComfyUI lane's speed: milliseconds per image per backend
// and model, learnt from the usage rows the executor writes (`usageRecord`, journalled in
// `model_usage_log`), and load times from the difference between a cold render (the first of a model
// on a backend, which loads it) and the warm ones. Unmeasured pairs fall back on what the other lanes
// measured for that model, then on defaults. VRAM is what the caller knows; unknown means "it fits".
import type { PlacementCosts } from '../placement/index.ts';

/** One usage row as far as costs go (the executor's `UsageRecord` and the store's rows both fit). */
export interface UsageSample {
  backend: string;
  model: string;
  phase: string;
  runMs: number;
  totalMs: number;
  ok: boolean;
}

export interface LaneCostOptions {
  /** Milliseconds per image for a model nobody has measured yet. */
  defaultRunMs?: number;
  /** A model load as a share of one image of it, until a load is measured (Qwen ~0.3–0.5, SDXL ~0.7). */
  loadShare?: number;
  /** After this many samples the mean becomes a moving average, so a changed backend is learnt again. */
  window?: number;
  /** Bytes of VRAM on the lane's card, null when unknown. */
  gpuVram?: (laneId: string) => number | null;
  /** Bytes of VRAM the model needs, null when unknown. */
  modelVram?: (model: string) => number | null;
}

interface Mean {
  value: number;
  n: number;
}

const key = (backend: string, model: string): string => `${backend}\u0000${model}`;

export class LaneCosts implements PlacementCosts {
  private readonly warm = new Map<string, Mean>();
  private readonly cold = new Map<string, Mean>();
  /** The model each backend rendered last, in the order the samples arrive (a change means a load). */
  private readonly lastModel = new Map<string, string>();
  private readonly options: Required<Omit<LaneCostOptions, 'gpuVram' | 'modelVram'>> & LaneCostOptions;

  constructor(options: LaneCostOptions = {}) {
    this.options = { defaultRunMs: 30_000, loadShare: 0.5, window: 20, ...options };
  }

  /** Learns from one usage row; failed attempts and non-image work teach nothing about speed. */
  observe(sample: UsageSample): void {
    if (!sample.ok || sample.phase !== 'image') return;
    const ms = sample.runMs > 0 ? sample.runMs : sample.totalMs;
    if (!(ms > 0)) return;
    const coldStart = this.lastModel.get(sample.backend) !== sample.model;
    this.lastModel.set(sample.backend, sample.model);
    const table = coldStart ? this.cold : this.warm;
    const k = key(sample.backend, sample.model);
    const mean = table.get(k) ?? { value: 0, n: 0 };
    mean.n += 1;
    mean.value += (ms - mean.value) / Math.min(mean.n, this.options.window);
    table.set(k, mean);
  }

  /** The measured warm mean on this backend, if any. */
  measured(laneId: string, model: string): number | null {
    return this.warm.get(key(laneId, model))?.value ?? null;
  }

  runMs(laneId: string, model: string): number {
    const own = this.measured(laneId, model);
    if (own !== null) return own;
    // Never rendered warm here: what the others measured (equal speed assumed), then a cold render
    // here (an overestimate by one load), then the default.
    let sum = 0;
    let n = 0;
    for (const [k, mean] of this.warm) {
      if (k.endsWith(`\u0000${model}`)) {
        sum += mean.value;
        n += 1;
      }
    }
    if (n > 0) return sum / n;
    return this.cold.get(key(laneId, model))?.value ?? this.options.defaultRunMs;
  }

  loadMs(laneId: string, model: string): number {
    const run = this.runMs(laneId, model);
    const cold = this.cold.get(key(laneId, model))?.value;
    const warm = this.measured(laneId, model);
    // A "cold" render that was not slower found the model already loaded (a previous session): the
    // share stands in until a real load is seen.
    if (cold !== undefined && warm !== null && cold > warm) return cold - warm;
    return run * this.options.loadShare;
  }

  vramBytes(model: string): number {
    return this.options.modelVram?.(model) ?? 0;
  }

  gpuVram(laneId: string): number {
    return this.options.gpuVram?.(laneId) ?? Number.POSITIVE_INFINITY;
  }
}
