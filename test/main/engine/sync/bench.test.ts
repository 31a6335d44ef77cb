// The sync benchmark on a small catalog (the 10,000-gallery run is `showcase bench --pg URL`).
import { afterAll, describe, expect, it } from 'vitest';
import { benchSync } from '../../../../src/main/engine/sync/bench.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';
import { count } from './helpers.ts';

const pg = await createTestDatabase('sync_bench');
afterAll(async () => {
  await pg?.drop();
});

describe.skipIf(!pg)(`benchSync${skipNote(pg)}`, () => {
  it('pushes N galleries with products and assets to a fresh database, pulls them into a fresh file, and cleans up', async () => {
    const url = pg?.url ?? '';
    const before = await count(
      url,
      "SELECT count(*) AS n FROM pg_database WHERE datname LIKE 'showcase_bench_%'",
    );
    const r = await benchSync({ url, rows: 300, batchSize: 500, pullPageSize: 700 });
    expect(r).toMatchObject({ galleries: 300, totalRows: 300 * 9, isolation: 'database' });
    expect(r.pushSeconds).toBeGreaterThan(0);
    expect(r.pullSeconds).toBeGreaterThan(0);
    expect(r.pushRowsPerSec).toBe(Math.round(r.totalRows / r.pushSeconds));
    expect(r.pullRowsPerSec).toBe(Math.round(r.totalRows / r.pullSeconds));
    // The fresh database is gone again.
    expect(
      await count(url, "SELECT count(*) AS n FROM pg_database WHERE datname LIKE 'showcase_bench_%'"),
    ).toBe(before);
  });
});
