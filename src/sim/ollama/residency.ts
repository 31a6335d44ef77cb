// Which models the Ollama simulator has installed and resident: loads on the shared SimGpu (a load that
// does not fit offloads to the CPU, as Ollama does), keep_alive expiry, unload after the last request,
// one request at a time per model, and what /api/ps reports.
import { OutOfVramError, type SimGpu } from '../gpu.ts';
import { type CatalogEntry, catalogEntry, normalizeTag } from './catalog.ts';
import { OllamaFaults } from './faults.ts';
import { FOREVER_MS } from './respond.ts';
import { KEEP_FOREVER } from './wire.ts';

export interface Resident {
  numCtx: number;
  /** Full footprint in bytes (weights + KV cache); the GPU holds `size_vram` of it. */
  size: number;
  keepAliveMs: number;
  inFlight: number;
  unloading: Promise<void> | undefined;
}

/** One request at a time per model (OLLAMA_NUM_PARALLEL = 1); the rest wait in FIFO order. */
export class ModelSlot {
  private busy = false;
  private readonly waiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  get waiting(): number {
    return this.waiters.length;
  }

  get isBusy(): boolean {
    return this.busy;
  }

  acquire(signal: AbortSignal): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal.reason);
      };
      this.waiters.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      next();
      return;
    }
    this.busy = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

export interface ResidencyOptions {
  gpu: SimGpu;
  models: readonly string[];
  unloadDelayMs: number;
  defaultNumCtx: number;
  kvBytesPerToken: number;
  defaultKeepAliveMs: number;
  closing: AbortSignal;
  log: (line: string) => void;
}

export class Residency {
  readonly gpu: SimGpu;
  readonly installed = new Map<string, CatalogEntry>();
  readonly residents = new Map<string, Resident>();
  readonly slots = new Map<string, ModelSlot>();
  readonly faults: OllamaFaults;
  readonly unloadDelayMs: number;
  readonly defaultNumCtx: number;
  readonly kvBytesPerToken: number;
  readonly defaultKeepAliveMs: number;
  readonly closing: AbortSignal;
  readonly log: (line: string) => void;

  constructor(options: ResidencyOptions) {
    this.gpu = options.gpu;
    this.unloadDelayMs = options.unloadDelayMs;
    this.defaultNumCtx = options.defaultNumCtx;
    this.kvBytesPerToken = options.kvBytesPerToken;
    this.defaultKeepAliveMs = options.defaultKeepAliveMs;
    this.closing = options.closing;
    this.log = options.log;
    for (const tag of options.models) this.installed.set(normalizeTag(tag), catalogEntry(tag));
    this.faults = new OllamaFaults((tag) => this.removeModel(tag));
  }

  /** Requests waiting for a busy model, over all models (OLLAMA_MAX_QUEUE counts them all). */
  waiting(): number {
    return [...this.slots.values()].reduce((n, s) => n + s.waiting, 0);
  }

  removeModel(tag: string): void {
    const name = normalizeTag(tag);
    this.installed.delete(name);
    this.gpu.unload(name);
    this.residents.delete(name);
  }
  slotFor(tag: string): ModelSlot {
    let slot = this.slots.get(tag);
    if (!slot) {
      slot = new ModelSlot();
      this.slots.set(tag, slot);
    }
    return slot;
  }

  /** Wall-clock expiry for a keep_alive; durations are in profile time like everything else. */
  expiryFor(keepAliveMs: number): number | null {
    if (keepAliveMs === KEEP_FOREVER) return null;
    return Date.now() + (this.gpu.timeScale > 0 ? this.gpu.scaled(keepAliveMs) : keepAliveMs);
  }

  /** keep_alive 0: the reply is immediate, the unload happens once the model is idle, after a delay. */
  scheduleUnload(tag: string): void {
    const resident = this.residents.get(tag);
    if (!resident) {
      this.gpu.unload(tag);
      return;
    }
    if (resident.unloading) return;
    resident.unloading = (async () => {
      await this.slotFor(tag).whenIdle();
      try {
        await this.gpu.sleep(this.unloadDelayMs, this.closing);
      } catch {
        // closing: close() frees everything anyway
      }
      this.gpu.unload(tag);
      if (this.residents.get(tag) === resident) this.residents.delete(tag);
      this.log(`unloaded ${tag}`);
    })();
  }

  /**
   * Makes the model resident with the requested context; returns after the (scaled) load time.
   * A client that disconnects mid-load cancels it, as the real scheduler does (status 499).
   */
  async ensureLoaded(tag: string, numCtx: number, signal: AbortSignal): Promise<Resident> {
    const current = this.residents.get(tag);
    // A resident with an unload pending is still usable: the unload waits until this request is done.
    if (current && this.gpu.isLoaded(tag) && current.numCtx === numCtx) return current;
    // A changed num_ctx (a load-time option) reloads the runner.
    if (this.gpu.isLoaded(tag)) this.gpu.unload(tag);
    const spec = this.gpu.spec(tag);
    const size = Math.max(
      Math.round(spec.vram / 2),
      Math.round(spec.vram + (numCtx - this.defaultNumCtx) * this.kvBytesPerToken),
    );
    try {
      this.gpu.load(tag, 'ollama', null, size);
    } catch (err) {
      if (!(err instanceof OutOfVramError)) throw err;
      // Ollama does not fail here: layers that do not fit run on the CPU (size_vram < size).
      this.gpu.load(tag, 'ollama', null, this.gpu.free());
      this.log(`${tag}: offloading ${size - this.gpu.free()} bytes to the CPU`);
    }
    const resident: Resident = {
      numCtx,
      size,
      keepAliveMs: this.defaultKeepAliveMs,
      inFlight: 0,
      unloading: undefined,
    };
    this.residents.set(tag, resident);
    const extra = this.faults.slowLoadMs;
    if (extra > 0) this.faults.record('slow-load', '', tag, `${extra} ms`);
    try {
      await this.gpu.sleep(spec.loadMs + extra, signal);
    } catch (err) {
      this.gpu.unload(tag);
      if (this.residents.get(tag) === resident) this.residents.delete(tag);
      this.log(`${tag}: client connection closed before server finished loading, aborting load`);
      throw err;
    }
    return resident;
  }

  vramShare(tag: string, resident: Resident): number {
    const onGpu = this.gpu.models('ollama').find((m) => m.name === tag)?.vram ?? 0;
    return resident.size > 0 ? Math.min(1, onGpu / resident.size) : 1;
  }

  psBody() {
    const models = this.gpu.models('ollama').map((loaded) => {
      const resident = this.residents.get(loaded.name);
      const entry = this.installed.get(loaded.name) ?? catalogEntry(loaded.name);
      const expiresAt =
        resident && resident.inFlight > 0
          ? (this.expiryFor(resident.keepAliveMs) ?? Date.now() + FOREVER_MS)
          : (loaded.expiresAt ?? Date.now() + FOREVER_MS);
      return {
        name: loaded.name,
        model: loaded.name,
        size: Math.max(resident?.size ?? loaded.vram, loaded.vram),
        digest: entry.digest,
        details: entry.details,
        expires_at: new Date(expiresAt).toISOString(),
        size_vram: loaded.vram,
        context_length: resident?.numCtx ?? this.defaultNumCtx,
      };
    });
    models.sort((a, b) => b.expires_at.localeCompare(a.expires_at));
    return { models };
  }
}
