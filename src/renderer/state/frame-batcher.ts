// Collects high-rate events (progress, previews) and hands them over once per animation frame, so a
// stream of 50 progress events a second costs one store update and one React render per frame.

export interface FrameScheduler {
  request(flush: () => void): () => void;
}

/**
 * requestAnimationFrame, with a timer as a fallback: background tabs stop animation frames, and
 * events must still be applied (and memory released) while the window is hidden.
 */
export const animationFrameScheduler: FrameScheduler = {
  request(flush) {
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      flush();
    };
    const frame = requestAnimationFrame(run);
    const timer = setTimeout(run, 250);
    return () => {
      done = true;
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  },
};

export class FrameBatcher<T> {
  readonly #scheduler: FrameScheduler;
  readonly #flush: (items: T[]) => void;
  readonly #keyOf: (item: T) => string | null;
  readonly #groupOf: (item: T) => string | null;
  #pending: T[] = [];
  /** Position in `#pending` of the latest item per coalescing key. */
  #slots = new Map<string, number>();
  #cancel: (() => void) | null = null;

  /**
   * @param keyOf items with the same non-null key replace each other within one frame (only the
   *   latest progress value or preview frame of a job matters); null keeps every item, in order.
   * @param groupOf a non-coalesced item of a group (a job's `started`/`failed`) is a barrier: later
   *   items of that group are appended after it instead of replacing an earlier one, so a retry's
   *   first progress is never applied before the failure that caused the retry.
   */
  constructor(
    flush: (items: T[]) => void,
    keyOf: (item: T) => string | null,
    scheduler: FrameScheduler,
    groupOf: (item: T) => string | null = () => null,
  ) {
    this.#flush = flush;
    this.#keyOf = keyOf;
    this.#groupOf = groupOf;
    this.#scheduler = scheduler;
  }

  push(item: T): void {
    const key = this.#keyOf(item);
    if (key === null) {
      const group = this.#groupOf(item);
      if (group !== null)
        for (const k of this.#slots.keys()) if (k.startsWith(`${group}|`)) this.#slots.delete(k);
    }
    const slot = key === null ? undefined : this.#slots.get(key);
    if (slot !== undefined) this.#pending[slot] = item;
    else {
      if (key !== null) this.#slots.set(key, this.#pending.length);
      this.#pending.push(item);
    }
    if (this.#cancel === null) this.#cancel = this.#scheduler.request(() => this.flushNow());
  }

  flushNow(): void {
    this.#cancel?.();
    this.#cancel = null;
    if (this.#pending.length === 0) return;
    const items = this.#pending;
    this.#pending = [];
    this.#slots = new Map();
    this.#flush(items);
  }

  dispose(): void {
    this.#cancel?.();
    this.#cancel = null;
    this.#pending = [];
    this.#slots = new Map();
  }

  get size(): number {
    return this.#pending.length;
  }
}
