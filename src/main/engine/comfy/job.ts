// The life of one prompt as seen by the client: WS events while the socket is trustworthy, a
// `/history` + `/queue` poll when it is not (drop, stall, attach after a restart), and completion
// only once `/history/{id}` confirms it (§8.3, §12.3).
import { ShowcaseError, toShowcaseError } from '../../../shared/errors.ts';
import { executionError, interruptedError, lostPromptError, timeoutError } from './errors.ts';
import { allNodesCached, imageRefsOf, outcomeFromHistory } from './history.ts';
import {
  type HistoryEntry,
  WsExecutedSchema,
  WsExecutingSchema,
  WsExecutionCachedSchema,
  WsExecutionErrorSchema,
  WsExecutionInterruptedSchema,
  WsExecutionStartSchema,
  WsExecutionSuccessSchema,
  WsProgressSchema,
  WsProgressStateSchema,
} from './schemas.ts';
import type {
  ComfyJobCallbacks,
  ComfyJobEvent,
  ComfyNodeErrors,
  ComfyNodeOutput,
  ComfyOutputs,
  ComfyQueueSnapshot,
  ComfyRunResult,
} from './types.ts';

/** A frame the client routed to this prompt (by `prompt_id`, or by "running on this socket" for previews). */
export type JobFrame =
  | { kind: 'event'; type: string; data: unknown }
  | { kind: 'preview'; mime: string; bytes: Uint8Array; nodeId: string | null }
  | { kind: 'text'; nodeId: string; text: string };

export interface JobHost {
  readonly pollIntervalMs: number;
  readonly stallTimeoutMs: number;
  readonly unreachableGraceMs: number;
  readonly lostAfterPolls: number;
  /**
   * A running prompt that sends no frame for this long (while the socket is alive and /queue still
   * says running) is given up: interrupted on the server and failed with a retryable `timeout`.
   */
  readonly stallInterruptMs: number;
  fetchHistory(promptId: string, signal: AbortSignal): Promise<HistoryEntry | null>;
  fetchQueue(signal: AbortSignal): Promise<ComfyQueueSnapshot>;
  /** Best effort: interrupt if running, delete if pending. Never throws. */
  cancelOnServer(promptId: string): void;
  /** The job settled: forget it. */
  release(job: PromptJob): void;
}

export interface PromptJobInit {
  promptId: string;
  clientId: string;
  graphNodeIds: string[] | null;
  callbacks: ComfyJobCallbacks;
  jobTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

type PollReason = 'socket_closed' | 'stall' | 'attached' | 'confirming';

const SETTLED = new Error('prompt settled');

// After `execution_success`, history can lag behind (§8.3); wait longer before trusting live outputs.
const MIN_UNKNOWN_POLLS_AFTER_SUCCESS = 10;

export class PromptJob {
  promptId: string;
  readonly clientId: string;
  number: number | null = null;
  nodeErrors: ComfyNodeErrors = {};
  private phase: 'submitting' | 'accepted' | 'done' = 'submitting';
  private readonly host: JobHost;
  private readonly graphNodeIds: string[] | null;
  private readonly callbacks: ComfyJobCallbacks;
  private readonly jobTimeoutMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly createdAt = Date.now();
  private acceptedAt: number | null = null;
  private startedAt: number | null = null;
  private endedAt: number | null = null;
  private readonly cachedNodes = new Set<string>();
  private executingCount = 0;
  private lastNode: string | null = null;
  private readonly liveOutputs: ComfyOutputs = {};
  private successSeen = false;
  private terminalSeenLive = false;
  /** Events for this prompt can no longer reach us (the owner socket closed; reconnects use new ids). */
  private socketLost = false;
  private polling: PollReason | null = null;
  private pollInFlight = false;
  /** A confirm arrived while a poll was in flight: poll again right after it. */
  private pollAgain = false;
  private unknownPolls = 0;
  private unreachableSince: number | null = null;
  private lastQueueState: 'pending' | 'running' | null = null;
  /** Last frame for this prompt (or its acceptance): what the stall interrupt measures from. */
  private lastActivityAt = Date.now();
  private readonly buffer: JobFrame[] = [];
  private readonly stop = new AbortController();
  private jobTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly promise: Promise<ComfyRunResult>;
  private resolvePromise!: (result: ComfyRunResult) => void;
  private rejectPromise!: (error: ShowcaseError) => void;
  private readonly onAbort = (): void => {
    this.cancel('cancelled');
  };

  constructor(host: JobHost, init: PromptJobInit) {
    this.host = host;
    this.promptId = init.promptId;
    this.clientId = init.clientId;
    this.graphNodeIds = init.graphNodeIds;
    this.callbacks = init.callbacks;
    this.jobTimeoutMs = init.jobTimeoutMs;
    this.signal = init.signal;
    this.promise = new Promise<ComfyRunResult>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
    // Nobody may ever call wait() (fire-and-forget queueing); never surface an unhandled rejection.
    this.promise.catch(() => {});
    this.jobTimer = setTimeout(() => this.onJobTimeout(), this.jobTimeoutMs);
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get isDone(): boolean {
    return this.phase === 'done';
  }

  /** Whether this prompt's caller reads `progress_state` (directly or through all events). */
  get readsProgressState(): boolean {
    return this.callbacks.onProgressState !== undefined || this.callbacks.onEvent !== undefined;
  }

  get isRunning(): boolean {
    return this.startedAt !== null && this.phase !== 'done';
  }

  wait(): Promise<ComfyRunResult> {
    return this.promise;
  }

  /** POST /prompt succeeded: replay what arrived before the reply (§12.1). */
  accept(number: number | null, nodeErrors: ComfyNodeErrors): void {
    if (this.phase !== 'submitting') return;
    this.phase = 'accepted';
    this.number = number;
    this.nodeErrors = nodeErrors;
    this.acceptedAt = Date.now();
    this.emit({ type: 'queued', promptId: this.promptId, number, clientId: this.clientId });
    const frames = this.buffer.splice(0);
    if (!frames.some((f) => f.kind === 'event' && f.type === 'execution_start')) this.reportState('queued');
    for (const frame of frames) {
      if (this.isDone) return;
      this.process(frame);
    }
    if (this.isDone) return;
    if (this.socketLost) this.startPolling('socket_closed');
    else this.armStall();
  }

  /** For `attach`: the prompt was queued earlier (maybe by a previous process); poll from now on. */
  acceptAttached(): void {
    this.accept(null, {});
    this.startPolling('attached');
  }

  /** The POST failed before ComfyUI accepted the prompt: settle without touching the server. */
  discard(error: ShowcaseError): void {
    this.settle({ error });
  }

  /** Frames seen for this prompt before the POST reply (they prove ComfyUI accepted it). */
  get sawFrames(): boolean {
    return this.buffer.length > 0 || this.startedAt !== null;
  }

  /** The client re-keyed us: an old server ignored our `prompt_id` and assigned its own. */
  rekey(promptId: string): void {
    this.promptId = promptId;
  }

  handleFrame(frame: JobFrame): void {
    if (this.phase === 'done') return;
    if (this.phase === 'submitting') {
      this.buffer.push(frame);
      return;
    }
    this.process(frame);
  }

  /** The owner socket closed: our events now go nowhere (§8.1, §12.4). */
  onSocketLost(): void {
    if (this.phase === 'done' || this.socketLost) return;
    this.socketLost = true;
    this.clearStall();
    if (this.phase === 'accepted') this.startPolling('socket_closed');
  }

  cancel(reason: 'cancelled' | 'client_closed'): void {
    if (this.phase === 'done') return;
    const wasAccepted = this.phase === 'accepted';
    const submitting = this.phase === 'submitting';
    this.settle({ error: interruptedError(this.promptId, reason) });
    // Leave the server alone when the client is shutting down: the engine collects the result later.
    if (reason === 'cancelled' && (wasAccepted || submitting)) this.host.cancelOnServer(this.promptId);
  }

  // -------------------------------------------------------------------------------------------

  private process(frame: JobFrame): void {
    if (frame.kind === 'preview') {
      this.touch();
      this.call(() =>
        this.callbacks.onPreview?.({
          promptId: this.promptId,
          mime: frame.mime,
          bytes: frame.bytes,
          nodeId: frame.nodeId,
        }),
      );
      return;
    }
    if (frame.kind === 'text') {
      this.touch();
      this.emit({ type: 'progress_text', promptId: this.promptId, node: frame.nodeId, text: frame.text });
      return;
    }
    const { type, data } = frame;
    switch (type) {
      case 'execution_start': {
        const parsed = WsExecutionStartSchema.safeParse(data);
        this.startedAt ??= Date.now();
        this.reportState('running');
        this.touch();
        this.emit({
          type: 'execution_start',
          promptId: this.promptId,
          timestamp: parsed.success ? (parsed.data.timestamp ?? null) : null,
        });
        return;
      }
      case 'execution_cached': {
        const parsed = WsExecutionCachedSchema.safeParse(data);
        if (!parsed.success) return;
        for (const node of parsed.data.nodes) this.cachedNodes.add(node);
        this.touch();
        this.emit({ type: 'execution_cached', promptId: this.promptId, nodes: parsed.data.nodes });
        return;
      }
      case 'executing': {
        const parsed = WsExecutingSchema.safeParse(data);
        if (!parsed.success) return;
        const node = parsed.data.node;
        this.emit({ type: 'executing', promptId: this.promptId, node });
        if (node === null) {
          // Sent after the history write: the canonical "done" marker (§8.3).
          this.terminalSeenLive = true;
          this.endedAt ??= Date.now();
          // Watched live from start to end on one socket (frames are FIFO), with the success and the
          // output nodes' `executed` frames seen: that is what history would say, so skip the GET.
          // Anything less (a drop, an error, no outputs) is confirmed against /history.
          if (this.successSeen && !this.socketLost && Object.keys(this.liveOutputs).length > 0) {
            this.resolveWith(this.liveOutputs, [], null, null, 'websocket');
            return;
          }
          this.confirm();
          return;
        }
        this.startedAt ??= Date.now();
        this.executingCount++;
        this.lastNode = node;
        this.touch();
        return;
      }
      case 'progress': {
        const parsed = WsProgressSchema.safeParse(data);
        if (!parsed.success) return;
        this.touch();
        const progress = {
          promptId: this.promptId,
          node: parsed.data.node ?? null,
          value: parsed.data.value,
          max: parsed.data.max,
        };
        this.call(() => this.callbacks.onProgress?.(progress));
        this.emit({ type: 'progress', ...progress });
        return;
      }
      case 'progress_state': {
        // The heaviest frame (every node of the graph, once per sampler step): only parsed when
        // somebody reads it; it still proves the socket alive.
        if (!this.readsProgressState) {
          this.touch();
          return;
        }
        const parsed = WsProgressStateSchema.safeParse(data);
        if (!parsed.success) return;
        this.touch();
        const nodes: Record<string, { value: number; max: number; state: string }> = {};
        for (const [id, n] of Object.entries(parsed.data.nodes)) {
          nodes[id] = { value: n.value, max: n.max, state: n.state };
        }
        this.call(() => this.callbacks.onProgressState?.({ promptId: this.promptId, nodes }));
        this.emit({ type: 'progress_state', promptId: this.promptId, nodes });
        return;
      }
      case 'executed': {
        const parsed = WsExecutedSchema.safeParse(data);
        if (!parsed.success) return;
        this.touch();
        let output: ComfyNodeOutput | null = null;
        const images = parsed.data.output?.images;
        if (images !== undefined) {
          output = { images: imageRefsOf(images) };
          this.liveOutputs[parsed.data.node] = output;
        }
        this.emit({ type: 'executed', promptId: this.promptId, node: parsed.data.node, output });
        return;
      }
      case 'execution_success': {
        const parsed = WsExecutionSuccessSchema.safeParse(data);
        this.successSeen = true;
        this.terminalSeenLive = true;
        this.endedAt ??= Date.now();
        this.emit({
          type: 'execution_success',
          promptId: this.promptId,
          timestamp: parsed.success ? (parsed.data.timestamp ?? null) : null,
        });
        this.confirm();
        return;
      }
      case 'execution_error': {
        const parsed = WsExecutionErrorSchema.safeParse(data);
        if (!parsed.success) return;
        this.endedAt ??= Date.now();
        this.emit({
          type: 'execution_error',
          promptId: this.promptId,
          nodeId: parsed.data.node_id ?? null,
          nodeType: parsed.data.node_type ?? null,
          exceptionType: parsed.data.exception_type,
          exceptionMessage: parsed.data.exception_message,
        });
        this.settle({ error: executionError({ ...parsed.data, prompt_id: this.promptId }) });
        return;
      }
      case 'execution_interrupted': {
        const parsed = WsExecutionInterruptedSchema.safeParse(data);
        const node = {
          nodeId: parsed.success ? (parsed.data.node_id ?? null) : null,
          nodeType: parsed.success ? (parsed.data.node_type ?? null) : null,
        };
        this.endedAt ??= Date.now();
        this.emit({ type: 'execution_interrupted', promptId: this.promptId, ...node });
        this.settle({ error: interruptedError(this.promptId, 'server', node) });
        return;
      }
      default:
        return;
    }
  }

  /** A terminal event arrived: read `/history/{id}` (now, then by polling if it lags). */
  private confirm(): void {
    if (this.phase !== 'accepted') return;
    this.clearStall();
    if (this.polling !== null) {
      // already polling: make the next poll immediate
      this.reschedulePoll(0);
      return;
    }
    this.polling = 'confirming';
    this.reschedulePoll(0);
  }

  private startPolling(reason: PollReason): void {
    if (this.phase !== 'accepted' || this.polling !== null) return;
    this.polling = reason;
    this.clearStall();
    this.emit({ type: 'polling', promptId: this.promptId, reason });
    if (reason === 'stall') this.reportState('stalled');
    this.reschedulePoll(0);
  }

  private reschedulePoll(delayMs: number): void {
    if (this.phase === 'done') return;
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.pollOnce();
    }, delayMs);
  }

  private async pollOnce(): Promise<void> {
    if (this.phase !== 'accepted' || this.polling === null) return;
    if (this.pollInFlight) {
      this.pollAgain = true;
      return;
    }
    this.pollInFlight = true;
    try {
      const entry = await this.host.fetchHistory(this.promptId, this.stop.signal);
      if (this.isDone) return;
      this.unreachableSince = null;
      if (entry !== null) {
        this.finishFromHistory(entry);
        return;
      }
      const queue = await this.host.fetchQueue(this.stop.signal);
      if (this.isDone) return;
      const state = queue.running.includes(this.promptId)
        ? 'running'
        : queue.pending.includes(this.promptId)
          ? 'pending'
          : null;
      if (state !== null) {
        this.unknownPolls = 0;
        if (state === 'running') this.startedAt ??= Date.now();
        if (state === 'running' && this.polling === 'stall' && this.stalledTooLong()) return;
        if (state !== this.lastQueueState) {
          this.lastQueueState = state;
          this.reportState(state === 'pending' ? 'queued' : 'running');
          this.emit({ type: 'queue_state', promptId: this.promptId, state });
        }
      } else {
        this.unknownPolls++;
        const needed = this.successSeen
          ? Math.max(this.host.lostAfterPolls, MIN_UNKNOWN_POLLS_AFTER_SUCCESS)
          : this.host.lostAfterPolls;
        if (this.unknownPolls >= needed) {
          if (this.successSeen && Object.keys(this.liveOutputs).length > 0) {
            // History never showed up (evicted or not kept) but the socket saw the success.
            this.resolveWith(this.liveOutputs, [], null, null, 'websocket');
          } else {
            this.settle({ error: lostPromptError(this.promptId) });
          }
          return;
        }
      }
    } catch (err) {
      if (this.isDone) return;
      const error = toShowcaseError(err);
      if (!error.retryable) {
        this.settle({ error });
        return;
      }
      this.unreachableSince ??= Date.now();
      if (Date.now() - this.unreachableSince >= this.host.unreachableGraceMs) {
        this.settle({ error });
        return;
      }
    } finally {
      this.pollInFlight = false;
    }
    if (!this.isDone && this.polling !== null) {
      const again = this.pollAgain;
      this.pollAgain = false;
      this.reschedulePoll(again ? 0 : this.host.pollIntervalMs);
    }
  }

  private finishFromHistory(entry: HistoryEntry): void {
    const outcome = outcomeFromHistory(this.promptId, entry);
    if (!outcome.ok) {
      this.settle({ error: outcome.error });
      return;
    }
    const via = this.terminalSeenLive ? 'websocket' : 'history';
    this.resolveWith(
      outcome.outputs,
      outcome.cachedNodes,
      outcome.graphNodeIds,
      { start: outcome.startTimestamp, end: outcome.endTimestamp },
      via,
    );
  }

  private resolveWith(
    outputs: ComfyOutputs,
    historyCachedNodes: string[],
    historyGraphNodeIds: string[] | null,
    serverTimes: { start: number | null; end: number | null } | null,
    via: 'websocket' | 'history',
  ): void {
    const now = Date.now();
    const graphIds = this.graphNodeIds ?? historyGraphNodeIds;
    const cachedByList = allNodesCached(graphIds, [...this.cachedNodes, ...historyCachedNodes]);
    // Watched live from execution_start to the end with no `executing` frame: nothing ran (§8.3).
    const cachedByFrames =
      this.startedAt !== null && !this.socketLost && this.terminalSeenLive && this.executingCount === 0;
    const accepted = this.acceptedAt ?? this.createdAt;
    let queuedMs = 0;
    let runMs = 0;
    if (this.startedAt !== null && !this.socketLost) {
      queuedMs = Math.max(0, this.startedAt - accepted);
      runMs = Math.max(0, (this.endedAt ?? now) - this.startedAt);
    } else if (serverTimes?.start != null) {
      queuedMs = Math.max(0, serverTimes.start - accepted);
      runMs = Math.max(0, (serverTimes.end ?? now) - serverTimes.start);
    } else if (this.startedAt !== null) {
      queuedMs = Math.max(0, this.startedAt - accepted);
      runMs = Math.max(0, (this.endedAt ?? now) - this.startedAt);
    }
    this.settle({
      result: {
        promptId: this.promptId,
        outputs,
        cached: cachedByList || cachedByFrames,
        durationMs: now - this.createdAt,
        timings: { queuedMs, runMs },
        completedVia: via,
      },
    });
  }

  /**
   * The socket is alive, the server says the prompt runs, and nothing came for `stallInterruptMs`:
   * a hung node. Interrupt it (by prompt id, so nobody else's prompt is hit) and fail retryably.
   */
  private stalledTooLong(): boolean {
    const silentMs = Date.now() - this.lastActivityAt;
    if (silentMs < this.host.stallInterruptMs) return false;
    const node = this.lastNode === null ? '' : ` in node ${this.lastNode}`;
    this.settle({
      error: new ShowcaseError(
        'timeout',
        `ComfyUI prompt ${this.promptId} made no progress${node} for ${Math.round(silentMs / 1000)} s; interrupted it (POST /interrupt) to run it again`,
        {
          details: {
            promptId: this.promptId,
            phase: 'stalled',
            lastNode: this.lastNode,
            reason: 'stalled',
            timeoutMs: this.host.stallInterruptMs,
          },
          retryable: true,
        },
      ),
    });
    this.host.cancelOnServer(this.promptId);
    return true;
  }

  /** Any frame for this prompt proves the socket is alive: re-arm the stall watchdog. */
  private touch(): void {
    this.lastActivityAt = Date.now();
    if (this.phase !== 'accepted') return;
    if (this.polling === 'stall' && !this.socketLost) {
      // the socket came back to life: stop polling
      this.polling = null;
      this.reportState('running');
      if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
    }
    this.armStall();
  }

  private armStall(): void {
    if (this.phase !== 'accepted' || this.socketLost || this.polling !== null) {
      this.clearStall();
      return;
    }
    // A pending prompt legitimately stays silent; only a running one is watched.
    if (this.startedAt === null) {
      this.clearStall();
      return;
    }
    // Every frame re-arms the watchdog: restarting the armed timer is far cheaper than a new one.
    if (this.stallTimer !== undefined) {
      this.stallTimer.refresh();
      return;
    }
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      this.startPolling('stall');
    }, this.host.stallTimeoutMs);
  }

  private clearStall(): void {
    if (this.stallTimer !== undefined) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private onJobTimeout(): void {
    this.jobTimer = undefined;
    if (this.phase === 'done') return;
    const phase =
      this.phase === 'submitting' ? 'submitting' : this.startedAt === null ? 'pending' : 'running';
    this.settle({
      error: timeoutError(`ComfyUI prompt ${this.promptId}`, this.jobTimeoutMs, {
        promptId: this.promptId,
        phase,
        lastNode: this.lastNode,
      }),
    });
    // Free the GPU/queue slot: a prompt we gave up on must not keep running.
    this.host.cancelOnServer(this.promptId);
  }

  private settle(outcome: { result: ComfyRunResult } | { error: ShowcaseError }): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.polling = null;
    this.buffer.length = 0;
    // An explicit reason: the default one is a DOMException, whose stack capture costs per prompt.
    this.stop.abort(SETTLED);
    if (this.jobTimer !== undefined) clearTimeout(this.jobTimer);
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.clearStall();
    this.jobTimer = undefined;
    this.pollTimer = undefined;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.host.release(this);
    if ('result' in outcome) this.resolvePromise(outcome.result);
    else this.rejectPromise(outcome.error);
  }

  private reported: 'queued' | 'running' | 'stalled' | null = null;

  private reportState(state: 'queued' | 'running' | 'stalled'): void {
    if (this.reported === state || this.phase === 'done') return;
    this.reported = state;
    const onState = this.callbacks.onState;
    const info = { silentMs: Date.now() - this.lastActivityAt, node: this.lastNode };
    if (onState) this.call(() => onState(state, info));
  }

  private emit(event: ComfyJobEvent): void {
    const onEvent = this.callbacks.onEvent;
    if (onEvent) this.call(() => onEvent(event));
  }

  /** Caller callbacks must not break the client's bookkeeping. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch {
      // a throwing listener is the caller's bug; the prompt keeps being tracked
    }
  }
}
