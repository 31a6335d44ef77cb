import type { IncomingMessage, ServerResponse } from 'node:http';
import { modelFolders, objectInfoWire } from './catalog.ts';
import { wireItem } from './engine.ts';
import { uploadImage, viewFile } from './file-routes.ts';
import {
  empty,
  type Handler,
  historyWire,
  INTERNAL_ERROR,
  iterable,
  json,
  originRejected,
  type Reply,
  type RequestContext,
  type Route,
  type SimContext,
  TooLarge,
  text,
  UUID_RE,
} from './http-reply.ts';
import { findJob, jobDetail, listJobs, parseJobQuery } from './jobs.ts';
import { postPrompt } from './prompt-route.ts';
import { isPlainObject, PyError, pyBool, pyContains, pyInt, pyStr } from './pyjson.ts';

export { json, newSid, originRejected, type SimContext, type SimStats } from './http-reply.ts';

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
    this.add('POST', '/upload/image', (ctx) => uploadImage(sim, ctx));
    this.add('GET', '/view', (ctx) => viewFile(sim, ctx));
    this.add('GET', '/system_stats', () => json(this.systemStats()));
    this.add('GET', '/features', () => json(sim.serverFeatures()));
    this.add('GET', '/prompt', () => json({ exec_info: { queue_remaining: engine.queueRemaining() } }));
    this.add('POST', '/prompt', (ctx) => postPrompt(sim, ctx));
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
}
