// The Ollama client's public types: request and reply shapes, options, model listings.
import type { Dispatcher } from 'undici';
import type { z } from 'zod';

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

export interface CompletionOptions extends CallOptions {
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
