// The HTTP half of the client: one undici Agent per client (so close() can tear its sockets down),
// a timeout and an AbortSignal on every request, and zod parsing of every JSON reply.
import { setMaxListeners } from 'node:events';
import { Agent, type FormData, request } from 'undici';
import type { z } from 'zod';
import { abortedBy, ShowcaseError } from '../../../shared/errors.ts';
import { badReplyError, httpStatusError, timeoutError, transportError } from './errors.ts';

export type HttpMethod = 'GET' | 'POST';

export interface HttpCallOptions {
  query?: Record<string, string | undefined>;
  json?: unknown;
  form?: FormData;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

export interface HttpReply {
  status: number;
  contentType: string;
  body: Uint8Array;
}

export interface RouteContext {
  url: string;
  method: string;
  route: string;
}

const decoder = new TextDecoder();

export function replyText(reply: HttpReply): string {
  return decoder.decode(reply.body);
}

export class ComfyHttp {
  readonly origin: string;
  /** Path prefix every route is served under (`/api`, §1). */
  readonly prefix: string;
  readonly requestTimeoutMs: number;
  private readonly agent: Agent;
  private readonly closing = new AbortController();

  constructor(baseUrl: string, requestTimeoutMs: number) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ShowcaseError('invalid_input', `ComfyUI URL must be http(s): ${baseUrl}`, {
        details: { fields: ['url'] },
      });
    }
    this.origin = url.origin;
    // Routes exist both at /x and /api/x; prefer /api (what the frontend uses) unless the URL
    // already points below a path (e.g. a reverse proxy mount).
    const path = url.pathname.replace(/\/+$/, '');
    this.prefix = path === '' ? '/api' : path;
    this.requestTimeoutMs = requestTimeoutMs;
    // Every request in flight listens here (downloads, polls, uploads of a busy backend).
    setMaxListeners(0, this.closing.signal);
    this.agent = new Agent({
      connect: { timeout: requestTimeoutMs },
      keepAliveTimeout: 4_000,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  get dispatcher(): Agent {
    return this.agent;
  }

  /** `ws://host:port/api/ws?clientId=…` */
  wsUrl(clientId: string): string {
    const url = new URL(`${this.prefix}/ws`, this.origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('clientId', clientId);
    return url.toString();
  }

  context(method: string, route: string): RouteContext {
    return { url: this.origin, method, route };
  }

  /** Sends one request; resolves with any status (callers decide what a status means). */
  async send(method: HttpMethod, route: string, options: HttpCallOptions = {}): Promise<HttpReply> {
    const ctx = this.context(method, route);
    const url = new URL(`${this.prefix}${route}`, this.origin);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    if (options.signal?.aborted) throw abortedError(ctx, options.signal);
    if (this.closing.signal.aborted) throw closedError(ctx);

    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    // One controller fed by the deadline, the caller's signal and close(): cheaper per request than
    // AbortSignal.any, whose dependants on the long-lived close signal pile up until GC.
    const controller = new AbortController();
    let timedOut = false;
    const handle = setTimeout(() => {
      timedOut = true;
      controller.abort(REQUEST_DEADLINE);
    }, timeoutMs);
    const forward = (): void => controller.abort(REQUEST_ABORTED);
    options.signal?.addEventListener('abort', forward, { once: true });
    this.closing.signal.addEventListener('abort', forward, { once: true });
    const signal = controller.signal;

    let body: string | FormData | undefined;
    const headers: Record<string, string> = { accept: 'application/json, */*' };
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else if (options.form !== undefined) {
      body = options.form;
    }
    try {
      const res = await request(url, { method, headers, body: body ?? null, signal, dispatcher: this.agent });
      const buffer = new Uint8Array(await res.body.arrayBuffer());
      const ct = res.headers['content-type'];
      return {
        status: res.statusCode,
        contentType: (Array.isArray(ct) ? ct[0] : ct) ?? '',
        body: buffer,
      };
    } catch (err) {
      if (timedOut) throw timeoutError(`ComfyUI ${method} ${route}`, timeoutMs, { ...ctx });
      if (options.signal?.aborted) throw abortedError(ctx, options.signal);
      if (this.closing.signal.aborted) throw closedError(ctx);
      throw transportError(err, ctx);
    } finally {
      clearTimeout(handle);
      options.signal?.removeEventListener('abort', forward);
      this.closing.signal.removeEventListener('abort', forward);
    }
  }

  /** Sends and parses a JSON 2xx reply with `schema`; other statuses become `backend_error`. */
  async json<S extends z.ZodType>(
    method: HttpMethod,
    route: string,
    schema: S,
    options: HttpCallOptions = {},
  ): Promise<z.output<S>> {
    const reply = await this.send(method, route, options);
    const ctx = this.context(method, route);
    if (reply.status < 200 || reply.status >= 300) throw httpStatusError(reply.status, ctx, replyText(reply));
    return parseJsonReply(reply, schema, ctx);
  }

  /** For routes that answer 200 with an empty body (§1): the body is never JSON-parsed. */
  async empty(method: HttpMethod, route: string, options: HttpCallOptions = {}): Promise<void> {
    const reply = await this.send(method, route, options);
    if (reply.status < 200 || reply.status >= 300) {
      throw httpStatusError(reply.status, this.context(method, route), replyText(reply));
    }
  }

  /** Aborts every request in flight and closes the pooled sockets. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.agent.destroy().catch(() => {});
  }
}

const REQUEST_DEADLINE = new Error('request deadline passed');
const REQUEST_ABORTED = new Error('request aborted');

export function parseJsonReply<S extends z.ZodType>(
  reply: HttpReply,
  schema: S,
  ctx: RouteContext,
): z.output<S> {
  const text = replyText(reply);
  if (text.trim() === '') throw badReplyError(ctx, 'empty body where JSON was expected');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badReplyError(ctx, `not JSON: ${text.slice(0, 120)}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw badReplyError(ctx, problems);
  }
  return parsed.data;
}

function abortedError(ctx: RouteContext, signal: AbortSignal): ShowcaseError {
  return abortedBy(signal, `${ctx.method} ${ctx.route} was aborted`, { ...ctx, reason: 'aborted' });
}

function closedError(ctx: RouteContext): ShowcaseError {
  return new ShowcaseError(
    'interrupted',
    `${ctx.method} ${ctx.route} was aborted: the ComfyUI client closed`,
    {
      details: { ...ctx, reason: 'client_closed' },
    },
  );
}
