// How the outcome of one prompt is established once ComfyUI accepted it: a `/history` + `/queue` poll
// when the socket cannot be trusted (drop, stall, attach after a restart), completion only once
// `/history/{id}` confirms it (§8.3, §12.3), the stall watchdog, the job timeout, and settling.
// PromptJob (job.ts) feeds it: acceptance and the WebSocket frames of its prompt.
import { ShowcaseError, toShowcaseError } from '../../../shared/errors.ts';
import { interruptedError, lostPromptError, timeoutError } from './errors.ts';
import { allNodesCached, outcomeFromHistory } from './history.ts';
import type { JobFrame, JobHost, PromptJobInit } from './job-host.ts';
import type { HistoryEntry } from './schemas.ts';
import type {
  ComfyJobCallbacks,
  ComfyJobEvent,
  ComfyNodeErrors,
  ComfyOutputs,
  ComfyRunResult,
} from './types.ts';

export type PollReason = 'socket_closed' | 'stall' | 'attached' | 'confirming';

const SETTLED = new Error('prompt settled');

// After `execution_success`, history can lag behind (§8.3); wait longer before trusting live outputs.
const MIN_UNKNOWN_POLLS_AFTER_SUCCESS = 10;

export class PromptTracking {
  promptId: string;
  readonly clientId: string;
  number: number | null = null;
  nodeErrors: ComfyNodeErrors = {};
  protected phase: 'submitting' | 'accepted' | 'done' = 'submitting';
  protected readonly host: JobHost;
  protected readonly graphNodeIds: string[] | null;
  protected readonly callbacks: ComfyJobCallbacks;
  protected readonly jobTimeoutMs: number;
  protected readonly signal: AbortSignal | undefined;
  protected readonly createdAt = Date.now();
  protected acceptedAt: number | null = null;
  protected startedAt: number | null = null;
  protected endedAt: number | null = null;
  protected readonly cachedNodes = new Set<string>();
  protected executingCount = 0;
  protected lastNode: string | null = null;
  protected readonly liveOutputs: ComfyOutputs = {};
  protected successSeen = false;
  protected terminalSeenLive = false;
  /** Events for this prompt can no longer reach us (the owner socket closed; reconnects use new ids). */
  protected socketLost = false;
  protected polling: PollReason | null = null;
  protected pollInFlight = false;
  /** A confirm arrived while a poll was in flight: poll again right after it. */
  protected pollAgain = false;
  protected unknownPolls = 0;
  protected unreachableSince: number | null = null;
  protected lastQueueState: 'pending' | 'running' | null = null;
  /** Last frame for this prompt (or its acceptance): what the stall interrupt measures from. */
  protected lastActivityAt = Date.now();
  protected readonly buffer: JobFrame[] = [];
  protected readonly stop = new AbortController();
  protected jobTimer: NodeJS.Timeout | undefined;
  protected stallTimer: NodeJS.Timeout | undefined;
  protected pollTimer: NodeJS.Timeout | undefined;
  protected readonly promise: Promise<ComfyRunResult>;
  protected resolvePromise!: (result: ComfyRunResult) => void;
  protected rejectPromise!: (error: ShowcaseError) => void;
  protected readonly onAbort = (): void => {
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

  cancel(reason: 'cancelled' | 'client_closed'): void {
    if (this.phase === 'done') return;
    const wasAccepted = this.phase === 'accepted';
    const submitting = this.phase === 'submitting';
    this.settle({ error: interruptedError(this.promptId, reason) });
    // Leave the server alone when the client is shutting down: the engine collects the result later.
    if (reason === 'cancelled' && (wasAccepted || submitting)) this.host.cancelOnServer(this.promptId);
  }

  /** A terminal event arrived: read `/history/{id}` (now, then by polling if it lags). */
  protected confirm(): void {
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

  protected startPolling(reason: PollReason): void {
    if (this.phase !== 'accepted' || this.polling !== null) return;
    this.polling = reason;
    this.clearStall();
    this.emit({ type: 'polling', promptId: this.promptId, reason });
    if (reason === 'stall') this.reportState('stalled');
    this.reschedulePoll(0);
  }

  protected reschedulePoll(delayMs: number): void {
    if (this.phase === 'done') return;
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.pollOnce();
    }, delayMs);
  }

  protected async pollOnce(): Promise<void> {
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

  protected finishFromHistory(entry: HistoryEntry): void {
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

  protected resolveWith(
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
  protected stalledTooLong(): boolean {
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
  protected touch(): void {
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

  protected armStall(): void {
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

  protected clearStall(): void {
    if (this.stallTimer !== undefined) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  protected onJobTimeout(): void {
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

  protected settle(outcome: { result: ComfyRunResult } | { error: ShowcaseError }): void {
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

  protected reported: 'queued' | 'running' | 'stalled' | null = null;

  protected reportState(state: 'queued' | 'running' | 'stalled'): void {
    if (this.reported === state || this.phase === 'done') return;
    this.reported = state;
    const onState = this.callbacks.onState;
    const info = { silentMs: Date.now() - this.lastActivityAt, node: this.lastNode };
    if (onState) this.call(() => onState(state, info));
  }

  protected emit(event: ComfyJobEvent): void {
    const onEvent = this.callbacks.onEvent;
    if (onEvent) this.call(() => onEvent(event));
  }

  /** Caller callbacks must not break the client's bookkeeping. */
  protected call(fn: () => void): void {
    try {
      fn();
    } catch {
      // a throwing listener is the caller's bug; the prompt keeps being tracked
    }
  }
}
