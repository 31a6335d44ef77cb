import { describe, expect, it } from 'vitest';
import { FrameBatcher, type FrameScheduler } from '../../../src/renderer/state/frame-batcher.ts';

/** A scheduler whose frames the test advances by hand. */
function manualFrames(): FrameScheduler & { tick(): void; pending(): number } {
  let queued: Array<() => void> = [];
  return {
    request(flush) {
      queued.push(flush);
      return () => {
        queued = queued.filter((f) => f !== flush);
      };
    },
    tick() {
      const run = queued;
      queued = [];
      for (const f of run) f();
    },
    pending: () => queued.length,
  };
}

type Item = { job: string; kind: 'progress' | 'started' | 'done'; v: number };
const keyOf = (i: Item) => (i.kind === 'progress' ? `${i.job}|progress` : null);
const groupOf = (i: Item) => i.job;

describe('FrameBatcher', () => {
  it('hands over everything pushed within a frame in one flush, once per frame', () => {
    const frames = manualFrames();
    const flushes: Item[][] = [];
    const b = new FrameBatcher<Item>((items) => flushes.push(items), keyOf, frames, groupOf);
    b.push({ job: 'a', kind: 'started', v: 0 });
    b.push({ job: 'b', kind: 'started', v: 0 });
    expect(frames.pending()).toBe(1);
    expect(flushes).toHaveLength(0);
    frames.tick();
    expect(flushes).toEqual([
      [
        { job: 'a', kind: 'started', v: 0 },
        { job: 'b', kind: 'started', v: 0 },
      ],
    ]);
    frames.tick();
    expect(flushes).toHaveLength(1);
  });

  it('keeps only the latest progress of a job within a frame, in the position of the first', () => {
    const frames = manualFrames();
    const flushes: Item[][] = [];
    const b = new FrameBatcher<Item>((items) => flushes.push(items), keyOf, frames, groupOf);
    for (let v = 1; v <= 50; v++) b.push({ job: 'a', kind: 'progress', v });
    b.push({ job: 'b', kind: 'progress', v: 7 });
    frames.tick();
    expect(flushes[0]).toEqual([
      { job: 'a', kind: 'progress', v: 50 },
      { job: 'b', kind: 'progress', v: 7 },
    ]);
  });

  it('never moves a job’s progress before one of its own non-coalesced events', () => {
    const frames = manualFrames();
    const flushes: Item[][] = [];
    const b = new FrameBatcher<Item>((items) => flushes.push(items), keyOf, frames, groupOf);
    b.push({ job: 'a', kind: 'progress', v: 19 });
    b.push({ job: 'a', kind: 'started', v: 0 }); // a retry starts
    b.push({ job: 'a', kind: 'progress', v: 1 });
    frames.tick();
    expect(flushes[0]?.map((i) => `${i.kind}:${i.v}`)).toEqual(['progress:19', 'started:0', 'progress:1']);
  });

  it('flushNow empties at once and dispose drops what is pending', () => {
    const frames = manualFrames();
    const flushes: Item[][] = [];
    const b = new FrameBatcher<Item>((items) => flushes.push(items), keyOf, frames, groupOf);
    b.push({ job: 'a', kind: 'done', v: 1 });
    b.flushNow();
    expect(flushes).toHaveLength(1);
    expect(frames.pending()).toBe(0);
    b.push({ job: 'a', kind: 'done', v: 2 });
    b.dispose();
    frames.tick();
    expect(flushes).toHaveLength(1);
    expect(b.size).toBe(0);
  });
});
