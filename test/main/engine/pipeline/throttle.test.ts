import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { throttleLatest } from '../../../../src/main/engine/pipeline/throttle.ts';

describe('throttleLatest', () => {
  it('sends the first value at once, then only the latest of a burst, spaced by the interval', async () => {
    const sent: Array<{ value: number; at: number }> = [];
    const t0 = performance.now();
    const throttle = throttleLatest((value: number) => sent.push({ value, at: performance.now() - t0 }), 40);
    for (let i = 1; i <= 20; i++) throttle.push(i);
    expect(sent.map((s) => s.value)).toEqual([1]);
    await sleep(80);
    expect(sent.map((s) => s.value)).toEqual([1, 20]);
    expect((sent[1]?.at ?? 0) - (sent[0]?.at ?? 0)).toBeGreaterThanOrEqual(35);
  });

  it('flush delivers the pending value now; cancel drops it', async () => {
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
    await sleep(30);
    expect(sent).toEqual(['a', 'c', 'p1']);
  });
});
