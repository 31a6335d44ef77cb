// OllamaClient: the engine's only way to talk to Ollama (chat/generate with structured output,
// model residency, model management). Streams by default so a slow cold load only costs the
// time-to-headers budget and a stalled generation trips the idle timeout, not a 5-minute wait.
// Model management and the connection are inherited from OllamaModels (models.ts).
import type { z } from 'zod';
import { isRecord, ShowcaseError } from '../../../shared/index.ts';
import { OllamaModels } from './models.ts';
import { formatForWire, isChatToken, isGenerateToken, isZod, toStats, validateJsonOutput } from './output.ts';
import { type Exchange, parseReply, streamError, truncate } from './transport.ts';
import type { ChatRequest, ChatResult, CompletionOptions, GenerateRequest, GenerateResult } from './types.ts';
import {
  type ChatChunk,
  ChatChunkSchema,
  ErrorBodySchema,
  type GenerateChunk,
  GenerateChunkSchema,
} from './wire.ts';

export class OllamaClient extends OllamaModels {
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
}
