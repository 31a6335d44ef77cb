// `showcase sync` end to end: the real CLI in a child process against the real database.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../src/main/engine/store/index.ts';
import { SyncEngine } from '../../../../src/main/engine/sync/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';
import { closedPort, galleryDraft, product, type TempStores, tempStores } from './helpers.ts';

const pg = await createTestDatabase('sync_cli');
afterAll(async () => {
  await pg?.drop();
});

const cli = fileURLToPath(new URL('../../../../src/main/cli/index.ts', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!pg)(`showcase sync${skipNote(pg)}`, () => {
  let t: TempStores;
  beforeEach(async () => {
    t = await tempStores();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('runs one round and prints what moved per table; --json prints the same as JSON', async () => {
    const path = t.path('cli.db');
    const store = openStore(path);
    store.products.upsertMany([product('p1'), product('p2')]);
    store.close();
    const human = await run(['sync', '--pg', pg?.url ?? '', '--db', path]);
    expect(human.stderr).toBe('');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^products\s+2\s+0\s+0$/m);
    expect(human.stdout).toContain('2 pushed, 0 pulled, 0 new conflicts');

    const other = t.path('other.db');
    const json = await run(['sync', '--pg', pg?.url ?? '', '--db', other, '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      ok: boolean;
      pulled: number;
      tables: Record<string, unknown>;
    };
    expect(parsed).toMatchObject({ ok: true, pushed: 0, pulled: 2, tables: { products: { pulled: 2 } } });
  });

  it('prints the clock offset and each open conflict with its field and reason', async () => {
    const url = pg?.url ?? '';
    const a = openStore(t.path('a.db'));
    const b = openStore(t.path('b.db'));
    // The schema the CLI uses too (`showcase`): the conflict reaches A on its next round, the CLI's.
    const ea = new SyncEngine(a, { url });
    const eb = new SyncEngine(b, { url });
    try {
      a.products.upsertMany([product('p1')]);
      a.galleries.create(galleryDraft('cli-g1', 'p1'));
      await ea.syncOnce();
      await eb.syncOnce();
      a.galleries.update('cli-g1', { promptPrefix: 'from A' });
      b.galleries.update('cli-g1', { promptPrefix: 'from B' });
      await ea.syncOnce();
      await eb.syncOnce(); // B's edit is newer: A's is kept as the losing version
    } finally {
      await ea.close();
      await eb.close();
      a.close();
      b.close();
    }
    const r = await run(['sync', '--pg', url, '--db', t.path('a.db')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^clock offset: [+-]\d+\.\d s \(team database minus this machine\)$/m);
    expect(r.stdout).toContain('1 unresolved conflict(s)');
    expect(r.stdout).toMatch(
      /conflict #1 product_galleries cli-g1 field prompt_prefix: edited on two workstations at once/,
    );
  });

  it('refuses to run beside another sync of the same store (SY002), and --wait waits for it', async () => {
    const path = t.path('busy.db');
    openStore(path).close();
    const hold = (ms: number) => {
      const db = new Database(path);
      db.prepare(
        'INSERT INTO sync_lease (id, owner, pid, expires_ms) VALUES (1, ?, 4242, ?) ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, expires_ms = excluded.expires_ms',
      ).run('the-app', Date.now() + ms);
      db.close();
    };
    hold(60_000);
    const refused = await run(['sync', '--pg', pg?.url ?? '', '--db', path]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/SY002: another sync process \(pid 4242\) is syncing this store/);
    // The other process's lease runs out in a moment: --wait takes its turn then.
    hold(1500);
    const waited = await run(['sync', '--pg', pg?.url ?? '', '--db', path, '--wait', '30']);
    expect(waited.stderr).toBe('');
    expect(waited.code).toBe(0);
  });

  it('fails with a clear message and a non-zero exit code, never printing the password', async () => {
    const port = await closedPort();
    const r = await run([
      'sync',
      '--pg',
      `postgres://studio:cli-secret-1@127.0.0.1:${port}/team`,
      '--db',
      t.path('x.db'),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `error: Cannot reach the team database at postgres://studio:***@127.0.0.1:${port}/team`,
    );
    expect(r.stderr + r.stdout).not.toContain('cli-secret-1');
  });
});
