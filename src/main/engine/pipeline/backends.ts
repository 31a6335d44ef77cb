// The backends a run uses: one Ollama server (the LLM lane), one or more ComfyUI servers (one
// lane each) and the local CPU (sharp thumbnails). Probes VRAM and loaded models, and decides
// whether the LLM and the image model can share the GPU or must take turns.
import {
  type BackendStatus,
  type ShowcaseError,
  type TemplateFamily,
  toShowcaseError,
} from '../../../shared/index.ts';
import { ComfyClient, type ComfyClientOptions, ComfyUploads } from '../comfy/index.ts';
import type { Lane } from '../jobs/index.ts';
import { OllamaClient, type OllamaClientOptions } from '../ollama/index.ts';

/** Approximate VRAM a family's models hold while rendering (weights + text encoder + VAE + activations). */
export const IMAGE_FAMILY_VRAM: Record<TemplateFamily, number> = {
  'qwen-image': 21.5e9,
  edit: 21.5e9,
  sdxl: 8e9,
};
/** llama3.2 3B Q4_K_M at num_ctx 4096 (protocols/ollama.md §8.4). */
const LLM_VRAM_ESTIMATE = 4.0e9;

export interface ComfyBackend {
  id: string;
  url: string;
  client: ComfyClient;
  lane: Lane;
  /** The images this server already holds (one upload per content hash). */
  uploads: ComfyUploads;
  status: BackendStatus;
  /** Why the last probe failed (null when it answered): "answered HTTP 500" is not "unreachable". */
  probeError?: ShowcaseError | null;
}

export interface BackendPoolOptions {
  comfyUrls: string[];
  ollamaUrl: string;
  ollamaModel: string;
  /** Prompts kept in flight per ComfyUI server (1 running + N-1 queued on the server). */
  pipelineDepth?: number;
  cpuConcurrency?: number;
  comfy?: Partial<Omit<ComfyClientOptions, 'url'>>;
  ollama?: Partial<Omit<OllamaClientOptions, 'baseUrl'>>;
  onStatus?: (status: BackendStatus) => void;
}

function hostOf(url: string): string {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '::1' || host === '[::1]' ? '127.0.0.1' : host;
  } catch {
    return url;
  }
}

export class BackendPool {
  /** Replaced (not mutated) when the settings change the ComfyUI URLs: see reconfigure(). */
  comfy: ComfyBackend[];
  ollama: OllamaClient;
  ollamaUrl: string;
  readonly llmLane: Lane;
  readonly cpuLane: Lane;
  private readonly options: BackendPoolOptions;
  private llmStatus: BackendStatus;
  /** Clients of backends removed from the settings, closed once their last job is done. */
  private readonly retiring = new Set<Promise<void>>();

  constructor(options: BackendPoolOptions) {
    this.options = options;
    this.comfy = this.buildComfy(options.comfyUrls, []);
    this.ollamaUrl = options.ollamaUrl;
    this.ollama = this.buildOllama(options.ollamaUrl);
    this.llmLane = {
      id: 'ollama',
      kind: 'llm',
      capacity: 1,
      sharedWithLlm: false,
      online: true,
      sequential: true,
      inFlight: 0,
      lastModel: options.ollamaModel,
      url: options.ollamaUrl,
      label: 'Ollama',
    };
    this.cpuLane = {
      id: 'local',
      kind: 'cpu',
      capacity: options.cpuConcurrency ?? 2,
      sharedWithLlm: false,
      online: true,
      sequential: false,
      inFlight: 0,
      lastModel: null,
    };
    this.llmStatus = emptyStatus('ollama', 'ollama', options.ollamaUrl);
  }

  lanes(): Lane[] {
    return [this.llmLane, ...this.comfy.map((b) => b.lane), this.cpuLane];
  }

  private buildComfy(urls: readonly string[], keep: readonly ComfyBackend[]): ComfyBackend[] {
    const depth = this.options.pipelineDepth ?? 2;
    const llmHost = hostOf(this.options.ollamaUrl);
    let sharedAssigned = false;
    return urls.map((url, i) => {
      // The first ComfyUI server on the LLM's host is assumed to share its GPU.
      const shared = !sharedAssigned && hostOf(url) === llmHost;
      if (shared) sharedAssigned = true;
      const id = urls.length > 1 ? `comfy-${i + 1}` : 'comfy';
      const kept = keep.find((b) => b.url === url && b.id === id);
      if (kept) {
        kept.lane.sharedWithLlm = shared;
        return kept;
      }
      const client = new ComfyClient({ url, ...this.options.comfy });
      return {
        id,
        url,
        client,
        lane: {
          id,
          kind: 'comfy',
          capacity: depth,
          sharedWithLlm: shared,
          online: true,
          sequential: false,
          inFlight: 0,
          lastModel: null,
          url,
          label: 'ComfyUI',
        },
        uploads: new ComfyUploads(client),
        status: emptyStatus(id, 'comfyui', url),
      };
    });
  }

  private buildOllama(url: string): OllamaClient {
    return new OllamaClient({
      baseUrl: url,
      defaultOptions: { num_ctx: 4096 },
      // /api/ps is cheap: poll it often so the GPU does not idle between the copy and image phases.
      pollIntervalMs: 25,
      ...this.options.ollama,
    });
  }

  /**
   * Applies new backend URLs from the settings to a running engine. Unchanged servers keep their
   * client (and the prompts it follows); a removed server's lane is retired — it takes no new work,
   * its running jobs finish — and its client closes once the lane is idle. Returns true when
   * anything changed (the scheduler then needs `lanes()` again).
   */
  reconfigure(next: { comfyUrls: readonly string[]; ollamaUrl: string }): boolean {
    const sameComfy =
      next.comfyUrls.length === this.comfy.length && next.comfyUrls.every((u, i) => this.comfy[i]?.url === u);
    const sameOllama = next.ollamaUrl === this.ollamaUrl;
    if (sameComfy && sameOllama) return false;
    if (!sameOllama) {
      const old = this.ollama;
      this.ollamaUrl = next.ollamaUrl;
      this.options.ollamaUrl = next.ollamaUrl;
      this.ollama = this.buildOllama(next.ollamaUrl);
      this.llmLane.url = next.ollamaUrl;
      this.llmLane.online = true;
      this.llmStatus = emptyStatus('ollama', 'ollama', next.ollamaUrl);
      this.retire(
        () => this.llmLane.inFlight === 0,
        () => old.close(),
      );
    }
    if (!sameComfy) {
      const previous = this.comfy;
      this.comfy = this.buildComfy(next.comfyUrls, previous);
      for (const gone of previous.filter((b) => !this.comfy.includes(b))) {
        gone.lane.retired = true;
        gone.lane.online = false;
        this.retire(
          () => gone.lane.inFlight === 0,
          () => gone.client.close(),
        );
      }
    }
    return true;
  }

  /** A backend removed from the settings is reachable by id until its last job ends. */
  private retire(idle: () => boolean, close: () => Promise<void>): void {
    const done = (async () => {
      while (!idle() && !this.closed) await new Promise((r) => setTimeout(r, 200));
      await close().catch(() => undefined);
    })();
    this.retiring.add(done);
    void done.finally(() => this.retiring.delete(done));
  }

  /** A cheap request to the lane's backend; throws while it is unreachable (used while it is down). */
  async probeLane(lane: Lane, timeoutMs = 5_000): Promise<void> {
    const signal = AbortSignal.timeout(timeoutMs);
    if (lane.kind === 'llm') {
      await this.ollama.version({ signal });
      return;
    }
    const backend = this.byLane(lane.id);
    if (!backend) throw new Error(`no backend for lane ${lane.id}`);
    await backend.client.ping({ signal });
  }

  byLane(laneId: string): ComfyBackend | undefined {
    return this.comfy.find((b) => b.id === laneId);
  }

  statuses(): BackendStatus[] {
    return [this.llmStatus, ...this.comfy.map((b) => b.status)];
  }

  /** Reads VRAM, queue and loaded models of every backend; marks unreachable ones offline. */
  async probe(signal?: AbortSignal): Promise<BackendStatus[]> {
    const now = () => new Date().toISOString();
    await Promise.all([
      ...this.comfy.map(async (b) => {
        try {
          const [stats, queue] = await Promise.all([
            b.client.systemStats(signal ? { signal } : {}),
            b.client.queueRemaining(signal ? { signal } : {}),
          ]);
          const gpu = stats.devices[0];
          b.status = {
            ...b.status,
            online: true,
            vramTotal: gpu?.vramTotal ?? null,
            vramFree: gpu?.vramFree ?? null,
            queueRemaining: queue,
            loadedModels: b.lane.lastModel ? [b.lane.lastModel] : [],
            error: null,
            checkedAt: now(),
          };
          b.lane.online = !b.lane.retired;
          b.probeError = null;
        } catch (err) {
          const e = toShowcaseError(err);
          b.status = { ...b.status, online: false, error: e.message, checkedAt: now() };
          b.lane.online = false;
          b.probeError = e;
        }
        this.options.onStatus?.(b.status);
      }),
      (async () => {
        try {
          const running = await this.ollama.ps(signal ? { signal } : {});
          const vram = running.reduce((n, m) => n + (m.sizeVram ?? 0), 0);
          this.llmStatus = {
            ...this.llmStatus,
            online: true,
            vramTotal: null,
            vramFree: null,
            loadedModels: running.map((m) => m.name),
            queueRemaining: this.llmLane.inFlight,
            error: null,
            checkedAt: now(),
          };
          this.llmVramInUse = vram;
          this.llmLane.online = true;
        } catch (err) {
          const e = toShowcaseError(err);
          this.llmStatus = { ...this.llmStatus, online: false, error: e.message, checkedAt: now() };
        }
        this.options.onStatus?.(this.llmStatus);
      })(),
    ]);
    return this.statuses();
  }

  private llmVramInUse = 0;

  /**
   * True when the LLM and the family's image model cannot be resident together on the shared GPU
   * (then copy and images take turns, one swap per batch). Unknown VRAM counts as "too small".
   */
  needsPhaseGating(family: TemplateFamily): boolean {
    const shared = this.comfy.find((b) => b.lane.sharedWithLlm);
    if (!shared) return false;
    const total = shared.status.vramTotal;
    if (total === null) return true;
    const llm = Math.max(this.llmVramInUse, LLM_VRAM_ESTIMATE);
    return llm + IMAGE_FAMILY_VRAM[family] > total * 0.95;
  }

  private closed = false;

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.comfy.map((b) => b.client.close()), this.ollama.close()]);
    await Promise.allSettled([...this.retiring]);
  }
}

function emptyStatus(id: string, kind: 'comfyui' | 'ollama', url: string): BackendStatus {
  return {
    id,
    kind,
    url,
    online: false,
    vramTotal: null,
    vramFree: null,
    loadedModels: [],
    queueRemaining: 0,
    error: null,
    checkedAt: new Date(0).toISOString(),
  };
}
