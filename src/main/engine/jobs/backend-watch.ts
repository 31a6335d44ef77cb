// Waits for backends that went away. A lane whose backend could not be reached is taken offline and
// probed with back-off (0.25 s, 0.5 s, 1 s … up to `probeMaxMs`) until it answers again; the jobs it
// would have run stay queued without spending attempts. When no lane of a kind has been reachable
// for `downLimitMs`, the watch gives up and the scheduler fails what was waiting for them, naming
// the URL and the last error (a bounded wait, never a silent hang).
import type { Lane, LaneKind } from './types.ts';

export interface LaneDownState {
  /** When the lane was last seen unreachable first (ms epoch). */
  since: number;
  lastError: string;
  /** Probes made since it went down. */
  probes: number;
  /** When the next probe is due (ms epoch). */
  nextProbeAt: number;
}

export interface BackendWatchOptions {
  /** First probe delay; doubles per failed probe. */
  probeInitialMs: number;
  probeMaxMs: number;
  /** How long a kind may have no reachable lane before its waiting jobs fail. */
  downLimitMs: number;
}

export interface BackendWatchHooks {
  /** Resolves when the lane's backend answers; throws (any error) when it does not. */
  probe(lane: Lane): Promise<void>;
  /** The lane went down, is still down (after a failed probe), or came back. */
  status(lane: Lane, state: { online: boolean; down: LaneDownState | null; downLimitMs: number }): void;
  /** A lane came back: schedule work again. */
  recovered(lane: Lane): void;
  /** No lane of `kind` was reachable for `downLimitMs`: fail what waits for it. */
  gaveUp(kind: LaneKind, lanes: Array<{ lane: Lane; down: LaneDownState }>): void;
}

export class BackendWatch {
  private readonly hooks: BackendWatchHooks;
  readonly options: BackendWatchOptions;
  private readonly down = new Map<Lane, LaneDownState>();
  private readonly timers = new Map<Lane, NodeJS.Timeout>();
  private readonly probing = new Set<Lane>();
  private stopped = false;

  constructor(hooks: BackendWatchHooks, options: BackendWatchOptions) {
    this.hooks = hooks;
    this.options = options;
  }

  stateOf(lane: Lane): LaneDownState | null {
    return this.down.get(lane) ?? null;
  }

  isWatching(lane: Lane): boolean {
    return this.down.has(lane);
  }

  /** The lane's backend could not be reached: take it offline and start probing. */
  markDown(lane: Lane, error: string): void {
    if (this.stopped) return;
    lane.online = false;
    const now = Date.now();
    const state = this.down.get(lane);
    if (state) {
      state.lastError = error;
      return;
    }
    const fresh: LaneDownState = {
      since: now,
      lastError: error,
      probes: 0,
      nextProbeAt: now + this.options.probeInitialMs,
    };
    this.down.set(lane, fresh);
    this.hooks.status(lane, { online: false, down: fresh, downLimitMs: this.options.downLimitMs });
    this.arm(lane, this.options.probeInitialMs);
  }

  /** Forget a lane (removed from the pool) or stop everything. */
  forget(lane: Lane): void {
    const timer = this.timers.get(lane);
    if (timer) clearTimeout(timer);
    this.timers.delete(lane);
    this.down.delete(lane);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(lane: Lane, delay: number): void {
    const previous = this.timers.get(lane);
    if (previous) clearTimeout(previous);
    // Not unref()'d on purpose: jobs are waiting for this backend, the process must stay alive.
    this.timers.set(
      lane,
      setTimeout(() => {
        this.timers.delete(lane);
        void this.probeNow(lane);
      }, delay),
    );
  }

  private async probeNow(lane: Lane): Promise<void> {
    const state = this.down.get(lane);
    if (!state || this.stopped || this.probing.has(lane)) return;
    this.probing.add(lane);
    try {
      await this.hooks.probe(lane);
      if (this.stopped || !this.down.has(lane)) return;
      this.down.delete(lane);
      lane.online = true;
      this.hooks.status(lane, { online: true, down: null, downLimitMs: this.options.downLimitMs });
      this.hooks.recovered(lane);
      return;
    } catch (err) {
      if (this.stopped || !this.down.has(lane)) return;
      state.lastError = err instanceof Error ? err.message : String(err);
      state.probes += 1;
    } finally {
      this.probing.delete(lane);
    }
    const now = Date.now();
    // The kind is given up when its most recently lost lane has been down for the limit.
    const peers = [...this.down.entries()].filter(([l]) => l.kind === lane.kind);
    const kindDownSince = Math.max(...peers.map(([, s]) => s.since));
    if (now - kindDownSince >= this.options.downLimitMs) {
      this.hooks.gaveUp(
        lane.kind,
        peers.map(([l, down]) => ({ lane: l, down })),
      );
      // Keep probing: work added later (a re-run) may find it back.
    }
    const delay = Math.min(this.options.probeMaxMs, this.options.probeInitialMs * 2 ** state.probes);
    state.nextProbeAt = now + delay;
    this.hooks.status(lane, { online: false, down: state, downLimitMs: this.options.downLimitMs });
    this.arm(lane, delay);
  }
}
