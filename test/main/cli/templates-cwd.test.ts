// `showcase templates lint` and the `templates.lint` method find the shipped templates and the
// object_info snapshot next to the installed app, whatever the working directory: both are run here
// from an empty temp folder, through the real bin/showcase (CLI and `serve` over a real socket).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/showcase');
const SNAPSHOT = join(ROOT, 'resources/object_info/comfyui-sim.json');
const TOKEN = 'templates-cwd-token-0123456789abcdefghij';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'showcase-elsewhere-'));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

it('`templates lint` lints the shipped library against the shipped snapshot from any folder', async () => {
  const child = spawn(BIN, ['templates', 'lint', '--json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const [code] = await once(child, 'exit');
  expect(err).toBe('');
  expect(code).toBe(0);
  const report = JSON.parse(out) as { source: string; issues: Array<{ severity: string }> };
  expect(report.source).toBe(SNAPSHOT);
  expect(report.issues.filter((i) => i.severity === 'error')).toEqual([]);
  expect(await readdir(cwd)).toEqual([]);
});

it('the templates.lint method of `showcase serve` started in another folder', async () => {
  const out = join(cwd, 'out');
  const child = spawn(BIN, ['serve', '--port', '0', '--out', out], {
    cwd,
    env: { ...process.env, SHOWCASE_API_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let log = '';
    const url = await new Promise<string>((resolveUrl, reject) => {
      const onData = (d: Buffer) => {
        log += d.toString();
        const match = /API on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (match?.[1]) resolveUrl(match[1]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${log}`)));
    });
    const res = await fetch(`${url}/api/rpc/templates.lint`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await res.json()) as { result: { source: string; issues: Array<{ severity: string }> } };
    expect(res.status).toBe(200);
    expect(body.result.source).toBe(SNAPSHOT);
    expect(body.result.issues.filter((i) => i.severity === 'error')).toEqual([]);
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  }
});
