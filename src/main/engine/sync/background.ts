// Background mode, apart from the round it runs: a round now and then every interval, a debounced
// round after a local write, exponential backoff with jitter while the team database is unreachable,
// and a wait (not a failure) while another process holds the store's lease.
import { ShowcaseError } from '../../../shared/index.ts';
import { type BackgroundOptions, DEFAULTS, LEASE_BUSY } from './types.ts';

export interface SyncLoopDeps {
  /** One round; its failures are already in the status and the log. */
  syncOnce: () => Promise<unknown>;
  /** Subscribes to the store's local writes; returns the function that unsubscribes. */
  watchWrites: () => () => void;
  now: () => number;
}

export class SyncLoop {
  readonly #deps: SyncLoopDeps;
  #running = false;
  #bg = {
    intervalMs: DEFAULTS.intervalMs,
    debounceMs: DEFAULTS.debounceMs,
    initialBackoffMs: DEFAULTS.initialBackoffMs,
    maxBackoffMs: DEFAULTS.maxBackoffMs,
  };
  #unsubscribeWrites: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;
  #dueAt = 0;
  #ticking = false;
  #changedDuringTick = false;
  #failures = 0;

  constructor(deps: SyncLoopDeps) {
    this.#deps = deps;
  }

  /** Takes the options given; unset ones keep their earlier value. */
  configure(options: BackgroundOptions): void {
    this.#bg = {
      intervalMs: options.intervalMs ?? this.#bg.intervalMs,
      debounceMs: options.debounceMs ?? this.#bg.debounceMs,
      initialBackoffMs: options.initialBackoffMs ?? this.#bg.initialBackoffMs,
      maxBackoffMs: options.maxBackoffMs ?? this.#bg.maxBackoffMs,
    };
  }

  start(options: BackgroundOptions): void {
    this.configure(options);
    if (this.#running) return;
    this.#running = true;
    this.#failures = 0;
    this.#unsubscribeWrites ??= this.#deps.watchWrites();
    this.#schedule(0);
  }

  /** A local write happened: a round follows after the debounce (not while offline). */
  notifyChange(): void {
    if (!this.#running) return;
    // Offline: the backoff timer decides when to try again; edits must not hammer a dead server.
    if (this.#failures > 0) return;
    if (this.#ticking) {
      this.#changedDuringTick = true;
      return;
    }
    const due = this.#deps.now() + this.#bg.debounceMs;
    if (this.#timer && this.#dueAt <= due) return;
    this.#schedule(this.#bg.debounceMs);
  }

  /** Stops scheduling rounds; a round in progress finishes (the engine waits for it). */
  stop(): void {
    this.#running = false;
    this.#unsubscribeWrites?.();
    this.#unsubscribeWrites = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  state(): { running: boolean; failures: number; nextRoundInMs: number | null } {
    return {
      running: this.#running,
      failures: this.#failures,
      nextRoundInMs: this.#timer ? Math.max(0, this.#dueAt - this.#deps.now()) : null,
    };
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#dueAt = this.#deps.now() + delayMs;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#tick();
    }, delayMs);
    // Background sync must not keep a CLI process alive on its own.
    this.#timer.unref();
  }

  #backoffMs(): number {
    const base = Math.min(
      this.#bg.maxBackoffMs,
      this.#bg.initialBackoffMs * 2 ** Math.max(0, this.#failures - 1),
    );
    // ±10 % jitter so a team's workstations do not all retry in the same second after an outage.
    return Math.round(Math.min(this.#bg.maxBackoffMs, base * (0.9 + Math.random() * 0.2)));
  }

  async #tick(): Promise<void> {
    if (!this.#running) return;
    this.#ticking = true;
    this.#changedDuringTick = false;
    let delay: number;
    try {
      await this.#deps.syncOnce();
      this.#failures = 0;
      delay = this.#changedDuringTick ? this.#bg.debounceMs : this.#bg.intervalMs;
    } catch (err) {
      if (err instanceof ShowcaseError && err.details?.code === LEASE_BUSY) {
        // Another process on this store is syncing it: not a failure, just come back after it.
        delay = this.#bg.debounceMs;
      } else {
        // Already in the status and the log.
        this.#failures += 1;
        delay = this.#backoffMs();
      }
    } finally {
      this.#ticking = false;
    }
    if (this.#running && !this.#timer) this.#schedule(delay);
  }
}
