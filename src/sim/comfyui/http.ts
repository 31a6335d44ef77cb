// The HTTP side (comfyui.md §1–§7): every route at `/x` and `/api/x`, aiohttp-style replies (JSON
// with charset, empty-body 200s, text 404/405/500), the loopback Host/Origin 403 rule and faults.
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import sharp from 'sharp';
import type { SimGpu } from '../gpu.ts';
import { type ComfyVersion, modelFolders, objectInfoWire } from './catalog.ts';
import type { Engine, HistoryEntry, QueueItem } from './engine.ts';
import { wireItem } from './engine.ts';
import type { FaultState } from './faults.ts';
import { parseMultipart, pyNormpath, SimFiles } from './files.ts';
import { findJob, jobDetail, listJobs, parseJobQuery } from './jobs.ts';
import {
  isPlainObject,
  PyError,
  PyFloat,
  pyBool,
  pyContains,
  pyFloat,
  pyInt,
  pyJsonDumps,
  pyStr,
} from './pyjson.ts';
import type { Transcript } from './transcript.ts';
import { validatePrompt } from './validate.ts';

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

interface Reply {
  status: number;
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Runs once the reply has been written (POST /prompt lets its held WS frames go). */
  after?: () => void;
}

interface RequestContext {
  method: string;
  url: URL;
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
  body(): Promise<Buffer>;
  /** `await request.json()`: a body that is not JSON raises, which the server turns into a 500. */
  json(): Promise<unknown>;
}

type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const SENSITIVE_KEYS = ['auth_token_comfy_org', 'api_key_comfy_org'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INTERNAL_ERROR = '500 Internal Server Error\n\nServer got itself in trouble';

export const json = (value: unknown, status = 200): Reply => ({
  status,
  body: pyJsonDumps(value),
  contentType: JSON_TYPE,
});
const empty = (status = 200): Reply => ({ status, body: '' });
const text = (status: number, body: string): Reply => ({
  status,
  body,
  contentType: 'text/plain; charset=utf-8',
});

class TooLarge extends Error {
  readonly size: number;
  constructor(size: number) {
    super('request body too large');
    this.size = size;
  }
}

const mimeTypes: Record<string, string> = {
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

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function splitAuthority(authority: string): { host: string; port: string | null } {
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

export class Router {
  private readonly routes: Route[] = [];
  private readonly sim: SimContext;

  constructor(sim: SimContext) {
    this.sim = sim;
    this.register();
  }

  private add(method: string, route: string, handler: Handler): void {
    for (const p of [route, `/api${route}`]) {
      const keys: string[] = [];
      const source = p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, key: string) => {
        keys.push(key);
        return '([^/{}]+)';
      });
      this.routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler });
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { sim } = this;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const pathWithQuery = url.pathname + url.search;
    let bodyCache: Buffer | null = null;
    const readBody = async (): Promise<Buffer> => {
      if (bodyCache) return bodyCache;
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > sim.maxUploadSize) throw new TooLarge(declared);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > sim.maxUploadSize) throw new TooLarge(size);
        chunks.push(chunk as Buffer);
      }
      bodyCache = Buffer.concat(chunks);
      return bodyCache;
    };

    const send = (reply: Reply) => {
      const headers: Record<string, string> = {
        Server: 'Python/3.12 aiohttp/3.12.15',
        ...(reply.headers ?? {}),
      };
      if (reply.contentType) headers['Content-Type'] = reply.contentType;
      else if (reply.body.length === 0) headers['Content-Type'] = 'application/octet-stream';
      if (sim.corsHeader !== null) {
        headers['Access-Control-Allow-Origin'] = sim.corsHeader;
        headers['Access-Control-Allow-Methods'] = 'POST, GET, DELETE, PUT, OPTIONS';
        headers['Access-Control-Allow-Headers'] = 'Content-Type, Authorization';
        headers['Access-Control-Allow-Credentials'] = 'true';
      }
      const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
      headers['Content-Length'] = String(body.length);
      res.writeHead(reply.status, headers);
      res.end(method === 'HEAD' ? undefined : body);
      const textual = !reply.contentType || /json|text/.test(reply.contentType);
      sim.transcript.record({
        channel: 'http',
        dir: 'out',
        kind: 'response',
        method,
        path: pathWithQuery,
        status: reply.status,
        bytes: body.length,
        ...(textual ? { body: body.toString('utf8') } : {}),
      });
    };

    const fault = sim.faults.takeHttpFault(url.pathname);
    sim.transcript.record({ channel: 'http', dir: 'in', kind: 'request', method, path: pathWithQuery });
    if (fault) {
      if (fault.status === 'reset') {
        req.socket.destroy();
        return;
      }
      send(
        fault.status === 500
          ? text(500, INTERNAL_ERROR)
          : text(fault.status, `${fault.status}: simulated error`),
      );
      return;
    }
    if (sim.corsHeader === null && originRejected(req.headers, sim.version)) {
      send(empty(403));
      return;
    }
    if (sim.corsHeader !== null && method === 'OPTIONS') {
      send(empty(200));
      return;
    }

    let matchedPath = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      matchedPath = true;
      if (route.method !== method && !(route.method === 'GET' && method === 'HEAD')) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? '');
      });
      const ctx: RequestContext = {
        method,
        url,
        params,
        headers: req.headers,
        body: readBody,
        json: async () => JSON.parse((await readBody()).toString('utf8')) as unknown,
      };
      try {
        const reply = await route.handler(ctx);
        try {
          send(reply);
        } finally {
          reply.after?.();
        }
      } catch (err) {
        if (err instanceof TooLarge) {
          send(
            text(
              413,
              `Maximum request body size ${sim.maxUploadSize} exceeded, actual body size ${err.size}`,
            ),
          );
        } else {
          send(text(500, INTERNAL_ERROR));
        }
      }
      return;
    }
    if (matchedPath) {
      const allowed = this.routes.filter((r) => r.pattern.test(url.pathname)).map((r) => r.method);
      send({ ...text(405, '405: Method Not Allowed'), headers: { Allow: [...new Set(allowed)].join(',') } });
      return;
    }
    send(text(404, '404: Not Found'));
  }

  private register(): void {
    const { sim } = this;
    const { engine } = sim;

    this.add('GET', '/', () => ({
      status: 200,
      body: '<!doctype html><title>ComfyUI (simulated)</title><p>Product Showcase Studio ComfyUI simulator.</p>',
      contentType: 'text/html; charset=utf-8',
    }));
    // Plain GETs of the socket path without an Upgrade header.
    this.add('GET', '/ws', () =>
      text(400, 'No WebSocket UPGRADE hdr: None\n Can "Upgrade" only to "WebSocket".'),
    );

    this.add('GET', '/embeddings', () =>
      json((sim.models.embeddings ?? []).map((f) => f.replace(/\.[^.]+$/, ''))),
    );
    this.add('GET', '/models', () => json([...modelFolders]));
    this.add('GET', '/models/{folder}', (ctx) => {
      const folder = ctx.params.folder ?? '';
      if (!(modelFolders as readonly string[]).includes(folder)) return empty(404);
      return json([...(sim.models[folder] ?? [])].sort());
    });
    this.add('GET', '/extensions', () => json([]));
    this.add('GET', '/view_metadata/{folder_name}', () => empty(404));
    this.add('POST', '/upload/image', (ctx) => this.uploadImage(ctx));
    this.add('GET', '/view', (ctx) => this.view(ctx));
    this.add('GET', '/system_stats', () => json(this.systemStats()));
    this.add('GET', '/features', () => json(sim.serverFeatures()));
    this.add('GET', '/prompt', () => json({ exec_info: { queue_remaining: engine.queueRemaining() } }));
    this.add('POST', '/prompt', (ctx) => this.postPrompt(ctx));
    this.add('GET', '/object_info', () => json(objectInfoWire(sim.catalog())));
    this.add('GET', '/object_info/{node_class}', (ctx) => {
      const name = ctx.params.node_class ?? '';
      const info = sim.catalog()[name];
      return json(info ? objectInfoWire({ [name]: info }) : {});
    });

    this.add('GET', '/history', (ctx) => {
      const q = ctx.url.searchParams;
      const maxRaw = q.get('max_items');
      const offRaw = q.get('offset');
      const maxItems = maxRaw === null ? null : pyInt(maxRaw);
      let offset = offRaw === null ? -1 : pyInt(offRaw);
      const entries = [...engine.history.entries()];
      if (offset < 0 && maxItems !== null) offset = entries.length - maxItems;
      const out = new Map<string, unknown>();
      for (const [i, [id, entry]] of entries.entries()) {
        if (i < offset) continue;
        out.set(id, historyWire(entry));
        if (maxItems !== null && out.size >= maxItems) break;
      }
      return json(out);
    });
    this.add('GET', '/history/{prompt_id}', (ctx) => {
      const id = ctx.params.prompt_id ?? '';
      const entry = engine.history.get(id);
      return json(entry ? new Map([[id, historyWire(entry)]]) : {});
    });
    this.add('POST', '/history', async (ctx) => {
      const body = await ctx.json();
      if (pyContains(body, 'clear') && pyBool((body as Record<string, unknown>).clear))
        engine.history.clear();
      if (pyContains(body, 'delete')) {
        for (const id of iterable((body as Record<string, unknown>).delete)) engine.deleteHistory(pyStr(id));
      }
      return empty();
    });

    this.add('GET', '/queue', () =>
      json({
        queue_running: [...engine.running.values()].map((item) => wireItem(item)),
        queue_pending: engine.queue.map((item) => wireItem(item)),
      }),
    );
    this.add('POST', '/queue', async (ctx) => {
      const body = await ctx.json();
      if (pyContains(body, 'clear') && pyBool((body as Record<string, unknown>).clear)) engine.wipeQueue();
      if (pyContains(body, 'delete')) {
        for (const id of iterable((body as Record<string, unknown>).delete)) engine.deleteQueued(pyStr(id));
      }
      return empty();
    });
    this.add('POST', '/interrupt', async (ctx) => {
      let body: unknown;
      try {
        body = await ctx.json();
      } catch (err) {
        if (err instanceof TooLarge) throw err;
        body = {};
      }
      if (!isPlainObject(body)) throw new PyError('AttributeError', "object has no attribute 'get'");
      const promptId = body.prompt_id;
      if (pyBool(promptId)) engine.interrupt(pyStr(promptId));
      else engine.interrupt();
      return empty();
    });
    this.add('POST', '/free', async (ctx) => {
      const body = await ctx.json();
      if (!isPlainObject(body)) throw new PyError('AttributeError', "object has no attribute 'get'");
      engine.setFreeFlags(pyBool(body.unload_models), pyBool(body.free_memory));
      return empty();
    });

    if (sim.version === '2026') {
      // Registered directly under /api, so the alias also yields /api/api/jobs.
      this.add('GET', '/api/jobs', (ctx) => {
        const q = parseJobQuery(ctx.url.searchParams);
        if (!q.ok) return json({ error: q.error }, 400);
        return json(listJobs(engine, q));
      });
      this.add('GET', '/api/jobs/{job_id}', (ctx) => {
        const record = findJob(engine, ctx.params.job_id ?? '');
        return record ? json(jobDetail(record)) : json({ error: 'Job not found' }, 404);
      });
      this.add('POST', '/api/jobs/{job_id}/cancel', (ctx) =>
        json({ cancelled: this.cancelJob(ctx.params.job_id ?? '') }),
      );
      this.add('POST', '/api/jobs/cancel', async (ctx) => {
        let body: unknown;
        try {
          body = await ctx.json();
        } catch {
          return json({ error: 'Invalid JSON body' }, 400);
        }
        const ids = isPlainObject(body) ? body.job_ids : undefined;
        if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || !UUID_RE.test(id))) {
          return json({ error: 'job_ids must be a list of UUID strings' }, 400);
        }
        let cancelled = false;
        for (const id of ids as string[]) cancelled = this.cancelJob(id) || cancelled;
        return json({ cancelled });
      });
    }
  }

  private cancelJob(id: string): boolean {
    const { engine } = this.sim;
    if (engine.runningItem()?.promptId === id) return engine.interrupt(id);
    return engine.deleteQueued(id);
  }

  private systemStats(): Record<string, unknown> {
    const { gpu, version } = this.sim;
    const comfyUsed = gpu.models('comfyui').reduce((sum, m) => sum + m.vram, 0);
    return {
      system: {
        os: version === '2026' ? 'linux' : 'posix',
        ram_total: 134_000_000_000,
        ram_free: 120_000_000_000,
        comfyui_version: version === '2026' ? '0.38.1' : '0.3.64',
        required_frontend_version: version === '2026' ? '1.30.2' : '1.27.10',
        installed_templates_version: '0.1.95',
        required_templates_version: '0.1.95',
        python_version: '3.12.3 (main, simulated) [GCC 13.2.0]',
        pytorch_version: '2.8.0+cu128',
        embedded_python: false,
        argv: ['main.py', '--listen', '127.0.0.1'],
      },
      devices: [
        {
          name: gpu.name,
          type: 'cuda',
          index: 0,
          vram_total: gpu.vramTotal,
          vram_free: gpu.free(),
          torch_vram_total: comfyUsed,
          torch_vram_free: 0,
        },
      ],
    };
  }

  private async postPrompt(ctx: RequestContext): Promise<Reply> {
    const { sim } = this;
    const { engine } = sim;
    const body = await ctx.json();
    let number: number;
    let numberIsFloat = false;
    if (pyContains(body, 'number')) {
      number = pyFloat((body as Record<string, unknown>).number);
      numberIsFloat = true;
    } else {
      number = engine.counter;
      if (pyContains(body, 'front') && pyBool((body as Record<string, unknown>).front)) number = -number;
      engine.counter += 1;
    }
    if (!pyContains(body, 'prompt')) {
      const error = {
        type: 'no_prompt',
        message: 'No prompt provided',
        details: 'No prompt provided',
        extra_info: {},
      };
      return json({ error, node_errors: {} }, 400);
    }
    if (!isPlainObject(body)) throw new PyError('TypeError', 'string indices must be integers');

    let promptId: string;
    if (sim.version === '0.3.64') {
      promptId = Object.hasOwn(body, 'prompt_id') ? pyStr(body.prompt_id) : sim.uuid();
    } else if (body.prompt_id === undefined || body.prompt_id === null) {
      promptId = sim.uuid();
    } else if (typeof body.prompt_id !== 'string' || !UUID_RE.test(body.prompt_id)) {
      const error = {
        type: 'invalid_prompt_id',
        message: 'Invalid prompt_id',
        details: `prompt_id must be a lowercase hyphenated UUID, got ${pyStr(body.prompt_id)}`,
        extra_info: {},
      };
      return json({ error, node_errors: {} }, 400);
    } else {
      promptId = body.prompt_id;
    }

    const result = validatePrompt(body.prompt, body.partial_execution_targets, {
      catalog: sim.catalog(),
      version: sim.version,
      imageExists: (name) => sim.files.imageExists(name),
    });
    let extraData: Record<string, unknown> = {};
    if (Object.hasOwn(body, 'extra_data')) {
      if (!isPlainObject(body.extra_data)) throw new PyError('TypeError', 'extra_data must be a dict');
      extraData = body.extra_data;
    }
    if (Object.hasOwn(body, 'client_id')) extraData.client_id = body.client_id;
    if (!result.ok) return json({ error: result.error, node_errors: result.nodeErrors }, 400);

    for (const key of SENSITIVE_KEYS) delete extraData[key];
    if (sim.version === '2026') extraData.create_time = sim.now();
    const item: QueueItem = {
      number,
      numberIsFloat,
      promptId,
      prompt: body.prompt as Record<string, unknown>,
      extraData,
      outputs: result.outputs,
      floatInputs: result.floatInputs,
    };
    sim.stats.promptsAccepted += 1;
    sim.stats.promptIds.push(promptId);
    sim.faults.onPromptAccepted(promptId);
    // The real server answers before any WS frame of this prompt (its status broadcast included):
    // frames are held until the reply is out. The opt-in fault lets them run ahead instead.
    const eventsFirstMs = sim.faults.takeEventsBeforeReply();
    const release = eventsFirstMs === null ? sim.holdEvents() : undefined;
    engine.put(item);
    if (eventsFirstMs !== null && eventsFirstMs > 0) await new Promise((r) => setTimeout(r, eventsFirstMs));
    return {
      ...json({
        prompt_id: promptId,
        number: numberIsFloat ? new PyFloat(number) : number,
        node_errors: result.nodeErrors,
      }),
      ...(release ? { after: release } : {}),
    };
  }

  private async view(ctx: RequestContext): Promise<Reply> {
    const { files } = this.sim;
    const q = ctx.url.searchParams;
    const rawName = q.get('filename');
    if (rawName === null) return empty(404);
    const { name, base } = files.annotated(rawName);
    if (!name) return empty(400);
    if (name.startsWith('/') || name.includes('..')) return empty(400);
    let dir = base ?? files.dirByType(q.get('type') ?? 'output');
    if (dir === null) return empty(400);
    const subfolder = q.get('subfolder');
    if (subfolder !== null) {
      const full = path.resolve(dir, subfolder);
      if (!SimFiles.inside(dir, full)) return empty(403);
      dir = full;
    }
    const filename = path.basename(name);
    const file = path.join(dir, filename);
    if (!existsSync(file) || !statSync(file).isFile()) return empty(404);
    const disposition = { 'Content-Disposition': `filename="${filename}"` };
    const preview = q.get('preview');
    const channel = q.get('channel') ?? 'rgba';
    if (preview !== null) {
      // The preview branch reads `channel` with an empty default (so only an explicit alpha forces webp).
      const previewChannel = q.get('channel') ?? '';
      const parts = preview.split(';');
      let format = parts[0] ?? '';
      if ((format !== 'webp' && format !== 'jpeg') || previewChannel.includes('a')) format = 'webp';
      const last = parts[parts.length - 1] ?? '';
      const quality = /^\d+$/.test(last) ? Number(last) : 90;
      let img = sharp(file);
      if (format === 'jpeg' || previewChannel === 'rgb') img = img.removeAlpha();
      const out =
        format === 'jpeg' ? await img.jpeg({ quality }).toBuffer() : await img.webp({ quality }).toBuffer();
      return { status: 200, body: out, contentType: `image/${format}`, headers: disposition };
    }
    if (channel === 'rgb') {
      const out = await sharp(file).removeAlpha().png().toBuffer();
      return { status: 200, body: out, contentType: 'image/png', headers: disposition };
    }
    if (channel === 'a') {
      const meta = await sharp(file).metadata();
      const alpha = meta.hasAlpha
        ? await sharp(file).extractChannel(3).raw().toBuffer()
        : Buffer.alloc((meta.width ?? 1) * (meta.height ?? 1), 255);
      const width = meta.width ?? 1;
      const height = meta.height ?? 1;
      const rgba = Buffer.alloc(width * height * 4);
      for (let i = 0; i < width * height; i++) rgba[i * 4 + 3] = alpha[i] ?? 255;
      const out = await sharp(rgba, { raw: { width, height, channels: 4 } })
        .png()
        .toBuffer();
      return { status: 200, body: out, contentType: 'image/png', headers: disposition };
    }
    const contentType = mimeTypes[path.extname(filename).toLowerCase()] ?? 'application/octet-stream';
    return { status: 200, body: await readFile(file), contentType, headers: disposition };
  }

  private async uploadImage(ctx: RequestContext): Promise<Reply> {
    const { files } = this.sim;
    const body = await ctx.body();
    const contentType = ctx.headers['content-type'];
    const parts = parseMultipart(body, contentType);
    const fields = new Map<string, string>();
    let image: { filename: string | undefined; data: Buffer } | null = null;
    if (parts === null) {
      // A urlencoded form has no file part: `image.file` would not exist.
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.has('image')) throw new PyError('AttributeError', "'str' object has no attribute 'file'");
      return empty(400);
    }
    for (const part of parts) {
      if (part.name !== 'image') fields.set(part.name, part.data.toString('utf8'));
      else if (part.filename === undefined) {
        // A plain text field called "image" has no `.file`: the server fails with a 500.
        throw new PyError('AttributeError', "'str' object has no attribute 'file'");
      } else image ??= { filename: part.filename, data: part.data };
    }
    const type = fields.get('type') ?? 'input';
    const dir = files.dirByType(type);
    if (dir === null) throw new PyError('UnboundLocalError', "cannot access local variable 'type_dir'");
    if (!image) return empty(400);
    let filename = image.filename ?? '';
    if (!filename) return empty(400);
    const subfolder = fields.get('subfolder') ?? '';
    const folder = path.resolve(dir, pyNormpath(subfolder));
    let filepath = path.resolve(folder, filename);
    if (!SimFiles.inside(dir, filepath)) return empty(400);
    await mkdir(folder, { recursive: true });
    const overwrite = fields.get('overwrite');
    let duplicate = false;
    if (overwrite !== 'true' && overwrite !== '1') {
      const ext = path.extname(filename);
      const stem = filename.slice(0, filename.length - ext.length);
      let i = 1;
      while (existsSync(filepath)) {
        if ((await readFile(filepath)).equals(image.data)) {
          duplicate = true;
          break;
        }
        filename = `${stem} (${i})${ext}`;
        filepath = path.join(folder, filename);
        i += 1;
      }
    }
    if (!duplicate) await writeFile(filepath, image.data);
    return json({ name: filename, subfolder, type });
  }
}

function historyWire(entry: HistoryEntry): Record<string, unknown> {
  return { prompt: wireItem(entry.item), outputs: entry.outputs, status: entry.status, meta: entry.meta };
}

function iterable(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  throw new PyError('TypeError', 'object is not iterable');
}

export const newSid = (): string => randomUUID().replaceAll('-', '');
