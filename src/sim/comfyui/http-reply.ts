// What every route of the ComfyUI simulator's HTTP side shares: the simulator context, aiohttp-style
// replies (JSON with charset, empty-body 200s, text errors), the loopback Host/Origin rule.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SimGpu } from '../gpu.ts';
import type { ComfyVersion } from './catalog.ts';
import { type Engine, type HistoryEntry, wireItem } from './engine.ts';
import type { FaultState } from './faults.ts';
import type { SimFiles } from './files.ts';
import { isPlainObject, PyError, pyJsonDumps } from './pyjson.ts';
import type { Transcript } from './transcript.ts';

export interface SimStats {
  promptsAccepted: number;
  promptIds: string[];
  executions: number;
  wsConnections: number;
}

export interface SimContext {
  version: ComfyVersion;
  files: SimFiles;
  gpu: SimGpu;
  engine: Engine;
  faults: FaultState;
  transcript: Transcript;
  stats: SimStats;
  models: Record<string, string[]>;
  maxUploadSize: number;
  corsHeader: string | null;
  now(): number;
  uuid(): string;
  catalog(): Record<string, Record<string, unknown>>;
  serverFeatures(): Record<string, unknown>;
  /** Holds outgoing WS frames until the returned function is called (see WsHub.hold). */
  holdEvents(): () => void;
}

export interface Reply {
  status: number;
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Runs once the reply has been written (POST /prompt lets its held WS frames go). */
  after?: () => void;
}

export interface RequestContext {
  method: string;
  url: URL;
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
  body(): Promise<Buffer>;
  /** `await request.json()`: a body that is not JSON raises, which the server turns into a 500. */
  json(): Promise<unknown>;
}

export type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

export interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const SENSITIVE_KEYS = ['auth_token_comfy_org', 'api_key_comfy_org'];
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const INTERNAL_ERROR = '500 Internal Server Error\n\nServer got itself in trouble';

export const json = (value: unknown, status = 200): Reply => ({
  status,
  body: pyJsonDumps(value),
  contentType: JSON_TYPE,
});
export const empty = (status = 200): Reply => ({ status, body: '' });
export const text = (status: number, body: string): Reply => ({
  status,
  body,
  contentType: 'text/plain; charset=utf-8',
});

export class TooLarge extends Error {
  readonly size: number;
  constructor(size: number) {
    super('request body too large');
    this.size = size;
  }
}

export const mimeTypes: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.avif': 'image/avif',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/x-wav',
  '.flac': 'audio/flac',
  '.html': 'application/octet-stream',
  '.htm': 'application/octet-stream',
  '.js': 'application/octet-stream',
  '.css': 'application/octet-stream',
};

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function splitAuthority(authority: string): { host: string; port: string | null } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority);
  return { host: (m?.[1] ?? authority).toLowerCase(), port: m?.[2] ? m[2] : null };
}

/**
 * The default origin middleware: a request carrying both Host and Origin, whose Host is loopback and
 * whose authorities differ (ports compared only when both have one), is refused with an empty 403.
 */
export function originRejected(headers: IncomingMessage['headers'], version: ComfyVersion): boolean {
  if (version === '2026' && String(headers['sec-fetch-site'] ?? '').toLowerCase() === 'cross-site')
    return true;
  const host = headers.host;
  const origin = headers.origin;
  if (!host || !origin) return false;
  let originAuthority = '';
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(origin);
  if (m) originAuthority = m[1] ?? '';
  if (originAuthority === '') return false;
  const h = splitAuthority(host);
  const o = splitAuthority(originAuthority);
  if (!isLoopbackHost(h.host)) return false;
  if (h.host !== o.host) return true;
  return h.port !== null && o.port !== null && h.port !== o.port;
}

export function historyWire(entry: HistoryEntry): Record<string, unknown> {
  return { prompt: wireItem(entry.item), outputs: entry.outputs, status: entry.status, meta: entry.meta };
}

export function iterable(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  throw new PyError('TypeError', 'object is not iterable');
}

export const newSid = (): string => randomUUID().replaceAll('-', '');
