// Live progress and sampler previews arrive once per step (dozens per image, bursts of them when the
// GPU is fast); the studio cannot show more than a few per second. The latest value wins: the first
// goes out at once, later ones at most every `intervalMs`, and what is pending when the job ends is
// either flushed (progress) or dropped (a preview the finished image replaces).

export interface LatestThrottle<T> {
  push(value: T): void;
  /** Delivers the pending value now, if any. */
  flush(): void;
  /** Forgets the pending value and stops the timer. */
  cancel(): void;
}

export function throttleLatest<T>(deliver: (value: T) => void, intervalMs: number): LatestThrottle<T> {
  let lastAt = Number.NEGATIVE_INFINITY;
  let pending: { value: T } | null = null;
  let timer: NodeJS.Timeout | undefined;

  const send = (value: T): void => {
    lastAt = performance.now();
    deliver(value);
  };
  const fire = (): void => {
    timer = undefined;
    const next = pending;
    pending = null;
    if (next) send(next.value);
  };
  return {
    push(value) {
      const wait = lastAt + intervalMs - performance.now();
      if (wait <= 0 && timer === undefined) {
        send(value);
        return;
      }
      pending = { value };
      if (timer === undefined) timer = setTimeout(fire, Math.max(0, wait));
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      fire();
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pending = null;
    },
  };
}
