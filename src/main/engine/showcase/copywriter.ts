// CopyWriter: one Ollama call per product for title, tagline, bullets, description and image
// prompts, validated against CopyDraftSchema (sent to Ollama as a JSON Schema). Output that is not
// valid JSON for the schema is retried with a different seed; after that the deterministic
// fallback keeps the images rendering. Missing models and an unreachable server are not papered
// over: the operator has to fix those, so they surface as errors.
import {
  type CopyDraft,
  CopyDraftSchema,
  type Product,
  type ShowcaseCopy,
  ShowcaseError,
} from '../../../shared/index.ts';
import type { OllamaClient, OllamaStats } from '../ollama/index.ts';
import { copyMessages, fallbackCopy } from './copy-prompt.ts';
import { baseSeedFor } from './seeds.ts';

export interface CopyAttempt {
  ok: boolean;
  stats: OllamaStats | null;
  error: string | null;
  ms: number;
}

export interface CopyResult {
  copy: ShowcaseCopy;
  attempts: CopyAttempt[];
}

export interface CopyWriterOptions {
  model: string;
  language: string;
  variations: number;
  /** Invalid-output retries before the fallback (default 2, so 3 calls at most). */
  retries?: number;
  keepAlive?: string | number;
  temperature?: number;
  /** Budget of one call, model load included (the answer is not streamed: it all arrives at the end). */
  timeoutMs?: number;
  /** Called after each call that ended with an answer (the model is loaded now). */
  onAnswer?: () => void;
}

export class CopyWriter {
  private readonly client: OllamaClient;

  constructor(client: OllamaClient) {
    this.client = client;
  }

  async write(product: Product, options: CopyWriterOptions, signal?: AbortSignal): Promise<CopyResult> {
    const { system, user } = copyMessages(product, options.language, options.variations);
    const attempts: CopyAttempt[] = [];
    const retries = options.retries ?? 2;
    const seed = baseSeedFor(product.id) % 2_147_483_647;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const started = performance.now();
      try {
        const result = await this.client.chatJson(CopyDraftSchema, {
          model: options.model,
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: user },
          ],
          // One reply instead of a chunk per token: the copy is only usable once the whole JSON is
          // there, and each streamed chunk would cost the engine a wake-up (~500 per product).
          stream: false,
          options: {
            seed: seed + attempt,
            temperature: options.temperature ?? 0.7,
            num_ctx: 4096,
            num_predict: 1024,
          },
          ...(options.keepAlive !== undefined ? { keepAlive: options.keepAlive } : {}),
          ...(options.timeoutMs !== undefined
            ? { timeoutMs: options.timeoutMs, headersTimeoutMs: options.timeoutMs }
            : {}),
          ...(signal ? { signal } : {}),
        });
        options.onAnswer?.();
        attempts.push({ ok: true, stats: result.stats, error: null, ms: performance.now() - started });
        return { copy: finish(result.parsed, options, 'llm'), attempts };
      } catch (err) {
        const e = err instanceof ShowcaseError ? err : null;
        attempts.push({
          ok: false,
          stats: null,
          error: e?.message ?? String(err),
          ms: performance.now() - started,
        });
        if (e?.code !== 'llm_invalid_output') throw err;
        options.onAnswer?.();
      }
    }
    return {
      copy: finish(fallbackCopy(product, options.variations, options.language), options, 'fallback'),
      attempts,
    };
  }
}

function finish(draft: CopyDraft, options: CopyWriterOptions, source: 'llm' | 'fallback'): ShowcaseCopy {
  return {
    ...draft,
    language: options.language,
    source,
    ...(source === 'llm' ? { model: options.model } : {}),
  };
}
