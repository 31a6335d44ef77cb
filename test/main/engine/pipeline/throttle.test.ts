// throttleLatest on fake timers (setTimeout and performance.now): the interval is checked to the
// millisecond instead of slept through.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttleLatest } from '../../../../src/main/engine/pipeline/throttle.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('throttleLatest', () => {
  it('sends the first value at once, then only the latest of a burst, spaced by the interval', () => {
    const sent: Array<{ value: number; at: number }> = [];
    const t0 = performance.now();
    const throttle = throttleLatest((value: number) => sent.push({ value, at: performance.now() - t0 }), 40);
    for (let i = 1; i <= 20; i++) throttle.push(i);
    expect(sent.map((s) => s.value)).toEqual([1]);
    vi.advanceTimersByTime(39);
    expect(sent.map((s) => s.value)).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([
      { value: 1, at: 0 },
      { value: 20, at: 40 },
    ]);
    // Quiet again: the next value after a full interval goes out at once.
    vi.advanceTimersByTime(40);
    throttle.push(21);
    expect(sent.at(-1)).toEqual({ value: 21, at: 80 });
  });

  it('flush delivers the pending value now; cancel drops it', () => {
    const sent: string[] = [];
    const progress = throttleLatest((v: string) => sent.push(v), 1_000);
    progress.push('a');
    progress.push('b');
    progress.push('c');
    progress.flush();
    expect(sent).toEqual(['a', 'c']);
    progress.flush();
    expect(sent).toEqual(['a', 'c']);

    const previews = throttleLatest((v: string) => sent.push(v), 1_000);
    previews.push('p1');
    previews.push('p2');
    previews.cancel();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2_000);
    expect(sent).toEqual(['a', 'c', 'p1']);
  });
});
