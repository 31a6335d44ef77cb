// The WebSocket session of one ComfyUI client (§8): opening it (with retries while the HTTP side
// answers), reconnecting under a fresh session id after a drop while prompts are tracked, and routing
// every frame to the PromptJob of its prompt id — or keeping it briefly when no job is registered yet.
import { randomUUID } from 'node:crypto';
import { ShowcaseError, toShowcaseError } from '../../../shared/errors.ts';
import { raceAbort } from '../../../shared/guards.ts';
import type { BinaryFrame } from './frames.ts';
import type { ComfyHttp } from './http.ts';
import type { JobFrame, PromptJob } from './job.ts';
import type { PromptTracking } from './job-tracking.ts';
import { ComfySocket } from './socket.ts';
import type { ReconnectOptions } from './types.ts';

// Frames for prompt ids nobody registered yet (queued by another call racing its POST reply, or an
// `attach` that comes later) are kept briefly and replayed on registration (§12.1).
const ORPHAN_TTL_MS = 60_000;
const ORPHAN_MAX_IDS = 64;
const ORPHAN_MAX_FRAMES = 2_000;
const SETTLED_MEMORY = 512;

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

export interface ComfyConnectionOptions {
  url: string;
  http: ComfyHttp;
  /** The first session id (a fresh UUID when not given). */
  clientId?: string;
  connectTimeoutMs: number;
  reconnect: Required<ReconnectOptions>;
}

export class ComfyConnection {
  private readonly url: string;
  private readonly http: ComfyHttp;
  private readonly connectTimeoutMs: number;
  private readonly reconnectOptions: Required<ReconnectOptions>;
  private readonly jobs = new Map<string, PromptJob>();
  private readonly orphans = new Map<string, { frames: JobFrame[]; at: number }>();
  /** Ids settled recently: their late frames (`executing null` after the history confirm) are dropped. */
  private readonly settled = new Set<string>();
  private socket: ComfySocket | null = null;
  private connecting: Promise<ComfySocket> | null = null;
  /** Session id for the next connection: the configured one first, a fresh UUID after any drop (§8.1). */
  private nextClientId: string;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private isClosed = false;
  private readonly closing = new AbortController();

  constructor(options: ComfyConnectionOptions) {
    this.url = options.url;
    this.http = options.http;
    this.nextClientId = options.clientId ?? randomUUID();
    this.connectTimeoutMs = options.connectTimeoutMs;
    this.reconnectOptions = options.reconnect;
  }

  /** The WebSocket session id prompts are currently queued under. */
  get clientId(): string {
    return this.socket?.clientId ?? this.nextClientId;
  }

  /** True while the WebSocket session is open. */
  get connected(): boolean {
    return this.socket?.isOpen ?? false;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  assertOpen(): void {
    if (this.isClosed) {
      throw new ShowcaseError('conflict', 'The ComfyUI client is closed', { details: { url: this.url } });
    }
  }

  // -- the jobs frames are routed to ----------------------------------------------------------------

  job(promptId: string): PromptJob | undefined {
    return this.jobs.get(promptId);
  }

  /** Tracks `job` under its prompt id and replays the frames that arrived before it. */
  register(job: PromptJob): void {
    this.jobs.set(job.promptId, job);
    const orphan = this.orphans.get(job.promptId);
    if (orphan) {
      this.orphans.delete(job.promptId);
      for (const frame of orphan.frames) job.handleFrame(frame);
    }
  }

  /** Stops routing `promptId` (the server assigned another id: the job is registered again under it). */
  unregister(promptId: string): void {
    this.jobs.delete(promptId);
  }

  /** The job settled: forget it, and drop its late frames for a while. */
  release(job: PromptTracking): void {
    if (this.jobs.get(job.promptId) === job) this.jobs.delete(job.promptId);
    this.settled.add(job.promptId);
    if (this.settled.size > SETTLED_MEMORY) {
      const oldest = this.settled.values().next().value;
      if (oldest !== undefined) this.settled.delete(oldest);
    }
  }

  /** A prompt followed again (attach): its frames are wanted after all. */
  reopen(promptId: string): void {
    this.settled.delete(promptId);
  }

  // -- the session ----------------------------------------------------------------------------------

  /** Resolves with an open, handshaken socket (one connect at a time, shared by all callers). */
  async ensureSocket(signal?: AbortSignal): Promise<ComfySocket> {
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
        if (this.isClosed) {
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
        if (this.isClosed) throw error;
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
    if (this.isClosed || this.settled.has(promptId)) return;
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
    if (this.isClosed) return;
    // Reconnects use a new session id, so events of prompts queued under this one are gone for good.
    this.nextClientId = randomUUID();
    for (const job of this.jobs.values()) if (job.clientId === clientId) job.onSocketLost();
    this.scheduleReconnect();
  }

  /** Keeps a session open while prompts are tracked, so new prompts and previews flow again. */
  private scheduleReconnect(): void {
    if (this.isClosed || this.reconnectTimer !== undefined || this.jobs.size === 0) return;
    const delay = this.backoffDelay(this.reconnectAttempt++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.isClosed || this.jobs.size === 0 || this.socket?.isOpen) return;
      this.ensureSocket().catch(() => this.scheduleReconnect());
    }, delay);
  }

  /** Cancels every tracked prompt (`client_closed`), closes the socket and stops reconnecting. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
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

function abortedConnectError(): ShowcaseError {
  return new ShowcaseError('interrupted', 'Connecting to ComfyUI was aborted', {
    details: { reason: 'aborted' },
  });
}
