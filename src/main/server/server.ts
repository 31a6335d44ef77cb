// The local HTTP/WS API (`showcase serve`): what n8n, scripts and the renderer-in-a-browser talk to.
// Binds 127.0.0.1 only, checks the Host header, requires a bearer token, rejects foreign Origins, caps
// and validates bodies. How each route is authenticated: guards.ts.
//   GET  /health                         liveness (no token)
//   POST /api/rpc/:method                every contract method
//   POST /api/session                    sets the /files cookie for a browser (the served UI)
//   WS   /api/events                     every contract event as {event, payload, at}
//   POST /api/showcases                  start showcases for a product / products / a sheet, with an
//                                        optional callbackUrl that receives the gallery JSON (HMAC-signed)
//   GET  /api/galleries/:id              the gallery document (product_{id}.json)
//   GET  /files/…                        gallery files under the output root (Bearer or the files cookie)
//   GET  /                               the studio UI when started with a UI folder
import { createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, normalize, resolve, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { z } from 'zod';
import {
  type EventName,
  type EventPayload,
  HttpUrlSchema,
  type MethodHandlers,
  methods,
  parseOrThrow,
  RecordIdSchema,
  replyError,
  replyResult,
  ShowcaseError,
  toShowcaseError,
} from '../../shared/index.ts';
import { dispatch, quoteForError, UI_CSP } from '../contract/index.ts';
import {
  type AccessGuard,
  createAccessGuard,
  decodePathPart,
  EVENTS_PROTOCOL,
  hostRejected,
  tokenRejected,
} from './guards.ts';
import { httpStatusFor } from './status.ts';

/** `POST /api/showcases`: the contract's `showcase.submit` plus the completion webhook n8n waits on. */
export const SubmitShowcasesSchema = methods['showcase.submit'].input.safeExtend({
  callbackUrl: HttpUrlSchema.optional(),
});
export type SubmitShowcases = z.infer<typeof SubmitShowcasesSchema>;

/** What the server needs from the engine. */
export interface ApiEngine {
  handlers: MethodHandlers;
  subscribe(listener: <E extends EventName>(event: E, payload: EventPayload<E>) => void): () => void;
  submitShowcases(request: SubmitShowcases): Promise<{ galleryIds: string[]; errors: unknown[] }>;
  /** The gallery document, or null when the gallery does not exist / is not finished. */
  galleryDocument(galleryId: string): Promise<unknown | null>;
  /** Root folder of generated galleries, served under /files/. */
  outputRoot(): string;
}

export interface ApiServerOptions {
  engine: ApiEngine;
  token: string;
  /** Secret for the callback signature (X-Showcase-Signature: sha256=HMAC(body)). */
  webhookSecret: string;
  host?: string;
  port?: number;
  uiDir?: string;
  maxBodyBytes?: number;
  /** Callback delivery attempts and first backoff. */
  callbackAttempts?: number;
  callbackBackoffMs?: number;
  log?: (line: string) => void;
}

export interface ApiServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export function signPayload(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      throw new ShowcaseError('invalid_input', `Request body is larger than ${limit} bytes`, {
        details: { status: 413 },
      });
    }
    chunks.push(buf);
  }
  if (size === 0) return {};
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ShowcaseError('invalid_input', 'Request body is not valid JSON');
  }
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBody = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const log = options.log ?? (() => {});
  const engine = options.engine;
  // Set once the port is known (before the first request can arrive).
  let guard: AccessGuard | null = null;
  const access = (): AccessGuard => {
    if (guard === null) throw new ShowcaseError('internal', 'request before the server listened');
    return guard;
  };

  const pendingCallbacks = new Map<string, { url: string; galleryIds: string[]; remaining: Set<string> }>();

  const deliverCallback = async (url: string, body: unknown): Promise<void> => {
    const text = JSON.stringify(body);
    const attempts = options.callbackAttempts ?? 5;
    let delay = options.callbackBackoffMs ?? 500;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-showcase-signature': signPayload(options.webhookSecret, text),
            'x-showcase-attempt': String(attempt),
          },
          body: text,
          signal: AbortSignal.timeout(15_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          log(`callback delivered to ${new URL(url).origin} (attempt ${attempt})`);
          return;
        }
        log(`callback to ${new URL(url).origin} answered ${res.status} (attempt ${attempt})`);
      } catch (err) {
        log(`callback to ${new URL(url).origin} failed: ${(err as Error).message} (attempt ${attempt})`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  };

  const unsubscribe = engine.subscribe((event, payload) => {
    if (event !== 'showcase.updated') return;
    const update = payload as EventPayload<'showcase.updated'>;
    const terminal = ['complete', 'partial', 'failed', 'cancelled'].includes(update.gallery.status);
    if (!terminal) return;
    for (const [key, pending] of pendingCallbacks) {
      if (!pending.remaining.delete(update.galleryId) || pending.remaining.size > 0) continue;
      pendingCallbacks.delete(key);
      void (async () => {
        const galleries = await Promise.all(pending.galleryIds.map((id) => engine.galleryDocument(id)));
        await deliverCallback(pending.url, { galleryIds: pending.galleryIds, galleries });
      })();
    }
  });

  const serveFile = async (
    res: ServerResponse,
    root: string,
    relative: string,
    headers: Record<string, string> = {},
  ) => {
    const rootAbs = resolve(root);
    const target = resolve(rootAbs, normalize(relative).replace(/^([/\\])+/, ''));
    if (target !== rootAbs && !target.startsWith(rootAbs + sep))
      throw new ShowcaseError('not_found', 'No such file');
    const info = await stat(target).catch(() => null);
    if (!info?.isFile())
      throw new ShowcaseError('not_found', `No such file: ${quoteForError(relative, 200)}`);
    res.writeHead(200, {
      'content-type': MIME[extname(target).toLowerCase()] ?? 'application/octet-stream',
      'content-length': info.size,
      'x-content-type-options': 'nosniff',
      ...headers,
    });
    createReadStream(target).pipe(res);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      try {
        const guard = access();
        if (!guard.hostAllowed(req)) {
          sendJson(res, 403, { error: hostRejected(guard) });
          return;
        }
        if (!guard.originAllowed(req)) {
          sendJson(res, 403, { error: { code: 'auth_failed', message: 'Foreign Origin rejected' } });
          return;
        }
        if (path === '/health' && req.method === 'GET') {
          sendJson(res, 200, { ok: true, service: 'product-showcase-studio' });
          return;
        }
        const isFiles = path.startsWith('/files/') && req.method === 'GET';
        if (path.startsWith('/api/') || path.startsWith('/files/')) {
          if (!(isFiles ? guard.filesAuthorized(req) : guard.bearer(req))) {
            sendJson(res, 401, { error: tokenRejected(url) });
            return;
          }
        }
        if (path === '/api/session' && req.method === 'POST') {
          // The served UI calls this once: its <img> and gallery links then carry the files cookie.
          res.writeHead(204, { 'set-cookie': guard.filesCookie(), 'cache-control': 'no-store' });
          res.end();
          return;
        }
        const rpc = /^\/api\/rpc\/([A-Za-z.]+)$/.exec(path);
        if (rpc?.[1]) {
          if (req.method !== 'POST')
            return sendJson(res, 405, { error: { code: 'invalid_input', message: 'Use POST' } });
          const input = await readBody(req, maxBody);
          const output = await dispatch(engine.handlers, rpc[1], input);
          sendJson(res, 200, replyResult(output));
          return;
        }
        if (path === '/api/showcases' && req.method === 'POST') {
          const body = parseOrThrow(SubmitShowcasesSchema, await readBody(req, maxBody));
          const started = await engine.submitShowcases(body);
          if (body.callbackUrl && started.galleryIds.length > 0) {
            pendingCallbacks.set(started.galleryIds.join(','), {
              url: body.callbackUrl,
              galleryIds: started.galleryIds,
              remaining: new Set(started.galleryIds),
            });
          }
          sendJson(res, 202, started);
          return;
        }
        const gallery = /^\/api\/galleries\/([^/]+)$/.exec(path);
        if (gallery?.[1] && req.method === 'GET') {
          const id = parseOrThrow(RecordIdSchema, decodePathPart(gallery[1], 'galleryId'), 'galleryId');
          const doc = await engine.galleryDocument(id);
          if (doc === null) throw new ShowcaseError('not_found', `No finished gallery ${id}`);
          sendJson(res, 200, doc);
          return;
        }
        if (isFiles) {
          await serveFile(
            res,
            engine.outputRoot(),
            decodePathPart(path.slice('/files/'.length), 'file path'),
            {
              'cache-control': 'no-cache',
            },
          );
          return;
        }
        if (options.uiDir && req.method === 'GET' && !path.startsWith('/api/')) {
          const file = path === '/' ? 'index.html' : decodePathPart(path.slice(1), 'file path');
          await serveFile(res, options.uiDir, file, { 'content-security-policy': UI_CSP }).catch(
            async (err) => {
              // Client-side routes fall back to the app shell.
              if (err instanceof ShowcaseError && err.code === 'not_found' && !extname(file)) {
                await serveFile(res, options.uiDir ?? '', 'index.html', {
                  'content-security-policy': UI_CSP,
                });
              } else throw err;
            },
          );
          return;
        }
        sendJson(res, 404, {
          error: { code: 'not_found', message: `No route for ${req.method} ${quoteForError(path, 120)}` },
        });
      } catch (err) {
        if (!res.headersSent) {
          const e = toShowcaseError(err);
          if (e.details?.status === 413) {
            // The client may still be uploading: answer, then close this connection for good.
            res.setHeader('connection', 'close');
            sendJson(res, 413, replyError(e));
            const socket = req.socket;
            res.on('finish', () => socket?.destroy());
          } else sendJson(res, httpStatusFor(e), replyError(e));
        } else res.destroy();
      }
    })();
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    // A browser authenticates with a subprotocol pair (guards.ts); the answer names the plain one.
    handleProtocols: (protocols) => (protocols.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const guard = access();
    const refuse = (status: string) => socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    if (!guard.hostAllowed(req) || !guard.originAllowed(req)) return refuse('403 Forbidden');
    if (url.pathname !== '/api/events') return refuse('404 Not Found');
    if (!guard.eventsAuthorized(req)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const off = engine.subscribe((event, payload) => {
        if (ws.readyState === ws.OPEN)
          ws.send(JSON.stringify({ event, payload, at: new Date().toISOString() }));
      });
      ws.on('close', off);
      ws.on('error', off);
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  guard = createAccessGuard({ token: options.token, host, port });
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    async close() {
      unsubscribe();
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
    },
  };
}
