import { writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, tableSpecs } from '../../../../src/main/engine/store/index.ts';
import {
  type Migration,
  migrate,
  migrations,
  schemaVersion,
} from '../../../../src/main/engine/store/migrations.ts';
import { expectCode, product, type TempStores, tempStores } from './helpers.ts';

let t: TempStores;
beforeEach(async () => {
  t = await tempStores();
});
afterEach(async () => {
  await t.cleanup();
});

function raw(path: string): Database.Database {
  return new Database(path);
}

describe('openStore on a fresh file', () => {
  it('creates every table at the latest version with WAL, foreign keys, busy timeout and NORMAL sync', () => {
    const store = t.open();
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    store.close();

    const db = raw(t.path());
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'products',
        'product_galleries',
        'assets',
        'jobs',
        'job_deps',
        'model_usage_log',
        'prompt_presets',
        'settings',
        'outbox',
        'sync_state',
        'sync_conflicts',
        'schema_migrations',
      ]),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const rows = db.prepare('SELECT version, name FROM schema_migrations').all();
    expect(rows).toContainEqual({ version: 1, name: 'initial schema' });
    expect(rows).toContainEqual({ version: 3, name: 'edit history and derived-image sources' });
    expect(rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })));
    expect(rows).toContainEqual({ version: 2, name: 'sync field clocks, retry table, syncer lease' });
    db.close();
  });

  it('sets the connection pragmas', () => {
    // The pragmas are per connection: read them through the store's own connection.
    const d = t.open(undefined, { busyTimeoutMs: 1234 }).diagnostics();
    expect(d).toMatchObject({
      journalMode: 'wal',
      foreignKeys: true,
      busyTimeoutMs: 1234,
      synchronous: 'normal',
      schemaVersion: SCHEMA_VERSION,
      readonly: false,
    });
  });

  it('has the indexes the hot queries rely on', () => {
    t.open().close();
    const db = raw(t.path());
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'jobs_ready',
        'jobs_ready_by_kind',
        'jobs_by_status',
        'galleries_by_product',
        'galleries_by_status',
      ]),
    );
    // Claiming must probe the ready index, never sort the queued jobs.
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM jobs INDEXED BY jobs_ready WHERE status = 'queued' AND blocked_by = 0 ORDER BY priority DESC, rowid LIMIT 1",
      )
      .all()
      .map((r) => (r as { detail: string }).detail)
      .join(' | ');
    expect(plan).toContain('jobs_ready');
    expect(plan).not.toContain('TEMP B-TREE');
    // Assets by gallery use the (gallery_id, kind, idx) unique index.
    const assetPlan = db
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM assets WHERE gallery_id = ?')
      .all('g')
      .map((r) => (r as { detail: string }).detail)
      .join(' | ');
    expect(assetPlan).toMatch(/USING INDEX/);
    db.close();
  });

  it('declares every synced column of tables.ts in SQLite (plus hlc)', () => {
    t.open().close();
    const db = raw(t.path());
    for (const spec of Object.values(tableSpecs)) {
      const cols = db
        .prepare(`PRAGMA table_info(${spec.name})`)
        .all()
        .map((r) => r as { name: string; notnull: number });
      const byName = new Map(cols.map((c) => [c.name, c]));
      for (const c of spec.columns) {
        const sqlCol = byName.get(c.name);
        expect(sqlCol, `${spec.name}.${c.name}`).toBeDefined();
        if (c.name !== 'id')
          expect(sqlCol?.notnull === 0, `${spec.name}.${c.name} nullability`).toBe(c.nullable);
      }
      expect(byName.has('hlc'), `${spec.name}.hlc`).toBe(true);
    }
    db.close();
  });
});

describe('reopening', () => {
  it('is idempotent: no migration runs twice and data is kept', () => {
    const a = t.open();
    a.products.upsertMany([product('p1')]);
    const node = a.nodeId;
    a.close();
    const b = t.open();
    expect(b.schemaVersion).toBe(SCHEMA_VERSION);
    expect(b.products.get('p1')?.name).toBe('Product p1');
    expect(b.nodeId).toBe(node);
    b.close();
    const db = raw(t.path());
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: migrations.length });
    db.close();
  });

  it('refuses a database whose schema is newer than the app, naming both versions', () => {
    t.open().close();
    const db = raw(t.path());
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', 'x')",
    ).run();
    db.close();
    const err = expectCode(
      () => t.open(),
      'storage_error',
      new RegExp(`schema version 99, newer than this app supports \\(${SCHEMA_VERSION}\\)`),
    );
    expect(err.details).toMatchObject({ found: 99, supported: SCHEMA_VERSION });
    expect(err.hint).toMatch(/Update/);
    // Read-only opens refuse it as well.
    expectCode(() => t.open(undefined, { readonly: true }), 'storage_error', /newer than this app/);
  });

  it('wraps a file that is not a database in storage_error', async () => {
    await writeFile(
      t.path('junk.db'),
      'this is not sqlite, just text long enough to have a header'.repeat(20),
    );
    expectCode(() => t.open('junk.db'), 'storage_error', /not a database/);
  });

  it('opens read-only without writing, and refuses writes with a clear error', () => {
    const rw = t.open();
    rw.products.upsertMany([product('p1')]);
    rw.close();
    const ro = t.open(undefined, { readonly: true });
    expect(ro.readonly).toBe(true);
    expect(ro.products.get('p1')?.id).toBe('p1');
    expectCode(() => ro.products.upsertMany([product('p2')]), 'storage_error', /read-only/);
    expectCode(
      () => t.open('missing.db', { readonly: true }),
      'storage_error',
      /Cannot open the local store/,
    );
  });
});

describe('migrate()', () => {
  it('applies pending migrations in order, SQL or function, each recorded once', () => {
    const db = new Database(':memory:');
    const list: Migration[] = [
      { version: 1, name: 'one', up: 'CREATE TABLE a (x INTEGER) STRICT' },
      {
        version: 2,
        name: 'two',
        up: (d) => {
          d.exec('CREATE TABLE b (y TEXT) STRICT');
          d.prepare("INSERT INTO b VALUES ('seeded')").run();
        },
      },
    ];
    expect(migrate(db, ':memory:', () => 'now', list.slice(0, 1))).toEqual({ from: 0, to: 1, applied: [1] });
    expect(migrate(db, ':memory:', () => 'now', list)).toEqual({ from: 1, to: 2, applied: [2] });
    expect(migrate(db, ':memory:', () => 'now', list)).toEqual({ from: 2, to: 2, applied: [] });
    expect(db.prepare('SELECT y FROM b').all()).toEqual([{ y: 'seeded' }]);
    db.close();
  });

  it('rolls a failing migration back completely and keeps the previous version', () => {
    const db = new Database(':memory:');
    const list: Migration[] = [
      { version: 1, name: 'one', up: 'CREATE TABLE a (x INTEGER) STRICT' },
      {
        version: 2,
        name: 'broken',
        up: 'CREATE TABLE c (z INTEGER) STRICT; INSERT INTO nowhere VALUES (1);',
      },
    ];
    expect(() => migrate(db, ':memory:', () => 'now', list)).toThrow(/nowhere/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'c'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('rejects a migration list that is not strictly increasing', () => {
    const db = new Database(':memory:');
    expect(() =>
      migrate(db, ':memory:', () => 'now', [
        { version: 2, name: 'b', up: '' },
        { version: 1, name: 'a', up: '' },
      ]),
    ).toThrow(/strictly increasing/);
    db.close();
  });
});
