// ComfyClient: the production client for one ComfyUI server (HTTP via undici + one WebSocket
// session). Protocol facts: ../shared/protocols/comfyui.md (§ numbers in comments refer to it).
// The prompt API lives here (queue, attach, collect); the endpoints that stand alone are inherited
// from ComfyServerApi (server-api.ts), the WebSocket session and frame routing are ComfyConnection's
// (connection.ts), one prompt's life is PromptJob's (job.ts).
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { parseOrThrow, ShowcaseError, toShowcaseError } from '../../../shared/errors.ts';
import { ComfyConnection } from './connection.ts';
import { describeNodeErrors, httpStatusError, toNodeErrors, validationError } from './errors.ts';
import { allNodesCached, outcomeFromHistory } from './history.ts';
import { ComfyHttp, parseJsonReply, replyText } from './http.ts';
import { type JobHost, PromptJob } from './job.ts';
import { ClientOptionsSchema, comfyClientDefaults } from './options.ts';
import {
  type ComfyPreviewMethod,
  type ComfyPreviewsMissing,
  PreviewWatch,
  previewExtraData,
} from './previews.ts';
import { ComfyGraphSchema, PromptAcceptedSchema, PromptRejectedSchema } from './schemas.ts';
import { type CallOptions, ComfyServerApi } from './server-api.ts';
import type {
  AttachOptions,
  ComfyClientOptions,
  ComfyCollectResult,
  ComfyGraph,
  ComfyQueuedPrompt,
  ComfyRunResult,
  ComfyWarning,
  QueuePromptOptions,
} from './types.ts';

export { comfyClientDefaults } from './options.ts';

/** Canonical lowercase hyphenated UUID: what 2026 servers require for `prompt_id` (§2, §12.2). */
const promptIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Best-effort calls (cancel on timeout/abort) must not hang around.
const BEST_EFFORT_TIMEOUT_MS = 5_000;

export class ComfyClient extends ComfyServerApi {
  private readonly connection: ComfyConnection;
  private readonly jobTimeoutMs: number;
  private readonly onWarning: ((warning: ComfyWarning) => void) | undefined;
  private readonly previewMethod: ComfyClientOptions['previewMethod'];
  private readonly onPreviewsMissing: ((missing: ComfyPreviewsMissing) => void) | undefined;
  private previewsMissingReported = false;
  private readonly host: JobHost;
  private readonly background = new Set<Promise<unknown>>();

  constructor(options: ComfyClientOptions) {
    const opts = parseOrThrow(ClientOptionsSchema, options, 'comfy');
    const requestTimeoutMs = opts.requestTimeoutMs ?? comfyClientDefaults.requestTimeoutMs;
    const http = new ComfyHttp(opts.url, requestTimeoutMs);
    super(opts.url, http, {
      pollTimeoutMs: Math.min(requestTimeoutMs, opts.pollTimeoutMs ?? comfyClientDefaults.pollTimeoutMs),
      downloadTimeoutMs: opts.downloadTimeoutMs ?? comfyClientDefaults.downloadTimeoutMs,
    });
    this.connection = new ComfyConnection({
      url: opts.url,
      http,
      ...(opts.clientId === undefined ? {} : { clientId: opts.clientId }),
      connectTimeoutMs: opts.connectTimeoutMs ?? comfyClientDefaults.connectTimeoutMs,
      reconnect: { ...comfyClientDefaults.reconnect, ...opts.reconnect },
    });
    this.jobTimeoutMs = opts.jobTimeoutMs ?? comfyClientDefaults.jobTimeoutMs;
    this.onWarning = options.onWarning;
    this.previewMethod = options.previewMethod;
    this.onPreviewsMissing = options.onPreviewsMissing;
    this.host = {
      pollIntervalMs: opts.pollIntervalMs ?? comfyClientDefaults.pollIntervalMs,
      stallTimeoutMs: opts.stallTimeoutMs ?? comfyClientDefaults.stallTimeoutMs,
      unreachableGraceMs: opts.unreachableGraceMs ?? comfyClientDefaults.unreachableGraceMs,
      lostAfterPolls: opts.lostAfterPolls ?? comfyClientDefaults.lostAfterPolls,
      stallInterruptMs: opts.stallInterruptMs ?? comfyClientDefaults.stallInterruptMs,
      fetchHistory: (promptId, signal) => this.historyEntry(promptId, signal),
      fetchQueue: (signal) => this.queue({ signal }),
      cancelOnServer: (promptId) => this.cancelOnServer(promptId),
      release: (job) => this.connection.release(job),
    };
  }

  /** The WebSocket session id prompts are currently queued under. */
  get clientId(): string {
    return this.connection.clientId;
  }

  /** True while the WebSocket session is open. */
  get connected(): boolean {
    return this.connection.connected;
  }

  // ---------------------------------------------------------------------------------------------
  // Prompts

  /**
   * Opens the WebSocket (if needed), then POSTs the graph with a client-generated `prompt_id`.
   * Resolves once ComfyUI accepted it; `wait()` on the result settles when it finished.
   */
  async queuePrompt(graph: ComfyGraph, options: QueuePromptOptions = {}): Promise<ComfyQueuedPrompt> {
    this.connection.assertOpen();
    const checked = parseOrThrow(ComfyGraphSchema, graph, 'graph');
    const promptId = options.promptId ?? randomUUID();
    if (!promptIdPattern.test(promptId)) {
      throw new ShowcaseError('invalid_input', `promptId must be a lowercase UUID, got "${promptId}"`, {
        details: { fields: ['promptId'] },
      });
    }
    if (this.connection.job(promptId)) {
      throw new ShowcaseError('conflict', `Prompt ${promptId} is already being tracked by this client`, {
        details: { promptId },
      });
    }
    if (options.signal?.aborted) throw abortedError(promptId);

    const socket = await this.connection.ensureSocket(options.signal);
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
    this.connection.register(job);
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
      this.connection.unregister(promptId);
      job.rekey(accepted.prompt_id);
      this.connection.register(job);
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
    this.connection.assertOpen();
    const existing = this.connection.job(promptId);
    if (existing) return this.handle(existing);
    this.connection.reopen(promptId);
    const job = new PromptJob(this.host, {
      promptId,
      clientId: this.clientId,
      graphNodeIds: options.graph ? Object.keys(options.graph) : null,
      callbacks: options,
      jobTimeoutMs: options.jobTimeoutMs ?? this.jobTimeoutMs,
      signal: options.signal,
    });
    this.connection.register(job);
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

  /**
   * Rejects every tracked prompt with `interrupted` (they keep running on the server; `collect`
   * finds them later), closes the socket, aborts requests and stops all timers.
   */
  async close(): Promise<void> {
    if (this.connection.closed) return;
    await this.connection.close();
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
    if (this.connection.closed) return;
    const task = (async () => {
      const opts = { timeoutMs: BEST_EFFORT_TIMEOUT_MS };
      // delete first: a pending prompt must not start after we gave up on it
      await this.http.empty('POST', '/queue', { ...opts, json: { delete: [promptId] } }).catch(() => {});
      await this.http.empty('POST', '/interrupt', { ...opts, json: { prompt_id: promptId } }).catch(() => {});
    })();
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function abortedError(promptId: string): ShowcaseError {
  return new ShowcaseError('interrupted', `Prompt ${promptId} was cancelled before it was queued`, {
    details: { promptId, reason: 'aborted' },
  });
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
