// The API token rules, through the real `bin/showcase serve` and on real files: a too-short
// SHOWCASE_API_TOKEN is refused before anything starts or is written; a good one is used but never
// saved; the secrets file is private and a damaged one is named with its field.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateSecrets } from '../../../src/main/cli/api-secrets.ts';
import { ShowcaseError } from '../../../src/shared/index.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');
const GOOD_TOKEN = 'automation-token-0123456789abcdefghijkl';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showcase-api-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `showcase serve`; resolves with its exit, or kills it (and says so) once it is serving. */
async function serve(token: string): Promise<{ code: number | null; output: string; served: boolean }> {
  const child = spawn(BIN, ['serve', '--port', '0', '--out', join(dir, 'out')], {
    cwd: dir,
    env: { ...process.env, SHOWCASE_API_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let served = false;
  const onData = (d: Buffer) => {
    output += d.toString();
    if (!served && output.includes('Ctrl-C stops the server')) {
      served = true;
      child.kill('SIGTERM');
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output, served };
}

describe('SHOWCASE_API_TOKEN', () => {
  it('refuses a one-letter token before anything starts or is written', async () => {
    const run = await serve('a');
    expect(run.served).toBe(false);
    expect(run.code).toBe(1);
    expect(run.output).toContain(
      'error: SHOWCASE_API_TOKEN is too short: use at least 32 characters (it has 1)',
    );
    expect(run.output).toMatch(/^hint: .*openssl rand/m);
    expect(await readdir(dir)).toEqual([]);
  });

  it('uses a good token without saving it, and keeps the secrets file private', async () => {
    const dbPath = join(dir, 'out', 'studio.db');
    const first = await loadOrCreateSecrets(dbPath, { SHOWCASE_API_TOKEN: GOOD_TOKEN });
    expect(first).toMatchObject({ created: true, fromEnvironment: true });
    expect(first.secrets.token).toBe(GOOD_TOKEN);
    const file = await readFile(first.path, 'utf8');
    expect(file).not.toContain(GOOD_TOKEN);
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);

    // Without the variable the file's own token applies; a loosened file is tightened again.
    await chmod(first.path, 0o644);
    const second = await loadOrCreateSecrets(dbPath, {});
    expect(second).toMatchObject({ created: false, fromEnvironment: false });
    expect(second.secrets.token).toBe(JSON.parse(file).token);
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
  });

  it('names what is wrong with a damaged secrets file', async () => {
    const dbPath = join(dir, 'studio.db');
    await writeFile(
      join(dir, 'api-secrets.json'),
      JSON.stringify({ token: 'a', webhookSecret: 'x'.repeat(40) }),
    );
    const error = await loadOrCreateSecrets(dbPath, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShowcaseError);
    expect((error as ShowcaseError).message).toContain('api-secrets.json is damaged (token: is too short');
  });
});
