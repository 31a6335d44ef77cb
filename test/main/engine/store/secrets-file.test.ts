// Settings secrets (S3 secret key, SMTP and Postgres passwords) never sit in clear in the SQLite file:
// they go to a 0600 `<name>.secrets.json` beside it; a store an older version wrote in clear is
// migrated and scrubbed on open; the database and its companions are private (0600); and no secret
// reaches the team Postgres through sync. Real SQLite files, real file modes, a real Postgres.
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../../src/main/engine/engine.ts';
import { SEALED, ShowcaseError } from '../../../../src/shared/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';
import { product, type TempStores, tempStores } from './helpers.ts';

const S3_SECRET = 'S3-secret-7f3a91c2';
const SMTP_PASSWORD = 'smtp-pw-52bd0e';
const PG_PASSWORD = 'pg-pw-c4e81f';
const SECRETS = [S3_SECRET, SMTP_PASSWORD, PG_PASSWORD];

const s3 = (secretKey: string) => ({
  endpoint: 'http://127.0.0.1:9000',
  bucket: 'gallery',
  accessKey: 'AKIATEST',
  secretKey,
  region: 'us-east-1',
  publicBaseUrl: null,
  presignSeconds: 3600,
});
const smtp = (password: string) => ({
  url: `smtp://mailer:${password}@127.0.0.1:2525`,
  from: 'studio@example.test',
});
const pgUrl = (password: string) => `postgres://app:${password}@127.0.0.1:5432/studio`;

let t: TempStores;
beforeEach(async () => {
  t = await tempStores();
});
afterEach(async () => {
  await t.cleanup();
});

/** Every byte SQLite wrote for `name` (database, WAL, shared memory), as latin1 text. */
async function sqliteBytes(name = 'showcase.db'): Promise<string> {
  const files = (await readdir(t.dir)).filter((f) => f.startsWith(name));
  const parts = await Promise.all(files.map((f) => readFile(join(t.dir, f))));
  return Buffer.concat(parts).toString('latin1');
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('settings secrets file', () => {
  it('keeps secrets out of the database, in a 0600 file beside it, and gives them back in clear', async () => {
    const store = t.open();
    const saved = store.settings.update({
      s3: s3(S3_SECRET),
      smtp: smtp(SMTP_PASSWORD),
      postgresUrl: pgUrl(PG_PASSWORD),
    });
    expect(saved.s3?.secretKey).toBe(S3_SECRET);
    expect(store.settings.get().smtp?.url).toBe(smtp(SMTP_PASSWORD).url);
    expect(store.settings.get().postgresUrl).toBe(pgUrl(PG_PASSWORD));

    const bytes = await sqliteBytes();
    for (const secret of SECRETS) expect(bytes).not.toContain(secret);
    const file = join(t.dir, 'showcase.secrets.json');
    const text = await readFile(file, 'utf8');
    for (const secret of SECRETS) expect(text).toContain(secret);
    expect(await mode(file)).toBe(0o600);

    // Another process opening the same store sees the clear values too (the CLI next to the app).
    const other = t.open();
    expect(other.settings.get().postgresUrl).toBe(pgUrl(PG_PASSWORD));
    store.settings.update({ s3: null, smtp: null });
    expect(JSON.parse(await readFile(file, 'utf8')).secrets).toEqual({ postgresUrl: pgUrl(PG_PASSWORD) });
    store.settings.update({ postgresUrl: 'postgres://app@127.0.0.1/studio' });
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    expect(other.settings.get().postgresUrl).toBe('postgres://app@127.0.0.1/studio');
  });

  it('creates the database, its WAL and shared-memory files readable by the owner only', async () => {
    const store = t.open();
    store.products.upsertMany([product('mug')]);
    const names = (await readdir(t.dir)).filter((f) => f.startsWith('showcase.db'));
    expect(names).toEqual(expect.arrayContaining(['showcase.db', 'showcase.db-wal', 'showcase.db-shm']));
    for (const name of names)
      expect({ name, mode: await mode(join(t.dir, name)) }).toEqual({ name, mode: 0o600 });
  });

  it('moves secrets an older version stored in clear out of the database on open, and scrubs them', async () => {
    const first = t.open('legacy.db');
    first.products.upsertMany([product('mug')]);
    first.close();
    // What older versions wrote: clear values in the settings rows, changed a few times (free pages).
    const raw = new Database(t.path('legacy.db'));
    const put = raw.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, '2025-01-01T00:00:00.000Z')
       ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    );
    for (const round of ['old-1', 'old-2', '']) {
      put.run('s3', JSON.stringify(s3(`${S3_SECRET}${round}`)));
      put.run('smtp', JSON.stringify(smtp(`${SMTP_PASSWORD}${round}`)));
      put.run('postgresUrl', JSON.stringify(pgUrl(`${PG_PASSWORD}${round}`)));
    }
    raw.close();
    // … into a file anyone on the machine could read.
    await chmod(t.path('legacy.db'), 0o644);
    expect(await sqliteBytes('legacy.db')).toContain(S3_SECRET);

    const store = t.open('legacy.db');
    const settings = store.settings.get();
    expect(settings.s3?.secretKey).toBe(S3_SECRET);
    expect(settings.smtp?.url).toBe(smtp(SMTP_PASSWORD).url);
    expect(settings.postgresUrl).toBe(pgUrl(PG_PASSWORD));
    store.close();

    const bytes = await sqliteBytes('legacy.db');
    for (const secret of SECRETS) expect(bytes).not.toContain(secret);
    expect(bytes).toContain(SEALED);
    expect(await mode(t.path('legacy.db'))).toBe(0o600);
    expect(await mode(join(t.dir, 'legacy.secrets.json'))).toBe(0o600);
  });

  it('tightens a secrets file that others can read, and names a damaged one', async () => {
    const store = t.open();
    store.settings.update({ s3: s3(S3_SECRET) });
    store.close();
    const file = join(t.dir, 'showcase.secrets.json');
    await chmod(file, 0o644);
    t.open().close();
    expect(await mode(file)).toBe(0o600);

    await writeFile(file, '{"version": 1, "secrets": ');
    const reopened = t.open();
    const error = (() => {
      try {
        reopened.settings.get();
        return null;
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ShowcaseError);
    expect((error as ShowcaseError).message).toContain(`secrets file ${file} is damaged`);
  });
});

const pg = await createTestDatabase('harden_secrets');
afterAll(async () => {
  await pg?.drop();
});

describe.skipIf(!pg)(`secrets and team sync${skipNote(pg)}`, () => {
  it('never puts a secret in a synced row, and the Postgres password stays out of studio.db', async () => {
    // Trust auth on the test cluster accepts any password: the URL carries one, as a real one would.
    const url = new URL(pg?.url ?? '');
    url.password = PG_PASSWORD;
    const engine = await Engine.open({ dbPath: join(t.dir, 'studio.db'), outputRoot: join(t.dir, 'out') });
    try {
      await engine.handlers['settings.update']({
        s3: s3(S3_SECRET),
        smtp: smtp(SMTP_PASSWORD),
        postgresUrl: url.toString(),
        syncIntervalSec: 86_400,
      });
      engine.addProducts([{ id: 'mug', name: 'Harbor Mug' }]);
      const round = await engine.handlers['sync.now']({});
      expect(round.pushed).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
    const client = new Client({ connectionString: pg?.url });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'showcase'",
      );
      expect(tables.rows.length).toBeGreaterThan(0);
      let dump = '';
      for (const { table_name } of tables.rows) {
        const rows = await client.query(`SELECT * FROM showcase."${table_name}"`);
        dump += JSON.stringify(rows.rows);
      }
      expect(dump).toContain('Harbor Mug');
      for (const secret of SECRETS) expect(dump).not.toContain(secret);
    } finally {
      await client.end();
    }
    const bytes = await sqliteBytes('studio.db');
    for (const secret of SECRETS) expect(bytes).not.toContain(secret);
  });
});
