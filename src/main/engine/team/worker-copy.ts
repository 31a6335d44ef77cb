// The copy side of a team worker (`worker --ollama`): the same copywriter the sending station would
// run, on the product the job carries, and the phase switch of the GPU the Ollama shares — the LLM
// and the image model do not fit one 24 GB card together, so a switch frees the other's VRAM first.
import { OllamaClient, type OllamaClientOptions } from '../ollama/index.ts';
import { CopyWriter } from '../showcase/index.ts';
import type { TeamCopyJob, TeamCopyResult } from './payload.ts';
import type { WorkerGpu } from './worker-gpu.ts';

export class WorkerCopy {
  readonly url: string;
  private readonly client: OllamaClient;
  private phase: 'copy' | 'image' | null = null;
  private lastModel: string | null = null;

  constructor(url: string, options: Omit<OllamaClientOptions, 'baseUrl'> = {}) {
    this.url = url;
    this.client = new OllamaClient({ ...options, baseUrl: url });
  }

  /** Before `gpu` (the one the Ollama shares) writes copy or renders: one switch per phase. */
  async switchPhase(gpu: WorkerGpu, next: 'copy' | 'image'): Promise<void> {
    if (this.phase === next) return;
    const previous = this.phase;
    this.phase = next;
    if (previous === null) return;
    if (next === 'copy') await gpu.client.free({ unloadModels: true }).catch(() => undefined);
    else if (this.lastModel) await this.client.freeVram(this.lastModel).catch(() => undefined);
  }

  async write(
    job: TeamCopyJob,
    worker: { id: string; name: string },
    signal: AbortSignal,
  ): Promise<TeamCopyResult> {
    const written = await new CopyWriter(this.client).write(
      job.product,
      { model: job.model, language: job.language, variations: job.variations },
      signal,
    );
    this.lastModel = job.model;
    return {
      worker: worker.id,
      workerName: worker.name,
      backend: this.url,
      copy: written.copy,
      attempts: written.attempts.map((a) => ({
        ok: a.ok,
        ms: a.ms,
        error: a.error,
        tokensIn: a.stats?.promptTokens ?? null,
        tokensOut: a.stats?.evalTokens ?? null,
      })),
    };
  }
}
