// A simulated GPU shared by the ComfyUI and Ollama simulators, so an LLM and an image model compete
// for VRAM as they do on a real 24 GB card. Durations come from a latency profile (real-world
// milliseconds) multiplied by a time scale, so demo and tests run fast while benchmarks can replay
// realistic timings.

export const GiB = 1024 ** 3;

export interface ModelSpec {
  /** Bytes of VRAM the model occupies while loaded. */
  vram: number;
  /** Real-world milliseconds to load the model from disk into VRAM. */
  loadMs: number;
}

export interface LatencyProfile {
  /** Per-model footprint and load time, keyed by model file or Ollama tag. */
  models: Record<string, ModelSpec>;
  /** Milliseconds per sampler step for a 1 MP image (scaled linearly by pixel count). */
  stepMs: number;
  /** Milliseconds for each non-sampler node (text encode, VAE decode, save). */
  nodeMs: number;
  /** Milliseconds the LLM spends per generated token, and once per request (prompt eval). */
  tokenMs: number;
  promptEvalMs: number;
}

/** Qwen-Image FP8 on a 24 GB card (~20 s load, ~70 s warm 20-step image) and llama3.2 3B (~3 s copy). */
export const realisticProfile: LatencyProfile = {
  models: {
    'qwen_image_fp8_e4m3fn.safetensors': { vram: 20.4 * 1e9, loadMs: 14_000 },
    'qwen_image_edit_2509_fp8_e4m3fn.safetensors': { vram: 20.4 * 1e9, loadMs: 14_000 },
    'qwen_2.5_vl_7b_fp8_scaled.safetensors': { vram: 0.5 * 1e9, loadMs: 5_000 },
    'qwen_image_vae.safetensors': { vram: 0.25 * 1e9, loadMs: 1_000 },
    'sd_xl_base_1.0.safetensors': { vram: 7 * 1e9, loadMs: 8_000 },
    'llama3.2': { vram: 3.7 * GiB, loadMs: 2_000 },
    'llama3.2:latest': { vram: 3.7 * GiB, loadMs: 2_000 },
  },
  stepMs: 2_100,
  nodeMs: 400,
  tokenMs: 6,
  promptEvalMs: 150,
};

/** Every duration zero: for measuring the engine's own overhead. */
export const zeroProfile: LatencyProfile = {
  models: Object.fromEntries(
    Object.entries(realisticProfile.models).map(([k, v]) => [k, { vram: v.vram, loadMs: 0 }]),
  ),
  stepMs: 0,
  nodeMs: 0,
  tokenMs: 0,
  promptEvalMs: 0,
};

export interface LoadedModel {
  name: string;
  owner: 'comfyui' | 'ollama';
  vram: number;
  loadedAt: number;
  /** Ollama only: epoch ms when keep_alive expires (null = forever). */
  expiresAt: number | null;
}

export class OutOfVramError extends Error {
  readonly requested: number;
  readonly free: number;
  constructor(model: string, requested: number, free: number) {
    super(`Allocation on device: ${model} needs ${requested} bytes, ${free} free`);
    this.name = 'OutOfVramError';
    this.requested = requested;
    this.free = free;
  }
}

export interface SimGpuOptions {
  name?: string;
  vramTotal?: number;
  profile?: LatencyProfile;
  /** Multiplies every profile duration: 1 = real time, 0.001 = a thousand times faster. */
  timeScale?: number;
}

export class SimGpu {
  readonly name: string;
  readonly vramTotal: number;
  readonly profile: LatencyProfile;
  readonly timeScale: number;
  private readonly loaded = new Map<string, LoadedModel>();
  /** Count of model loads per model name, for asserting swap counts in tests and benchmarks. */
  readonly loadCounts = new Map<string, number>();

  constructor(options: SimGpuOptions = {}) {
    this.name = options.name ?? 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync';
    this.vramTotal = options.vramTotal ?? 25_393_692_672;
    this.profile = options.profile ?? realisticProfile;
    this.timeScale = options.timeScale ?? 1;
  }

  /** Scaled wall-clock milliseconds for a profile duration. */
  scaled(ms: number): number {
    return ms * this.timeScale;
  }

  sleep(profileMs: number, signal?: AbortSignal): Promise<void> {
    const ms = this.scaled(profileMs);
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // A timer counts from the event loop's cached clock, which can lag the call by a fraction of a
      // millisecond: it may fire before `ms` have really passed. Durations the simulators report
      // (load_duration …) are measured, so wait out the rest.
      const until = performance.now() + ms;
      const arm = (wait: number): NodeJS.Timeout =>
        setTimeout(() => {
          const rest = until - performance.now();
          if (rest > 0) {
            timer = arm(rest);
            return;
          }
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, wait);
      let timer = arm(ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  spec(model: string): ModelSpec {
    return this.profile.models[model] ?? { vram: 2 * GiB, loadMs: 1_000 };
  }

  used(): number {
    this.expire();
    let total = 0;
    for (const m of this.loaded.values()) total += m.vram;
    return total;
  }

  free(): number {
    return Math.max(0, this.vramTotal - this.used());
  }

  isLoaded(model: string): boolean {
    this.expire();
    return this.loaded.has(model);
  }

  models(owner?: LoadedModel['owner']): LoadedModel[] {
    this.expire();
    return [...this.loaded.values()].filter((m) => owner === undefined || m.owner === owner);
  }

  /**
   * Makes `model` resident. Returns the profile milliseconds spent loading (0 when already loaded).
   * ComfyUI's smart memory evicts its own models to make room; it cannot evict Ollama's, so an
   * image model that does not fit next to a resident LLM raises OutOfVramError (the real OOM).
   */
  load(model: string, owner: LoadedModel['owner'], expiresAt: number | null = null, vram?: number): number {
    this.expire();
    const existing = this.loaded.get(model);
    if (existing) {
      existing.expiresAt = expiresAt ?? existing.expiresAt;
      return 0;
    }
    const spec = this.spec(model);
    // `vram` overrides the profile footprint: Ollama's KV cache grows with num_ctx, and a model that
    // does not fit is partially offloaded to the CPU (only part of it lands in VRAM).
    const footprint = vram ?? spec.vram;
    if (footprint > this.free()) {
      for (const m of [...this.loaded.values()].sort((a, b) => a.loadedAt - b.loadedAt)) {
        if (footprint <= this.free()) break;
        if (m.owner === owner) this.loaded.delete(m.name);
      }
    }
    if (footprint > this.free()) throw new OutOfVramError(model, footprint, this.free());
    this.loaded.set(model, { name: model, owner, vram: footprint, loadedAt: Date.now(), expiresAt });
    this.loadCounts.set(model, (this.loadCounts.get(model) ?? 0) + 1);
    return spec.loadMs;
  }

  unload(model: string): boolean {
    return this.loaded.delete(model);
  }

  /**
   * Sets (or clears, with null) when a resident model expires. Unlike `load`, null here means
   * "never": Ollama pins a model while a request runs and for `keep_alive < 0`.
   */
  setExpiry(model: string, expiresAt: number | null): boolean {
    const existing = this.loaded.get(model);
    if (!existing) return false;
    existing.expiresAt = expiresAt;
    return true;
  }

  unloadAll(owner?: LoadedModel['owner']): void {
    for (const m of [...this.loaded.values()]) {
      if (owner === undefined || m.owner === owner) this.loaded.delete(m.name);
    }
  }

  totalLoads(): number {
    let n = 0;
    for (const c of this.loadCounts.values()) n += c;
    return n;
  }

  private expire(): void {
    const now = Date.now();
    for (const m of [...this.loaded.values()]) {
      if (m.expiresAt !== null && m.expiresAt <= now) this.loaded.delete(m.name);
    }
  }
}
