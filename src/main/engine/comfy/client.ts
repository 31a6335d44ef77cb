// ComfyClient: the production client for one ComfyUI server (HTTP via undici + one WebSocket
// session). Protocol facts: ../shared/protocols/comfyui.md (§ numbers in comments refer to it).
import { randomUUID } from 'node:crypto';
import { FormData } from 'undici';
import { z } from 'zod';
import { parseOrThrow, ShowcaseError, toShowcaseError } from '../../../shared/errors.ts';
import { raceAbort } from '../../../shared/guards.ts';
import { describeNodeErrors, httpStatusError, toNodeErrors, validationError } from './errors.ts';
import type { BinaryFrame } from './frames.ts';
import { allNodesCached, outcomeFromHistory } from './history.ts';
import { ComfyHttp, parseJsonReply, replyText } from './http.ts';
import { type JobFrame, type JobHost, PromptJob } from './job.ts';
import {
  type ComfyPreviewMethod,
  type ComfyPreviewsMissing,
  comfyPreviewMethods,
  PreviewWatch,
  previewExtraData,
} from './previews.ts';
import {
  ComfyGraphSchema,
  FeaturesSchema,
  type HistoryEntry,
  HistoryReplySchema,
  ObjectInfoSchema,
  PromptAcceptedSchema,
  PromptInfoSchema,
  PromptRejectedSchema,
  QueueReplySchema,
  SystemStatsSchema,
  UploadReplySchema,
} from './schemas.ts';
import { ComfySocket } from './socket.ts';
import type {
  AttachOptions,
  ComfyClientOptions,
  ComfyCollectResult,
  ComfyFeatures,
  ComfyGraph,
  ComfyHistoryEntry,
  ComfyImageRef,
  ComfyObjectInfo,
  ComfyQueuedPrompt,
  ComfyQueueSnapshot,
  ComfyRunResult,
  ComfySystemStats,
  ComfyWarning,
  QueuePromptOptions,
  ReconnectOptions,
  UploadedImage,
  UploadImageOptions,
} from './types.ts';

export const comfyClientDefaults = {
  requestTimeoutMs: 30_000,
  jobTimeoutMs: 30 * 60_000,
  stallTimeoutMs: 60_000,
  pollIntervalMs: 1_000,
  connectTimeoutMs: 10_000,
  unreachableGraceMs: 30_000,
  lostAfterPolls: 3,
  /** GET /history, /queue and /prompt: cheap reads (a healthy server answers at once). */
  pollTimeoutMs: 10_000,
  /** GET /view: one output image. */
  downloadTimeoutMs: 120_000,
  /** A running prompt silent this long is interrupted and failed retryably. */
  stallInterruptMs: 300_000,
  reconnect: { initialDelayMs: 250, maxDelayMs: 10_000, factor: 2, jitter: 0.2 },
} as const;

/** Canonical lowercase hyphenated UUID: what 2026 servers require for `prompt_id` (§2, §12.2). */
const promptIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const ClientOptionsSchema = z.object({
  url: z.string().url(),
  clientId: z.string().min(1).max(200).optional(),
  requestTimeoutMs: z.number().int().positive().optional(),
  jobTimeoutMs: z.number().int().positive().optional(),
  stallTimeoutMs: z.number().int().positive().optional(),
  pollIntervalMs: z.number().int().positive().optional(),
  connectTimeoutMs: z.number().int().positive().optional(),
  unreachableGraceMs: z.number().int().nonnegative().optional(),
  lostAfterPolls: z.number().int().positive().optional(),
  previewMethod: z.union([z.enum(comfyPreviewMethods), z.function()]).optional(),
  pollTimeoutMs: z.number().int().positive().optional(),
  downloadTimeoutMs: z.number().int().positive().optional(),
  stallInterruptMs: z.number().int().positive().optional(),
  reconnect: z
    .object({
      initialDelayMs: z.number().int().nonnegative().optional(),
      maxDelayMs: z.number().int().positive().optional(),
      factor: z.number().min(1).optional(),
      jitter: z.number().min(0).max(1).optional(),
    })
    .optional(),
});

// Frames for prompt ids nobody registered yet (queued by another call racing its POST reply, or an
// `attach` that comes later) are kept briefly and replayed on registration (§12.1).
const ORPHAN_TTL_MS = 60_000;
const ORPHAN_MAX_IDS = 64;
const ORPHAN_MAX_FRAMES = 2_000;
const SETTLED_MEMORY = 512;
// Best-effort calls (cancel on timeout/abort) must not hang around.
const BEST_EFFORT_TIMEOUT_MS = 5_000;

const perPromptTypes = new Set([
  'execution_start',
  'execution_cached',
  'executing',
  'progress',
  'progress_state',
  'executed',
  'execution_success',
  'execution_error',
  'execution_interrupted',
]);
const terminalTypes = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

interface CallOptions {
  signal?: AbortSignal;
}

export class ComfyClient {
  readonly url: string;
  private readonly http: ComfyHttp;
  private readonly jobTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly pollTimeoutMs: number;
  private readonly downloadTimeoutMs: number;
  private readonly reconnectOptions: Required<ReconnectOptions>;
  private readonly onWarning: ((warning: ComfyWarning) => void) | undefined;
  private readonly previewMethod: ComfyClientOptions['previewMethod'];
  private readonly onPreviewsMissing: ((missing: ComfyPreviewsMissing) => void) | undefined;
  private previewsMissingReported = false;
  private readonly host: JobHost;
  private readonly jobs = new Map<string, PromptJob>();
  private readonly orphans = new Map<string, { frames: JobFrame[]; at: number }>();
  /** Ids settled recently: their late frames (`executing null` after the history confirm) are dropped. */
  private readonly settled = new Set<string>();
  private readonly background = new Set<Promise<unknown>>();
  private socket: ComfySocket | null = null;
  private connecting: Promise<ComfySocket> | null = null;
  /** Session id for the next connection: the configured one first, a fresh UUID after any drop (§8.1). */
  private nextClientId: string;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private closed = false;
  private readonly closing = new AbortController();

  constructor(options: ComfyClientOptions) {
    const opts = parseOrThrow(ClientOptionsSchema, options, 'comfy');
    this.url = opts.url;
    const requestTimeoutMs = opts.requestTimeoutMs ?? comfyClientDefaults.requestTimeoutMs;
    this.http = new ComfyHttp(opts.url, requestTimeoutMs);
    this.nextClientId = opts.clientId ?? randomUUID();
    this.jobTimeoutMs = opts.jobTimeoutMs ?? comfyClientDefaults.jobTimeoutMs;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? comfyClientDefaults.connectTimeoutMs;
    this.pollTimeoutMs = Math.min(requestTimeoutMs, opts.pollTimeoutMs ?? comfyClientDefaults.pollTimeoutMs);
    this.downloadTimeoutMs = opts.downloadTimeoutMs ?? comfyClientDefaults.downloadTimeoutMs;
    this.reconnectOptions = { ...comfyClientDefaults.reconnect, ...opts.reconnect };
    this.onWarning = options.onWarning;
    this.previewMethod = options.previewMethod;
    this.onPreviewsMissing = options.onPreviewsMissing;
    const pollIntervalMs = opts.pollIntervalMs ?? comfyClientDefaults.pollIntervalMs;
    const stallTimeoutMs = opts.stallTimeoutMs ?? comfyClientDefaults.stallTimeoutMs;
    const unreachableGraceMs = opts.unreachableGraceMs ?? comfyClientDefaults.unreachableGraceMs;
    const lostAfterPolls = opts.lostAfterPolls ?? comfyClientDefaults.lostAfterPolls;
    this.host = {
      pollIntervalMs,
      stallTimeoutMs,
      unreachableGraceMs,
      lostAfterPolls,
      stallInterruptMs: opts.stallInterruptMs ?? comfyClientDefaults.stallInterruptMs,
      fetchHistory: (promptId, signal) => this.historyEntry(promptId, signal),
      fetchQueue: (signal) => this.queue({ signal }),
      cancelOnServer: (promptId) => this.cancelOnServer(promptId),
      release: (job) => {
        if (this.jobs.get(job.promptId) === job) this.jobs.delete(job.promptId);
        this.settled.add(job.promptId);
        if (this.settled.size > SETTLED_MEMORY) {
          const oldest = this.settled.values().next().value;
          if (oldest !== undefined) this.settled.delete(oldest);
        }
      },
    };
  }

  /** The WebSocket session id prompts are currently queued under. */
  get clientId(): string {
    return this.socket?.clientId ?? this.nextClientId;
  }

  /** True while the WebSocket session is open. */
  get connected(): boolean {
    return this.socket?.isOpen ?? false;
  }

  // ---------------------------------------------------------------------------------------------
  // Prompts

  /**
   * Opens the WebSocket (if needed), then POSTs the graph with a client-generated `prompt_id`.
   * Resolves once ComfyUI accepted it; `wait()` on the result settles when it finished.
   */
  async queuePrompt(graph: ComfyGraph, options: QueuePromptOptions = {}): Promise<ComfyQueuedPrompt> {
    this.assertOpen();
    const checked = parseOrThrow(ComfyGraphSchema, graph, 'graph');
    const promptId = options.promptId ?? randomUUID();
    if (!promptIdPattern.test(promptId)) {
      throw new ShowcaseError('invalid_input', `promptId must be a lowercase UUID, got "${promptId}"`, {
        details: { fields: ['promptId'] },
      });
    }
    if (this.jobs.has(promptId)) {
      throw new ShowcaseError('conflict', `Prompt ${promptId} is already being tracked by this client`, {
        details: { promptId },
      });
    }
    if (options.signal?.aborted) throw abortedError(promptId);

    const socket = await this.ensureSocket(options.signal);
    const previewMethod = this.requestedPreviewMethod();
    const previewWatch = PreviewWatch.for(graph, previewMethod);
    const job = new PromptJob(this.host, {
      promptId,
      clientId: socket.clientId,
      graphNodeIds: Object.keys(checked),
      callbacks: previewWatch ? watchPreviews(options, previewWatch) : options,
      jobTimeoutMs: options.jobTimeoutMs ?? this.jobTimeoutMs,
      signal: options.signal,
    });
    this.register(job);
    if (previewWatch && previewMethod) this.notePreviewsMissing(job, previewWatch, previewMethod);
    // The socket may have died between ensureSocket and now: its events would go nowhere.
    if (!socket.isOpen) job.onSocketLost();

    const body: Record<string, unknown> = {
      prompt: graph,
      client_id: socket.clientId,
      prompt_id: promptId,
      extra_data: { ...previewExtraData(previewMethod), ...options.extraData, client_id: socket.clientId },
    };
    if (options.front) body.front = true;

    let reply: Awaited<ReturnType<ComfyHttp['send']>>;
    try {
      reply = await this.http.send('POST', '/prompt', { json: body, signal: options.signal });
    } catch (err) {
      const error = toShowcaseError(err);
      if (error.code === 'interrupted') {
        // Aborted mid-POST: ComfyUI may have queued it already.
        job.cancel('cancelled');
        throw error;
      }
      if (error.code === 'backend_unreachable' || error.code === 'timeout') {
        // The reply was lost, not necessarily the prompt: events or the queue/history tell.
        if (job.sawFrames || (await this.isKnownToServer(promptId))) {
          job.accept(null, {});
          return this.handle(job);
        }
      }
      job.discard(error);
      throw error;
    }

    const ctx = this.http.context('POST', '/prompt');
    if (reply.status === 400) {
      const rejected = PromptRejectedSchema.safeParse(safeJson(replyText(reply)));
      const error = rejected.success
        ? validationError(
            typeof rejected.data.error === 'string'
              ? { type: 'error', message: rejected.data.error, details: '' }
              : rejected.data.error,
            rejected.data.node_errors,
            400,
            promptId,
          )
        : httpStatusError(400, ctx, replyText(reply));
      job.discard(error);
      throw error;
    }
    if (reply.status < 200 || reply.status >= 300) {
      const error = httpStatusError(reply.status, ctx, replyText(reply));
      job.discard(error);
      throw error;
    }
    let accepted: z.output<typeof PromptAcceptedSchema>;
    try {
      accepted = parseJsonReply(reply, PromptAcceptedSchema, ctx);
    } catch (err) {
      const error = toShowcaseError(err);
      job.discard(error);
      throw error;
    }
    if (accepted.prompt_id !== promptId) {
      // Servers older than July 2025 ignore a client prompt_id and assign their own (§2).
      this.jobs.delete(promptId);
      job.rekey(accepted.prompt_id);
      this.register(job);
    }
    const nodeErrors = toNodeErrors(accepted.node_errors);
    job.accept(accepted.number ?? null, nodeErrors);
    if (Object.keys(nodeErrors).length > 0) {
      const lines = describeNodeErrors(nodeErrors);
      const warning: ComfyWarning = {
        promptId: job.promptId,
        kind: 'node_errors',
        message: `ComfyUI accepted prompt ${job.promptId} but dropped invalid outputs: ${lines.join('; ')}`,
        nodeErrors,
      };
      const sink = options.onWarning ?? this.onWarning;
      try {
        sink?.(warning);
      } catch {
        // a throwing listener must not fail an accepted prompt
      }
    }
    return this.handle(job);
  }

  /** Queues the graph and waits for its confirmed completion. */
  async run(graph: ComfyGraph, options: QueuePromptOptions = {}): Promise<ComfyRunResult> {
    const queued = await this.queuePrompt(graph, options);
    return queued.wait();
  }

  /**
   * Follows a prompt queued earlier (e.g. by the process before a crash): events if this session owns
   * it, `/history` + `/queue` polling otherwise.
   */
  attach(promptId: string, options: AttachOptions = {}): ComfyQueuedPrompt {
    this.assertOpen();
    const existing = this.jobs.get(promptId);
    if (existing) return this.handle(existing);
    this.settled.delete(promptId);
    const job = new PromptJob(this.host, {
      promptId,
      clientId: this.clientId,
      graphNodeIds: options.graph ? Object.keys(options.graph) : null,
      callbacks: options,
      jobTimeoutMs: options.jobTimeoutMs ?? this.jobTimeoutMs,
      signal: options.signal,
    });
    this.register(job);
    job.acceptAttached();
    return this.handle(job);
  }

  /**
   * One look at a prompt: finished (outputs or error) from `/history`, else pending/running from
   * `/queue`, else `unknown` (never queued, lost in a restart, or evicted).
   */
  async collect(promptId: string, options: CallOptions = {}): Promise<ComfyCollectResult> {
    // Queue first, history second: a prompt finishing between the two reads then still shows up in
    // history (read the other way round it would be in neither and look lost).
    const queue = await this.queue(options);
    const entry = await this.historyEntry(promptId, options.signal);
    if (entry !== null) {
      const outcome = outcomeFromHistory(promptId, entry);
      if (!outcome.ok) return { state: 'failed', promptId, error: outcome.error };
      return {
        state: 'success',
        promptId,
        outputs: outcome.outputs,
        cached: allNodesCached(outcome.graphNodeIds, outcome.cachedNodes),
      };
    }
    if (queue.running.includes(promptId)) return { state: 'running', promptId };
    if (queue.pending.includes(promptId)) return { state: 'pending', promptId };
    return { state: 'unknown', promptId };
  }

  // ---------------------------------------------------------------------------------------------
  // Files

  /** `GET /view`: the bytes of an output/input/temp file (subfolder passed verbatim, §5.1). */
  async download(image: ComfyImageRef, options: CallOptions = {}): Promise<Uint8Array> {
    const route = '/view';
    const reply = await this.http.send('GET', route, {
      query: { filename: image.filename, type: image.type || 'output', subfolder: image.subfolder },
      signal: options.signal,
      timeoutMs: this.downloadTimeoutMs,
    });
    if (reply.status !== 200) {
      throw httpStatusError(reply.status, this.http.context('GET', route), replyText(reply));
    }
    return reply.body;
  }

  /** `POST /upload/image` (multipart). Identical bytes under the same name are reused by ComfyUI (§5.2). */
  async uploadImage(
    bytes: Uint8Array,
    filename: string,
    options: UploadImageOptions = {},
  ): Promise<UploadedImage> {
    if (filename.trim() === '' || /[/\\]/.test(filename)) {
      throw new ShowcaseError(
        'invalid_input',
        `Upload filename must be a plain file name, got "${filename}"`,
        {
          details: { fields: ['filename'] },
        },
      );
    }
    const form = new FormData();
    const blob = new Blob([new Uint8Array(bytes)], { type: options.mime ?? mimeFor(filename) });
    form.append('image', blob, filename);
    form.append('type', options.type ?? 'input');
    if (options.subfolder) form.append('subfolder', options.subfolder);
    if (options.overwrite) form.append('overwrite', 'true');
    const reply = await this.http.json('POST', '/upload/image', UploadReplySchema, {
      form,
      signal: options.signal,
    });
    return {
      name: reply.name,
      subfolder: reply.subfolder,
      type: reply.type,
      path: reply.subfolder ? `${reply.subfolder}/${reply.name}` : reply.name,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Server info and control

  /** `GET /object_info[/{class}]`; an unknown class gives `{}` (§6). */
  async objectInfo(classType?: string, options: CallOptions = {}): Promise<ComfyObjectInfo> {
    const route = classType === undefined ? '/object_info' : `/object_info/${encodeURIComponent(classType)}`;
    return (await this.http.json('GET', route, ObjectInfoSchema, options)) as ComfyObjectInfo;
  }

  async systemStats(options: CallOptions = {}): Promise<ComfySystemStats> {
    const stats = await this.http.json('GET', '/system_stats', SystemStatsSchema, options);
    return {
      os: stats.system.os ?? null,
      comfyuiVersion: stats.system.comfyui_version ?? null,
      pythonVersion: stats.system.python_version ?? null,
      pytorchVersion: stats.system.pytorch_version ?? null,
      ramTotal: stats.system.ram_total ?? null,
      ramFree: stats.system.ram_free ?? null,
      devices: stats.devices.map((d) => ({
        name: d.name,
        type: d.type,
        index: d.index ?? null,
        vramTotal: d.vram_total,
        vramFree: d.vram_free,
        torchVramTotal: d.torch_vram_total ?? null,
        torchVramFree: d.torch_vram_free ?? null,
      })),
    };
  }

  /** `GET /queue`: running ids, and pending ids in execution order (the server sends a heap, §3). */
  async queue(options: CallOptions = {}): Promise<ComfyQueueSnapshot> {
    const reply = await this.http.json('GET', '/queue', QueueReplySchema, {
      ...options,
      timeoutMs: this.pollTimeoutMs,
    });
    const pending = reply.queue_pending
      .map((item) => ({ number: item[0] as number, id: item[1] as string }))
      .sort((a, b) => a.number - b.number || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((item) => item.id);
    return { running: reply.queue_running.map((item) => item[1] as string), pending };
  }

  /** `GET /prompt`: pending + running. */
  async queueRemaining(options: CallOptions = {}): Promise<number> {
    const reply = await this.http.json('GET', '/prompt', PromptInfoSchema, {
      ...options,
      timeoutMs: this.pollTimeoutMs,
    });
    return reply.exec_info.queue_remaining;
  }

  /** `POST /interrupt`: only that prompt when an id is given (no-op unless it is running), else global. */
  async interrupt(promptId?: string, options: CallOptions = {}): Promise<void> {
    await this.http.empty('POST', '/interrupt', {
      json: promptId === undefined ? {} : { prompt_id: promptId },
      signal: options.signal,
    });
  }

  /** `POST /queue {delete}`: removes pending prompts (running ones are untouched). */
  async deletePending(promptIds: readonly string[], options: CallOptions = {}): Promise<void> {
    if (promptIds.length === 0) return;
    await this.http.empty('POST', '/queue', { json: { delete: [...promptIds] }, signal: options.signal });
  }

  /** `POST /free`: applied after the running prompt (or at once when idle, §3). */
  async free(
    what: { unloadModels?: boolean; freeMemory?: boolean },
    options: CallOptions = {},
  ): Promise<void> {
    await this.http.empty('POST', '/free', {
      json: { unload_models: what.unloadModels ?? false, free_memory: what.freeMemory ?? false },
      signal: options.signal,
    });
  }

  /** `GET /history/{id}`: the entry, or null while pending/running/unknown (§4). */
  async history(promptId: string, options: CallOptions = {}): Promise<ComfyHistoryEntry | null> {
    return (await this.historyEntry(promptId, options.signal)) as ComfyHistoryEntry | null;
  }

  async features(options: CallOptions = {}): Promise<ComfyFeatures> {
    const flags = await this.http.json('GET', '/features', FeaturesSchema, options);
    return {
      supportsPreviewMetadata: flags.supports_preview_metadata ?? false,
      maxUploadSize: flags.max_upload_size ?? null,
      flags,
    };
  }

  /** A cheap round trip (`GET /prompt`); throws `backend_unreachable`/`timeout`/`backend_error`. */
  async ping(options: CallOptions = {}): Promise<{ latencyMs: number; queueRemaining: number }> {
    const started = performance.now();
    const queueRemaining = await this.queueRemaining(options);
    return { latencyMs: performance.now() - started, queueRemaining };
  }

  /**
   * Rejects every tracked prompt with `interrupted` (they keep running on the server; `collect`
   * finds them later), closes the socket, aborts requests and stops all timers.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const job of [...this.jobs.values()]) job.cancel('client_closed');
    this.jobs.clear();
    this.orphans.clear();
    const socket = this.socket;
    this.socket = null;
    const connecting = this.connecting;
    if (connecting) {
      // let an in-flight connect finish (it fails fast once the agent is gone) and close its socket
      await connecting.then((s) => s.close()).catch(() => {});
    }
    await socket?.close();
    await this.http.close();
    await Promise.allSettled([...this.background]);
  }

  // ---------------------------------------------------------------------------------------------
  // Internals

  private requestedPreviewMethod(): ComfyPreviewMethod | undefined {
    const method = this.previewMethod;
    return typeof method === 'function' ? method() : method;
  }

  /** Once per client: a prompt rendered live through a sampler and no preview frame came (§8.5). */
  private notePreviewsMissing(job: PromptJob, watch: PreviewWatch, requested: ComfyPreviewMethod): void {
    job.wait().then(
      (result) => {
        const missing = watch.missing(this.url, result, requested);
        if (!missing || this.previewsMissingReported) return;
        this.previewsMissingReported = true;
        try {
          this.onPreviewsMissing?.(missing);
        } catch {
          // a throwing listener must not touch the prompt's result
        }
      },
      () => {},
    );
  }

  private handle(job: PromptJob): ComfyQueuedPrompt {
    return {
      promptId: job.promptId,
      number: job.number,
      clientId: job.clientId,
      nodeErrors: job.nodeErrors,
      wait: () => job.wait(),
      cancel: async () => {
        job.cancel('cancelled');
      },
    };
  }

  private register(job: PromptJob): void {
    this.jobs.set(job.promptId, job);
    const orphan = this.orphans.get(job.promptId);
    if (orphan) {
      this.orphans.delete(job.promptId);
      for (const frame of orphan.frames) job.handleFrame(frame);
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new ShowcaseError('conflict', 'The ComfyUI client is closed', { details: { url: this.url } });
    }
  }

  private async historyEntry(promptId: string, signal?: AbortSignal): Promise<HistoryEntry | null> {
    const route = `/history/${encodeURIComponent(promptId)}`;
    const reply = await this.http.json('GET', route, HistoryReplySchema, {
      signal,
      timeoutMs: this.pollTimeoutMs,
    });
    return reply[promptId] ?? null;
  }

  /** After a lost POST reply: is the prompt queued or finished anyway? */
  private async isKnownToServer(promptId: string): Promise<boolean> {
    try {
      if ((await this.historyEntry(promptId)) !== null) return true;
      const queue = await this.queue();
      return queue.running.includes(promptId) || queue.pending.includes(promptId);
    } catch {
      return false;
    }
  }

  private cancelOnServer(promptId: string): void {
    if (this.closed) return;
    const task = (async () => {
      const opts = { timeoutMs: BEST_EFFORT_TIMEOUT_MS };
      // delete first: a pending prompt must not start after we gave up on it
      await this.http.empty('POST', '/queue', { ...opts, json: { delete: [promptId] } }).catch(() => {});
      await this.http.empty('POST', '/interrupt', { ...opts, json: { prompt_id: promptId } }).catch(() => {});
    })();
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  /** Resolves with an open, handshaken socket (one connect at a time, shared by all callers). */
  private async ensureSocket(signal?: AbortSignal): Promise<ComfySocket> {
    if (this.socket?.isOpen) return this.socket;
    if (this.connecting === null) {
      const attempt = this.connectWithRetry();
      this.connecting = attempt;
      void attempt
        .catch(() => {})
        .finally(() => {
          if (this.connecting === attempt) this.connecting = null;
        });
    }
    return raceAbort(this.connecting, signal, abortedConnectError);
  }

  /**
   * Opens a session, retrying with backoff within `connectTimeoutMs` while the HTTP side answers
   * (a WS refusal on a live server is transient); a server that refuses HTTP fails at once.
   */
  private async connectWithRetry(): Promise<ComfySocket> {
    const deadline = Date.now() + this.connectTimeoutMs;
    let attempt = 0;
    for (;;) {
      this.assertOpen();
      const clientId = this.nextClientId;
      const remaining = Math.max(1, deadline - Date.now());
      try {
        const socket = await ComfySocket.open({
          url: this.http.wsUrl(clientId),
          clientId,
          dispatcher: this.http.dispatcher,
          timeoutMs: remaining,
          handlers: this.socketHandlers(clientId),
        });
        if (this.closed) {
          await socket.close();
          this.assertOpen();
        }
        this.socket = socket;
        this.reconnectAttempt = 0;
        return socket;
      } catch (err) {
        // Never reuse a session id the server may have half-registered (§8.1, issue #16010).
        this.nextClientId = randomUUID();
        const error = toShowcaseError(err);
        if (this.closed) throw error;
        if (error.code !== 'backend_unreachable' && error.code !== 'timeout') throw error;
        // Is the server down (fail now) or only refusing the upgrade (retry)?
        await this.http.send('GET', '/prompt', { timeoutMs: Math.min(remaining, 5_000) });
        const delay = this.backoffDelay(attempt++);
        if (Date.now() + delay >= deadline) {
          throw new ShowcaseError(
            'backend_unreachable',
            `ComfyUI at ${this.url} answers HTTP but its WebSocket could not be opened within ${this.connectTimeoutMs} ms`,
            {
              hint: 'Check that nothing between the app and ComfyUI blocks WebSocket upgrades, then retry.',
              details: { url: this.url, cause: error.message },
              retryable: true,
              cause: error,
            },
          );
        }
        await sleep(delay, this.closing.signal);
      }
    }
  }

  private backoffDelay(attempt: number): number {
    const { initialDelayMs, maxDelayMs, factor, jitter } = this.reconnectOptions;
    const base = Math.min(maxDelayMs, initialDelayMs * factor ** attempt);
    return Math.max(0, Math.round(base * (1 + jitter * (Math.random() * 2 - 1))));
  }

  private socketHandlers(clientId: string) {
    // The prompt this session saw start last: type-1 previews and text frames carry no prompt id.
    let running: string | null = null;
    return {
      // progress_state repeats every node of the graph once per sampler step; only parse it for a
      // caller that listens (the `progress` frames of the same steps keep the stall watchdog fed).
      ignores: (type: string): boolean =>
        type === 'progress_state' && ![...this.jobs.values()].some((job) => job.readsProgressState),
      onText: (type: string, data: unknown): void => {
        if (!perPromptTypes.has(type)) return; // status, feature_flags, custom node types (§8.4)
        const promptId =
          promptIdOf(data) ?? (type === 'progress' || type === 'progress_state' ? running : null);
        // `executing` without prompt_id is the reconnect frame (§8.1): nothing to route.
        if (promptId === null) return;
        if (type === 'execution_start') running = promptId;
        if (terminalTypes.has(type) || (type === 'executing' && nodeOf(data) === null)) {
          if (running === promptId) running = null;
        }
        this.route(promptId, { kind: 'event', type, data });
      },
      onBinary: (frame: BinaryFrame): void => {
        if (frame.kind === 'preview') {
          const promptId = frame.promptId ?? running;
          if (promptId === null) return;
          this.route(promptId, {
            kind: 'preview',
            mime: frame.mime,
            bytes: frame.bytes,
            nodeId: frame.nodeId,
          });
        } else if (frame.kind === 'text' && running !== null) {
          this.route(running, { kind: 'text', nodeId: frame.nodeId, text: frame.text });
        }
      },
      onClose: (): void => this.onSocketClosed(clientId),
    };
  }

  private route(promptId: string, frame: JobFrame): void {
    const job = this.jobs.get(promptId);
    if (job) {
      job.handleFrame(frame);
      return;
    }
    if (this.closed || this.settled.has(promptId)) return;
    const now = Date.now();
    for (const [id, orphan] of this.orphans) if (now - orphan.at > ORPHAN_TTL_MS) this.orphans.delete(id);
    let orphan = this.orphans.get(promptId);
    if (!orphan) {
      if (this.orphans.size >= ORPHAN_MAX_IDS) {
        const oldest = this.orphans.keys().next().value;
        if (oldest !== undefined) this.orphans.delete(oldest);
      }
      orphan = { frames: [], at: now };
      this.orphans.set(promptId, orphan);
    }
    if (orphan.frames.length < ORPHAN_MAX_FRAMES) orphan.frames.push(frame);
  }

  private onSocketClosed(clientId: string): void {
    if (this.socket?.clientId === clientId) this.socket = null;
    if (this.closed) return;
    // Reconnects use a new session id, so events of prompts queued under this one are gone for good.
    this.nextClientId = randomUUID();
    for (const job of this.jobs.values()) if (job.clientId === clientId) job.onSocketLost();
    this.scheduleReconnect();
  }

  /** Keeps a session open while prompts are tracked, so new prompts and previews flow again. */
  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== undefined || this.jobs.size === 0) return;
    const delay = this.backoffDelay(this.reconnectAttempt++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed || this.jobs.size === 0 || this.socket?.isOpen) return;
      this.ensureSocket().catch(() => this.scheduleReconnect());
    }, delay);
  }
}

function promptIdOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const id = (data as { prompt_id?: unknown }).prompt_id;
  return typeof id === 'string' && id !== '' ? id : null;
}

function nodeOf(data: unknown): unknown {
  return typeof data === 'object' && data !== null ? (data as { node?: unknown }).node : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Resolves after `ms`, or early when `signal` aborts (the caller re-checks its state). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function abortedError(promptId: string): ShowcaseError {
  return new ShowcaseError('interrupted', `Prompt ${promptId} was cancelled before it was queued`, {
    details: { promptId, reason: 'aborted' },
  });
}

function abortedConnectError(): ShowcaseError {
  return new ShowcaseError('interrupted', 'Connecting to ComfyUI was aborted', {
    details: { reason: 'aborted' },
  });
}

const mimeByExtension: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

function mimeFor(filename: string): string {
  const ext = filename.split('.').pop()?.toLowerCase() ?? '';
  return mimeByExtension[ext] ?? 'application/octet-stream';
}

/** The caller's callbacks, with the preview watch counting sampler steps and frames on the way. */
function watchPreviews(options: QueuePromptOptions, watch: PreviewWatch): QueuePromptOptions {
  return {
    ...options,
    onProgress: (p) => {
      watch.progress(p);
      options.onProgress?.(p);
    },
    onPreview: (p) => {
      watch.preview();
      options.onPreview?.(p);
    },
  };
}
