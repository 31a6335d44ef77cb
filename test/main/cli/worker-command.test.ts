// `bin/showcase worker` refuses what cannot work before it touches anything, naming the flag: no team
// database, no bucket, bucket keys missing from the environment, no ComfyUI server.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');

function worker(args: string[], env: NodeJS.ProcessEnv = {}) {
  const clean = { ...process.env };
  for (const k of [
    'SHOWCASE_TEAM_PG',
    'SHOWCASE_S3_ACCESS_KEY',
    'SHOWCASE_S3_SECRET_KEY',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
  ])
    delete clean[k];
  const r = spawnSync(BIN, ['worker', ...args], {
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('showcase worker: bad invocations', () => {
  it('needs the team database', () => {
    const r = worker(['--comfy', 'http://127.0.0.1:1']);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('No team database given');
    expect(r.out).toContain('--pg');
  });

  it('needs the bucket as a URL naming it, and its keys from the environment', () => {
    const pg = ['--pg', 'postgres://127.0.0.1:1/x', '--comfy', 'http://127.0.0.1:1'];
    expect(worker(pg).out).toContain('No team bucket given');
    expect(worker([...pg, '--s3', 'http://127.0.0.1:9000']).out).toContain('must name the bucket');
    const noKeys = worker([...pg, '--s3', 'http://127.0.0.1:9000/team']);
    expect(noKeys.out).toContain('SHOWCASE_S3_ACCESS_KEY');
    expect(noKeys.code).not.toBe(0);
  });

  it('needs at least one ComfyUI server', () => {
    const r = worker(['--pg', 'postgres://127.0.0.1:1/x', '--s3', 'http://127.0.0.1:9000/team'], {
      SHOWCASE_S3_ACCESS_KEY: 'k',
      SHOWCASE_S3_SECRET_KEY: 's',
    });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('at least one ComfyUI server');
  });

  it('names every bad URL flag at once, before connecting to anything', () => {
    const r = worker(
      [
        '--pg',
        'http://db:5432/x',
        '--s3',
        'http://127.0.0.1:9000/team',
        '--comfy',
        'gpu-1',
        '--ollama',
        'ftp://x',
      ],
      {
        SHOWCASE_S3_ACCESS_KEY: 'k',
        SHOWCASE_S3_SECRET_KEY: 's',
      },
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('--pg: must start with postgres://');
    expect(r.out).toContain('--comfy: must be an http:// or https:// URL');
    expect(r.out).toContain('--ollama: must be an http:// or https:// URL');
  });
});
