// The team database's schema (versioned migrations under an advisory lock, columns following
// tableSpecs) and the clear errors for a database the app cannot use: unreachable, wrong password,
// missing database, schema newer than the app — none of them showing the password.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tableSpecs } from '../../../../src/main/engine/store/index.ts';
import {
  migrate,
  PG_SCHEMA_VERSION,
  pgColumnTypes,
  pgMigrations,
  type SyncEngine,
  type SyncLogLevel,
} from '../../../../src/main/engine/sync/index.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';
import {
  closedPort,
  closeEngines,
  engineFor,
  freshSchema,
  product,
  startPasswordRejectingPeer,
  type TempStores,
  tempStores,
  withPg,
} from './helpers.ts';

const pg = await createTestDatabase('sync_schema');
afterAll(async () => {
  await pg?.drop();
});

async function rejection(promise: Promise<unknown>): Promise<ShowcaseError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ShowcaseError);
    return err as ShowcaseError;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(!pg)(`team database schema${skipNote(pg)}`, () => {
  const url = pg?.url ?? '';
  let t: TempStores;
  beforeEach(async () => {
    t = await tempStores();
  });
  afterEach(async () => {
    await closeEngines();
    await t.cleanup();
  });

  it('several workstations starting at once migrate once, without errors', async () => {
    const schema = freshSchema('concurrent');
    const engines = Array.from({ length: 4 }, (_, i) => engineFor(t.open(`w${i}.db`), url, { schema }));
    await Promise.all(engines.map((e) => e.connect()));
    const applied = engines.map((e) => e.migration?.applied ?? []);
    expect(applied.filter((a) => a.length > 0)).toEqual([pgMigrations.map((m) => m.version)]); // exactly one did the work
    const rows = await withPg(
      url,
      async (c) => (await c.query(`SELECT version FROM ${schema}.schema_migrations`)).rows,
    );
    expect(rows).toEqual(pgMigrations.map((m) => ({ version: m.version })));
    expect(PG_SCHEMA_VERSION).toBe(2);

    // Raw migrate on two sessions of a fresh schema at the same moment.
    const other = freshSchema('concurrent_raw');
    const results = await Promise.all([
      withPg(url, (c) => migrate(c, other)),
      withPg(url, (c) => migrate(c, other)),
    ]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, pgMigrations.length]);
  });

  it('creates every synced table with the columns of tableSpecs, a change sequence, applied_ops and sync_conflicts', async () => {
    const schema = freshSchema('columns');
    await engineFor(t.open(), url, { schema }).connect();
    const columns = await withPg(
      url,
      async (c) =>
        (
          await c.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
            `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
              WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
            [schema],
          )
        ).rows,
    );
    for (const spec of Object.values(tableSpecs)) {
      const actual = columns.filter((c) => c.table_name === spec.name);
      expect(actual.map((c) => c.column_name)).toEqual([
        ...spec.columns.map((c) => c.name),
        'hlc',
        'seq',
        'synced_at',
        'clocks',
      ]);
      for (const col of spec.columns) {
        const found = actual.find((c) => c.column_name === col.name);
        expect({
          column: `${spec.name}.${col.name}`,
          type: found?.data_type,
          nullable: found?.is_nullable,
        }).toEqual({
          column: `${spec.name}.${col.name}`,
          type: pgColumnTypes[col.type],
          nullable: col.nullable ? 'YES' : 'NO',
        });
      }
    }
    const tables = new Set(columns.map((c) => c.table_name));
    for (const name of ['applied_ops', 'sync_conflicts', 'schema_migrations'])
      expect(tables.has(name)).toBe(true);

    // Every insert and update takes a new value of the change sequence, even one made by hand.
    const seqs = await withPg(url, async (c) => {
      await c.query(
        `INSERT INTO ${schema}.prompt_presets (id, name, prefix, negative, style, lighting, params, updated_at, hlc)
         VALUES ('x', 'X', '', '', '', '', '{}', 'now', '0000000000001-00000-n')`,
      );
      const first = (await c.query(`SELECT seq FROM ${schema}.prompt_presets`)).rows[0]?.seq;
      await c.query(`UPDATE ${schema}.prompt_presets SET name = 'Y'`);
      const second = (await c.query(`SELECT seq FROM ${schema}.prompt_presets`)).rows[0]?.seq;
      return [Number(first), Number(second)];
    });
    expect(seqs[1]).toBeGreaterThan(seqs[0] as number);
  });

  it('refuses a database whose schema is newer than the app, clearly, while local drafting continues', async () => {
    const schema = freshSchema('newer');
    const store = t.open();
    await engineFor(store, url, { schema }).connect();
    await withPg(url, (c) =>
      c.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, 'from the future')`, [
        PG_SCHEMA_VERSION + 1,
      ]),
    );
    const engine = engineFor(store, url, { schema });
    store.products.upsertMany([product('p1')]);
    const err = await rejection(engine.syncOnce());
    expect(err.code).toBe('sync_error');
    expect(err.message).toBe(
      `The team database schema (v${PG_SCHEMA_VERSION + 1}) is newer than this app (v${PG_SCHEMA_VERSION}) — update the app`,
    );
    expect(engine.status()).toMatchObject({ online: false, error: err.message, pendingOps: 1 });
    store.products.upsertMany([product('p2')]);
    expect(store.outbox.count()).toBe(2);
  });

  it('names a missing database clearly', async () => {
    const u = new URL(url);
    u.pathname = '/showcase_no_such_database';
    const err = await rejection(engineFor(t.open(), u.toString()).connect());
    expect(err.code).toBe('sync_error');
    expect(err.message).toMatch(
      /The team database "showcase_no_such_database" does not exist on 127\.0\.0\.1:5432/,
    );
  });
});

describe('connection errors never show the password', () => {
  let t: TempStores;
  beforeEach(async () => {
    t = await tempStores();
  });
  afterEach(async () => {
    await closeEngines();
    await t.cleanup();
  });

  function logged(): {
    lines: string[];
    log: (level: SyncLogLevel, message: string, fields?: unknown) => void;
  } {
    const lines: string[] = [];
    return {
      lines,
      log: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`),
    };
  }

  async function failWith(engine: SyncEngine): Promise<ShowcaseError> {
    return rejection(engine.syncOnce());
  }

  it('unreachable port: backend_unreachable naming the redacted URL', async () => {
    const port = await closedPort();
    const { lines, log } = logged();
    const engine = engineFor(t.open(), `postgres://studio:Pa55-w0rd!x@127.0.0.1:${port}/team`, { log });
    const err = await failWith(engine);
    expect(err.code).toBe('backend_unreachable');
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(
      `Cannot reach the team database at postgres://studio:***@127.0.0.1:${port}/team: connection refused`,
    );
    expect(err.hint).toMatch(/Local drafting continues/);
    const everything = JSON.stringify({ err: err.toJSON(), lines, status: engine.status() });
    expect(everything).not.toContain('Pa55-w0rd');
    expect(lines.length).toBeGreaterThan(0);
  });

  it('wrong password: auth_failed without the password, which did reach the server', async () => {
    const peer = await startPasswordRejectingPeer();
    try {
      const { lines, log } = logged();
      const engine = engineFor(t.open(), `postgres://alice:hunter2-secret@127.0.0.1:${peer.port}/team`, {
        log,
      });
      const err = await failWith(engine);
      expect(peer.received).toContain('hunter2-secret');
      expect(err.code).toBe('auth_failed');
      expect(err.message).toBe(
        `The team database at postgres://alice:***@127.0.0.1:${peer.port}/team rejected the password for user "alice"`,
      );
      const everything = JSON.stringify({
        err: err.toJSON(),
        lines,
        status: engine.status(),
        stack: err.stack,
      });
      expect(everything).not.toContain('hunter2');
      expect(engine.status().error).toBe(err.message);
    } finally {
      await peer.close();
    }
  });

  it('a password from PGPASSWORD is kept out of messages too', async () => {
    const peer = await startPasswordRejectingPeer();
    try {
      const env = {
        PGHOST: '127.0.0.1',
        PGPORT: String(peer.port),
        PGUSER: 'alice',
        PGDATABASE: 'team',
        PGPASSWORD: 'env-secret-77',
      };
      const engine = engineFor(t.open(), undefined, { env });
      expect(engine.configured).toBe(true);
      const err = await failWith(engine);
      expect(peer.received).toContain('env-secret-77');
      expect(err.code).toBe('auth_failed');
      expect(err.message).toContain(`postgres://alice:***@127.0.0.1:${peer.port}/team`);
      expect(JSON.stringify(err.toJSON())).not.toContain('env-secret-77');
    } finally {
      await peer.close();
    }
  });

  it('without a URL or PG* variables the engine is not configured and says so', async () => {
    const engine = engineFor(t.open(), undefined, { env: {} });
    expect(engine.status()).toMatchObject({ configured: false, online: false });
    const err = await failWith(engine);
    expect(err.code).toBe('sync_error');
    expect(err.message).toBe('No team database is configured');
  });
});
