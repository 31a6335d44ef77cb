// `showcase sync` end to end: the real CLI in a child process against the real database.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../src/main/engine/store/index.ts';
import { createTestDatabase, skipNote } from '../../../fixtures/postgres.ts';
import { closedPort, product, type TempStores, tempStores } from './helpers.ts';

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
