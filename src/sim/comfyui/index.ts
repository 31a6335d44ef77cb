// A protocol-faithful ComfyUI simulator: HTTP + WebSocket on 127.0.0.1, validation with the real
// error shapes, a single-worker queue with classic caching, real PNGs and fault injection. See
// ../../../../shared/protocols/comfyui.md (§13 is the checklist this implements).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { SimGpu } from '../gpu.ts';
import { buildCatalog, type ComfyVersion, defaultModels } from './catalog.ts';
import { Engine } from './engine.ts';
import { type ComfyFaults, FaultState } from './faults.ts';
import { SimFiles } from './files.ts';
import { newSid, originRejected, Router, type SimContext, type SimStats } from './http.ts';
import { type PreviewMethod, previewOverrideByVersion } from './previews.ts';
import { isPlainObject, PyFloat } from './pyjson.ts';
import { Transcript, type TranscriptEntry } from './transcript.ts';
import { WsHub } from './ws.ts';

export type { ComfyVersion } from './catalog.ts';
export {
  buildObjectInfo,
  defaultModels,
  modelFolders,
  objectInfoWire,
  samplerNames,
  schedulerNames,
} from './catalog.ts';
export type { HistoryEntry, QueueItem } from './engine.ts';
export type { ApiGraph, ComfyFaults } from './faults.ts';
export { type PreviewMethod, previewMethods } from './previews.ts';
export { pyJsonDumps } from './pyjson.ts';
export type { TranscriptEntry } from './transcript.ts';
export type { ComfyError, NodeError } from './validate.ts';

type ModelFolder = 'diffusion_models' | 'text_encoders' | 'vae' | 'checkpoints' | 'loras';

export interface ComfySimOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Shared with the Ollama sim; default `new SimGpu({ timeScale })`. */
  gpu?: SimGpu;
  /** Default 0.001 when `gpu` is not given. */
  timeScale?: number;
  /** Default '2026' (UUID-only prompt_id, missing_node_type, /api/jobs). */
  version?: ComfyVersion;
  /**
   * The server's `--preview-method` (default 'none', like ComfyUI): sampler previews are sent only
   * when it is not 'none', or when a prompt asks with `extra_data.preview_method` on a server that
   * honours that (see `previewOverride`).
   */
  previewMethod?: PreviewMethod;
  /**
   * Whether `extra_data.preview_method` overrides `previewMethod` per prompt. Default: by version —
   * true for '2026' (newer servers read it), false for '0.3.64' (reads only its command-line flag).
   */
  previewOverride?: boolean;
  /** Installed model files; folders not given keep the defaults (`defaultModels`). */
  models?: Partial<Record<ModelFolder, string[]>> & Record<string, string[] | undefined>;
  /** Default: a fresh temp dir's `output/`; `input/` and `temp/` sit beside it. */
  outputDir?: string;
  /** History entries kept before the oldest is evicted. Default 10000. */
  historyCap?: number;
  /** Progress is reported per KSampler step (the only mode). */
  steps?: 'from-graph';
  /** `--enable-cors-header [ORIGIN]`: disables the origin 403 and adds CORS headers. */
  corsHeader?: string | true;
  /** `--max-upload-size` in bytes (default 100 MiB): larger request bodies get 413. */
  maxUploadSize?: number;
  /** Reproduce issue #16010 (a reconnect with the same clientId can end up unregistered). */
  reconnectBug?: boolean;
  /** Reproduce the 2026 cached-run bug: no client_id ⇒ cached outputs missing from history. */
  cachedOutputsBug?: boolean;
  /** Clock for message timestamps and create_time (epoch ms). */
  now?: () => number;
  /** Generator for server-made prompt ids. */
  uuid?: () => string;
  /** Transcript ring size (default 5000). */
  transcriptSize?: number;
}

export type ComfySimStats = SimStats;

export interface ComfySim {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  port: number;
  gpu: SimGpu;
  faults: ComfyFaults;
  stats: SimStats;
  /** Every HTTP request/response and WS frame with timestamps (bounded ring). */
  transcript: TranscriptEntry[];
  /** The simulator's folders (output/, input/, temp/). */
  dirs: { output: string; input: string; temp: string };
  /** Change installed models at run time (`/object_info` and validation follow immediately). */
  setModels(folder: string, files: string[]): void;
  /** Installed model files by folder (a copy). */
  models(): Record<string, string[]>;
  /** Wipe queue, history, caches and WS sessions; keep output files; same port. */
  restart(): Promise<void>;
  /**
   * The process dies: every connection is cut, the port stops listening (connections are refused)
   * and the queue, history, caches and WS sessions are gone. `up()` brings it back on the same port,
   * so `down()` … `up()` is a ComfyUI restart that takes as long as the caller waits in between.
   */
  down(): Promise<void>;
  /** Listens again on the same port after `down()` (a no-op when it is up). */
  up(): Promise<void>;
  /** True between `down()` and `up()`. */
  readonly isDown: boolean;
  close(): Promise<void>;
}

export async function startComfySim(options: ComfySimOptions = {}): Promise<ComfySim> {
  const host = options.host ?? '127.0.0.1';
  const version = options.version ?? '2026';
  const gpu = options.gpu ?? new SimGpu({ timeScale: options.timeScale ?? 0.001 });
  const files = await SimFiles.create(options.outputDir);
  files.wipeTemp();
  const models: Record<string, string[]> = {};
  for (const [folder, list] of Object.entries(defaultModels)) models[folder] = [...list];
  for (const [folder, list] of Object.entries(options.models ?? {})) if (list) models[folder] = [...list];
  const transcript = new Transcript(options.transcriptSize ?? 5000);
  const hub = new WsHub(transcript, options.reconnectBug ?? false);
  const faults = new FaultState();
  const stats: SimStats = { promptsAccepted: 0, promptIds: [], executions: 0, wsConnections: 0 };
  const now = options.now ?? (() => Date.now());
  const maxUploadSize = options.maxUploadSize ?? 100 * 1024 * 1024;
  const catalog = () => buildCatalog({ models, inputFiles: files.inputFiles(), version });
  // argparse leaves the default (100) an int, so an unconfigured server reports 104857600; a value
  // given on the command line is float()-ed and reported as e.g. 52428800.0.
  const serverFeatures = () => ({
    supports_preview_metadata: true,
    max_upload_size: options.maxUploadSize === undefined ? maxUploadSize : new PyFloat(maxUploadSize),
  });

  const engine = new Engine(
    {
      gpu,
      files,
      hub,
      faults,
      version,
      previewMethod: options.previewMethod ?? 'none',
      previewOverride: options.previewOverride ?? previewOverrideByVersion[version],
      historyCap: options.historyCap ?? 10_000,
      now,
      modelFiles: (folder) => models[folder] ?? [],
      cachedOutputsBug: options.cachedOutputsBug ?? false,
      onExecution: () => {
        stats.executions += 1;
      },
    },
    (classType) => classType === 'SaveImage' || classType === 'PreviewImage',
  );

  const sim: SimContext = {
    version,
    files,
    gpu,
    engine,
    faults,
    transcript,
    stats,
    models,
    maxUploadSize,
    corsHeader:
      options.corsHeader === undefined ? null : options.corsHeader === true ? '*' : options.corsHeader,
    now,
    uuid: options.uuid ?? (() => randomUUID()),
    catalog,
    serverFeatures,
    holdEvents: () => hub.hold(),
  };
  const router = new Router(sim);
  const server = createServer((req, res) => {
    router.handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end();
    });
  });
  const wss = new WebSocketServer({ noServer: true });

  const onConnection = (ws: WebSocket, req: IncomingMessage) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const sid = url.searchParams.get('clientId') || newSid();
    stats.wsConnections += 1;
    const session = hub.add(sid, ws);
    hub.sendJson(session, 'status', { status: engine.queueInfo(), sid });
    if (engine.currentClientId === sid && engine.lastNodeId !== null) {
      hub.sendJson(session, 'executing', { node: engine.lastNodeId });
    }
    ws.on('message', (data, isBinary) => {
      const raw = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      if (isBinary) {
        transcript.record({ channel: 'ws', dir: 'in', kind: 'binary', sid, bytes: raw.length });
        return;
      }
      const textBody = raw.toString('utf8');
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(textBody);
      } catch {
        parsed = null;
      }
      const type = isPlainObject(parsed) && typeof parsed.type === 'string' ? parsed.type : undefined;
      transcript.record({
        channel: 'ws',
        dir: 'in',
        kind: 'text',
        sid,
        body: textBody,
        ...(type ? { type } : {}),
        ...(isPlainObject(parsed) ? { data: parsed.data } : {}),
      });
      // Only the first text message is interpreted.
      if (session.firstTextSeen) return;
      session.firstTextSeen = true;
      if (type === 'feature_flags' && isPlainObject(parsed) && isPlainObject(parsed.data)) {
        session.previewMetadata = parsed.data.supports_preview_metadata === true;
        hub.sendJson(session, 'feature_flags', serverFeatures());
      }
    });
    ws.on('close', () => hub.remove(session));
    ws.on('error', () => {});
  };

  const refuse = (socket: Duplex, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  };
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    transcript.record({ channel: 'http', dir: 'in', kind: 'request', method: 'GET', path: req.url ?? '/' });
    if (pathname !== '/ws' && pathname !== '/api/ws') return refuse(socket, '404 Not Found');
    if (sim.corsHeader === null && originRejected(req.headers, version))
      return refuse(socket, '403 Forbidden');
    if (faults.wsRefused()) return refuse(socket, '503 Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  engine.start();

  let closed = false;
  let isDown = false;
  const listenAgain = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    gpu,
    faults,
    stats,
    transcript: transcript.entries,
    dirs: { output: files.output, input: files.input, temp: files.temp },
    setModels(folder, list) {
      models[folder] = [...list];
    },
    models() {
      return Object.fromEntries(Object.entries(models).map(([folder, list]) => [folder, [...list]]));
    },
    async restart() {
      hub.terminateAll();
      server.closeAllConnections();
      await engine.restart();
      files.wipeTemp();
    },
    get isDown() {
      return isDown;
    },
    async down() {
      if (closed || isDown) return;
      isDown = true;
      hub.terminateAll();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
      await engine.restart();
      files.wipeTemp();
    },
    async up() {
      if (closed || !isDown) return;
      await listenAgain();
      isDown = false;
    },
    async close() {
      if (closed) return;
      closed = true;
      hub.terminateAll();
      await engine.stop();
      wss.close();
      server.closeAllConnections();
      if (!isDown) await new Promise<void>((resolve) => server.close(() => resolve()));
      await files.dispose();
    },
  };
}
