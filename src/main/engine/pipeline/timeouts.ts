// The `timeouts` setting (seconds, per kind of call) turned into the clients' options, and the
// budget of one copy call: a model that is not loaded yet gets the load time on top.
import type { BackendTimeouts } from '../../../shared/index.ts';
import type { BackendPoolOptions } from './backends.ts';

const ms = (sec: number): number => Math.max(1, Math.round(sec * 1000));

/** Client options from the settings; explicit engine options (tests) win over them. */
export function clientOptionsFrom(
  t: BackendTimeouts,
  explicit: Pick<BackendPoolOptions, 'comfy' | 'ollama'> = {},
): Pick<BackendPoolOptions, 'comfy' | 'ollama'> {
  return {
    comfy: {
      requestTimeoutMs: ms(t.comfyRequestSec),
      pollTimeoutMs: ms(t.comfyPollSec),
      downloadTimeoutMs: ms(t.comfyDownloadSec),
      stallInterruptMs: ms(t.comfyStallSec),
      jobTimeoutMs: ms(t.comfyJobSec),
      // A prompt that loses its server polls it this long before its job waits for the backend.
      unreachableGraceMs: Math.min(ms(t.backendDownSec) / 4, 30_000),
      // Never wait in silence longer than the stall interrupt before looking at /queue.
      stallTimeoutMs: Math.min(60_000, ms(t.comfyStallSec)),
      ...explicit.comfy,
    },
    ollama: {
      metadataTimeoutMs: ms(t.ollamaRequestSec),
      ...explicit.ollama,
    },
  };
}

/** Ollama keeps a model 5 minutes after its last call by default: past that, assume a reload. */
const WARM_FOR_MS = 4 * 60_000;

/**
 * Remembers which models answered recently, so a copy call to a loaded model gets the short budget
 * and the first one (or the first after the image phase unloaded it) the load time on top.
 */
export class CopyBudget {
  private readonly warmUntil = new Map<string, number>();

  budgetMs(model: string, t: BackendTimeouts): { ms: number; loading: boolean } {
    const loading = (this.warmUntil.get(model) ?? 0) < Date.now();
    return { ms: ms(t.ollamaCopySec + (loading ? t.ollamaLoadSec : 0)), loading };
  }

  answered(model: string): void {
    this.warmUntil.set(model, Date.now() + WARM_FOR_MS);
  }

  unloaded(model?: string): void {
    if (model === undefined) this.warmUntil.clear();
    else this.warmUntil.delete(model);
  }
}
