// OllamaClient: the engine's only way to talk to Ollama (chat/generate with structured output,
// model residency, model management). Streams by default so a slow cold load only costs the
// time-to-headers budget and a stalled generation trips the idle timeout, not a 5-minute wait.
import { Agent, type Dispatcher } from 'undici';
import { z } from 'zod';
import { isRecord, ShowcaseError } from '../../../shared/index.ts';
import { type Exchange, parseReply, streamError, Transport, truncate } from './transport.ts';
import {
  type ChatChunk,
  ChatChunkSchema,
  ErrorBodySchema,
  type GenerateChunk,
  GenerateChunkSchema,
  type ModelDetailsSchema,
  PsSchema,
  PullLineSchema,
  ShowSchema,
  TagsSchema,
  VersionSchema,
} from './wire.ts';

export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';

/** A JSON Schema object, sent as-is in `format`. */
export type JsonSchemaObject = { [key: string]: unknown };
/** `format`: a zod schema (sent as its JSON Schema), a JSON Schema object, or `'json'` (JSON mode). */
export type OllamaFormat = z.ZodType | JsonSchemaObject | 'json';
/** Seconds (number), a Go duration string (`'5m'`, `'24h'`), negative = keep forever, 0 = unload after the reply. */
export type KeepAlive = number | string;
export type ThinkSetting = boolean | 'low' | 'medium' | 'high' | 'max';

export interface OllamaOptions {
  seed?: number;
  temperature?: number;
  /** Load-time option: changing it between requests reloads the model. Send the same value every time. */
  num_ctx?: number;
  /** Max generated tokens; hitting it ends with done_reason "length". */
  num_predict?: number;
  top_k?: number;
  top_p?: number;
  min_p?: number;
  repeat_penalty?: number;
  stop?: string[];
  [key: string]: unknown;
}

export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  images?: string[];
  thinking?: string;
  tool_name?: string;
  tool_calls?: unknown[];
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Overall deadline for this call (ms, 0 = none). */
  timeoutMs?: number;
  /** Overrides the client's time-to-headers budget for this call. */
  headersTimeoutMs?: number;
  /** Overrides the client's between-chunks budget for this call. */
  idleTimeoutMs?: number;
}

interface CompletionOptions extends CallOptions {
  model: string;
  format?: OllamaFormat;
  options?: OllamaOptions;
  keepAlive?: KeepAlive;
  think?: ThinkSetting;
  /** Default true. With false the server sends nothing until generation is complete. */
  stream?: boolean;
  /** Each piece of answer text as it streams in. */
  onToken?: (token: string) => void;
  /** Each piece of reasoning text (thinking-capable models only). */
  onThinking?: (token: string) => void;
}

export interface ChatRequest extends CompletionOptions {
  messages: OllamaMessage[];
  tools?: unknown[];
}

export interface GenerateRequest extends CompletionOptions {
  prompt: string;
  system?: string;
  raw?: boolean;
  images?: string[];
  suffix?: string;
}

export interface OllamaStats {
  totalMs: number;
  /** Includes waiting in Ollama's queue; ≈0 when the model was already resident. */
  loadMs: number;
  promptTokens: number;
  evalTokens: number;
  promptEvalMs: number;
  evalMs: number;
  /** eval_count / eval_duration; undefined when the server reported no eval time. */
  tokensPerSecond: number | undefined;
}

export interface ChatResult<T = unknown> {
  model: string;
  content: string;
  /** Reasoning text of thinking-capable models ('' otherwise). */
  thinking: string;
  /** Set when `format` was given and the content is JSON (and, for a zod format, matches it). */
  parsed?: T;
  /** "stop", "length" (token limit: the text is cut), "load", "unload", or "" when the server sent none. */
  doneReason: string;
  stats: OllamaStats;
  /** Number of chunks received (1 for a non-streamed reply). */
  chunks: number;
  toolCalls: unknown[];
}

export interface GenerateResult<T = unknown> extends Omit<ChatResult<T>, 'toolCalls'> {
  /** The conversation state Ollama returns on /api/generate (deprecated upstream, kept for completeness). */
  context: number[] | undefined;
}

export interface OllamaModelDetails {
  format: string | undefined;
  family: string | undefined;
  families: string[];
  parameterSize: string | undefined;
  quantizationLevel: string | undefined;
}

export interface OllamaInstalledModel {
  name: string;
  model: string;
  size: number;
  digest: string | undefined;
  modifiedAt: string | undefined;
  details: OllamaModelDetails;
}

export interface OllamaRunningModel {
  name: string;
  model: string;
  /** Bytes of the loaded model incl. KV cache. */
  size: number;
  /** Bytes resident on the GPU (`< size` = partly on the CPU). */
  sizeVram: number;
  digest: string | undefined;
  expiresAt: string | undefined;
  contextLength: number | undefined;
  details: OllamaModelDetails;
}

export interface OllamaModelInfo {
  capabilities: string[];
  /** The model's trained context (`<family>.context_length`). */
  contextLength: number | undefined;
  details: OllamaModelDetails;
  modelInfo: Record<string, unknown>;
  template: string | undefined;
  parameters: string | undefined;
}

export interface PullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export interface OllamaClientOptions {
  /** Default http://127.0.0.1:11434 (an IP literal: `localhost` may resolve to ::1, where Ollama does not listen). */
  baseUrl?: string;
  /** Time-to-headers budget for chat/generate/pull: cold loads of big models take minutes. Default 600 000. */
  headersTimeoutMs?: number;
  /** Longest silence between stream chunks. Default 120 000. */
  idleTimeoutMs?: number;
  /** Overall budget for quick calls (version, tags, ps, show, unload). Default 15 000. */
  metadataTimeoutMs?: number;
  /** TCP connect budget. Default 10 000. */
  connectTimeoutMs?: number;
  /** Merged under every chat/generate's `options` (e.g. `{ num_ctx: 4096 }` for predictable VRAM). */
  defaultOptions?: OllamaOptions;
  /** keep_alive sent when a call does not set one (server default otherwise: 5m). */
  defaultKeepAlive?: KeepAlive;
  /** Interval for waitUntilUnloaded polling. Default 250. */
  pollIntervalMs?: number;
  /** Use this dispatcher instead of a private undici Agent (the client will not close it). */
  dispatcher?: Dispatcher;
}

/** `llama3.2` ≡ `llama3.2:latest`. */
export function normalizeModelName(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

function toDetails(raw: z.infer<typeof ModelDetailsSchema> | undefined): OllamaModelDetails {
  return {
    format: raw?.format,
    family: raw?.family,
    families: raw?.families ?? [],
    parameterSize: raw?.parameter_size,
    quantizationLevel: raw?.quantization_level,
  };
}

function toStats(final: ChatChunk | GenerateChunk): OllamaStats {
  const ms = (ns: number | undefined) => (ns ?? 0) / 1e6;
  const evalTokens = final.eval_count ?? 0;
  const evalMs = ms(final.eval_duration);
  return {
    totalMs: ms(final.total_duration),
    loadMs: ms(final.load_duration),
    promptTokens: final.prompt_eval_count ?? 0,
    evalTokens,
    promptEvalMs: ms(final.prompt_eval_duration),
    evalMs,
    tokensPerSecond: evalMs > 0 ? evalTokens / (evalMs / 1000) : undefined,
  };
}

function isZod(format: OllamaFormat | undefined): format is z.ZodType {
  return format instanceof z.ZodType;
}

/** The `format` field for the wire: zod schemas become JSON Schema (zod 4 `toJSONSchema`). */
export function formatForWire(format: OllamaFormat | undefined): JsonSchemaObject | 'json' | undefined {
  if (format === undefined || format === 'json') return format;
  if (isZod(format)) {
    // The copy schema is the same object for every product: convert it once.
    let schema = wireSchemas.get(format);
    if (!schema) {
      schema = z.toJSONSchema(format, { unrepresentable: 'any' }) as JsonSchemaObject;
      wireSchemas.set(format, schema);
    }
    return schema;
  }
  return format;
}

const wireSchemas = new WeakMap<z.ZodType, JsonSchemaObject>();

const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';

/** `{model, created_at, message: {role, content[, thinking]}, done: false}` — nothing else to check. */
function isChatToken(chunk: Record<string, unknown>): boolean {
  const message = chunk.message;
  return (
    optionalString(chunk.created_at) &&
    isRecord(message) &&
    typeof message.role === 'string' &&
    optionalString(message.content) &&
    optionalString(message.thinking) &&
    message.tool_calls == null
  );
}

/** `{model, created_at, response[, thinking], done: false}`. */
function isGenerateToken(chunk: Record<string, unknown>): boolean {
  return (
    optionalString(chunk.created_at) &&
    optionalString(chunk.response) &&
    optionalString(chunk.thinking) &&
    chunk.context == null
  );
}

const RAW_PREVIEW_CHARS = 2_000;

/**
 * Parses and validates model output against `schema`, or throws `llm_invalid_output` (retryable:
 * small models do produce prose, cut-off or off-schema JSON now and then).
 */
export function validateJsonOutput<S extends z.ZodType>(
  schema: S,
  result: { content: string; doneReason: string; model: string },
): z.output<S> {
  const details = (issues: unknown[]) => ({
    model: result.model,
    doneReason: result.doneReason,
    raw: truncate(result.content, RAW_PREVIEW_CHARS),
    rawLength: result.content.length,
    issues,
  });
  const hint = 'Retry; if it keeps failing, lower the temperature, raise num_predict, or use a larger model';
  if (result.doneReason === 'length') {
    throw new ShowcaseError(
      'llm_invalid_output',
      `Ollama (${result.model}) stopped at the token limit (done_reason "length") before the JSON was complete`,
      {
        hint,
        retryable: true,
        details: details([{ path: '', message: 'output truncated at the token limit' }]),
      },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(result.content);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ShowcaseError(
      'llm_invalid_output',
      `Ollama (${result.model}) returned text that is not valid JSON: ${message}`,
      {
        hint,
        retryable: true,
        details: details([{ path: '', message }]),
      },
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.join('.'),
      message: i.message,
      code: i.code,
    }));
    throw new ShowcaseError(
      'llm_invalid_output',
      `Ollama (${result.model}) returned JSON that does not match the expected shape: ${issues
        .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
        .join('; ')}`,
      { hint, retryable: true, details: details(issues) },
    );
  }
  return parsed.data;
}

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

export class OllamaClient {
  readonly baseUrl: string;
  private readonly transport: Transport;
  private readonly agent: Agent | undefined;
  private readonly headersTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly metadataTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly defaultOptions: OllamaOptions;
  private readonly defaultKeepAlive: KeepAlive | undefined;

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

  /** Chat completion; streams by default. Never throws on the content itself (see chatJson). */
  async chat<T = unknown>(req: ChatRequest): Promise<ChatResult<T>> {
    const body: Record<string, unknown> = {
      model: req.model,
      messages: req.messages,
      ...this.completionFields(req),
    };
    if (req.tools !== undefined) body.tools = req.tools;
    let content = '';
    let thinking = '';
    const toolCalls: unknown[] = [];
    let chunks = 0;
    let final: ChatChunk | undefined;
    await this.transport.exchange(this.completionExchange('/api/chat', body, req), (value) => {
      const chunk = this.chunkOrThrow(ChatChunkSchema, isChatToken, value, '/api/chat', req.model);
      if (final) return;
      chunks += 1;
      const piece = chunk.message?.content ?? '';
      const thought = chunk.message?.thinking ?? '';
      content += piece;
      thinking += thought;
      if (chunk.message?.tool_calls) toolCalls.push(...chunk.message.tool_calls);
      if (thought !== '') req.onThinking?.(thought);
      if (piece !== '') req.onToken?.(piece);
      if (chunk.done) final = chunk;
    });
    if (!final) throw this.unfinished('/api/chat', req.model, content);
    return { ...this.finish<T>(req, final, content, thinking, chunks), toolCalls };
  }

  /**
   * Chat with `schema` as the structured-output format; returns the validated value in `parsed`.
   * Throws `llm_invalid_output` (retryable) for prose, truncated JSON or a shape mismatch.
   */
  async chatJson<S extends z.ZodType>(
    schema: S,
    req: Omit<ChatRequest, 'format'>,
  ): Promise<ChatResult<z.output<S>> & { parsed: z.output<S> }> {
    const result = await this.chat<z.output<S>>({ ...req, format: schema });
    return { ...result, parsed: validateJsonOutput(schema, result) };
  }

  /** Raw completion on /api/generate; streams by default. */
  async generate<T = unknown>(req: GenerateRequest): Promise<GenerateResult<T>> {
    const body: Record<string, unknown> = {
      model: req.model,
      prompt: req.prompt,
      ...this.completionFields(req),
    };
    if (req.system !== undefined) body.system = req.system;
    if (req.raw !== undefined) body.raw = req.raw;
    if (req.images !== undefined) body.images = req.images;
    if (req.suffix !== undefined) body.suffix = req.suffix;
    let content = '';
    let thinking = '';
    let chunks = 0;
    let final: GenerateChunk | undefined;
    await this.transport.exchange(this.completionExchange('/api/generate', body, req), (value) => {
      const chunk = this.chunkOrThrow(
        GenerateChunkSchema,
        isGenerateToken,
        value,
        '/api/generate',
        req.model,
      );
      if (final) return;
      chunks += 1;
      const piece = chunk.response ?? '';
      const thought = chunk.thinking ?? '';
      content += piece;
      thinking += thought;
      if (thought !== '') req.onThinking?.(thought);
      if (piece !== '') req.onToken?.(piece);
      if (chunk.done) final = chunk;
    });
    if (!final) throw this.unfinished('/api/generate', req.model, content);
    return { ...this.finish<T>(req, final, content, thinking, chunks), context: final.context ?? undefined };
  }

  /** generate() with `schema` as the format, validated like chatJson. */
  async generateJson<S extends z.ZodType>(
    schema: S,
    req: Omit<GenerateRequest, 'format'>,
  ): Promise<GenerateResult<z.output<S>> & { parsed: z.output<S> }> {
    const result = await this.generate<z.output<S>>({ ...req, format: schema });
    return { ...result, parsed: validateJsonOutput(schema, result) };
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

  private completionFields(req: CompletionOptions): Record<string, unknown> {
    const fields: Record<string, unknown> = { stream: req.stream ?? true };
    const format = formatForWire(req.format);
    if (format !== undefined) fields.format = format;
    const options = { ...this.defaultOptions, ...req.options };
    if (Object.keys(options).length > 0) fields.options = options;
    const keepAlive = req.keepAlive ?? this.defaultKeepAlive;
    if (keepAlive !== undefined) fields.keep_alive = keepAlive;
    // llama3.2 rejects `think` (400): only send it when the caller asked.
    if (req.think !== undefined) fields.think = req.think;
    return fields;
  }

  private completionExchange(path: string, body: Record<string, unknown>, req: CompletionOptions): Exchange {
    return {
      method: 'POST',
      path,
      body,
      model: req.model,
      signal: req.signal,
      headersTimeoutMs: req.headersTimeoutMs ?? this.headersTimeoutMs,
      idleTimeoutMs: req.idleTimeoutMs ?? this.idleTimeoutMs,
      totalTimeoutMs: req.timeoutMs ?? 0,
    };
  }

  /**
   * A stream line: an `{"error"}` line throws; a plain token chunk (hundreds per reply) is checked by
   * `isToken` by hand; every other line (the final one with its metrics, tool calls) by `schema`.
   */
  private chunkOrThrow<T extends z.ZodType>(
    schema: T,
    isToken: (value: Record<string, unknown>) => boolean,
    value: unknown,
    path: string,
    model: string,
  ): z.output<T> {
    if (isRecord(value)) {
      if ('error' in value) {
        const error = ErrorBodySchema.safeParse(value);
        if (error.success) throw streamError(error.data.error, path, model);
      } else if (value.done === false && typeof value.model === 'string' && isToken(value)) {
        return value as z.output<T>;
      }
    }
    return parseReply(schema, value, path);
  }

  private unfinished(path: string, model: string, content: string): ShowcaseError {
    return new ShowcaseError(
      'backend_error',
      `Ollama ended the stream on ${path} without a final "done" chunk`,
      {
        hint: 'Ollama may have crashed or restarted; retry',
        details: { path, model, partial: truncate(content, 500) },
        retryable: true,
      },
    );
  }

  private finish<T>(
    req: CompletionOptions,
    final: ChatChunk | GenerateChunk,
    content: string,
    thinking: string,
    chunks: number,
  ): Omit<ChatResult<T>, 'toolCalls'> {
    const doneReason = final.done_reason ?? '';
    const result: Omit<ChatResult<T>, 'toolCalls'> = {
      model: final.model,
      content,
      thinking,
      doneReason,
      stats: toStats(final),
      chunks,
    };
    if (req.format !== undefined && doneReason !== 'length') {
      let value: unknown;
      try {
        value = JSON.parse(content);
      } catch {
        return result;
      }
      if (isZod(req.format)) {
        const parsed = req.format.safeParse(value);
        if (parsed.success) result.parsed = parsed.data as T;
      } else {
        result.parsed = value as T;
      }
    }
    return result;
  }

  /** A request answered by a single JSON object (or a one-object NDJSON reply). */
  private async single<T extends z.ZodType>(
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
