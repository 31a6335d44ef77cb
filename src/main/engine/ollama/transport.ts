// One HTTP exchange with Ollama: timeouts per phase (time-to-headers, silence between chunks, overall
// deadline), NDJSON framing, and every failure turned into a ShowcaseError with Ollama's own message.
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { ZodError, type z } from 'zod';
import { describeZodError, ShowcaseError } from '../../../shared/index.ts';
import { ErrorBodySchema } from './wire.ts';

export const UNREACHABLE_HINT = 'Start it with `ollama serve` or set the Ollama URL in Settings';

export interface Timeouts {
  /** Until the response headers arrive; covers scheduling, a cold model load and prompt evaluation. 0 = none. */
  headersTimeoutMs: number;
  /** Longest silence allowed between two body chunks. 0 = none. */
  idleTimeoutMs: number;
  /** Overall deadline for the whole exchange. 0 = none. */
  totalTimeoutMs: number;
}

export interface Exchange extends Timeouts {
  method: 'GET' | 'POST' | 'DELETE' | 'HEAD';
  path: string;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** The model the request is about, for model_missing errors and messages. */
  model?: string | undefined;
}

type TimeoutPhase = 'headers' | 'idle' | 'total';

/** Wraps an error thrown by a line handler so it passes through the transport's error mapping untouched. */
class HandlerError extends Error {
  readonly inner: unknown;
  constructor(inner: unknown) {
    super('line handler failed');
    this.inner = inner;
  }
}

const networkDown = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const connectionLost = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

/** The first `code` found on an error, its `cause` chain or an AggregateError's members. */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 5 || err === null || typeof err !== 'object') return undefined;
  const record = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string') return record.code;
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const code = errorCode(inner, depth + 1);
      if (code) return code;
    }
  }
  return errorCode(record.cause, depth + 1);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

export function parseReply<T extends z.ZodType>(schema: T, value: unknown, path: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ShowcaseError(
    'backend_error',
    `Ollama sent an unexpected reply on ${path}: ${describeZodError(result.error)}`,
    {
      details: {
        path,
        issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
      retryable: false,
    },
  );
}

/** Maps an HTTP error status + Ollama's `{"error"}` text to a typed error. */
export function httpError(
  status: number,
  message: string,
  path: string,
  model: string | undefined,
): ShowcaseError {
  const details: Record<string, unknown> = { status, path, ollamaError: message };
  if (model !== undefined) details.model = model;
  const text = `Ollama answered HTTP ${status} on ${path}: ${message}`;
  // Ollama's own CLI rule: 404 + "not found" means the model is not installed; never match the whole text.
  if (status === 404 && /not found/i.test(message) && model !== undefined && path !== '/') {
    if (!/page not found/i.test(message)) {
      return new ShowcaseError('model_missing', `Ollama model "${model}" is not installed (${message})`, {
        hint: `Run: ollama pull ${model}`,
        details,
      });
    }
  }
  if (status === 404) {
    return new ShowcaseError('backend_error', text, {
      hint: 'This Ollama server does not know this endpoint; update Ollama',
      details,
    });
  }
  if (status === 401 || status === 403) {
    return new ShowcaseError('auth_failed', text, {
      hint: 'Ollama refused the request; use http://127.0.0.1:11434 or allow this origin with OLLAMA_ORIGINS',
      details,
    });
  }
  if (status === 400) return new ShowcaseError('invalid_input', text, { details });
  if (status === 429 || status === 503) {
    return new ShowcaseError('backend_error', text, {
      hint: 'Ollama is busy; try again shortly',
      details,
      retryable: true,
    });
  }
  if (status >= 500) {
    if (
      /out of memory|cudaMalloc|unable to allocate|insufficient memory|requires more system memory/i.test(
        message,
      )
    ) {
      return new ShowcaseError('out_of_memory', text, {
        hint: 'Free VRAM (let image jobs finish or unload models) or use a smaller model or num_ctx',
        details,
        retryable: true,
      });
    }
    if (/invalid format|must be of type/i.test(message))
      return new ShowcaseError('invalid_input', text, { details });
    return new ShowcaseError('backend_error', text, { details, retryable: true });
  }
  return new ShowcaseError('backend_error', text, { details });
}

/** An `{"error"}` line inside a 200 stream: generation failed after it started. */
export function streamError(message: string, path: string, model: string | undefined): ShowcaseError {
  const mapped = httpError(500, message, path, model);
  return new ShowcaseError(mapped.code, `Ollama failed mid-stream on ${path}: ${message}`, {
    details: { ...mapped.details, midStream: true },
    retryable: true,
    ...(mapped.hint === undefined ? {} : { hint: mapped.hint }),
  });
}

export class Transport {
  readonly baseUrl: string;
  private readonly dispatcher: Dispatcher;

  constructor(baseUrl: string, dispatcher: Dispatcher) {
    this.baseUrl = baseUrl;
    this.dispatcher = dispatcher;
  }

  /**
   * Sends one request and feeds every JSON value of the reply (NDJSON lines, or the single object
   * of a non-streamed reply) to `onValue`. Resolves when the body ends.
   */
  async exchange(ex: Exchange, onValue: (value: unknown) => void): Promise<void> {
    const url = `${this.baseUrl}${ex.path}`;
    const controller = new AbortController();
    let fired: { phase: TimeoutPhase; ms: number } | undefined;
    const timers = new Map<TimeoutPhase, NodeJS.Timeout>();
    const arm = (phase: TimeoutPhase, ms: number) => {
      const previous = timers.get(phase);
      if (previous) clearTimeout(previous);
      if (ms <= 0) return;
      timers.set(
        phase,
        setTimeout(() => {
          fired ??= { phase, ms };
          controller.abort(new Error(`Ollama ${phase} timeout after ${ms} ms`));
        }, ms),
      );
    };
    const disarm = (phase: TimeoutPhase) => {
      const timer = timers.get(phase);
      if (timer) clearTimeout(timer);
      timers.delete(phase);
    };
    const onUserAbort = () => controller.abort(ex.signal?.reason);
    if (ex.signal?.aborted) throw this.aborted(ex, ex.signal.reason);
    ex.signal?.addEventListener('abort', onUserAbort, { once: true });
    arm('total', ex.totalTimeoutMs);
    arm('headers', ex.headersTimeoutMs);

    let completed = false;
    try {
      const response = await request(url, {
        method: ex.method,
        dispatcher: this.dispatcher,
        signal: controller.signal,
        headers: ex.body === undefined ? {} : { 'content-type': 'application/json' },
        ...(ex.body === undefined ? {} : { body: JSON.stringify(ex.body) }),
      });
      disarm('headers');
      arm('idle', ex.idleTimeoutMs);

      const decoder = new TextDecoder('utf-8');
      let buffered = '';
      const isError = response.statusCode >= 400;
      let errorText = '';
      const emit = (line: string) => {
        const trimmed = line.trim();
        if (trimmed === '') return;
        let value: unknown;
        try {
          value = JSON.parse(trimmed);
        } catch {
          throw new ShowcaseError('backend_error', `Ollama sent a line that is not JSON on ${ex.path}`, {
            details: { path: ex.path, line: truncate(trimmed, 300) },
            retryable: true,
          });
        }
        try {
          onValue(value);
        } catch (err) {
          throw new HandlerError(err);
        }
      };
      for await (const chunk of response.body) {
        arm('idle', ex.idleTimeoutMs);
        const text = decoder.decode(chunk as Buffer, { stream: true });
        if (isError) {
          errorText += text;
          continue;
        }
        buffered += text;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          emit(buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
        }
      }
      const tail = decoder.decode();
      if (isError) {
        errorText += tail;
        const parsed = ErrorBodySchema.safeParse(safeJson(errorText));
        const message = parsed.success
          ? parsed.data.error
          : errorText.trim() || response.statusText || 'no body';
        throw httpError(response.statusCode, message, ex.path, ex.model);
      }
      emit(buffered + tail);
      completed = true;
    } catch (err) {
      throw this.mapFailure(err, ex, fired);
    } finally {
      for (const timer of timers.values()) clearTimeout(timer);
      ex.signal?.removeEventListener('abort', onUserAbort);
      // Stopping early (a handler threw) must not leave the connection streaming tokens nobody reads.
      if (!completed) controller.abort(new Error('exchange finished'));
    }
  }

  private aborted(ex: Exchange, reason: unknown): ShowcaseError {
    if (reason instanceof Error && reason.name === 'TimeoutError') {
      return new ShowcaseError('timeout', `Ollama request on ${ex.path} timed out (caller deadline)`, {
        details: { path: ex.path, phase: 'caller' },
        retryable: true,
        cause: reason,
      });
    }
    return new ShowcaseError('interrupted', `Ollama request on ${ex.path} was cancelled`, {
      details: { path: ex.path },
      cause: reason,
    });
  }

  private mapFailure(
    err: unknown,
    ex: Exchange,
    fired: { phase: TimeoutPhase; ms: number } | undefined,
  ): unknown {
    if (err instanceof HandlerError) return err.inner;
    if (err instanceof ShowcaseError) return err;
    if (fired) {
      const messages: Record<TimeoutPhase, string> = {
        headers: `Ollama did not start answering on ${ex.path} within ${fired.ms} ms (the model may still be loading)`,
        idle: `Ollama stopped sending data on ${ex.path} for ${fired.ms} ms in the middle of a reply`,
        total: `Ollama request on ${ex.path} took longer than ${fired.ms} ms`,
      };
      return new ShowcaseError('timeout', messages[fired.phase], {
        hint:
          fired.phase === 'headers'
            ? 'A cold model load can take minutes: warm the model up first or raise the Ollama timeout'
            : 'Check that Ollama is healthy and not overloaded, then retry',
        details: { path: ex.path, phase: fired.phase, timeoutMs: fired.ms, url: this.baseUrl },
        retryable: true,
        cause: err,
      });
    }
    if (ex.signal?.aborted) return this.aborted(ex, ex.signal.reason);
    const code = errorCode(err);
    if (code !== undefined && networkDown.has(code)) {
      return new ShowcaseError(
        'backend_unreachable',
        `Ollama is not reachable at ${this.baseUrl} (${code})`,
        {
          hint: UNREACHABLE_HINT,
          details: { url: this.baseUrl, code },
          retryable: true,
          cause: err,
        },
      );
    }
    if (code !== undefined && connectionLost.has(code)) {
      return new ShowcaseError('backend_error', `Ollama closed the connection during ${ex.path} (${code})`, {
        hint: 'Ollama may have crashed or restarted; retry',
        details: { url: this.baseUrl, path: ex.path, code, reason: 'connection_reset' },
        retryable: true,
        cause: err,
      });
    }
    if (err instanceof ZodError) {
      return new ShowcaseError('backend_error', `Ollama reply on ${ex.path}: ${describeZodError(err)}`, {
        cause: err,
      });
    }
    const message = err instanceof Error ? err.message : String(err);
    return new ShowcaseError('backend_error', `Ollama request on ${ex.path} failed: ${message}`, {
      details: { url: this.baseUrl, path: ex.path, ...(code === undefined ? {} : { code }) },
      retryable: true,
      cause: err,
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
