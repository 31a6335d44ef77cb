// A protocol-faithful fake of the Ollama HTTP API on node:http, with model residency on the shared
// SimGpu (so the LLM competes with image models for VRAM) and scripted faults. Written from the
// protocol notes in ../shared/protocols/ollama.md (§12 is the checklist this implements).
// This file routes requests; residency.ts keeps models loaded, generation.ts answers chat/generate,
// stream.ts delivers the answer, model-routes.ts manages models, respond.ts is the HTTP plumbing.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimGpu } from '../gpu.ts';
import { catalogEntry, normalizeTag } from './catalog.ts';
import { handleGeneration, type SimContext } from './generation.ts';
import { handleDelete, handlePull, handleShow } from './model-routes.ts';
import { Residency } from './residency.ts';
import { hostAllowed, isAbort, nowNs, readBody, routes, sendError, sendJson, sendText } from './respond.ts';
import type { OllamaSim, OllamaSimOptions, OllamaSimRequestRecord, OllamaSimStats } from './types.ts';
import { goSyntaxError, parseKeepAlive, SimHttpError } from './wire.ts';

export type { OllamaSim, OllamaSimOptions, OllamaSimRequestRecord, OllamaSimStats } from './types.ts';

export async function startOllamaSim(options: OllamaSimOptions = {}): Promise<OllamaSim> {
  const gpu =
    options.gpu ?? new SimGpu(options.timeScale === undefined ? {} : { timeScale: options.timeScale });
  const version = options.version ?? '0.33.0-sim';
  const log = options.log ?? (() => {});
  const closing = new AbortController();
  const stats: OllamaSimStats = { chat: 0, generate: 0, aborted: 0, requests: [] };
  const residency = new Residency({
    gpu,
    models: options.models ?? ['llama3.2:latest'],
    unloadDelayMs: options.unloadDelayMs ?? 500,
    defaultNumCtx: options.defaultNumCtx ?? 4096,
    kvBytesPerToken: options.kvBytesPerToken ?? 112 * 1024,
    defaultKeepAliveMs: parseKeepAlive(options.defaultKeepAlive ?? '5m', 300_000),
    closing: closing.signal,
    log,
  });
  const faults = residency.faults;
  const ctx: SimContext = {
    gpu,
    residency,
    faults,
    maxQueue: options.maxQueue ?? 512,
    pullMs: options.pullMs ?? 20_000,
    registry: options.registry?.map(normalizeTag),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const startNs = nowNs();
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://sim.invalid').pathname;
    const aborter = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        stats.aborted += 1;
        aborter.abort(new Error('client connection closed'));
      }
    });
    const record: OllamaSimRequestRecord = { method, path, body: undefined, startedAt: Date.now() };
    res.on('finish', () => {
      record.status = res.statusCode;
      record.durationMs = Date.now() - record.startedAt;
    });
    stats.requests.push(record);

    if (!hostAllowed(req.headers.host)) {
      res.writeHead(403, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const route = routes[path];
    if (!route) return sendText(res, 404, '404 page not found');
    if (!route.methods.includes(method)) return sendText(res, 405, '405 method not allowed');

    try {
      const text = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
      let body: unknown;
      if (text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
          record.body = text;
          throw new SimHttpError(400, goSyntaxError(text));
        }
      }
      record.body = body;
      const needsBody = method === 'POST' || method === 'DELETE';
      if (needsBody && text === '') throw new SimHttpError(400, 'missing request body');

      switch (path) {
        case '/':
          return sendText(res, 200, 'Ollama is running');
        case '/api/version':
          return sendJson(res, 200, { version });
        case '/api/tags':
          return sendJson(res, 200, {
            models: [...residency.installed.values()].map((e) => ({
              name: e.name,
              model: e.name,
              modified_at: e.modifiedAt,
              size: e.size,
              digest: e.digest,
              details: e.details,
            })),
          });
        case '/api/ps':
          return sendJson(res, 200, residency.psBody());
        case '/api/show':
          return handleShow(ctx, body, res);
        case '/api/pull':
          return await handlePull(ctx, body, res, aborter.signal);
        case '/api/delete':
          return handleDelete(ctx, body, res);
        case '/api/chat':
          stats.chat += 1;
          return await handleGeneration(ctx, 'chat', body, req, res, aborter.signal, startNs);
        case '/api/generate':
          stats.generate += 1;
          return await handleGeneration(ctx, 'generate', body, req, res, aborter.signal, startNs);
        default:
          return sendText(res, 404, '404 page not found');
      }
    } catch (err) {
      if (isAbort(err, aborter.signal) || res.destroyed) return;
      if (res.headersSent) {
        // Too late for a status: Ollama reports late failures as a final error line.
        res.end(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
        return;
      }
      if (err instanceof SimHttpError) return sendError(res, err.status, err.message);
      sendError(res, 500, err instanceof Error ? err.message : String(err));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`unhandled: ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    });
  });
  // Streams can pause for a long (simulated) load; never let node's own timers cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 5_000;

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    gpu,
    faults,
    stats,
    installedModels: () => [...residency.installed.keys()],
    installModel: (tag: string) => {
      residency.installed.set(normalizeTag(tag), catalogEntry(tag));
    },
    removeModel: (tag: string) => residency.removeModel(tag),
    close: async () => {
      closing.abort(new Error('simulator closing'));
      faults.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const tag of residency.residents.keys()) gpu.unload(tag);
      residency.residents.clear();
    },
  };
}
