import { afterEach, describe, expect, it, vi } from 'vitest';
import { measureResume, RESUME_LINE, resumeSection } from '../../../src/main/bench/resume-bench.ts';

describe('resume benchmark', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('times a fresh generate --resume of a small killed journal to its first prompt', async () => {
    const m = await measureResume(200, 1);
    expect(m.jobs).toBe(200);
    // 25 products: copies done for 24, 4 heroes left running with a prompt id, everything else open.
    expect(m.running).toBe(4);
    expect(m.open).toBe(200 - 24);
    expect(m.runs).toHaveLength(1);
    expect(Number.isFinite(m.seconds) && m.seconds > 0).toBe(true);
    // Read from /proc where there is one (Linux, CI): the process's CPU up to its first prompt.
    if (m.cpuSeconds !== null) expect(m.cpuSeconds).toBeGreaterThan(0);
  }, 60_000);

  it('prints the figure on its line', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    await resumeSection({ runs: 1, jobs: 80 });
    expect(RESUME_LINE).toBe('resume: seconds from start to first prompt with 10,000 journaled jobs');
    const line = lines.find((l) => l.startsWith(`${RESUME_LINE}: `));
    expect(line, lines.join('\n')).toBeDefined();
    expect(Number.isFinite(Number(/: ([\d.]+)/.exec(line ?? '')?.[1]))).toBe(true);
  }, 60_000);
});
