// The backends a run uses: one Ollama server (the LLM lane), one or more ComfyUI servers (one
// lane each) and the local CPU (sharp thumbnails). Probes VRAM and loaded models, and decides
// whether the LLM and the image model can share the GPU or must take turns.
import { type BackendStatus, type TemplateFamily, toShowcaseError } from '../../../shared/index.ts';
import { ComfyClient, type ComfyClientOptions } from '../comfy/index.ts';
import { OllamaClient, type OllamaClientOptions } from '../ollama/index.ts';
import type { Lane } from '../queue/index.ts';

/** Approximate VRAM a family's models hold while rendering (weights + text encoder + VAE + activations). */
const IMAGE_FAMILY_VRAM: Record<TemplateFamily, number> = {
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
  /** Uploads (done or under way) by content hash → the name to use in LoadImage. */
  uploads: Map<string, Promise<string>>;
  status: BackendStatus;
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
  readonly comfy: ComfyBackend[];
  readonly ollama: OllamaClient;
  readonly ollamaUrl: string;
  readonly llmLane: Lane;
  readonly cpuLane: Lane;
  private readonly options: BackendPoolOptions;
  private llmStatus: BackendStatus;

  constructor(options: BackendPoolOptions) {
    this.options = options;
    const depth = options.pipelineDepth ?? 2;
    const llmHost = hostOf(options.ollamaUrl);
    let sharedAssigned = false;
    this.comfy = options.comfyUrls.map((url, i) => {
      // The first ComfyUI server on the LLM's host is assumed to share its GPU.
      const shared = !sharedAssigned && hostOf(url) === llmHost;
      if (shared) sharedAssigned = true;
      const id = options.comfyUrls.length > 1 ? `comfy-${i + 1}` : 'comfy';
      return {
        id,
        url,
        client: new ComfyClient({ url, ...options.comfy }),
        lane: {
          id,
          kind: 'comfy',
          capacity: depth,
          sharedWithLlm: shared,
          online: true,
          sequential: false,
          inFlight: 0,
          lastModel: null,
        },
        uploads: new Map(),
        status: emptyStatus(id, 'comfyui', url),
      };
    });
    this.ollamaUrl = options.ollamaUrl;
    this.ollama = new OllamaClient({
      baseUrl: options.ollamaUrl,
      defaultOptions: { num_ctx: 4096 },
      // /api/ps is cheap: poll it often so the GPU does not idle between the copy and image phases.
      pollIntervalMs: 25,
      ...options.ollama,
    });
    this.llmLane = {
      id: 'ollama',
      kind: 'llm',
      capacity: 1,
      sharedWithLlm: false,
      online: true,
      sequential: true,
      inFlight: 0,
      lastModel: options.ollamaModel,
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
          b.lane.online = true;
        } catch (err) {
          const e = toShowcaseError(err);
          b.status = { ...b.status, online: false, error: e.message, checkedAt: now() };
          b.lane.online = false;
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

  async close(): Promise<void> {
    await Promise.allSettled([...this.comfy.map((b) => b.client.close()), this.ollama.close()]);
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
