// The part of the Ollama client that manages models rather than generating: load, unload and wait
// for the VRAM, list resident and installed models, inspect and pull one. Holds the connection and the
// time budgets; OllamaClient (client.ts) adds chat and generate on top.
import { Agent } from 'undici';
import type { z } from 'zod';
import { ShowcaseError } from '../../../shared/index.ts';
import { normalizeModelName, toDetails } from './output.ts';
import { parseReply, streamError, Transport } from './transport.ts';
import {
  type CallOptions,
  DEFAULT_OLLAMA_URL,
  type KeepAlive,
  type OllamaClientOptions,
  type OllamaInstalledModel,
  type OllamaModelInfo,
  type OllamaOptions,
  type OllamaRunningModel,
  type PullProgress,
} from './types.ts';
import {
  ErrorBodySchema,
  GenerateChunkSchema,
  PsSchema,
  PullLineSchema,
  ShowSchema,
  TagsSchema,
  VersionSchema,
} from './wire.ts';

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class OllamaModels {
  readonly baseUrl: string;
  protected readonly transport: Transport;
  private readonly agent: Agent | undefined;
  protected readonly headersTimeoutMs: number;
  protected readonly idleTimeoutMs: number;
  protected readonly metadataTimeoutMs: number;
  protected readonly pollIntervalMs: number;
  protected readonly defaultOptions: OllamaOptions;
  protected readonly defaultKeepAlive: KeepAlive | undefined;

  constructor(options: OllamaClientOptions = {}) {
    const raw = options.baseUrl ?? DEFAULT_OLLAMA_URL;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ShowcaseError('invalid_input', `Invalid input — ollamaUrl: "${raw}" is not a URL`, {
        details: { fields: ['ollamaUrl'] },
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ShowcaseError(
        'invalid_input',
        `Invalid input — ollamaUrl: must be http(s), got ${url.protocol}`,
        {
          details: { fields: ['ollamaUrl'] },
        },
      );
    }
    this.baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    this.headersTimeoutMs = options.headersTimeoutMs ?? 600_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
    this.metadataTimeoutMs = options.metadataTimeoutMs ?? 15_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.defaultOptions = options.defaultOptions ?? {};
    this.defaultKeepAlive = options.defaultKeepAlive;
    // Our own timers govern every phase; undici's (300 s defaults) are switched off so they never
    // cut a legitimately slow cold load short.
    this.agent = options.dispatcher
      ? undefined
      : new Agent({
          headersTimeout: 0,
          bodyTimeout: 0,
          keepAliveTimeout: 4_000,
          connect: { timeout: options.connectTimeoutMs ?? 10_000 },
        });
    const dispatcher = options.dispatcher ?? this.agent;
    if (!dispatcher) throw new Error('unreachable: no dispatcher');
    this.transport = new Transport(this.baseUrl, dispatcher);
  }

  /** Closes the private connection pool. */
  async close(): Promise<void> {
    await this.agent?.close();
  }

  /**
   * Loads a model without generating (pays the cold load now, e.g. before a copy batch).
   * Uses the time-to-headers budget: the reply only comes once the model is resident.
   */
  async load(
    model: string,
    opts: CallOptions & { keepAlive?: KeepAlive; options?: OllamaOptions } = {},
  ): Promise<{ loadMs: number }> {
    const started = performance.now();
    const keepAlive = opts.keepAlive ?? this.defaultKeepAlive;
    const options = { ...this.defaultOptions, ...opts.options };
    const body: Record<string, unknown> = { model };
    if (keepAlive !== undefined) body.keep_alive = keepAlive;
    // num_ctx must match later requests, or the first real request reloads the model.
    if (Object.keys(options).length > 0) body.options = options;
    await this.single('/api/generate', GenerateChunkSchema, body, model, opts, 'slow');
    return { loadMs: performance.now() - started };
  }

  /**
   * Asks Ollama to unload `model` (keep_alive 0). The reply is immediate; the VRAM is freed
   * asynchronously once in-flight requests finish — use waitUntilUnloaded (or freeVram) to know
   * when. A model that is not installed is not resident either: that resolves too.
   */
  async unload(model: string, opts: CallOptions = {}): Promise<void> {
    try {
      await this.single('/api/generate', GenerateChunkSchema, { model, keep_alive: 0 }, model, opts);
    } catch (err) {
      if (err instanceof ShowcaseError && err.code === 'model_missing') return;
      throw err;
    }
  }

  /** Polls /api/ps until `model` is gone; throws `timeout` after `timeoutMs`. Resolves with the wait in ms. */
  async waitUntilUnloaded(
    model: string,
    timeoutMs = 30_000,
    opts: { signal?: AbortSignal; intervalMs?: number } = {},
  ): Promise<number> {
    const wanted = normalizeModelName(model);
    const started = performance.now();
    for (;;) {
      const running = await this.ps(opts.signal ? { signal: opts.signal } : {});
      if (
        !running.some((m) => normalizeModelName(m.name) === wanted || normalizeModelName(m.model) === wanted)
      ) {
        return performance.now() - started;
      }
      const elapsed = performance.now() - started;
      if (elapsed >= timeoutMs) {
        throw new ShowcaseError(
          'timeout',
          `Ollama still has ${wanted} loaded after ${Math.round(elapsed)} ms`,
          {
            hint: 'A request may still be running on it; wait for it to finish or restart Ollama',
            details: { model: wanted, timeoutMs },
            retryable: true,
          },
        );
      }
      try {
        await sleep(Math.min(opts.intervalMs ?? this.pollIntervalMs, timeoutMs - elapsed), opts.signal);
      } catch (reason) {
        throw new ShowcaseError('interrupted', `Waiting for Ollama to unload ${wanted} was cancelled`, {
          cause: reason,
        });
      }
    }
  }

  /** unload + waitUntilUnloaded: frees the LLM's VRAM before the image phase. */
  async freeVram(model: string, timeoutMs = 30_000, opts: { signal?: AbortSignal } = {}): Promise<number> {
    const started = performance.now();
    await this.unload(model, opts);
    await this.waitUntilUnloaded(model, Math.max(0, timeoutMs - (performance.now() - started)), opts);
    return performance.now() - started;
  }

  /** Models currently resident (GET /api/ps). */
  async ps(opts: CallOptions = {}): Promise<OllamaRunningModel[]> {
    const reply = await this.single('/api/ps', PsSchema, undefined, undefined, opts);
    return (reply.models ?? []).map((m) => ({
      name: m.name,
      model: m.model ?? m.name,
      size: m.size,
      sizeVram: m.size_vram ?? 0,
      digest: m.digest,
      expiresAt: m.expires_at,
      contextLength: m.context_length,
      details: toDetails(m.details),
    }));
  }

  /** Installed models (GET /api/tags). */
  async tags(opts: CallOptions = {}): Promise<OllamaInstalledModel[]> {
    const reply = await this.single('/api/tags', TagsSchema, undefined, undefined, opts);
    return (reply.models ?? []).map((m) => ({
      name: m.name,
      model: m.model ?? m.name,
      size: m.size,
      digest: m.digest,
      modifiedAt: m.modified_at,
      details: toDetails(m.details),
    }));
  }

  /** The server version (GET /api/version): the cheap liveness probe. */
  async version(opts: CallOptions = {}): Promise<string> {
    return (await this.single('/api/version', VersionSchema, undefined, undefined, opts)).version;
  }

  /** Capabilities and context length of an installed model (POST /api/show). */
  async show(model: string, opts: CallOptions = {}): Promise<OllamaModelInfo> {
    const reply = await this.single('/api/show', ShowSchema, { model }, model, opts);
    const info = reply.model_info ?? {};
    const family = reply.details?.family;
    const contextKey =
      family !== undefined && `${family}.context_length` in info
        ? `${family}.context_length`
        : Object.keys(info).find((k) => k.endsWith('.context_length'));
    const contextLength = contextKey === undefined ? undefined : info[contextKey];
    return {
      capabilities: reply.capabilities ?? [],
      contextLength: typeof contextLength === 'number' ? contextLength : undefined,
      details: toDetails(reply.details),
      modelInfo: info,
      template: reply.template,
      parameters: reply.parameters,
    };
  }

  /**
   * Checks that `model` is installed; throws `model_missing` with the exact pull command otherwise
   * (and `backend_unreachable` when Ollama is not running).
   */
  async ensureModel(model: string, opts: CallOptions = {}): Promise<OllamaInstalledModel> {
    const wanted = normalizeModelName(model);
    const installed = await this.tags(opts);
    const found = installed.find(
      (m) => normalizeModelName(m.name) === wanted || normalizeModelName(m.model) === wanted,
    );
    if (found) return found;
    throw new ShowcaseError('model_missing', `Ollama model "${model}" is not installed`, {
      hint: `Run: ollama pull ${model}`,
      details: { model, installed: installed.map((m) => m.name) },
    });
  }

  /** Downloads a model (POST /api/pull, streamed progress). */
  async pull(
    model: string,
    opts: CallOptions & { onProgress?: (progress: PullProgress) => void } = {},
  ): Promise<void> {
    let succeeded = false;
    await this.transport.exchange(
      {
        method: 'POST',
        path: '/api/pull',
        body: { model, stream: true },
        model,
        signal: opts.signal,
        headersTimeoutMs: opts.headersTimeoutMs ?? this.headersTimeoutMs,
        idleTimeoutMs: opts.idleTimeoutMs ?? this.idleTimeoutMs,
        totalTimeoutMs: opts.timeoutMs ?? 0,
      },
      (value) => {
        const error = ErrorBodySchema.safeParse(value);
        if (error.success) {
          if (/file does not exist|not found/i.test(error.data.error)) {
            throw new ShowcaseError('model_missing', `Ollama cannot pull "${model}": ${error.data.error}`, {
              hint: 'Check the model name at https://ollama.com/library',
              details: { model, ollamaError: error.data.error },
            });
          }
          throw streamError(error.data.error, '/api/pull', model);
        }
        const line = parseReply(PullLineSchema, value, '/api/pull');
        const progress: PullProgress = { status: line.status };
        if (line.digest !== undefined) progress.digest = line.digest;
        if (line.total !== undefined) progress.total = line.total;
        if (line.completed !== undefined) progress.completed = line.completed;
        opts.onProgress?.(progress);
        if (line.status === 'success') succeeded = true;
      },
    );
    if (!succeeded) {
      throw new ShowcaseError('backend_error', `Ollama ended the pull of "${model}" without "success"`, {
        details: { model },
        retryable: true,
      });
    }
  }

  /** A request answered by a single JSON object (or a one-object NDJSON reply). */
  protected async single<T extends z.ZodType>(
    path: string,
    schema: T,
    body: unknown,
    model: string | undefined,
    opts: CallOptions,
    budget: 'metadata' | 'slow' = 'metadata',
  ): Promise<z.output<T>> {
    // Metadata calls answer at once; a load answers only once the model is resident (cold load).
    const headersTimeoutMs =
      opts.headersTimeoutMs ?? (budget === 'slow' ? this.headersTimeoutMs : this.metadataTimeoutMs);
    const totalTimeoutMs = opts.timeoutMs ?? (budget === 'slow' ? 0 : this.metadataTimeoutMs);
    let reply: unknown;
    let seen = false;
    await this.transport.exchange(
      {
        method: body === undefined ? 'GET' : 'POST',
        path,
        body,
        model,
        signal: opts.signal,
        headersTimeoutMs,
        idleTimeoutMs: opts.idleTimeoutMs ?? this.idleTimeoutMs,
        totalTimeoutMs,
      },
      (value) => {
        const error = ErrorBodySchema.safeParse(value);
        if (error.success) throw streamError(error.data.error, path, model);
        reply ??= value;
        seen = true;
      },
    );
    if (!seen) {
      throw new ShowcaseError('backend_error', `Ollama sent an empty reply on ${path}`, {
        details: { path },
        retryable: true,
      });
    }
    return parseReply(schema, reply, path);
  }
}
