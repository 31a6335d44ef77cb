// HTTP plumbing of the Ollama simulator: the routes it serves, Ollama's error bodies, body reading and
// the Host check (Ollama answers 403 to a foreign Host header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { SimHttpError } from './wire.ts';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const NDJSON_TYPE = 'application/x-ndjson';
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Go's "forever" is ~292 years out; JS dates cannot hold MaxInt64 ns, this is close enough. */
export const FOREVER_MS = 292 * 365.25 * 24 * 3_600_000;

export type Route = { methods: readonly string[] };
export const routes: Record<string, Route> = {
  '/': { methods: ['GET', 'HEAD'] },
  '/api/version': { methods: ['GET', 'HEAD'] },
  '/api/tags': { methods: ['GET', 'HEAD'] },
  '/api/ps': { methods: ['GET'] },
  '/api/show': { methods: ['POST'] },
  '/api/generate': { methods: ['POST'] },
  '/api/chat': { methods: ['POST'] },
  '/api/pull': { methods: ['POST'] },
  '/api/delete': { methods: ['DELETE'] },
};

export const defaultErrorTexts: Record<number, string> = {
  400: 'invalid request',
  429: 'too many requests',
  500: 'llama runner process has terminated: exit status 2',
  503: 'server busy, please try again.  maximum pending requests exceeded',
};

/** Loopback/private hosts pass the DNS-rebinding guard; anything else gets 403 with an empty body. */
export function hostAllowed(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined || hostHeader === '') return true;
  const host = (
    hostHeader.startsWith('[') ? hostHeader.slice(1, hostHeader.indexOf(']')) : hostHeader.split(':')[0]
  )
    ?.toLowerCase()
    .trim();
  if (host === undefined || host === '') return true;
  if (host === 'localhost' || host === hostname().toLowerCase()) return true;
  if (/\.(localhost|local|internal)$/.test(host)) return true;
  if (host === '::1' || host === '0.0.0.0') return true;
  if (/^(127|10)\.\d+\.\d+\.\d+$/.test(host) || /^192\.168\.\d+\.\d+$/.test(host)) return true;
  if (/^172\.(1[6-9]|2\d|3[01])\.\d+\.\d+$/.test(host)) return true;
  return /^f[cd][0-9a-f]{2}:/.test(host) || /^fe80:/.test(host);
}

export function validModelName(name: string): boolean {
  return name.length <= 350 && /^[A-Za-z0-9][A-Za-z0-9._\-/:]*$/.test(name) && !name.endsWith(':');
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

/** Metric fields are omitempty in Go: zero values are left out. */
export function withoutZeros(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== 0));
}

export function nowNs(): bigint {
  return process.hrtime.bigint();
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SimHttpError(413, 'http: request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted && (err === signal.reason || (err instanceof Error && err.name === 'AbortError'));
}
