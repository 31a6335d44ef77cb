import { Client } from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { TEAM_OVERHEAD_LINE, teamSection } from '../../../src/main/bench/team-bench.ts';
import { createTestDatabase, skipNote } from '../../fixtures/postgres.ts';

const pg = await createTestDatabase('team_bench');

async function benchSchemas(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'showcase_bench_%'",
    );
    return rows.map((r) => r.nspname);
  } finally {
    await client.end();
  }
}

describe.skipIf(!pg)(`team queue benchmark${skipNote(pg)}`, () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await pg?.drop();
  });

  it('prints the queue overhead per job on its line and drops its pg-boss schema', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    await teamSection({ url: pg?.url ?? '', jobs: 24 });
    const line = lines.find((l) => l.startsWith(`${TEAM_OVERHEAD_LINE}: `));
    expect(line, lines.join('\n')).toBeDefined();
    expect(TEAM_OVERHEAD_LINE).toBe('team: queue overhead ms per job');
    const value = Number(/: ([\d.]+)/.exec(line ?? '')?.[1]);
    expect(Number.isFinite(value) && value > 0).toBe(true);
    expect(await benchSchemas(pg?.url ?? '')).toEqual([]);
  }, 60_000);

  it('says it skipped when PostgreSQL does not answer, without a figure', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    await teamSection({ url: 'postgres://postgres@127.0.0.1:1/postgres', jobs: 6 });
    expect(lines.some((l) => l.startsWith('team: skipped: '))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${TEAM_OVERHEAD_LINE}: `))).toBe(false);
  }, 30_000);
});
