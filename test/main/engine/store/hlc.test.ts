import { describe, expect, it } from 'vitest';
import {
  compareHlc,
  formatHlc,
  HybridClock,
  isHlc,
  newNodeId,
  parseHlc,
} from '../../../../src/main/engine/store/index.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';
import { fakeClock } from './helpers.ts';

const T0 = 1_735_787_045_000;

describe('HLC format', () => {
  it('formats fixed-width, sortable strings and parses them back', () => {
    const s = formatHlc({ physical: T0, counter: 7, node: 'abc' });
    expect(s).toBe('1735787045000-00007-abc');
    expect(parseHlc(s)).toEqual({ physical: T0, counter: 7, node: 'abc' });
    expect(isHlc(s)).toBe(true);
    // Fixed width makes string order equal numeric order, even across digit-count boundaries.
    const a = formatHlc({ physical: 999, counter: 99, node: 'z' });
    const b = formatHlc({ physical: 1000, counter: 0, node: 'a' });
    expect(a < b).toBe(true);
    expect(compareHlc(a, b)).toBe(-1);
    expect(compareHlc(b, a)).toBe(1);
    expect(compareHlc(a, a)).toBe(0);
  });

  it('rejects malformed timestamps and node ids', () => {
    for (const bad of [
      '',
      '123-00001-a',
      '1735787045000-1-a',
      '1735787045000-00001-',
      'x735787045000-00001-a',
    ]) {
      expect(() => parseHlc(bad)).toThrow(ShowcaseError);
      expect(isHlc(bad)).toBe(false);
    }
    expect(() => formatHlc({ physical: T0, counter: 100_000, node: 'a' })).toThrow(/counter/);
    expect(() => new HybridClock('has space')).toThrow(/node id/);
  });

  it('makes distinct 16-hex node ids', () => {
    const a = newNodeId();
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(newNodeId()).not.toBe(a);
  });
});

describe('HybridClock', () => {
  it('is strictly monotonic when the wall clock stands still or goes backwards', () => {
    const wall = fakeClock(T0);
    const clock = new HybridClock('node-a', { now: wall.now });
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) seen.push(clock.now());
    wall.set(T0 - 60_000); // NTP step backwards
    for (let i = 0; i < 5; i++) seen.push(clock.now());
    wall.set(T0 + 5);
    seen.push(clock.now());
    for (let i = 1; i < seen.length; i++)
      expect(compareHlc(seen[i - 1] as string, seen[i] as string)).toBe(-1);
    expect(parseHlc(seen[0] as string)).toEqual({ physical: T0, counter: 0, node: 'node-a' });
    expect(parseHlc(seen[9] as string)).toEqual({ physical: T0, counter: 9, node: 'node-a' });
    expect(parseHlc(seen[10] as string)).toEqual({ physical: T0 + 5, counter: 0, node: 'node-a' });
  });

  it('steps a millisecond ahead when the 5-digit counter would overflow', () => {
    const wall = fakeClock(T0);
    const clock = new HybridClock('n', {
      now: wall.now,
      last: formatHlc({ physical: T0, counter: 99_999, node: 'n' }),
    });
    const next = clock.now();
    expect(parseHlc(next)).toEqual({ physical: T0 + 1, counter: 0, node: 'n' });
    expect(compareHlc(formatHlc({ physical: T0, counter: 99_999, node: 'n' }), next)).toBe(-1);
  });

  it('receive moves past a remote timestamp that is ahead, and keeps local time when the remote is behind', () => {
    const wall = fakeClock(T0);
    const clock = new HybridClock('local', { now: wall.now });
    const remote = formatHlc({ physical: T0 + 10_000, counter: 4, node: 'remote' });
    const r1 = clock.receive(remote);
    expect(parseHlc(r1)).toEqual({ physical: T0 + 10_000, counter: 5, node: 'local' });
    expect(compareHlc(remote, r1)).toBe(-1);
    // The wall clock has not caught up: local events still come after what was received.
    const n1 = clock.now();
    expect(compareHlc(r1, n1)).toBe(-1);
    expect(parseHlc(n1).physical).toBe(T0 + 10_000);

    // Same physical time on both sides: counter is max + 1.
    const same = formatHlc({ physical: T0 + 10_000, counter: 50, node: 'remote' });
    expect(parseHlc(clock.receive(same))).toMatchObject({ physical: T0 + 10_000, counter: 51 });

    // A remote far in the past changes nothing but the counter.
    const before = clock.last();
    const r3 = clock.receive(formatHlc({ physical: T0 - 99_000, counter: 0, node: 'remote' }));
    expect(compareHlc(before, r3)).toBe(-1);
    expect(parseHlc(r3).physical).toBe(T0 + 10_000);

    // Once the wall clock passes everything, it leads again with a zero counter.
    wall.set(T0 + 20_000);
    expect(parseHlc(clock.receive(remote))).toMatchObject({ physical: T0 + 20_000, counter: 0 });
  });

  it('refuses a remote clock implausibly far ahead and stays unchanged', () => {
    const wall = fakeClock(T0);
    const clock = new HybridClock('local', { now: wall.now, maxDriftMs: 60_000 });
    const before = clock.now();
    const far = formatHlc({ physical: T0 + 3_600_000, counter: 0, node: 'remote' });
    try {
      clock.receive(far);
      expect.unreachable('receive should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(ShowcaseError);
      expect((err as ShowcaseError).code).toBe('sync_error');
    }
    expect(clock.last()).toBe(before);
    expect(
      parseHlc(clock.receive(formatHlc({ physical: T0 + 59_000, counter: 0, node: 'remote' }))).physical,
    ).toBe(T0 + 59_000);
  });

  it('observe only ever moves the clock forward', () => {
    const wall = fakeClock(T0);
    const clock = new HybridClock('a', { now: wall.now });
    clock.now();
    clock.observe(formatHlc({ physical: T0 + 500, counter: 3, node: 'a' }));
    expect(clock.last()).toBe(formatHlc({ physical: T0 + 500, counter: 3, node: 'a' }));
    clock.observe(formatHlc({ physical: T0, counter: 0, node: 'a' }));
    expect(clock.last()).toBe(formatHlc({ physical: T0 + 500, counter: 3, node: 'a' }));
    expect(clock.now()).toBe(formatHlc({ physical: T0 + 500, counter: 4, node: 'a' }));
  });
});
